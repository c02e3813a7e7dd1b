//! The driver: reads physical lines exactly as BuildKit's `parser.Parse` does (directives,
//! comments, continuations, heredoc bodies) and builds both the lossless tree and the typed
//! model.

use rowan::{GreenNode, GreenNodeBuilder, TextRange, TextSize};

use crate::ast::{
    Args, Argument, Directive, Dockerfile, ExecForm, Flag, Form, Heredoc, Instruction,
    InstructionKind, KeyValue, ShellForm,
};
use crate::directives::DirectiveParser;
use crate::heredoc_lex::{lex_words, parse_marker};
use crate::joined::JoinedText;
use crate::kind::SyntaxKind::{self, *};
use crate::line_parse::{parse_line, FlagWord, Line, LineArgs, Piece, Span};
use crate::text::leading_space_len;
use crate::tree::{emit, SpanNode, Tok};
use crate::SyntaxError;

/// Longest line BuildKit's scanner accepts (bufio.MaxScanTokenSize - 1).
const MAX_LINE: usize = 65_535;

pub(crate) struct Output {
    pub green: GreenNode,
    pub file: Dockerfile,
    pub errors: Vec<SyntaxError>,
    pub warnings: Vec<SyntaxError>,
}

#[derive(Clone, Copy)]
struct PhysLine {
    start: usize,
    content_end: usize,
    end: usize,
}

struct Driver<'a> {
    text: &'a str,
    pos: usize,
    builder: GreenNodeBuilder<'static>,
    escape: char,
    directives: DirectiveParser,
    file: Dockerfile,
    errors: Vec<SyntaxError>,
    warnings: Vec<SyntaxError>,
}

fn range(start: usize, end: usize) -> TextRange {
    let s = TextSize::try_from(start).unwrap_or(TextSize::from(u32::MAX));
    let e = TextSize::try_from(end.max(start)).unwrap_or(s);
    TextRange::new(s, e.max(s))
}

/// `line` with its final escape character and trailing blanks removed, if it continues.
fn trim_continuation(line: &str, escape: char) -> (usize, bool) {
    let t = line.trim_end_matches([' ', '\t']);
    if let Some(before) = t.strip_suffix(escape) {
        if before.is_empty() || !before.ends_with(escape) {
            return (before.len(), true);
        }
    }
    (line.len(), false)
}

fn is_comment(line: &str) -> bool {
    line.trim_start_matches(char::is_whitespace)
        .starts_with('#')
}

