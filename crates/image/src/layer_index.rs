//! Streams one layer blob into a compact per-layer index: its own path tree,
//! one small record per tar entry, and the bytes of the few files the package
//! inventories need. Both digests are checked while reading.

use std::collections::HashMap;
use std::hash::Hasher;
use std::io::{self, Read};

use twox_hash::XxHash3_64;

use crate::decompress::{sniff, Compression, HashingBuf, LimitExceeded};
use crate::error::ImageError;
use crate::path_tree::{PathTree, ROOT};
use crate::sha256_lanes::LaneHash;
use crate::tar_stream::{EntryKind, TarDecoder, TarEntry, TarError, TarEvent};

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

/// Reads one layer blob from `blob`, checking both digests on the way.
pub fn read_layer(blob: impl Read + Send, spec: &LayerSpec<'_>) -> Result<LayerIndex, ImageError> {
    let mut reading = LayerReading::start(Box::new(blob), spec)?;
    let mut buf = vec![0u8; CHUNK_BYTES];
    loop {
        let n = reading.read_chunk(&mut buf)?;
        if n == 0 {
            return reading.finish();
        }
        let chunk = &buf[..n];
        reading.diff_hash.update(chunk);
        reading.index_chunk(chunk)?;
    }
}

/// Bytes of uncompressed stream taken per step: small enough that a few
/// layers' chunks stay in the core's cache between hashing and indexing.
pub const CHUNK_BYTES: usize = 128 * 1024;

/// A blob's bytes: the few read to tell its compression, then the rest.
type Blob<'a> = io::Chain<io::Cursor<Vec<u8>>, Box<dyn Read + Send + 'a>>;

/// Where a layer's uncompressed tar stream comes from.
enum Stream<'a> {
    /// The blob is the tar stream.
    Plain(Blob<'a>),
    /// Decompressed from the blob, which is hashed on its way in.
    Gzip(Box<flate2::bufread::MultiGzDecoder<HashingBuf<Blob<'a>>>>),
    /// Decompressed from the blob, which is hashed on its way in.
    Zstd(Box<zstd::stream::read::Decoder<'static, HashingBuf<Blob<'a>>>>),
}

impl Read for Stream<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(r) => r.read(buf),
            Stream::Gzip(r) => r.read(buf),
            Stream::Zstd(r) => r.read(buf),
        }
    }
}

/// One layer being read: the stream, the running sha256 of the uncompressed
/// bytes, the tar decoder and the index built so far. The caller reads a chunk
/// with [`LayerReading::read_chunk`], hashes it into
/// [`LayerReading::diff_hash`] (alone, or side by side with other layers'
/// chunks), then hands it to [`LayerReading::index_chunk`].
pub struct LayerReading<'a> {
    name: &'a str,
    spec_digest: Option<&'a str>,
    spec_size: Option<u64>,
    spec_diff_id: Option<&'a str>,
    stream: Stream<'a>,
    /// sha256 of the uncompressed stream: the DiffID, and for an uncompressed
    /// blob also its digest.
    pub diff_hash: LaneHash,
    decoder: TarDecoder,
    indexer: Indexer<'a>,
    /// Uncompressed bytes allowed.
    cap: u64,
}

