//! A tar reader with bounded memory, in two layers.
//!
//! [`TarDecoder`] knows the format and nothing of I/O: it is handed bytes in
//! pieces of any size and says what they hold (an entry's header, a piece of
//! its data), so a caller can step several archives in turn on one thread.
//! [`TarReader`] pulls from a buffered input through a decoder, one entry at a
//! time, and skips data it is not asked for (with a seek, when the input can).
//!
//! ustar, GNU (long names, long links) and PAX headers are read; file data is
//! never buffered. Metadata records (PAX headers, GNU long names) are capped so
//! a hostile archive cannot make the reader allocate without bound.

use std::io::{self, BufRead, Read};

/// Size of one tar block.
const BLOCK: u64 = 512;

/// Largest PAX header or GNU long name the reader accepts.
pub const MAX_METADATA_BYTES: u64 = 1024 * 1024;

/// What kind of filesystem object a tar entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntryKind {
    /// A regular file (including the obsolete "contiguous file" type).
    Regular,
    /// A hard link to an earlier entry; `link` holds the target path.
    Hardlink,
    /// A symbolic link; `link` holds the target text.
    Symlink,
    /// A directory.
    Directory,
    /// A character or block device, or a FIFO.
    Special,
    /// A GNU sparse file (its data is stored compactly; read as opaque bytes).
    Sparse,
    /// An entry type this reader does not know; its data is skipped.
    Other(u8),
}

/// One entry's header, after PAX and GNU extensions are applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TarEntry {
    /// The raw path bytes as stored (not cleaned).
    pub path: Vec<u8>,
    /// Link target for hard and symbolic links.
    pub link: Vec<u8>,
    /// Entry type.
    pub kind: EntryKind,
    /// Permission and mode bits from the header.
    pub mode: u32,
    /// Owner user id.
    pub uid: u64,
    /// Owner group id.
    pub gid: u64,
    /// The size field (after PAX overrides); links and directories carry no
    /// data whatever it says.
    pub size: u64,
    /// Bytes of data that follow the header (0 for header-only types).
    pub data_size: u64,
    /// Byte offset of the entry's (first) header in the stream.
    pub header_offset: u64,
    /// Byte offset of the entry's data in the stream.
    pub data_offset: u64,
}

/// An error in the tar structure, with the byte offset where it was found.
#[derive(Debug, thiserror::Error)]
pub enum TarError {
    /// The underlying reader failed (including decompression errors).
    #[error("read error at byte {offset}: {source}")]
    Io {
        /// Offset in the tar stream.
        offset: u64,
        /// The I/O error.
        source: io::Error,
    },
    /// The stream ended inside a header or an entry's data.
    #[error("unexpected end of tar stream at byte {offset}")]
    Truncated {
        /// Offset in the tar stream.
        offset: u64,
    },
    /// A header is malformed.
    #[error("invalid tar header at byte {offset}: {message}")]
    Header {
        /// Offset in the tar stream.
        offset: u64,
        /// What is wrong.
        message: String,
    },
}

/// What the decoder found in the bytes it was given.
#[derive(Debug)]
pub enum TarEvent<'a> {
    /// The next entry's header; its data follows as [`TarEvent::Data`].
    Entry(TarEntry),
    /// A piece of the current entry's data.
    Data(&'a [u8]),
}

/// An extension record (PAX header, GNU long name) being gathered.
struct Extension {
    typeflag: u8,
    header_offset: u64,
    size: usize,
    data: Vec<u8>,
}

#[derive(Default)]
struct Pending {
    path: Option<Vec<u8>>,
    link: Option<Vec<u8>>,
    size: Option<u64>,
    uid: Option<u64>,
    gid: Option<u64>,
    sparse: bool,
}

