//! `dockopt lint` compares the Dockerfiles of one repository (`inconsistent-siblings`):
//! the finding lands on the file that lacks the hardening, naming the sibling that has it,
//! and files of two different repositories are never compared.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A directory under the system temp dir, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("dockopt-siblings-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Retries its `apk add` in a loop that fails after the last attempt.
const RETRIED: &str = "FROM alpine:3.20
RUN for i in 1 2 3; do apk add --no-cache curl postgresql-client redis && break; [ $i = 3 ] && exit 1; sleep 5; done
USER 65534
";

/// The same install, without the retry (on line 3).
const NOT_RETRIED: &str = "FROM alpine:3.20
WORKDIR /app
RUN apk add --no-cache curl postgresql-client redis openssh-client
USER 65534
";

/// (file, line, message) of each `inconsistent-siblings` finding of `dockopt lint` on
/// `dir`, files relative to `dir`.
fn findings(dir: &Path) -> Vec<(String, u64, String)> {
    let output = Command::new(env!("CARGO_BIN_EXE_dockopt"))
        .args([
            "lint",
            "--select",
            "inconsistent-siblings",
            "--format",
            "json",
        ])
        .arg(dir)
        .output()
        .expect("dockopt runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "exit {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let prefix = dir.to_string_lossy().replace('\\', "/");
    let mut out: Vec<(String, u64, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["rule"] == "inconsistent-siblings")
        .map(|d| {
            let file = d["file"].as_str().unwrap_or_default().replace('\\', "/");
            let file = file
                .strip_prefix(&prefix)
                .unwrap_or(&file)
                .trim_start_matches('/')
                .to_string();
            (
                file,
                d["start"]["line"].as_u64().unwrap_or_default(),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[test]
fn reports_the_sibling_that_lacks_the_retry_at_its_install() {
    let tmp = TempDir::new("one-repo");
    let repo = tmp.0.join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir .git");
    write(&repo.join("docker/Dockerfile.alpine"), RETRIED);
    write(&repo.join("Dockerfile"), NOT_RETRIED);
    let found = findings(&tmp.0);
    assert_eq!(found.len(), 1, "{found:#?}");
    let (file, line, message) = &found[0];
    assert_eq!(file, "repo/Dockerfile");
    assert_eq!(*line, 3);
    assert_eq!(
        message,
        "docker/Dockerfile.alpine retries this `apk add` (in a retry loop); this one does not"
    );
}

#[test]
fn files_of_two_repositories_are_not_compared() {
    let tmp = TempDir::new("two-repos");
    for (repo, text) in [("first", RETRIED), ("second", NOT_RETRIED)] {
        let root = tmp.0.join(repo);
        std::fs::create_dir_all(root.join(".git")).expect("mkdir .git");
        write(&root.join("Dockerfile"), text);
        // A second file in each repository, so that each forms a group of its own.
        write(
            &root.join("tools.Dockerfile"),
            "FROM busybox:1.36\nUSER 65534\n",
        );
    }
    assert_eq!(findings(&tmp.0), Vec::new());
}

#[test]
fn outside_a_repository_only_a_distinctive_install_makes_siblings() {
    let tmp = TempDir::new("no-repo");
    // Two unrelated projects that install the same everyday tools, one of them with a
    // cache mount and a retry: not siblings.
    write(
        &tmp.0.join("one/Dockerfile"),
        "FROM debian:bookworm-slim
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \\
    apt-get update && apt-get install -o Acquire::Retries=3 -y ca-certificates curl gnupg git
USER 10001
",
    );
    write(
        &tmp.0.join("two/Dockerfile"),
        "FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y ca-certificates curl gnupg git
USER 10001
",
    );
    assert_eq!(findings(&tmp.0), Vec::new());
    // Files outside any repository are one group: a distinctive install still compares.
    write(&tmp.0.join("three/Dockerfile"), RETRIED);
    write(&tmp.0.join("four/Dockerfile"), NOT_RETRIED);
    let found = findings(&tmp.0);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        (found[0].0.as_str(), found[0].1),
        ("four/Dockerfile", 3),
        "{found:#?}"
    );
    assert!(
        found[0]
            .2
            .starts_with("three/Dockerfile retries this `apk add`"),
        "{found:#?}"
    );
}
