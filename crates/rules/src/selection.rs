//! Which rules run, and at which level: `--select`, `--ignore`, config levels.

use std::collections::BTreeMap;

use dockopt_diagnostic::{Group, Level};

use crate::{DefaultLevel, Rule};

/// What a user may name in `--select`, `--ignore`, config and pragmas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// Every rule, opt-in ones included.
    All,
    Group(Group),
    /// One or more rules, by name or by an alias (an alias may stand for several rules).
    Rules(Vec<&'static str>),
    /// A ShellCheck code (`SC2086`, upper case): the findings ShellCheck reports with it.
    ShellCheck(String),
}

/// An unknown rule, group or alias.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownSelector(pub String);

impl std::fmt::Display for UnknownSelector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown rule, group or alias `{}` (see `dockopt rules`)",
            self.0
        )
    }
}

impl std::error::Error for UnknownSelector {}

impl Selector {
    /// Parses a rule name, a group name, an alias (`DL3008`, `JSONArgsRecommended`, ...), or
    /// `all`. Names and groups are case-insensitive; so are aliases.
    pub fn parse(text: &str, rules: &[&'static dyn Rule]) -> Result<Selector, UnknownSelector> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(Selector::All);
        }
        if let Some(group) = Group::parse(text) {
            return Ok(Selector::Group(group));
        }
        if crate::is_shellcheck_code(text) {
            return Ok(Selector::ShellCheck(text.to_ascii_uppercase()));
        }
        if let Some(rule) = rules
            .iter()
            .find(|r| r.meta().name.eq_ignore_ascii_case(text))
        {
            return Ok(Selector::Rules(vec![rule.meta().name]));
        }
        let by_alias: Vec<&'static str> = rules
            .iter()
            .filter(|r| {
                r.meta()
                    .aliases
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(text))
            })
            .map(|r| r.meta().name)
            .collect();
        if by_alias.is_empty() {
            Err(UnknownSelector(text.to_string()))
        } else {
            Ok(Selector::Rules(by_alias))
        }
    }

    /// Whether the selector names `rule`. A group leaves its opt-in rules out unless
    /// `include_opt_in`; `all` and a rule named explicitly always include it.
    fn matches(&self, rule: &dyn Rule, include_opt_in: bool) -> bool {
        let meta = rule.meta();
        match self {
            Selector::All => true,
            Selector::Group(group) => {
                meta.group == *group && (include_opt_in || meta.level != DefaultLevel::Off)
            }
            Selector::Rules(names) => names.contains(&meta.name),
            Selector::ShellCheck(_) => false,
        }
    }

    /// Whether the selector covers the ShellCheck findings with `code`: they count as
    /// findings of the correctness group that run by default.
    fn matches_shellcheck(&self, code: &str) -> bool {
        match self {
            Selector::All => true,
            Selector::Group(group) => *group == Group::Correctness,
            Selector::Rules(_) => false,
            Selector::ShellCheck(c) => c.eq_ignore_ascii_case(code),
        }
    }

    fn names_explicitly(&self, rule: &dyn Rule) -> bool {
        matches!(self, Selector::Rules(names) if names.contains(&rule.meta().name))
    }
}

/// The rules that run on a file and the level each reports at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selection {
    levels: BTreeMap<&'static str, Level>,
    /// The choices that apply to ShellCheck findings, kept to decide per code.
    shellcheck: ShellCheckChoices,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct ShellCheckChoices {
    /// Whether `select` replaced the default set (then only what it names runs).
    select_given: bool,
    select: Vec<Selector>,
    extend_select: Vec<Selector>,
    ignore: Vec<Selector>,
    levels: Vec<(Selector, Option<Level>)>,
}

/// The user's choices, from the command line and config, before they are resolved.
#[derive(Debug, Clone, Default)]
pub struct SelectionSpec {
    /// Replaces the default set when not empty.
    pub select: Vec<Selector>,
    /// Added to the set.
    pub extend_select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    /// Per-rule level; `None` turns the rule off. A level enables an opt-in rule.
    pub levels: Vec<(Selector, Option<Level>)>,
}

