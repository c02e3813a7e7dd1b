//! Variable expansion as BuildKit's shell lexer does it.
//!
//! BuildKit expands `$NAME` and `${NAME...}` in the arguments of some instructions (see
//! [`instruction_expansion`]) before it runs them. The rules here follow BuildKit's
//! `frontend/dockerfile/shell` lexer: quotes, the Dockerfile's escape character, the
//! `${NAME:-word}` family of modifiers, glob patterns in `#`, `%` and `/` modifiers, and how
//! an expanded argument splits into words. Nothing here panics, whatever the input.

mod env;
mod glob;
mod instructions;

use std::fmt;
use std::ops::Range;

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

pub use env::{Env, Lookup};
use glob::{first_match, replace_all_matches, trim_prefix, trim_suffix, Glob};
pub use instructions::{instruction_expansion, ArgumentExpansion, InstructionExpansion};
/// One variable that an expansion looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef {
    /// The variable's name (`1`, `@` and the like for positional and special parameters).
    pub name: String,
    /// Bytes of the word covering the whole reference: `$NAME` or `${NAME...}`.
    pub span: Range<usize>,
    /// Whether the variable was set when it was looked up.
    pub set: bool,
}

/// The result of expanding a word.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expansion {
    /// The expanded word, quotes and escapes removed, spaces kept.
    pub value: String,
    /// The expanded word split into words as BuildKit's `ProcessWords` splits it (used for
    /// `EXPOSE`): unquoted whitespace, including whitespace that came from a variable's
    /// value, separates words.
    pub words: Vec<String>,
    /// Every variable looked up, in lookup order (a default's variables come before the
    /// variable they default). Variables in a default are looked up even when the default
    /// is not used, as BuildKit does.
    pub references: Vec<VarRef>,
}

impl Expansion {
    /// The names that were set when looked up, each once, in lookup order.
    pub fn matched(&self) -> Vec<&str> {
        self.names_where(true)
    }

    /// The names that were not set when looked up, each once, in lookup order.
    pub fn unset(&self) -> Vec<&str> {
        self.names_where(false)
    }

    fn names_where(&self, set: bool) -> Vec<&str> {
        let mut names: Vec<&str> = Vec::new();
        for r in self.references.iter().filter(|r| r.set == set) {
            if !names.contains(&r.name.as_str()) {
                names.push(&r.name);
            }
        }
        names
    }
}

/// Why a word could not be expanded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpandError {
    /// What is wrong, worded as BuildKit words it.
    pub message: String,
    /// Byte offset into the word where the problem is.
    pub offset: usize,
}

impl ExpandError {
    fn new(message: impl Into<String>, offset: usize) -> Self {
        Self {
            message: message.into(),
            offset,
        }
    }
}

impl fmt::Display for ExpandError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExpandError {}

/// Expands `word` with BuildKit's rules, `escape` being the Dockerfile's escape character
/// (`\` unless an `# escape=` directive says `` ` ``).
pub fn expand_word<L: Lookup + ?Sized>(
    word: &str,
    env: &L,
    escape: char,
) -> Result<Expansion, ExpandError> {
    Lexer::new(escape).expand(word, env)
}

/// Expands `word` and splits it into words, as BuildKit's `ProcessWords` does.
pub fn expand_words<L: Lookup + ?Sized>(
    word: &str,
    env: &L,
    escape: char,
) -> Result<Vec<String>, ExpandError> {
    Lexer::new(escape).expand(word, env).map(|e| e.words)
}

/// BuildKit's shell lexer with its options; [`expand_word`] uses the defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lexer {
    escape: char,
    raw_quotes: bool,
    raw_escapes: bool,
    skip_process_quotes: bool,
    skip_unset: bool,
}

impl Lexer {
    /// A lexer that removes quotes and escapes and expands every variable.
    pub fn new(escape: char) -> Self {
        Self {
            escape,
            raw_quotes: false,
            raw_escapes: false,
            skip_process_quotes: false,
            skip_unset: false,
        }
    }

    /// The lexer BuildKit uses for the bodies of `COPY`/`ADD` heredocs whose delimiter is
    /// not quoted: quotes are plain characters and the escape character is always `\`.
    pub fn heredoc_body() -> Self {
        Self::new('\\').skip_process_quotes(true)
    }