impl<'a> LayerReading<'a> {
    /// Opens `blob`: tells its compression by its first bytes.
    pub fn start(
        mut blob: Box<dyn Read + Send + 'a>,
        spec: &LayerSpec<'a>,
    ) -> Result<LayerReading<'a>, ImageError> {
        let blob_error =
            |e: io::Error| ImageError::blob(spec.name, format!("cannot read blob: {e}"));
        let mut head = vec![0u8; 4];
        let mut got = 0;
        while got < head.len() {
            match blob.read(&mut head[got..]) {
                Ok(0) => break,
                Ok(n) => got += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(blob_error(e)),
            }
        }
        head.truncate(got);
        let compression = sniff(&head);
        let mut notes = Vec::new();
        if let Some(claimed) = spec.claimed {
            if claimed != compression {
                notes.push(format!(
                    "media type says {claimed} but the bytes are {compression}; reading it as {compression}"
                ));
            }
        }
        let blob: Blob<'a> = io::Cursor::new(head).chain(blob);
        let stream = match compression {
            Compression::None => Stream::Plain(blob),
            Compression::Gzip => Stream::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(
                HashingBuf::new(blob, u64::MAX),
            ))),
            Compression::Zstd => Stream::Zstd(Box::new(
                zstd::stream::read::Decoder::with_buffer(HashingBuf::new(blob, u64::MAX))
                    .map_err(blob_error)?,
            )),
        };
        Ok(LayerReading {
            name: spec.name,
            spec_digest: spec.digest,
            spec_size: spec.size,
            spec_diff_id: spec.diff_id,
            stream,
            diff_hash: LaneHash::new(),
            decoder: TarDecoder::new(),
            indexer: Indexer::new(spec, compression, notes),
            cap: spec.limits.layer_cap(spec.size.unwrap_or(0)),
        })
    }

    /// Uncompressed bytes read so far.
    pub fn position(&self) -> u64 {
        self.diff_hash.length()
    }

    /// Whether the blob is compressed (then decompression, not hashing, is
    /// most of the work of reading it).
    pub fn is_compressed(&self) -> bool {
        !matches!(self.stream, Stream::Plain(_))
    }

    /// Blob bytes not read yet, by the size the manifest gives.
    pub fn blob_remaining(&self) -> u64 {
        let read = match &self.stream {
            Stream::Plain(_) => self.position(),
            Stream::Gzip(decoder) => decoder.get_ref().count(),
            Stream::Zstd(decoder) => decoder.get_ref().count(),
        };
        self.spec_size.unwrap_or(0).saturating_sub(read)
    }

    /// Reads the next chunk of the uncompressed stream into `buf` (filling it
    /// unless the stream ends); 0 at the end.
    pub fn read_chunk(&mut self, buf: &mut [u8]) -> Result<usize, ImageError> {
        let mut filled = 0;
        while filled < buf.len() {
            match self.stream.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.read_error(e, filled)),
            }
        }
        if self.position() + filled as u64 > self.cap {
            return Err(ImageError::blob(
                self.name,
                LimitExceeded(self.cap).to_string(),
            ));
        }
        Ok(filled)
    }

    /// Indexes the next chunk of the uncompressed stream (already hashed).
    pub fn index_chunk(&mut self, mut chunk: &[u8]) -> Result<(), ImageError> {
        while !chunk.is_empty() {
            let (used, event) = self
                .decoder
                .decode(chunk)
                .map_err(|e| corrupt_tar(self.name, &e))?;
            match event {
                Some(TarEvent::Entry(entry)) => self.indexer.entry(&entry),
                Some(TarEvent::Data(data)) => self.indexer.data(data),
                None => {}
            }
            chunk = &chunk[used..];
        }
        Ok(())
    }

    /// Ends the layer once [`LayerReading::read_chunk`] returned 0: checks
    /// the tar ended cleanly and both digests, and returns the index.
    pub fn finish(self) -> Result<LayerIndex, ImageError> {
        let name = self.name;
        let blob_error = |message: String| ImageError::blob(name, message);
        self.decoder.finish().map_err(|e| corrupt_tar(name, &e))?;
        let uncompressed_size = self.diff_hash.length();
        let diff_id = self.diff_hash.finish();
        let drained = |raw: HashingBuf<Blob<'a>>| {
            raw.finish()
                .map_err(|e| blob_error(format!("cannot read blob: {e}")))
        };
        let (compressed_size, digest) = match self.stream {
            Stream::Plain(_) => (uncompressed_size, diff_id.clone()),
            Stream::Gzip(decoder) => {
                let (size, digest, _) = drained((*decoder).into_inner())?;
                (size, digest)
            }
            Stream::Zstd(decoder) => {
                let (size, digest, _) = drained((*decoder).finish())?;
                (size, digest)
            }
        };
        if let Some(expected) = self.spec_digest {
            if !expected.eq_ignore_ascii_case(&digest) {
                return Err(blob_error(format!(
                    "digest mismatch (expected {expected}, got {digest})"
                )));
            }
        }
        if let Some(expected) = self.spec_size {
            if expected != compressed_size {
                return Err(blob_error(format!(
                    "size mismatch (manifest says {expected} bytes, blob has {compressed_size})"
                )));
            }
        }
        if let Some(expected) = self.spec_diff_id {
            if !expected.eq_ignore_ascii_case(&diff_id) {
                return Err(blob_error(format!(
                    "DiffID mismatch (config says {expected}, uncompressed content is {diff_id})"
                )));
            }
        }
        let mut index = self.indexer.finish();
        index.compressed_size = compressed_size;
        index.uncompressed_size = uncompressed_size;
        index.digest = digest;
        index.diff_id = diff_id;
        index.shrink_to_fit();
        Ok(index)
    }

    fn read_error(&self, e: io::Error, filled: usize) -> ImageError {
        match &self.stream {
            Stream::Plain(_) => ImageError::blob(self.name, format!("cannot read blob: {e}")),
            Stream::Gzip(_) | Stream::Zstd(_) => ImageError::blob(
                self.name,
                format!(
                    "truncated or corrupt {} data: read error at byte {}: {e}",
                    self.indexer.index.compression,
                    self.position() + filled as u64
                ),
            ),
        }
    }
}

fn corrupt_tar(name: &str, e: &TarError) -> ImageError {
    ImageError::blob(name, format!("corrupt layer tar: {e}"))
}

/// A regular file whose data is still coming.
struct OpenFile {
    record: LayerEntry,
    entry_index: u32,
    /// Data bytes still to come.
    remaining: u64,
    /// Set once the data comes in more than one piece.
    hasher: Option<Box<XxHash3_64>>,
    kept: Option<Vec<u8>>,
}

/// Builds a layer's index from its tar entries and their data.
struct Indexer<'a> {
    keep: &'a (dyn Fn(&str) -> bool + Sync),
    max_kept_file: u64,
    index: LayerIndex,
    once: OnceNotes,
    path_buf: Vec<u8>,
    open: Option<OpenFile>,
}

