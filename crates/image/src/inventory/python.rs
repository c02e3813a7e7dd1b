//! Python distributions in `site-packages` and `dist-packages` directories:
//! `*.dist-info` (`METADATA` for name and version, `RECORD` for the files)
//! and the older `*.egg-info` (a directory with `PKG-INFO`, or a single
//! PKG-INFO-format file).

use super::files::Listing;
use super::{wants_content, FileSource, Inventory, Manager, Package};

/// Whether `dir` (relative to the image root) is a site directory.
pub(crate) fn is_site_dir(dir: &str) -> bool {
    let name = dir.rsplit('/').next().unwrap_or(dir);
    name == "site-packages" || name == "dist-packages"
}

/// Whether `dir` is a `*.{suffix}` directory directly in a site directory.
pub(crate) fn is_meta_dir(dir: &str, suffix: &str) -> bool {
    dir.ends_with(suffix)
        && dir
            .rsplit_once('/')
            .is_some_and(|(site, _)| is_site_dir(site))
}

pub(crate) fn collect(fs: &dyn FileSource, listing: &Listing, inventory: &mut Inventory) {
    for path in listing.paths() {
        if !wants_content(path) {
            continue;
        }
        let Some((dir, name)) = path.rsplit_once('/') else {
            continue;
        };
        if name == "METADATA" && is_meta_dir(dir, ".dist-info") {
            dist_info(fs, listing, dir, inventory);
        } else if name == "PKG-INFO" && is_meta_dir(dir, ".egg-info") {
            egg_info_dir(fs, listing, dir, inventory);
        } else if name.ends_with(".egg-info") && is_site_dir(dir) {
            egg_info_file(fs, listing, path, inventory);
        }
    }
}

/// Name and version from a METADATA / PKG-INFO header block.
fn name_version(path: &str, bytes: &[u8], inventory: &mut Inventory) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(bytes);
    let mut name = None;
    let mut version = None;
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            break; // the body (long description) starts here
        }
        match line.split_once(':') {
            Some(("Name", v)) if name.is_none() => name = Some(v.trim().to_string()),
            Some(("Version", v)) if version.is_none() => version = Some(v.trim().to_string()),
            _ => {}
        }
    }
    match name.filter(|n| !n.is_empty()) {
        Some(name) => Some((name, version.unwrap_or_default())),
        None => {
            inventory
                .notes
                .push(format!("{path}: Python metadata has no Name field"));
            None
        }
    }
}

/// Name and version from the metadata file at `path` (METADATA or PKG-INFO);
/// a file that cannot be read or has no name is a note.
fn read_name_version(
    fs: &dyn FileSource,
    path: &str,
    inventory: &mut Inventory,
) -> Option<(String, String)> {
    let Some(bytes) = fs.content(path) else {
        inventory
            .notes
            .push(format!("{path}: Python metadata was not readable"));
        return None;
    };
    name_version(path, bytes, inventory)
}

fn dist_info(fs: &dyn FileSource, listing: &Listing, dir: &str, inventory: &mut Inventory) {
    let Some((name, version)) = read_name_version(fs, &format!("{dir}/METADATA"), inventory) else {
        return;
    };
    let site = parent(dir);
    let record = format!("{dir}/RECORD");
    let size = match fs.content(&record) {
        Some(bytes) => record_size(fs, &record, bytes, site, listing, inventory),
        None => {
            inventory.notes.push(format!(
                "{dir}: Python package {name} has no RECORD; size estimated from its top-level names"
            ));
            let tops = top_levels(fs, dir, &name);
            listing_size(listing, dir).saturating_add(tops_size(listing, site, &tops))
        }
    };
    inventory.packages.push(Package {
        manager: Manager::Python,
        name,
        version,
        size,
        location: dir.to_string(),
    });
}

fn egg_info_dir(fs: &dyn FileSource, listing: &Listing, dir: &str, inventory: &mut Inventory) {
    let Some((name, version)) = read_name_version(fs, &format!("{dir}/PKG-INFO"), inventory) else {
        return;
    };
    let site = parent(dir);
    let own = listing_size(listing, dir);
    let size = if let Some(list) = fs.content(&format!("{dir}/installed-files.txt")) {
        // Paths relative to the egg-info directory, one a line.
        let text = String::from_utf8_lossy(list);
        let files: u64 = text
            .lines()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .filter_map(|rel| resolve(dir, rel))
            .filter(|path| !path.starts_with(&format!("{dir}/")))
            .filter_map(|path| listing.size_of(&path))
            .fold(0u64, u64::saturating_add);
        files.saturating_add(own)
    } else if let Some(list) = fs.content(&format!("{dir}/top_level.txt")) {
        let text = String::from_utf8_lossy(list);
        let tops: Vec<String> = text
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        own.saturating_add(tops_size(listing, site, &tops))
    } else {
        inventory.notes.push(format!(
            "{dir}: Python package {name} lists no files; size counts only its metadata"
        ));
        own
    };
    inventory.packages.push(Package {
        manager: Manager::Python,
        name,
        version,
        size,
        location: dir.to_string(),
    });
}

