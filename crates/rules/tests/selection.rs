//! Selection and config resolution, on rules declared here so the tests do not depend on
//! which rules ship.

use dockopt_rules::config::Config;
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{declare_rule, Check, Context, Findings, Level, Rule};

declare_rule! {
    /// ## What it does
    /// Test rule A.
    pub struct SpeedA {
        name: "speed-a",
        group: Speed,
        level: Warning,
        aliases: ["DL1000", "SharedAlias"],
        fix: Safe,
        summary: "speed rule a",
    }
}

declare_rule! {
    /// Test rule B, opt-in.
    pub struct SpeedOptIn {
        name: "speed-opt-in",
        group: Speed,
        level: Off,
        aliases: ["SharedAlias"],
        fix: None,
        summary: "speed rule, off by default",
    }
}

declare_rule! {
    /// Test rule C.
    pub struct SecurityC {
        name: "security-c",
        group: Security,
        level: Error,
        aliases: [],
        fix: None,
        summary: "security rule c",
    }
}

impl Check for SpeedA {
    fn check(&self, _: &Context<'_>, _: &mut Findings) {}
}
impl Check for SpeedOptIn {
    fn check(&self, _: &Context<'_>, _: &mut Findings) {}
}
impl Check for SecurityC {
    fn check(&self, _: &Context<'_>, _: &mut Findings) {}
}

static RULES: &[&dyn Rule] = &[&SpeedA, &SpeedOptIn, &SecurityC];

fn sel(names: &[&str]) -> Vec<Selector> {
    names
        .iter()
        .map(|n| Selector::parse(n, RULES).unwrap())
        .collect()
}

fn enabled(selection: &Selection) -> Vec<&'static str> {
    RULES
        .iter()
        .map(|r| r.meta().name)
        .filter(|n| selection.is_enabled(n))
        .collect()
}

#[test]
fn defaults_leave_opt_in_rules_off() {
    let s = Selection::resolve(&SelectionSpec::default(), RULES);
    assert_eq!(enabled(&s), ["speed-a", "security-c"]);
    assert_eq!(s.level("security-c"), Some(Level::Error));
}

#[test]
fn a_group_selects_its_default_rules_and_a_name_its_opt_in_rule() {
    let spec = SelectionSpec {
        select: sel(&["speed"]),
        ..Default::default()
    };
    assert_eq!(enabled(&Selection::resolve(&spec, RULES)), ["speed-a"]);
    let spec = SelectionSpec {
        select: sel(&["speed-opt-in"]),
        ..Default::default()
    };
    assert_eq!(enabled(&Selection::resolve(&spec, RULES)), ["speed-opt-in"]);
    let spec = SelectionSpec {
        select: sel(&["ALL"]),
        ..Default::default()
    };
    assert_eq!(enabled(&Selection::resolve(&spec, RULES)).len(), 3);
}

#[test]
fn aliases_select_and_ignore_every_rule_they_stand_for() {
    assert_eq!(
        Selector::parse("sharedalias", RULES).unwrap(),
        Selector::Rules(vec!["speed-a", "speed-opt-in"])
    );
    let spec = SelectionSpec {
        ignore: sel(&["DL1000"]),
        ..Default::default()
    };
    assert_eq!(enabled(&Selection::resolve(&spec, RULES)), ["security-c"]);
    let err = Selector::parse("DL9999", RULES).unwrap_err();
    assert!(err.to_string().contains("DL9999"));
}

#[test]
fn config_levels_override_defaults_and_enable_opt_in_rules_by_name() {
    let config = Config::parse(
        "ignore = [\"security\"]\n[rules]\nspeed-a = \"error\"\nspeed-opt-in = { level = \"info\", limit = 3 }\n",
        RULES,
    )
    .unwrap();
    let s = Selection::resolve(
        &config.spec_for("Dockerfile".as_ref(), &SelectionSpec::default()),
        RULES,
    );
    assert_eq!(enabled(&s), ["speed-a", "speed-opt-in"]);
    assert_eq!(s.level("speed-a"), Some(Level::Error));
    assert_eq!(s.level("speed-opt-in"), Some(Level::Info));
    assert_eq!(
        config.options["speed-opt-in"]["limit"].as_integer(),
        Some(3)
    );
}

#[test]
fn overrides_apply_to_matching_paths_and_the_command_line_wins() {
    let config = Config::parse(
        "[[overrides]]\nfiles = [\"legacy/**\"]\nignore = [\"speed-a\"]\n",
        RULES,
    )
    .unwrap();
    let none = SelectionSpec::default();
    let legacy = Selection::resolve(
        &config.spec_for("legacy/app/Dockerfile".as_ref(), &none),
        RULES,
    );
    assert_eq!(enabled(&legacy), ["security-c"]);
    let other = Selection::resolve(&config.spec_for("app/Dockerfile".as_ref(), &none), RULES);
    assert_eq!(enabled(&other), ["speed-a", "security-c"]);
    let cli = SelectionSpec {
        select: sel(&["security-c"]),
        ..Default::default()
    };
    let chosen = Selection::resolve(&config.spec_for("app/Dockerfile".as_ref(), &cli), RULES);
    assert_eq!(enabled(&chosen), ["security-c"]);
}

#[test]
fn bad_configs_name_the_key() {
    let err = Config::parse("selec = []\n", RULES).unwrap_err();
    assert!(err.0.contains("selec"), "{}", err.0);
    let err = Config::parse("ignore = [\"nope\"]\n", RULES).unwrap_err();
    assert!(
        err.0.contains("`ignore`") && err.0.contains("nope"),
        "{}",
        err.0
    );
    let err = Config::parse("[rules]\nspeed-a = \"loud\"\n", RULES).unwrap_err();
    assert!(
        err.0.contains("rules.speed-a") && err.0.contains("loud"),
        "{}",
        err.0
    );
    let err = Config::parse("failure-level = 3\n", RULES).unwrap_err();
    assert!(err.0.contains("failure-level"), "{}", err.0);
    let err = Config::parse("[[overrides]]\nfiles = [\"[\"]\n", RULES).unwrap_err();
    assert!(err.0.contains("overrides[0].files"), "{}", err.0);
}

#[test]
fn documentation_comes_from_the_doc_comment() {
    let doc = SpeedA.meta().documentation();
    assert_eq!(doc, "## What it does\nTest rule A.\n");
}
