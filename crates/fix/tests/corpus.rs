//! `fix --unsafe-fixes` over the real-world corpus: every output parses, a second run changes
//! nothing, and only instructions that had findings change.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockopt_fix::{check_untouched_instructions, fix_source, FixOptions};
use dockopt_rules::selection::{Selection, SelectionSpec};
use dockopt_rules::{lint_source, LintSettings, ALL};

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ));
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the corpus is beside the repository")
        .filter_map(|e| Some(e.ok()?.path().join("Dockerfile")))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn unsafe_fixes_on_the_corpus_parse_converge_and_stay_local() {
    let files = corpus_files();
    assert_eq!(files.len(), 34);
    let selection = Selection::resolve(&SelectionSpec::default(), ALL);
    let options = BTreeMap::new();
    let settings = LintSettings {
        rules: ALL,
        selection: &selection,
        options: &options,
    };
    let fix_options = FixOptions {
        unsafe_fixes: true,
        ..FixOptions::default()
    };
    let mut problems = Vec::new();
    let mut changed = 0;
    for path in &files {
        let name = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let text = std::fs::read_to_string(path).unwrap();
        let first = match fix_source(path, &text, &settings, fix_options) {
            Ok(outcome) => outcome,
            Err(e) => {
                problems.push(format!("{name}: {e}"));
                continue;
            }
        };
        if !dockopt_syntax::parse(&first.text).errors().is_empty() {
            problems.push(format!("{name}: the fixed file does not parse"));
            continue;
        }
        if first.changed() {
            changed += 1;
        }
        match fix_source(path, &first.text, &settings, fix_options) {
            Ok(second) if second.changed() => problems.push(format!(
                "{name}: a second run still changes it: {:?}",
                second.applied.iter().map(|a| &a.rule).collect::<Vec<_>>()
            )),
            Ok(_) => {}
            Err(e) => problems.push(format!("{name}: second run: {e}")),
        }
        // Instructions without a finding must come out unchanged.
        let lint = lint_source(path, &text, &settings);
        let parse = dockopt_syntax::parse(&text);
        let with_findings: Vec<std::ops::Range<usize>> = parse
            .dockerfile()
            .instructions()
            .map(|i| usize::from(i.range().start())..usize::from(i.range().end()))
            .filter(|r| {
                lint.findings.iter().any(|f| {
                    r.start <= f.diagnostic.range.start && f.diagnostic.range.start <= r.end
                })
            })
            .collect();
        if let Err(e) = check_untouched_instructions(&text, &first.text, &with_findings) {
            problems.push(format!("{name}: {e}"));
        }
    }
    eprintln!("{changed} of {} corpus files changed by fixes", files.len());
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}
