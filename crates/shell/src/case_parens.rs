//! Gives `case` patterns inside command substitutions their optional leading `(`.
//!
//! brush-parser ends a `$(` at the first `)` that no `(` opened, so the pattern `x86_64)` in
//! `$(case $a in x86_64) echo amd64 ;; esac)` cuts the substitution short, where bash reads
//! the whole `case`. POSIX lets every pattern list start with `(`, which balances the
//! parentheses without changing the meaning. [`balance`] writes that `(` in place of a
//! blank just before the pattern (moving any `;;` between them one byte left), so the
//! rewritten script has the same length and every byte that a span can cover stays where
//! it was: spans found in the rewritten text are spans of the original one.

/// Deepest nesting followed; deeper scripts are left alone.
const MAX_DEPTH: usize = 64;

/// The script with a `(` before each `case` pattern list of a command substitution that
/// lacks one, or `None` when there is nothing to rewrite.
pub(crate) fn balance(src: &str) -> Option<String> {
    if !src.contains("case") {
        return None;
    }
    let mut lexer = Lexer {
        s: src.as_bytes(),
        i: 0,
        floor: 0,
        depth: 0,
        heredocs: Vec::new(),
        edits: Vec::new(),
        too_deep: false,
    };
    lexer.list(Context::Top, false);
    if lexer.too_deep || lexer.edits.is_empty() {
        return None;
    }
    let mut out = src.as_bytes().to_vec();
    for Edit { blank, pattern } in lexer.edits {
        // Shift what lies between the blank and the pattern (terminators, newlines,
        // comments: nothing a span covers) one byte left and put `(` before the pattern.
        let Some(gap) = pattern.checked_sub(1) else {
            continue;
        };
        if blank > gap || out.get(blank..pattern).is_none() {
            continue;
        }
        out.copy_within(blank + 1..pattern, blank);
        if let Some(b) = out.get_mut(gap) {
            *b = b'(';
        }
    }
    // Only ASCII blanks were replaced by ASCII bytes, so the text is still UTF-8.
    String::from_utf8(out).ok()
}

/// A pattern list starting at `pattern` that gets its `(` in place of the blank at `blank`.
#[derive(Debug)]
struct Edit {
    blank: usize,
    pattern: usize,
}

/// What encloses the command list being read.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Context {
    /// The whole script.
    Top,
    /// `( ... )`, `$( ... )`, `<( ... )`: ends at the closing `)`.
    Paren,
    /// The commands of one `case` arm: end at `;;`, `;&`, `;;&` or `esac`.
    CaseArm,
}

/// How a command list ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum End {
    /// End of input.
    Eof,
    /// A `)` closing the enclosing parenthesis (not consumed).
    Close,
    /// A case arm terminator (consumed).
    Terminator,
    /// The `esac` keyword (consumed).
    Esac,
}

/// A here-document whose body follows the next newline.
struct PendingHeredoc {
    delimiter: Vec<u8>,
    strip_tabs: bool,
}

struct Lexer<'a> {
    s: &'a [u8],
    i: usize,
    /// End of the last thing a span may cover (a word, a here-document body): a blank
    /// before a pattern is only taken from after it.
    floor: usize,
    depth: usize,
    heredocs: Vec<PendingHeredoc>,
    edits: Vec<Edit>,
    too_deep: bool,
}

/// Characters that end an unquoted word.
fn is_meta(b: u8) -> bool {
    matches!(
        b,
        b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'<' | b'>' | b'(' | b')'
    )
}

/// Reserved words after which the next word is again in command position.
fn keeps_command_position(word: &[u8]) -> bool {
    matches!(
        word,
        b"if"
            | b"then"
            | b"else"
            | b"elif"
            | b"do"
            | b"while"
            | b"until"
            | b"!"
            | b"{"
            | b"time"
            | b"coproc"
    )
}

