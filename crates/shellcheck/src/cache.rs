//! ShellCheck's findings on disk, addressed by what they depend on: the `shellcheck`
//! program (its resolved path, size and modification time, which change with its version),
//! the options dockopt gives it, and the exact file it reads (dialect shebang, declared
//! names and script text). The cache is best effort: an entry that cannot be read or
//! written is a miss, never an error.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use sha2::{Digest, Sha256};

use crate::batch::Found;
use crate::process::OPTIONS;

/// Changes when the format of entries or the way files are prepared changes.
const LAYOUT: &str = "dockopt-shellcheck-cache-1";

/// A folder of cached ShellCheck results for one `shellcheck` program.
#[derive(Debug, Clone)]
pub(crate) struct Cache {
    dir: PathBuf,
    /// Hash state holding the program's identity and the options.
    salt: Sha256,
}

impl Cache {
    /// The cache in `dir` for `program`; `None` when the program's identity cannot be
    /// known (then nothing is cached).
    pub(crate) fn open(dir: &Path, program: &Path) -> Option<Cache> {
        let resolved = program.canonicalize().ok()?;
        let meta = resolved.metadata().ok()?;
        let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?;
        let mut salt = Sha256::new();
        let identity = [
            LAYOUT.to_string(),
            resolved.to_string_lossy().into_owned(),
            meta.len().to_string(),
            modified.as_nanos().to_string(),
        ];
        for part in identity.iter().map(String::as_str).chain(OPTIONS) {
            salt.update(part.as_bytes());
            salt.update([0]);
        }
        Some(Cache {
            dir: dir.to_path_buf(),
            salt,
        })
    }

    fn entry(&self, content: &str) -> PathBuf {
        let mut hasher = self.salt.clone();
        hasher.update(content.as_bytes());
        let key = hex::encode(hasher.finalize());
        let (shard, rest) = key.split_at(2);
        self.dir.join(shard).join(format!("{rest}.json"))
    }

    /// The findings stored for the file `content`, if any.
    pub(crate) fn get(&self, content: &str) -> Option<Vec<Found>> {
        let bytes = std::fs::read(self.entry(content)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores the findings for the file `content`; written under a temporary name and
    /// renamed, so a concurrent reader sees all of an entry or none of it.
    pub(crate) fn put(&self, content: &str, found: &[Found]) {
        let path = self.entry(content);
        let Some(folder) = path.parent() else {
            return;
        };
        let Ok(json) = serde_json::to_vec(found) else {
            return;
        };
        let stored = std::fs::create_dir_all(folder)
            .and_then(|()| tempfile::NamedTempFile::new_in(folder))
            .and_then(|mut file| {
                file.write_all(&json)?;
                file.persist(&path).map_err(|e| e.error)?;
                Ok(())
            });
        // Best effort: a read-only or full disk only costs the next run its time.
        drop(stored);
    }
}

/// Where dockopt keeps ShellCheck results: `$XDG_CACHE_HOME/dockopt/shellcheck`, or
/// `~/.cache/dockopt/shellcheck`.
pub fn default_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(|| {
            std::env::var_os("HOME")
                .map(PathBuf::from)
                .filter(|p| p.is_absolute())
                .map(|home| home.join(".cache"))
        })?;
    Some(base.join("dockopt").join("shellcheck"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Severity;

    #[test]
    fn stores_and_finds_by_content_and_program() {
        let dir = tempfile::tempdir().unwrap();
        let program = dir.path().join("shellcheck");
        std::fs::write(&program, "#!/bin/sh\n").unwrap();
        let cache = Cache::open(&dir.path().join("cache"), &program).unwrap();
        let found = vec![Found {
            line: 2,
            end_line: 2,
            column: 6,
            end_column: 8,
            level: Severity::Warning,
            code: 2154,
            message: "a is referenced but not assigned.".into(),
        }];
        assert_eq!(cache.get("#!/bin/sh\necho $a\n"), None);
        cache.put("#!/bin/sh\necho $a\n", &found);
        assert_eq!(cache.get("#!/bin/sh\necho $a\n"), Some(found));
        assert_eq!(cache.get("#!/bin/bash\necho $a\n"), None);
        cache.put("#!/bin/sh\ntrue\n", &[]);
        assert_eq!(cache.get("#!/bin/sh\ntrue\n"), Some(Vec::new()));
        // Another program (a new version of shellcheck) does not see these entries.
        std::fs::write(&program, "#!/bin/sh\n# 0.10\n").unwrap();
        let upgraded = Cache::open(&dir.path().join("cache"), &program).unwrap();
        assert_eq!(upgraded.get("#!/bin/sh\necho $a\n"), None);
        // A damaged entry is a miss.
        std::fs::write(cache.entry("#!/bin/sh\ntrue\n"), "{not json").unwrap();
        assert_eq!(cache.get("#!/bin/sh\ntrue\n"), None);
    }
}
