//! Where an image's files come from: a directory, or entries of a tar archive
//! read in place (indexed once by offset, then opened with a seek).

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::error::ImageError;
use crate::tar_stream::{EntryKind, TarInput, TarReader};

/// A file of the image, opened for streaming.
pub struct OpenedFile {
    /// The bytes.
    pub reader: Box<dyn Read + Send>,
    /// Its length.
    pub size: u64,
    /// Whether the archive stored it as a symbolic link to another entry.
    pub via_symlink: bool,
}

/// An image container: a directory or a tar archive.
pub enum ImageSource {
    /// An OCI layout directory.
    Dir(PathBuf),
    /// A tar archive (oci-archive or docker-archive).
    Tar(TarArchive),
}

/// Entries of an outer tar archive, by cleaned name.
pub struct TarArchive {
    path: PathBuf,
    entries: HashMap<String, ArchiveEntry>,
}

#[derive(Debug, Clone)]
struct ArchiveEntry {
    data_offset: u64,
    size: u64,
    symlink: Option<String>,
}

/// Seekable tar input: skipping entries costs a seek, not a read.
struct Seeking(BufReader<File>);

impl Read for Seeking {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl BufRead for Seeking {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.0.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.0.consume(amount);
    }
}

impl TarInput for Seeking {
    fn skip_bytes(&mut self, n: u64) -> io::Result<u64> {
        let delta = i64::try_from(n).map_err(|_| io::Error::other("skip too large"))?;
        self.0.seek_relative(delta)?;
        Ok(n)
    }
}

