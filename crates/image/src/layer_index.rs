//! Streams one layer blob into a compact per-layer index: its own path tree,
//! one small record per tar entry, and the bytes of the few files the package
//! inventories need. Both digests are checked while reading.

use std::collections::HashMap;
use std::io::{BufRead, Read};

use xxhash_rust::xxh3::Xxh3;

use crate::decompress::{sniff, Compression, HashingBuf, LimitExceeded};
use crate::error::ImageError;
use crate::path_tree::{PathTree, ROOT};
use crate::tar_stream::{EntryKind, Streamed, TarError, TarReader};

/// Prefix of a whiteout file name.
pub const WHITEOUT_PREFIX: &[u8] = b".wh.";
/// Prefix of whiteout metadata names (never real files).
pub const META_PREFIX: &[u8] = b".wh..wh.";
/// The opaque-directory marker.
pub const OPAQUE_MARKER: &[u8] = b".wh..wh..opq";

/// What an entry of a layer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    /// Regular file with content.
    Regular,
    /// Hard link to another path (content stored once).
    Hardlink,
    /// Symbolic link (never followed).
    Symlink,
    /// Directory.
    Directory,
    /// Device, FIFO or an unknown type.
    Special,
    /// `.wh.NAME`: deletes NAME from lower layers; `node` is the marker's own node.
    Whiteout,
    /// `.wh..wh..opq`: hides lower-layer children; `node` is the directory.
    Opaque,
}

impl FileKind {
    /// Whether this is a file-like entry (not a directory nor a marker).
    pub fn is_file(self) -> bool {
        matches!(
            self,
            FileKind::Regular | FileKind::Hardlink | FileKind::Symlink | FileKind::Special
        )
    }
}

/// One tar entry, compactly (24 bytes: a layer can hold millions).
#[derive(Debug, Clone, Copy)]
pub struct LayerEntry {
    /// The entry's node in the layer's tree.
    pub node: u32,
    /// Its kind.
    pub kind: FileKind,
    /// The header's size field (for regular files, the content length).
    pub size: u64,
    /// xxh3-64 of the content (regular files; 0 otherwise).
    pub hash: u64,
}

/// Everything the analysis needs from one layer.
pub struct LayerIndex {
    /// Paths of this layer, names as stored (whiteout markers included,
    /// opaque markers not).
    pub tree: PathTree,
    /// Entries in tar order.
    pub entries: Vec<LayerEntry>,
    /// Hard-link targets by entry index (ascending), as cleaned path
    /// components joined with `/`.
    pub links: Vec<(u32, Vec<u8>)>,
    /// Kept bytes of wanted files, by entry index.
    pub contents: HashMap<u32, Vec<u8>>,
    /// Sum of the size fields of every entry (what dive calls the layer size).
    pub header_size_total: u64,
    /// Blob length.
    pub compressed_size: u64,
    /// Length of the uncompressed tar stream.
    pub uncompressed_size: u64,
    /// sha256 of the blob.
    pub digest: String,
    /// sha256 of the uncompressed stream.
    pub diff_id: String,
    /// Compression found by magic bytes.
    pub compression: Compression,
    /// Remarks about odd content.
    pub notes: Vec<String>,
}

/// Limits that keep hostile layers from running away.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Uncompressed bytes allowed per compressed byte.
    pub max_expansion_ratio: u64,
    /// Uncompressed bytes always allowed per layer, whatever the ratio says.
    pub min_layer_cap: u64,
    /// Uncompressed bytes never exceeded per layer.
    pub max_layer_bytes: u64,
    /// Largest file kept in memory for the inventories.
    pub max_kept_file: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_expansion_ratio: 2000,
            min_layer_cap: 8 << 30,
            max_layer_bytes: 1 << 40,
            max_kept_file: 64 << 20,
        }
    }
}

impl Limits {
    /// The uncompressed byte cap for a blob of `compressed` bytes.
    pub fn layer_cap(&self, compressed: u64) -> u64 {
        compressed
            .saturating_mul(self.max_expansion_ratio)
            .max(self.min_layer_cap)
            .min(self.max_layer_bytes)
    }
}

