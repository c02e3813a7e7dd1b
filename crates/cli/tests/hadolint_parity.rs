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

use std::collections::BTreeMap;
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
        "DL3026",
        "registry allow-lists are policy, not a property of the Dockerfile; not supported",
    ),
    (
        "DL3066",
        "a numeric USER is what Kubernetes' runAsNonRoot admission needs, a deployment \
         policy rather than a property of the build (hadolint also flags `USER $APP_UID` \
         and Windows' `ContainerUser`); runs-as-root resolves user names",
    ),
];

const WINDOWS_JENKINS: &str = "jenkinsci__docker__windows-windowsservercore-hotspot-Dockerfile";
const OLLAMA: &str = "ollama__ollama__Dockerfile";
const BUILDX_LINT: &str = "docker__buildx__hack-dockerfiles-lint.Dockerfile";
const DISCOURSE: &str = "discourse__discourse_docker__image-base-Dockerfile";
const LITELLM: &str = "BerriAI__litellm__docker-Dockerfile.non_root";
const TGI_AMD: &str = "huggingface__text-generation-inference__Dockerfile_amd";
const BUILDKIT_GENERATED: &str = "moby__buildkit__hack-dockerfiles-generated-files.Dockerfile";
const PYTHON_TRIXIE: &str = "docker-library__python__3.13-slim-trixie-Dockerfile";

/// A reason dockopt deliberately reports differently from hadolint, and the hadolint
/// findings it covers: (id, corpus file, hadolint's line or 0 for any line of the file).
struct Difference {
    reason: &'static str,
    cases: &'static [(&'static str, &'static str, u32)],
}

