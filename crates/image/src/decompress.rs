//! Layer decompression (gzip, zstd or none, told apart by magic bytes) and
//! readers that hash and count what passes through them.

use std::io::{self, BufRead, BufReader, Read};

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

/// Passes bytes through while counting them and computing their sha256;
/// fails once more than `limit` bytes went through.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
    limit: u64,
}

impl<R: Read> HashingReader<R> {
    /// Wraps `inner`, allowing at most `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
            limit,
        }
    }

    /// Bytes read so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Reads to the end, then returns the byte count and `sha256:<hex>`.
    pub fn finish(mut self) -> io::Result<(u64, String, R)> {
        io::copy(&mut self, &mut io::sink())?;
        let digest = format!("sha256:{}", hex::encode(self.hasher.finalize()));
        Ok((self.count, digest, self.inner))
    }
}

/// The error `HashingReader` reports when its limit is crossed.
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

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        if self.count > self.limit {
            return Err(io::Error::other(LimitExceeded(self.limit)));
        }
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// A decoder over a hashed blob stream.
pub enum Decoder<R: Read> {
    /// gzip members.
    Gzip(Box<flate2::bufread::MultiGzDecoder<BufReader<R>>>),
    /// Zstandard frames.
    Zstd(Box<zstd::stream::read::Decoder<'static, BufReader<R>>>),
    /// No compression.
    Plain(BufReader<R>),
}

impl<R: Read> Decoder<R> {
    /// Looks at the first bytes of `inner` and picks the decoder they call for.
    pub fn sniffing(inner: R) -> io::Result<(Compression, Decoder<R>)> {
        let mut buffered = BufReader::with_capacity(256 * 1024, inner);
        let head = buffered.fill_buf()?;
        let compression = sniff(head);
        let decoder = match compression {
            Compression::Gzip => {
                Decoder::Gzip(Box::new(flate2::bufread::MultiGzDecoder::new(buffered)))
            }
            Compression::Zstd => Decoder::Zstd(Box::new(zstd::stream::read::Decoder::with_buffer(
                buffered,
            )?)),
            Compression::None => Decoder::Plain(buffered),
        };
        Ok((compression, decoder))
    }

    /// Gives back the blob stream, positioned after what the decoder consumed.
    pub fn into_inner(self) -> BufReader<R> {
        match self {
            Decoder::Gzip(d) => d.into_inner(),
            Decoder::Zstd(d) => d.finish(),
            Decoder::Plain(r) => r,
        }
    }
}

impl<R: Read> Read for Decoder<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Decoder::Gzip(d) => d.read(buf),
            Decoder::Zstd(d) => d.read(buf),
            Decoder::Plain(r) => r.read(buf),
        }
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
    fn hashing_reader_limits() {
        let mut r = HashingReader::new(&[1u8; 100][..], 10);
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert!(err.to_string().contains("limit of 10"));
        let r = HashingReader::new(&b"abc"[..], 10);
        let (n, d, _) = r.finish().unwrap();
        assert_eq!(n, 3);
        assert_eq!(
            d,
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