/// Decodes a tar stream handed over in pieces of any size.
pub struct TarDecoder {
    /// Bytes taken so far.
    offset: u64,
    /// Data bytes of the current entry not yet handed out.
    remaining: u64,
    /// Bytes to pass over before the next header (padding).
    skip: u64,
    /// A header block split across pieces.
    block: [u8; BLOCK as usize],
    block_len: usize,
    extension: Option<Extension>,
    pending: Pending,
    /// Offset of the first header of the entry being read (extensions included).
    first_header: Option<u64>,
    /// The end-of-archive marker was read.
    done: bool,
}

impl Default for TarDecoder {
    fn default() -> Self {
        TarDecoder::new()
    }
}

impl TarDecoder {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        TarDecoder {
            offset: 0,
            remaining: 0,
            skip: 0,
            block: [0; BLOCK as usize],
            block_len: 0,
            extension: None,
            pending: Pending::default(),
            first_header: None,
            done: false,
        }
    }

    /// Bytes of the stream taken so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Whether the end-of-archive marker was read (what follows is ignored).
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Data bytes of the current entry still to come.
    pub fn data_remaining(&self) -> u64 {
        self.remaining
    }

    /// Bytes the decoder would pass over unread before the next header: the
    /// rest of the current entry's data and its padding.
    pub fn skippable(&self) -> u64 {
        self.remaining + self.skip
    }

    /// Records that the caller passed over `n` bytes (at most [`Self::skippable`]).
    pub fn skipped(&mut self, n: u64) {
        let from_data = n.min(self.remaining);
        self.remaining -= from_data;
        let from_skip = (n - from_data).min(self.skip);
        self.skip -= from_skip;
        self.offset += from_data + from_skip;
    }

    /// Decodes from the start of `input`. Returns how many bytes were used and
    /// what they held; `None` means every byte was used and more are needed
    /// (or the archive has ended, see [`Self::is_done`]).
    pub fn decode<'a>(
        &mut self,
        input: &'a [u8],
    ) -> Result<(usize, Option<TarEvent<'a>>), TarError> {
        let mut used = 0;
        loop {
            if self.done {
                return Ok((input.len(), None));
            }
            let rest = input.get(used..).unwrap_or_default();
            if self.remaining > 0 {
                let n = self.remaining.min(rest.len() as u64) as usize;
                if n == 0 {
                    return Ok((used, None));
                }
                self.remaining -= n as u64;
                self.offset += n as u64;
                return Ok((used + n, Some(TarEvent::Data(&rest[..n]))));
            }
            if self.skip > 0 {
                let n = self.skip.min(rest.len() as u64);
                self.skip -= n;
                self.offset += n;
                used += n as usize;
                if self.skip > 0 {
                    return Ok((used, None));
                }
                continue;
            }
            if let Some(extension) = &mut self.extension {
                let n = (extension.size - extension.data.len()).min(rest.len());
                extension.data.extend_from_slice(&rest[..n]);
                self.offset += n as u64;
                used += n;
                if extension.data.len() < extension.size {
                    return Ok((used, None));
                }
                if let Some(extension) = self.extension.take() {
                    self.apply_extension(&extension)?;
                }
                continue;
            }
            let entry = if self.block_len == 0 && rest.len() >= BLOCK as usize {
                // The whole header is in this piece: read it in place.
                let Some(block) = rest.first_chunk::<{ BLOCK as usize }>() else {
                    return Ok((used, None));
                };
                let header_offset = self.offset;
                used += BLOCK as usize;
                self.offset += BLOCK;
                self.header(block, header_offset)?
            } else {
                let n = (BLOCK as usize - self.block_len).min(rest.len());
                self.block[self.block_len..self.block_len + n].copy_from_slice(&rest[..n]);
                self.block_len += n;
                self.offset += n as u64;
                used += n;
                if self.block_len < BLOCK as usize {
                    return Ok((used, None));
                }
                self.block_len = 0;
                let block = self.block;
                self.header(&block, self.offset - BLOCK)?
            };
            match entry {
                Some(entry) => return Ok((used, Some(TarEvent::Entry(entry)))),
                None if self.done => return Ok((used, None)),
                None => {}
            }
        }
    }

    /// Checks that the stream may end here: between entries, or after the
    /// end-of-archive marker.
    pub fn finish(&self) -> Result<(), TarError> {
        let mid_entry = self.remaining > 0
            || self.skip > 0
            || self.block_len > 0
            || self.extension.is_some()
            || self.first_header.is_some();
        if self.done || !mid_entry {
            // A stream without the end-of-archive marker is accepted between
            // entries, like GNU tar does.
            Ok(())
        } else {
            Err(TarError::Truncated {
                offset: self.offset,
            })
        }
    }

    /// Reads one header block; returns the entry it completes, if any.
    fn header(
        &mut self,
        block: &[u8; BLOCK as usize],
        header_offset: u64,
    ) -> Result<Option<TarEntry>, TarError> {
        if block.iter().all(|&b| b == 0) {
            if self.first_header.is_some() {
                return Err(TarError::Header {
                    offset: header_offset,
                    message: "extension header not followed by an entry".into(),
                });
            }
            self.done = true;
            return Ok(None);
        }
        self.first_header.get_or_insert(header_offset);
        verify_checksum(block, header_offset)?;
        let typeflag = block[156];
        let size = parse_number(&block[124..136], header_offset, "size")?;
        if matches!(typeflag, b'x' | b'g' | b'L' | b'K') {
            if size > MAX_METADATA_BYTES {
                return Err(header_error(
                    header_offset,
                    &format!(
                        "extension header of {size} bytes exceeds the limit of {MAX_METADATA_BYTES} bytes"
                    ),
                ));
            }
            let size = size as usize;
            self.extension = Some(Extension {
                typeflag,
                header_offset,
                size,
                data: Vec::with_capacity(size),
            });
            return Ok(None);
        }
        let kind = match typeflag {
            b'0' | 0 | b'7' => EntryKind::Regular,
            b'1' => EntryKind::Hardlink,
            b'2' => EntryKind::Symlink,
            b'3' | b'4' | b'6' => EntryKind::Special,
            b'5' => EntryKind::Directory,
            b'S' => EntryKind::Sparse,
            other => EntryKind::Other(other),
        };
        let pending = std::mem::take(&mut self.pending);
        let path = match pending.path {
            Some(p) => p,
            None => ustar_path(block),
        };
        let link = pending
            .link
            .unwrap_or_else(|| trim_nul(&block[157..257]).to_vec());
        let mode = parse_number(&block[100..108], header_offset, "mode")? as u32;
        let uid = match pending.uid {
            Some(v) => v,
            None => parse_number(&block[108..116], header_offset, "uid")?,
        };
        let gid = match pending.gid {
            Some(v) => v,
            None => parse_number(&block[116..124], header_offset, "gid")?,
        };
        // A PAX size overrides the header's.
        let size = pending.size.unwrap_or(size);
        let kind = if pending.sparse {
            EntryKind::Sparse
        } else {
            kind
        };
        // Header-only types carry no data whatever their size field says.
        let data_size = match kind {
            EntryKind::Directory
            | EntryKind::Symlink
            | EntryKind::Special
            | EntryKind::Hardlink => 0,
            _ => size,
        };
        let data_padded =
            padded(data_size).ok_or_else(|| header_error(header_offset, "size overflows"))?;
        self.remaining = data_size;
        self.skip = data_padded - data_size;
        let first = self.first_header.take().unwrap_or(header_offset);
        Ok(Some(TarEntry {
            path,
            link,
            kind,
            mode,
            uid,
            gid,
            size,
            data_size,
            header_offset: first,
            data_offset: self.offset,
        }))
    }

    /// Applies a gathered extension record to the entry that follows it.
    fn apply_extension(&mut self, extension: &Extension) -> Result<(), TarError> {
        match extension.typeflag {
            b'x' => apply_pax(&extension.data, &mut self.pending, extension.header_offset)?,
            b'L' => self.pending.path = Some(trim_nul(&extension.data).to_vec()),
            b'K' => self.pending.link = Some(trim_nul(&extension.data).to_vec()),
            // Global PAX headers carry defaults this reader does not need.
            _ => {}
        }
        let size = extension.size as u64;
        self.skip = padded(size).map_or(0, |p| p - size);
        Ok(())
    }
}