/// What is known about a layer before reading it.
pub struct LayerSpec<'a> {
    /// Name for messages: the digest, or the archive path of a legacy layer.
    pub name: &'a str,
    /// Expected blob digest, when the manifest gives one.
    pub digest: Option<&'a str>,
    /// Expected blob size, when the manifest gives one.
    pub size: Option<u64>,
    /// Expected DiffID from the config.
    pub diff_id: Option<&'a str>,
    /// Compression the media type claims.
    pub claimed: Option<Compression>,
    /// Limits.
    pub limits: Limits,
    /// Whether to keep a regular file's bytes (path relative, no leading `/`).
    pub keep: &'a (dyn Fn(&str) -> bool + Sync),
}

/// Cleaned components of an entry path.
enum CleanPath<'p> {
    Ok(Vec<&'p [u8]>, bool),
    Root,
    Escapes,
}

fn clean(path: &[u8]) -> CleanPath<'_> {
    let absolute = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                if parts.pop().is_none() {
                    return CleanPath::Escapes;
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        CleanPath::Root
    } else {
        CleanPath::Ok(parts, absolute)
    }
}

/// Notes that should be said once per layer, not once per entry.
#[derive(Default)]
struct OnceNotes {
    absolute: bool,
    meta: bool,
    sparse: bool,
    other: bool,
    too_big: bool,
}

/// Reads one layer blob from `blob`.
pub fn read_layer(blob: impl Read, spec: &LayerSpec<'_>) -> Result<LayerIndex, ImageError> {
    let blob_error = |message: String| ImageError::blob(spec.name, message);
    let mut raw = HashingBuf::new(blob, u64::MAX);
    let head = raw
        .fill_buf()
        .map_err(|e| blob_error(format!("cannot read blob: {e}")))?;
    let compression = sniff(head);
    let mut notes = Vec::new();
    if let Some(claimed) = spec.claimed {
        if claimed != compression {
            notes.push(format!(
                "media type says {claimed} but the bytes are {compression}; reading it as {compression}"
            ));
        }
    }
    let mut index = LayerIndex {
        tree: PathTree::new(),
        entries: Vec::new(),
        links: Vec::new(),
        contents: HashMap::new(),
        header_size_total: 0,
        compressed_size: 0,
        uncompressed_size: 0,
        digest: String::new(),
        diff_id: String::new(),
        compression,
        notes,
    };
    let cap = spec.limits.layer_cap(spec.size.unwrap_or(0));
    let tar_error = |e: TarError| -> ImageError {
        if let TarError::Io { source, .. } = &e {
            if let Some(limit) = source
                .get_ref()
                .and_then(|inner| inner.downcast_ref::<LimitExceeded>())
            {
                return ImageError::blob(spec.name, limit.to_string());
            }
            return ImageError::blob(
                spec.name,
                format!("truncated or corrupt {compression} data: {e}"),
            );
        }
        ImageError::blob(spec.name, format!("corrupt layer tar: {e}"))
    };
    // Whatever follows the end-of-archive marker is still part of both digests.
    let drain_error = |e| {
        tar_error(TarError::Io {
            offset: 0,
            source: e,
        })
    };
    let raw_error = |e: std::io::Error| blob_error(format!("cannot read blob: {e}"));
    let (compressed_size, digest, uncompressed_size, diff_id) = match compression {
        Compression::None => {
            // The blob is the tar stream: one hash gives both digests.
            raw.set_limit(cap);
            let mut reader = TarReader::new(Streamed(raw));
            index_entries(&mut reader, spec, &mut index, &tar_error)?;
            let (size, digest, _) = reader.into_inner().0.finish().map_err(drain_error)?;
            (size, digest.clone(), size, digest)
        }
        Compression::Gzip => {
            let decoder = flate2::bufread::MultiGzDecoder::new(raw);
            let mut reader = TarReader::new(Streamed(HashingBuf::new(decoder, cap)));
            index_entries(&mut reader, spec, &mut index, &tar_error)?;
            let (size, diff_id, decoder) = reader.into_inner().0.finish().map_err(drain_error)?;
            let (compressed, digest, _) = decoder.into_inner().finish().map_err(raw_error)?;
            (compressed, digest, size, diff_id)
        }
        Compression::Zstd => {
            let decoder = zstd::stream::read::Decoder::with_buffer(raw).map_err(raw_error)?;
            let mut reader = TarReader::new(Streamed(HashingBuf::new(decoder, cap)));
            index_entries(&mut reader, spec, &mut index, &tar_error)?;
            let (size, diff_id, decoder) = reader.into_inner().0.finish().map_err(drain_error)?;
            let (compressed, digest, _) = decoder.finish().finish().map_err(raw_error)?;
            (compressed, digest, size, diff_id)
        }
    };
    if let Some(expected) = spec.digest {
        if !expected.eq_ignore_ascii_case(&digest) {
            return Err(blob_error(format!(
                "digest mismatch (expected {expected}, got {digest})"
            )));
        }
    }
    if let Some(expected) = spec.size {
        if expected != compressed_size {
            return Err(blob_error(format!(
                "size mismatch (manifest says {expected} bytes, blob has {compressed_size})"
            )));
        }
    }
    if let Some(expected) = spec.diff_id {
        if !expected.eq_ignore_ascii_case(&diff_id) {
            return Err(blob_error(format!(
                "DiffID mismatch (config says {expected}, uncompressed content is {diff_id})"
            )));
        }
    }
    index.compressed_size = compressed_size;
    index.uncompressed_size = uncompressed_size;
    index.digest = digest;
    index.diff_id = diff_id;
    index.shrink_to_fit();
    Ok(index)
}

