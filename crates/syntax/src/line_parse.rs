//! BuildKit's instruction-line parsing (`splitCommand`, `extractBuilderFlags` and the
//! per-instruction line parsers), run on the joined logical line and recording the byte
//! range of every piece in that line.

use crate::json::{parse_string_array, JsonArray};
use crate::text::{is_go_space, is_split_space, trim_space_range};

/// A byte range in the joined line.
pub(crate) type Span = (usize, usize);

/// A value as BuildKit's parser gives it, with its span in the joined line.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    pub text: String,
    pub span: Span,
}

/// A builder flag word: its processed text (quotes and escapes removed, as BuildKit does),
/// the span of the word, and the joined-line offset of every byte of the processed text.
#[derive(Debug, Clone)]
pub(crate) struct FlagWord {
    pub text: String,
    pub span: Span,
    pub map: Vec<usize>,
}

/// One key/value pair of ENV or LABEL.
#[derive(Debug, Clone)]
pub(crate) struct KvPiece {
    pub key: Piece,
    pub value: Piece,
    /// `true` for `key=value`, `false` for the legacy `key value`.
    pub equals: bool,
    pub span: Span,
}

/// What the arguments of a line parsed into.
#[derive(Debug, Clone)]
pub(crate) enum LineArgs {
    /// No arguments (BuildKit's nil node).
    Empty,
    /// A JSON array of strings; `span` covers the array text.
    Exec { items: Vec<Piece>, span: Span },
    /// Shell form: one string, the rest of the line.
    Shell(Piece),
    /// A list of words (whitespace-delimited, or `parseWords` for ARG).
    Words(Vec<Piece>),
    /// A single string (USER, WORKDIR, MAINTAINER, STOPSIGNAL).
    Single(Piece),
    /// ENV / LABEL pairs.
    Pairs(Vec<KvPiece>),
    /// HEALTHCHECK: the type word, then its command.
    Health { kind: Piece, cmd: Box<LineArgs> },
    /// ONBUILD: the nested instruction line.
    Sub(Box<Line>),
    /// An unknown instruction: its arguments are ignored.
    Ignored,
}

/// A parsed instruction line.
#[derive(Debug, Clone)]
pub(crate) struct Line {
    pub keyword: Piece,
    pub flags: Vec<FlagWord>,
    /// The trimmed arguments after the flags.
    pub rest: Span,
    pub args: LineArgs,
    /// BuildKit's parse error for this line, with the span it is about.
    pub error: Option<(String, Span)>,
}

/// ONBUILD triggers nested deeper than this are not parsed (BuildKit rejects any chaining
/// of ONBUILD when it builds; the limit keeps recursion bounded).
const MAX_ONBUILD_DEPTH: usize = 16;

/// Parses `line[start..end]` as BuildKit's `newNodeFromLine` does. Offsets are in `line`;
/// `depth` counts enclosing ONBUILD instructions.
pub(crate) fn parse_line(line: &str, start: usize, end: usize, escape: char, depth: usize) -> Line {
    let part = line.get(start..end).unwrap_or("");
    let (ts, te) = trim_space_range(part);
    let (ts, te) = (start + ts, start + te);
    let trimmed = line.get(ts..te).unwrap_or("");
    let kw_len = trimmed.find(is_split_space).unwrap_or(trimmed.len());
    let keyword = Piece {
        text: trimmed[..kw_len].to_owned(),
        span: (ts, ts + kw_len),
    };
    let mut flags = Vec::new();
    let mut rest = (te, te);
    if kw_len < trimmed.len() {
        let after = &trimmed[kw_len..];
        let skip = after.len() - after.trim_start_matches(is_split_space).len();
        let args_start = ts + kw_len + skip;
        let (args_at, words) = extract_flags(line, args_start, te, escape);
        flags = words;
        let (rs, re) = trim_space_range(line.get(args_at..te).unwrap_or(""));
        rest = (args_at + rs, args_at + re);
    }
    let cmd = keyword.text.to_ascii_lowercase();
    let rest_text = line.get(rest.0..rest.1).unwrap_or("");
    let mut error = None;
    let args = match cmd.as_str() {
        "add" | "copy" | "volume" => maybe_json_to_list(line, rest, &mut error),
        "arg" => LineArgs::Words(parse_words(line, rest, escape)),
        "cmd" | "entrypoint" | "run" | "shell" => maybe_json(line, rest, &mut error),
        "env" | "label" => parse_name_val(line, rest, escape, &cmd.to_uppercase(), &mut error),
        "expose" | "from" => LineArgs::Words(split_whitespace(line, rest)),
        "healthcheck" => parse_health(line, rest, &mut error),
        "maintainer" | "stopsignal" | "user" | "workdir" => {
            if rest_text.is_empty() {
                LineArgs::Empty
            } else {
                LineArgs::Single(piece(line, rest))
            }
        }
        "onbuild" => {
            if rest_text.is_empty() {
                LineArgs::Empty
            } else if depth >= MAX_ONBUILD_DEPTH {
                error = Some(("ONBUILD triggers are nested too deeply".into(), rest));
                LineArgs::Ignored
            } else {
                let sub = parse_line(line, rest.0, rest.1, escape, depth + 1);
                if error.is_none() {
                    error.clone_from(&sub.error);
                }
                LineArgs::Sub(Box::new(sub))
            }
        }
        _ => LineArgs::Ignored,
    };
    Line {
        keyword,
        flags,
        rest,
        args,
        error,
    }
}

