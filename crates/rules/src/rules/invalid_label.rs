use crate::helpers::correctness::span;
use crate::helpers::reliability::stage_lineage;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Checks `LABEL`s (off by default):
    /// - every key follows Docker's label key format: lower-case letters, digits, `.`,
    ///   `-`, `_` and `/`, starting with a letter and ending with a letter or digit, no
    ///   `..` or `--`, and none of the reserved `com.docker.`, `io.docker.` and
    ///   `org.dockerproject.` namespaces (DL3048);
    /// - with a label schema in config, each stage that is not used by another stage sets
    ///   every label of the schema (DL3049), no schema label is empty (DL3051), and each
    ///   value has its type (DL3052-DL3056, DL3058); with `strict = true`, labels outside
    ///   the schema are reported too (DL3050).
    ///
    /// ```toml
    /// [rules.invalid-label]
    /// level = "warning"
    /// strict = false
    /// schema = { maintainer = "email", "org.opencontainers.image.created" = "rfc3339" }
    /// ```
    ///
    /// Types: `text` (anything not empty), `url`, `semver`, `hash` (a git commit, 7 or 40
    /// hex digits), `rfc3339`, `spdx` (an SPDX license expression), `email`.
    ///
    /// ## Why it matters
    /// Labels are what registries, scanners and deploy tooling read to know where an image
    /// comes from and what it may be used for: a malformed date, source URL or licence
    /// breaks those tools quietly.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL Maintainer="dev team" org.opencontainers.image.created="yesterday"
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL maintainer="dev@example.com" org.opencontainers.image.created="2024-06-01T12:00:00Z"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the values are the author's.
    pub struct InvalidLabel {
        name: "invalid-label",
        group: Correctness,
        level: Off,
        aliases: [
            "DL3048", "DL3049", "DL3050", "DL3051", "DL3052", "DL3053", "DL3054", "DL3055",
            "DL3056", "DL3058",
        ],
        fix: None,
        summary: "A label key is malformed, or a label breaks the configured schema",
    }
}

/// The value types a schema can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelType {
    Text,
    Url,
    Semver,
    Hash,
    Rfc3339,
    Spdx,
    Email,
}

impl LabelType {
    fn parse(name: &str) -> Option<LabelType> {
        Some(match name {
            "text" => LabelType::Text,
            "url" => LabelType::Url,
            "semver" => LabelType::Semver,
            "hash" => LabelType::Hash,
            "rfc3339" => LabelType::Rfc3339,
            "spdx" => LabelType::Spdx,
            "email" => LabelType::Email,
            _ => return None,
        })
    }

    fn accepts(self, value: &str) -> bool {
        match self {
            LabelType::Text => true,
            LabelType::Url => is_url(value),
            LabelType::Semver => is_semver(value),
            LabelType::Hash => is_git_hash(value),
            LabelType::Rfc3339 => is_rfc3339(value),
            LabelType::Spdx => spdx::Expression::parse(value).is_ok(),
            LabelType::Email => is_email(value),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            LabelType::Text => "text",
            LabelType::Url => "a valid URL",
            LabelType::Semver => "a semantic version (`1.2.3`)",
            LabelType::Hash => "a git commit hash (7 or 40 lower-case hex digits)",
            LabelType::Rfc3339 => "an RFC 3339 time (`2024-06-01T12:00:00Z`)",
            LabelType::Spdx => "an SPDX license expression (`MIT`, `Apache-2.0 OR MIT`)",
            LabelType::Email => "an email address",
        }
    }
}

/// What is wrong with a label key, if anything.
fn key_problem(key: &str) -> Option<&'static str> {
    if !key.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Some("must start with a lower-case letter");
    }
    if !key.ends_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()) {
        return Some("must end with a lower-case letter or a digit");
    }
    if !key
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_/".contains(c))
    {
        return Some("may hold only lower-case letters, digits, `.`, `-`, `_` and `/`");
    }
    if ["com.docker.", "io.docker.", "org.dockerproject."]
        .iter()
        .any(|ns| key.starts_with(ns))
    {
        return Some("is in a namespace reserved for Docker");
    }
    if key.contains("..") || key.contains("--") {
        return Some("must not repeat `.` or `-`");
    }
    None
}

/// A `LABEL` pair, expanded.
struct Label {
    id: InstructionId,
    key: String,
    key_range: std::ops::Range<usize>,
    /// `None` when the value depends on a variable the base image may set.
    value: Option<String>,
    value_range: std::ops::Range<usize>,
}

