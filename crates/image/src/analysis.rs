//! What the merged view tells: duplicates, the largest files and directories,
//! leftovers, and the file source the package inventories read.

use std::cmp::Ordering;
use std::collections::HashMap;

use crate::inventory::FileSource;
use crate::layer_index::{FileKind, LayerIndex};
use crate::leftovers;
use crate::merge::Merged;
use crate::path_tree::{NONE, ROOT};
use crate::report::{DuplicateCopy, DuplicateGroup, Leftover, SizedPath};

/// Same content stored more than once, across paths and layers.
pub fn duplicates(
    layers: &[LayerIndex],
    merged: &Merged,
    top: usize,
) -> (u64, Vec<DuplicateGroup>) {
    let is_content =
        |e: &&crate::layer_index::LayerEntry| e.kind == FileKind::Regular && e.size > 0;
    // Sized exactly: one record per file, and this runs at the memory peak.
    let count = layers
        .iter()
        .map(|l| l.entries.iter().filter(is_content).count())
        .sum();
    let mut all: Vec<(u64, u64, u32)> = Vec::with_capacity(count);
    for (l, layer) in layers.iter().enumerate() {
        let start = merged.layer_starts[l];
        for (i, e) in layer.entries.iter().enumerate() {
            if e.kind == FileKind::Regular && e.size > 0 {
                all.push((e.hash, e.size, start + i as u32));
            }
        }
    }
    all.sort_unstable();
    // (wasted, size, copies as (hash, size, record))
    type Group<'a> = (u64, u64, &'a [(u64, u64, u32)]);
    let mut groups: Vec<Group<'_>> = Vec::new();
    let mut total = 0u64;
    for chunk in all.chunk_by(|a, b| a.0 == b.0 && a.1 == b.1) {
        if chunk.len() > 1 {
            let size = chunk[0].1;
            let wasted = size.saturating_mul(chunk.len() as u64 - 1);
            total = total.saturating_add(wasted);
            groups.push((wasted, size, chunk));
        }
    }
    groups.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    let out = groups
        .into_iter()
        .take(top)
        .map(|(wasted, size, chunk)| DuplicateGroup {
            size,
            count: chunk.len() as u64,
            wasted_bytes: wasted,
            copies: chunk
                .iter()
                .filter_map(|&(_, _, rec)| {
                    let (layer, entry) = merged.locate(layers, rec)?;
                    let node = merged.node_maps.get(layer)?.get(entry.node as usize)?;
                    Some(DuplicateCopy {
                        path: format!("/{}", merged.tree.path(*node)),
                        layer_index: layer,
                    })
                })
                .collect(),
        })
        .collect();
    (total, out)
}

/// A visible file of the final view.
pub struct VisibleFile {
    /// Node in the merged tree.
    pub node: u32,
    /// Layer that wrote it.
    pub layer: usize,
    /// Its kind.
    pub kind: FileKind,
    /// Bytes it adds to the filesystem (hard links add none).
    pub size: u64,
}

/// Puts the `top` first items of `items` by `order` at its front, sorted;
/// leaves the rest in no particular order (a full sort of every file costs
/// more than the few that get listed).
fn top_first<T>(items: &mut [T], top: usize, mut order: impl FnMut(&T, &T) -> Ordering) {
    if top < items.len() {
        items.select_nth_unstable_by(top, &mut order);
    }
    let end = top.min(items.len());
    items[..end].sort_by(order);
}

/// Every visible non-directory entry.
pub fn visible_files(layers: &[LayerIndex], merged: &Merged) -> Vec<VisibleFile> {
    let mut out = Vec::new();
    for (node, &rec) in merged.visible.iter().enumerate() {
        if rec == NONE {
            continue;
        }
        let Some((layer, entry)) = merged.locate(layers, rec) else {
            continue;
        };
        if !entry.kind.is_file() {
            continue;
        }
        let size = if entry.kind == FileKind::Regular {
            entry.size
        } else {
            0
        };
        out.push(VisibleFile {
            node: node as u32,
            layer,
            kind: entry.kind,
            size,
        });
    }
    out
}

