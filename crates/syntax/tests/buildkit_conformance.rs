//! BuildKit's own parser test cases: `--format buildkit` dumps equal the upstream `result`
//! files, negative cases are errors, and instruction line numbers match upstream.

use std::path::{Path, PathBuf};

use dockopt_syntax::parse;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/conformance/buildkit-parser"
);

fn case_dirs(sub: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(Path::new(CASES).join(sub))
        .expect("conformance folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn positive_cases_dump_like_buildkit() {
    let dirs = case_dirs("testfiles");
    assert_eq!(dirs.len(), 33);
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
        let expected = std::fs::read_to_string(dir.join("result")).expect("result");
        let p = parse(&text);
        if !p.errors().is_empty() {
            failures.push(format!("{}: errors {:?}", dir.display(), p.errors()));
            continue;
        }
        let got = p.buildkit_dump();
        if got != expected {
            failures.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                dir.display()
            ));
        }
        assert_eq!(p.to_string(), text, "round trip {}", dir.display());
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn negative_cases_are_errors() {
    let dirs = case_dirs("testfiles-negative");
    assert_eq!(dirs.len(), 4);
    for dir in dirs {
        let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("Dockerfile");
        let p = parse(&text);
        assert!(!p.errors().is_empty(), "{} should fail", dir.display());
        assert_eq!(p.to_string(), text);
    }
}

#[test]
fn instruction_lines_match_upstream() {
    let text = std::fs::read_to_string(Path::new(CASES).join("testfile-line/Dockerfile"))
        .expect("Dockerfile");
    let p = parse(&text);
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    let idx = p.line_index();
    let lines: Vec<(u32, u32)> = p
        .dockerfile()
        .instructions()
        .map(|i| {
            (
                idx.line_col(i.range().start()).line,
                idx.line_col(i.range().end()).line,
            )
        })
        .collect();
    assert_eq!(lines, [(5, 5), (11, 12), (17, 31)]);
}