fn egg_info_file(fs: &dyn FileSource, listing: &Listing, path: &str, inventory: &mut Inventory) {
    let Some(bytes) = fs.content(path) else {
        inventory
            .notes
            .push(format!("{path}: Python metadata was not readable"));
        return;
    };
    let Some((name, version)) = name_version(path, bytes, inventory) else {
        return;
    };
    let site = parent(path);
    let tops = vec![import_name(&name)];
    let size = listing
        .size_of(path)
        .unwrap_or(0)
        .saturating_add(tops_size(listing, site, &tops));
    inventory.notes.push(format!(
        "{path}: Python package {name} lists no files; size estimated from its import name"
    ));
    inventory.packages.push(Package {
        manager: Manager::Python,
        name,
        version,
        size,
        location: path.to_string(),
    });
}

/// Sum of a RECORD's size column; rows without a size (RECORD itself,
/// compiled files) are sized from the filesystem.
fn record_size(
    fs: &dyn FileSource,
    path: &str,
    bytes: &[u8],
    site: &str,
    listing: &Listing,
    inventory: &mut Inventory,
) -> u64 {
    let text = String::from_utf8_lossy(bytes);
    let mut total = 0u64;
    let mut bad_rows = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let fields = csv_fields(line);
        let file = fields.first().map(String::as_str).unwrap_or("");
        let size = fields.get(2).map(|s| s.trim()).unwrap_or("");
        let bytes = if size.is_empty() {
            // The listing holds the site directory; a file elsewhere (a
            // script in `bin`) is looked up in the filesystem.
            resolve(site, file).and_then(|p| listing.size_of(&p).or_else(|| fs.size_of(&p)))
        } else {
            match size.parse::<u64>() {
                Ok(n) => Some(n),
                Err(_) => {
                    bad_rows.push(number + 1);
                    None
                }
            }
        };
        total = total.saturating_add(bytes.unwrap_or(0));
    }
    if let Some(first) = bad_rows.first() {
        inventory.notes.push(format!(
            "{path}:{first}: {} RECORD row(s) with a size that is not a number",
            bad_rows.len()
        ));
    }
    total
}

/// The fields of one CSV line (RECORD is written by Python's csv module:
/// comma-separated, double-quoted when needed, `""` for a quote).
fn csv_fields(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', true) => quoted = false,
            ('"', false) if field.is_empty() => quoted = true,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The importable names a package installs: `top_level.txt` if kept, else
/// its name in import form.
fn top_levels(fs: &dyn FileSource, dir: &str, name: &str) -> Vec<String> {
    match fs.content(&format!("{dir}/top_level.txt")) {
        Some(bytes) => String::from_utf8_lossy(bytes)
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect(),
        None => vec![import_name(name)],
    }
}

/// `Foo-Bar.baz` → `foo_bar_baz`: how a distribution name usually imports.
fn import_name(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '-' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Bytes of top-level packages (`site/top/...`) and modules (`site/top.py`
/// and compiled extension modules `site/top.*.so`).
fn tops_size(listing: &Listing, site: &str, tops: &[String]) -> u64 {
    let mut total = 0u64;
    for top in tops {
        if top.contains("..") || top.starts_with('/') {
            continue;
        }
        let base = join(site, top);
        total = total.saturating_add(listing_size(listing, &base));
        total = total.saturating_add(listing.size_of(&format!("{base}.py")).unwrap_or(0));
        let module_prefix = format!("{top}.");
        for (rel, size) in listing.under(site) {
            if !rel.contains('/') && rel.starts_with(&module_prefix) && rel.ends_with(".so") {
                total = total.saturating_add(size);
            }
        }
    }
    total
}

fn listing_size(listing: &Listing, dir: &str) -> u64 {
    listing
        .under(dir)
        .map(|(_, size)| size)
        .fold(0u64, u64::saturating_add)
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// Resolves `rel` against directory `base`, both relative to the image root;
/// an absolute `rel` is taken from the image root. `None` when it climbs
/// above the root.
fn resolve(base: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    let start = if rel.starts_with('/') { "" } else { base };
    for part in start.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_handles_quotes() {
        assert_eq!(csv_fields("a,b,3"), vec!["a", "b", "3"]);
        assert_eq!(csv_fields("\"a,b\",,"), vec!["a,b", "", ""]);
        assert_eq!(
            csv_fields("\"say \"\"hi\"\"\",x,1"),
            vec!["say \"hi\"", "x", "1"]
        );
    }

    #[test]
    fn resolve_climbs_and_stops_at_root() {
        assert_eq!(
            resolve("usr/lib/python3.11/site-packages", "../../../bin/pip").as_deref(),
            Some("usr/bin/pip")
        );
        assert_eq!(resolve("a", "../../x"), None);
        assert_eq!(resolve("a/b", "/etc/x").as_deref(), Some("etc/x"));
    }

    #[test]
    fn import_names() {
        assert_eq!(import_name("PyYAML"), "pyyaml");
        assert_eq!(import_name("typing-extensions"), "typing_extensions");
        assert_eq!(import_name("zope.interface"), "zope_interface");
    }
}
