//! dive 0.13's efficiency score and wasted bytes, reproduced exactly,
//! quirks included, so that numbers can be compared with `dive --ci`.
//!
//! How dive computes them (filetree/efficiency.go):
//! - Each layer is a tree of its tar entries; missing parents are implicit
//!   nodes with size 0 that are not directories. Opaque markers are never
//!   nodes (but create their parents). A path written twice keeps its node
//!   and takes the last entry's header.
//! - For each layer in order, the leaves of its tree (nodes without children:
//!   files, empty directories, whiteouts) are visited depth-first, children
//!   by name, children before parents. A whiteout `.wh.X` counts for path X.
//! - A leaf's size is its tar header size. A whiteout's size is, when X is a
//!   directory in the lower layers stacked together (opaque markers ignored),
//!   the sum of the header sizes of X and everything under it; otherwise 0.
//!   When X does not exist below, dive gives up on the rest of that layer, and
//!   the path it gave up on keeps a minimum of -1.
//! - Per path: cumulative size (sum) and minimum size. Score = sum of minima /
//!   sum of cumulative sizes (1 when the latter is 0). Wasted bytes = sum of
//!   the cumulative sizes of paths seen at least twice (the kept copy is
//!   counted too).
//! - The layer size is the sum of the header sizes of all its entries; the
//!   user-wasted percent is wasted bytes / sizes of all layers but the first.
//! - A legacy docker-archive layer stored as a symbolic link is read by dive
//!   as an empty layer.

use std::collections::HashMap;

use crate::layer_index::{FileKind, LayerIndex, WHITEOUT_PREFIX};
use crate::merge::Merged;
use crate::path_tree::{NONE, ROOT};

/// One path counted more than once.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InefficientFile {
    /// Absolute path, as dive prints it.
    pub path: String,
    /// How many layers hold it.
    pub count: u32,
    /// Sum of its sizes over those layers.
    pub cumulative_size: u64,
}

/// dive's numbers for an image.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DiveCompat {
    /// Efficiency score in [0, 1] (can stray outside on dive's own quirks).
    pub efficiency: f64,
    /// Wasted bytes, double counting included.
    pub wasted_bytes: u64,
    /// Sum of the layer sizes.
    pub size_bytes: u64,
    /// Sum of the layer sizes but the first.
    pub user_size_bytes: u64,
    /// wasted bytes / user size bytes (`None` when not a finite number).
    pub wasted_user_percent: Option<f64>,
    /// The same ratio with IEEE semantics, for threshold checks.
    #[serde(skip)]
    pub wasted_user_ratio_raw: f64,
    /// Paths counted more than once, largest first.
    pub inefficient_files: Vec<InefficientFile>,
}

/// Per-path counts, kept lean: a few bytes for every path of the image.
/// The sums the score needs run along, so only paths counted twice keep
/// their cumulative size.
struct PathStats {
    /// Whether the path was visited (its minimum is in `minimum`).
    seen: Vec<bool>,
    /// Smallest size seen; -1 until one is.
    min: Vec<i64>,
    /// Visits that gave a size.
    count: Vec<u32>,
    /// Cumulative sizes of the paths counted twice or more.
    repeated: HashMap<u32, i64>,
    /// Sum of `min` over the seen paths.
    minimum: i64,
    /// Sum of every size counted.
    discovered: i64,
}

impl PathStats {
    fn new(paths: usize) -> PathStats {
        PathStats {
            seen: vec![false; paths],
            min: vec![-1; paths],
            count: vec![0; paths],
            repeated: HashMap::new(),
            minimum: 0,
            discovered: 0,
        }
    }

    fn see(&mut self, key: usize) {
        if !self.seen[key] {
            self.seen[key] = true;
            self.minimum += self.min[key];
        }
    }

    fn count(&mut self, key: usize, size: i64) {
        self.discovered += size;
        let min = self.min[key];
        match self.count[key] {
            // With one size so far, the cumulative size is that size.
            1 => {
                self.repeated.insert(key as u32, min + size);
            }
            n if n > 1 => {
                *self.repeated.entry(key as u32).or_insert(0) += size;
            }
            _ => {}
        }
        if min < 0 || size < min {
            self.minimum += size - min;
            self.min[key] = size;
        }
        self.count[key] = self.count[key].saturating_add(1);
    }
}

/// The stacked lower layers as dive sees them.
struct Stacked {
    present: Vec<bool>,
    size: Vec<i64>,
    is_dir: Vec<bool>,
}

