//! npm packages: `node_modules/NAME/package.json` and
//! `node_modules/@scope/NAME/package.json`, at any depth (nested
//! `node_modules` and pnpm's `.pnpm/*/node_modules` included). A package's
//! size is its directory without its own nested `node_modules`, which are
//! packages of their own.

use serde_json::Value;

use super::files::Listing;
use super::{wants_content, FileSource, Inventory, Manager, Package};

fn last_segment(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn parent(path: &str) -> Option<&str> {
    path.rsplit_once('/').map(|(dir, _)| dir)
}

/// Whether `dir` is a package directory inside a `node_modules`.
pub(crate) fn is_package_dir(dir: &str) -> bool {
    let Some(up) = parent(dir) else {
        return false;
    };
    let name = last_segment(dir);
    if name.is_empty() || name.starts_with('.') {
        return false;
    }
    let up_name = last_segment(up);
    if up_name == "node_modules" {
        return !name.starts_with('@');
    }
    up_name.len() > 1
        && up_name.starts_with('@')
        && parent(up).is_some_and(|top| last_segment(top) == "node_modules")
}

pub(crate) fn collect(fs: &dyn FileSource, listing: &Listing, inventory: &mut Inventory) {
    for path in listing.paths() {
        if last_segment(path) != "package.json" || !wants_content(path) {
            continue;
        }
        let Some(dir) = parent(path) else {
            continue;
        };
        let Some(bytes) = fs.content(path) else {
            inventory
                .notes
                .push(format!("{path}: npm package.json was not readable"));
            continue;
        };
        let Some((name, version)) = parse(path, dir, bytes, inventory) else {
            continue;
        };
        let size = listing
            .under(dir)
            .filter(|(rel, _)| !rel.starts_with("node_modules/") && !rel.contains("/node_modules/"))
            .map(|(_, size)| size)
            .fold(0u64, u64::saturating_add);
        inventory.packages.push(Package {
            manager: Manager::Npm,
            name,
            version,
            size,
            location: dir.to_string(),
        });
    }
}

/// Name and version of a package.json at `path` in package directory `dir`.
/// A manifest without a name is named after its directory.
pub(crate) fn parse(
    path: &str,
    dir: &str,
    bytes: &[u8],
    inventory: &mut Inventory,
) -> Option<(String, String)> {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let manifest: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(e) => {
            inventory.notes.push(format!(
                "{path}:{}:{}: invalid package.json: {e}",
                e.line(),
                e.column()
            ));
            return None;
        }
    };
    let Value::Object(fields) = manifest else {
        inventory
            .notes
            .push(format!("{path}: package.json is not a JSON object"));
        return None;
    };
    let version = match fields.get("version") {
        Some(Value::String(v)) => v.clone(),
        _ => String::new(),
    };
    let name = match fields.get("name") {
        Some(Value::String(n)) if !n.is_empty() => n.clone(),
        _ => {
            let folder = last_segment(dir);
            let name = match parent(dir).map(last_segment) {
                Some(scope) if scope.starts_with('@') => format!("{scope}/{folder}"),
                _ => folder.to_string(),
            };
            inventory.notes.push(format!(
                "{path}: package.json has no name; named {name} after its directory"
            ));
            name
        }
    };
    Some((name, version))
}
