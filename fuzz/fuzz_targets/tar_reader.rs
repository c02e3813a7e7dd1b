//! Feeds arbitrary bytes to the layer reader (tar parsing, decompression
//! sniffing, path cleaning, indexing): it must return or fail, never panic.
#![no_main]

use dockopt_image::layer_index::{read_layer, LayerSpec, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let keep = |p: &str| p.ends_with("status");
    let spec = LayerSpec {
        name: "fuzz",
        digest: None,
        size: Some(data.len() as u64),
        diff_id: None,
        claimed: None,
        limits: Limits {
            max_expansion_ratio: 100,
            min_layer_cap: 16 << 20,
            max_layer_bytes: 64 << 20,
            max_kept_file: 1 << 20,
        },
        keep: &keep,
    };
    if let Ok(index) = read_layer(data, &spec) {
        let layers = vec![index];
        let merged = dockopt_image::merge::merge(&layers);
        let _ = dockopt_image::dive_compat::compute(&layers, &merged, &[false]);
    }
});
