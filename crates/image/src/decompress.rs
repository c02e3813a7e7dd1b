//! Layer compression (gzip, zstd or none, told apart by magic bytes) and the
//! buffered reader that hashes and counts what passes through it.

use std::io::{self, BufRead, Read};

use sha2::{Digest, Sha256};

/// How a layer blob is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    /// gzip (possibly several members).
    Gzip,
    /// Zstandard.
    Zstd,
    /// A plain tar stream.
    None,
}

impl std::fmt::Display for Compression {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::None => "uncompressed",
        })
    }
}

/// The compression the first bytes of a blob show.
pub fn sniff(head: &[u8]) -> Compression {
    if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    }
}

/// The compression a layer media type claims, if it is a layer type we know.
pub fn from_media_type(media_type: &str) -> Option<Compression> {
    let base = media_type.split(';').next().unwrap_or(media_type).trim();
    match base {
        "application/vnd.oci.image.layer.v1.tar+gzip"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
        | "application/vnd.docker.image.rootfs.diff.tar.gzip"
        | "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip" => Some(Compression::Gzip),
        "application/vnd.oci.image.layer.v1.tar+zstd"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd" => Some(Compression::Zstd),
        "application/vnd.oci.image.layer.v1.tar"
        | "application/vnd.oci.image.layer.nondistributable.v1.tar"
        | "application/vnd.docker.image.rootfs.diff.tar" => Some(Compression::None),
        _ => None,
    }
}

/// Size of the buffer each [`HashingBuf`] reads into: large enough that
/// reads and hash updates are few, small enough to stay cheap per layer.
pub const HASH_BUF_BYTES: usize = 256 * 1024;

/// A buffered reader that counts and sha256-hashes every byte it takes from
/// `inner`, one whole buffer at a time, and fails once more than `limit`
/// bytes went through. Readers above it borrow its buffer (`BufRead`), so
/// file contents are hashed in place, never copied.
pub struct HashingBuf<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    hasher: Sha256,
    count: u64,
    limit: u64,
}

impl<R: Read> HashingBuf<R> {
    /// Wraps `inner`, allowing at most `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Self {
        HashingBuf {
            inner,
            buf: vec![0u8; HASH_BUF_BYTES].into_boxed_slice(),
            pos: 0,
            end: 0,
            hasher: Sha256::new(),
            count: 0,
            limit,
        }
    }

    /// Changes the byte limit (once the kind of stream is known).
    pub fn set_limit(&mut self, limit: u64) {
        self.limit = limit;
    }

    /// Bytes taken from the inner reader so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Reads to the end, then returns the byte count, `sha256:<hex>` and the
    /// inner reader.
    pub fn finish(mut self) -> io::Result<(u64, String, R)> {
        loop {
            let n = self.fill_buf()?.len();
            if n == 0 {
                break;
            }
            self.consume(n);
        }
        let digest = format!("sha256:{}", hex::encode(self.hasher.finalize()));
        Ok((self.count, digest, self.inner))
    }
}

/// The error [`HashingBuf`] reports when its limit is crossed.
#[derive(Debug)]
pub struct LimitExceeded(pub u64);

impl std::fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "uncompressed data exceeds the limit of {} bytes (decompression bomb?)",
            self.0
        )
    }
}

impl std::error::Error for LimitExceeded {}

impl<R: Read> BufRead for HashingBuf<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            let n = loop {
                match self.inner.read(&mut self.buf) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            };
            let chunk = self.buf.get(..n).unwrap_or_default();
            self.count += n as u64;
            if self.count > self.limit {
                return Err(io::Error::other(LimitExceeded(self.limit)));
            }
            self.hasher.update(chunk);
            self.pos = 0;
            self.end = n;
        }
        Ok(self.buf.get(self.pos..self.end).unwrap_or_default())
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.end);
    }
}

impl<R: Read> Read for HashingBuf<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let available = self.fill_buf()?;
        let n = available.len().min(out.len());
        out[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_magic() {
        assert_eq!(sniff(&[0x1f, 0x8b, 8]), Compression::Gzip);
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd]), Compression::Zstd);
        assert_eq!(sniff(b"etc/"), Compression::None);
    }

    #[test]
    fn hashing_buf_limits() {
        let mut r = HashingBuf::new(&[1u8; 100][..], 10);
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("limit of 10"));
        let r = HashingBuf::new(&b"abc"[..], 10);
        let (n, d, _) = r.finish().unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            d,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn hashing_buf_hashes_every_byte_once_across_refills() {
        let data: Vec<u8> = (0..HASH_BUF_BYTES * 2 + 777).map(|i| i as u8).collect();
        let mut r = HashingBuf::new(&data[..], u64::MAX);
        // Consume part of the first buffer, then let `finish` drain the rest.
        let mut head = [0u8; 1000];
        r.read_exact(&mut head).unwrap();
        assert_eq!(&head[..], &data[..1000]);
        let (n, digest, _) = r.finish().unwrap();
        assert_eq!(n, data.len() as u64);
        assert_eq!(
            digest,
            format!("sha256:{}", hex::encode(Sha256::digest(&data)))
        );
    }
}