/// Cleans an archive member name: no leading `./` or `/`, no empty or `.`
/// components. Returns `None` for names that climb out with `..`.
pub fn clean_name(name: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

impl ImageSource {
    /// Opens `path`: a directory is an OCI layout, a file a tar archive.
    pub fn open(path: &Path) -> Result<ImageSource, ImageError> {
        let meta = std::fs::metadata(path).map_err(|source| ImageError::Io {
            path: path.to_path_buf(),
            cause: source,
        })?;
        if meta.is_dir() {
            Ok(ImageSource::Dir(path.to_path_buf()))
        } else {
            Ok(ImageSource::Tar(TarArchive::index(path, meta.len())?))
        }
    }

    /// Whether the container holds a file named `name` (cleaned, relative).
    pub fn exists(&self, name: &str) -> bool {
        match self {
            ImageSource::Dir(dir) => clean_name(name).is_some_and(|n| dir.join(n).is_file()),
            ImageSource::Tar(t) => t.resolve(name).is_some(),
        }
    }

    /// A human name for a file of the image, for messages.
    pub fn describe(&self, name: &str) -> String {
        match self {
            ImageSource::Dir(dir) => dir.join(name).display().to_string(),
            ImageSource::Tar(t) => format!("{}:{name}", t.path.display()),
        }
    }

    /// Opens file `name` for streaming.
    pub fn open_file(&self, name: &str) -> Result<Option<OpenedFile>, ImageError> {
        match self {
            ImageSource::Dir(dir) => {
                let Some(clean) = clean_name(name) else {
                    return Ok(None);
                };
                let full = dir.join(clean);
                let file = match File::open(&full) {
                    Ok(f) => f,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
                    Err(source) => {
                        return Err(ImageError::Io {
                            path: full,
                            cause: source,
                        })
                    }
                };
                let size = file
                    .metadata()
                    .map_err(|source| ImageError::Io {
                        path: full.clone(),
                        cause: source,
                    })?
                    .len();
                Ok(Some(OpenedFile {
                    reader: Box::new(file),
                    size,
                    via_symlink: false,
                }))
            }
            ImageSource::Tar(t) => t.open(name),
        }
    }

    /// The length of file `name`, if it exists (links followed).
    pub fn file_size(&self, name: &str) -> Option<u64> {
        match self {
            ImageSource::Dir(dir) => {
                let clean = clean_name(name)?;
                std::fs::metadata(dir.join(clean)).ok().map(|m| m.len())
            }
            ImageSource::Tar(t) => t.resolve(name).map(|(entry, _)| entry.size),
        }
    }

    /// Reads a whole small file (manifests, configs), refusing files over `limit`.
    pub fn read_small(&self, name: &str, limit: u64) -> Result<Option<Vec<u8>>, ImageError> {
        let Some(opened) = self.open_file(name)? else {
            return Ok(None);
        };
        if opened.size > limit {
            return Err(ImageError::format(
                self.describe(name),
                format!(
                    "{} bytes is larger than the {limit} bytes allowed",
                    opened.size
                ),
            ));
        }
        let mut data = Vec::with_capacity(usize::try_from(opened.size).unwrap_or(0));
        opened
            .reader
            .take(limit)
            .read_to_end(&mut data)
            .map_err(|e| ImageError::format(self.describe(name), e.to_string()))?;
        Ok(Some(data))
    }
}

impl TarArchive {
    /// Indexes the entries of the archive at `path` (headers only).
    pub fn index(path: &Path, file_len: u64) -> Result<TarArchive, ImageError> {
        let io_err = |source| ImageError::Io {
            path: path.to_path_buf(),
            cause: source,
        };
        let file = File::open(path).map_err(io_err)?;
        let mut reader = TarReader::new(Seeking(BufReader::with_capacity(64 * 1024, file)));
        let mut entries = HashMap::new();
        loop {
            let entry = reader.next_entry().map_err(|e| {
                ImageError::format(
                    path.display().to_string(),
                    format!("not a readable tar archive: {e}"),
                )
            })?;
            let Some(entry) = entry else { break };
            let name = String::from_utf8_lossy(&entry.path).into_owned();
            let Some(name) = clean_name(&name) else {
                continue;
            };
            let symlink = match entry.kind {
                EntryKind::Symlink => Some(String::from_utf8_lossy(&entry.link).into_owned()),
                EntryKind::Hardlink => Some(format!("/{}", String::from_utf8_lossy(&entry.link))),
                EntryKind::Regular => None,
                _ => continue,
            };
            let end = entry.data_offset.checked_add(entry.size);
            if symlink.is_none() && end.is_none_or(|end| end > file_len) {
                return Err(ImageError::format(
                    path.display().to_string(),
                    format!("archive is truncated: entry {name} ends past the end of the file"),
                ));
            }
            entries.insert(
                name,
                ArchiveEntry {
                    data_offset: entry.data_offset,
                    size: entry.size,
                    symlink,
                },
            );
        }
        Ok(TarArchive {
            path: path.to_path_buf(),
            entries,
        })
    }

    /// Follows symbolic and hard links (at most 16 hops) to a data entry.
    fn resolve(&self, name: &str) -> Option<(&ArchiveEntry, bool)> {
        let mut current = clean_name(name)?;
        let mut via_symlink = false;
        for _ in 0..16 {
            let entry = self.entries.get(&current)?;
            match &entry.symlink {
                None => return Some((entry, via_symlink)),
                Some(target) => {
                    via_symlink = true;
                    let joined = if target.starts_with('/') {
                        target.clone()
                    } else {
                        match current.rsplit_once('/') {
                            Some((dir, _)) => format!("{dir}/{target}"),
                            None => target.clone(),
                        }
                    };
                    current = clean_name(&joined)?;
                }
            }
        }
        None
    }

    fn open(&self, name: &str) -> Result<Option<OpenedFile>, ImageError> {
        let Some((entry, via_symlink)) = self.resolve(name) else {
            return Ok(None);
        };
        let io_err = |source| ImageError::Io {
            path: self.path.clone(),
            cause: source,
        };
        let mut file = File::open(&self.path).map_err(io_err)?;
        file.seek(SeekFrom::Start(entry.data_offset))
            .map_err(io_err)?;
        Ok(Some(OpenedFile {
            // Unbuffered: the layer reader reads in large blocks of its own.
            reader: Box::new(file.take(entry.size)),
            size: entry.size,
            via_symlink,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_names() {
        assert_eq!(clean_name("./a//b/").as_deref(), Some("a/b"));
        assert_eq!(clean_name("/index.json").as_deref(), Some("index.json"));
        assert_eq!(clean_name("a/../b").as_deref(), Some("b"));
        assert_eq!(clean_name("../x"), None);
    }
}