pub(crate) fn parse(text: &str) -> Output {
    let mut d = Driver {
        text,
        pos: 0,
        builder: GreenNodeBuilder::new(),
        escape: '\\',
        directives: DirectiveParser::default(),
        file: Dockerfile {
            escape: '\\',
            ..Dockerfile::default()
        },
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    d.builder.start_node(ROOT.into());
    if text.starts_with('\u{feff}') {
        d.token(BOM, 0, 3);
        d.pos = 3;
        d.file.bom = true;
    }
    d.run();
    d.builder.finish_node();
    if d.file.instructions.is_empty() && d.errors.is_empty() {
        d.errors.push(SyntaxError::new(
            "file with no instructions",
            range(text.len(), text.len()),
        ));
    }
    d.file.escape = d.escape;
    Output {
        green: d.builder.finish(),
        file: d.file,
        errors: d.errors,
        warnings: d.warnings,
    }
}

/// Tokens, nodes and joined text of the instruction being read.
#[derive(Default)]
struct Pending {
    toks: Vec<Tok>,
    spans: Vec<SpanNode>,
    joined: JoinedText,
}

impl Driver<'_> {
    fn token(&mut self, kind: SyntaxKind, start: usize, end: usize) {
        if let Some(piece) = self.text.get(start..end) {
            if !piece.is_empty() {
                self.builder.token(kind.into(), piece);
            }
        }
    }

    fn next_line(&mut self) -> Option<PhysLine> {
        if self.pos >= self.text.len() {
            return None;
        }
        let rest = self.text.get(self.pos..)?;
        let start = self.pos;
        let end = rest.find('\n').map_or(self.text.len(), |i| start + i + 1);
        let body = &self.text[start..end];
        let content_end = start + body.trim_end_matches(['\r', '\n']).len();
        self.pos = end;
        if content_end - start > MAX_LINE {
            self.errors.push(SyntaxError::new(
                format!("dockerfile line greater than max allowed size of {MAX_LINE}"),
                range(start, content_end),
            ));
        }
        Some(PhysLine {
            start,
            content_end,
            end,
        })
    }

    fn run(&mut self) {
        while let Some(line) = self.next_line() {
            let raw = &self.text[line.start..line.content_end];
            let lead = leading_space_len(raw);
            let trimmed_start = line.start + lead;
            let trimmed = &self.text[trimmed_start..line.content_end];
            let directive = match self.directives.parse_line(trimmed) {
                Ok(d) => d,
                Err(msg) => {
                    self.errors.push(SyntaxError::new(
                        msg,
                        range(trimmed_start, line.content_end),
                    ));
                    None
                }
            };
            if trimmed.starts_with('#') {
                self.token(WHITESPACE, line.start, trimmed_start);
                if let Some(found) = directive {
                    if found.name == "escape" {
                        match found.value.as_str() {
                            "\\" => self.escape = '\\',
                            "`" => self.escape = '`',
                            other => self.errors.push(SyntaxError::new(
                                format!("invalid escape token '{other}' does not match ` or \\"),
                                range(
                                    trimmed_start + found.value_span.0,
                                    trimmed_start + found.value_span.1,
                                ),
                            )),
                        }
                    }
                    self.file.directives.push(Directive {
                        name: found.name,
                        value: found.value,
                        range: range(trimmed_start, line.content_end),
                        name_range: range(
                            trimmed_start + found.name_span.0,
                            trimmed_start + found.name_span.1,
                        ),
                        value_range: range(
                            trimmed_start + found.value_span.0,
                            trimmed_start + found.value_span.1,
                        ),
                    });
                    self.builder.start_node(DIRECTIVE.into());
                    self.token(COMMENT, trimmed_start, line.content_end);
                    self.builder.finish_node();
                } else {
                    self.token(COMMENT, trimmed_start, line.content_end);
                }
                self.token(NEWLINE, line.content_end, line.end);
                continue;
            }
            let (content_len, continues) = trim_continuation(trimmed, self.escape);
            if !continues && content_len == 0 {
                self.token(WHITESPACE, line.start, line.content_end);
                self.token(NEWLINE, line.content_end, line.end);
                continue;
            }
            self.token(WHITESPACE, line.start, trimmed_start);
            self.instruction(line, trimmed_start, content_len, continues);
        }
    }

    fn push_content(&self, p: &mut Pending, start: usize, end: usize) {
        let Some(piece) = self.text.get(start..end) else {
            return;
        };
        p.joined.push(piece, start);
        let mut run_start = start;
        let mut run_ws: Option<bool> = None;
        for (i, ch) in piece.char_indices() {
            let ws = ch.is_whitespace();
            if run_ws.is_some_and(|w| w != ws) {
                p.toks.push((
                    if run_ws == Some(true) {
                        WHITESPACE
                    } else {
                        WORD
                    },
                    run_start,
                    start + i,
                ));
                run_start = start + i;
            }
            run_ws = Some(ws);
        }
        if let Some(ws) = run_ws {
            p.toks
                .push((if ws { WHITESPACE } else { WORD }, run_start, end));
        }
    }

    fn push_tok(p: &mut Pending, kind: SyntaxKind, start: usize, end: usize) {
        if start < end {
            p.toks.push((kind, start, end));
        }
    }

    fn instruction(
        &mut self,
        first: PhysLine,
        start: usize,
        content_len: usize,
        mut continues: bool,
    ) {
        let mut p = Pending::default();
        self.push_content(&mut p, start, start + content_len);
        Self::push_tok(
            &mut p,
            LINE_CONTINUATION,
            start + content_len,
            first.content_end,
        );
        Self::push_tok(&mut p, NEWLINE, first.content_end, first.end);
        let mut last = first;
        let mut empty_line: Option<TextRange> = None;
        while continues {
            let Some(line) = self.next_line() else { break };
            last = line;
            let raw = &self.text[line.start..line.content_end];
            if is_comment(raw) {
                let lead = leading_space_len(raw);
                Self::push_tok(&mut p, WHITESPACE, line.start, line.start + lead);
                Self::push_tok(&mut p, COMMENT, line.start + lead, line.content_end);
                Self::push_tok(&mut p, NEWLINE, line.content_end, line.end);
                continue;
            }
            if raw.trim_start_matches(char::is_whitespace).is_empty() {
                empty_line.get_or_insert(range(line.start, line.content_end));
                Self::push_tok(&mut p, WHITESPACE, line.start, line.content_end);
                Self::push_tok(&mut p, NEWLINE, line.content_end, line.end);
                continue;
            }
            let (len, more) = trim_continuation(raw, self.escape);
            continues = more;
            self.push_content(&mut p, line.start, line.start + len);
            Self::push_tok(
                &mut p,
                LINE_CONTINUATION,
                line.start + len,
                line.content_end,
            );
            Self::push_tok(&mut p, NEWLINE, line.content_end, line.end);
        }
        let joined_len = p.joined.as_str().len();
        let parsed = parse_line(p.joined.as_str(), 0, joined_len, self.escape, 0);
        let mut end = last.content_end;

        // Heredocs.
        let mut heredocs = Vec::new();
        if can_contain_heredoc(&parsed) && p.joined.as_str().contains("<<") {
            match heredoc_markers(p.joined.as_str()) {
                Ok(markers) => {
                    for (marker, (ms, me)) in markers {
                        let marker_range =
                            p.joined.source_range(ms, me).unwrap_or(range(start, start));
                        p.spans.push(SpanNode {
                            kind: HEREDOC_MARKER,
                            start: usize::from(marker_range.start()),
                            end: usize::from(marker_range.end()),
                            depth: 1000,
                        });
                        let h = self.heredoc_body(&mut p, marker, marker_range, &mut end);
                        heredocs.push(h);
                    }
                }
                Err(msg) => self.errors.push(SyntaxError::new(msg, range(start, end))),
            }
        }

        // Drop the final line ending: it stays outside the instruction node.
        let mut trailing = None;
        if let Some(&(NEWLINE, s, e)) = p.toks.last() {
            if s >= end {
                trailing = Some((s, e));
                p.toks.pop();
            }
        }
        let mut instr =
            self.build_instruction(&parsed, &p.joined, range(start, end), 0, &mut p.spans);
        for h in &heredocs {
            if !h.terminated {
                self.errors
                    .push(SyntaxError::new("unterminated heredoc", h.marker_range));
            }
        }
        if let Args::Onbuild(inner) = &mut instr.args {
            inner.heredocs = heredocs.clone();
        }
        instr.heredocs = heredocs;
        if let Some(r) = empty_line {
            self.warnings
                .push(SyntaxError::new("empty continuation line", r));
        }
        self.builder.start_node(INSTRUCTION.into());
        emit(&mut self.builder, self.text, &p.toks, &p.spans);
        self.builder.finish_node();
        if let Some((s, e)) = trailing {
            self.token(NEWLINE, s, e);
        }
        self.file.instructions.push(instr);
    }

    /// Reads one heredoc body and its terminator line after the instruction.
    fn heredoc_body(
        &mut self,
        p: &mut Pending,
        marker: crate::heredoc_lex::MarkerWord,
        marker_range: TextRange,
        end: &mut usize,
    ) -> Heredoc {
        let body_start = self.pos;
        let mut terminator = None;
        while let Some(line) = self.next_line() {
            let content = &self.text[line.start..line.content_end];
            let candidate = if marker.chomp {
                content.trim_start_matches('\t')
            } else {
                content
            };
            if candidate == marker.name {
                terminator = Some(line);
                break;
            }
            Self::push_tok(p, HEREDOC_TEXT, line.start, line.content_end);
            Self::push_tok(p, NEWLINE, line.content_end, line.end);
        }
        let (body_end, end_range) = match terminator {
            Some(line) => {
                Self::push_tok(p, HEREDOC_TEXT, line.start, line.content_end);
                Self::push_tok(p, NEWLINE, line.content_end, line.end);
                *end = line.content_end;
                (line.start, range(line.start, line.content_end))
            }
            None => {
                *end = self.text.len().max(*end);
                (self.text.len(), range(self.text.len(), self.text.len()))
            }
        };
        p.spans.push(SpanNode {
            kind: HEREDOC_BODY,
            start: body_start,
            end: body_end,
            depth: 0,
        });
        p.spans.push(SpanNode {
            kind: HEREDOC_END,
            start: usize::from(end_range.start()),
            end: usize::from(end_range.end()),
            depth: 0,
        });
        Heredoc {
            name: marker.name,
            quoted: !marker.expand,
            strip_tabs: marker.chomp,
            fd: marker.fd,
            marker_range,
            body_range: range(body_start, body_end),
            end_range,
            raw_body: self.text.get(body_start..body_end).unwrap_or("").to_owned(),
            terminated: terminator.is_some(),
        }
    }

    /// Typed instruction from a parsed line; also records its nodes in `spans`.
    fn build_instruction(
        &mut self,
        line: &Line,
        joined: &JoinedText,
        whole: TextRange,
        depth: u32,
        spans: &mut Vec<SpanNode>,
    ) -> Instruction {
        let src = |s: Span| {
            joined
                .source_range(s.0, s.1)
                .unwrap_or(TextRange::empty(whole.start()))
        };
        let mut span = |kind: SyntaxKind, r: TextRange, d: u32| {
            spans.push(SpanNode {
                kind,
                start: usize::from(r.start()),
                end: usize::from(r.end()),
                depth: depth + d,
            });
        };
        let keyword_range = src(line.keyword.span);
        span(KEYWORD, keyword_range, 1);
        let kind = InstructionKind::from_keyword(&line.keyword.text);
        let mut flags = Vec::new();
        for fw in &line.flags {
            let flag = make_flag(fw, joined, &src);
            span(FLAG, flag.range, 1);
            span(FLAG_NAME, flag.name_range, 2);
            if let Some(v) = flag.value_range {
                span(FLAG_VALUE, v, 2);
            }
            flags.push(flag);
        }
        let arg = |p: &Piece| Argument {
            value: p.text.clone(),
            range: src(p.span),
        };
        let args_range = if line.rest.0 < line.rest.1 {
            src(line.rest)
        } else {
            TextRange::empty(keyword_range.end())
        };
        let mut values = Vec::new();
        let args = match &line.args {
            LineArgs::Empty => Args::None,
            LineArgs::Ignored => {
                values.push(String::new());
                Args::Ignored
            }
            LineArgs::Exec { items, span: s } => {
                span(EXEC_FORM, src(*s), 1);
                let args: Vec<Argument> = items.iter().map(arg).collect();
                for a in &args {
                    span(ARGUMENT, a.range, 2);
                    values.push(a.value.clone());
                }
                Args::Exec(ExecForm {
                    args,
                    range: src(*s),
                })
            }
            LineArgs::Shell(p) => {
                span(SHELL_FORM, src(p.span), 1);
                values.push(p.text.clone());
                Args::Shell(ShellForm {
                    text: joined.slice(p.span.0, p.span.1),
                    range: src(p.span),
                })
            }
            LineArgs::Words(words) if kind == InstructionKind::Arg => {
                let mut pairs = Vec::new();
                for w in words {
                    values.push(w.text.clone());
                    let r = src(w.span);
                    span(KEY_VALUE, r, 1);
                    let pair = match w.text.find('=') {
                        Some(eq) => {
                            let key = Argument {
                                value: w.text[..eq].to_owned(),
                                range: src((w.span.0, w.span.0 + eq)),
                            };
                            let value = Argument {
                                value: w.text[eq + 1..].to_owned(),
                                range: src((w.span.0 + eq + 1, w.span.1)),
                            };
                            KeyValue {
                                key,
                                value: Some(value),
                                equals: true,
                                range: r,
                            }
                        }
                        None => KeyValue {
                            key: arg(w),
                            value: None,
                            equals: false,
                            range: r,
                        },
                    };
                    span(KEY, pair.key.range, 2);
                    if let Some(v) = &pair.value {
                        span(VALUE, v.range, 2);
                    }
                    pairs.push(pair);
                }
                Args::Pairs(pairs)
            }
            LineArgs::Words(words) => {
                let args: Vec<Argument> = words.iter().map(arg).collect();
                for a in &args {
                    span(ARGUMENT, a.range, 1);
                    values.push(a.value.clone());
                }
                Args::Words(args)
            }
            LineArgs::Single(p) => {
                let a = arg(p);
                span(ARGUMENT, a.range, 1);
                values.push(a.value.clone());
                Args::Single(a)
            }
            LineArgs::Pairs(pairs) => {
                let mut out = Vec::new();
                for kv in pairs {
                    values.push(kv.key.text.clone());
                    values.push(kv.value.text.clone());
                    values.push(if kv.equals { "=".into() } else { String::new() });
                    let pair = KeyValue {
                        key: arg(&kv.key),
                        value: Some(arg(&kv.value)),
                        equals: kv.equals,
                        range: src(kv.span),
                    };
                    span(KEY_VALUE, pair.range, 1);
                    span(KEY, pair.key.range, 2);
                    span(VALUE, src(kv.value.span), 2);
                    out.push(pair);
                }
                Args::Pairs(out)
            }
            LineArgs::Health { kind: k, cmd } => {
                let kind_arg = arg(k);
                span(ARGUMENT, kind_arg.range, 1);
                values.push(kind_arg.value.clone());
                let cmd = match cmd.as_ref() {
                    LineArgs::Exec { items, span: s } => {
                        span(EXEC_FORM, src(*s), 1);
                        let args: Vec<Argument> = items.iter().map(arg).collect();
                        for a in &args {
                            span(ARGUMENT, a.range, 2);
                            values.push(a.value.clone());
                        }
                        Some(Form::Exec(ExecForm {
                            args,
                            range: src(*s),
                        }))
                    }
                    LineArgs::Shell(p) => {
                        span(SHELL_FORM, src(p.span), 1);
                        values.push(p.text.clone());
                        Some(Form::Shell(ShellForm {
                            text: joined.slice(p.span.0, p.span.1),
                            range: src(p.span),
                        }))
                    }
                    _ => None,
                };
                Args::Healthcheck {
                    kind: kind_arg,
                    cmd,
                }
            }
            LineArgs::Sub(sub) => {
                let end = sub.rest.1.max(sub.keyword.span.1);
                let r = src((sub.keyword.span.0, end));
                span(INSTRUCTION, r, 1);
                let inner = self.build_instruction(sub, joined, r, depth + 2, spans);
                Args::Onbuild(Box::new(inner))
            }
        };
        if kind == InstructionKind::Unknown {
            let msg = if line.keyword.text.is_empty() {
                "missing instruction keyword".to_owned()
            } else {
                format!("unknown instruction: {}", line.keyword.text)
            };
            self.errors.push(SyntaxError::new(msg, keyword_range));
        }
        if let Some((msg, s)) = &line.error {
            // Errors of a nested ONBUILD line are reported by the nested call.
            if !matches!(line.args, LineArgs::Sub(_)) {
                self.errors.push(SyntaxError::new(msg.clone(), src(*s)));
            }
        }
        for (msg, r) in crate::flags::flag_problems(kind, &flags) {
            self.warnings.push(SyntaxError::new(msg, r));
        }
        if kind == InstructionKind::From {
            if let Args::Words(w) = &args {
                let ok = w.len() == 1 || (w.len() == 3 && w[1].value.eq_ignore_ascii_case("as"));
                if !ok {
                    self.warnings.push(SyntaxError::new(
                        "FROM requires either one or three arguments",
                        args_range,
                    ));
                }
            } else {
                self.warnings.push(SyntaxError::new(
                    "FROM requires either one or three arguments",
                    keyword_range,
                ));
            }
        }
        Instruction {
            keyword: line.keyword.text.clone(),
            kind,
            range: whole,
            keyword_range,
            flags,
            line: joined.slice(line.keyword.span.0, joined.as_str().len()),
            args_range,
            args,
            heredocs: Vec::new(),
            values,
        }
    }
}

