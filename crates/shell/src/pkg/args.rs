//! Splitting a command's words into flags (with their values) and positional arguments,
//! and reading version pins from package arguments.

use super::{Flag, Meaning, Package, Pin};
use crate::word::Word;

/// A command's arguments split into flags and positionals.
pub(crate) struct Scanned<'a> {
    pub(crate) flags: Vec<Flag>,
    pub(crate) positionals: Vec<&'a Word>,
}

/// How to read one manager's flags.
pub(crate) struct FlagRules {
    /// Flags that take a value in the next word when not written `--flag=value`.
    pub(crate) with_value: &'static [&'static str],
    /// The meaning of a flag given its name and value.
    pub(crate) meaning: fn(&str, Option<&str>) -> Option<Meaning>,
}

/// Splits `words` into flags and positionals.
pub(crate) fn scan<'a>(words: &[&'a Word], rules: &FlagRules) -> Scanned<'a> {
    let mut flags = Vec::new();
    let mut positionals = Vec::new();
    let mut i = 0;
    let mut only_positionals = false;
    while let Some(w) = words.get(i) {
        i += 1;
        let lit = match w.literal() {
            Some(l) if !only_positionals => l,
            _ => {
                positionals.push(*w);
                continue;
            }
        };
        if lit == "--" {
            only_positionals = true;
            continue;
        }
        if let Some(long) = lit.strip_prefix("--") {
            let (name, value, span) = match long.split_once('=') {
                Some((n, v)) => (format!("--{n}"), Some(v.to_string()), w.span),
                None => {
                    let name = format!("--{long}");
                    if rules.with_value.contains(&name.as_str()) {
                        match words.get(i) {
                            Some(v) => {
                                i += 1;
                                (name, Some(v.raw_or_literal()), w.span.cover(v.span))
                            }
                            None => (name, None, w.span),
                        }
                    } else {
                        (name, None, w.span)
                    }
                }
            };
            let meaning = (rules.meaning)(&name, value.as_deref());
            flags.push(Flag {
                name,
                value,
                meaning,
                span,
            });
            continue;
        }
        if lit.len() > 1 && lit.starts_with('-') && !lit.starts_with("--") {
            if rules.with_value.contains(&lit) {
                let (value, span) = match words.get(i) {
                    Some(v) => {
                        i += 1;
                        (Some(v.raw_or_literal()), w.span.cover(v.span))
                    }
                    None => (None, w.span),
                };
                let meaning = (rules.meaning)(lit, value.as_deref());
                flags.push(Flag {
                    name: lit.to_string(),
                    value,
                    meaning,
                    span,
                });
                continue;
            }
            // The whole word may be a known single-dash long flag (`-qq`, `-modcache`).
            if let Some(meaning) = (rules.meaning)(lit, None) {
                flags.push(Flag {
                    name: lit.to_string(),
                    value: None,
                    meaning: Some(meaning),
                    span: w.span,
                });
                continue;
            }
            let (name_part, attached) = match lit.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (lit, None),
            };
            let letters: Vec<(usize, char)> = name_part.char_indices().skip(1).collect();
            for (k, (pos, c)) in letters.iter().enumerate() {
                let name = format!("-{c}");
                let is_last = k + 1 == letters.len();
                if rules.with_value.contains(&name.as_str()) {
                    let rest = name_part.get(pos + c.len_utf8()..).unwrap_or("");
                    let (value, span) = if !rest.is_empty() {
                        (Some(rest.to_string()), w.span)
                    } else if let Some(v) = attached {
                        (Some(v.to_string()), w.span)
                    } else if let Some(v) = words.get(i) {
                        i += 1;
                        (Some(v.raw_or_literal()), w.span.cover(v.span))
                    } else {
                        (None, w.span)
                    };
                    let meaning = (rules.meaning)(&name, value.as_deref());
                    flags.push(Flag {
                        name,
                        value,
                        meaning,
                        span,
                    });
                    break;
                }
                let value = if is_last {
                    attached.map(str::to_string)
                } else {
                    None
                };
                let meaning = (rules.meaning)(&name, value.as_deref());
                flags.push(Flag {
                    name,
                    value,
                    meaning,
                    span: w.span,
                });
            }
            continue;
        }
        positionals.push(*w);
    }
    Scanned { flags, positionals }
}

impl Word {
    /// The static value, or the raw text when the word has expansions.
    pub(crate) fn raw_or_literal(&self) -> String {
        self.literal()
            .map_or_else(|| self.raw.clone(), str::to_string)
    }
}

/// The package ecosystems, which differ in how a version is attached to a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `name=1.2` (apt).
    Apt,
    /// `name=1.2`, `name~1.2`, `name>1.2` (apk).
    Apk,
    /// `name-1.2`, `name=1.2`, `name>=1.2` (dnf, yum, zypper).
    Rpm,
    /// PEP 508: `name==1.2`, `name[extra]>=1`, `name~=1.2`.
    Python,
    /// `name@1.2`, `@scope/name@^1` (npm, yarn, pnpm, bun, go, cargo, poetry).
    At,
    /// `name:1.2` (gem, composer).
    Colon,
    /// A URL or repository: never pinned by its text.
    Url,
}