/// Computes dive's numbers. `empty_layers[l]` marks layers dive reads as empty.
pub fn compute(layers: &[LayerIndex], merged: &Merged, empty_layers: &[bool]) -> DiveCompat {
    let tree = &merged.tree;
    let n = tree.len();
    let mut stats = PathStats::new(n);
    let mut stacked = Stacked {
        present: vec![false; n],
        size: vec![0; n],
        is_dir: vec![false; n],
    };
    let mut layer_sizes = Vec::with_capacity(layers.len());

    for (l, layer) in layers.iter().enumerate() {
        let empty = empty_layers.get(l).copied().unwrap_or(false);
        layer_sizes.push(if empty { 0 } else { layer.header_size_total });
        if empty {
            continue;
        }
        let map = &merged.node_maps[l];
        let last = layer.last_entry_per_node();
        let info = |local: u32| -> (i64, bool) {
            match last.get(local as usize) {
                Some(&e) if e != u32::MAX => {
                    let entry = &layer.entries[e as usize];
                    (entry.size as i64, entry.kind == FileKind::Directory)
                }
                _ => (0, false),
            }
        };
        let post_order = post_order(layer);
        if l == 0 {
            // The first "stack" is a copy of layer 0 itself.
            for &local in &post_order {
                let g = map[local as usize];
                let (size, dir) = info(local);
                stacked.present[g as usize] = true;
                stacked.size[g as usize] = size;
                stacked.is_dir[g as usize] = dir;
            }
        }
        // Efficiency visits: leaves only, in dive's order.
        for &local in &post_order {
            if layer.tree.has_children(local) {
                continue;
            }
            let name = layer.tree.name(local);
            let whiteout = name.starts_with(WHITEOUT_PREFIX);
            let global = map[local as usize];
            let key = if whiteout {
                let target = name.get(WHITEOUT_PREFIX.len()..).unwrap_or(&[]);
                tree.child(tree.parent(global), target).unwrap_or(NONE)
            } else {
                global
            };
            if key == NONE {
                break;
            }
            stats.see(key as usize);
            let size = if whiteout {
                if !stacked.present[key as usize] {
                    // dive stops visiting this layer here.
                    break;
                }
                if stacked.is_dir[key as usize] {
                    subtree_size(merged, &stacked, key)
                } else {
                    0
                }
            } else {
                info(local).0
            };
            stats.count(key as usize, size);
        }
        // Stack this layer for the next ones (layer 0 is stacked onto its copy).
        for &local in &post_order {
            let g = map[local as usize];
            let name = layer.tree.name(local);
            if name.starts_with(WHITEOUT_PREFIX) {
                let target = name.get(WHITEOUT_PREFIX.len()..).unwrap_or(&[]);
                if let Some(t) = tree.child(tree.parent(g), target) {
                    if stacked.present[t as usize] {
                        remove_subtree(merged, &mut stacked, t);
                    }
                }
            } else {
                let mut a = tree.parent(g);
                while a != ROOT && a != NONE && !stacked.present[a as usize] {
                    stacked.present[a as usize] = true;
                    stacked.size[a as usize] = 0;
                    stacked.is_dir[a as usize] = false;
                    a = tree.parent(a);
                }
                let (size, dir) = info(local);
                stacked.present[g as usize] = true;
                stacked.size[g as usize] = size;
                stacked.is_dir[g as usize] = dir;
            }
        }
    }

    let (minimum, discovered) = (stats.minimum, stats.discovered);
    let efficiency = if discovered == 0 {
        1.0
    } else {
        minimum as f64 / discovered as f64
    };
    let wasted: i64 = stats.repeated.values().sum();
    let wasted_bytes = wasted as u64;
    let size_bytes: u64 = layer_sizes.iter().sum();
    let user_size_bytes: u64 = layer_sizes.iter().skip(1).sum();
    let ratio = wasted_bytes as f64 / user_size_bytes as f64;
    let mut files: Vec<InefficientFile> = stats
        .repeated
        .iter()
        .map(|(&k, &cumulative)| InefficientFile {
            path: format!("/{}", tree.path(k)),
            count: stats.count[k as usize],
            cumulative_size: cumulative as u64,
        })
        .collect();
    files.sort_by(|a, b| {
        b.cumulative_size
            .cmp(&a.cumulative_size)
            .then_with(|| a.path.cmp(&b.path))
    });
    DiveCompat {
        efficiency,
        wasted_bytes,
        size_bytes,
        user_size_bytes,
        wasted_user_percent: ratio.is_finite().then_some(ratio),
        wasted_user_ratio_raw: ratio,
        inefficient_files: files,
    }
}

/// Local nodes of a layer in dive's visiting order: depth-first, children by
/// name, children before parents; the root excluded.
///
/// The order between siblings only matters in a layer with whiteouts (where
/// dive may stop part way, and a deletion and an addition may meet); other
/// layers skip sorting, which is most of this pass's time on big directories.
fn post_order(layer: &LayerIndex) -> Vec<u32> {
    let by_name = layer
        .entries
        .iter()
        .any(|e| matches!(e.kind, FileKind::Whiteout | FileKind::Opaque));
    let mut out = Vec::with_capacity(layer.tree.len());
    // (node, expanded)
    let mut stack: Vec<(u32, bool)> = vec![(ROOT, false)];
    while let Some((node, expanded)) = stack.pop() {
        if expanded {
            if node != ROOT {
                out.push(node);
            }
            continue;
        }
        stack.push((node, true));
        if by_name {
            let kids = layer.tree.sorted_children(node);
            stack.extend(kids.iter().rev().map(|&k| (k, false)));
        } else {
            stack.extend(layer.tree.children(node).map(|k| (k, false)));
        }
    }
    out
}

fn subtree_size(merged: &Merged, stacked: &Stacked, node: u32) -> i64 {
    let mut total = 0;
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        total += stacked.size[n as usize];
        stack.extend(
            merged
                .tree
                .children(n)
                .filter(|&c| stacked.present[c as usize]),
        );
    }
    total
}

fn remove_subtree(merged: &Merged, stacked: &mut Stacked, node: u32) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        stacked.present[n as usize] = false;
        stack.extend(
            merged
                .tree
                .children(n)
                .filter(|&c| stacked.present[c as usize]),
        );
    }
}
