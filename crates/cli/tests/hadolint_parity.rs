//! Parity with hadolint 2.15 on the 34 real Dockerfiles of the corpus: every finding hadolint
//! reports (its DL rules, and ShellCheck's SC codes) must be reported by dockopt too, by a
//! rule that answers to that id, on the same instruction, unless the difference is listed
//! below with the reason it is deliberate.
//!
//! hadolint places every finding on the first line of its instruction; dockopt points at
//! the exact place (a continuation line, a heredoc line), so "the same line" means a line
//! of the instruction hadolint names.
//!
//! Needs hadolint from scripts/install-tools.sh (`$DOCKOPT_TOOLS/bin/hadolint`, default
//! `~/.cache/dockopt/tools/bin/hadolint`) and the `shellcheck` program.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn corpus() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus"
    ))
}

fn hadolint() -> PathBuf {
    let tools = std::env::var_os("DOCKOPT_TOOLS")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/dockopt/tools")))
        .unwrap_or_default();
    let program = tools.join("bin/hadolint");
    assert!(
        program.is_file(),
        "hadolint is not installed at {}: run `bash scripts/install-tools.sh` (or set \
         DOCKOPT_TOOLS to the folder it installed into)",
        program.display()
    );
    program
}

/// Ids dockopt deliberately has no rule for, with the reason.
const NO_RULE: &[(&str, &str)] = &[
    (
        "DL3059",
        "dockopt asks to merge consecutive RUNs only when they install with the same package \
         manager in the final stage (merge-consecutive-runs); elsewhere separate layers help \
         caching, so it does not answer to hadolint's blanket check",
    ),
    (
        "DL3047",
        "wget's progress output is a log-size preference, not a build, size or safety problem",
    ),
    (
        "DL4005",
        "`ln -s ... /bin/sh` is rare and BuildKit's SHELL covers it; no rule planned",
    ),
    (
        "DL3045",
        "not in dockopt's catalogue: a relative COPY destination resolves against the \
         WORKDIR in effect (the base image's, or /), which is defined behaviour",
    ),
    (
        "DL3026",
        "registry allow-lists are policy, not a property of the Dockerfile; not supported",
    ),
    (
        "DL3066",
        "a numeric USER is what Kubernetes' runAsNonRoot admission needs, a deployment \
         policy rather than a property of the build; runs-as-root resolves user names",
    ),
];

const POWERSHELL: &str = "the SHELL is PowerShell: hadolint still hands these PowerShell \
                          scripts to ShellCheck; dockopt checks only sh-family scripts";
const WINDOWS_JENKINS: &str = "jenkinsci__docker__windows-windowsservercore-hotspot-Dockerfile";
const OLLAMA: &str = "ollama__ollama__Dockerfile";
const BUILDX_LINT: &str = "docker__buildx__hack-dockerfiles-lint.Dockerfile";
const STAGE_BY_ARG: &str = "the FROM names a stage chosen by a build argument \
                            (`base-${TARGETARCH}`): dockopt resolves it to that stage, \
                            hadolint takes it for an untagged image";
const DASH: &str = "/bin/sh on Debian before trixie and on Ubuntu is dash, which has no \
                    pipefail: missing-pipefail does not ask for a `set -o pipefail` that would \
                    break the build";
const BUILDER_CACHE: &str = "in a builder stage (the final stage is `FROM ubuntu:24.04`): \
                             package-cache-in-layer checks only the stages that ship";

