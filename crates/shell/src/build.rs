//! Lowering of the brush-parser syntax tree into dockopt's arena tree, with byte spans.

use brush_parser::ast;
use brush_parser::word::{ParameterExpr, WordPiece, WordPieceWithSource};
use brush_parser::{ParserOptions, SourcePosition, SourceSpan};

use crate::error::ShellError;
use crate::span::{byte_to_char, OffsetMap, Span};
use crate::tree::{
    AndOr, Assignment, CaseArm, Command, Connector, HereDoc, IfBranch, List, ListItem, Node,
    NodeId, NodeKind, Pipeline, Redirect, RedirectOp, Separator, SubstitutionKind,
};
use crate::word::{Word, WordPart};

/// Deepest nesting of brackets accepted; deeper input could exhaust the parser's stack.
const MAX_NESTING: usize = 64;

/// Builds the arena for one script.
pub(crate) struct Builder<'s> {
    /// The text given to the parser: the script, or the script with case patterns
    /// balanced ([`crate::case_parens`]), which has the same length and byte positions.
    src: &'s str,
    /// The script itself, for the text of words and nodes.
    text: &'s str,
    pub(crate) nodes: Vec<Node>,
    options: ParserOptions,
    /// Current depth of nested substitutions being parsed.
    depth: usize,
    /// Command substitutions whose text did not parse (left without a body).
    pub(crate) failed_substitutions: usize,
}

impl<'s> Builder<'s> {
    /// A builder that parses `parse_text`, a rewrite of `text` with the same byte length
    /// whose differences no span can cover, and takes word text from `text`.
    pub(crate) fn with_parse_text(text: &'s str, parse_text: &'s str) -> Self {
        let src = if parse_text.len() == text.len() {
            parse_text
        } else {
            text
        };
        Self {
            src,
            text,
            nodes: Vec::new(),
            options: ParserOptions {
                // Tokenise like bash: Dockerfiles run `sh` or `bash`, and bash accepts more.
                enable_extended_globbing: false,
                ..ParserOptions::default()
            },
            depth: 0,
            failed_substitutions: 0,
        }
    }

    /// Parses the whole source and returns the top list.
    pub(crate) fn build_top(&mut self) -> Result<NodeId, ShellError> {
        check_nesting(self.src)?;
        let map = OffsetMap::for_source(self.src);
        let program = self.parse_text(self.src, &map)?;
        Ok(self.lower_program(&program, &map, None))
    }