    /// Keep quote characters in the output (they still group words).
    pub fn raw_quotes(mut self, on: bool) -> Self {
        self.raw_quotes = on;
        self
    }

    /// Keep escape characters in the output.
    pub fn raw_escapes(mut self, on: bool) -> Self {
        self.raw_escapes = on;
        self
    }

    /// Treat `'` and `"` as plain characters.
    pub fn skip_process_quotes(mut self, on: bool) -> Self {
        self.skip_process_quotes = on;
        self
    }

    /// Leave references to unset variables as written instead of expanding them to nothing.
    pub fn skip_unset(mut self, on: bool) -> Self {
        self.skip_unset = on;
        self
    }

    /// Expands `word`, giving both the expanded value and its split words.
    pub fn expand<L: Lookup + ?Sized>(
        &self,
        word: &str,
        env: &L,
    ) -> Result<Expansion, ExpandError> {
        let mut state = ShellWord {
            lexer: *self,
            scanner: Scanner::new(word),
            env,
            raw_escapes: self.raw_escapes,
            words_buf: String::new(),
            references: Vec::new(),
        };
        let (value, words) = state.process_stop_on(None, self.raw_escapes)?;
        Ok(Expansion {
            value,
            words,
            references: state.references,
        })
    }
}

/// Reads a word one character at a time; like Go's `text/scanner`, a byte order mark at
/// the very start is skipped.
struct Scanner<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str) -> Self {
        let pos = if src.starts_with('\u{feff}') {
            '\u{feff}'.len_utf8()
        } else {
            0
        };
        Self { src, pos }
    }

    fn peek(&self) -> Option<char> {
        self.src
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
    }

    fn next(&mut self) -> Option<char> {
        let ch = self.peek()?;
        self.pos += ch.len_utf8();
        Some(ch)
    }

    fn at_end(&self) -> bool {
        self.peek().is_none()
    }
}

/// Go's `unicode.IsSpace`.
fn is_space(ch: char) -> bool {
    ch.is_whitespace()
}

/// Go's `unicode.IsLetter`: general category L.
fn is_letter(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_alphabetic();
    }
    ch.general_category_group() == GeneralCategoryGroup::Letter
}

/// Go's `unicode.IsDigit`: general category Nd.
fn is_digit(ch: char) -> bool {
    if ch.is_ascii() {
        return ch.is_ascii_digit();
    }
    ch.general_category() == GeneralCategory::DecimalNumber
}

/// POSIX special parameters (`$@`, `$#`, ...); never set in a Dockerfile.
fn is_special_param(ch: char) -> bool {
    matches!(ch, '@' | '*' | '#' | '?' | '-' | '$' | '!' | '0')
}

/// Go prints a missing character (end of input) as U+FFFD.
fn char_or_replacement(ch: Option<char>) -> char {
    ch.unwrap_or('\u{fffd}')
}

/// Words being split out of one (possibly nested) word.
#[derive(Default)]
struct Words {
    words: Vec<String>,
    in_word: bool,
}

impl Words {
    fn add_char(&mut self, buf: &mut String, ch: char) {
        if is_space(ch) {
            if self.in_word && !buf.is_empty() {
                self.words.push(std::mem::take(buf));
                self.in_word = false;
            }
        } else {
            self.add_raw_char(buf, ch);
        }
    }

    fn add_raw_char(&mut self, buf: &mut String, ch: char) {
        buf.push(ch);
        self.in_word = true;
    }

    fn add_str(&mut self, buf: &mut String, s: &str) {
        for ch in s.chars() {
            self.add_char(buf, ch);
        }
    }

    fn add_raw_str(&mut self, buf: &mut String, s: &str) {
        buf.push_str(s);
        self.in_word = true;
    }

    fn finish(mut self, buf: &mut String) -> Vec<String> {
        if !buf.is_empty() {
            self.words.push(std::mem::take(buf));
        }
        self.words
    }
}

struct ShellWord<'a, 'e, L: ?Sized> {
    lexer: Lexer,
    scanner: Scanner<'a>,
    env: &'e L,
    raw_escapes: bool,
    /// BuildKit shares one buffer for the word being split between a `${NAME<op>word}`
    /// and the word around it, so text gathered before such an expansion is dropped from
    /// the split words (not from the expanded value). Sharing it here gives the same words.
    words_buf: String,
    references: Vec<VarRef>,
}