fn piece(line: &str, span: Span) -> Piece {
    Piece {
        text: line.get(span.0..span.1).unwrap_or("").to_owned(),
        span,
    }
}

/// `extractBuilderFlags`: byte-wise, like BuildKit. Returns where the arguments start and
/// the flag words (a `--` word ends the flags and is not one).
fn extract_flags(line: &str, start: usize, end: usize, escape: char) -> (usize, Vec<FlagWord>) {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let b = line.as_bytes();
    let esc = escape as u8;
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut text: Vec<u8> = Vec::new();
    let mut map: Vec<usize> = Vec::new();
    let mut word_start = start;
    let mut quote = 0u8;
    let mut blank_ok = false;
    let is_space = |c: u8| c.is_ascii_whitespace() || c == 0x0b;
    let finish = |text: &mut Vec<u8>, map: &mut Vec<usize>, span: Span| {
        // Flag words are ASCII in practice; BuildKit builds them byte by byte, so any
        // non-ASCII byte sequence is kept as the UTF-8 text it came from.
        let s = String::from_utf8_lossy(text).into_owned();
        let m = std::mem::take(map);
        text.clear();
        FlagWord {
            text: s,
            span,
            map: m,
        }
    };
    let mut pos = start;
    while pos <= end {
        let ch = if pos < end {
            b.get(pos).copied().unwrap_or(b' ')
        } else {
            0
        };
        if phase == Phase::Spaces {
            if pos == end {
                break;
            }
            if is_space(ch) {
                pos += 1;
                continue;
            }
            if ch != b'-' || pos + 1 == end || b.get(pos + 1) != Some(&b'-') {
                return (pos, words);
            }
            phase = Phase::Word;
            word_start = pos;
        }
        if pos == end {
            let is_dashdash = text == b"--";
            if !is_dashdash && (blank_ok || !text.is_empty()) {
                words.push(finish(&mut text, &mut map, (word_start, pos)));
            }
            break;
        }
        if phase == Phase::Word {
            if is_space(ch) {
                phase = Phase::Spaces;
                if text == b"--" {
                    return (pos, words);
                }
                if blank_ok || !text.is_empty() {
                    words.push(finish(&mut text, &mut map, (word_start, pos)));
                }
                text.clear();
                map.clear();
                blank_ok = false;
                pos += 1;
                continue;
            }
            if ch == b'\'' || ch == b'"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
                pos += 1;
                continue;
            }
            let mut at = pos;
            if ch == esc {
                if pos + 1 == end {
                    pos += 1;
                    continue;
                }
                at = pos + 1;
            }
            text.push(b.get(at).copied().unwrap_or(b' '));
            map.push(at);
            pos = at + 1;
            continue;
        }
        // Phase::Quote
        if ch == quote {
            phase = Phase::Word;
            pos += 1;
            continue;
        }
        let mut at = pos;
        if ch == esc {
            if pos + 1 == end {
                phase = Phase::Word;
                pos += 1;
                continue;
            }
            at = pos + 1;
        }
        text.push(b.get(at).copied().unwrap_or(b' '));
        map.push(at);
        pos = at + 1;
    }
    (end, words)
}

