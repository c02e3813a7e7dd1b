//! Every rule against its fixtures in `tests/fixtures/<rule-name>/`: each `bad*` file must
//! make the rule fire, each `good*` file must keep it silent. What the rule reports on the
//! bad files is kept as a snapshot beside them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockopt_report::{render, FileResult, Format, RenderOptions};
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{lint_source, Edit, FileLint, Fix, LintSettings, Rule, ALL};

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