impl<L: Lookup + ?Sized> ShellWord<'_, '_, L> {
    /// Processes characters up to `stop` (consumed) or the end of the word.
    fn process_stop_on(
        &mut self,
        stop: Option<char>,
        raw_escapes: bool,
    ) -> Result<(String, Vec<String>), ExpandError> {
        let saved = self.raw_escapes;
        self.raw_escapes = raw_escapes;
        let out = self.process_stop_on_inner(stop);
        self.raw_escapes = saved;
        out
    }

    fn process_stop_on_inner(
        &mut self,
        stop: Option<char>,
    ) -> Result<(String, Vec<String>), ExpandError> {
        let mut result = String::new();
        self.words_buf.clear();
        let mut words = Words::default();
        let quotes = !self.lexer.skip_process_quotes;

        while let Some(ch) = self.scanner.peek() {
            if Some(ch) == stop {
                self.scanner.next();
                return Ok((result, words.finish(&mut self.words_buf)));
            }
            match ch {
                '$' => {
                    let tmp = self.process_dollar()?;
                    result.push_str(&tmp);
                    words.add_str(&mut self.words_buf, &tmp);
                }
                '<' => {
                    let tmp = self.process_possible_heredoc();
                    result.push_str(&tmp);
                    words.add_raw_str(&mut self.words_buf, &tmp);
                }
                '\'' if quotes => {
                    let tmp = self.process_single_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_str(&mut self.words_buf, &tmp);
                }
                '"' if quotes => {
                    let tmp = self.process_double_quote()?;
                    result.push_str(&tmp);
                    words.add_raw_str(&mut self.words_buf, &tmp);
                }
                _ => {
                    self.scanner.next();
                    if ch == self.lexer.escape {
                        if self.raw_escapes {
                            words.add_raw_char(&mut self.words_buf, ch);
                            result.push(ch);
                        }
                        // The escape character escapes anything; at the end it vanishes.
                        let Some(escaped) = self.scanner.next() else {
                            break;
                        };
                        words.add_raw_char(&mut self.words_buf, escaped);
                        result.push(escaped);
                    } else {
                        words.add_char(&mut self.words_buf, ch);
                        result.push(ch);
                    }
                }
            }
        }
        if let Some(stop) = stop {
            return Err(ExpandError::new(
                format!("unexpected end of statement while looking for matching {stop}"),
                self.scanner.pos,
            ));
        }
        Ok((result, words.finish(&mut self.words_buf)))
    }

    /// Consumes an opening quote: where it stood, and the result so far (the quote itself
    /// when quotes are kept raw).
    fn open_quote(&mut self) -> (usize, String) {
        let start = self.scanner.pos;
        let mut result = String::new();
        if let Some(open) = self.scanner.next() {
            if self.lexer.raw_quotes {
                result.push(open);
            }
        }
        (start, result)
    }

    fn process_single_quote(&mut self) -> Result<String, ExpandError> {
        let (start, mut result) = self.open_quote();
        loop {
            match self.scanner.next() {
                None => {
                    return Err(ExpandError::new(
                        "unexpected end of statement while looking for matching single-quote",
                        start,
                    ))
                }
                Some('\'') => {
                    if self.lexer.raw_quotes {
                        result.push('\'');
                    }
                    return Ok(result);
                }
                Some(ch) => result.push(ch),
            }
        }
    }

    fn process_double_quote(&mut self) -> Result<String, ExpandError> {
        let (start, mut result) = self.open_quote();
        loop {
            match self.scanner.peek() {
                None => {
                    return Err(ExpandError::new(
                        "unexpected end of statement while looking for matching double-quote",
                        start,
                    ))
                }
                Some('"') => {
                    self.scanner.next();
                    if self.lexer.raw_quotes {
                        result.push('"');
                    }
                    return Ok(result);
                }
                Some('$') => {
                    let value = self.process_dollar()?;
                    result.push_str(&value);
                }
                Some(_) => {
                    let Some(mut ch) = self.scanner.next() else {
                        continue;
                    };
                    if ch == self.lexer.escape {
                        if self.raw_escapes {
                            result.push(ch);
                        }
                        match self.scanner.peek() {
                            // An escape at the very end is dropped; the quote is unclosed.
                            None => continue,
                            // Only these can be escaped; other escapes stay as written.
                            Some(next)
                                if next == '"' || next == '$' || next == self.lexer.escape =>
                            {
                                self.scanner.next();
                                ch = next;
                            }
                            Some(_) => {}
                        }
                    }
                    result.push(ch);
                }
            }
        }
    }

