//! The report of `dockopt image inspect`, its JSON form (see SCHEMA.md) and
//! its human tables.

use std::fmt::Write as _;

use serde::Serialize;

use crate::decompress::Compression;
use crate::dive_compat::DiveCompat;
use crate::inventory::Package;
use crate::resolve::ImageFormat;

/// Version of the JSON schema; bumped on incompatible changes.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything `image inspect` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// JSON schema version.
    pub schema_version: u32,
    /// The image as a whole.
    pub image: ImageSummary,
    /// Layers, lowest first.
    pub layers: Vec<LayerReport>,
    /// Bytes stored in layers but not visible in the final filesystem.
    pub removable_bytes: u64,
    /// dive 0.13's numbers.
    pub dive_compat: DiveCompat,
    /// Bytes of regular-file content stored more than once.
    pub duplicate_bytes: u64,
    /// Groups of identical content, most wasteful first.
    pub duplicates: Vec<DuplicateGroup>,
    /// Largest visible files.
    pub largest_files: Vec<SizedPath>,
    /// Largest directories (sum of visible files under them).
    pub largest_directories: Vec<SizedPath>,
    /// Caches and toolchains left in the final filesystem.
    pub leftovers: Vec<Leftover>,
    /// Installed packages.
    pub packages: Vec<Package>,
    /// Remarks: skipped artifacts, odd entries, unreadable package databases.
    pub notes: Vec<String>,
}

/// The image as a whole.
#[derive(Debug, Clone, Serialize)]
pub struct ImageSummary {
    /// The path that was read.
    pub path: String,
    /// Container format.
    pub format: ImageFormat,
    /// Platform read.
    pub platform: Option<String>,
    /// Config digest.
    pub config_digest: Option<String>,
    /// Tags or reference names.
    pub names: Vec<String>,
    /// Sum of layer blob sizes.
    pub size: u64,
    /// Sum of uncompressed layer sizes.
    pub uncompressed_size: u64,
    /// Bytes of the visible regular files.
    pub visible_bytes: u64,
    /// Visible files (non-directories).
    pub visible_files: u64,
}

/// One layer.
#[derive(Debug, Clone, Serialize)]
pub struct LayerReport {
    /// Position, 0 = lowest.
    pub index: usize,
    /// Blob digest (`sha256:...`).
    pub digest: String,
    /// DiffID (sha256 of the uncompressed tar).
    pub diff_id: String,
    /// Blob size.
    pub size: u64,
    /// Uncompressed tar size.
    pub uncompressed_size: u64,
    /// Compression found by magic bytes.
    pub compression: Compression,
    /// The instruction that made it, from the config history.
    pub created_by: Option<String>,
    /// Files new in the merged view.
    pub files_added: u64,
    /// Files replacing a lower layer's.
    pub files_changed: u64,
    /// Lower-layer files deleted.
    pub files_deleted: u64,
    /// Tar entries.
    pub entries: u64,
    /// Bytes of this layer not visible at the end.
    pub removable_bytes: u64,
}

/// One copy of duplicated content.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateCopy {
    /// Absolute path.
    pub path: String,
    /// Layer holding it.
    pub layer_index: usize,
}

/// Identical content stored several times.
#[derive(Debug, Clone, Serialize)]
pub struct DuplicateGroup {
    /// Size of one copy.
    pub size: u64,
    /// Number of copies.
    pub count: u64,
    /// `(count - 1) * size`.
    pub wasted_bytes: u64,
    /// Where the copies are.
    pub copies: Vec<DuplicateCopy>,
}

/// A path and its size.
#[derive(Debug, Clone, Serialize)]
pub struct SizedPath {
    /// Absolute path.
    pub path: String,
    /// Bytes.
    pub bytes: u64,
    /// Layer that wrote it (files only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layer_index: Option<usize>,
}

/// Bytes of one kind of leftover under one root, written by one layer.
#[derive(Debug, Clone, Serialize)]
pub struct Leftover {
    /// Root that groups it, e.g. `/root/.cache/pip`.
    pub path: String,
    /// Bytes.
    pub bytes: u64,
    /// Files.
    pub files: u64,
    /// Kind, e.g. `pip-cache`.
    pub kind: String,
    /// Layer that wrote it.
    pub layer_index: usize,
    /// That layer's instruction.
    pub created_by: Option<String>,
}

/// Bytes in a short human form (`12.3 MB`, decimal units like dive's).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "kB", "MB", "GB", "TB", "PB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

fn short_digest(d: &str) -> String {
    let hex = d.split_once(':').map_or(d, |(_, h)| h);
    hex.get(..12).unwrap_or(hex).to_string()
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() > max {
        let cut: String = flat.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    } else {
        flat
    }
}

