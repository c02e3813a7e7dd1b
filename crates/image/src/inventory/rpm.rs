//! rpm: the sqlite rpmdb (`rpmdb.sqlite`), whose `Packages` table holds one
//! rpm header blob per installed package. The header format is parsed here:
//! a big-endian index count and data length, the index entries (tag, type,
//! offset, count; 16 bytes each), then the data store. Every offset is
//! bounds-checked against the blob.

use std::io::Read;

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};

use super::{database, FileSource, Inventory, Manager, Package};

/// Where sqlite rpm databases live, in the order rpm prefers them: Fedora 36+
/// and openSUSE use `usr/lib/sysimage/rpm`, RHEL 9 and others `var/lib/rpm`.
pub(crate) const SQLITE_DBS: &[&str] = &[
    "usr/lib/sysimage/rpm/rpmdb.sqlite",
    "var/lib/rpm/rpmdb.sqlite",
];

/// Older database formats that are recognised but not read.
const UNSUPPORTED_DBS: &[(&str, &str)] = &[
    ("var/lib/rpm/Packages", "Berkeley DB"),
    ("usr/lib/sysimage/rpm/Packages", "Berkeley DB"),
    ("var/lib/rpm/Packages.db", "NDB"),
    ("usr/lib/sysimage/rpm/Packages.db", "NDB"),
];

const TAG_NAME: u32 = 1000;
const TAG_VERSION: u32 = 1001;
const TAG_RELEASE: u32 = 1002;
const TAG_EPOCH: u32 = 1003;
const TAG_SIZE: u32 = 1009;
const TAG_LONGSIZE: u32 = 5009;

const TYPE_INT32: u32 = 4;
const TYPE_INT64: u32 = 5;
const TYPE_STRING: u32 = 6;
const TYPE_STRING_ARRAY: u32 = 8;
const TYPE_I18NSTRING: u32 = 9;

/// rpm's own limits on a header (`hdrchkTags`, `hdrchkData`).
const MAX_INDEX_ENTRIES: u32 = 0xffff;
const MAX_DATA_LEN: u32 = 256 * 1024 * 1024;

/// The magic some header copies start with (followed by 4 reserved bytes).
const HEADER_MAGIC: [u8; 4] = [0x8e, 0xad, 0xe8, 0x01];

pub(crate) fn collect(fs: &dyn FileSource, inventory: &mut Inventory) {
    let mut read = None;
    for &path in SQLITE_DBS {
        let Some(bytes) = database(fs, path, inventory) else {
            continue;
        };
        match read {
            None => {
                read_sqlite(path, bytes, inventory);
                note_pending_wal(fs, path, inventory);
                read = Some(path);
            }
            Some(first) => inventory.notes.push(format!(
                "{path}: second rpm database ignored; packages were read from {first}"
            )),
        }
    }
    if read.is_some() {
        return;
    }
    for &(path, format) in UNSUPPORTED_DBS {
        let Some((dir, name)) = path.rsplit_once('/') else {
            continue;
        };
        let present = fs.files_under(dir).iter().any(|(p, _)| {
            let p = p.trim_start_matches('/');
            p == path || p == name
        });
        if present {
            inventory.notes.push(format!(
                "{path}: {format} rpm database is not supported; rpm packages not listed"
            ));
        }
    }
}

/// rpm checkpoints its write-ahead log when it closes the database; a
/// non-empty `-wal` file beside it holds changes this reader does not apply.
fn note_pending_wal(fs: &dyn FileSource, path: &str, inventory: &mut Inventory) {
    let Some((dir, name)) = path.rsplit_once('/') else {
        return;
    };
    let wal_path = format!("{path}-wal");
    let wal_name = format!("{name}-wal");
    let pending = fs.files_under(dir).iter().any(|(p, size)| {
        let p = p.trim_start_matches('/');
        *size > 0 && (p == wal_path || p == wal_name)
    });
    if pending {
        inventory.notes.push(format!(
            "{wal_path}: uncheckpointed rpm database changes are not read; packages may be missing"
        ));
    }
}

/// Reads every package of a sqlite rpmdb held in memory.
pub(crate) fn read_sqlite(path: &str, bytes: &[u8], inventory: &mut Inventory) {
    match packages_table(bytes) {
        Ok(rows) => {
            for (hnum, blob) in rows {
                match parse_header(&blob) {
                    Ok(header) => inventory.packages.push(header.into_package(path)),
                    Err(why) => inventory
                        .notes
                        .push(format!("{path}: Packages row {hnum}: {why}")),
                }
            }
        }
        Err(why) => inventory
            .notes
            .push(format!("{path}: rpm database not readable: {why}")),
    }
}