/// The largest visible files and directories (a directory's size is the sum
/// of the visible files under it).
pub fn largest(
    merged: &Merged,
    files: &[VisibleFile],
    top: usize,
) -> (Vec<SizedPath>, Vec<SizedPath>, u64) {
    let mut by_size: Vec<&VisibleFile> = files.iter().filter(|f| f.size > 0).collect();
    top_first(&mut by_size, top, |a, b| {
        b.size.cmp(&a.size).then(a.node.cmp(&b.node))
    });
    let largest_files = by_size
        .iter()
        .take(top)
        .map(|f| SizedPath {
            path: format!("/{}", merged.tree.path(f.node)),
            bytes: f.size,
            layer_index: Some(f.layer),
        })
        .collect();
    // Parents always have smaller ids than their children, so one backwards
    // pass sums every directory.
    let mut dir_size = vec![0u64; merged.tree.len()];
    for f in files {
        dir_size[f.node as usize] = f.size;
    }
    let mut is_dir_with_files = vec![false; merged.tree.len()];
    for node in (1..merged.tree.len()).rev() {
        let parent = merged.tree.parent(node as u32);
        if parent != NONE {
            dir_size[parent as usize] = dir_size[parent as usize].saturating_add(dir_size[node]);
            is_dir_with_files[parent as usize] = true;
        }
    }
    let total = dir_size[ROOT as usize];
    let mut dirs: Vec<u32> = (1..merged.tree.len() as u32)
        .filter(|&n| is_dir_with_files[n as usize] && dir_size[n as usize] > 0)
        .collect();
    top_first(&mut dirs, top, |&a, &b| {
        dir_size[b as usize]
            .cmp(&dir_size[a as usize])
            .then(a.cmp(&b))
    });
    let largest_dirs = dirs
        .iter()
        .take(top)
        .map(|&n| SizedPath {
            path: format!("/{}", merged.tree.path(n)),
            bytes: dir_size[n as usize],
            layer_index: None,
        })
        .collect();
    (largest_files, largest_dirs, total)
}

/// Leftovers (caches, toolchains...) in the final view, grouped by kind, root
/// and the layer that wrote them.
pub fn leftovers(
    merged: &Merged,
    files: &[VisibleFile],
    instructions: &[Option<String>],
) -> Vec<Leftover> {
    let mut groups: HashMap<(String, String, usize), (u64, u64)> = HashMap::new();
    let mut path = String::new();
    // Most directories cannot hold a leftover whatever their files are
    // called: ask once per directory, then look at names only.
    let mut dir_path = String::new();
    let mut filters: HashMap<u32, leftovers::DirectoryFilter> = HashMap::new();
    let mut last: Option<(u32, leftovers::DirectoryFilter)> = None;
    for f in files {
        let dir = merged.tree.parent(f.node);
        // Files of one directory mostly come one after another.
        let filter = match last {
            Some((d, filter)) if d == dir => filter,
            _ => {
                let filter = *filters.entry(dir).or_insert_with(|| {
                    merged.tree.path_into(dir, &mut dir_path);
                    leftovers::DirectoryFilter::new(&dir_path)
                });
                last = Some((dir, filter));
                filter
            }
        };
        let name = String::from_utf8_lossy(merged.tree.name(f.node));
        if !filter.may_classify(&name) {
            continue;
        }
        merged.tree.path_into(f.node, &mut path);
        if let Some((kind, root)) = leftovers::classify(&path) {
            let slot = groups
                .entry((kind.to_string(), root, f.layer))
                .or_insert((0, 0));
            slot.0 = slot.0.saturating_add(f.size);
            slot.1 += 1;
        }
    }
    let mut out: Vec<Leftover> = groups
        .into_iter()
        .map(|((kind, root, layer), (bytes, files))| Leftover {
            path: format!("/{root}"),
            bytes,
            files,
            kind,
            layer_index: layer,
            created_by: instructions.get(layer).cloned().flatten(),
        })
        .collect();
    out.sort_by(|a, b| {
        b.bytes
            .cmp(&a.bytes)
            .then_with(|| a.path.cmp(&b.path))
            .then(a.layer_index.cmp(&b.layer_index))
    });
    out
}