impl Report {
    /// The report as aligned text tables.
    pub fn to_human(&self) -> String {
        let mut o = String::new();
        let i = &self.image;
        let _ = writeln!(
            o,
            "Image {} ({}, {})",
            i.path,
            serde_json::to_value(i.format)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            i.platform.as_deref().unwrap_or("unknown platform")
        );
        let _ = writeln!(
            o,
            "  {} compressed, {} uncompressed, {} in {} visible files",
            human_bytes(i.size),
            human_bytes(i.uncompressed_size),
            human_bytes(i.visible_bytes),
            i.visible_files
        );
        let _ = writeln!(o, "\nLayers");
        let _ = writeln!(
            o,
            "  {:>3}  {:<12}  {:>10}  {:>10}  {:>7}  {:>7}  {:>7}  instruction",
            "#", "digest", "size", "unpacked", "added", "changed", "deleted"
        );
        for l in &self.layers {
            let _ = writeln!(
                o,
                "  {:>3}  {:<12}  {:>10}  {:>10}  {:>7}  {:>7}  {:>7}  {}",
                l.index,
                short_digest(&l.digest),
                human_bytes(l.size),
                human_bytes(l.uncompressed_size),
                l.files_added,
                l.files_changed,
                l.files_deleted,
                one_line(l.created_by.as_deref().unwrap_or("(missing)"), 70)
            );
        }
        let d = &self.dive_compat;
        let _ = writeln!(o, "\nWasted space");
        let _ = writeln!(
            o,
            "  removable (overwritten or deleted by a later layer): {}",
            human_bytes(self.removable_bytes)
        );
        let _ = writeln!(
            o,
            "  duplicated content: {}",
            human_bytes(self.duplicate_bytes)
        );
        let _ = writeln!(
            o,
            "  dive-compatible: efficiency {:.4} %, wasted {}, user wasted {}",
            d.efficiency * 100.0,
            human_bytes(d.wasted_bytes),
            d.wasted_user_percent
                .map(|p| format!("{:.2} %", p * 100.0))
                .unwrap_or_else(|| "n/a".into())
        );
        for l in self.layers.iter().filter(|l| l.removable_bytes > 0) {
            let _ = writeln!(
                o,
                "    layer {:>3}: {:>10} removable  {}",
                l.index,
                human_bytes(l.removable_bytes),
                one_line(l.created_by.as_deref().unwrap_or("(missing)"), 60)
            );
        }
        if !self.duplicates.is_empty() {
            let _ = writeln!(o, "\nDuplicates");
            let _ = writeln!(
                o,
                "  {:>10}  {:>6}  {:>10}  copies",
                "size", "count", "wasted"
            );
            for g in &self.duplicates {
                let copies: Vec<String> = g
                    .copies
                    .iter()
                    .take(4)
                    .map(|c| format!("{} (layer {})", c.path, c.layer_index))
                    .collect();
                let more = g.copies.len().saturating_sub(4);
                let _ = writeln!(
                    o,
                    "  {:>10}  {:>6}  {:>10}  {}{}",
                    human_bytes(g.size),
                    g.count,
                    human_bytes(g.wasted_bytes),
                    copies.join(", "),
                    if more > 0 {
                        format!(", +{more} more")
                    } else {
                        String::new()
                    }
                );
            }
        }
        if !self.largest_files.is_empty() {
            let _ = writeln!(o, "\nLargest files");
            for f in &self.largest_files {
                let _ = writeln!(
                    o,
                    "  {:>10}  layer {:>3}  {}",
                    human_bytes(f.bytes),
                    f.layer_index.unwrap_or(0),
                    f.path
                );
            }
        }
        if !self.largest_directories.is_empty() {
            let _ = writeln!(o, "\nLargest directories");
            for f in &self.largest_directories {
                let _ = writeln!(o, "  {:>10}  {}", human_bytes(f.bytes), f.path);
            }
        }
        if !self.leftovers.is_empty() {
            let _ = writeln!(o, "\nLeftovers");
            let _ = writeln!(
                o,
                "  {:>10}  {:>6}  {:<18}  {:>5}  path",
                "bytes", "files", "kind", "layer"
            );
            for l in &self.leftovers {
                let _ = writeln!(
                    o,
                    "  {:>10}  {:>6}  {:<18}  {:>5}  {}  ({})",
                    human_bytes(l.bytes),
                    l.files,
                    l.kind,
                    l.layer_index,
                    l.path,
                    one_line(l.created_by.as_deref().unwrap_or("(missing)"), 50)
                );
            }
        }
        if !self.packages.is_empty() {
            let _ = writeln!(o, "\nPackages ({})", self.packages.len());
            let mut by_manager: std::collections::BTreeMap<String, (usize, u64)> =
                std::collections::BTreeMap::new();
            for p in &self.packages {
                let slot = by_manager.entry(p.manager.to_string()).or_default();
                slot.0 += 1;
                slot.1 = slot.1.saturating_add(p.size);
            }
            for (manager, (count, bytes)) in by_manager {
                let _ = writeln!(
                    o,
                    "  {manager:<8} {count:>6} packages  {:>10}",
                    human_bytes(bytes)
                );
            }
        }
        if !self.notes.is_empty() {
            let _ = writeln!(o, "\nNotes");
            for n in &self.notes {
                let _ = writeln!(o, "  - {n}");
            }
        }
        o
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_sizes() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1500), "1.5 kB");
        assert_eq!(human_bytes(20_000_000), "20.0 MB");
    }

    #[test]
    fn one_line_cuts() {
        assert_eq!(one_line("a\n  b", 10), "a b");
        assert_eq!(one_line("abcdefghijkl", 5), "abcd…");
    }
}