/// Findings dockopt deliberately does not report the way hadolint does: (id, corpus file
/// or "*" for every file, hadolint's line or 0 for any line, reason).
const DIFFERENCES: &[(&str, &str, u32, &str)] = &[
    (
        "DL1000",
        "docker__buildx__Dockerfile",
        50,
        "hadolint's parser stops at a heredoc (`COPY --chmod=755 <<\"EOF\"`) that BuildKit \
         and dockopt read",
    ),
    (
        "DL1000",
        "moby__buildkit__Dockerfile",
        215,
        "hadolint's parser rejects `RUN --mount=from=...` without `target`, which BuildKit \
         builds (this is BuildKit's own Dockerfile)",
    ),
    ("SC1012", WINDOWS_JENKINS, 0, POWERSHELL),
    ("SC1088", WINDOWS_JENKINS, 0, POWERSHELL),
    ("SC1133", WINDOWS_JENKINS, 0, POWERSHELL),
    ("SC2086", WINDOWS_JENKINS, 0, POWERSHELL),
    (
        "SC1088",
        "docker-library__python__3.13-windows-windowsservercore-ltsc2022-Dockerfile",
        0,
        POWERSHELL,
    ),
    ("DL3006", BUILDX_LINT, 28, STAGE_BY_ARG),
    ("DL3006", OLLAMA, 29, STAGE_BY_ARG),
    ("DL3006", "qdrant__qdrant__Dockerfile", 166, STAGE_BY_ARG),
    (
        "DL3000",
        BUILDX_LINT,
        56,
        "a `WORKDIR /src` earlier in the stage makes the relative WORKDIR unambiguous",
    ),
    (
        "DL3002",
        "BerriAI__litellm__docker-Dockerfile.non_root",
        12,
        "`USER root` in the builder stage; the final stage ends with `USER nobody`, and \
         runs-as-root reports only the stage the build ships",
    ),
    (
        "DL3004",
        "discourse__discourse_docker__image-base-Dockerfile",
        0,
        "every one is `sudo -u discourse ...` in a step running as root: it drops \
         privileges, which the sudo rule leaves alone",
    ),
    (
        "DL3009",
        "docker-library__python__3.13-slim-trixie-Dockerfile",
        13,
        "the step ends with `apt-get dist-clean`, which removes the lists (apt 2.7+); \
         hadolint does not know it",
    ),
    (
        "DL3021",
        OLLAMA,
        0,
        "the destination is `.`, the working directory, which BuildKit treats as a \
         directory",
    ),
    (
        "DL3022",
        "langchain-ai__langgraph__libs-sdk-py-integration-Dockerfile",
        0,
        "`--from=langgraph_src` is no near miss of a stage: a build context given with \
         `--build-context`, which BuildKit accepts",
    ),
    (
        "DL3029",
        OLLAMA,
        0,
        "a constant `--platform` in a stage named after that platform (`AS base-amd64`), \
         which BuildKit's FromPlatformFlagConstDisallowed allows",
    ),
    ("DL3032", OLLAMA, 0, BUILDER_CACHE),
    (
        "DL4006",
        "adoptium__containers__21-jdk-ubuntu-noble-Dockerfile",
        0,
        DASH,
    ),
    (
        "DL4006",
        "docker-library__postgres__17-bookworm-Dockerfile",
        0,
        DASH,
    ),
    (
        "DL4006",
        "nodejs__docker-node__24-bookworm-slim-Dockerfile",
        0,
        DASH,
    ),
    (
        "DL4006",
        "huggingface__text-embeddings-inference__Dockerfile-cuda",
        0,
        DASH,
    ),
    ("DL3040", OLLAMA, 0, BUILDER_CACHE),
    (
        "DL3067",
        BUILDX_LINT,
        0,
        "copies `/` of the `tonistiigi/xx` helper image (binaries only, no commands run), \
         the usual way to bring in build tools",
    ),
    (
        "DL3067",
        "qdrant__qdrant__Dockerfile",
        31,
        "copies `/` of the `tonistiigi/xx` helper image (binaries only, no commands run), \
         the usual way to bring in build tools",
    ),
];

#[derive(Debug, Clone)]
struct HadolintFinding {
    file: String,
    line: u32,
    code: String,
    message: String,
}

