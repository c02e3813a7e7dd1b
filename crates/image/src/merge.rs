//! Merges layer indexes, lowest first, into the final filesystem view,
//! following the OCI layer rules: a whiteout `.wh.NAME` deletes NAME from lower
//! layers, an opaque marker hides a directory's lower-layer children, and
//! neither touches entries of its own layer.

use std::collections::{HashMap, HashSet};

use crate::layer_index::{FileKind, LayerEntry, LayerIndex, WHITEOUT_PREFIX};
use crate::path_tree::{PathTree, NONE, ROOT};

/// Per-layer change counts (files, not directories).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct LayerChanges {
    /// Files new in the merged view.
    pub added: u64,
    /// Files that replaced a lower layer's file at the same path.
    pub changed: u64,
    /// Lower-layer files this layer deleted.
    pub deleted: u64,
    /// Regular-file bytes this layer stores.
    pub stored_bytes: u64,
    /// Of those, bytes not visible in the final filesystem.
    pub removable_bytes: u64,
}

/// The merged filesystem.
pub struct Merged {
    /// All paths of all layers (whiteout markers included, as names).
    pub tree: PathTree,
    /// First record id of each layer: record = `layer_starts[l] + entry index`.
    pub layer_starts: Vec<u32>,
    /// For each node of `tree`, the record visible there, or `NONE`.
    pub visible: Vec<u32>,
    /// For each layer, its local nodes mapped to nodes of `tree`.
    pub node_maps: Vec<Vec<u32>>,
    /// For hard-link records, the regular-file record holding their content.
    pub hardlink_content: HashMap<u32, u32>,
    /// Per-layer changes.
    pub changes: Vec<LayerChanges>,
    /// Remarks (missing hard-link targets...).
    pub notes: Vec<String>,
}

impl Merged {
    /// The layer and entry of record `rec`.
    pub fn locate<'a>(
        &self,
        layers: &'a [LayerIndex],
        rec: u32,
    ) -> Option<(usize, &'a LayerEntry)> {
        let layer = self
            .layer_starts
            .partition_point(|&s| s <= rec)
            .checked_sub(1)?;
        let start = *self.layer_starts.get(layer)?;
        let entry = layers.get(layer)?.entries.get((rec - start) as usize)?;
        Some((layer, entry))
    }

    /// Drops the per-layer node maps once no pass needs them.
    pub fn release_layer_maps(&mut self) {
        self.node_maps = Vec::new();
    }

    /// Bytes removable in total.
    pub fn removable_bytes(&self) -> u64 {
        self.changes.iter().map(|c| c.removable_bytes).sum()
    }
}

fn grow(v: &mut Vec<u32>, len: usize) {
    if v.len() < len {
        v.resize(len, NONE);
    }
}

