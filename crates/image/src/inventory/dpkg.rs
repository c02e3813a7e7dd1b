//! dpkg: `var/lib/dpkg/status`, and the one-file-per-package
//! `var/lib/dpkg/status.d/*` that distroless images ship instead.

use super::{database, paragraphs, FileSource, Inventory, Manager, Paragraph};

/// dpkg's status database.
pub(crate) const STATUS: &str = "var/lib/dpkg/status";
/// Directory of per-package status files (distroless).
pub(crate) const STATUS_D: &str = "var/lib/dpkg/status.d";

pub(crate) fn collect(fs: &dyn FileSource, inventory: &mut Inventory) {
    if let Some(bytes) = database(fs, STATUS, inventory) {
        parse(STATUS, bytes, false, inventory);
    }
    let mut entries = fs.files_under(STATUS_D);
    entries.sort();
    for (listed, _) in entries {
        // Paths are relative to the image root; a bare name is taken as
        // relative to the directory.
        let listed = listed.trim_start_matches('/');
        let name = listed
            .strip_prefix(STATUS_D)
            .and_then(|r| r.strip_prefix('/'))
            .unwrap_or(listed);
        if name.is_empty() || name.contains('/') || name.ends_with(".md5sums") {
            continue;
        }
        let path = format!("{STATUS_D}/{name}");
        match fs.content(&path) {
            Some(bytes) => parse(&path, bytes, true, inventory),
            None => inventory
                .notes
                .push(format!("{path}: dpkg status file was not readable")),
        }
    }
}

/// Parses a dpkg status file at `path`. Files under `status.d` may omit the
/// `Status` field (`status_optional`): everything they list is installed.
pub(crate) fn parse(path: &str, bytes: &[u8], status_optional: bool, inventory: &mut Inventory) {
    let text = String::from_utf8_lossy(bytes);
    for (line, lines) in paragraphs(&text) {
        let mut package = None;
        let mut version = None;
        let mut status = None;
        let mut installed_size = None;
        for entry in &lines {
            // Continuation lines (descriptions, conffiles) start with blanks.
            if entry.starts_with([' ', '\t']) {
                continue;
            }
            let Some((key, value)) = entry.split_once(':') else {
                continue;
            };
            let value = value.trim();
            match key {
                "Package" => package = Some(value),
                "Version" => version = Some(value),
                "Status" => status = Some(value),
                "Installed-Size" => installed_size = Some(value),
                _ => {}
            }
        }
        let installed = match status {
            Some(status) => is_installed(status),
            None => status_optional,
        };
        if !installed {
            continue;
        }
        Paragraph {
            manager: Manager::Dpkg,
            path,
            line,
            name_field: "Package",
            name: package,
            version,
            size_field: "Installed-Size",
            size: installed_size,
            size_unit: (1024, "KiB"),
        }
        .push_to(inventory);
    }
}

/// Whether a `Status` value ("want flag status") says the package is
/// installed: "install ok installed", and also held packages
/// ("hold ok installed").
fn is_installed(status: &str) -> bool {
    let mut words = status.split_whitespace();
    let _want = words.next();
    words.next() == Some("ok") && words.next() == Some("installed") && words.next().is_none()
}
