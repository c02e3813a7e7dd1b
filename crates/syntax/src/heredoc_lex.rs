//! The subset of BuildKit's shell lexer (`shell.Lex.ProcessWords` with no variables set
//! and unset variables kept as written) that the parser uses to find heredoc markers.

/// A word found by the lexer, with its byte range in the lexed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LexWord {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Lexer state. The word buffer is shared across nested `${...}` processing, exactly as in
/// BuildKit (a nested expansion resets it), so marker detection matches in odd cases too.
struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    raw_quotes: bool,
    raw_escapes: bool,
    buf: String,
    buf_start: usize,
}

const ESCAPE: char = '\\';

struct Words {
    words: Vec<LexWord>,
    in_word: bool,
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn add_raw_char(&mut self, words: &mut Words, ch: char, item_start: usize) {
        if self.buf.is_empty() {
            self.buf_start = item_start;
        }
        self.buf.push(ch);
        words.in_word = true;
    }

    fn add_char(&mut self, words: &mut Words, ch: char, item_start: usize) {
        if ch.is_whitespace() {
            if words.in_word && !self.buf.is_empty() {
                self.flush(words, item_start);
                words.in_word = false;
            }
        } else {
            self.add_raw_char(words, ch, item_start);
        }
    }

    fn add_raw_string(&mut self, words: &mut Words, s: &str, item_start: usize) {
        if self.buf.is_empty() && !s.is_empty() {
            self.buf_start = item_start;
        }
        self.buf.push_str(s);
        words.in_word = true;
    }

    fn flush(&mut self, words: &mut Words, end: usize) {
        words.words.push(LexWord {
            text: std::mem::take(&mut self.buf),
            start: self.buf_start,
            end,
        });
    }

