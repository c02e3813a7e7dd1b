//! Memory grows with the number of files, not with bytes: many empty files
//! are streamed from a generated tar and the index's heap is measured.

mod common;

use std::io::Read;

use dockopt_image::layer_index::{read_layer, LayerSpec, Limits};

/// Produces a tar of `n` empty files on the fly.
struct ManyEmptyFiles {
    next: usize,
    n: usize,
    buf: Vec<u8>,
    pos: usize,
    ended: bool,
}

impl Read for ManyEmptyFiles {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            if self.next < self.n {
                let name = format!("d{:04}/file-{:08}", self.next / 1000, self.next);
                self.buf = common::raw_entry(name.as_bytes(), b"", b'0');
                self.next += 1;
            } else if !self.ended {
                self.ended = true;
                self.buf = vec![0; 1024];
            } else {
                return Ok(0);
            }
        }
        let k = out.len().min(self.buf.len() - self.pos);
        out[..k].copy_from_slice(&self.buf[self.pos..self.pos + k]);
        self.pos += k;
        Ok(k)
    }
}

#[test]
fn per_file_memory_is_small() {
    // The hostile case: a layer of a million empty files.
    let n = 1_000_000;
    let gen = ManyEmptyFiles {
        next: 0,
        n,
        buf: Vec::new(),
        pos: 0,
        ended: false,
    };
    let keep = |_: &str| false;
    let spec = LayerSpec {
        name: "generated",
        digest: None,
        size: None,
        diff_id: None,
        claimed: None,
        limits: Limits::default(),
        keep: &keep,
    };
    let index = read_layer(gen, &spec).unwrap();
    assert_eq!(index.entries.len(), n);
    let layers = vec![index];
    let merged = dockopt_image::merge::merge(&layers);
    let total = layers[0].heap_bytes() + merged.tree.heap_bytes() + merged.visible.capacity() * 4;
    let per_file = total / n;
    println!("heap per file: {per_file} bytes (index + merged view)");
    assert!(per_file < 256, "{per_file} bytes per file");
}