fn labels(ctx: &Context<'_>) -> Vec<Label> {
    let mut out = Vec::new();
    for (id, ins) in ctx.instructions_of(InstructionKind::Label) {
        let unknown_base = ctx.state(id).is_some_and(|s| !s.base_env_known);
        for pair in ins.pairs() {
            let Some(Ok(key)) = ctx.model.expand_at(id, &pair.key.value) else {
                continue;
            };
            if unknown_base && !key.unset().is_empty() {
                continue;
            }
            let value = match &pair.value {
                Some(v) => match ctx.model.expand_at(id, &v.value) {
                    Some(Ok(e)) if !unknown_base || e.unset().is_empty() => Some(e.value),
                    _ => None,
                },
                None => Some(String::new()),
            };
            out.push(Label {
                id,
                key: key.value,
                key_range: span(pair.key.range),
                value,
                value_range: span(pair.value.as_ref().map_or(pair.range, |v| v.range)),
            });
        }
    }
    out
}

impl Check for InvalidLabel {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let labels = labels(ctx);
        for label in &labels {
            if let Some(problem) = key_problem(&label.key) {
                out.report(
                    label.key_range.clone(),
                    format!("label key `{}` {problem}", label.key),
                )
                .help("use a lower-case reverse-DNS key such as `org.opencontainers.image.title`");
            }
        }
        let strict = ctx
            .option("invalid-label", "strict")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        let Some(table) = ctx
            .option("invalid-label", "schema")
            .and_then(|v| v.as_table())
        else {
            return;
        };
        let mut schema: Vec<(&str, LabelType)> = Vec::new();
        for (name, kind) in table {
            match kind.as_str().and_then(LabelType::parse) {
                Some(kind) => schema.push((name.as_str(), kind)),
                None => {
                    out.report(
                        0..0,
                        format!(
                            "the label schema gives `{name}` the type {kind}, which is not one \
                             of text, url, semver, hash, rfc3339, spdx, email"
                        ),
                    )
                    .help("fix `[rules.invalid-label] schema` in dockopt.toml");
                }
            }
        }
        for label in &labels {
            let Some(&(_, kind)) = schema.iter().find(|(n, _)| *n == label.key) else {
                if strict {
                    out.report(
                        label.key_range.clone(),
                        format!("label `{}` is not in the label schema", label.key),
                    )
                    .help("add it to the schema, or remove it");
                }
                continue;
            };
            let Some(value) = &label.value else {
                continue;
            };
            if value.is_empty() {
                out.report(
                    label.value_range.clone(),
                    format!("label `{}` is empty", label.key),
                )
                .help(format!("give it {}", kind.describe()));
            } else if !kind.accepts(value) {
                out.report(
                    label.value_range.clone(),
                    format!(
                        "label `{}` is `{value}`, which is not {}",
                        label.key,
                        kind.describe()
                    ),
                )
                .help(format!("give it {}", kind.describe()));
            }
        }
        // Every stage that nothing else uses is an image someone may build.
        for stage in ctx.model.stages() {
            if !ctx.model.dependents(stage.index).is_empty() {
                continue;
            }
            let lineage = stage_lineage(ctx, stage.index);
            let set_in = |name: &str| {
                labels.iter().any(|l| {
                    l.key == name
                        && ctx
                            .stage_of(l.id)
                            .is_some_and(|s| lineage.contains(&s.index))
                })
            };
            let missing: Vec<&str> = schema
                .iter()
                .map(|(n, _)| *n)
                .filter(|n| !set_in(n))
                .collect();
            if missing.is_empty() {
                continue;
            }
            let Some(from) = ctx.model.instruction(stage.from) else {
                continue;
            };
            let list: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            out.report(
                span(from.keyword_range()),
                format!(
                    "the stage `{}` does not set the label{} {} that the schema requires",
                    stage.display_name(),
                    if missing.len() == 1 { "" } else { "s" },
                    list.join(", ")
                ),
            )
            .help("add a `LABEL` for each");
        }
    }
}

// Validators for label values.

/// An absolute URI: `scheme:` followed by characters a URI may hold (RFC 3986).
fn is_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    if !scheme_ok {
        return false;
    }
    let bytes = rest.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3);
            if !hex.is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~:/?#[]@!$&'()*+,;=".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

/// `MAJOR.MINOR.PATCH[-pre][+build]` as semver.org defines it.
fn is_semver(value: &str) -> bool {
    let (rest, build) = match value.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (value, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let numeric = |s: &str| {
        !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))
    };
    let ident = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
    let parts: Vec<&str> = core.split('.').collect();
    if parts.len() != 3 || !parts.iter().all(|p| numeric(p)) {
        return false;
    }
    let pre_ok = pre.is_none_or(|p| {
        p.split('.').all(|id| {
            ident(id) && (!id.bytes().all(|b| b.is_ascii_digit()) || numeric(id))
        })
    });
    let build_ok = build.is_none_or(|b| b.split('.').all(ident));
    pre_ok && build_ok
}

