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
        Selection { levels }
    }

    /// The level `rule` reports at, or `None` when it does not run.
    pub fn level(&self, rule: &str) -> Option<Level> {
        self.levels.get(rule).copied()
    }

    pub fn is_enabled(&self, rule: &str) -> bool {
        self.levels.contains_key(rule)
    }
}
