//! Throughput of the layer reader on a generated gzip layer, and of sha256
//! over one stream alone and three side by side (one core).

use std::io::Write;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use dockopt_image::layer_index::{read_layer, LayerSpec, Limits};
use dockopt_image::sha256_lanes::LaneHash;

/// A layer of 2,000 files of mixed sizes with semi-compressible content.
fn generated_layer() -> (Vec<u8>, u64) {
    let mut b = tar::Builder::new(Vec::new());
    let mut seed: u64 = 42;
    for i in 0..2000u32 {
        let size = [100usize, 4_000, 20_000, 120_000][(i % 4) as usize];
        let data: Vec<u8> = (0..size)
            .map(|_| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                b"abcdefghijklmnop"[(seed >> 60) as usize]
            })
            .collect();
        let mut h = tar::Header::new_gnu();
        h.set_size(size as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, format!("usr/lib/d{}/f{i}", i % 50), &data[..])
            .unwrap();
    }
    let tar = b.into_inner().unwrap();
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(&tar).unwrap();
    (e.finish().unwrap(), tar.len() as u64)
}

fn bench(c: &mut Criterion) {
    let (blob, uncompressed) = generated_layer();
    let keep = |_: &str| false;
    let mut group = c.benchmark_group("layer_reader");
    group.throughput(Throughput::Bytes(uncompressed));
    group.sample_size(20);
    group.bench_function("gzip_layer", |bench| {
        bench.iter(|| {
            let spec = LayerSpec {
                name: "bench",
                digest: None,
                size: Some(blob.len() as u64),
                diff_id: None,
                claimed: None,
                limits: Limits::default(),
                keep: &keep,
            };
            read_layer(&blob[..], &spec).unwrap()
        })
    });
    group.finish();

    // 4 MiB per stream, fed in the reader's chunk size.
    let data: Vec<u8> = (0..4u32 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let chunk = dockopt_image::layer_index::CHUNK_BYTES;
    let mut group = c.benchmark_group("sha256");
    group.sample_size(20);
    group.throughput(Throughput::Bytes(data.len() as u64));
    group.bench_function("one_stream", |bench| {
        bench.iter(|| {
            let mut hash = LaneHash::new();
            for piece in data.chunks(chunk) {
                hash.update(piece);
            }
            hash.finish()
        })
    });
    group.throughput(Throughput::Bytes(3 * data.len() as u64));
    group.bench_function("three_side_by_side", |bench| {
        bench.iter(|| {
            let (mut a, mut b, mut c) = (LaneHash::new(), LaneHash::new(), LaneHash::new());
            for piece in data.chunks(chunk) {
                LaneHash::update_together(&mut [&mut a, &mut b, &mut c], &[piece, piece, piece]);
            }
            (a.finish(), b.finish(), c.finish())
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