const DIFFERENCES: &[Difference] = &[
    Difference {
        reason: "hadolint's parser stops at syntax BuildKit builds: a heredoc after \
                 `COPY --chmod=755`, `RUN --mount=from=...` without `target` (in BuildKit's \
                 own Dockerfile)",
        cases: &[
            ("DL1000", "docker__buildx__Dockerfile", 50),
            ("DL1000", "moby__buildkit__Dockerfile", 215),
        ],
    },
    Difference {
        reason: "the SHELL is PowerShell: hadolint still hands these scripts to ShellCheck; \
                 dockopt checks only sh-family scripts",
        cases: &[
            ("SC1012", WINDOWS_JENKINS, 0),
            ("SC1088", WINDOWS_JENKINS, 0),
            ("SC1133", WINDOWS_JENKINS, 0),
            ("SC2086", WINDOWS_JENKINS, 0),
            (
                "SC1088",
                "docker-library__python__3.13-windows-windowsservercore-ltsc2022-Dockerfile",
                0,
            ),
        ],
    },
    Difference {
        reason: "dockopt follows the build where hadolint reads one line: a FROM naming a \
                 stage through a build argument (`base-${TARGETARCH}`) is that stage, not an \
                 untagged image; a relative WORKDIR after `WORKDIR /src` is unambiguous; \
                 `--from=langgraph_src` is a `--build-context`, not a misspelt stage; a \
                 constant `--platform` in a stage named for it (`AS base-amd64`) is what \
                 BuildKit's FromPlatformFlagConstDisallowed allows; a COPY to `.` has a \
                 directory destination; a relative COPY destination in a `scratch` stage is \
                 under `/` for certain",
        cases: &[
            ("DL3006", BUILDX_LINT, 28),
            ("DL3006", OLLAMA, 29),
            ("DL3006", "qdrant__qdrant__Dockerfile", 166),
            ("DL3000", BUILDX_LINT, 56),
            (
                "DL3022",
                "langchain-ai__langgraph__libs-sdk-py-integration-Dockerfile",
                0,
            ),
            ("DL3029", OLLAMA, 0),
            ("DL3021", OLLAMA, 0),
            ("DL3045", BUILDX_LINT, 27),
        ],
    },
    Difference {
        reason: "in a builder stage: its layers, caches and USER are not part of the image \
                 the build ships, and package-cache-in-layer and runs-as-root check only the \
                 shipped stages",
        cases: &[
            ("DL3002", LITELLM, 12),
            ("DL3042", LITELLM, 66),
            ("DL3032", OLLAMA, 0),
            ("DL3040", OLLAMA, 0),
            ("DL3009", DISCOURSE, 12),
            ("DL3042", TGI_AMD, 150),
            ("DL3042", TGI_AMD, 156),
            ("DL3042", TGI_AMD, 203),
        ],
    },
    Difference {
        reason: "no cache is left in the layer: `apt-get dist-clean` removes the apt lists \
                 (apt 2.7+), and `pip install --no-index` of local wheels neither downloads \
                 nor builds anything, so pip's cache stays empty",
        cases: &[("DL3009", PYTHON_TRIXIE, 13), ("DL3042", LITELLM, 96)],
    },
    Difference {
        reason: "every pipe of the step is fed by `echo` (`echo \"$sum  file\" | sha256sum \
                 -c`, `$(echo $x | sed ...)`): the writer cannot fail, so pipefail would \
                 change nothing",
        cases: &[
            ("DL4006", DISCOURSE, 88),
            ("DL4006", DISCOURSE, 193),
            ("DL4006", DISCOURSE, 215),
            ("DL4006", PYTHON_TRIXIE, 143),
            ("DL4006", BUILDKIT_GENERATED, 18),
            (
                "DL4006",
                "nginx__docker-nginx__mainline-alpine-Dockerfile",
                12,
            ),
            (
                "DL4006",
                "rust-lang__docker-rust__stable-trixie-Dockerfile",
                10,
            ),
            (
                "DL4006",
                "adoptium__containers__21-jdk-ubuntu-noble-Dockerfile",
                107,
            ),
        ],
    },
    Difference {
        reason: "a one-off `cd` inside the step, into a temporary directory (`/tmp`, \
                 `$tempDir`) or into what the step itself just made (`git clone URL && cd \
                 repo`, `mkdir -p DIR; cd DIR`, an unpacked source tree): a WORKDIR would \
                 leave every later instruction there; cd-instead-of-workdir reports a `cd` \
                 only where WORKDIR can replace it",
        cases: &[
            ("DL3003", LITELLM, 54),
            ("DL3003", DISCOURSE, 193),
            (
                "DL3003",
                "docker-library__postgres__17-bookworm-Dockerfile",
                94,
            ),
            ("DL3003", PYTHON_TRIXIE, 26),
            ("DL3003", BUILDX_LINT, 54),
            ("DL3003", TGI_AMD, 226),
            ("DL3003", TGI_AMD, 234),
            ("DL3003", "qdrant__qdrant__Dockerfile", 55),
        ],
    },
    Difference {
        reason: "the version is pinned in a way hadolint does not read: a package name that \
                 carries its version, built from a build argument (`postgresql-${PG_MAJOR}`, \
                 `cuda-toolkit-${CUDA12VERSION//./-}`); a local gem file fetched at a version \
                 (`gem install --local pups-1.4.0.gem`); `go install` inside a module, whose \
                 go.mod gives the versions",
        cases: &[
            ("DL3008", DISCOURSE, 264),
            ("DL3041", OLLAMA, 0),
            ("DL3028", DISCOURSE, 193),
            ("DL3062", BUILDKIT_GENERATED, 64),
        ],
    },
    Difference {
        reason: "`sudo -u discourse ...` in a step running as root drops privileges, which \
                 the sudo rule leaves alone",
        cases: &[("DL3004", DISCOURSE, 0)],
    },
    Difference {
        reason: "copies `/` of the `tonistiigi/xx` helper image (binaries only, no commands \
                 run), the usual way to bring in build tools",
        cases: &[
            ("DL3067", BUILDX_LINT, 0),
            ("DL3067", "qdrant__qdrant__Dockerfile", 31),
        ],
    },
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
    let mut no_rule: BTreeMap<&str, usize> = BTreeMap::new();
    // (difference, case) -> findings it covers.
    let mut documented: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut missing: Vec<(String, &HadolintFinding)> = Vec::new();
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
        let case = DIFFERENCES.iter().enumerate().find_map(|(d, difference)| {
            difference
                .cases
                .iter()
                .position(|(code, file, line)| {
                    *code == f.code && *file == f.file && (*line == 0 || *line == f.line)
                })
                .map(|c| (d, c))
        });
        if let Some(key) = case {
            *documented.entry(key).or_default() += 1;
            continue;
        }
        if wanted.is_empty() {
            if let Some((code, _)) = NO_RULE.iter().find(|(code, _)| *code == f.code) {
                *no_rule.entry(code).or_default() += 1;
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
    for (code, reason) in NO_RULE {
        let n = no_rule.get(code).copied().unwrap_or(0);
        report.push_str(&format!("  {code} ({n} findings): {reason}\n"));
    }
    report.push_str("\nDocumented differences:\n");
    for (d, difference) in DIFFERENCES.iter().enumerate() {
        let n: usize = documented
            .iter()
            .filter(|((i, _), _)| *i == d)
            .map(|(_, n)| n)
            .sum();
        report.push_str(&format!("  ({n} findings) {}\n", difference.reason));
        for (c, (code, file, line)) in difference.cases.iter().enumerate() {
            let n = documented.get(&(d, c)).copied().unwrap_or(0);
            report.push_str(&format!("      {code} {file}:{line} ({n})\n"));
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
    let documented = &documented;
    let unused: Vec<_> = DIFFERENCES
        .iter()
        .enumerate()
        .flat_map(|(d, difference)| {
            difference
                .cases
                .iter()
                .enumerate()
                .filter(move |(c, _)| !documented.contains_key(&(d, *c)))
                .map(|(_, case)| case)
        })
        .collect();
    assert!(
        unused.is_empty(),
        "documented differences that no longer occur (remove them): {unused:?}"
    );
    let ruled: Vec<&str> = NO_RULE
        .iter()
        .map(|(code, _)| *code)
        .filter(|code| aliases.contains_key(*code))
        .collect();
    assert!(
        ruled.is_empty(),
        "ids listed as having no dockopt rule now have one (remove them): {ruled:?}"
    );
    assert!(
        missing.is_empty(),
        "{} hadolint findings have no dockopt counterpart and no documented reason (listed \
         above)",
        missing.len()
    );
}
