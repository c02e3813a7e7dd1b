//! Parse throughput over the real-world corpus (`../shared/corpus/*/Dockerfile`).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| std::fs::read_to_string(e.path().join("Dockerfile")).ok())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn bench_parse(c: &mut Criterion) {
    let files = corpus();
    let bytes: usize = files.iter().map(String::len).sum();
    let mut group = c.benchmark_group("parse");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("corpus", |b| {
        b.iter(|| {
            let mut instructions = 0;
            for f in &files {
                instructions += dockopt_syntax::parse(std::hint::black_box(f))
                    .dockerfile()
                    .instructions()
                    .len();
            }
            instructions
        })
    });
    group.finish();
}

criterion_group!(benches, bench_parse);
criterion_main!(benches);