/// `size` rounded up to whole blocks.
fn padded(size: u64) -> Option<u64> {
    size.checked_add(BLOCK - 1).map(|s| s / BLOCK * BLOCK)
}

/// Where the reader takes its bytes from; seekable inputs skip data cheaply.
pub trait TarInput: BufRead {
    /// Advances past `n` bytes without returning them.
    fn skip_bytes(&mut self, n: u64) -> io::Result<u64>;
}

/// Adapts a buffered stream: skipping consumes buffered bytes, never copies them.
pub struct Streamed<R>(pub R);

impl<R: Read> Read for Streamed<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl<R: BufRead> BufRead for Streamed<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.0.fill_buf()
    }

    fn consume(&mut self, amount: usize) {
        self.0.consume(amount);
    }
}

impl<R: BufRead> TarInput for Streamed<R> {
    fn skip_bytes(&mut self, n: u64) -> io::Result<u64> {
        let mut skipped = 0;
        while skipped < n {
            let available = match self.0.fill_buf() {
                Ok(b) => b.len() as u64,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if available == 0 {
                break;
            }
            let step = available.min(n - skipped);
            self.0.consume(step as usize);
            skipped += step;
        }
        Ok(skipped)
    }
}

/// Reads tar entries one after another from a buffered input.
pub struct TarReader<I> {
    input: I,
    decoder: TarDecoder,
}

impl<I: TarInput> TarReader<I> {
    /// Starts reading at the beginning of `input`.
    pub fn new(input: I) -> Self {
        TarReader {
            input,
            decoder: TarDecoder::new(),
        }
    }

