//! apk: Alpine's installed database, `lib/apk/db/installed`: one paragraph
//! per package of `X:value` lines (`P` name, `V` version, `I` installed size
//! in bytes).

use super::{database, paragraphs, FileSource, Inventory, Manager, Paragraph};

/// apk's installed database.
pub(crate) const INSTALLED: &str = "lib/apk/db/installed";

pub(crate) fn collect(fs: &dyn FileSource, inventory: &mut Inventory) {
    if let Some(bytes) = database(fs, INSTALLED, inventory) {
        parse(INSTALLED, bytes, inventory);
    }
}

/// Parses an apk installed database at `path`.
pub(crate) fn parse(path: &str, bytes: &[u8], inventory: &mut Inventory) {
    let text = String::from_utf8_lossy(bytes);
    for (line, lines) in paragraphs(&text) {
        let mut name = None;
        let mut version = None;
        let mut size = None;
        for entry in &lines {
            match entry.split_once(':') {
                Some(("P", v)) => name = Some(v.trim()),
                Some(("V", v)) => version = Some(v.trim()),
                Some(("I", v)) => size = Some(v.trim()),
                _ => {}
            }
        }
        Paragraph {
            manager: Manager::Apk,
            path,
            line,
            name_field: "P: (name)",
            name,
            version,
            size_field: "I:",
            size,
            size_unit: (1, "bytes"),
        }
        .push_to(inventory);
    }
}