/// `parseWords`: words split on whitespace outside quotes; quotes and escapes are kept.
pub(crate) fn parse_words(line: &str, span: Span, escape: char) -> Vec<Piece> {
    #[derive(PartialEq)]
    enum Phase {
        Spaces,
        Word,
        Quote,
    }
    let rest = line.get(span.0..span.1).unwrap_or("");
    let chars: Vec<(usize, char)> = rest.char_indices().collect();
    let mut words = Vec::new();
    let mut phase = Phase::Spaces;
    let mut quote = '\0';
    let mut blank_ok = false;
    let mut text = String::new();
    let mut word_start = 0;
    let mut i = 0;
    let at = |i: usize| chars.get(i).map_or(rest.len(), |c| c.0);
    loop {
        let done = i >= chars.len();
        let ch = chars.get(i).map_or('\0', |c| c.1);
        if phase == Phase::Spaces {
            if done {
                break;
            }
            if is_go_space(ch) {
                i += 1;
                continue;
            }
            phase = Phase::Word;
            word_start = at(i);
        }
        if done {
            if blank_ok || !text.is_empty() {
                words.push(Piece {
                    text: std::mem::take(&mut text),
                    span: (span.0 + word_start, span.0 + rest.len()),
                });
            }
            break;
        }
        if phase == Phase::Word {
            if is_go_space(ch) {
                phase = Phase::Spaces;
                if blank_ok || !text.is_empty() {
                    words.push(Piece {
                        text: std::mem::take(&mut text),
                        span: (span.0 + word_start, span.0 + at(i)),
                    });
                }
                text.clear();
                blank_ok = false;
                i += 1;
                continue;
            }
            let mut ch = ch;
            if ch == '\'' || ch == '"' {
                quote = ch;
                blank_ok = true;
                phase = Phase::Quote;
            }
            if ch == escape {
                if i + 1 == chars.len() {
                    i += 1;
                    continue;
                }
                text.push(ch);
                i += 1;
                ch = chars.get(i).map_or('\0', |c| c.1);
            }
            text.push(ch);
            i += 1;
            continue;
        }
        // Phase::Quote
        let mut ch = ch;
        if ch == quote {
            phase = Phase::Word;
        }
        if ch == escape && quote != '\'' {
            if i + 1 == chars.len() {
                phase = Phase::Word;
                i += 1;
                continue;
            }
            i += 1;
            text.push(ch);
            ch = chars.get(i).map_or('\0', |c| c.1);
        }
        text.push(ch);
        i += 1;
    }
    words
}

/// `parseStringsWhitespaceDelimited`: Go's `regexp.Split` on `[\t\v\f\r ]+`.
fn split_whitespace(line: &str, span: Span) -> Vec<Piece> {
    let rest = line.get(span.0..span.1).unwrap_or("");
    if rest.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = rest.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if is_split_space(c) {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if !is_split_space(d) {
                    break;
                }
                end = j + d.len_utf8();
                iter.next();
            }
            out.push(piece(line, (span.0 + start, span.0 + i)));
            start = end;
        }
    }
    out.push(piece(line, (span.0 + start, span.0 + rest.len())));
    out
}

const NOT_STRINGS: &str = "when using JSON array syntax, arrays must be comprised of strings only";

fn json(line: &str, span: Span) -> JsonArray {
    parse_string_array(line.get(span.0..span.1).unwrap_or(""))
}

fn exec_items(items: Vec<(String, usize, usize)>, span: Span) -> LineArgs {
    let items = items
        .into_iter()
        .map(|(text, s, e)| Piece {
            text,
            span: (span.0 + s, span.0 + e),
        })
        .collect();
    LineArgs::Exec { items, span }
}

fn maybe_json(line: &str, span: Span, error: &mut Option<(String, Span)>) -> LineArgs {
    if span.0 == span.1 {
        return LineArgs::Empty;
    }
    match json(line, span) {
        JsonArray::Strings(items) => exec_items(items, span),
        JsonArray::NotStrings => {
            *error = Some((NOT_STRINGS.into(), span));
            LineArgs::Empty
        }
        JsonArray::Invalid => LineArgs::Shell(piece(line, span)),
    }
}

fn maybe_json_to_list(line: &str, span: Span, error: &mut Option<(String, Span)>) -> LineArgs {
    match json(line, span) {
        JsonArray::Strings(items) => exec_items(items, span),
        JsonArray::NotStrings => {
            *error = Some((NOT_STRINGS.into(), span));
            LineArgs::Empty
        }
        JsonArray::Invalid => LineArgs::Words(split_whitespace(line, span)),
    }
}