/// Reads a package argument.
pub(crate) fn package(w: &Word, syntax: Syntax) -> Package {
    let raw = w.raw.clone();
    let Some(lit) = w.literal() else {
        return Package {
            name: raw.clone(),
            version: None,
            operator: None,
            pin: Pin::None,
            literal: None,
            raw,
            span: w.span,
            is_path_or_url: false,
        };
    };
    let is_path_or_url = lit.contains("://")
        || lit.starts_with('.')
        || lit.starts_with('/')
        || lit.starts_with("git+")
        || [
            ".whl", ".tar.gz", ".zip", ".deb", ".rpm", ".apk", ".tgz", ".gem",
        ]
        .iter()
        .any(|ext| lit.ends_with(ext));
    let (name, operator, version) = if is_path_or_url || syntax == Syntax::Url {
        (lit.to_string(), None, None)
    } else {
        split_version(lit, syntax)
    };
    let pin = match (&operator, &version) {
        (Some(op), Some(v)) => classify(op, v),
        _ => Pin::None,
    };
    Package {
        name,
        version,
        operator,
        pin,
        literal: Some(lit.to_string()),
        raw,
        span: w.span,
        is_path_or_url,
    }
}

fn split_version(lit: &str, syntax: Syntax) -> (String, Option<String>, Option<String>) {
    let none = || (lit.to_string(), None, None);
    match syntax {
        Syntax::Apt => match lit.split_once('=') {
            Some((n, v)) => (n.to_string(), Some("=".into()), Some(v.to_string())),
            None => none(),
        },
        Syntax::Apk | Syntax::Rpm | Syntax::Python => {
            let ops: &[&str] = match syntax {
                Syntax::Apk => &[">=", "<=", "~=", "=~", "=", "~", ">", "<"],
                Syntax::Python => &["===", "==", "~=", "!=", ">=", "<=", ">", "<"],
                _ => &[">=", "<=", "=", ">", "<"],
            };
            let mut best: Option<(usize, &str)> = None;
            for op in ops {
                if let Some(i) = lit.find(op) {
                    if best.is_none_or(|(b, bop)| i < b || (i == b && op.len() > bop.len())) {
                        best = Some((i, op));
                    }
                }
            }
            if let Some((i, op)) = best {
                let name = lit.get(..i).unwrap_or(lit);
                let name = name.split('[').next().unwrap_or(name).trim();
                let version = lit.get(i + op.len()..).unwrap_or("");
                let version = version.split(';').next().unwrap_or(version).trim();
                return (
                    name.to_string(),
                    Some(op.to_string()),
                    Some(version.to_string()),
                );
            }
            if syntax == Syntax::Rpm {
                // `name-1.2.3`: a dash followed by a digit starts the version.
                let bytes = lit.as_bytes();
                for (i, b) in bytes.iter().enumerate() {
                    if *b == b'-' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                        let name = lit.get(..i).unwrap_or(lit);
                        let version = lit.get(i + 1..).unwrap_or("");
                        return (
                            name.to_string(),
                            Some("-".into()),
                            Some(version.to_string()),
                        );
                    }
                }
            }
            let name = lit.split('[').next().unwrap_or(lit);
            (name.to_string(), None, None)
        }
        Syntax::At => {
            // A leading `@` belongs to a scope, not to a version.
            let from = usize::from(lit.starts_with('@'));
            match lit.get(from..).and_then(|s| s.find('@')) {
                Some(i) => {
                    let at = from + i;
                    let name = lit.get(..at).unwrap_or(lit);
                    let version = lit.get(at + 1..).unwrap_or("");
                    (
                        name.to_string(),
                        Some("@".into()),
                        Some(version.to_string()),
                    )
                }
                None => match lit.find("==") {
                    // poetry also accepts `name==1.2`.
                    Some(i) => (
                        lit.get(..i).unwrap_or(lit).to_string(),
                        Some("==".into()),
                        Some(lit.get(i + 2..).unwrap_or("").to_string()),
                    ),
                    None => none(),
                },
            }
        }
        Syntax::Colon => match lit.split_once(':') {
            Some((n, v)) => (n.to_string(), Some(":".into()), Some(v.to_string())),
            None => none(),
        },
        Syntax::Url => none(),
    }
}

/// Classifies a version given its operator.
pub(crate) fn classify(op: &str, version: &str) -> Pin {
    if version.is_empty() {
        return Pin::None;
    }
    if matches!(op, ">=" | "<=" | ">" | "<" | "~=" | "~" | "!=" | "=~") {
        return Pin::Range;
    }
    if version.starts_with(['^', '~', '>', '<', '=', '*'])
        || version.contains(['*', ' ', '|', ','])
        || version.ends_with(".x")
    {
        return Pin::Range;
    }
    let first = version.chars().next().unwrap_or(' ');
    let vdigit = version
        .strip_prefix('v')
        .is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
    if first.is_ascii_digit() || vdigit {
        Pin::Exact
    } else if matches!(
        version,
        "latest" | "next" | "stable" | "lts" | "nightly" | "beta" | "canary" | "main" | "master"
    ) {
        Pin::Tag
    } else {
        // A commit hash, a named tag or a dist-tag: exact when it looks like a hash.
        if version.len() >= 7 && version.chars().all(|c| c.is_ascii_hexdigit()) {
            Pin::Exact
        } else {
            Pin::Tag
        }
    }
}
