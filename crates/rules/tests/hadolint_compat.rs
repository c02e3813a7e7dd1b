//! What a hadolint user brings along: `# hadolint ignore=` comments, `.hadolint.yaml`, and
//! the ids of hadolint, BuildKit, Trivy and Checkov checks.

use std::collections::BTreeMap;
use std::path::Path;

use dockopt_rules::config::Config;
use dockopt_rules::foreign_ids::{self, Tool};
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{hadolint_config, lint_source, Level, LintSettings, ALL};

/// The tool whose id shape `alias` has, if it looks like a foreign id at all.
fn shape(alias: &str) -> Option<Tool> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if alias.strip_prefix("DL").is_some_and(digits) {
        Some(Tool::Hadolint)
    } else if alias.strip_prefix("DS-").is_some_and(digits) {
        Some(Tool::Trivy)
    } else if alias.starts_with("CKV") {
        Some(Tool::Checkov)
    } else if alias.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && alias.chars().all(|c| c.is_ascii_alphanumeric())
    {
        Some(Tool::BuildKit)
    } else {
        None
    }
}

#[test]
fn every_alias_a_rule_declares_is_a_known_id_of_its_tool() {
    let mut wrong = Vec::new();
    for rule in ALL {
        for alias in rule.meta().aliases {
            match (shape(alias), foreign_ids::lookup(alias)) {
                (Some(tool), Some(known)) if known.tool == tool && known.id == *alias => {}
                (_, known) => wrong.push(format!(
                    "{}: alias `{alias}` ({})",
                    rule.meta().name,
                    known.map_or("not in the table of known ids".to_string(), |k| format!(
                        "the table has `{}` of {}",
                        k.id, k.tool
                    ))
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_table_holds_each_id_once_and_every_hadolint_2_15_rule() {
    let mut seen = std::collections::BTreeSet::new();
    for f in foreign_ids::FOREIGN_IDS {
        assert!(seen.insert(f.id.to_ascii_lowercase()), "{} twice", f.id);
        assert_eq!(
            shape(f.id),
            Some(f.tool),
            "{} is not shaped like a {} id",
            f.id,
            f.tool
        );
    }
    // The DL ids hadolint 2.15 reports: DL1000 (parse error), DL1001, DL3000-DL3067 less
    // the retired ones, DL4000-DL4006 less DL4002.
    let hadolint: Vec<&str> = foreign_ids::of_tool(Tool::Hadolint)
        .filter(|f| !f.retired)
        .map(|f| f.id)
        .collect();
    assert_eq!(hadolint.len(), 72, "{hadolint:?}");
    for id in [
        "DL1000", "DL1001", "DL3026", "DL3047", "DL3059", "DL3067", "DL4005", "DL4006",
    ] {
        assert!(hadolint.contains(&id), "{id}");
    }
    assert_eq!(foreign_ids::of_tool(Tool::BuildKit).count(), 22);
}

fn lint_with_invalid_pragma(text: &str) -> Vec<String> {
    let spec = SelectionSpec {
        select: vec![Selector::parse("invalid-pragma", ALL).unwrap()],
        ..SelectionSpec::default()
    };
    let selection = Selection::resolve(&spec, ALL);
    let options = BTreeMap::new();
    let settings = LintSettings {
        rules: ALL,
        selection: &selection,
        options: &options,
    };
    let lint = lint_source(Path::new("Dockerfile"), text, &settings);
    assert!(lint.errors.is_empty(), "{:?}", lint.errors);
    lint.findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            format!("{} {}", d.rule, text.get(d.range.clone()).unwrap_or("?"))
        })
        .collect()
}

#[test]
fn hadolint_ids_without_a_dockopt_rule_are_valid_suppressions() {
    let text = "\
# hadolint global ignore=DL3059,DL4005,SC2086
FROM alpine:3.20
# hadolint ignore=DL3047,DL3026 # we accept these because the mirror is ours
RUN wget -O /x https://example.com/x
# dockopt ignore=CopyIgnoredFile, DL3045
COPY x y
# check=skip=InvalidBaseImagePlatform
";
    assert_eq!(lint_with_invalid_pragma(text), Vec::<String>::new());
}

#[test]
fn names_no_tool_has_are_still_reported() {
    let text = "\
# hadolint ignore=DL3008,DL9999 trailing words are a comment
FROM alpine:3.20
# dockopt ignore=runs-as-rot
RUN true
";
    assert_eq!(
        lint_with_invalid_pragma(text),
        vec!["invalid-pragma DL9999", "invalid-pragma runs-as-rot"]
    );
}

fn resolve(config: &Config) -> Selection {
    Selection::resolve(
        &config.spec_for(Path::new("Dockerfile"), &SelectionSpec::default()),
        ALL,
    )
}

/// A `.hadolint.yaml` as projects write them.
const PROJECT_CONFIG: &str = "\
# hadolint settings for the monorepo
failure-threshold: warning
ignored:
  - DL3008        # pinning apt packages is not our policy
  - DL3059
  - SC2086
override:
  error:
    - DL3002
    - SC2154
  info:
    - DL3006
  style:
    - DL4006
label-schema:
  maintainer: email
  org.opencontainers.image.created: rfc3339
strict-labels: true
trustedRegistries:
  - docker.io
  - \"*.gcr.io\"
no-color: true
";

#[test]
fn a_project_hadolint_yaml_takes_effect() {
    let config = hadolint_config::parse(PROJECT_CONFIG, ALL).unwrap();
    let selection = resolve(&config);
    assert_eq!(config.failure_level, Some(Level::Warning));
    assert!(!config.never_fail);
    // DL3008 is `unpinned-os-package`, an opt-in rule: ignored keeps it off.
    assert_eq!(selection.level("unpinned-os-package"), None);
    assert_eq!(selection.level("runs-as-root"), Some(Level::Error));
    assert_eq!(selection.level("base-image-unpinned"), Some(Level::Info));
    assert_eq!(selection.level("missing-pipefail"), Some(Level::Info));
    // ShellCheck codes: ignored, and given a level.
    assert_eq!(selection.shellcheck_level("SC2086", Level::Info), None);
    assert_eq!(
        selection.shellcheck_level("SC2154", Level::Warning),
        Some(Level::Error)
    );
    assert_eq!(
        selection.shellcheck_level("SC2046", Level::Warning),
        Some(Level::Warning)
    );
    // The label schema feeds `invalid-label`, which it turns on.
    assert_eq!(selection.level("invalid-label"), Some(Level::Warning));
    let options = &config.options["invalid-label"];
    assert_eq!(options["strict"].as_bool(), Some(true));
    let schema = options["schema"].as_table().unwrap();
    assert_eq!(schema["maintainer"].as_str(), Some("email"));
    assert_eq!(
        schema["org.opencontainers.image.created"].as_str(),
        Some("rfc3339")
    );
    // What dockopt does not do is said, not dropped.
    assert_eq!(config.warnings.len(), 2, "{:?}", config.warnings);
    assert!(config.warnings[0].contains("trustedRegistries"));
    assert!(config.warnings[0].contains("DL3026"));
    assert!(config.warnings[1].contains("no-color"));
}

#[test]
fn the_label_schema_reaches_the_rule() {
    let config = hadolint_config::parse(
        "label-schema:\n  maintainer: email\n  version: semver\n",
        ALL,
    )
    .unwrap();
    let selection = resolve(&config);
    let settings = LintSettings {
        rules: ALL,
        selection: &selection,
        options: &config.options,
    };
    let text = "FROM alpine:3.20\nLABEL maintainer=\"nobody\" version=\"1.2.3\"\n";
    let lint = lint_source(Path::new("Dockerfile"), text, &settings);
    let labels: Vec<&str> = lint
        .findings
        .iter()
        .filter(|f| f.diagnostic.rule == "invalid-label")
        .map(|f| f.diagnostic.message.as_str())
        .collect();
    assert_eq!(labels.len(), 1, "{labels:?}");
    assert!(labels[0].contains("maintainer"), "{labels:?}");
}

#[test]
fn failure_threshold_none_and_no_fail_never_fail() {
    for text in [
        "failure-threshold: none\n",
        "failure-threshold: ignore\n",
        "no-fail: true\n",
    ] {
        let config = hadolint_config::parse(text, ALL).unwrap();
        assert!(config.never_fail, "{text}");
    }
    let config = hadolint_config::parse("failure-threshold: style\n", ALL).unwrap();
    assert_eq!(config.failure_level, Some(Level::Info));
}

#[test]
fn empty_and_unknown_entries() {
    let config = hadolint_config::parse("", ALL).unwrap();
    assert!(config.warnings.is_empty());
    let config = hadolint_config::parse(
        "ignored: [DL3026, DL9999, DL3010]\nverbose: true\noverride:\n  fatal: [DL3000]\n",
        ALL,
    )
    .unwrap();
    // DL3026 and DL3010 are real hadolint checks dockopt does not make: nothing to say.
    assert_eq!(config.warnings.len(), 3, "{:?}", config.warnings);
    assert!(config.warnings[0].contains("DL9999"));
    assert!(config.warnings[1].contains("verbose"));
    assert!(config.warnings[2].contains("override.fatal"));
}

#[test]
fn bad_config_errors_name_the_key() {
    let err = hadolint_config::parse("ignored: {a: b}\n", ALL).unwrap_err();
    assert!(err.0.contains("`ignored`"), "{err}");
    let err = hadolint_config::parse("failure-threshold: loud\n", ALL).unwrap_err();
    assert!(err.0.contains("`failure-threshold`"), "{err}");
    let err = hadolint_config::parse("strict-labels: maybe\n", ALL).unwrap_err();
    assert!(err.0.contains("`strict-labels`"), "{err}");
    let err = hadolint_config::parse("ignored: [DL3000\n", ALL).unwrap_err();
    assert!(err.0.contains("not valid YAML"), "{err}");
    assert!(err.0.contains("line"), "{err}");
    let err = hadolint_config::parse("- DL3000\n", ALL).unwrap_err();
    assert!(err.0.contains("mapping"), "{err}");
}

#[test]
fn discovery_prefers_the_nearest_config_and_dockopt_toml_in_one_folder() {
    let root = tempfile::tempdir().unwrap();
    let sub = root.path().join("svc/api");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(root.path().join("dockopt.toml"), "").unwrap();
    std::fs::write(root.path().join("svc/.hadolint.yml"), "ignored: [DL3006]\n").unwrap();
    assert_eq!(
        Config::discover_any(&sub),
        Some(root.path().join("svc/.hadolint.yml"))
    );
    std::fs::write(root.path().join("svc/dockopt.toml"), "").unwrap();
    assert_eq!(
        Config::discover_any(&sub),
        Some(root.path().join("svc/dockopt.toml"))
    );
    let loaded = Config::load_any(&root.path().join("svc/.hadolint.yml"), ALL).unwrap();
    assert_eq!(
        loaded.spec.ignore,
        vec![Selector::Rules(vec!["base-image-unpinned"])]
    );
}

#[test]
fn shellcheck_codes_follow_select_and_ignore() {
    let parse = |names: &[&str]| -> Vec<Selector> {
        names
            .iter()
            .map(|n| Selector::parse(n, ALL).unwrap())
            .collect()
    };
    let default = Selection::resolve(&SelectionSpec::default(), ALL);
    assert!(default.shellcheck_may_report());
    assert_eq!(
        default.shellcheck_level("SC2086", Level::Info),
        Some(Level::Info)
    );
    let only_security = Selection::resolve(
        &SelectionSpec {
            select: parse(&["security"]),
            ..SelectionSpec::default()
        },
        ALL,
    );
    assert!(!only_security.shellcheck_may_report());
    assert_eq!(only_security.shellcheck_level("SC2086", Level::Info), None);
    let one_code = Selection::resolve(
        &SelectionSpec {
            select: parse(&["sudo", "sc2086"]),
            ..SelectionSpec::default()
        },
        ALL,
    );
    assert!(one_code.shellcheck_may_report());
    assert_eq!(
        one_code.shellcheck_level("SC2086", Level::Info),
        Some(Level::Info)
    );
    assert_eq!(one_code.shellcheck_level("SC2154", Level::Warning), None);
    let all_but = Selection::resolve(
        &SelectionSpec {
            select: parse(&["all"]),
            ignore: parse(&["SC2086"]),
            ..SelectionSpec::default()
        },
        ALL,
    );
    assert_eq!(all_but.shellcheck_level("SC2086", Level::Info), None);
    assert_eq!(
        all_but.shellcheck_level("SC2154", Level::Warning),
        Some(Level::Warning)
    );
    let no_correctness = Selection::resolve(
        &SelectionSpec {
            ignore: parse(&["correctness"]),
            ..SelectionSpec::default()
        },
        ALL,
    );
    assert!(!no_correctness.shellcheck_may_report());
}