    fn get_words(&mut self, mut words: Words) -> Vec<LexWord> {
        if !self.buf.is_empty() {
            let end = self.pos;
            self.flush(&mut words, end);
        }
        words.words
    }

    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<LexWord>), String> {
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let out = self.stop_on_inner(stop);
        self.raw_escapes = saved;
        out
    }

    fn stop_on_inner(&mut self, stop: Option<char>) -> Result<(String, Vec<LexWord>), String> {
        let mut result = String::new();
        self.buf.clear();
        let mut words = Words {
            words: Vec::new(),
            in_word: false,
        };
        while let Some(ch) = self.peek() {
            let item_start = self.pos;
            if stop == Some(ch) {
                self.next();
                return Ok((result, self.get_words(words)));
            }
            match ch {
                '$' => {
                    let tmp = self.process_dollar()?;
                    result.push_str(&tmp);
                    for c in tmp.chars() {
                        self.add_char(&mut words, c, item_start);
                    }
                }
                '<' => {
                    let tmp = self.possible_heredoc();
                    result.push_str(&tmp);
                    self.add_raw_string(&mut words, &tmp, item_start);
                }
                '\'' => {
                    let tmp = self.single_quote()?;
                    result.push_str(&tmp);
                    self.add_raw_string(&mut words, &tmp, item_start);
                }
                '"' => {
                    let tmp = self.double_quote()?;
                    result.push_str(&tmp);
                    self.add_raw_string(&mut words, &tmp, item_start);
                }
                _ => {
                    self.next();
                    if ch == ESCAPE {
                        if self.raw_escapes {
                            self.add_raw_char(&mut words, ch, item_start);
                            result.push(ch);
                        }
                        let Some(escaped) = self.next() else { break };
                        self.add_raw_char(&mut words, escaped, item_start);
                        result.push(escaped);
                    } else {
                        self.add_char(&mut words, ch, item_start);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(format!(
                "unexpected end of statement while looking for matching {stop}"
            ));
        }
        Ok((result, self.get_words(words)))
    }

    fn single_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let open = self.next();
        if self.raw_quotes {
            out.extend(open);
        }
        loop {
            match self.next() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching single-quote"
                            .into(),
                    )
                }
                Some('\'') => {
                    if self.raw_quotes {
                        out.push('\'');
                    }
                    return Ok(out);
                }
                Some(c) => out.push(c),
            }
        }
    }

    fn double_quote(&mut self) -> Result<String, String> {
        let mut out = String::new();
        let open = self.next();
        if self.raw_quotes {
            out.extend(open);
        }
        loop {
            match self.peek() {
                None => {
                    return Err(
                        "unexpected end of statement while looking for matching double-quote"
                            .into(),
                    )
                }
                Some('"') => {
                    self.next();
                    if self.raw_quotes {
                        out.push('"');
                    }
                    return Ok(out);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    out.push_str(&value);
                }
                Some(_) => {
                    let mut ch = self.next().unwrap_or(ESCAPE);
                    if ch == ESCAPE {
                        if self.raw_escapes {
                            out.push(ch);
                        }
                        match self.peek() {
                            None => continue,
                            Some('"' | '$' | ESCAPE) => ch = self.next().unwrap_or(ESCAPE),
                            Some(_) => {}
                        }
                    }
                    out.push(ch);
                }
            }
        }
    }

    fn process_dollar(&mut self) -> Result<String, String> {
        self.next();
        if self.peek() != Some('{') {
            let name = self.process_name();
            return Ok(format!("${name}"));
        }
        self.next();
        match self.peek() {
            None => return Err("syntax error: missing '}'".into()),
            Some('{' | '}' | ':') => return Err("syntax error: bad substitution".into()),
            Some(_) => {}
        }
        let name = self.process_name();
        let ch = self.next();
        let mut chs = String::from(ch.unwrap_or('\u{fffd}'));
        let mut modifier = ch;
        let mut null_is_unset = false;
        match ch {
            Some('}') => return Ok(format!("${{{name}}}")),
            Some(':') => {
                null_is_unset = true;
                modifier = self.next();
                chs.push(modifier.unwrap_or('\u{fffd}'));
            }
            Some('+' | '-' | '?' | '#' | '%') => {}
            Some('/') => {
                if self.peek() == Some('/') {
                    self.next();
                }
                let (pattern, _) = self.stop_on_or_missing('/', true, "'/' in ${}")?;
                let (replacement, _) = self.stop_on_or_missing('}', true, "'}'")?;
                return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
            }
            _ => return Err(format!("unsupported modifier ({chs}) in substitution")),
        }
        let raw = matches!(modifier, Some('#' | '%'));
        if null_is_unset && raw {
            return Err(format!("unsupported modifier ({chs}) in substitution"));
        }
        let (word, _) = self.stop_on_or_missing('}', raw, "'}'")?;
        Ok(format!("${{{name}{chs}{word}}}"))
    }

    fn stop_on_or_missing(
        &mut self,
        stop: char,
        raw: bool,
        what: &str,
    ) -> Result<(String, Vec<LexWord>), String> {
        self.process_stop_on(Some(stop), raw).map_err(|err| {
            if self.peek().is_none() {
                format!("syntax error: missing {what}")
            } else {
                err
            }
        })
    }

    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.peek().filter(|&d| is_digit(d)) {
                    self.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0') {
                self.next();
                return ch.to_string();
            }
            if !ch.is_alphabetic() && !is_digit(ch) && ch != '_' {
                break;
            }
            self.next();
            name.push(ch);
        }
        name
    }

    fn possible_heredoc(&mut self) -> String {
        self.next();
        if self.peek() != Some('<') {
            return "<".into();
        }
        self.next();
        let mut out = String::from("<<");
        while let Some(ch) = self.peek().filter(|c| matches!(c, '\t' | '\r' | ' ')) {
            out.push(ch);
            self.next();
        }
        out
    }
}

/// Go's `unicode.IsDigit` (decimal digits of any script).
fn is_digit(ch: char) -> bool {
    ch.is_ascii_digit() || (!ch.is_ascii() && ch.is_numeric())
}

/// Splits `src` into words as BuildKit's lexer does (escape `\`, no variables set).
pub(crate) fn lex_words(
    src: &str,
    raw_quotes: bool,
    raw_escapes: bool,
) -> Result<Vec<LexWord>, String> {
    let mut lexer = Lexer {
        src,
        pos: 0,
        raw_quotes,
        raw_escapes,
        buf: String::new(),
        buf_start: 0,
    };
    lexer
        .process_stop_on(None, raw_escapes)
        .map(|(_, words)| words)
}