    fn parse_text(&self, text: &str, map: &OffsetMap) -> Result<ast::Program, ShellError> {
        let mut parser =
            brush_parser::Parser::new(std::io::Cursor::new(text.as_bytes()), &self.options);
        let parsed =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse_program()));
        match parsed {
            Ok(Ok(p)) => Ok(p),
            Ok(Err(e)) => Err(self.convert_error(&e, map)),
            Err(_) => Err(ShellError::at(
                self.text,
                map.at(0),
                "the shell parser failed on this script",
            )),
        }
    }

    fn convert_error(&self, e: &brush_parser::ParseError, map: &OffsetMap) -> ShellError {
        use brush_parser::ParseError as E;
        match e {
            E::ParsingNear(pos) => ShellError::at(
                self.text,
                map.at(pos.index),
                format!(
                    "unexpected token at {}",
                    describe_at(self.text, map.at(pos.index))
                ),
            ),
            E::ParsingAtEndOfInput => ShellError::at(
                self.text,
                map.at(map.char_len()),
                "unexpected end of script (an unfinished command, list or compound command)",
            ),
            E::Tokenizing { inner, position } => {
                let offset = position
                    .as_ref()
                    .map_or(map.at(map.char_len()), |p| map.at(p.index));
                ShellError::at(self.text, offset, inner.to_string())
            }
        }
    }

    fn alloc(&mut self, parent: Option<NodeId>, span: Span) -> NodeId {
        let id = NodeId(u32::try_from(self.nodes.len()).unwrap_or(u32::MAX));
        self.nodes.push(Node {
            kind: NodeKind::List(List { items: Vec::new() }),
            span,
            parent,
            redirects: Vec::new(),
        });
        id
    }

    fn set(&mut self, id: NodeId, kind: NodeKind, span: Span) {
        if let Some(n) = self.nodes.get_mut(id.index()) {
            n.kind = kind;
            n.span = span;
        }
    }

    fn set_redirects(&mut self, id: NodeId, redirects: Vec<Redirect>) {
        if let Some(n) = self.nodes.get_mut(id.index()) {
            n.redirects = redirects;
        }
    }

    fn span_of(&self, id: NodeId) -> Span {
        self.nodes
            .get(id.index())
            .map_or_else(Span::default, |n| n.span)
    }

    fn sspan(&self, s: &SourceSpan, map: &OffsetMap) -> Span {
        map.span(s.start.index, s.end.index)
    }

    fn pos(&self, p: &SourcePosition, map: &OffsetMap) -> usize {
        map.at(p.index)
    }

    fn lower_program(
        &mut self,
        program: &ast::Program,
        map: &OffsetMap,
        parent: Option<NodeId>,
    ) -> NodeId {
        let items: Vec<&ast::CompoundListItem> = program
            .complete_commands
            .iter()
            .flat_map(|c| c.0.iter())
            .collect();
        self.lower_items(&items, map, parent)
    }

    fn lower_list(
        &mut self,
        list: &ast::CompoundList,
        map: &OffsetMap,
        parent: Option<NodeId>,
    ) -> NodeId {
        let items: Vec<&ast::CompoundListItem> = list.0.iter().collect();
        self.lower_items(&items, map, parent)
    }

    fn lower_items(
        &mut self,
        items: &[&ast::CompoundListItem],
        map: &OffsetMap,
        parent: Option<NodeId>,
    ) -> NodeId {
        let id = self.alloc(parent, Span::default());
        let mut out = Vec::with_capacity(items.len());
        let mut span: Option<Span> = None;
        for item in items {
            let and_or = self.lower_and_or(&item.0, map, id);
            let s = self.span_of(and_or);
            span = Some(span.map_or(s, |x| x.cover(s)));
            let separator = match item.1 {
                ast::SeparatorOperator::Async => Separator::Async,
                ast::SeparatorOperator::Sequence => Separator::Sequence,
            };
            out.push(ListItem { and_or, separator });
        }
        let span = span.unwrap_or_else(|| Span::new(map.at(0), map.at(0)));
        self.set(id, NodeKind::List(List { items: out }), span);
        id
    }

    fn lower_and_or(&mut self, a: &ast::AndOrList, map: &OffsetMap, parent: NodeId) -> NodeId {
        let id = self.alloc(Some(parent), Span::default());
        let first = self.lower_pipeline(&a.first, map, id);
        let mut span = self.span_of(first);
        let mut rest = Vec::with_capacity(a.additional.len());
        for op in &a.additional {
            let (c, p) = match op {
                ast::AndOr::And(p) => (Connector::And, p),
                ast::AndOr::Or(p) => (Connector::Or, p),
            };
            let pid = self.lower_pipeline(p, map, id);
            span = span.cover(self.span_of(pid));
            rest.push((c, pid));
        }
        self.set(id, NodeKind::AndOr(AndOr { first, rest }), span);
        id
    }

    fn lower_pipeline(&mut self, p: &ast::Pipeline, map: &OffsetMap, parent: NodeId) -> NodeId {
        let id = self.alloc(Some(parent), Span::default());
        let mut commands = Vec::with_capacity(p.seq.len());
        let mut span: Option<Span> = None;
        for c in &p.seq {
            let cid = self.lower_command(c, map, id);
            let s = self.span_of(cid);
            span = Some(span.map_or(s, |x| x.cover(s)));
            commands.push(cid);
        }
        let mut span = span.unwrap_or_default();
        if let Some(t) = p.timed.as_ref().map(|t| match t {
            ast::PipelineTimed::Timed(s) | ast::PipelineTimed::TimedWithPosixOutput(s) => {
                self.sspan(s, map)
            }
        }) {
            span = span.cover(t);
        }
        if p.bang {
            span = self.extend_back_over(span, '!');
        }
        self.set(
            id,
            NodeKind::Pipeline(Pipeline {
                negated: p.bang,
                timed: p.timed.is_some(),
                commands,
            }),
            span,
        );
        id
    }

    /// Extends `span` back to an operator character written just before it (after blanks).
    fn extend_back_over(&self, span: Span, op: char) -> Span {
        let before = self.src.get(..span.start).unwrap_or("");
        let trimmed = before.trim_end_matches([' ', '\t', '\n', '\\']);
        if trimmed.ends_with(op) {
            Span::new(trimmed.len().saturating_sub(op.len_utf8()), span.end)
        } else {
            span
        }
    }

    fn lower_command(&mut self, c: &ast::Command, map: &OffsetMap, parent: NodeId) -> NodeId {
        match c {
            ast::Command::Simple(s) => self.lower_simple(s, map, parent),
            ast::Command::Compound(cc, redirects) => {
                let id = self.lower_compound(cc, map, parent);
                if let Some(r) = redirects {
                    let start = self.span_of(id).end;
                    let (reds, end) = self.lower_redirect_list(&r.0, start, map, id);
                    self.set_redirects(id, reds);
                    if let Some(n) = self.nodes.get_mut(id.index()) {
                        n.span = Span::new(n.span.start, end.max(n.span.end));
                    }
                }
                id
            }
            ast::Command::Function(f) => {
                let id = self.alloc(Some(parent), Span::default());
                let name = self.lower_word(&f.fname, map, id, None);
                let body = self.lower_compound(&f.body.0, map, id);
                if let Some(r) = &f.body.1 {
                    let start = self.span_of(body).end;
                    let (reds, _) = self.lower_redirect_list(&r.0, start, map, body);
                    self.set_redirects(body, reds);
                }
                let span = name.span.cover(self.span_of(body));
                self.set(id, NodeKind::Function { name, body }, span);
                id
            }
            ast::Command::ExtendedTest(t, redirects) => {
                let id = self.alloc(Some(parent), Span::default());
                let span = self.sspan(&t.loc, map);
                let text = span.text(self.text).to_string();
                self.set(id, NodeKind::ExtendedTest { text }, span);
                if let Some(r) = redirects {
                    let (reds, _) = self.lower_redirect_list(&r.0, span.end, map, id);
                    self.set_redirects(id, reds);
                }
                id
            }
        }
    }

    fn lower_compound(
        &mut self,
        cc: &ast::CompoundCommand,
        map: &OffsetMap,
        parent: NodeId,
    ) -> NodeId {
        let id = self.alloc(Some(parent), Span::default());
        let (kind, span) = match cc {
            ast::CompoundCommand::Arithmetic(a) => {
                let span = self.sspan(&a.loc, map);
                // The expression as the script wrote it: the parser saw the balanced text.
                let expression = self
                    .text
                    .get(span.start..span.end)
                    .and_then(|t| t.strip_prefix("(("))
                    .and_then(|t| t.strip_suffix("))"))
                    .filter(|_| self.text.len() == self.src.len())
                    .map_or_else(|| a.expr.value.clone(), |t| t.trim().to_string());
                (NodeKind::Arithmetic { expression }, span)
            }
            ast::CompoundCommand::ArithmeticForClause(f) => {
                let body = self.lower_list(&f.body.list, map, Some(id));
                (NodeKind::ArithmeticFor { body }, self.sspan(&f.loc, map))
            }
            ast::CompoundCommand::BraceGroup(b) => {
                let body = self.lower_list(&b.list, map, Some(id));
                (NodeKind::BraceGroup { body }, self.sspan(&b.loc, map))
            }
            ast::CompoundCommand::Subshell(s) => {
                let body = self.lower_list(&s.list, map, Some(id));
                (NodeKind::Subshell { body }, self.sspan(&s.loc, map))
            }
            ast::CompoundCommand::ForClause(f) => {
                let values = f.values.as_ref().map(|ws| {
                    ws.iter()
                        .map(|w| self.lower_word(w, map, id, None))
                        .collect()
                });
                let body = self.lower_list(&f.body.list, map, Some(id));
                (
                    NodeKind::For {
                        variable: f.variable_name.clone(),
                        values,
                        body,
                    },
                    self.sspan(&f.loc, map),
                )
            }
            ast::CompoundCommand::CaseClause(c) => {
                let subject = self.lower_word(&c.value, map, id, None);
                let arms = c
                    .cases
                    .iter()
                    .map(|item| CaseArm {
                        patterns: item
                            .patterns
                            .iter()
                            .map(|w| self.lower_word(w, map, id, None))
                            .collect(),
                        body: item.cmd.as_ref().map(|l| self.lower_list(l, map, Some(id))),
                    })
                    .collect();
                (NodeKind::Case { subject, arms }, self.sspan(&c.loc, map))
            }
            ast::CompoundCommand::IfClause(i) => {
                let mut branches = vec![IfBranch {
                    condition: Some(self.lower_list(&i.condition, map, Some(id))),
                    body: self.lower_list(&i.then, map, Some(id)),
                }];
                for e in i.elses.iter().flatten() {
                    branches.push(IfBranch {
                        condition: e
                            .condition
                            .as_ref()
                            .map(|c| self.lower_list(c, map, Some(id))),
                        body: self.lower_list(&e.body, map, Some(id)),
                    });
                }
                (NodeKind::If { branches }, self.sspan(&i.loc, map))
            }
            ast::CompoundCommand::WhileClause(w) => {
                let condition = self.lower_list(&w.0, map, Some(id));
                let body = self.lower_list(&w.1.list, map, Some(id));
                (NodeKind::While { condition, body }, self.sspan(&w.2, map))
            }
            ast::CompoundCommand::UntilClause(w) => {
                let condition = self.lower_list(&w.0, map, Some(id));
                let body = self.lower_list(&w.1.list, map, Some(id));
                (NodeKind::Until { condition, body }, self.sspan(&w.2, map))
            }
            ast::CompoundCommand::Coprocess(c) => {
                let body = self.lower_command(&c.body, map, id);
                (NodeKind::Coprocess { body }, self.sspan(&c.loc, map))
            }
        };
        self.set(id, kind, span);
        id
    }

    fn lower_simple(&mut self, s: &ast::SimpleCommand, map: &OffsetMap, parent: NodeId) -> NodeId {
        let id = self.alloc(Some(parent), Span::default());
        let mut cmd = Command {
            name: None,
            args: Vec::new(),
            assignments: Vec::new(),
            redirects: Vec::new(),
            span: Span::default(),
        };
        let mut span: Option<Span> = None;
        let mut cursor = s.location().map_or(map.at(0), |l| self.pos(&l.start, map));
        let grow = |span: &mut Option<Span>, s: Span| {
            *span = Some(span.map_or(s, |x| x.cover(s)));
        };

        for item in s.prefix.iter().flat_map(|p| p.0.iter()) {
            match item {
                ast::CommandPrefixOrSuffixItem::AssignmentWord(a, w) => {
                    let a = self.lower_assignment(a, w, map, id);
                    grow(&mut span, a.span);
                    cursor = a.span.end;
                    cmd.assignments.push(a);
                }
                other => {
                    if let Some(w) = self.lower_item(other, &mut cmd, &mut cursor, map, id) {
                        cmd.args.push(w);
                    }
                    grow(&mut span, Span::new(cursor, cursor));
                }
            }
        }
        if let Some(w) = &s.word_or_name {
            let w = self.lower_word(w, map, id, Some(cursor));
            grow(&mut span, w.span);
            cursor = w.span.end;
            cmd.name = Some(w);
        }
        for item in s.suffix.iter().flat_map(|p| p.0.iter()) {
            if let Some(w) = self.lower_item(item, &mut cmd, &mut cursor, map, id) {
                grow(&mut span, w.span);
                cmd.args.push(w);
            } else {
                grow(&mut span, Span::new(cursor, cursor));
            }
        }
        for r in &cmd.redirects {
            grow(&mut span, r.span);
        }
        // A word before the name that is not an assignment cannot exist; words found in the
        // prefix position (process substitutions) become the name when there is none.
        if cmd.name.is_none() && !cmd.args.is_empty() {
            cmd.name = Some(cmd.args.remove(0));
        }
        let span = span.unwrap_or_else(|| Span::new(cursor, cursor));
        cmd.span = span;
        self.set(id, NodeKind::Simple(cmd), span);
        id
    }

    /// Lowers a prefix/suffix item; words are returned, redirects pushed into `cmd`.
    fn lower_item(
        &mut self,
        item: &ast::CommandPrefixOrSuffixItem,
        cmd: &mut Command,
        cursor: &mut usize,
        map: &OffsetMap,
        owner: NodeId,
    ) -> Option<Word> {
        match item {
            ast::CommandPrefixOrSuffixItem::Word(w) => {
                let w = self.lower_word(w, map, owner, Some(*cursor));
                *cursor = w.span.end;
                Some(w)
            }
            // After the name, `NAME=value` is an ordinary argument (`export A=1`).
            ast::CommandPrefixOrSuffixItem::AssignmentWord(_, w) => {
                let w = self.lower_word(w, map, owner, Some(*cursor));
                *cursor = w.span.end;
                Some(w)
            }
            ast::CommandPrefixOrSuffixItem::IoRedirect(r) => {
                let red = self.lower_redirect(r, *cursor, map, owner);
                *cursor = red.span.end;
                cmd.redirects.push(red);
                None
            }
            ast::CommandPrefixOrSuffixItem::ProcessSubstitution(kind, sub) => {
                let w = self.process_substitution_word(kind, sub, map, owner);
                *cursor = w.span.end;
                Some(w)
            }
        }
    }

    fn process_substitution_word(
        &mut self,
        kind: &ast::ProcessSubstitutionKind,
        sub: &ast::SubshellCommand,
        map: &OffsetMap,
        owner: NodeId,
    ) -> Word {
        let inner = self.sspan(&sub.loc, map);
        let span = self
            .extend_back_over(self.extend_back_over(inner, '<'), '>')
            .cover(inner);
        let sid = self.alloc(Some(owner), span);
        let body = self.lower_list(&sub.list, map, Some(sid));
        let kind = match kind {
            ast::ProcessSubstitutionKind::Read => SubstitutionKind::ProcessInput,
            ast::ProcessSubstitutionKind::Write => SubstitutionKind::ProcessOutput,
        };
        self.set(sid, NodeKind::Substitution { kind, body }, span);
        Word {
            raw: span.text(self.text).to_string(),
            span,
            literal: None,
            parts: vec![WordPart::CommandSubstitution { node: Some(sid) }],
        }
    }

    fn lower_assignment(
        &mut self,
        a: &ast::Assignment,
        whole: &ast::Word,
        map: &OffsetMap,
        owner: NodeId,
    ) -> Assignment {
        let span = whole
            .loc
            .as_ref()
            .map_or_else(|| self.sspan(&a.loc, map), |l| self.sspan(l, map));
        let name = match &a.name {
            ast::AssignmentName::VariableName(n) => n.clone(),
            ast::AssignmentName::ArrayElementName(n, i) => format!("{n}[{i}]"),
        };
        let raw = span.text(self.src);
        let value_start = raw.find('=').map_or(span.end, |i| span.start + i + 1);
        let value_span = Span::new(value_start, span.end);
        let value = match &a.value {
            ast::AssignmentValue::Scalar(w) => self.word_at(&w.value, value_span, owner),
            ast::AssignmentValue::Array(_) => Word {
                raw: value_span.text(self.text).to_string(),
                span: value_span,
                literal: None,
                parts: Vec::new(),
            },
        };
        Assignment {
            name,
            value,
            append: a.append,
            span,
        }
    }

    fn lower_redirect_list(
        &mut self,
        list: &[ast::IoRedirect],
        mut cursor: usize,
        map: &OffsetMap,
        owner: NodeId,
    ) -> (Vec<Redirect>, usize) {
        let mut out = Vec::with_capacity(list.len());
        for r in list {
            let red = self.lower_redirect(r, cursor, map, owner);
            cursor = red.span.end;
            out.push(red);
        }
        (out, cursor)
    }

    fn lower_redirect(
        &mut self,
        r: &ast::IoRedirect,
        cursor: usize,
        map: &OffsetMap,
        owner: NodeId,
    ) -> Redirect {
        let start = self.skip_blanks(cursor);
        let (fd, op, target, here_doc) = match r {
            ast::IoRedirect::File(fd, kind, target) => {
                let op = match kind {
                    ast::IoFileRedirectKind::Read => RedirectOp::Read,
                    ast::IoFileRedirectKind::Write => RedirectOp::Write,
                    ast::IoFileRedirectKind::Append => RedirectOp::Append,
                    ast::IoFileRedirectKind::ReadAndWrite => RedirectOp::ReadWrite,
                    ast::IoFileRedirectKind::Clobber => RedirectOp::Clobber,
                    ast::IoFileRedirectKind::DuplicateInput => RedirectOp::DupInput,
                    ast::IoFileRedirectKind::DuplicateOutput => RedirectOp::DupOutput,
                };
                let target = match target {
                    ast::IoFileRedirectTarget::Filename(w)
                    | ast::IoFileRedirectTarget::Duplicate(w) => {
                        Some(self.lower_word(w, map, owner, Some(start)))
                    }
                    ast::IoFileRedirectTarget::Fd(n) => Some(self.fd_word(*n, start)),
                    ast::IoFileRedirectTarget::ProcessSubstitution(kind, sub) => {
                        Some(self.process_substitution_word(kind, sub, map, owner))
                    }
                };
                (*fd, op, target, None)
            }
            ast::IoRedirect::HereDocument(fd, h) => {
                let delim = self.lower_word(&h.here_end, map, owner, Some(start));
                let span = h
                    .doc
                    .loc
                    .as_ref()
                    .map_or(Span::new(delim.span.end, delim.span.end), |l| {
                        self.sspan(l, map)
                    });
                let doc = HereDoc {
                    body: h.doc.value.clone(),
                    span,
                    strip_tabs: h.remove_tabs,
                    expands: h.requires_expansion,
                };
                (*fd, RedirectOp::HereDoc, Some(delim), Some(doc))
            }
            ast::IoRedirect::HereString(fd, w) => {
                let w = self.lower_word(w, map, owner, Some(start));
                (*fd, RedirectOp::HereString, Some(w), None)
            }
            ast::IoRedirect::OutputAndError(w, append) => {
                let w = self.lower_word(w, map, owner, Some(start));
                let op = if *append {
                    RedirectOp::AppendOutputAndError
                } else {
                    RedirectOp::OutputAndError
                };
                (None, op, Some(w), None)
            }
        };
        let end = target.as_ref().map_or(start, |t| t.span.end).max(start);
        Redirect {
            fd,
            op,
            target,
            here_doc,
            span: Span::new(start, end),
        }
    }

    fn skip_blanks(&self, mut at: usize) -> usize {
        let bytes = self.src.as_bytes();
        while let Some(b) = bytes.get(at) {
            match b {
                b' ' | b'\t' => at += 1,
                b'\\' if bytes.get(at + 1) == Some(&b'\n') => at += 2,
                _ => break,
            }
        }
        at
    }

    /// A word for a numeric descriptor target the parser keeps without a position: it is
    /// found after the redirect operator that starts at `start`.
    fn fd_word(&self, n: i32, start: usize) -> Word {
        let digits = n.to_string();
        let rest = self.src.get(start..).unwrap_or("");
        let op_len = rest
            .char_indices()
            .find(|(i, c)| !(c.is_ascii_digit() && *i == 0 || matches!(c, '<' | '>' | '&')))
            .map_or(rest.len(), |(i, _)| i);
        let after = self.skip_blanks(start + op_len);
        let found = self
            .src
            .get(after..)
            .is_some_and(|s| s.starts_with(digits.as_str()));
        let span = if found {
            Span::new(after, after + digits.len())
        } else {
            Span::new(after, after)
        };
        Word {
            raw: span.text(self.text).to_string(),
            span,
            literal: Some(digits),
            parts: vec![WordPart::Text {
                value: n.to_string(),
                quoted: false,
            }],
        }
    }

    /// Lowers a word; `fallback` is where to place it when the parser gave no position.
    fn lower_word(
        &mut self,
        w: &ast::Word,
        map: &OffsetMap,
        owner: NodeId,
        fallback: Option<usize>,
    ) -> Word {
        let span = match &w.loc {
            Some(l) => self.sspan(l, map),
            None => {
                let at = fallback.unwrap_or(0);
                Span::new(at, at)
            }
        };
        self.word_at(&w.value, span, owner)
    }

    /// Builds a word whose parsed value is `value` and whose source is `span`.
    fn word_at(&mut self, value: &str, span: Span, owner: NodeId) -> Word {
        let raw = span.text(self.text).to_string();
        if is_plain_word(value) {
            // Nothing to expand or unquote: the word is its own literal text (as the word
            // parser would say, at a fraction of the cost; most words are like this).
            return Word {
                raw,
                span,
                literal: Some(value.to_string()),
                parts: vec![WordPart::Text {
                    value: value.to_string(),
                    quoted: false,
                }],
            };
        }
        let word_map = OffsetMap::align(self.src, span, value);
        let pieces = std::panic::catch_unwind(|| brush_parser::word::parse(value, &self.options));
        let parts = match pieces {
            Ok(Ok(pieces)) => {
                let mut parts = Vec::new();
                self.lower_pieces(&pieces, value, &word_map, owner, false, &mut parts);
                parts
            }
            // A word brush cannot split stays opaque: no literal, no parts.
            _ => Vec::new(),
        };
        let literal = if parts.is_empty() && !value.is_empty() {
            None
        } else {
            literal_of(&parts)
        };
        Word {
            raw,
            span,
            literal,
            parts,
        }
    }

    fn lower_pieces(
        &mut self,
        pieces: &[WordPieceWithSource],
        value: &str,
        word_map: &OffsetMap,
        owner: NodeId,
        quoted: bool,
        out: &mut Vec<WordPart>,
    ) {
        for p in pieces {
            match &p.piece {
                WordPiece::Text(t) => push_text(out, t, quoted),
                WordPiece::SingleQuotedText(t) | WordPiece::AnsiCQuotedText(t) => {
                    push_text(out, t, true);
                }
                WordPiece::EscapeSequence(e) => {
                    let rest: String = e.chars().skip(1).collect();
                    if rest != "\n" {
                        push_text(out, &rest, true);
                    }
                }
                WordPiece::DoubleQuotedSequence(inner)
                | WordPiece::GettextDoubleQuotedSequence(inner) => {
                    if inner.is_empty() {
                        push_text(out, "", true);
                    }
                    self.lower_pieces(inner, value, word_map, owner, true, out);
                }
                WordPiece::TildeExpansion(t) => {
                    let user = match t {
                        brush_parser::word::TildeExpr::Home => None,
                        brush_parser::word::TildeExpr::UserHome(u) => Some(u.clone()),
                        _ => Some(String::new()),
                    };
                    out.push(WordPart::Tilde { user });
                }
                WordPiece::ParameterExpansion(pe) => out.push(parameter_part(pe, quoted)),
                WordPiece::CommandSubstitution(inner) => {
                    let node = self.substitution(
                        inner,
                        SubstitutionKind::Command,
                        (p.start_index, p.end_index),
                        value,
                        word_map,
                        owner,
                    );
                    out.push(WordPart::CommandSubstitution { node });
                }
                WordPiece::BackquotedCommandSubstitution(inner) => {
                    let node = self.substitution(
                        inner,
                        SubstitutionKind::Backquote,
                        (p.start_index, p.end_index),
                        value,
                        word_map,
                        owner,
                    );
                    out.push(WordPart::CommandSubstitution { node });
                }
                WordPiece::ArithmeticExpression(_) => out.push(WordPart::Arithmetic),
            }
        }
    }

    /// Parses the inner script of a command substitution found at bytes `range` of the
    /// word value; `None` when it does not parse or nests too deeply.
    fn substitution(
        &mut self,
        inner: &str,
        kind: SubstitutionKind,
        range: (usize, usize),
        value: &str,
        word_map: &OffsetMap,
        owner: NodeId,
    ) -> Option<NodeId> {
        if self.depth >= MAX_NESTING {
            return None;
        }
        let (open, close) = match kind {
            SubstitutionKind::Command => (2, 1),
            _ => (1, 1),
        };
        let piece_span = word_map.span(byte_to_char(value, range.0), byte_to_char(value, range.1));
        let inner_span = word_map.span(
            byte_to_char(value, range.0.saturating_add(open)),
            byte_to_char(value, range.1.saturating_sub(close)),
        );
        let inner_map = OffsetMap::align(self.src, inner_span, inner);
        self.depth += 1;
        let parsed = self.parse_text(inner, &inner_map);
        if parsed.is_err() {
            self.failed_substitutions += 1;
        }
        let result = parsed.ok().map(|program| {
            let sid = self.alloc(Some(owner), piece_span);
            let body = self.lower_program(&program, &inner_map, Some(sid));
            self.set(sid, NodeKind::Substitution { kind, body }, piece_span);
            sid
        });
        self.depth -= 1;
        result
    }
}