impl<'a> Indexer<'a> {
    fn new(spec: &LayerSpec<'a>, compression: Compression, notes: Vec<String>) -> Indexer<'a> {
        Indexer {
            keep: spec.keep,
            max_kept_file: spec.limits.max_kept_file,
            index: LayerIndex {
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
            },
            once: OnceNotes::default(),
            path_buf: Vec::new(),
            open: None,
        }
    }

    /// Records one tar entry; a regular file's record waits for its data.
    fn entry(&mut self, entry: &TarEntry) {
        self.close();
        let index = &mut self.index;
        index.header_size_total = index.header_size_total.saturating_add(entry.size);
        let (parts, absolute) = match clean(&entry.path) {
            CleanPath::Ok(parts, absolute) => (parts, absolute),
            CleanPath::Root => return,
            CleanPath::Escapes => {
                index.notes.push(format!(
                    "skipped entry {:?}: its path climbs out of the root",
                    String::from_utf8_lossy(&entry.path)
                ));
                return;
            }
        };
        if absolute && !self.once.absolute {
            self.once.absolute = true;
            index.notes.push(format!(
                "entry {:?} has an absolute path; read relative to the root",
                String::from_utf8_lossy(&entry.path)
            ));
        }
        let Some((last, dirs)) = parts.split_last() else {
            return;
        };
        if let Some(pos) = parts.iter().position(|p| p.starts_with(META_PREFIX)) {
            let parent = index.tree.intern_path(parts[..pos].iter().copied());
            if *last == OPAQUE_MARKER && pos == parts.len() - 1 {
                index
                    .entries
                    .push(entry_record(parent, FileKind::Opaque, entry));
            } else if !self.once.meta {
                self.once.meta = true;
                index.notes.push(format!(
                    "skipped whiteout metadata entry {:?}",
                    String::from_utf8_lossy(&entry.path)
                ));
            }
            return;
        }
        let parent = index.tree.intern_path(dirs.iter().copied());
        let node = index.tree.intern_child(parent, last);
        let kind = if last.starts_with(WHITEOUT_PREFIX) {
            FileKind::Whiteout
        } else {
            match entry.kind {
                EntryKind::Regular => FileKind::Regular,
                EntryKind::Sparse => {
                    if !self.once.sparse {
                        self.once.sparse = true;
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
                    if !self.once.other {
                        self.once.other = true;
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
        if kind != FileKind::Regular {
            index.entries.push(entry_record(node, kind, entry));
            return;
        }
        self.path_buf.clear();
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                self.path_buf.push(b'/');
            }
            self.path_buf.extend_from_slice(part);
        }
        let path = String::from_utf8_lossy(&self.path_buf);
        let keep = (self.keep)(&path);
        if keep && entry.data_size > self.max_kept_file && !self.once.too_big {
            self.once.too_big = true;
            index.notes.push(format!(
                "{path} ({} bytes) is too large to read for the package inventory",
                entry.data_size
            ));
        }
        let keep = keep && entry.data_size <= self.max_kept_file;
        let mut record = entry_record(node, kind, entry);
        if entry.data_size == 0 {
            record.hash = XxHash3_64::oneshot(&[]);
            if keep {
                index.contents.insert(entry_index, Vec::new());
            }
            index.entries.push(record);
            return;
        }
        self.open = Some(OpenFile {
            record,
            entry_index,
            remaining: entry.data_size,
            hasher: None,
            kept: keep.then(Vec::new),
        });
    }

    /// Takes a piece of the open file's data.
    fn data(&mut self, piece: &[u8]) {
        let Some(open) = &mut self.open else {
            return;
        };
        let len = piece.len() as u64;
        if open.hasher.is_none() && len == open.remaining {
            // The whole file in one piece: one call, no streaming state.
            open.record.hash = XxHash3_64::oneshot(piece);
        } else {
            open.hasher
                .get_or_insert_with(|| Box::new(XxHash3_64::new()))
                .write(piece);
        }
        if let Some(kept) = &mut open.kept {
            kept.extend_from_slice(piece);
        }
        open.remaining = open.remaining.saturating_sub(len);
        if open.remaining == 0 {
            self.close();
        }
    }

    /// Completes the open file's record.
    fn close(&mut self) {
        let Some(mut open) = self.open.take() else {
            return;
        };
        if let Some(hasher) = &open.hasher {
            open.record.hash = hasher.finish();
        }
        if let Some(kept) = open.kept {
            self.index.contents.insert(open.entry_index, kept);
        }
        self.index.entries.push(open.record);
    }

    fn finish(mut self) -> LayerIndex {
        self.close();
        self.index
    }
}

/// An entry's record; a regular file's content hash is filled in once its
/// data has been read.
fn entry_record(node: u32, kind: FileKind, entry: &TarEntry) -> LayerEntry {
    LayerEntry {
        node,
        kind,
        size: entry.size,
        hash: 0,
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
