//! Shell patterns of the `#`, `%` and `/` modifiers, matched as the regular expressions
//! BuildKit turns them into.

use super::{is_digit, is_letter, Scanner};

/// Largest pattern length times value length matched; beyond it a pattern is refused
/// rather than left to run for minutes.
const MAX_MATCH_WORK: usize = 1 << 27;

/// One element of a shell pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GlobToken {
    Literal(char),
    /// `?`: any character but a newline (BuildKit turns it into the regexp `.`).
    Any,
    /// `*`: any run of characters but newlines.
    Star,
}

/// A shell pattern (`*`, `?`, `\` escapes; no bracket expressions) matched with the
/// leftmost-first semantics of the regular expression BuildKit builds from it.
pub(super) struct Glob {
    tokens: Vec<GlobToken>,
    greedy: bool,
    anchored: bool,
}

impl Glob {
    pub(super) fn compile(pattern: &str, greedy: bool, anchored: bool) -> Result<Self, String> {
        let mut tokens = Vec::new();
        let mut scanner = Scanner::new(pattern);
        while let Some(ch) = scanner.next() {
            match ch {
                '*' => tokens.push(GlobToken::Star),
                '?' => tokens.push(GlobToken::Any),
                '\\' => {
                    // `}` and `/` are escaped only to get them through `${...}`.
                    if matches!(scanner.peek(), Some('}' | '/')) {
                        continue;
                    }
                    match scanner.next() {
                        Some(escaped @ ('*' | '?' | '\\')) => {
                            tokens.push(GlobToken::Literal(escaped))
                        }
                        Some(other) => return Err(format!("invalid escape '\\{other}'")),
                        None => return Err("invalid escape at end of pattern".to_string()),
                    }
                }
                other => tokens.push(GlobToken::Literal(other)),
            }
        }
        Ok(Self {
            tokens,
            greedy,
            anchored,
        })
    }

    /// For each start position in `text`, where the match starting there ends (the match
    /// a backtracking regexp engine finds first), or `None` when none starts there. When
    /// anchored only position 0 may match.
    pub(super) fn match_ends(&self, text: &[char]) -> Result<Vec<Option<usize>>, String> {
        let n = text.len();
        let work = self
            .tokens
            .len()
            .saturating_add(1)
            .saturating_mul(n.saturating_add(1));
        if work > MAX_MATCH_WORK {
            return Err("pattern and value too long to match".to_string());
        }
        // next[i]: end of the first match of tokens[k+1..] from i; built from the last
        // token backwards, so only two rows are kept.
        let mut next: Vec<Option<usize>> = (0..=n).map(Some).collect();
        let mut cur: Vec<Option<usize>> = vec![None; n + 1];
        for token in self.tokens.iter().rev() {
            for i in (0..=n).rev() {
                let ch = text.get(i).copied();
                let consumes = |c: Option<char>| c.is_some_and(|c| c != '\n');
                cur[i] = match *token {
                    GlobToken::Literal(lit) => {
                        if ch == Some(lit) {
                            next.get(i + 1).copied().flatten()
                        } else {
                            None
                        }
                    }
                    GlobToken::Any => {
                        if consumes(ch) {
                            next.get(i + 1).copied().flatten()
                        } else {
                            None
                        }
                    }
                    GlobToken::Star => {
                        let more = if consumes(ch) {
                            cur.get(i + 1).copied().flatten()
                        } else {
                            None
                        };
                        let stop = next.get(i).copied().flatten();
                        if self.greedy {
                            more.or(stop)
                        } else {
                            stop.or(more)
                        }
                    }
                };
            }
            std::mem::swap(&mut next, &mut cur);
        }
        if self.anchored {
            for slot in next.iter_mut().skip(1) {
                *slot = None;
            }
        }
        Ok(next)
    }
}

/// The leftmost match starting at or after `from`, as (start, end) character indexes.
pub(super) fn first_match(ends: &[Option<usize>], from: usize) -> Option<(usize, usize)> {
    ends.iter()
        .enumerate()
        .skip(from)
        .find_map(|(start, end)| end.map(|end| (start, end)))
}

/// Go's `Regexp.ReplaceAllString`: successive non-overlapping matches, an empty match right
/// after a match is skipped, and `$0`/`${0}` in the replacement stand for the match.
pub(super) fn replace_all_matches(
    text: &[char],
    ends: &[Option<usize>],
    replacement: &str,
) -> String {
    let mut out = String::new();
    let mut last_end = 0;
    let mut search = 0;
    while search <= text.len() {
        let Some((start, end)) = first_match(ends, search) else {
            break;
        };
        out.extend(text.get(last_end..start).unwrap_or_default());
        if end > last_end || start == 0 {
            let matched: String = text.get(start..end).unwrap_or_default().iter().collect();
            expand_template(&mut out, replacement, &matched);
        }
        last_end = end;
        search = if end == search { search + 1 } else { end };
    }
    out.extend(text.get(last_end..).unwrap_or_default());
    out
}