fn parse_name_val(
    line: &str,
    span: Span,
    escape: char,
    key: &str,
    error: &mut Option<(String, Span)>,
) -> LineArgs {
    let words = parse_words(line, span, escape);
    let Some(first) = words.first() else {
        return LineArgs::Empty;
    };
    if !first.text.contains('=') {
        // Legacy form: the first whitespace run splits the key from the value.
        let rest = line.get(span.0..span.1).unwrap_or("");
        let Some(k_end) = rest.find(is_split_space) else {
            *error = Some((format!("{key} must have two arguments"), span));
            return LineArgs::Empty;
        };
        let after = &rest[k_end..];
        let v_start = k_end + (after.len() - after.trim_start_matches(is_split_space).len());
        let key = piece(line, (span.0, span.0 + k_end));
        let value = piece(line, (span.0 + v_start, span.1));
        return LineArgs::Pairs(vec![KvPiece {
            key,
            value,
            equals: false,
            span,
        }]);
    }
    let mut pairs = Vec::new();
    for word in words {
        let Some(eq) = word.text.find('=') else {
            *error = Some((
                format!(
                    "Syntax error - can't find = in {}. Must be of the form: name=value",
                    crate::text::go_quote(&word.text)
                ),
                word.span,
            ));
            return LineArgs::Pairs(pairs);
        };
        let (ws, we) = word.span;
        let key = Piece {
            text: word.text[..eq].to_owned(),
            span: (ws, ws + eq),
        };
        let value = Piece {
            text: word.text[eq + 1..].to_owned(),
            span: ((ws + eq + 1).min(we), we),
        };
        pairs.push(KvPiece {
            key,
            value,
            equals: true,
            span: word.span,
        });
    }
    LineArgs::Pairs(pairs)
}

fn parse_health(line: &str, span: Span, error: &mut Option<(String, Span)>) -> LineArgs {
    let rest = line.get(span.0..span.1).unwrap_or("");
    let sep = rest.find(is_go_space).unwrap_or(rest.len());
    if sep == 0 {
        return LineArgs::Empty;
    }
    let after = &rest[sep..];
    let next = sep + (after.len() - after.trim_start_matches(is_go_space).len());
    let kind = piece(line, (span.0, span.0 + sep));
    let cmd = maybe_json(line, (span.0 + next, span.1), error);
    LineArgs::Health {
        kind,
        cmd: Box::new(cmd),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(v: &[Piece]) -> Vec<&str> {
        v.iter().map(|p| p.text.as_str()).collect()
    }

    #[test]
    fn words_like_buildkit() {
        let w = |s: &str| {
            parse_words(s, (0, s.len()), '\\')
                .into_iter()
                .map(|p| p.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(w("foo"), ["foo"]);
        assert_eq!(w("foo bar"), ["foo", "bar"]);
        assert_eq!(w("foo\\ bar"), ["foo\\ bar"]);
        assert_eq!(w("foo bar 'abc xyz'"), ["foo", "bar", "'abc xyz'"]);
        assert_eq!(w("föo bàr \"âbc xÿz\""), ["föo", "bàr", "\"âbc xÿz\""]);
    }

    #[test]
    fn flags_and_rest() {
        let s = "COPY --from=a --chown=\"x y\" src dst";
        let l = parse_line(s, 0, s.len(), '\\', 0);
        let f: Vec<_> = l.flags.iter().map(|f| f.text.as_str()).collect();
        assert_eq!(f, ["--from=a", "--chown=x y"]);
        assert_eq!(&s[l.rest.0..l.rest.1], "src dst");
        match l.args {
            LineArgs::Words(w) => assert_eq!(texts(&w), ["src", "dst"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn dashdash_ends_flags() {
        let s = "RUN --network=none -- --not-a-flag";
        let l = parse_line(s, 0, s.len(), '\\', 0);
        assert_eq!(l.flags.len(), 1);
        assert_eq!(&s[l.rest.0..l.rest.1], "--not-a-flag");
    }

    #[test]
    fn env_forms() {
        let s = "ENV a=1 b=\"2 3\"";
        let l = parse_line(s, 0, s.len(), '\\', 0);
        let LineArgs::Pairs(p) = l.args else { panic!() };
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].value.text, "\"2 3\"");
        let s = "ENV PATH";
        assert!(parse_line(s, 0, s.len(), '\\', 0).error.is_some());
    }
}