impl Lexer<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.s.get(self.i.saturating_add(ahead)).copied()
    }

    fn starts_with(&self, prefix: &[u8]) -> bool {
        self.s.get(self.i..).is_some_and(|r| r.starts_with(prefix))
    }

    fn enter(&mut self) -> bool {
        if self.depth >= MAX_DEPTH {
            self.too_deep = true;
            self.i = self.s.len();
            return false;
        }
        self.depth += 1;
        true
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// Skips spaces, tabs and line continuations.
    fn skip_blanks(&mut self) {
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.i += 1,
                Some(b'\\') if self.peek_at(1) == Some(b'\n') => self.i += 2,
                _ => return,
            }
        }
    }

    /// Skips a comment up to (not including) its newline.
    fn skip_comment(&mut self) {
        while let Some(b) = self.peek() {
            if b == b'\n' {
                return;
            }
            self.i += 1;
        }
    }

    /// Consumes a newline and the bodies of the here-documents it starts.
    fn newline(&mut self) {
        self.i += 1;
        let pending = std::mem::take(&mut self.heredocs);
        for doc in pending {
            self.skip_heredoc_body(&doc);
        }
    }

    fn skip_heredoc_body(&mut self, doc: &PendingHeredoc) {
        while self.i < self.s.len() {
            let end = self.s.get(self.i..).map_or(self.s.len(), |rest| {
                rest.iter()
                    .position(|b| *b == b'\n')
                    .map_or(self.s.len(), |p| self.i + p)
            });
            let line = self.s.get(self.i..end).unwrap_or(&[]);
            let line = if doc.strip_tabs {
                let tabs = line.iter().take_while(|b| **b == b'\t').count();
                line.get(tabs..).unwrap_or(&[])
            } else {
                line
            };
            let done = line == doc.delimiter.as_slice();
            self.i = (end + 1).min(self.s.len());
            if done {
                break;
            }
        }
        self.floor = self.floor.max(self.i);
    }

    /// Reads a command list until its context ends. `in_subst` tells whether it is inside
    /// a command substitution (where case patterns need their `(`).
    fn list(&mut self, ctx: Context, in_subst: bool) -> End {
        if !self.enter() {
            return End::Eof;
        }
        let end = self.list_inner(ctx, in_subst);
        self.leave();
        end
    }

    fn list_inner(&mut self, ctx: Context, in_subst: bool) -> End {
        let mut command_position = true;
        // Set after a word that may name a function, so `()` follows.
        let mut after_word = false;
        loop {
            self.skip_blanks();
            let Some(b) = self.peek() else {
                return End::Eof;
            };
            match b {
                b'\n' => {
                    self.newline();
                    command_position = true;
                    after_word = false;
                }
                b'#' => self.skip_comment(),
                b';' => {
                    if self.starts_with(b";;&") {
                        self.i += 3;
                    } else if self.starts_with(b";;") || self.starts_with(b";&") {
                        self.i += 2;
                    } else {
                        self.i += 1;
                        command_position = true;
                        after_word = false;
                        continue;
                    }
                    if ctx == Context::CaseArm {
                        return End::Terminator;
                    }
                    command_position = true;
                    after_word = false;
                }
                b'&' | b'|' => {
                    self.i += 1;
                    if matches!(self.peek(), Some(b'&' | b'|')) {
                        self.i += 1;
                    }
                    command_position = true;
                    after_word = false;
                }
                b')' => {
                    if ctx == Context::Paren {
                        return End::Close;
                    }
                    // An unbalanced `)`: a syntax error the parser reports; step over it.
                    self.i += 1;
                    command_position = false;
                    after_word = false;
                }
                b'(' => {
                    self.i += 1;
                    if after_word && !command_position {
                        // `name ()`: a function definition; its body follows.
                        self.skip_blanks();
                        if self.peek() == Some(b')') {
                            self.i += 1;
                        }
                        command_position = true;
                    } else if command_position && self.peek() == Some(b'(') {
                        // `(( ... ))`: arithmetic, no commands inside.
                        self.i -= 1;
                        self.skip_balanced_parens();
                        command_position = false;
                    } else {
                        if self.list(Context::Paren, in_subst) == End::Close {
                            self.i += 1;
                        }
                        command_position = false;
                    }
                    after_word = false;
                }
                b'<' | b'>' => {
                    self.redirect();
                    after_word = false;
                }
                _ => {
                    let start = self.i;
                    self.word();
                    let word = self.s.get(start..self.i).unwrap_or(&[]);
                    if self.i == start {
                        // Not a word start this lexer knows: step over it.
                        self.i += 1;
                        continue;
                    }
                    if command_position {
                        if word == b"case" {
                            if self.case_clause(in_subst) == End::Eof {
                                return End::Eof;
                            }
                            command_position = false;
                            after_word = false;
                            continue;
                        }
                        if word == b"esac" && ctx == Context::CaseArm {
                            return End::Esac;
                        }
                        command_position = keeps_command_position(word);
                        after_word = !command_position;
                    } else {
                        after_word = false;
                    }
                }
            }
        }
    }

    /// Reads a redirection operator and its target word.
    fn redirect(&mut self) {
        let heredoc = self.starts_with(b"<<") && !self.starts_with(b"<<<");
        let process = matches!(self.peek_at(1), Some(b'('));
        if process {
            // `<(...)` / `>(...)`: a process substitution, read like a subshell.
            self.i += 2;
            if self.list(Context::Paren, true) == End::Close {
                self.i += 1;
            }
            return;
        }
        let strip_tabs = self.starts_with(b"<<-");
        while matches!(self.peek(), Some(b'<' | b'>' | b'&' | b'|' | b'-')) {
            self.i += 1;
        }
        self.skip_blanks();
        let start = self.i;
        self.word();
        if heredoc {
            let delimiter = self
                .s
                .get(start..self.i)
                .unwrap_or(&[])
                .iter()
                .copied()
                .filter(|b| !matches!(b, b'\'' | b'"' | b'\\'))
                .collect();
            self.heredocs.push(PendingHeredoc {
                delimiter,
                strip_tabs,
            });
        }
    }

    /// Reads one word (quotes, escapes, expansions, substitutions) up to a metacharacter.
    fn word(&mut self) {
        while let Some(b) = self.peek() {
            match b {
                _ if is_meta(b) => {
                    // `name=(...)`: an array assignment is part of the word.
                    if b == b'(' && self.s.get(self.i.wrapping_sub(1)) == Some(&b'=') {
                        self.skip_balanced_parens();
                        continue;
                    }
                    break;
                }
                _ => self.step(b),
            }
        }
        self.i = self.i.min(self.s.len());
        self.floor = self.floor.max(self.i);
    }

    /// Moves over what starts with `b` inside a word: an escape, a quoted string, a
    /// substitution or an expansion, or a plain byte.
    fn step(&mut self, b: u8) {
        match b {
            b'\\' => self.i += 2,
            b'\'' => self.single_quoted(),
            b'"' => self.double_quoted(),
            b'`' => self.backquoted(),
            b'$' => self.dollar(),
            _ => self.i += 1,
        }
    }

    fn single_quoted(&mut self) {
        self.i += 1;
        while let Some(b) = self.peek() {
            self.i += 1;
            if b == b'\'' {
                return;
            }
        }
    }

    fn double_quoted(&mut self) {
        self.i += 1;
        while let Some(b) = self.peek() {
            match b {
                b'"' => {
                    self.i += 1;
                    return;
                }
                b'\\' => self.i += 2,
                b'`' => self.backquoted(),
                b'$' => self.dollar(),
                _ => self.i += 1,
            }
        }
        self.i = self.i.min(self.s.len());
    }

    /// Skips a backquoted substitution: brush-parser does not count parentheses in it.
    fn backquoted(&mut self) {
        self.i += 1;
        self.skip_escaped_through(b'`');
    }

    /// Skips to just after the next unescaped `close` (or to the end).
    fn skip_escaped_through(&mut self, close: u8) {
        while let Some(b) = self.peek() {
            if b == close {
                self.i += 1;
                break;
            }
            self.i += if b == b'\\' { 2 } else { 1 };
        }
        self.i = self.i.min(self.s.len());
    }

    /// Reads a `$` expansion: `$(...)`, `$((...))`, `${...}`, `$'...'` or a plain `$`.
    fn dollar(&mut self) {
        match self.peek_at(1) {
            Some(b'(') if self.peek_at(2) == Some(b'(') => {
                self.i += 1;
                self.skip_balanced_parens();
            }
            Some(b'(') => {
                self.i += 2;
                if self.list(Context::Paren, true) == End::Close {
                    self.i += 1;
                }
            }
            Some(b'{') => {
                self.i += 2;
                self.braced();
            }
            Some(b'\'') => {
                self.i += 2;
                self.skip_escaped_through(b'\'');
            }
            _ => self.i += 1,
        }
    }

    /// Skips the rest of `${...}` (after the `{`).
    fn braced(&mut self) {
        if !self.enter() {
            return;
        }
        while let Some(b) = self.peek() {
            match b {
                b'}' => {
                    self.i += 1;
                    break;
                }
                _ => self.step(b),
            }
        }
        self.i = self.i.min(self.s.len());
        self.leave();
    }

    /// Skips a parenthesised text starting at `(`, balancing parentheses and skipping
    /// quotes (arithmetic, array values, extended globs).
    fn skip_balanced_parens(&mut self) {
        let mut depth = 0usize;
        while let Some(b) = self.peek() {
            match b {
                b'(' => {
                    depth += 1;
                    self.i += 1;
                }
                b')' => {
                    self.i += 1;
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        break;
                    }
                }
                b'\\' => self.i += 2,
                b'\'' => self.single_quoted(),
                b'"' => self.double_quoted(),
                b'`' => self.backquoted(),
                _ => self.i += 1,
            }
        }
        self.i = self.i.min(self.s.len());
    }

    /// Skips blanks, newlines and comments (between `case` words and arms).
    fn skip_separators(&mut self) {
        loop {
            self.skip_blanks();
            match self.peek() {
                Some(b'\n') => self.newline(),
                Some(b'#') => self.skip_comment(),
                _ => return,
            }
        }
    }

    /// Reads a `case` clause after the `case` keyword, through `esac`.
    fn case_clause(&mut self, in_subst: bool) -> End {
        if !self.enter() {
            return End::Eof;
        }
        let end = self.case_inner(in_subst);
        self.leave();
        end
    }

    fn case_inner(&mut self, in_subst: bool) -> End {
        self.skip_blanks();
        self.word();
        self.skip_separators();
        let start = self.i;
        self.word();
        if self.s.get(start..self.i) != Some(b"in".as_slice()) {
            // Not a case clause the parser would accept; nothing to balance.
            return if self.i >= self.s.len() {
                End::Eof
            } else {
                End::Terminator
            };
        }
        loop {
            self.skip_separators();
            let pattern = self.i;
            match self.peek() {
                None => return End::Eof,
                Some(b'(') => self.i += 1,
                Some(b')') => return End::Close,
                Some(_) => {
                    let at_esac = self.starts_with(b"esac") && self.peek_at(4).is_none_or(is_meta);
                    if at_esac {
                        self.i += 4;
                        self.floor = self.floor.max(self.i);
                        return End::Esac;
                    }
                    if in_subst {
                        if let Some(blank) = self.stealable_blank(pattern) {
                            self.edits.push(Edit { blank, pattern });
                        }
                    }
                }
            }
            // The pattern list: words separated by `|`, up to `)`.
            loop {
                self.skip_blanks();
                match self.peek() {
                    None => return End::Eof,
                    Some(b')') => {
                        self.i += 1;
                        break;
                    }
                    Some(b'|') => self.i += 1,
                    Some(b) if is_meta(b) => return End::Terminator,
                    Some(_) => self.word(),
                }
            }
            match self.list(Context::CaseArm, in_subst) {
                End::Terminator => {}
                End::Esac => return End::Esac,
                other => return other,
            }
        }
    }

    /// The blank nearest before `pattern` and after the last word or here-document that
    /// can be replaced: a space or tab outside comments, a newline that ends no comment
    /// and no line continuation, or the backslash of a line continuation.
    fn stealable_blank(&self, pattern: usize) -> Option<usize> {
        let window = self.s.get(self.floor..pattern)?;
        let mut best = None;
        let mut in_comment = false;
        let mut prev: Option<u8> = None;
        for (k, &b) in window.iter().enumerate() {
            let at = self.floor + k;
            match b {
                b'\n' => {
                    if !in_comment && prev != Some(b'\\') {
                        best = Some(at);
                    }
                    in_comment = false;
                }
                b'#' if !in_comment => in_comment = true,
                // A line continuation: dropping its backslash leaves a newline, which is
                // allowed wherever a pattern list may start.
                b'\\' if !in_comment && window.get(k + 1) == Some(&b'\n') => best = Some(at),
                b' ' | b'\t' if !in_comment => best = Some(at),
                _ => {}
            }
            prev = Some(b);
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::balance;
    use crate::{Script, ShellOptions};
    use proptest::prelude::*;

    /// Shell-like scripts rich in `case` clauses, substitutions, quotes and comments.
    fn script() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            "echo x",
            "echo 'q) '",
            "echo \"a) b\"",
            "a=(1 2)",
            "true # c)",
            "echo \\)",
            "cat <<E\nx) y\nE\n",
            "echo `case x in a) b;; esac`",
            "echo ${v:-)}",
            "echo $((1))",
            "f() { g; }",
            "x)",
            ";;",
            "esac",
        ])
        .prop_map(str::to_string);
        leaf.prop_recursive(4, 48, 4, |inner| {
            let gap = prop::sample::select(vec![" ", "\n", "  ", " # c\n ", "\\\n"]);
            let term = prop::sample::select(vec![";;", " ;;", ";; ", "\n;;\n", " ;& ", ";;&", ""]);
            let arm = (
                gap.clone(),
                any::<bool>(),
                prop::sample::select(vec!["a", "b|c", "'x y'", "*", "\"$v\"", "a | b"]),
                inner.clone(),
                term,
            )
                .prop_map(|(g, paren, pat, body, t)| {
                    format!("{g}{}{pat}) {body}{t}", if paren { "(" } else { "" })
                });
            prop_oneof![
                1 => (inner.clone(), prop::sample::select(vec!["; ", " && ", " | ", "\n"]), inner.clone())
                    .prop_map(|(a, op, b)| format!("{a}{op}{b}")),
                1 => inner.clone().prop_map(|c| format!("echo $({c})")),
                1 => inner.clone().prop_map(|c| format!("echo \"$({c})\"")),
                1 => inner.clone().prop_map(|c| format!("({c})")),
                1 => inner.clone().prop_map(|c| format!("{{ {c}; }}")),
                1 => (prop::collection::vec(arm.clone(), 0..3), gap.clone()).prop_map(|(arms, g)| {
                    format!("case $v in{}{g}esac", arms.concat())
                }),
                3 => (prop::collection::vec(arm, 1..3), gap, any::<bool>()).prop_map(
                    |(arms, g, quoted)| {
                        let q = if quoted { "\"" } else { "" };
                        format!("echo {q}$(case $v in{}{g}esac){q}", arms.concat())
                    }
                ),
            ]
        })
    }

    /// Bytes other than blanks, counted, with the `(` count apart.
    fn tally(s: &str) -> (std::collections::BTreeMap<char, usize>, usize) {
        let mut m = std::collections::BTreeMap::new();
        let mut blanks = 0;
        for c in s.chars() {
            // A continuation's backslash may give way too.
            if matches!(c, ' ' | '\t' | '\n' | '\\') {
                blanks += 1;
            } else {
                *m.entry(c).or_insert(0) += 1;
            }
        }
        (m, blanks)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        /// The rewrite only turns blanks into `(`; a script that parsed completely before
        /// reads the same with or without it, and `Script::parse` keeps its reading.
        #[test]
        fn rewrite_never_changes_a_complete_reading(
            src in script(),
        ) {
            let options = ShellOptions::default();
            let balanced = balance(&src);
            if let Some(b) = &balanced {
                prop_assert_eq!(b.len(), src.len());
                let (mut before, blanks_before) = tally(&src);
                let (after, blanks_after) = tally(b);
                let added = blanks_before - blanks_after;
                prop_assert!(added > 0);
                *before.entry('(').or_insert(0) += added;
                prop_assert_eq!(before, after);
            }
            let plain = Script::parse_as(&src, &src, options);
            if let Ok((plain, 0)) = &plain {
                let parsed = Script::parse(&src).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(parsed.outline(), plain.outline());
                if let Some(b) = &balanced {
                    if let Ok((rewritten, _)) = Script::parse_as(&src, b, options) {
                        prop_assert_eq!(rewritten.outline(), plain.outline(), "{:?}", b);
                    }
                }
            }
        }
    }

    #[test]
    fn rewrites_patterns_inside_substitutions_only() {
        let cases = [
            (
                "a $(case $x in x86_64) echo amd64 ;; aarch64) echo arm64 ;; esac) b",
                Some("a $(case $x in(x86_64) echo amd64 ;;(aarch64) echo arm64 ;; esac) b"),
            ),
            ("case $x in a) b;; esac", None),
            ("echo $(case x in (a) b;; esac)", None),
            (
                "echo $(case x in a) b ;;c) d;; esac)",
                Some("echo $(case x in(a) b;;(c) d;; esac)"),
            ),
            (
                "x=$(case y in \\\na) b;;\\\nc) d;;\\\n e) f;;\\\nesac)",
                Some("x=$(case y in \n(a) b;;\n(c) d;;\\\n(e) f;;\\\nesac)"),
            ),
            // No blank to take before `c`: only `a` gets its `(`.
            (
                "echo $(case x in a) b;;c) d;; esac)",
                Some("echo $(case x in(a) b;;c) d;; esac)"),
            ),
            ("echo '$(case x in a) b;; esac)'", None),
            ("echo `case x in a) b;; esac`", None),
            ("echo \\$(case x in a) b;; esac)", None),
        ];
        for (src, want) in cases {
            assert_eq!(balance(src).as_deref(), want, "{src}");
        }
    }
}