/// Go's `Regexp.Expand` for a regexp without groups: `$$` is `$`, `$0` and `${0}` the whole
/// match, any other `$name`/`${name}` nothing, and a malformed `$` stays as written.
fn expand_template(out: &mut String, template: &str, matched: &str) {
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('$') {
        out.push_str(before);
        rest = after;
        if let Some(after_dollar) = rest.strip_prefix('$') {
            out.push('$');
            rest = after_dollar;
            continue;
        }
        match template_name(rest) {
            Some((name, after_name)) => {
                if name == "0" {
                    out.push_str(matched);
                }
                rest = after_name;
            }
            None => out.push('$'),
        }
    }
    out.push_str(rest);
}

/// A leading `name` or `{name}` of a replacement template, and what follows it.
fn template_name(s: &str) -> Option<(&str, &str)> {
    let (body, braced) = match s.strip_prefix('{') {
        Some(body) => (body, true),
        None => (s, false),
    };
    let len: usize = body
        .chars()
        .take_while(|c| is_letter(*c) || is_digit(*c) || *c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let (name, after) = body.split_at_checked(len)?;
    if braced {
        let after = after.strip_prefix('}')?;
        return Some((name, after));
    }
    Some((name, after))
}

/// Removes the shortest (or longest, when `greedy`) prefix of `value` matching `pattern`.
pub(super) fn trim_prefix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let glob = Glob::compile(pattern, greedy, true)?;
    let text: Vec<char> = value.chars().collect();
    let ends = glob.match_ends(&text)?;
    Ok(match ends.first().copied().flatten() {
        Some(end) => text.iter().skip(end).collect(),
        None => value.to_string(),
    })
}

/// Removes the shortest (or longest) suffix matching `pattern`, by trimming the prefix of
/// the reversed value with the reversed pattern, as BuildKit does.
pub(super) fn trim_suffix(pattern: &str, value: &str, greedy: bool) -> Result<String, String> {
    let reversed_pattern = reverse_pattern(pattern);
    let reversed_value: String = value.chars().rev().collect();
    let trimmed = trim_prefix(&reversed_pattern, &reversed_value, greedy)?;
    Ok(trimmed.chars().rev().collect())
}

/// Reverses a pattern keeping each `\x` escape pair in order (`a\*c` becomes `c\*a`).
fn reverse_pattern(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut units: Vec<&[char]> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        let width = if chars.get(i) == Some(&'\\') && i + 1 < chars.len() {
            2
        } else {
            1
        };
        units.extend(chars.get(i..i + width));
        i += width;
    }
    units.iter().rev().flat_map(|unit| unit.iter()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(pattern: &str, greedy: bool, anchored: bool, text: &str) -> Vec<Option<usize>> {
        let chars: Vec<char> = text.chars().collect();
        Glob::compile(pattern, greedy, anchored)
            .and_then(|g| g.match_ends(&chars))
            .unwrap_or_default()
    }

    #[test]
    fn lazy_and_greedy_stars_pick_shortest_and_longest() {
        assert_eq!(ends("*x", false, true, "axbx").first(), Some(&Some(2)));
        assert_eq!(ends("*x", true, true, "axbx").first(), Some(&Some(4)));
    }

    #[test]
    fn star_and_any_stop_at_newline() {
        assert_eq!(ends("*", true, true, "ab\ncd").first(), Some(&Some(2)));
        assert_eq!(ends("?", true, true, "\n").first(), Some(&None));
    }

    #[test]
    fn invalid_escapes_are_errors() {
        for p in ["\\", "\\x", "\\\\\\"] {
            assert!(Glob::compile(p, true, true).is_err(), "{p}");
        }
        assert!(Glob::compile("\\}\\/\\*\\?\\\\", true, true).is_ok());
    }

    #[test]
    fn reverse_pattern_keeps_escapes() {
        assert_eq!(reverse_pattern("a\\*c"), "c\\*a");
        assert_eq!(reverse_pattern("\\\\\\ab"), "b\\a\\\\");
        assert_eq!(reverse_pattern("ab\\"), "\\ba");
        assert_eq!(reverse_pattern("\\\\b"), "b\\\\");
    }

    #[test]
    fn template_dollar_forms() {
        let mut out = String::new();
        expand_template(&mut out, "<$0|${0}|$$|$1|${x|$>", "m");
        assert_eq!(out, "<m|m|$||${x|$>");
    }
}