    /// The next entry, or `None` at the end of the archive. Whatever is left
    /// of the current entry's data is skipped.
    pub fn next_entry(&mut self) -> Result<Option<TarEntry>, TarError> {
        let n = self.decoder.skippable();
        if n > 0 {
            let offset = self.decoder.offset();
            let skipped = self
                .input
                .skip_bytes(n)
                .map_err(|source| TarError::Io { offset, source })?;
            self.decoder.skipped(skipped);
            if skipped < n {
                return Err(TarError::Truncated {
                    offset: self.decoder.offset(),
                });
            }
        }
        while !self.decoder.is_done() {
            let available = fill(&mut self.input, self.decoder.offset())?;
            if available.is_empty() {
                self.decoder.finish()?;
                return Ok(None);
            }
            let (used, event) = self.decoder.decode(available)?;
            let entry = match event {
                Some(TarEvent::Entry(entry)) => Some(entry),
                _ => None,
            };
            self.input.consume(used);
            if entry.is_some() {
                return Ok(entry);
            }
        }
        Ok(None)
    }

    /// Reads data of the current entry; returns 0 at its end.
    pub fn read_data(&mut self, buf: &mut [u8]) -> Result<usize, TarError> {
        if self.decoder.data_remaining() == 0 || buf.is_empty() {
            return Ok(0);
        }
        let available = fill(&mut self.input, self.decoder.offset())?;
        if available.is_empty() {
            return Err(TarError::Truncated {
                offset: self.decoder.offset(),
            });
        }
        let piece = &available[..available.len().min(buf.len())];
        let (used, event) = self.decoder.decode(piece)?;
        let copied = match event {
            Some(TarEvent::Data(chunk)) => {
                buf[..chunk.len()].copy_from_slice(chunk);
                chunk.len()
            }
            _ => 0,
        };
        self.input.consume(used);
        Ok(copied)
    }
}

/// The input's buffered bytes (empty at its end), interruptions retried.
fn fill<I: BufRead>(input: &mut I, offset: u64) -> Result<&[u8], TarError> {
    loop {
        // Retry interruptions, then borrow the buffer outside the loop (the
        // borrow checker refuses a borrow returned from inside it).
        match input.fill_buf() {
            Ok(_) => break,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(source) => return Err(TarError::Io { offset, source }),
        }
    }
    input
        .fill_buf()
        .map_err(|source| TarError::Io { offset, source })
}

fn header_error(offset: u64, message: &str) -> TarError {
    TarError::Header {
        offset,
        message: message.to_string(),
    }
}

fn trim_nul(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(end) => &bytes[..end],
        None => bytes,
    }
}