/// Reads every entry of the layer tar into `index`.
fn index_entries<I: BufRead>(
    reader: &mut TarReader<Streamed<I>>,
    spec: &LayerSpec<'_>,
    index: &mut LayerIndex,
    tar_error: &dyn Fn(TarError) -> ImageError,
) -> Result<(), ImageError> {
    let mut once = OnceNotes::default();
    let mut path_buf: Vec<u8> = Vec::new();
    while let Some(entry) = reader.next_entry().map_err(tar_error)? {
        index.header_size_total = index.header_size_total.saturating_add(entry.size);
        let (parts, absolute) = match clean(&entry.path) {
            CleanPath::Ok(parts, absolute) => (parts, absolute),
            CleanPath::Root => continue,
            CleanPath::Escapes => {
                index.notes.push(format!(
                    "skipped entry {:?}: its path climbs out of the root",
                    String::from_utf8_lossy(&entry.path)
                ));
                continue;
            }
        };
        if absolute && !once.absolute {
            once.absolute = true;
            index.notes.push(format!(
                "entry {:?} has an absolute path; read relative to the root",
                String::from_utf8_lossy(&entry.path)
            ));
        }
        let Some((last, dirs)) = parts.split_last() else {
            continue;
        };
        if let Some(pos) = parts.iter().position(|p| p.starts_with(META_PREFIX)) {
            let parent = index.tree.intern_path(parts[..pos].iter().copied());
            if *last == OPAQUE_MARKER && pos == parts.len() - 1 {
                index
                    .entries
                    .push(entry_record(parent, FileKind::Opaque, &entry, 0));
            } else if !once.meta {
                once.meta = true;
                index.notes.push(format!(
                    "skipped whiteout metadata entry {:?}",
                    String::from_utf8_lossy(&entry.path)
                ));
            }
            continue;
        }
        let parent = index.tree.intern_path(dirs.iter().copied());
        let node = index.tree.intern_child(parent, last);
        let kind = if last.starts_with(WHITEOUT_PREFIX) {
            FileKind::Whiteout
        } else {
            match entry.kind {
                EntryKind::Regular => FileKind::Regular,
                EntryKind::Sparse => {
                    if !once.sparse {
                        once.sparse = true;
                        index.notes.push(format!(
                            "sparse file {:?} counted by its stored bytes",
                            String::from_utf8_lossy(&entry.path)
                        ));
                    }
                    FileKind::Regular
                }
                EntryKind::Hardlink => FileKind::Hardlink,
                EntryKind::Symlink => FileKind::Symlink,
                EntryKind::Directory => FileKind::Directory,
                EntryKind::Special => FileKind::Special,
                EntryKind::Other(t) => {
                    if !once.other {
                        once.other = true;
                        index.notes.push(format!(
                            "entry {:?} has unknown tar type {:?}; counted as a special file",
                            String::from_utf8_lossy(&entry.path),
                            t as char
                        ));
                    }
                    FileKind::Special
                }
            }
        };
        let entry_index = index.entries.len() as u32;
        if kind == FileKind::Hardlink {
            match clean(&entry.link) {
                CleanPath::Ok(target, _) => {
                    index.links.push((entry_index, target.join(&b'/')));
                }
                _ => index.notes.push(format!(
                    "hard link {:?} has an invalid target {:?}",
                    String::from_utf8_lossy(&entry.path),
                    String::from_utf8_lossy(&entry.link)
                )),
            }
        }
        let mut hash = 0;
        if kind == FileKind::Regular {
            path_buf.clear();
            for (i, part) in parts.iter().enumerate() {
                if i > 0 {
                    path_buf.push(b'/');
                }
                path_buf.extend_from_slice(part);
            }
            let path = String::from_utf8_lossy(&path_buf);
            let keep = (spec.keep)(&path);
            if keep && entry.size > spec.limits.max_kept_file && !once.too_big {
                once.too_big = true;
                index.notes.push(format!(
                    "{path} ({} bytes) is too large to read for the package inventory",
                    entry.size
                ));
            }
            let keep = keep && entry.size <= spec.limits.max_kept_file;
            let mut hasher = Xxh3::new();
            if keep {
                let mut kept = Vec::new();
                reader
                    .for_each_data_chunk(|chunk| {
                        hasher.update(chunk);
                        kept.extend_from_slice(chunk);
                    })
                    .map_err(tar_error)?;
                index.contents.insert(entry_index, kept);
            } else {
                reader
                    .for_each_data_chunk(|chunk| hasher.update(chunk))
                    .map_err(tar_error)?;
            }
            hash = hasher.digest();
        }
        index.entries.push(entry_record(node, kind, &entry, hash));
    }
    Ok(())
}