    fn process_dollar(&mut self) -> Result<String, ExpandError> {
        let start = self.scanner.pos;
        self.scanner.next();

        if self.scanner.peek() != Some('{') {
            let name = self.process_name();
            if name.is_empty() {
                return Ok("$".to_string());
            }
            return Ok(match self.get_env(&name, start) {
                Some(value) => value,
                None if self.lexer.skip_unset => format!("${name}"),
                None => String::new(),
            });
        }

        self.scanner.next();
        match self.scanner.peek() {
            None => return Err(missing_brace(self.scanner.pos)),
            Some('{' | '}' | ':') => {
                return Err(ExpandError::new("syntax error: bad substitution", start))
            }
            Some(_) => {}
        }
        let name = self.process_name();
        let modifier_at = self.scanner.pos;
        let ch = self.scanner.next();
        let mut chs = char_or_replacement(ch).to_string();

        match ch {
            None => Err(missing_brace(self.scanner.pos)),
            Some('}') => Ok(match self.get_env(&name, start) {
                Some(value) => value,
                None if self.lexer.skip_unset => format!("${{{name}}}"),
                None => String::new(),
            }),
            Some(':' | '+' | '-' | '?' | '#' | '%') => {
                let null_is_unset = ch == Some(':');
                let op = if null_is_unset {
                    let op = self.scanner.next();
                    chs.push(char_or_replacement(op));
                    op
                } else {
                    ch
                };
                self.process_modifier(&name, op, &chs, null_is_unset, start, modifier_at)
            }
            Some('/') => self.process_replace(&name, start),
            Some(_) => Err(unsupported_modifier(&chs, modifier_at)),
        }
    }

