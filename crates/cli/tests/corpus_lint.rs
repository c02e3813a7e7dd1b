//! `dockopt lint` over the real-world corpus: it must finish on every file, parse every
//! file, and its findings are kept as a snapshot (one line per finding) so that any change
//! in what dockopt reports on real Dockerfiles is reviewed.

use std::path::Path;
use std::process::Command;

fn corpus() -> &'static Path {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
}

#[test]
fn lint_finishes_on_the_corpus_and_its_findings_are_stable() {
    let output = Command::new(env!("CARGO_BIN_EXE_dockopt"))
        // ShellCheck's findings depend on the installed version: hadolint_parity covers them.
        .args(["lint", "--format", "json", "--shellcheck=never"])
        .arg(corpus())
        .output()
        .expect("dockopt runs");
    let code = output.status.code();
    assert!(
        matches!(code, Some(0 | 1)),
        "exit {code:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    assert_eq!(
        report["errors"].as_array().map(Vec::len),
        Some(0),
        "parse errors: {}",
        report["errors"]
    );
    let prefix = corpus().to_string_lossy().replace('\\', "/");
    let mut lines = Vec::new();
    let mut files = std::collections::BTreeSet::new();
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        let file = d["file"].as_str().unwrap_or_default();
        let file = file
            .strip_prefix(&prefix)
            .unwrap_or(file)
            .trim_start_matches('/');
        files.insert(file.to_string());
        lines.push(format!(
            "{file}:{}:{} {} [{}] {}",
            d["start"]["line"],
            d["start"]["column"],
            d["rule"].as_str().unwrap_or_default(),
            d["level"].as_str().unwrap_or_default(),
            d["message"].as_str().unwrap_or_default()
        ));
    }
    insta::assert_snapshot!(lines.join("\n"));
}

#[test]
fn every_corpus_file_is_found_and_linted() {
    // JUnit has one test case per file linted.
    let output = Command::new(env!("CARGO_BIN_EXE_dockopt"))
        .args(["lint", "--format", "junit"])
        .arg(corpus())
        .output()
        .expect("dockopt runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let on_disk = std::fs::read_dir(corpus())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .is_ok_and(|e| e.path().join("Dockerfile").is_file())
        })
        .count();
    assert_eq!(on_disk, 34);
    assert_eq!(text.matches("<testcase ").count(), on_disk, "{text}");
}