/// The path from a ustar header: `prefix/name` when the ustar prefix is set.
fn ustar_path(block: &[u8; BLOCK as usize]) -> Vec<u8> {
    let name = trim_nul(&block[0..100]);
    let is_posix_ustar = &block[257..263] == b"ustar\0";
    if is_posix_ustar {
        let prefix = trim_nul(&block[345..500]);
        if !prefix.is_empty() {
            let mut path = prefix.to_vec();
            path.push(b'/');
            path.extend_from_slice(name);
            return path;
        }
    }
    name.to_vec()
}

fn verify_checksum(block: &[u8; BLOCK as usize], offset: u64) -> Result<(), TarError> {
    let stored = parse_number(&block[148..156], offset, "checksum")?;
    // The checksum field counts as eight spaces. One pass sums the bytes as
    // unsigned and counts those of 0x80 and above, each of which makes the
    // signed sum (older tars) 256 less.
    let sum = |bytes: &[u8]| -> (u32, u32) {
        bytes.iter().fold((0, 0), |(sum, high), &b| {
            (sum + u32::from(b), high + u32::from(b >> 7))
        })
    };
    let (all, all_high) = sum(block);
    let (field, field_high) = sum(&block[148..156]);
    let unsigned = u64::from(all - field + 8 * u32::from(b' '));
    let signed = unsigned as i64 - 256 * i64::from(all_high - field_high);
    if stored == unsigned || i64::try_from(stored).ok() == Some(signed) {
        Ok(())
    } else {
        Err(header_error(
            offset,
            &format!("checksum mismatch (stored {stored}, computed {unsigned})"),
        ))
    }
}

/// Parses an octal (or GNU base-256) numeric header field.
fn parse_number(field: &[u8], offset: u64, what: &str) -> Result<u64, TarError> {
    if let Some(&first) = field.first() {
        if first & 0x80 != 0 {
            // Base-256: big-endian two's complement; negative values are invalid here.
            if first & 0x40 != 0 {
                return Err(header_error(offset, &format!("negative {what}")));
            }
            let mut value: u64 = u64::from(first & 0x3f);
            for &b in &field[1..] {
                value = value
                    .checked_mul(256)
                    .and_then(|v| v.checked_add(u64::from(b)))
                    .ok_or_else(|| header_error(offset, &format!("{what} overflows")))?;
            }
            return Ok(value);
        }
    }
    let text = trim_nul(field);
    let digits: &[u8] = {
        let start = text.iter().position(|b| *b != b' ').unwrap_or(text.len());
        let end = text
            .iter()
            .rposition(|b| *b != b' ')
            .map_or(start, |e| e + 1);
        text.get(start..end).unwrap_or(&[])
    };
    let mut value: u64 = 0;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return Err(header_error(
                offset,
                &format!("{what} field is not an octal number"),
            ));
        }
        value = value
            .checked_mul(8)
            .and_then(|v| v.checked_add(u64::from(d - b'0')))
            .ok_or_else(|| header_error(offset, &format!("{what} overflows")))?;
    }
    Ok(value)
}

