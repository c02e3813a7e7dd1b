//! `dockopt parse`: BuildKit dump conformance through the binary, JSON output, and parse
//! errors reported as `file:line:col: error: message` with exit code 2.

use std::path::{Path, PathBuf};
use std::process::Command;

const CASES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/conformance/buildkit-parser"
);

fn dockopt(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_dockopt"))
        .args(args)
        .output()
        .expect("run dockopt")
}

fn dirs(sub: &str) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(CASES).join(sub))
        .expect("cases")
        .map(|e| e.expect("entry").path())
        .collect();
    v.sort();
    v
}

#[test]
fn buildkit_format_matches_results() {
    let cases = dirs("testfiles");
    assert_eq!(cases.len(), 33);
    for dir in cases {
        let file = dir.join("Dockerfile");
        let out = dockopt(&[
            "parse",
            "--format",
            "buildkit",
            file.to_str().expect("path"),
        ]);
        assert!(out.status.success(), "{}", file.display());
        let expected = std::fs::read_to_string(dir.join("result")).expect("result");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            expected,
            "{}",
            file.display()
        );
    }
}

#[test]
fn negative_cases_exit_2_with_location() {
    for dir in dirs("testfiles-negative") {
        let file = dir.join("Dockerfile");
        let path = file.to_str().expect("path");
        let out = dockopt(&["parse", "--format", "buildkit", path]);
        assert_eq!(out.status.code(), Some(2), "{path}");
        let err = String::from_utf8_lossy(&out.stderr);
        let first = err.lines().next().unwrap_or("");
        let rest = first
            .strip_prefix(path)
            .unwrap_or_else(|| panic!("{first}"));
        let mut parts = rest.splitn(4, ':');
        assert_eq!(parts.next(), Some(""));
        assert!(
            parts.next().and_then(|l| l.parse::<u32>().ok()).is_some(),
            "{first}"
        );
        assert!(
            parts.next().and_then(|c| c.parse::<u32>().ok()).is_some(),
            "{first}"
        );
        assert!(
            parts.next().is_some_and(|m| m.starts_with(" error: ")),
            "{first}"
        );
    }
}

#[test]
fn env_without_value_points_at_its_line() {
    let file = Path::new(CASES).join("testfiles-negative/env_no_value/Dockerfile");
    let out = dockopt(&["parse", file.to_str().expect("path")]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(":3:5: error: ENV must have two arguments"),
        "{err}"
    );
}

#[test]
fn json_and_tree_formats() {
    let file = Path::new(CASES).join("testfiles/health/Dockerfile");
    let out = dockopt(&["parse", "--format", "json", file.to_str().expect("path")]);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["instructions"][0]["kind"], "FROM");
    assert_eq!(v["instructions"][4]["start_line"], 5);
    assert_eq!(v["instructions"][4]["end_line"], 6);
    assert_eq!(v["stages"][0]["base"], "debian");
    let out = dockopt(&["parse", file.to_str().expect("path")]);
    assert!(out.status.success());
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(tree.starts_with("ROOT@"), "{tree}");
    assert!(tree.contains("INSTRUCTION@"));
}

#[test]
fn invalid_utf8_is_a_located_error() {
    let dir = std::env::temp_dir().join(format!("dockopt-parse-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp");
    let file = dir.join("Dockerfile");
    std::fs::write(&file, b"FROM a\nRUN echo \xff\n").expect("write");
    let out = dockopt(&["parse", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(":2:10: error: file is not valid UTF-8"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