fn hadolint_findings(program: &Path, files: &[PathBuf]) -> Vec<HadolintFinding> {
    // An empty HOME and working folder: no user or project hadolint config applies.
    let home = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for file in files {
        let output = Command::new(program)
            .current_dir(home.path())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path())
            .args(["--no-fail", "--no-color", "-f", "json"])
            .arg(file)
            .output()
            .expect("hadolint runs");
        let found: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
            panic!(
                "hadolint on {}: not JSON ({e}): {}",
                file.display(),
                String::from_utf8_lossy(&output.stderr)
            )
        });
        for f in found.as_array().expect("a JSON list") {
            out.push(HadolintFinding {
                file: name(file),
                line: f["line"].as_u64().unwrap_or(0) as u32,
                code: f["code"].as_str().unwrap_or_default().to_string(),
                message: f["message"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    out
}

/// `corpus-name/Dockerfile` -> `corpus-name`.
fn name(file: &Path) -> String {
    file.parent()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Each dockopt finding as (file, rule, first line, last line).
fn dockopt_findings(files: &[PathBuf]) -> Vec<(String, String, u32, u32)> {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("dockopt.toml");
    std::fs::write(&config, "").unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_dockopt"))
        .current_dir(dir.path())
        .args([
            "lint",
            "--format",
            "json",
            "--select",
            "all",
            "--shellcheck",
        ])
        .arg("--config")
        .arg(&config)
        .args(files)
        .output()
        .expect("dockopt runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "dockopt failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                name(Path::new(d["file"].as_str().unwrap_or_default())),
                d["rule"].as_str().unwrap_or_default().to_string(),
                d["start"]["line"].as_u64().unwrap_or(0) as u32,
                d["end"]["line"].as_u64().unwrap_or(0) as u32,
            )
        })
        .collect()
}

/// The dockopt rules that answer to each foreign id.
fn alias_map() -> BTreeMap<String, Vec<String>> {
    let output = Command::new(env!("CARGO_BIN_EXE_dockopt"))
        .args(["rules", "--aliases", "--format", "json"])
        .output()
        .expect("dockopt runs");
    let table: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    table["aliases"]
        .as_array()
        .expect("aliases")
        .iter()
        .map(|row| {
            (
                row["id"].as_str().unwrap_or_default().to_string(),
                row["rules"]
                    .as_array()
                    .map(|r| {
                        r.iter()
                            .filter_map(|n| n.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

/// The lines each instruction spans, by its first line (1-based, inclusive).
fn instruction_lines(file: &Path) -> BTreeMap<u32, u32> {
    let text = std::fs::read_to_string(file).unwrap();
    let parse = dockopt_syntax::parse(&text);
    let line_of = |offset: usize| text[..offset.min(text.len())].matches('\n').count() as u32 + 1;
    parse
        .dockerfile()
        .instructions()
        .map(|i| {
            let range = i.range();
            let start = usize::from(range.start());
            let end = usize::from(range.end()).saturating_sub(1).max(start);
            (line_of(start), line_of(end))
        })
        .collect()
}

#[test]
#[ignore = "needs hadolint from scripts/install-tools.sh and shellcheck; fails while rules \
            that claim hadolint ids miss their findings: run with -- --ignored --nocapture"]
fn dockopt_reports_what_hadolint_reports_on_the_corpus() {
    let program = hadolint();
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus())
        .expect("the corpus")
        .filter_map(|e| Some(e.ok()?.path().join("Dockerfile")))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert_eq!(files.len(), 34);
    let theirs = hadolint_findings(&program, &files);
    let ours = dockopt_findings(&files);
    let aliases = alias_map();
    let spans: BTreeMap<String, BTreeMap<u32, u32>> = files
        .iter()
        .map(|f| (name(f), instruction_lines(f)))
        .collect();

    let mut matched = 0;
    let mut no_rule: BTreeMap<&str, Vec<&HadolintFinding>> = BTreeMap::new();
    let mut documented: BTreeMap<&str, Vec<&HadolintFinding>> = BTreeMap::new();
    let mut missing: Vec<(String, &HadolintFinding)> = Vec::new();
    let mut used_differences = BTreeSet::new();
    for f in &theirs {
        let wanted: Vec<String> = if f.code.starts_with("SC") {
            vec![f.code.clone()]
        } else {
            aliases.get(&f.code).cloned().unwrap_or_default()
        };
        let last = spans
            .get(&f.file)
            .and_then(|s| s.get(&f.line))
            .copied()
            .unwrap_or(f.line);
        let found = ours.iter().any(|(file, rule, start, _)| {
            *file == f.file && wanted.contains(rule) && (f.line..=last).contains(start)
        });
        if found {
            matched += 1;
            continue;
        }
        if let Some(i) = DIFFERENCES.iter().position(|(code, file, line, _)| {
            *code == f.code && (*file == "*" || *file == f.file) && (*line == 0 || *line == f.line)
        }) {
            used_differences.insert(i);
            documented.entry(DIFFERENCES[i].0).or_default().push(f);
            continue;
        }
        if wanted.is_empty() {
            if let Some((code, _)) = NO_RULE.iter().find(|(code, _)| *code == f.code) {
                no_rule.entry(code).or_default().push(f);
                continue;
            }
        }
        let expected = if wanted.is_empty() {
            "no dockopt rule answers to this id".to_string()
        } else {
            format!("expected {}", wanted.join(" or "))
        };
        missing.push((expected, f));
    }

    let mut report = String::new();
    report.push_str(&format!(
        "hadolint: {} findings on {} files; dockopt reports {} of them on the same instruction\n",
        theirs.len(),
        files.len(),
        matched
    ));
    report.push_str("\nDeliberately without a dockopt rule:\n");
    for (code, found) in &no_rule {
        let reason = NO_RULE
            .iter()
            .find(|(c, _)| c == code)
            .map_or("", |(_, r)| r);
        report.push_str(&format!("  {code} ({} findings): {reason}\n", found.len()));
    }
    report.push_str("\nDocumented differences:\n");
    for (code, found) in &documented {
        for (c, file, line, reason) in DIFFERENCES.iter().filter(|d| d.0 == *code) {
            let n = found
                .iter()
                .filter(|f| (*file == "*" || f.file == *file) && (*line == 0 || f.line == *line))
                .count();
            if n > 0 {
                report.push_str(&format!("  {c} {file}:{line} ({n} findings): {reason}\n"));
            }
        }
    }
    report.push_str(&format!("\nMissing in dockopt ({}):\n", missing.len()));
    let mut by_code: BTreeMap<&str, Vec<&(String, &HadolintFinding)>> = BTreeMap::new();
    for m in &missing {
        by_code.entry(m.1.code.as_str()).or_default().push(m);
    }
    for (code, list) in &by_code {
        report.push_str(&format!(
            "  {code} ({} findings, {}):\n",
            list.len(),
            list[0].0
        ));
        for (_, f) in list {
            report.push_str(&format!("    {}:{} {}\n", f.file, f.line, f.message));
        }
    }
    println!("{report}");
    let unused: Vec<_> = DIFFERENCES
        .iter()
        .enumerate()
        .filter(|(i, _)| !used_differences.contains(i))
        .map(|(_, d)| d)
        .collect();
    assert!(
        unused.is_empty(),
        "documented differences that no longer occur (remove them): {unused:?}"
    );
    assert!(
        missing.is_empty(),
        "{} hadolint findings have no dockopt counterpart and no documented reason (listed \
         above)",
        missing.len()
    );
}
