//! Every rule against its fixtures in `tests/fixtures/<rule-name>/`: each `bad*` file must
//! make the rule fire, each `good*` file must keep it silent. What the rule reports on the
//! bad files is kept as a snapshot beside them.
//!
//! Rules that compare files (group `across-files`) have directories instead: each `bad-*/`
//! and `good-*/` holds several `*.Dockerfile` files linted together as one repository.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockopt_report::{render, FileResult, Format, RenderOptions};
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{
    lint_source, lint_sources, Edit, FileLint, Finding, Fix, Group, LintSettings, Rule, SourceFile,
    ALL,
};

const MIN_BAD: usize = 3;
const MIN_GOOD: usize = 2;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn lint_with(rule: &'static dyn Rule, path: &Path) -> (String, FileLint) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let spec = SelectionSpec {
        select: vec![Selector::Rules(vec![rule.meta().name])],
        ..Default::default()
    };
    let selection = Selection::resolve(&spec, ALL);
    let options = BTreeMap::new();
    let settings = LintSettings {
        rules: ALL,
        selection: &selection,
        options: &options,
    };
    let lint = lint_source(path, &text, &settings);
    (text, lint)
}

fn files(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_file()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(prefix) && n.ends_with(".Dockerfile"))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn every_rule_fires_on_its_bad_fixtures_and_not_on_its_good_ones() {
    let mut problems = Vec::new();
    // DOCKOPT_RULES=a,b limits the run to those rules while they are being written.
    let only: Option<Vec<String>> = std::env::var("DOCKOPT_RULES")
        .ok()
        .map(|v| v.split(',').map(|s| s.trim().to_string()).collect());
    for rule in ALL {
        let name = rule.meta().name;
        if only
            .as_ref()
            .is_some_and(|only| !only.iter().any(|o| o == name))
        {
            continue;
        }
        let dir = fixtures_dir().join(name);
        if rule.meta().group == Group::AcrossFiles {
            let snapshot = check_file_sets(*rule, &dir, &mut problems);
            insta::with_settings!({
                snapshot_path => dir.join("snapshots"),
                prepend_module_to_snapshot => false,
                omit_expression => true,
            }, {
                insta::assert_snapshot!(name, snapshot);
            });
            continue;
        }
        let bad = files(&dir, "bad");
        let good = files(&dir, "good");
        if bad.len() < MIN_BAD || good.len() < MIN_GOOD {
            problems.push(format!(
                "{name}: needs at least {MIN_BAD} bad and {MIN_GOOD} good fixtures in {}, has {} and {}",
                dir.display(),
                bad.len(),
                good.len()
            ));
            continue;
        }
        let mut snapshot = String::new();
        for path in &bad {
            let (text, lint) = lint_with(*rule, path);
            let file_name = path.file_name().unwrap().to_string_lossy().to_string();
            if !lint.errors.is_empty() {
                problems.push(format!(
                    "{name}: {file_name} does not parse: {:?}",
                    lint.errors
                ));
                continue;
            }
            let diagnostics: Vec<_> = lint
                .findings
                .iter()
                .filter(|f| f.diagnostic.rule == name)
                .map(|f| f.diagnostic.clone())
                .collect();
            if diagnostics.is_empty() {
                problems.push(format!("{name}: does not fire on {file_name}"));
            }
            let fixes: Vec<&Fix> = lint
                .findings
                .iter()
                .filter(|f| f.diagnostic.rule == name)
                .filter_map(|f| f.fix.as_ref())
                .collect();
            snapshot.push_str(&format!("=== {file_name}\n"));
            snapshot.push_str(&render(
                Format::Human,
                &[FileResult {
                    path: &file_name,
                    source: &text,
                    diagnostics: &diagnostics,
                    errors: &[],
                }],
                &[],
                RenderOptions::default(),
            ));
            if !fixes.is_empty() {
                for fix in &fixes {
                    snapshot.push_str(&format!(
                        "fix ({}): {}\n",
                        fix.safety.as_str(),
                        fix.description
                    ));
                }
                let fixed = apply(&text, &fixes);
                let reparsed = dockopt_syntax::parse(&fixed);
                if !reparsed.errors().is_empty() {
                    problems.push(format!(
                        "{name}: the fix of {file_name} does not parse: {:?}",
                        reparsed.errors()
                    ));
                }
                snapshot.push_str("--- after the fixes:\n");
                snapshot.push_str(&fixed);
                if !fixed.ends_with('\n') {
                    snapshot.push('\n');
                }
            }
        }
        for path in &good {
            let (_, lint) = lint_with(*rule, path);
            let file_name = path.file_name().unwrap().to_string_lossy();
            if !lint.errors.is_empty() {
                problems.push(format!(
                    "{name}: {file_name} does not parse: {:?}",
                    lint.errors
                ));
            }
            for finding in lint.findings.iter().filter(|f| f.diagnostic.rule == name) {
                problems.push(format!(
                    "{name}: fires on {file_name} at bytes {:?}: {}",
                    finding.diagnostic.range, finding.diagnostic.message
                ));
            }
        }
        insta::with_settings!({
            snapshot_path => dir.join("snapshots"),
            prepend_module_to_snapshot => false,
            omit_expression => true,
        }, {
            insta::assert_snapshot!(name, snapshot);
        });
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

fn selection_of(rule: &'static dyn Rule) -> Selection {
    let spec = SelectionSpec {
        select: vec![Selector::Rules(vec![rule.meta().name])],
        ..Default::default()
    };
    Selection::resolve(&spec, ALL)
}

/// The directories of a rule's fixture sets whose names start with `prefix`.
fn sets(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.is_dir()
                        && p.file_name()
                            .and_then(|n| n.to_str())
                            .is_some_and(|n| n.starts_with(prefix))
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Lints the `*.Dockerfile` files of one fixture set together; returns each file's name
/// (`bad-x/a.Dockerfile`), text and findings of `rule`.
fn lint_set(
    rule: &'static dyn Rule,
    set: &Path,
    problems: &mut Vec<String>,
) -> Vec<(String, String, Vec<Finding>)> {
    let name = rule.meta().name;
    let set_name = set.file_name().unwrap().to_string_lossy().to_string();
    let paths = files(set, "");
    if paths.len() < 2 {
        problems.push(format!(
            "{name}: {set_name} needs at least 2 Dockerfiles to compare, has {}",
            paths.len()
        ));
    }
    let texts: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    for (path, text) in paths.iter().zip(&texts) {
        let parse = dockopt_syntax::parse(text);
        if !parse.errors().is_empty() {
            problems.push(format!(
                "{name}: {set_name}/{} does not parse: {:?}",
                path.file_name().unwrap().to_string_lossy(),
                parse.errors()
            ));
        }
    }
    let selection = selection_of(rule);
    let options = BTreeMap::new();
    let inputs: Vec<SourceFile<'_>> = paths
        .iter()
        .zip(&texts)
        .map(|(path, text)| SourceFile {
            path,
            text,
            settings: LintSettings {
                rules: ALL,
                selection: &selection,
                options: &options,
            },
            group: 0,
        })
        .collect();
    let found: Vec<Vec<Finding>> = lint_sources(&inputs, |_, _| ())
        .into_iter()
        .map(|(lint, _)| lint.findings)
        .collect();
    paths
        .iter()
        .zip(texts)
        .zip(found)
        .map(|((path, text), findings)| {
            let label = format!("{set_name}/{}", path.file_name().unwrap().to_string_lossy());
            let mine = findings
                .into_iter()
                .filter(|f| f.diagnostic.rule == name)
                .collect();
            (label, text, mine)
        })
        .collect()
}

/// Checks an across-files rule against its fixture sets and returns the snapshot of what
/// it reports on the bad ones.
fn check_file_sets(rule: &'static dyn Rule, dir: &Path, problems: &mut Vec<String>) -> String {
    let name = rule.meta().name;
    let bad = sets(dir, "bad");
    let good = sets(dir, "good");
    if bad.len() < MIN_BAD || good.len() < MIN_GOOD {
        problems.push(format!(
            "{name}: needs at least {MIN_BAD} bad-*/ and {MIN_GOOD} good-*/ file sets in {}, has {} and {}",
            dir.display(),
            bad.len(),
            good.len()
        ));
    }
    let mut snapshot = String::new();
    for set in &bad {
        let linted = lint_set(rule, set, problems);
        if linted.iter().all(|(_, _, findings)| findings.is_empty()) {
            problems.push(format!(
                "{name}: does not fire on {}",
                set.file_name().unwrap().to_string_lossy()
            ));
        }
        for (label, text, findings) in &linted {
            snapshot.push_str(&format!("=== {label}\n"));
            let diagnostics: Vec<_> = findings.iter().map(|f| f.diagnostic.clone()).collect();
            snapshot.push_str(&render(
                Format::Human,
                &[FileResult {
                    path: label,
                    source: text,
                    diagnostics: &diagnostics,
                    errors: &[],
                }],
                &[],
                RenderOptions::default(),
            ));
            let fixes: Vec<&Fix> = findings.iter().filter_map(|f| f.fix.as_ref()).collect();
            if !fixes.is_empty() {
                for fix in &fixes {
                    snapshot.push_str(&format!(
                        "fix ({}): {}\n",
                        fix.safety.as_str(),
                        fix.description
                    ));
                }
                let fixed = apply(text, &fixes);
                if !dockopt_syntax::parse(&fixed).errors().is_empty() {
                    problems.push(format!("{name}: the fix of {label} does not parse"));
                }
                snapshot.push_str("--- after the fixes:\n");
                snapshot.push_str(&fixed);
                if !fixed.ends_with('\n') {
                    snapshot.push('\n');
                }
            }
        }
    }
    for set in &good {
        for (label, _, findings) in lint_set(rule, set, problems) {
            for finding in findings {
                problems.push(format!(
                    "{name}: fires on {label} at bytes {:?}: {}",
                    finding.diagnostic.range, finding.diagnostic.message
                ));
            }
        }
    }
    snapshot
}

/// Applies the fixes in order, skipping any that overlaps one already applied.
fn apply(text: &str, fixes: &[&Fix]) -> String {
    let mut taken: Vec<std::ops::Range<usize>> = Vec::new();
    let mut edits: Vec<&Edit> = Vec::new();
    for fix in fixes {
        let overlaps = fix.edits.iter().any(|e| {
            taken.iter().any(|t| {
                e.range.start < t.end && t.start < e.range.end
                    || (e.range.start == t.start && e.range.is_empty() && t.is_empty())
            })
        });
        if overlaps {
            continue;
        }
        for e in &fix.edits {
            taken.push(e.range.clone());
            edits.push(e);
        }
    }
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::new();
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.range.start]);
        out.push_str(&e.replacement);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    out
}

#[test]
fn every_rule_is_documented() {
    for rule in ALL {
        let meta = rule.meta();
        let doc = meta.documentation();
        for section in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix",
        ] {
            assert!(
                doc.contains(section),
                "{}: documentation lacks `{section}`",
                meta.name
            );
        }
        assert!(
            meta.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-'),
            "{}: rule names are kebab-case",
            meta.name
        );
    }
}