/// The (hnum, blob) rows of the `Packages` table.
fn packages_table(bytes: &[u8]) -> Result<Vec<(i64, Vec<u8>)>, String> {
    if bytes.len() < 100 {
        return Err("too short to be a sqlite database".to_string());
    }
    let mut db = Connection::open_in_memory_with_flags(
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| e.to_string())?;
    // rpm keeps its database in WAL mode (header bytes 18 and 19 set to 2),
    // which an in-memory database cannot open; the same pages read fine as
    // a rollback-journal database.
    let head = bytes.get(..18).unwrap_or(&[]);
    let tail = bytes.get(20..).unwrap_or(&[]);
    let image = head.chain(&[1u8, 1][..]).chain(tail);
    db.deserialize_read_exact("main", image, bytes.len(), true)
        .map_err(|e| e.to_string())?;
    db.execute_batch("PRAGMA trusted_schema = OFF; PRAGMA query_only = ON;")
        .map_err(|e| e.to_string())?;
    let mut query = db
        .prepare("SELECT hnum, blob FROM Packages ORDER BY hnum")
        .map_err(|e| e.to_string())?;
    let mut rows = query.query([]).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(|e| e.to_string())? {
        let hnum = match row.get_ref(0) {
            Ok(ValueRef::Integer(n)) => n,
            _ => -1,
        };
        let blob = match row.get_ref(1) {
            Ok(ValueRef::Blob(b)) | Ok(ValueRef::Text(b)) => b.to_vec(),
            _ => Vec::new(),
        };
        out.push((hnum, blob));
    }
    Ok(out)
}

/// The fields of one rpm header that the inventory reports.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Header {
    pub(crate) name: String,
    pub(crate) version: String,
    pub(crate) release: Option<String>,
    pub(crate) epoch: Option<u32>,
    pub(crate) size: u64,
}

impl Header {
    /// `[EPOCH:]VERSION[-RELEASE]`, as rpm prints an EVR.
    pub(crate) fn evr(&self) -> String {
        let mut evr = String::new();
        if let Some(epoch) = self.epoch {
            evr.push_str(&format!("{epoch}:"));
        }
        evr.push_str(&self.version);
        if let Some(release) = &self.release {
            evr.push('-');
            evr.push_str(release);
        }
        evr
    }

    fn into_package(self, path: &str) -> Package {
        Package {
            manager: Manager::Rpm,
            version: self.evr(),
            name: self.name,
            size: self.size,
            location: path.to_string(),
        }
    }
}

fn be_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let chunk = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_be_bytes(chunk.try_into().ok()?))
}

fn be_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_be_bytes(chunk.try_into().ok()?))
}

/// One index entry of a header.
struct Entry {
    tag: u32,
    kind: u32,
    offset: usize,
    count: u32,
}

/// Parses an rpm header blob (with or without its magic).
pub(crate) fn parse_header(blob: &[u8]) -> Result<Header, String> {
    let blob = match blob.strip_prefix(&HEADER_MAGIC[..]) {
        Some(rest) => rest.get(4..).ok_or("header truncated after its magic")?,
        None => blob,
    };
    let index_len = be_u32(blob, 0).ok_or("header shorter than 8 bytes")?;
    let data_len = be_u32(blob, 4).ok_or("header shorter than 8 bytes")?;
    if index_len == 0 || index_len > MAX_INDEX_ENTRIES {
        return Err(format!("header index count {index_len} is out of range"));
    }
    if data_len > MAX_DATA_LEN {
        return Err(format!("header data length {data_len} is out of range"));
    }
    let index_start = 8usize;
    let data_start = usize::try_from(index_len)
        .ok()
        .and_then(|n| n.checked_mul(16))
        .and_then(|n| n.checked_add(index_start))
        .ok_or("header index too large")?;
    let data_end = usize::try_from(data_len)
        .ok()
        .and_then(|n| n.checked_add(data_start))
        .ok_or("header data too large")?;
    let data = blob.get(data_start..data_end).ok_or_else(|| {
        format!(
            "header of {} bytes is shorter than its index and data ({data_end} bytes)",
            blob.len()
        )
    })?;

    let mut header = Header::default();
    let mut name = None;
    let mut version = None;
    let mut long_size = None;
    for i in 0..index_len as usize {
        let at = index_start + i * 16;
        let field = |k: usize| be_u32(blob, at + k * 4).ok_or("header index truncated");
        let entry = Entry {
            tag: field(0)?,
            kind: field(1)?,
            offset: usize::try_from(field(2)?).map_err(|_| "offset too large")?,
            count: field(3)?,
        };
        match entry.tag {
            TAG_NAME => name = Some(string(data, &entry)?),
            TAG_VERSION => version = Some(string(data, &entry)?),
            TAG_RELEASE => header.release = Some(string(data, &entry)?),
            TAG_EPOCH => header.epoch = Some(int32(data, &entry)?),
            TAG_SIZE => header.size = u64::from(int32(data, &entry)?),
            TAG_LONGSIZE => long_size = Some(int64(data, &entry)?),
            _ => {}
        }
    }
    header.name = name.ok_or("header has no NAME tag")?;
    header.version = version.ok_or("header has no VERSION tag")?;
    if let Some(size) = long_size {
        header.size = size;
    }
    Ok(header)
}