/// Merges `layers` in order.
pub fn merge(layers: &[LayerIndex]) -> Merged {
    let mut tree = PathTree::new();
    // Sized once for the worst case (no path shared between layers): growing
    // step by step would rehash, and touch fresh memory, at every doubling.
    tree.reserve_for(layers.iter().map(|l| &l.tree));
    let mut visible: Vec<u32> = vec![NONE];
    let mut node_maps = Vec::with_capacity(layers.len());
    let mut layer_starts = Vec::with_capacity(layers.len());
    let mut hardlink_content = HashMap::new();
    let mut changes = vec![LayerChanges::default(); layers.len()];
    let mut notes = Vec::new();
    let mut next_record: u32 = 0;

    for (l, layer) in layers.iter().enumerate() {
        let start = next_record;
        layer_starts.push(start);
        next_record = next_record.saturating_add(layer.entries.len() as u32);
        // Local nodes are numbered parents first, so one pass maps them all.
        let mut map = vec![ROOT; layer.tree.len()];
        for local in 1..layer.tree.len() as u32 {
            let parent = map[layer.tree.parent(local) as usize];
            map[local as usize] = tree.intern_child(parent, layer.tree.name(local));
        }
        // Whiteout targets are nodes too.
        let mut whiteout_targets = Vec::new();
        for e in &layer.entries {
            if e.kind == FileKind::Whiteout {
                let marker = map[e.node as usize];
                let name = tree.name(marker);
                let target_name = name.get(WHITEOUT_PREFIX.len()..).unwrap_or(&[]).to_vec();
                let parent = tree.parent(marker);
                whiteout_targets.push(tree.intern_child(parent, &target_name));
            }
        }
        grow(&mut visible, tree.len());
        let change = &mut changes[l];
        let is_lower = |rec: u32| rec < start;

        // Deletions first: they only ever apply to lower layers.
        let mut removed_here: HashSet<u32> = HashSet::new();
        for e in &layer.entries {
            if e.kind == FileKind::Opaque {
                let dir = map[e.node as usize];
                clear_subtree(
                    &tree,
                    &mut visible,
                    (dir, true),
                    layers,
                    &layer_starts,
                    &mut removed_here,
                );
            }
        }
        for target in whiteout_targets {
            clear_subtree(
                &tree,
                &mut visible,
                (target, false),
                layers,
                &layer_starts,
                &mut removed_here,
            );
        }

        // Then additions, in tar order.
        let mut missing_links = 0usize;
        for (i, e) in layer.entries.iter().enumerate() {
            if matches!(e.kind, FileKind::Whiteout | FileKind::Opaque) {
                continue;
            }
            let rec = start + i as u32;
            let node = map[e.node as usize];
            // A file standing where a directory must be gives way to it.
            let mut a = tree.parent(node);
            while a != ROOT && a != NONE {
                let v = visible[a as usize];
                if v != NONE {
                    if kind_of(layers, &layer_starts, v) != Some(FileKind::Directory) {
                        visible[a as usize] = NONE;
                    } else {
                        break;
                    }
                }
                a = tree.parent(a);
            }
            // A file replacing a directory removes what was under it.
            if e.kind != FileKind::Directory {
                clear_subtree(
                    &tree,
                    &mut visible,
                    (node, true),
                    layers,
                    &layer_starts,
                    &mut removed_here,
                );
            }
            if e.kind.is_file() {
                let previous = visible[node as usize];
                if previous != NONE && !is_lower(previous) {
                    // Rewritten within this layer: already counted.
                } else if (previous != NONE
                    && kind_of(layers, &layer_starts, previous).is_some_and(FileKind::is_file))
                    || removed_here.remove(&node)
                {
                    change.changed += 1;
                } else {
                    change.added += 1;
                }
            }
            if e.kind == FileKind::Hardlink {
                let target = layer
                    .link_target(i as u32)
                    .and_then(|p| tree.find_path(p.split(|&b| b == b'/')))
                    .map(|n| visible[n as usize])
                    .filter(|&r| r != NONE)
                    .and_then(|r| match kind_of(layers, &layer_starts, r) {
                        Some(FileKind::Regular) => Some(r),
                        Some(FileKind::Hardlink) => hardlink_content.get(&r).copied(),
                        _ => None,
                    });
                match target {
                    Some(t) => {
                        hardlink_content.insert(rec, t);
                    }
                    None => {
                        missing_links += 1;
                        if missing_links == 1 {
                            notes.push(format!(
                                "layer {l}: hard link {} points to {}, which does not exist",
                                tree.path(node),
                                layer
                                    .link_target(i as u32)
                                    .map(|p| String::from_utf8_lossy(p).into_owned())
                                    .unwrap_or_default()
                            ));
                        }
                    }
                }
            }
            visible[node as usize] = rec;
        }
        if missing_links > 1 {
            notes.push(format!(
                "layer {l}: {missing_links} hard links point to missing targets"
            ));
        }
        change.deleted = removed_here.len() as u64;
        node_maps.push(map);
    }

    // Which regular-file records the final view still needs, by record id.
    let mut live = vec![false; next_record as usize];
    let mut keep = |rec: u32| {
        if let Some(slot) = live.get_mut(rec as usize) {
            *slot = true;
        }
    };
    for &rec in &visible {
        if rec == NONE {
            continue;
        }
        match kind_of(layers, &layer_starts, rec) {
            Some(FileKind::Regular) => keep(rec),
            Some(FileKind::Hardlink) => {
                if let Some(&t) = hardlink_content.get(&rec) {
                    keep(t);
                }
            }
            _ => {}
        }
    }
    for (l, layer) in layers.iter().enumerate() {
        let start = layer_starts[l] as usize;
        for (i, e) in layer.entries.iter().enumerate() {
            if e.kind == FileKind::Regular {
                changes[l].stored_bytes += e.size;
                if !live.get(start + i).copied().unwrap_or(false) {
                    changes[l].removable_bytes += e.size;
                }
            }
        }
    }
    tree.shrink_to_fit();
    visible.shrink_to_fit();
    Merged {
        tree,
        layer_starts,
        visible,
        node_maps,
        hardlink_content,
        changes,
        notes,
    }
}

fn kind_of(layers: &[LayerIndex], starts: &[u32], rec: u32) -> Option<FileKind> {
    let layer = starts.partition_point(|&s| s <= rec).checked_sub(1)?;
    let entry = layers
        .get(layer)?
        .entries
        .get((rec - starts[layer]) as usize)?;
    Some(entry.kind)
}

/// Hides everything under `node`, and `node` too unless `keep_node`;
/// remembers deleted lower-layer files.
fn clear_subtree(
    tree: &PathTree,
    visible: &mut [u32],
    (node, keep_node): (u32, bool),
    layers: &[LayerIndex],
    starts: &[u32],
    removed: &mut HashSet<u32>,
) {
    let mut stack: Vec<u32> = if keep_node {
        tree.children(node).collect()
    } else {
        vec![node]
    };
    while let Some(n) = stack.pop() {
        if let Some(slot) = visible.get_mut(n as usize) {
            if *slot != NONE {
                if kind_of(layers, starts, *slot).is_some_and(FileKind::is_file) {
                    removed.insert(n);
                }
                *slot = NONE;
            }
        }
        stack.extend(tree.children(n));
    }
}