    /// `${NAME<op>word}` and `${NAME:<op>word}` for the `-`, `+`, `?`, `#` and `%` families.
    fn process_modifier(
        &mut self,
        name: &str,
        op: Option<char>,
        chs: &str,
        null_is_unset: bool,
        start: usize,
        modifier_at: usize,
    ) -> Result<String, ExpandError> {
        let pattern_op = matches!(op, Some('#' | '%'));
        if null_is_unset && pattern_op {
            return Err(unsupported_modifier(chs, modifier_at));
        }
        let word = match self.process_stop_on(Some('}'), pattern_op) {
            Ok((word, _)) => word,
            Err(_) if self.scanner.at_end() => return Err(missing_brace(self.scanner.pos)),
            Err(err) => return Err(err),
        };

        let value = self.get_env(name, start);
        if value.is_none() && self.lexer.skip_unset {
            return Ok(format!("${{{name}{chs}{word}}}"));
        }
        self.apply_modifier(name, op, chs, value, word, null_is_unset, start)
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_modifier(
        &self,
        name: &str,
        op: Option<char>,
        chs: &str,
        value: Option<String>,
        word: String,
        null_is_unset: bool,
        start: usize,
    ) -> Result<String, ExpandError> {
        let empty = value.as_deref().is_none_or(str::is_empty);
        let use_default = value.is_none() || (null_is_unset && empty);
        match op {
            Some('-') => Ok(if use_default {
                word
            } else {
                value.unwrap_or_default()
            }),
            Some('+') => Ok(if use_default { String::new() } else { word }),
            Some('?') => match value {
                None => Err(required_error(
                    name,
                    &word,
                    "is not allowed to be unset",
                    start,
                )),
                Some(v) if null_is_unset && v.is_empty() => Err(required_error(
                    name,
                    &word,
                    "is not allowed to be empty",
                    start,
                )),
                Some(v) => Ok(v),
            },
            Some(op @ ('#' | '%')) => {
                // A doubled operator (## or %%) matches the longest pattern.
                let (pattern, greedy) = match word.strip_prefix(op) {
                    Some(rest) => (rest, true),
                    None => (word.as_str(), false),
                };
                let value = value.unwrap_or_default();
                let trimmed = if op == '%' {
                    trim_suffix(pattern, &value, greedy)
                } else {
                    trim_prefix(pattern, &value, greedy)
                };
                trimmed.map_err(|err| {
                    ExpandError::new(
                        format!("invalid pattern ({pattern}) in substitution: {err}"),
                        start,
                    )
                })
            }
            _ => Err(unsupported_modifier(chs, start)),
        }
    }

    /// `${NAME/pattern/replacement}` and `${NAME//pattern/replacement}`.
    fn process_replace(&mut self, name: &str, start: usize) -> Result<String, ExpandError> {
        let replace_all = self.scanner.peek() == Some('/');
        if replace_all {
            self.scanner.next();
        }
        let pattern = match self.process_stop_on(Some('/'), true) {
            Ok((pattern, _)) => pattern,
            Err(_) if self.scanner.at_end() => {
                return Err(ExpandError::new(
                    "syntax error: missing '/' in ${}",
                    self.scanner.pos,
                ))
            }
            Err(err) => return Err(err),
        };
        let replacement = match self.process_stop_on(Some('}'), true) {
            Ok((replacement, _)) => replacement,
            Err(_) if self.scanner.at_end() => return Err(missing_brace(self.scanner.pos)),
            Err(err) => return Err(err),
        };

        let value = self.get_env(name, start);
        if value.is_none() && self.lexer.skip_unset {
            // BuildKit writes a single slash back even for `//`.
            return Ok(format!("${{{name}/{pattern}/{replacement}}}"));
        }
        let value = value.unwrap_or_default();
        let glob = Glob::compile(&pattern, true, false).map_err(|err| {
            ExpandError::new(
                format!("invalid pattern ({pattern}) in substitution: {err}"),
                start,
            )
        })?;
        let text: Vec<char> = value.chars().collect();
        let starts = glob
            .match_ends(&text)
            .map_err(|err| ExpandError::new(err, start))?;
        if replace_all {
            return Ok(replace_all_matches(&text, &starts, &replacement));
        }
        Ok(match first_match(&starts, 0) {
            Some((s, e)) => {
                let mut out: String = text.iter().take(s).collect();
                out.push_str(&replacement);
                out.extend(text.iter().skip(e));
                out
            }
            None => value,
        })
    }

    /// A name: letters, digits and `_`; or all the digits of a positional parameter; or one
    /// special parameter character.
    fn process_name(&mut self) -> String {
        let mut name = String::new();
        while let Some(ch) = self.scanner.peek() {
            if name.is_empty() && is_digit(ch) {
                while let Some(d) = self.scanner.peek().filter(|c| is_digit(*c)) {
                    self.scanner.next();
                    name.push(d);
                }
                return name;
            }
            if name.is_empty() && is_special_param(ch) {
                self.scanner.next();
                name.push(ch);
                return name;
            }
            if !is_letter(ch) && !is_digit(ch) && ch != '_' {
                break;
            }
            self.scanner.next();
            name.push(ch);
        }
        name
    }

    /// `<<` (and the blanks after it) stays together in one word, for heredoc markers.
    fn process_possible_heredoc(&mut self) -> String {
        self.scanner.next();
        if self.scanner.peek() != Some('<') {
            return "<".to_string();
        }
        self.scanner.next();
        let mut result = "<<".to_string();
        while let Some(ch) = self
            .scanner
            .peek()
            .filter(|c| matches!(c, '\t' | '\r' | ' '))
        {
            self.scanner.next();
            result.push(ch);
        }
        result
    }

    fn get_env(&mut self, name: &str, start: usize) -> Option<String> {
        let value = self.env.lookup(name).map(str::to_string);
        self.references.push(VarRef {
            name: name.to_string(),
            span: start..self.scanner.pos,
            set: value.is_some(),
        });
        value
    }
}

fn missing_brace(offset: usize) -> ExpandError {
    ExpandError::new("syntax error: missing '}'", offset)
}

fn unsupported_modifier(chs: &str, offset: usize) -> ExpandError {
    ExpandError::new(
        format!("unsupported modifier ({chs}) in substitution"),
        offset,
    )
}

fn required_error(name: &str, word: &str, default: &str, offset: usize) -> ExpandError {
    let message = if word.is_empty() { default } else { word };
    ExpandError::new(format!("{name}: {message}"), offset)
}
