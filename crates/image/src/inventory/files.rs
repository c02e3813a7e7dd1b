//! File listings: the sorted view of the final filesystem the language
//! inventories size packages with, and an in-memory [`FileSource`].

use std::collections::BTreeMap;

use super::{wants_content, FileSource};

/// Strips the leading `/` or `./` some sources put on paths.
fn normalize(path: &str) -> &str {
    let path = path.strip_prefix("./").unwrap_or(path);
    path.trim_start_matches('/')
}

/// Every visible regular file with its size, sorted by path, so sizes under a
/// directory are one range scan.
pub(crate) struct Listing {
    files: Vec<(String, u64)>,
}

impl Listing {
    pub(crate) fn new(files: Vec<(String, u64)>) -> Self {
        let mut files: Vec<(String, u64)> = files
            .into_iter()
            .map(|(path, size)| match normalize(&path) {
                p if p.len() == path.len() => (path, size),
                p => (p.to_string(), size),
            })
            .collect();
        files.sort();
        files.dedup_by(|a, b| a.0 == b.0);
        Listing { files }
    }

    /// Every path in the listing.
    pub(crate) fn paths(&self) -> impl Iterator<Item = &str> {
        self.files.iter().map(|(p, _)| p.as_str())
    }

    /// Size of one file, if it is visible.
    pub(crate) fn size_of(&self, path: &str) -> Option<u64> {
        self.files
            .binary_search_by(|(p, _)| p.as_str().cmp(path))
            .ok()
            .and_then(|i| self.files.get(i))
            .map(|(_, size)| *size)
    }

    /// Files under directory `dir` (`""` for all), as (path relative to
    /// `dir`, size).
    pub(crate) fn under(&self, dir: &str) -> impl Iterator<Item = (&str, u64)> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        let start = self
            .files
            .partition_point(|(p, _)| p.as_str() < prefix.as_str());
        self.files
            .get(start..)
            .unwrap_or(&[])
            .iter()
            .map_while(move |(path, size)| Some((path.strip_prefix(prefix.as_str())?, *size)))
    }
}

/// An in-memory [`FileSource`]: keeps a file's bytes only when
/// [`wants_content`] asks for them, as the image reader does. Useful to test
/// the inventories and to build one from any other file listing.
#[derive(Debug, Clone, Default)]
pub struct MemoryFiles {
    files: BTreeMap<String, (u64, Option<Vec<u8>>)>,
}

impl MemoryFiles {
    /// An empty filesystem.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a regular file with these bytes.
    pub fn insert(&mut self, path: &str, bytes: &[u8]) {
        let path = normalize(path);
        let kept = wants_content(path).then(|| bytes.to_vec());
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        self.files.insert(path.to_string(), (size, kept));
    }

    /// Adds (or replaces) a regular file known only by its size.
    pub fn insert_sized(&mut self, path: &str, size: u64) {
        self.files.insert(normalize(path).to_string(), (size, None));
    }
}

impl FileSource for MemoryFiles {
    fn content(&self, path: &str) -> Option<&[u8]> {
        self.files.get(path).and_then(|(_, bytes)| bytes.as_deref())
    }

    fn files_under(&self, dir: &str) -> Vec<(String, u64)> {
        let prefix = if dir.is_empty() {
            String::new()
        } else {
            format!("{dir}/")
        };
        self.files
            .range(prefix.clone()..)
            .take_while(|(path, _)| path.starts_with(&prefix))
            .map(|(path, (size, _))| (path.clone(), *size))
            .collect()
    }
}
