//! Inline suppressions: `# dockopt ignore=NAME[,NAME]` for the next instruction,
//! `# dockopt global ignore=...` for the whole file, BuildKit's `# check=skip=...`
//! directive, and hadolint's `# hadolint ignore=...` / `# hadolint global ignore=...`.

use std::ops::Range;

use dockopt_syntax::{Parse, SyntaxKind};

use crate::foreign_ids;
use crate::selection::Selector;
use crate::Rule;

/// The suppressions of one file.
#[derive(Debug, Default)]
pub struct Pragmas {
    global: Vec<&'static str>,
    /// Rules ignored within an instruction's byte range.
    scoped: Vec<(Range<usize>, Vec<&'static str>)>,
    /// ShellCheck codes (`SC2086`) ignored, globally or within a range.
    shellcheck: Vec<(Option<Range<usize>>, String)>,
    /// Names no rule answers to and no other tool uses: (where, the name).
    pub unknown: Vec<(Range<usize>, String)>,
}

impl Pragmas {
    pub fn collect(parse: &Parse, rules: &[&'static dyn Rule]) -> Pragmas {
        let mut pragmas = Pragmas::default();
        let text = parse.text();
        let instructions: Vec<Range<usize>> = parse
            .dockerfile()
            .instructions()
            .map(|i| usize::from(i.range().start())..usize::from(i.range().end()))
            .collect();
        for directive in parse.dockerfile().directives() {
            if directive.name == "check" {
                pragmas.add_check_directive(&directive.value, directive_range(directive), rules);
            }
        }
        for token in parse
            .syntax()
            .descendants_with_tokens()
            .filter_map(|e| e.into_token())
            .filter(|t| t.kind() == SyntaxKind::COMMENT)
        {
            let range =
                usize::from(token.text_range().start())..usize::from(token.text_range().end());
            let Some(comment) = text.get(range.clone()) else {
                continue;
            };
            let body = comment.trim_start_matches('#').trim();
            let Some((tool, rest)) = body.split_once(char::is_whitespace) else {
                continue;
            };
            if !tool.eq_ignore_ascii_case("dockopt") && !tool.eq_ignore_ascii_case("hadolint") {
                continue;
            }
            let rest = rest.trim();
            let (global, rest) = match rest.strip_prefix("global") {
                Some(after) if after.starts_with(char::is_whitespace) => (true, after.trim_start()),
                _ => (false, rest),
            };
            let Some(list) = rest.strip_prefix("ignore=") else {
                continue;
            };
            let scope = if global {
                None
            } else {
                match instructions.iter().find(|i| i.start >= range.end) {
                    Some(next) => Some(next.clone()),
                    None => continue,
                }
            };
            let list_start =
                range.end - comment.len() + comment.find("ignore=").unwrap_or(0) + "ignore=".len();
            pragmas.add(list, list_start, scope, rules);
        }
        pragmas
    }

    fn add(
        &mut self,
        list: &str,
        list_start: usize,
        scope: Option<Range<usize>>,
        rules: &[&'static dyn Rule],
    ) {
        let list = ignore_list(list);
        let mut offset = list_start;
        for raw in list.split(',') {
            let name = raw.trim();
            let name_start = offset + (raw.len() - raw.trim_start().len());
            offset += raw.len() + 1;
            if name.is_empty() {
                continue;
            }
            if is_shellcheck_code(name) {
                self.shellcheck
                    .push((scope.clone(), name.to_ascii_uppercase()));
                continue;
            }
            match Selector::parse(name, rules) {
                Ok(selector) => {
                    let names = names_of(&selector, rules);
                    match &scope {
                        None => self.global.extend(names),
                        Some(range) => self.scoped.push((range.clone(), names)),
                    }
                }
                // An id of hadolint, BuildKit, Trivy or Checkov that dockopt has no rule
                // for: it silences a check dockopt does not make, which is not an error.
                Err(_) if foreign_ids::is_known(name) => {}
                Err(_) => self
                    .unknown
                    .push((name_start..name_start + name.len(), name.to_string())),
            }
        }
    }

    /// `# check=skip=A,B;error=true`: skip the named BuildKit checks, or all of them.
    fn add_check_directive(
        &mut self,
        value: &str,
        range: Range<usize>,
        rules: &[&'static dyn Rule],
    ) {
        for part in value.split(';') {
            let Some(list) = part.trim().strip_prefix("skip=") else {
                continue;
            };
            for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                if name.eq_ignore_ascii_case("all") {
                    self.global.extend(
                        rules
                            .iter()
                            .filter(|r| r.meta().aliases.iter().any(|a| is_buildkit_check(a)))
                            .map(|r| r.meta().name),
                    );
                    continue;
                }
                match Selector::parse(name, rules) {
                    Ok(selector) => self.global.extend(names_of(&selector, rules)),
                    Err(_) if foreign_ids::is_known(name) => {}
                    Err(_) => self.unknown.push((range.clone(), name.to_string())),
                }
            }
        }
    }

    /// Whether a finding of `rule` at `range` is suppressed.
    pub fn suppresses(&self, rule: &str, range: &Range<usize>) -> bool {
        if is_shellcheck_code(rule) {
            return self.shellcheck.iter().any(|(scope, code)| {
                code.eq_ignore_ascii_case(rule)
                    && scope
                        .as_ref()
                        .is_none_or(|s| s.start <= range.start && range.start < s.end)
            });
        }
        self.global.contains(&rule)
            || self.scoped.iter().any(|(scope, names)| {
                scope.start <= range.start && range.start < scope.end && names.contains(&rule)
            })
    }
}

fn directive_range(directive: &dockopt_syntax::Directive) -> Range<usize> {
    usize::from(directive.value_range.start())..usize::from(directive.value_range.end())
}

/// The list of names after `ignore=`, without a trailing comment: hadolint allows
/// `# hadolint ignore=DL3003,SC1035 # because ...`, and only the first word is the list.
fn ignore_list(rest: &str) -> &str {
    let end = rest.find('#').unwrap_or(rest.len());
    let list = rest.get(..end).unwrap_or(rest);
    // `a, b` is one list; `a, b because ...` ends at the first word not followed by a comma.
    let mut cut = list.len();
    let mut after_comma = true;
    let mut in_word = false;
    for (i, c) in list.char_indices() {
        if c == ',' {
            after_comma = true;
            in_word = false;
        } else if c.is_whitespace() {
            if in_word {
                after_comma = false;
                in_word = false;
            }
        } else {
            if !after_comma && !in_word {
                cut = i;
                break;
            }
            in_word = true;
        }
    }
    list.get(..cut).unwrap_or(list)
}

fn names_of(selector: &Selector, rules: &[&'static dyn Rule]) -> Vec<&'static str> {
    match selector {
        Selector::Rules(names) => names.clone(),
        Selector::ShellCheck(_) => Vec::new(),
        Selector::All => rules.iter().map(|r| r.meta().name).collect(),
        Selector::Group(group) => rules
            .iter()
            .filter(|r| r.meta().group == *group)
            .map(|r| r.meta().name)
            .collect(),
    }
}

/// `SC` and four digits.
pub fn is_shellcheck_code(name: &str) -> bool {
    name.len() == 6
        && name.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("SC"))
        && name.bytes().skip(2).all(|b| b.is_ascii_digit())
}

/// BuildKit's check names are CamelCase words (`JSONArgsRecommended`), unlike the ids of
/// hadolint (`DL3008`), Trivy (`DS-0001`) and Checkov (`CKV_DOCKER_1`).
fn is_buildkit_check(alias: &str) -> bool {
    alias.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && alias.chars().any(|c| c.is_ascii_lowercase())
        && alias.chars().all(|c| c.is_ascii_alphanumeric())
}
