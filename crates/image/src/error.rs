//! Errors from reading an image; each names the file or blob at fault.

use std::path::PathBuf;

/// Why an image could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// A file of the image could not be opened or read.
    #[error("{}: {cause}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        cause: std::io::Error,
    },
    /// The image's structure (layout, manifest, config) is wrong.
    #[error("{location}: {message}")]
    Format {
        /// The file or document at fault (e.g. `index.json`).
        location: String,
        /// What is wrong.
        message: String,
    },
    /// A blob is missing, corrupt or does not match its digest.
    #[error("blob {digest}: {message}")]
    Blob {
        /// The blob's digest (or its path in a legacy archive).
        digest: String,
        /// What is wrong.
        message: String,
    },
    /// The platform could not be chosen.
    #[error("{0}")]
    Platform(String),
}

impl ImageError {
    /// A format error at `location`.
    pub fn format(location: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Format {
            location: location.into(),
            message: message.into(),
        }
    }

    /// A blob error for `digest`.
    pub fn blob(digest: impl Into<String>, message: impl Into<String>) -> Self {
        ImageError::Blob {
            digest: digest.into(),
            message: message.into(),
        }
    }
}