fn entry_record(
    node: u32,
    kind: FileKind,
    entry: &crate::tar_stream::TarEntry,
    hash: u64,
) -> LayerEntry {
    LayerEntry {
        node,
        kind,
        size: entry.size,
        hash,
    }
}

impl LayerIndex {
    /// The entry that last wrote each node (later entries of a path win).
    pub fn last_entry_per_node(&self) -> Vec<u32> {
        let mut last = vec![u32::MAX; self.tree.len()];
        for (i, e) in self.entries.iter().enumerate() {
            if e.kind != FileKind::Opaque {
                if let Some(slot) = last.get_mut(e.node as usize) {
                    *slot = i as u32;
                }
            }
        }
        if let Some(root) = last.get_mut(ROOT as usize) {
            *root = u32::MAX;
        }
        last
    }

    /// The hard-link target of entry `entry_index`, if it is a valid hard link.
    pub fn link_target(&self, entry_index: u32) -> Option<&[u8]> {
        let i = self
            .links
            .binary_search_by_key(&entry_index, |(e, _)| *e)
            .ok()?;
        self.links.get(i).map(|(_, target)| target.as_slice())
    }

    /// Gives back spare capacity once the layer is read.
    fn shrink_to_fit(&mut self) {
        // Later passes walk a layer's tree but never look names up in it.
        self.tree.drop_lookup_index();
        self.tree.shrink_to_fit();
        self.entries.shrink_to_fit();
        self.links.shrink_to_fit();
        self.contents.shrink_to_fit();
    }

    /// Approximate heap bytes held by this index.
    pub fn heap_bytes(&self) -> usize {
        self.tree.heap_bytes()
            + self.entries.capacity() * std::mem::size_of::<LayerEntry>()
            + self.contents.values().map(Vec::capacity).sum::<usize>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_paths() {
        assert!(matches!(clean(b"./"), CleanPath::Root));
        assert!(matches!(clean(b"../etc/passwd"), CleanPath::Escapes));
        match clean(b"/a/./b/../c") {
            CleanPath::Ok(p, abs) => {
                assert!(abs);
                assert_eq!(p, vec![&b"a"[..], b"c"]);
            }
            _ => panic!("expected a path"),
        }
    }
}