/// A git commit: 7 or 40 lower-case hex digits.
fn is_git_hash(value: &str) -> bool {
    (value.len() == 7 || value.len() == 40)
        && value
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`.
fn is_rfc3339(value: &str) -> bool {
    let bytes = value.as_bytes();
    let num = |from: usize, len: usize| -> Option<u32> {
        let s = value.get(from..from + len)?;
        if !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let at = |i: usize, c: u8| bytes.get(i) == Some(&c);
    let (Some(year), Some(month), Some(day)) = (num(0, 4), num(5, 2), num(8, 2)) else {
        return false;
    };
    if !at(4, b'-') || !at(7, b'-') || !matches!(bytes.get(10), Some(b'T' | b't')) {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (num(11, 2), num(14, 2), num(17, 2)) else {
        return false;
    };
    if !at(13, b':') || !at(16, b':') {
        return false;
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 60 {
        return false;
    }
    let mut i = 19;
    if at(i, b'.') {
        let digits = bytes
            .get(i + 1..)
            .map_or(0, |r| r.iter().take_while(|b| b.is_ascii_digit()).count());
        if digits == 0 {
            return false;
        }
        i += 1 + digits;
    }
    match bytes.get(i) {
        Some(b'Z' | b'z') => i + 1 == bytes.len(),
        Some(b'+' | b'-') => {
            matches!((num(i + 1, 2), num(i + 4, 2)), (Some(h), Some(m)) if h < 24 && m < 60)
                && at(i + 3, b':')
                && i + 6 == bytes.len()
        }
        _ => false,
    }
}

/// An address `local@domain` (RFC 5322 dot-atom or quoted local part; a host name or an
/// address literal as the domain).
fn is_email(value: &str) -> bool {
    let Some((local, domain)) = value.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    let dot_atom = |s: &str| !s.is_empty() && s.split('.').all(|p| !p.is_empty() && p.chars().all(atext));
    let local_ok = if local.len() >= 2 && local.starts_with('"') && local.ends_with('"') {
        local[1..local.len() - 1]
            .chars()
            .all(|c| c.is_ascii() && !c.is_ascii_control())
    } else {
        dot_atom(local)
    };
    let domain_ok = if domain.starts_with('[') && domain.ends_with(']') {
        domain.len() > 2
    } else {
        !domain.is_empty()
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !label.starts_with('-')
                    && !label.ends_with('-')
            })
    };
    local_ok && domain_ok && local.len() <= 64 && value.len() <= 254
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn urls() {
        assert!(is_url("https://github.com/org/repo"));
        assert!(is_url("mailto:a@b.c"));
        assert!(!is_url("github.com/org/repo"));
        assert!(!is_url("https://exa mple.com"));
        assert!(!is_url("1http://x"));
    }

    #[test]
    fn semvers() {
        assert!(is_semver("1.2.3"));
        assert!(is_semver("1.0.0-alpha.1+build.5"));
        assert!(!is_semver("v1.2.3"));
        assert!(!is_semver("1.2"));
        assert!(!is_semver("01.2.3"));
        assert!(!is_semver("1.2.3-01"));
    }

    #[test]
    fn hashes() {
        assert!(is_git_hash("0123abc"));
        assert!(is_git_hash(&"a".repeat(40)));
        assert!(!is_git_hash("0123ABC"));
        assert!(!is_git_hash("0123ab"));
    }

    #[test]
    fn times() {
        assert!(is_rfc3339("2024-06-01T12:00:00Z"));
        assert!(is_rfc3339("2024-02-29T23:59:59.123+02:00"));
        assert!(!is_rfc3339("2023-02-29T00:00:00Z"));
        assert!(!is_rfc3339("2024-06-01"));
        assert!(!is_rfc3339("2024-06-01T12:00:00"));
        assert!(!is_rfc3339("yesterday"));
    }

    #[test]
    fn emails() {
        assert!(is_email("dev@example.com"));
        assert!(is_email("a.b+c@sub.example.org"));
        assert!(!is_email("dev team"));
        assert!(!is_email("a..b@example.com"));
        assert!(!is_email("a@-example.com"));
        assert!(!is_email("@example.com"));
    }
}

#[cfg(test)]
mod schema_tests {
    use std::collections::BTreeMap;
    use std::path::Path;

    use crate::selection::{Selection, SelectionSpec, Selector};
    use crate::{lint_source, LintSettings, ALL};

    /// The messages `invalid-label` gives on `text` with `options` as its config table.
    fn lint(text: &str, options: &str) -> Vec<String> {
        let spec = SelectionSpec {
            select: vec![Selector::Rules(vec!["invalid-label"])],
            ..Default::default()
        };
        let selection = Selection::resolve(&spec, ALL);
        let table: toml::Table = options.parse().expect("test config parses");
        let options = BTreeMap::from([("invalid-label", table)]);
        let settings = LintSettings {
            rules: ALL,
            selection: &selection,
            options: &options,
        };
        lint_source(Path::new("Dockerfile"), text, &settings)
            .findings
            .into_iter()
            .filter(|f| f.diagnostic.rule == "invalid-label")
            .map(|f| f.diagnostic.message)
            .collect()
    }

    const SCHEMA: &str = r#"
        schema = { maintainer = "email", "org.opencontainers.image.created" = "rfc3339", "org.opencontainers.image.source" = "url", "org.opencontainers.image.version" = "semver", "org.opencontainers.image.revision" = "hash", "org.opencontainers.image.licenses" = "spdx", "org.opencontainers.image.title" = "text" }
    "#;

    const GOOD_LABELS: &str = "LABEL maintainer=dev@example.com \\\n\
        org.opencontainers.image.created=2024-06-01T12:00:00Z \\\n\
        org.opencontainers.image.source=https://github.com/org/app \\\n\
        org.opencontainers.image.version=1.2.3 \\\n\
        org.opencontainers.image.revision=0123abc \\\n\
        org.opencontainers.image.licenses=\"Apache-2.0 OR MIT\" \\\n\
        org.opencontainers.image.title=app\n";

    #[test]
    fn a_stage_with_every_label_right_passes() {
        let text = format!("FROM alpine:3.20\n{GOOD_LABELS}");
        assert_eq!(lint(&text, SCHEMA), Vec::<String>::new());
    }

    #[test]
    fn each_type_is_checked() {
        let text = "FROM alpine:3.20\nLABEL maintainer=\"dev team\" \\\n\
            org.opencontainers.image.created=yesterday \\\n\
            org.opencontainers.image.source=github.com/org/app \\\n\
            org.opencontainers.image.version=v1.2 \\\n\
            org.opencontainers.image.revision=HEAD \\\n\
            org.opencontainers.image.licenses=\"Apache 2\" \\\n\
            org.opencontainers.image.title=\"\"\n";
        let messages = lint(text, SCHEMA);
        for expected in [
            "label `maintainer` is `dev team`, which is not an email address",
            "label `org.opencontainers.image.created` is `yesterday`, which is not an RFC 3339",
            "label `org.opencontainers.image.source` is `github.com/org/app`, which is not a valid URL",
            "label `org.opencontainers.image.version` is `v1.2`, which is not a semantic version",
            "label `org.opencontainers.image.revision` is `HEAD`, which is not a git commit hash",
            "label `org.opencontainers.image.licenses` is `Apache 2`, which is not an SPDX",
            "label `org.opencontainers.image.title` is empty",
        ] {
            assert!(
                messages.iter().any(|m| m.starts_with(expected)),
                "{expected:?} not in {messages:#?}"
            );
        }
        assert_eq!(messages.len(), 7, "{messages:#?}");
    }

    #[test]
    fn missing_labels_are_reported_on_stages_nothing_uses() {
        let text = format!(
            "FROM alpine:3.20 AS base\n{GOOD_LABELS}FROM base AS app\nRUN true\n\
             FROM golang:1.23 AS build\nRUN go build ./...\n\
             FROM alpine:3.20\nCOPY --from=build /out /app\n\
             LABEL maintainer=dev@example.com\n"
        );
        let messages = lint(&text, SCHEMA);
        assert_eq!(messages.len(), 1, "{messages:#?}");
        assert!(messages[0].starts_with("the stage `stage-3` does not set the labels"));
        assert!(!messages[0].contains("`maintainer`"));
    }

    #[test]
    fn strict_reports_labels_outside_the_schema() {
        let text = format!("FROM alpine:3.20\n{GOOD_LABELS}LABEL extra=1\n");
        let strict = format!("{SCHEMA}\nstrict = true\n");
        assert_eq!(
            lint(&text, &strict),
            vec!["label `extra` is not in the label schema".to_string()]
        );
        assert_eq!(lint(&text, SCHEMA), Vec::<String>::new());
    }

    #[test]
    fn an_unknown_type_in_the_schema_is_reported() {
        let messages = lint(
            "FROM alpine:3.20\nLABEL a=1\n",
            "schema = { a = \"number\" }",
        );
        assert!(
            messages.iter().any(|m| m.contains("gives `a` the type \"number\"")),
            "{messages:#?}"
        );
    }

    #[test]
    fn values_from_variables_are_expanded() {
        let text = "FROM alpine:3.20\nARG VERSION=1.0\n\
            LABEL org.opencontainers.image.version=$VERSION\n";
        let messages = lint(text, "schema = { \"org.opencontainers.image.version\" = \"semver\" }");
        assert_eq!(
            messages,
            vec![
                "label `org.opencontainers.image.version` is `1.0`, which is not a semantic \
                 version (`1.2.3`)"
                    .to_string()
            ]
        );
    }
}