impl Selection {
    pub fn resolve(spec: &SelectionSpec, rules: &[&'static dyn Rule]) -> Selection {
        let mut levels = BTreeMap::new();
        for rule in rules {
            let meta = rule.meta();
            let base = if spec.select.is_empty() {
                meta.level != DefaultLevel::Off
            } else {
                spec.select.iter().any(|s| s.matches(*rule, false))
            };
            let on = (base || spec.extend_select.iter().any(|s| s.matches(*rule, false)))
                && !spec.ignore.iter().any(|s| s.matches(*rule, true));
            let mut level = on.then(|| meta.enabled_level());
            for (selector, configured) in &spec.levels {
                // A level given by name can enable an opt-in rule; one given to a group or to
                // `all` only changes the rules that already run.
                if selector.names_explicitly(*rule)
                    || (level.is_some() && selector.matches(*rule, true))
                {
                    level = *configured;
                }
            }
            if let Some(level) = level {
                levels.insert(meta.name, level);
            }
        }
        let keep = |selectors: &[Selector]| -> Vec<Selector> {
            selectors
                .iter()
                .filter(|s| !matches!(s, Selector::Rules(_)))
                .cloned()
                .collect()
        };
        let shellcheck = ShellCheckChoices {
            select_given: !spec.select.is_empty(),
            select: keep(&spec.select),
            extend_select: keep(&spec.extend_select),
            ignore: keep(&spec.ignore),
            levels: spec
                .levels
                .iter()
                .filter(|(s, _)| !matches!(s, Selector::Rules(_)))
                .cloned()
                .collect(),
        };
        Selection { levels, shellcheck }
    }

    /// The level a ShellCheck finding with `code` reports at, given the level ShellCheck
    /// gave it, or `None` when it is not selected.
    pub fn shellcheck_level(&self, code: &str, native: Level) -> Option<Level> {
        let choices = &self.shellcheck;
        let base =
            !choices.select_given || choices.select.iter().any(|s| s.matches_shellcheck(code));
        let on = (base
            || choices
                .extend_select
                .iter()
                .any(|s| s.matches_shellcheck(code)))
            && !choices.ignore.iter().any(|s| s.matches_shellcheck(code));
        let mut level = on.then_some(native);
        for (selector, configured) in &choices.levels {
            let explicit =
                matches!(selector, Selector::ShellCheck(c) if c.eq_ignore_ascii_case(code));
            if explicit || (level.is_some() && selector.matches_shellcheck(code)) {
                level = *configured;
            }
        }
        level
    }

    /// Whether some ShellCheck finding could be reported at all, so running ShellCheck is
    /// worth it.
    pub fn shellcheck_may_report(&self) -> bool {
        let choices = &self.shellcheck;
        let any_code = |selectors: &[Selector]| {
            selectors.iter().any(|s| {
                matches!(s, Selector::All | Selector::ShellCheck(_))
                    || *s == Selector::Group(Group::Correctness)
            })
        };
        let ignored_all = choices
            .ignore
            .iter()
            .any(|s| matches!(s, Selector::All) || *s == Selector::Group(Group::Correctness));
        let enabled_by_level = choices
            .levels
            .iter()
            .any(|(s, level)| matches!(s, Selector::ShellCheck(_)) && level.is_some());
        enabled_by_level
            || (!ignored_all
                && (!choices.select_given
                    || any_code(&choices.select)
                    || any_code(&choices.extend_select)))
    }

    /// The level `rule` reports at, or `None` when it does not run.
    pub fn level(&self, rule: &str) -> Option<Level> {
        self.levels.get(rule).copied()
    }

    pub fn is_enabled(&self, rule: &str) -> bool {
        self.levels.contains_key(rule)
    }
}
