//! Throughput of a whole lint (parse, model, shell scripts, every rule) of one Dockerfile:
//! a generated 300-line file with 60 `RUN`s (the same text as `bench/gen-dockerfile.py`
//! writes), the largest file of the real-world corpus, and the whole corpus
//! (`../shared/corpus/*/Dockerfile`), with the default rules and with every rule.

use std::collections::BTreeMap;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{lint_source, LintSettings, ALL};

/// The 300-line Dockerfile `bench/gen-dockerfile.py` writes.
fn generated() -> String {
    let managers = [
        (
            "apt-get update && apt-get install -y curl ca-certificates",
            "rm -rf /var/lib/apt/lists/*",
        ),
        ("pip install -r requirements-{i}.txt", "true"),
        ("npm ci --omit=dev", "npm cache clean --force"),
        ("go build -o /out/app{i} ./cmd/app{i}", "true"),
        (
            "curl -fsSL https://example.com/tool-{i}.tar.gz | tar -xz -C /opt",
            "true",
        ),
        (
            "for n in 1 2 3; do apk add --no-cache git && break || sleep 2; done",
            "true",
        ),
    ];
    let mut lines: Vec<String> = [
        "# syntax=docker/dockerfile:1",
        "FROM debian:bookworm-slim AS base",
        "ARG VERSION=1.0",
        "WORKDIR /app",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for i in 0..60 {
        let (install, cleanup) = managers[i % managers.len()];
        if i == 30 {
            lines.push("FROM base AS final".into());
        }
        lines.push(format!("# step {i}: install and clean up"));
        lines.push("RUN set -eux; \\".into());
        lines.push(format!(
            "    {}; \\",
            install.replace("{i}", &i.to_string())
        ));
        lines.push(format!("    {cleanup}"));
        if i != 30 {
            lines.push(String::new());
        }
    }
    lines.push("USER 1000".into());
    lines.push("CMD [\"/out/app1\"]".into());
    while lines.len() > 300 {
        match lines.iter().skip(5).position(String::is_empty) {
            Some(at) => {
                lines.remove(at + 5);
            }
            None => break,
        }
    }
    lines.join("\n") + "\n"
}

/// The corpus files, sorted by name.
fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path().join("Dockerfile"))
                .collect()
        })
        .unwrap_or_default();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .collect()
}

fn bench_lint(c: &mut Criterion) {
    let options = BTreeMap::new();
    let default = Selection::resolve(&SelectionSpec::default(), ALL);
    let every = Selection::resolve(
        &SelectionSpec {
            select: vec![Selector::All],
            ..Default::default()
        },
        ALL,
    );
    let generated = generated();
    let corpus = corpus();
    let largest = corpus
        .iter()
        .max_by_key(|f| f.len())
        .cloned()
        .unwrap_or_default();
    let path = Path::new("Dockerfile");
    let mut group = c.benchmark_group("lint");
    for (name, selection) in [("default", &default), ("all", &every)] {
        let settings = LintSettings {
            rules: ALL,
            selection,
            options: &options,
        };
        for (input, text) in [("generated-300", &generated), ("largest", &largest)] {
            group.throughput(Throughput::Bytes(text.len() as u64));
            group.bench_function(BenchmarkId::new(name, input), |b| {
                b.iter(|| {
                    lint_source(path, std::hint::black_box(text), &settings)
                        .findings
                        .len()
                })
            });
        }
        let bytes: usize = corpus.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(BenchmarkId::new(name, "corpus"), |b| {
            b.iter(|| {
                corpus
                    .iter()
                    .map(|text| {
                        lint_source(path, std::hint::black_box(text), &settings)
                            .findings
                            .len()
                    })
                    .sum::<usize>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_lint);
criterion_main!(benches);
