//! Parser directives (`# syntax=`, `# escape=`, `# check=`), recognised exactly where
//! BuildKit's `DirectiveParser` recognises them: only in the leading comment lines of the
//! file, before any other line (a blank line or an ordinary comment ends them).

/// A directive found on a line: lower-cased name, value, and their byte ranges in the line.
pub(crate) struct FoundDirective {
    pub name: String,
    pub value: String,
    pub name_span: (usize, usize),
    pub value_span: (usize, usize),
}

#[derive(Default)]
pub(crate) struct DirectiveParser {
    done: bool,
    seen: Vec<String>,
}

/// RE2's `\s`.
fn is_re_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{c}' | '\r' | ' ')
}

impl DirectiveParser {
    /// Looks at one line (leading whitespace already removed). `Err` for a repeated
    /// directive, which BuildKit rejects.
    pub(crate) fn parse_line(&mut self, line: &str) -> Result<Option<FoundDirective>, String> {
        if self.done {
            return Ok(None);
        }
        let Some(after_hash) = line.strip_prefix('#') else {
            self.done = true;
            return Ok(None);
        };
        let lead = 1 + after_hash.len() - after_hash.trim_start_matches(char::is_whitespace).len();
        let body = &line[lead..];
        let Some(found) = match_directive(body) else {
            self.done = true;
            return Ok(None);
        };
        let (name, value, name_span, value_span) = found;
        let key = name.to_ascii_lowercase();
        if !matches!(key.as_str(), "syntax" | "escape" | "check") {
            self.done = true;
            return Ok(None);
        }
        if self.seen.contains(&key) {
            return Err(format!("only one {key} parser directive can be used"));
        }
        self.seen.push(key.clone());
        Ok(Some(FoundDirective {
            name: key,
            value: value.to_owned(),
            name_span: (lead + name_span.0, lead + name_span.1),
            value_span: (lead + value_span.0, lead + value_span.1),
        }))
    }
}

type Match<'a> = (&'a str, &'a str, (usize, usize), (usize, usize));

/// `^([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`
fn match_directive(s: &str) -> Option<Match<'_>> {
    let first = s.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let name_end = s
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(s.len());
    let after_name = &s[name_end..];
    let eq = name_end + (after_name.len() - after_name.trim_start_matches(is_re_space).len());
    if s.get(eq..eq + 1) != Some("=") {
        return None;
    }
    let r = &s[eq + 1..];
    if r.is_empty() {
        return None;
    }
    let lead = r.len() - r.trim_start_matches(is_re_space).len();
    let (vs, ve) = if lead == r.len() {
        // Only blanks after `=`: the lazy `.+?` takes the first of them.
        let w = r.chars().next().map_or(1, char::len_utf8);
        (0, w)
    } else {
        (lead, r.trim_end_matches(is_re_space).len())
    };
    let base = eq + 1;
    Some((
        &s[..name_end],
        &r[vs..ve],
        (0, name_end),
        (base + vs, base + ve),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> Option<(String, String)> {
        DirectiveParser::default()
            .parse_line(line)
            .ok()
            .flatten()
            .map(|d| (d.name, d.value))
    }

    #[test]
    fn recognises_directives() {
        assert_eq!(one("# escape=`"), Some(("escape".into(), "`".into())));
        assert_eq!(one("#ESCAPE = \\ "), Some(("escape".into(), "\\".into())));
        assert_eq!(
            one("# syntax=docker/dockerfile:1"),
            Some(("syntax".into(), "docker/dockerfile:1".into()))
        );
        assert_eq!(
            one("# check=skip=all"),
            Some(("check".into(), "skip=all".into()))
        );
        assert_eq!(one("# foo=bar"), None);
        assert_eq!(one("#escape"), None);
    }

    #[test]
    fn stops_after_other_line_and_rejects_repeats() {
        let mut p = DirectiveParser::default();
        assert!(p.parse_line("# syntax=a").ok().flatten().is_some());
        assert!(p.parse_line("# syntax=b").is_err());
        assert!(p.parse_line("# hello").ok().flatten().is_none());
        assert!(p.parse_line("# escape=`").ok().flatten().is_none());
    }
}