fn make_flag(fw: &FlagWord, joined: &JoinedText, src: &dyn Fn(Span) -> TextRange) -> Flag {
    let range = src(fw.span);
    let body = fw.text.strip_prefix("--").unwrap_or(&fw.text);
    let offsets = joined.offsets();
    let to_src = |j: usize| offsets.get(j).copied();
    let (name, value, name_range, value_range, value_map) = match body.find('=') {
        Some(eq) => {
            let eq_at = eq + (fw.text.len() - body.len());
            let eq_src = fw.map.get(eq_at).and_then(|&j| to_src(j));
            let name_range =
                eq_src.map_or(range, |e| TextRange::new(range.start(), TextSize::from(e)));
            let value_range =
                eq_src.map(|e| TextRange::new(TextSize::from(e + 1).min(range.end()), range.end()));
            let value_map: Vec<u32> = fw
                .map
                .get(eq_at + 1..)
                .unwrap_or(&[])
                .iter()
                .filter_map(|&j| to_src(j))
                .collect();
            (
                body[..eq].to_owned(),
                Some(body[eq + 1..].to_owned()),
                name_range,
                value_range,
                value_map,
            )
        }
        None => (body.to_owned(), None, range, None, Vec::new()),
    };
    Flag {
        name,
        value,
        range,
        name_range,
        value_range,
        raw: fw.text.clone(),
        value_map,
    }
}

/// BuildKit's `canContainHeredoc`: RUN, COPY, ADD (or ONBUILD of one), not in JSON form.
fn can_contain_heredoc(line: &Line) -> bool {
    let target = match &line.args {
        LineArgs::Sub(sub) if line.keyword.text.eq_ignore_ascii_case("onbuild") => sub,
        _ => line,
    };
    let kw = target.keyword.text.to_ascii_lowercase();
    matches!(kw.as_str(), "run" | "copy" | "add") && !matches!(target.args, LineArgs::Exec { .. })
}

/// BuildKit's `heredocsFromLine`: every lexer word of the whole line that is a marker.
fn heredoc_markers(line: &str) -> Result<Vec<(crate::heredoc_lex::MarkerWord, Span)>, String> {
    let words = lex_words(line, true, true).unwrap_or_default();
    let mut out = Vec::new();
    for w in words {
        if let Some(m) = parse_marker(&w.text)? {
            out.push((m, (w.start, w.end)));
        }
    }
    Ok(out)
}