/// A heredoc marker recognised in a word: `[fd]<<[-]name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MarkerWord {
    pub name: String,
    pub expand: bool,
    pub chomp: bool,
    pub fd: Option<u32>,
}

/// BuildKit's `ParseHeredoc`: `^(\d*)<<(-?)\s*([^<]*)$` then a check that the rest is one
/// shell word, and whether any part of it is quoted.
pub(crate) fn parse_marker(word: &str) -> Result<Option<MarkerWord>, String> {
    let digits = word.len() - word.trim_start_matches(|c: char| c.is_ascii_digit()).len();
    let Some(after) = word.get(digits..).and_then(|w| w.strip_prefix("<<")) else {
        return Ok(None);
    };
    let (chomp, after) = match after.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, after),
    };
    let rest = after.trim_start_matches(['\t', '\n', '\u{c}', '\r', ' ']);
    if rest.contains('<') || rest.is_empty() {
        return Ok(None);
    }
    let fd = word.get(..digits).and_then(|d| d.parse::<u32>().ok());
    let words = lex_words(rest, false, false)?;
    let [word] = words.as_slice() else {
        return Ok(None);
    };
    let raw = lex_words(rest, true, false)?;
    let [raw_word] = raw.as_slice() else {
        return Err(format!(
            "internal lexing of heredoc produced inconsistent results: {rest}"
        ));
    };
    let quotes = |s: &str| s.chars().filter(|&c| c == '\'' || c == '"').count();
    Ok(Some(MarkerWord {
        name: word.text.clone(),
        expand: quotes(&word.text) == quotes(&raw_word.text),
        chomp,
        fd,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<String> {
        lex_words(src, true, true)
            .unwrap_or_default()
            .into_iter()
            .map(|w| w.text)
            .collect()
    }

    #[test]
    fn words_keep_quotes_and_heredoc_space() {
        assert_eq!(texts("RUN <<EOF <<-EOF2"), ["RUN", "<<EOF", "<<-EOF2"]);
        assert_eq!(texts("RUN <<  EOF  > foo"), ["RUN", "<<  EOF", ">", "foo"]);
        assert_eq!(texts(r#"RUN "<<EOF" x"#), ["RUN", "\"<<EOF\"", "x"]);
        assert!(lex_words("RUN 'abc", true, true).is_err());
    }

    #[test]
    fn word_ranges() {
        let words = lex_words("ab  'c d' e", true, true).unwrap_or_default();
        let ranges: Vec<_> = words.iter().map(|w| (w.start, w.end)).collect();
        assert_eq!(ranges, [(0, 2), (4, 9), (10, 11)]);
    }

    #[test]
    fn markers() {
        let m = |s: &str| {
            parse_marker(s)
                .ok()
                .flatten()
                .map(|m| (m.name, m.expand, m.chomp))
        };
        for ok in [
            "<<EOF",
            "<<'EOF'",
            "<<\"EOF\"",
            "<<-EOF",
            "<<-'EOF'",
            "<<-\"EOF\"",
            "<<EO\"F\"",
            "<< EOF",
            "<<- EOF",
        ] {
            assert_eq!(m(ok).map(|x| x.0), Some("EOF".to_owned()), "{ok}");
        }
        for not in ["", "EOF", "<<", "<<-", "<EOF", "<<<EOF", "<<EOF sh"] {
            assert_eq!(m(not), None, "{not}");
        }
        for bad in ["<<'EOF", "<<\"EOF", "<<EOF'", "<<EOF\""] {
            assert!(parse_marker(bad).is_err(), "{bad}");
        }
        assert_eq!(m("<<eo'f'"), Some(("eof".into(), false, false)));
        assert_eq!(m("<<eo\\'f"), Some(("eo'f".into(), true, false)));
        assert_eq!(m("<<'e'o\\'f"), Some(("eo'f".into(), false, false)));
        assert_eq!(m("<<$EOF"), Some(("$EOF".into(), true, false)));
        assert_eq!(
            parse_marker("3<<X").ok().flatten().and_then(|x| x.fd),
            Some(3)
        );
    }
}