use brush_parser::ast::SourceLocation;

/// Whether `value` is plain text to the shell's word parser: not empty, and only
/// characters that never start a quote, escape, expansion, substitution, tilde prefix,
/// glob or brace expansion.
pub(crate) fn is_plain_word(value: &str) -> bool {
    !value.is_empty()
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'_' | b'-' | b'.' | b'/' | b':' | b',' | b'+' | b'=' | b'@' | b'%'
                )
        })
}

fn push_text(out: &mut Vec<WordPart>, t: &str, quoted: bool) {
    if let Some(WordPart::Text { value, quoted: q }) = out.last_mut() {
        if *q == quoted {
            value.push_str(t);
            return;
        }
    }
    out.push(WordPart::Text {
        value: t.to_string(),
        quoted,
    });
}

fn literal_of(parts: &[WordPart]) -> Option<String> {
    let mut s = String::new();
    for p in parts {
        match p {
            WordPart::Text { value, .. } => s.push_str(value),
            _ => return None,
        }
    }
    Some(s)
}

fn parameter_part(pe: &ParameterExpr, quoted: bool) -> WordPart {
    use brush_parser::word::Parameter;
    let named = |p: &Parameter| match p {
        Parameter::Named(n) => Some(n.clone()),
        _ => None,
    };
    match pe {
        ParameterExpr::Parameter {
            parameter,
            indirect,
        } => WordPart::Parameter {
            name: named(parameter),
            default: None,
            transformed: *indirect,
            quoted,
        },
        ParameterExpr::UseDefaultValues {
            parameter,
            indirect,
            default_value,
            ..
        }
        | ParameterExpr::AssignDefaultValues {
            parameter,
            indirect,
            default_value,
            ..
        } => WordPart::Parameter {
            name: named(parameter),
            default: Some(default_value.clone().unwrap_or_default()),
            transformed: *indirect,
            quoted,
        },
        _ => WordPart::Parameter {
            name: None,
            default: None,
            transformed: true,
            quoted,
        },
    }
}