/// The final filesystem as the inventories see it.
pub struct MergedFiles<'a> {
    merged: &'a Merged,
    layers: &'a [LayerIndex],
    contents: HashMap<String, Vec<u8>>,
}

impl<'a> MergedFiles<'a> {
    /// Takes the kept bytes of the files visible at the end; drops the rest.
    pub fn new(merged: &'a Merged, layers: &'a mut [LayerIndex]) -> MergedFiles<'a> {
        let mut contents = HashMap::new();
        let mut taken: Vec<HashMap<u32, Vec<u8>>> = layers
            .iter_mut()
            .map(|l| std::mem::take(&mut l.contents))
            .collect();
        for (node, &rec) in merged.visible.iter().enumerate() {
            if rec == NONE {
                continue;
            }
            let layer = merged.layer_starts.partition_point(|&s| s <= rec);
            let Some(layer) = layer.checked_sub(1) else {
                continue;
            };
            let entry_index = rec - merged.layer_starts[layer];
            // Most layers keep nothing: skip hashing for them.
            let kept = taken.get_mut(layer).filter(|c| !c.is_empty());
            if let Some(bytes) = kept.and_then(|c| c.remove(&entry_index)) {
                contents.insert(merged.tree.path(node as u32), bytes);
            }
        }
        drop(taken);
        MergedFiles {
            merged,
            layers,
            contents,
        }
    }
}

impl MergedFiles<'_> {
    /// The size of the regular file visible at `node`, if one is.
    fn regular_size(&self, node: u32) -> Option<u64> {
        let rec = *self.merged.visible.get(node as usize)?;
        if rec == NONE {
            return None;
        }
        let (_, e) = self.merged.locate(self.layers, rec)?;
        (e.kind == FileKind::Regular).then_some(e.size)
    }
}

impl FileSource for MergedFiles<'_> {
    fn content(&self, path: &str) -> Option<&[u8]> {
        self.contents.get(path).map(Vec::as_slice)
    }

    fn files_below_dirs_named(&self, names: &[&str]) -> Vec<(String, u64)> {
        // Walks the tree by name; only files below a matching directory get
        // their path built.
        let tree = &self.merged.tree;
        let mut out = Vec::new();
        let mut stack: Vec<(u32, bool)> = tree.children(ROOT).map(|n| (n, false)).collect();
        while let Some((n, below)) = stack.pop() {
            if below {
                if let Some(size) = self.regular_size(n) {
                    out.push((tree.path(n), size));
                }
            }
            let inside = below || names.iter().any(|name| tree.name(n) == name.as_bytes());
            stack.extend(tree.children(n).map(|c| (c, inside)));
        }
        out.sort();
        out
    }

    fn size_of(&self, path: &str) -> Option<u64> {
        let parts = path.split('/').filter(|c| !c.is_empty()).map(str::as_bytes);
        self.regular_size(self.merged.tree.find_path(parts)?)
    }

    fn files_under(&self, dir: &str) -> Vec<(String, u64)> {
        let tree = &self.merged.tree;
        let start = if dir.is_empty() {
            Some(ROOT)
        } else {
            tree.find_path(dir.split('/').filter(|c| !c.is_empty()).map(str::as_bytes))
        };
        let Some(start) = start else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut stack: Vec<u32> = tree.children(start).collect();
        while let Some(n) = stack.pop() {
            if let Some(size) = self.regular_size(n) {
                out.push((tree.path(n), size));
            }
            stack.extend(tree.children(n));
        }
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_first_agrees_with_a_full_sort() {
        let mut seed = 7u64;
        let items: Vec<(u64, u32)> = (0..500u32)
            .map(|i| {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                ((seed >> 58) % 16, i)
            })
            .collect();
        let order = |a: &(u64, u32), b: &(u64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
        let mut sorted = items.clone();
        sorted.sort_by(order);
        for top in [0, 1, 5, 20, 499, 500, 900] {
            let mut v = items.clone();
            top_first(&mut v, top, order);
            let end = top.min(v.len());
            assert_eq!(v[..end], sorted[..end], "top {top}");
        }
    }
}
