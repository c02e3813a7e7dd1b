//! `dockopt lint` for a hadolint user: `.hadolint.yaml`, `--hadolint-config`, ShellCheck
//! findings in every output format, and `dockopt rules --aliases`.

use std::path::Path;
use std::process::{Command, Output};

fn dockopt(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dockopt"))
        .current_dir(dir)
        .args(args)
        .output()
        .expect("dockopt runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn json_rules(output: &Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON report");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["rule"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Two Dockerfiles under a project whose `.hadolint.yaml` ignores DL3006 and DL3002.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".hadolint.yaml"),
        "ignored:\n  - DL3006\n  - DL3002\ntrustedRegistries:\n  - docker.io\n",
    )
    .unwrap();
    for name in ["api", "worker"] {
        let sub = dir.path().join(name);
        std::fs::create_dir(&sub).unwrap();
        std::fs::write(
            sub.join("Dockerfile"),
            "FROM ubuntu\nRUN echo $undefined_here\nUSER root\n",
        )
        .unwrap();
    }
    dir
}

#[test]
fn a_hadolint_yaml_above_the_dockerfiles_is_read_and_its_unsupported_keys_named_once() {
    let dir = project();
    let output = dockopt(
        dir.path(),
        &["lint", "--format", "json", "--shellcheck=never"],
    );
    let rules = json_rules(&output);
    assert!(
        !rules.iter().any(|r| r == "base-image-unpinned"),
        "{rules:?}"
    );
    assert!(!rules.iter().any(|r| r == "runs-as-root"), "{rules:?}");
    let err = stderr(&output);
    assert_eq!(err.matches("trustedRegistries").count(), 1, "{err}");
    assert!(err.contains(".hadolint.yaml"), "{err}");
}

#[test]
fn a_dockopt_toml_next_to_it_wins() {
    let dir = project();
    std::fs::write(dir.path().join("dockopt.toml"), "ignore = [\"sudo\"]\n").unwrap();
    let output = dockopt(
        dir.path(),
        &["lint", "--format", "json", "--shellcheck=never"],
    );
    let rules = json_rules(&output);
    assert!(
        rules.iter().any(|r| r == "base-image-unpinned"),
        "{rules:?}"
    );
    assert!(!stderr(&output).contains("trustedRegistries"));
}

#[test]
fn an_explicit_hadolint_config_sets_the_failure_threshold() {
    let dir = project();
    let config = dir.path().join("ci-hadolint.yml");
    std::fs::write(&config, "failure-threshold: none\n").unwrap();
    let output = dockopt(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--shellcheck=never",
            "--hadolint-config",
            config.to_str().unwrap(),
        ],
    );
    assert!(json_rules(&output)
        .iter()
        .any(|r| r == "base-image-unpinned"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let threshold = dir.path().join("errors-only.yaml");
    std::fs::write(
        &threshold,
        "failure-threshold: error\noverride:\n  error: [DL3006]\n",
    )
    .unwrap();
    let output = dockopt(
        dir.path(),
        &[
            "lint",
            "--shellcheck=never",
            "--config",
            threshold.to_str().unwrap(),
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stdout(&output).contains("error[base-image-unpinned]"));
}

#[test]
fn a_broken_hadolint_config_is_a_usage_error_naming_the_file() {
    let dir = project();
    std::fs::write(dir.path().join(".hadolint.yaml"), "ignored: [DL3006\n").unwrap();
    let output = dockopt(dir.path(), &["lint", "--shellcheck=never"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains(".hadolint.yaml") && err.contains("YAML"),
        "{err}"
    );
}

fn empty_path_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn without_the_program_the_flag_is_an_error_and_auto_says_so_once() {
    let dir = project();
    let nothing = empty_path_dir();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_dockopt"))
            .current_dir(dir.path())
            .env("PATH", nothing.path())
            .args(args)
            .output()
            .expect("dockopt runs")
    };
    let output = run(&["lint", "--shellcheck"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("`shellcheck` program is not on PATH"));
    let output = run(&["lint", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let err = stderr(&output);
    assert_eq!(
        err.matches("`shellcheck` is not on PATH").count(),
        1,
        "{err}"
    );
    assert!(!json_rules(&output).iter().any(|r| r.starts_with("SC")));
    let output = run(&["lint", "--shellcheck=never"]);
    assert!(!stderr(&output).contains("shellcheck"));
}

#[test]
fn shellcheck_findings_appear_in_every_format() {
    if which_shellcheck().is_none() {
        panic!("this test needs the `shellcheck` program on PATH (apt-get install shellcheck)");
    }
    let dir = project();
    for (format, needle) in [
        ("human", "warning[SC2154]"),
        ("json", "\"rule\": \"SC2154\""),
        ("sarif", "\"ruleId\": \"SC2154\""),
        ("github", "SC2154"),
        ("checkstyle", "dockopt.SC2154"),
        ("junit", "SC2154"),
    ] {
        let output = dockopt(dir.path(), &["lint", "--shellcheck", "--format", format]);
        let out = stdout(&output);
        assert!(out.contains(needle), "{format}: {out}");
    }
    // Ignored like any rule.
    let output = dockopt(
        dir.path(),
        &[
            "lint",
            "--shellcheck",
            "--format",
            "json",
            "--ignore",
            "SC2154,SC2086",
        ],
    );
    assert!(!json_rules(&output).iter().any(|r| r.starts_with("SC")));
}

fn which_shellcheck() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join("shellcheck"))
        .find(|p| p.is_file())
}

#[test]
fn rules_aliases_maps_ids_and_names_those_without_equivalent() {
    let output = dockopt(Path::new("."), &["rules", "--aliases", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0));
    let table: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let mapped = table["aliases"].as_array().unwrap();
    let rules_of = |id: &str| -> Vec<String> {
        mapped
            .iter()
            .find(|row| row["id"] == id)
            .map(|row| {
                row["rules"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r.as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(rules_of("DL3006"), vec!["base-image-unpinned"]);
    assert_eq!(
        rules_of("JSONArgsRecommended"),
        vec!["json-args-recommended"]
    );
    assert!(
        mapped.iter().all(|row| row["tool"] != "other"),
        "{mapped:?}"
    );
    let unmapped = table["no_equivalent"].as_array().unwrap();
    let dl3026 = unmapped
        .iter()
        .find(|f| f["id"] == "DL3026")
        .expect("DL3026");
    assert_eq!(dl3026["tool"], "hadolint");
    // An id is either mapped or not, never both.
    for row in mapped {
        assert!(!unmapped.iter().any(|f| f["id"] == row["id"]), "{row}");
    }
    let human = stdout(&dockopt(Path::new("."), &["rules", "--aliases"]));
    assert!(human.contains("no dockopt equivalent"), "{human}");
    assert!(human.contains("DL3026"), "{human}");
}