/// Applies the records of a PAX extended header (`"LEN key=value\n"` each).
fn apply_pax(data: &[u8], pending: &mut Pending, offset: u64) -> Result<(), TarError> {
    let mut rest = data;
    while !rest.is_empty() {
        if rest.iter().all(|&b| b == 0) {
            break;
        }
        let space = rest
            .iter()
            .position(|&b| b == b' ')
            .ok_or_else(|| header_error(offset, "malformed PAX record (no length)"))?;
        let len: usize = std::str::from_utf8(&rest[..space])
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| header_error(offset, "malformed PAX record length"))?;
        if len <= space + 1 || len > rest.len() {
            return Err(header_error(offset, "PAX record length out of range"));
        }
        let record = &rest[space + 1..len];
        let record = record.strip_suffix(b"\n").unwrap_or(record);
        let eq = record
            .iter()
            .position(|&b| b == b'=')
            .ok_or_else(|| header_error(offset, "malformed PAX record (no '=')"))?;
        let (key, value) = (&record[..eq], &record[eq + 1..]);
        let number = |what: &str| -> Result<u64, TarError> {
            std::str::from_utf8(value)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| header_error(offset, &format!("malformed PAX {what}")))
        };
        match key {
            b"path" => pending.path = Some(value.to_vec()),
            b"linkpath" => pending.link = Some(value.to_vec()),
            b"size" => pending.size = Some(number("size")?),
            b"uid" => pending.uid = Some(number("uid")?),
            b"gid" => pending.gid = Some(number("gid")?),
            k if k.starts_with(b"GNU.sparse.") => pending.sparse = true,
            _ => {}
        }
        rest = &rest[len..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            b.append_data(&mut h, path, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<(TarEntry, Vec<u8>)>, TarError> {
        let mut r = TarReader::new(Streamed(bytes));
        let mut out = Vec::new();
        while let Some(e) = r.next_entry()? {
            let mut data = Vec::new();
            let mut buf = [0u8; 7];
            loop {
                let n = r.read_data(&mut buf)?;
                if n == 0 {
                    break;
                }
                data.extend_from_slice(&buf[..n]);
            }
            out.push((e, data));
        }
        Ok(out)
    }

    #[test]
    fn reads_entries_and_data() {
        let bytes = build(&[("a/b.txt", b"hello"), ("c", b"")]);
        let entries = read_all(&bytes).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].0.path, b"a/b.txt");
        assert_eq!(entries[0].1, b"hello");
        assert_eq!(entries[1].0.size, 0);
    }

    #[test]
    fn data_read_through_a_small_input_buffer_is_whole() {
        let data: Vec<u8> = (0..3000u32).map(|i| i as u8).collect();
        let bytes = build(&[("a", &data)]);
        let mut r = TarReader::new(Streamed(io::BufReader::with_capacity(5, &bytes[..])));
        r.next_entry().unwrap().unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 64];
        loop {
            let n = r.read_data(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, data);
    }

    #[test]
    fn long_names_use_gnu_extension() {
        let long = format!("{}/file", "d".repeat(300));
        let bytes = build(&[(long.as_str(), b"x")]);
        let entries = read_all(&bytes).unwrap();
        assert_eq!(entries[0].0.path, long.as_bytes());
    }

    /// Entries and their data as the decoder sees them when handed `bytes`
    /// in pieces of the given sizes (cycled).
    fn decode_in_pieces(
        bytes: &[u8],
        sizes: &[usize],
    ) -> Result<Vec<(TarEntry, Vec<u8>)>, TarError> {
        let mut decoder = TarDecoder::new();
        let mut out: Vec<(TarEntry, Vec<u8>)> = Vec::new();
        let mut at = 0;
        let mut turn = 0;
        while at < bytes.len() {
            let end = (at + sizes[turn % sizes.len()].max(1)).min(bytes.len());
            turn += 1;
            let mut piece = &bytes[at..end];
            while !piece.is_empty() {
                let (used, event) = decoder.decode(piece)?;
                match event {
                    Some(TarEvent::Entry(e)) => out.push((e, Vec::new())),
                    Some(TarEvent::Data(d)) => out
                        .last_mut()
                        .expect("data after an entry")
                        .1
                        .extend_from_slice(d),
                    None => {}
                }
                piece = &piece[used..];
            }
            at = end;
        }
        decoder.finish()?;
        Ok(out)
    }

    #[test]
    fn decoding_in_any_pieces_gives_what_the_reader_gives() {
        let long = format!("{}/file", "d".repeat(300));
        let data: Vec<u8> = (0..5000u32).map(|i| i as u8).collect();
        let bytes = build(&[
            ("a", b"hello"),
            (long.as_str(), &data),
            ("empty", b""),
            ("b/c", &data[..513]),
        ]);
        let whole = read_all(&bytes).unwrap();
        for sizes in [
            vec![1],
            vec![7, 512, 3],
            vec![511],
            vec![4096],
            vec![bytes.len()],
        ] {
            assert_eq!(
                decode_in_pieces(&bytes, &sizes).unwrap(),
                whole,
                "pieces {sizes:?}"
            );
        }
        // Cut anywhere inside an entry: the end is an error, never a panic.
        for cut in [100, 512, 700, 1024 + 3] {
            assert!(matches!(
                decode_in_pieces(&bytes[..cut], &[64]),
                Err(TarError::Truncated { .. })
            ));
        }
    }

    proptest::proptest! {
        #[test]
        fn any_bytes_in_any_pieces_decode_the_same_way(
            bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..3000),
            sizes in proptest::collection::vec(1usize..700, 1..4),
        ) {
            let whole = decode_in_pieces(&bytes, &[bytes.len().max(1)]).map_err(|e| e.to_string());
            let pieces = decode_in_pieces(&bytes, &sizes).map_err(|e| e.to_string());
            proptest::prop_assert_eq!(whole, pieces);
        }
    }

    #[test]
    fn truncated_stream_is_an_error() {
        let bytes = build(&[("a", &[7u8; 2000])]);
        let err = read_all(&bytes[..1000]).unwrap_err();
        assert!(matches!(err, TarError::Truncated { .. }), "{err}");
    }

    #[test]
    fn bad_checksum_is_an_error() {
        let mut bytes = build(&[("a", b"x")]);
        bytes[0] = b'z';
        let err = read_all(&bytes).unwrap_err();
        assert!(err.to_string().contains("checksum"), "{err}");
    }

    #[test]
    fn oversized_pax_header_is_refused() {
        let mut header = [0u8; 512];
        header[..9].copy_from_slice(b"PaxHeader");
        header[100..108].copy_from_slice(b"0000644\0");
        header[108..116].copy_from_slice(b"0000000\0");
        header[116..124].copy_from_slice(b"0000000\0");
        let size = format!("{:011o}\0", MAX_METADATA_BYTES * 4);
        header[124..136].copy_from_slice(size.as_bytes());
        header[136..148].copy_from_slice(b"00000000000\0");
        header[156] = b'x';
        header[257..263].copy_from_slice(b"ustar\0");
        header[263..265].copy_from_slice(b"00");
        header[148..156].copy_from_slice(b"        ");
        let sum: u32 = header.iter().map(|&b| u32::from(b)).sum();
        header[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        let err = read_all(&header).unwrap_err();
        assert!(err.to_string().contains("exceeds the limit"), "{err}");
    }

    #[test]
    fn parses_pax_records() {
        let mut p = Pending::default();
        apply_pax(b"15 path=x/y/zz\n11 size=42\n", &mut p, 0).unwrap();
        assert_eq!(p.path.as_deref(), Some(&b"x/y/zz"[..]));
        assert_eq!(p.size, Some(42));
        assert!(apply_pax(b"99 path=x\n", &mut p, 0).is_err());
    }

    #[test]
    fn octal_and_base256_numbers() {
        assert_eq!(parse_number(b"0000644\0", 0, "m").unwrap(), 0o644);
        assert_eq!(parse_number(b"  755 \0", 0, "m").unwrap(), 0o755);
        let mut b256 = [0u8; 12];
        b256[0] = 0x80;
        b256[11] = 5;
        assert_eq!(parse_number(&b256, 0, "s").unwrap(), 5);
        assert!(parse_number(b"12x", 0, "m").is_err());
    }
}