/// Rejects input whose bracket nesting could exhaust the parser's recursion.
fn check_nesting(src: &str) -> Result<(), ShellError> {
    let mut depth = 0usize;
    for (i, c) in src.char_indices() {
        match c {
            '(' | '{' | '[' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(ShellError::at(
                        src,
                        i,
                        format!("brackets nested deeper than {MAX_NESTING} levels"),
                    ));
                }
            }
            ')' | '}' | ']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

fn describe_at(src: &str, offset: usize) -> String {
    let tok: String = src
        .get(offset..)
        .unwrap_or("")
        .chars()
        .take_while(|c| !c.is_whitespace())
        .take(20)
        .collect();
    if tok.is_empty() {
        "end of line".to_string()
    } else {
        format!("`{tok}`")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut for plain words must give what the word parser gives.
    #[test]
    fn plain_words_are_what_the_word_parser_says() {
        let options = Builder::with_parse_text("", "").options;
        let words = [
            "apt-get",
            "--no-install-recommends",
            "/var/lib/apt/lists",
            "ca-certificates=20230311",
            "user@example.com:8080/x,y+z%20",
            "-o=Dpkg::Options::=--force-confold",
            "a_b.c",
        ];
        for word in words {
            assert!(is_plain_word(word), "{word}");
            let pieces = brush_parser::word::parse(word, &options).expect(word);
            match pieces.as_slice() {
                [WordPieceWithSource {
                    piece: WordPiece::Text(text),
                    ..
                }] => assert_eq!(text, word),
                other => panic!("{word}: {other:?}"),
            }
        }
        for word in [
            "", "~/x", "$HOME", "a*", "'a'", "\"a\"", "a\\b", "{a,b}", "a[1]", "`x`",
        ] {
            assert!(!is_plain_word(word), "{word}");
        }
    }
}