/// A STRING (or the first of a STRING_ARRAY / I18NSTRING) entry.
fn string(data: &[u8], entry: &Entry) -> Result<String, String> {
    if !matches!(
        entry.kind,
        TYPE_STRING | TYPE_STRING_ARRAY | TYPE_I18NSTRING
    ) {
        return Err(format!(
            "tag {} has type {} where a string was expected",
            entry.tag, entry.kind
        ));
    }
    if entry.count == 0 {
        return Err(format!("tag {} has no value", entry.tag));
    }
    let rest = data
        .get(entry.offset..)
        .ok_or_else(|| format!("tag {} points past the data store", entry.tag))?;
    let end = rest
        .iter()
        .position(|&b| b == 0)
        .ok_or_else(|| format!("tag {} string is not terminated", entry.tag))?;
    Ok(String::from_utf8_lossy(rest.get(..end).unwrap_or(&[])).into_owned())
}

fn int32(data: &[u8], entry: &Entry) -> Result<u32, String> {
    if entry.kind != TYPE_INT32 || entry.count == 0 {
        return Err(format!("tag {} is not an INT32", entry.tag));
    }
    be_u32(data, entry.offset)
        .ok_or_else(|| format!("tag {} points past the data store", entry.tag))
}

fn int64(data: &[u8], entry: &Entry) -> Result<u64, String> {
    if entry.kind != TYPE_INT64 || entry.count == 0 {
        return Err(format!("tag {} is not an INT64", entry.tag));
    }
    be_u64(data, entry.offset)
        .ok_or_else(|| format!("tag {} points past the data store", entry.tag))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Builds a header blob: (tag, type, count, value bytes) entries.
    fn header(entries: &[(u32, u32, u32, Vec<u8>)]) -> Vec<u8> {
        let mut index = Vec::new();
        let mut data = Vec::new();
        for (tag, kind, count, value) in entries {
            if *kind == TYPE_INT32 || *kind == TYPE_INT64 {
                while data.len() % 8 != 0 {
                    data.push(0);
                }
            }
            for field in [*tag, *kind, data.len() as u32, *count] {
                index.extend_from_slice(&field.to_be_bytes());
            }
            data.extend_from_slice(value);
        }
        let mut blob = Vec::new();
        blob.extend_from_slice(&(entries.len() as u32).to_be_bytes());
        blob.extend_from_slice(&(data.len() as u32).to_be_bytes());
        blob.extend_from_slice(&index);
        blob.extend_from_slice(&data);
        blob
    }

    fn s(text: &str) -> Vec<u8> {
        let mut bytes = text.as_bytes().to_vec();
        bytes.push(0);
        bytes
    }

    fn sample() -> Vec<u8> {
        header(&[
            (TAG_NAME, TYPE_STRING, 1, s("openssl-libs")),
            (TAG_VERSION, TYPE_STRING, 1, s("3.0.7")),
            (TAG_RELEASE, TYPE_STRING, 1, s("27.el9")),
            (TAG_EPOCH, TYPE_INT32, 1, 1u32.to_be_bytes().to_vec()),
            (TAG_SIZE, TYPE_INT32, 1, 6_291_456u32.to_be_bytes().to_vec()),
            (1022, TYPE_STRING, 1, s("x86_64")),
        ])
    }

    #[test]
    fn parses_name_evr_and_size() {
        let parsed = parse_header(&sample()).expect("valid header");
        assert_eq!(parsed.name, "openssl-libs");
        assert_eq!(parsed.evr(), "1:3.0.7-27.el9");
        assert_eq!(parsed.size, 6_291_456);
    }

    #[test]
    fn accepts_the_header_magic_and_prefers_longsize() {
        let mut blob = vec![0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0];
        blob.extend(header(&[
            (TAG_NAME, TYPE_STRING, 1, s("kernel-core")),
            (TAG_VERSION, TYPE_STRING, 1, s("6.1")),
            (TAG_SIZE, TYPE_INT32, 1, 1u32.to_be_bytes().to_vec()),
            (
                TAG_LONGSIZE,
                TYPE_INT64,
                1,
                5_000_000_000u64.to_be_bytes().to_vec(),
            ),
        ]));
        let parsed = parse_header(&blob).expect("valid header");
        assert_eq!(parsed.evr(), "6.1");
        assert_eq!(parsed.size, 5_000_000_000);
    }

    #[test]
    fn rejects_out_of_bounds_offsets_and_wrong_types() {
        let mut blob = header(&[(TAG_NAME, TYPE_STRING, 1, s("x"))]);
        // Point NAME's offset past the data store.
        blob[16..20].copy_from_slice(&1000u32.to_be_bytes());
        assert_eq!(
            parse_header(&blob),
            Err("tag 1000 points past the data store".to_string())
        );
        let blob = header(&[
            (TAG_NAME, TYPE_INT32, 1, 5u32.to_be_bytes().to_vec()),
            (TAG_VERSION, TYPE_STRING, 1, s("1")),
        ]);
        assert_eq!(
            parse_header(&blob),
            Err("tag 1000 has type 4 where a string was expected".to_string())
        );
        assert_eq!(
            parse_header(&[0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff]),
            Err("header data length 4294967295 is out of range".to_string())
        );
        assert_eq!(
            parse_header(&header(&[(TAG_VERSION, TYPE_STRING, 1, s("1"))])),
            Err("header has no NAME tag".to_string())
        );
        let truncated = &sample()[..40];
        assert!(parse_header(truncated).is_err());
    }

    /// A sqlite database whose Packages table holds the given blobs.
    fn database(blobs: &[Vec<u8>]) -> Vec<u8> {
        let mut db = Connection::open_in_memory().expect("memory db");
        db.execute_batch(
            "CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL)",
        )
        .expect("schema");
        for blob in blobs {
            db.execute("INSERT INTO Packages (blob) VALUES (?1)", [blob])
                .expect("insert");
        }
        db.serialize("main").expect("serialize").to_vec()
    }

    #[test]
    fn bad_rows_become_notes_and_good_rows_still_count() {
        let bytes = database(&[sample(), vec![1, 2, 3]]);
        let mut inventory = Inventory::default();
        read_sqlite("var/lib/rpm/rpmdb.sqlite", &bytes, &mut inventory);
        assert_eq!(inventory.packages.len(), 1);
        assert_eq!(
            inventory.notes,
            ["var/lib/rpm/rpmdb.sqlite: Packages row 2: header shorter than 8 bytes"]
        );
    }

    #[test]
    fn database_without_packages_table_is_a_note() {
        let mut db = Connection::open_in_memory().expect("memory db");
        db.execute_batch("CREATE TABLE Other (x)").expect("schema");
        let bytes = db.serialize("main").expect("serialize").to_vec();
        let mut inventory = Inventory::default();
        read_sqlite("var/lib/rpm/rpmdb.sqlite", &bytes, &mut inventory);
        assert!(inventory.packages.is_empty());
        assert_eq!(
            inventory.notes,
            ["var/lib/rpm/rpmdb.sqlite: rpm database not readable: no such table: Packages"]
        );
    }

    proptest! {
        #[test]
        fn arbitrary_headers_never_panic(blob in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = parse_header(&blob);
        }

        #[test]
        fn mutated_headers_never_panic(
            at in 0usize..200,
            byte in any::<u8>(),
            cut in 0usize..200,
        ) {
            let mut blob = sample();
            if let Some(b) = blob.get_mut(at) {
                *b = byte;
            }
            blob.truncate(blob.len().saturating_sub(cut));
            let _ = parse_header(&blob);
        }

        #[test]
        fn arbitrary_databases_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let mut inventory = Inventory::default();
            read_sqlite("var/lib/rpm/rpmdb.sqlite", &bytes, &mut inventory);
            prop_assert!(inventory.packages.is_empty());
            prop_assert_eq!(inventory.notes.len(), 1);
        }

        #[test]
        fn corrupted_databases_never_panic(at in 0usize..8192, byte in any::<u8>()) {
            let mut bytes = database(&[sample(), sample()]);
            if let Some(b) = bytes.get_mut(at) {
                *b = byte;
            }
            let mut inventory = Inventory::default();
            read_sqlite("var/lib/rpm/rpmdb.sqlite", &bytes, &mut inventory);
        }
    }
}
