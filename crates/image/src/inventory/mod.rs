//! OS and language package inventories of an image's final filesystem:
//! dpkg, apk, rpm (sqlite rpmdb), Python (dist-info and egg-info) and npm.
//!
//! The image reader asks [`wants_content`] for every regular file of every
//! layer and keeps the bytes of those it wants; [`collect`] then reads the
//! package databases through a [`FileSource`] over the merged filesystem.
//! Every parser is tolerant: malformed input becomes a note in
//! [`Inventory::notes`], never an error or a panic.

mod apk;
mod dpkg;
mod files;
mod npm;
mod python;
mod rpm;

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use files::Listing;
pub use files::MemoryFiles;

/// Whether the reader must keep this regular file's bytes for the inventories.
/// `path` is relative to the image root, no leading '/', '/'-separated.
///
/// Called for every file of every layer, so it looks at the file name first
/// and never allocates.
pub fn wants_content(path: &str) -> bool {
    let (dir, name) = match path.rfind('/') {
        Some(i) => (path.get(..i).unwrap_or(""), path.get(i + 1..).unwrap_or("")),
        None => ("", path),
    };
    match name {
        "status" => path == dpkg::STATUS,
        "installed" => path == apk::INSTALLED,
        "rpmdb.sqlite" => rpm::SQLITE_DBS.contains(&path),
        "METADATA" | "RECORD" => python::is_meta_dir(dir, ".dist-info"),
        "PKG-INFO" | "installed-files.txt" => python::is_meta_dir(dir, ".egg-info"),
        "top_level.txt" => {
            python::is_meta_dir(dir, ".egg-info") || python::is_meta_dir(dir, ".dist-info")
        }
        "package.json" => npm::is_package_dir(dir),
        _ => {
            (dir == dpkg::STATUS_D && !name.ends_with(".md5sums"))
                || (name.ends_with(".egg-info") && python::is_site_dir(dir))
        }
    }
}

/// What the inventories need from the final merged filesystem.
pub trait FileSource {
    /// Bytes of a regular file visible in the final filesystem, if `wants_content` kept it.
    fn content(&self, path: &str) -> Option<&[u8]>;
    /// Visible regular files under directory `dir` (no trailing '/'), as (relative path, size).
    ///
    /// Paths are relative to the image root. `dir == ""` means the whole
    /// filesystem.
    fn files_under(&self, dir: &str) -> Vec<(String, u64)>;

    /// Visible regular files below some directory named one of `names`, as
    /// (path from the root, size). Python and npm packages live only below
    /// [`PACKAGE_DIRS`], so [`collect`] lists those files, not every file.
    fn files_below_dirs_named(&self, names: &[&str]) -> Vec<(String, u64)> {
        let mut files = self.files_under("");
        files.retain(|(path, _)| {
            let dirs = path.rsplit_once('/').map_or("", |(dirs, _)| dirs);
            dirs.split('/').any(|dir| names.contains(&dir))
        });
        files
    }

    /// Size of the visible regular file at `path`, if there is one.
    fn size_of(&self, path: &str) -> Option<u64> {
        let path = path.trim_start_matches('/');
        let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
        self.files_under(dir)
            .into_iter()
            .find(|(p, _)| {
                let p = p.trim_start_matches('/');
                p == path || p == name
            })
            .map(|(_, size)| size)
    }
}

/// Directories below which Python and npm packages are found.
pub const PACKAGE_DIRS: &[&str] = &["site-packages", "dist-packages", "node_modules"];

/// The package manager (or language ecosystem) that installed a package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Manager {
    /// Debian's dpkg (`var/lib/dpkg/status`, `var/lib/dpkg/status.d/*`).
    Dpkg,
    /// Alpine's apk (`lib/apk/db/installed`).
    Apk,
    /// RPM, from its sqlite database.
    Rpm,
    /// Python distributions (`*.dist-info`, `*.egg-info`).
    Python,
    /// npm packages under `node_modules`.
    Npm,
}

impl Manager {
    /// The lowercase name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Manager::Dpkg => "dpkg",
            Manager::Apk => "apk",
            Manager::Rpm => "rpm",
            Manager::Python => "python",
            Manager::Npm => "npm",
        }
    }
}

impl fmt::Display for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Package {
    /// Who installed it.
    pub manager: Manager,
    /// Package name as its metadata spells it.
    pub name: String,
    /// Version as its metadata spells it; rpm's is `[EPOCH:]VERSION-RELEASE`.
    pub version: String,
    /// Installed size in bytes (0 when it could not be known; a note says so).
    pub size: u64,
    /// Where the package was found: the database file, or the package's
    /// metadata directory.
    pub location: String,
}

/// All packages found in an image, plus what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Inventory {
    /// Packages, sorted by manager, name, version and location.
    pub packages: Vec<Package>,
    /// Human-readable notes about unreadable or unsupported databases and
    /// entries, each naming the file it is about.
    pub notes: Vec<String>,
}

impl Inventory {
    /// Packages of one manager.
    pub fn of(&self, manager: Manager) -> impl Iterator<Item = &Package> {
        self.packages.iter().filter(move |p| p.manager == manager)
    }

    /// Total installed bytes per manager.
    pub fn size_by_manager(&self) -> BTreeMap<Manager, u64> {
        let mut sizes = BTreeMap::new();
        for package in &self.packages {
            let total = sizes.entry(package.manager).or_insert(0u64);
            *total = total.saturating_add(package.size);
        }
        sizes
    }
}

/// Collects every inventory from the final filesystem.
pub fn collect(fs: &dyn FileSource) -> Inventory {
    let mut inventory = Inventory::default();
    dpkg::collect(fs, &mut inventory);
    apk::collect(fs, &mut inventory);
    rpm::collect(fs, &mut inventory);
    let listing = Listing::new(fs.files_below_dirs_named(PACKAGE_DIRS));
    python::collect(fs, &listing, &mut inventory);
    npm::collect(fs, &listing, &mut inventory);
    inventory.packages.sort();
    inventory
}

/// The bytes of a database at a fixed `path`; when the file is there but its
/// bytes were not kept (too large for the reader, say), a note says so.
fn database<'a>(fs: &'a dyn FileSource, path: &str, inventory: &mut Inventory) -> Option<&'a [u8]> {
    if let Some(bytes) = fs.content(path) {
        return Some(bytes);
    }
    let (dir, name) = path.rsplit_once('/')?;
    let present = fs.files_under(dir).iter().any(|(p, _)| {
        let p = p.trim_start_matches('/');
        p == path || p == name
    });
    if present {
        inventory.notes.push(format!(
            "{path}: present but its content was not kept; not read"
        ));
    }
    None
}

/// A package paragraph of a text database (dpkg, apk), checked alike for
/// both: a paragraph without a name is a note and no package; a size field
/// that is missing or not a number is a note and size 0, the package still
/// listed.
struct Paragraph<'a> {
    manager: Manager,
    path: &'a str,
    /// 1-based line of the paragraph's first line.
    line: usize,
    /// The name field's name as the database spells it, and its value.
    name_field: &'static str,
    name: Option<&'a str>,
    version: Option<&'a str>,
    /// The size field's name as the database spells it, and its value.
    size_field: &'static str,
    size: Option<&'a str>,
    /// Bytes per unit of the size field, and the unit's name for notes.
    size_unit: (u64, &'static str),
}

impl Paragraph<'_> {
    fn push_to(self, inventory: &mut Inventory) {
        let Paragraph {
            manager,
            path,
            line,
            name_field,
            name,
            version,
            size_field,
            size,
            size_unit: (unit, unit_name),
        } = self;
        let Some(name) = name.filter(|n| !n.is_empty()) else {
            inventory.notes.push(format!(
                "{path}:{line}: {manager} entry without a {name_field} field"
            ));
            return;
        };
        let size = match size {
            Some(value) => match value.parse::<u64>().ok().and_then(|n| n.checked_mul(unit)) {
                Some(bytes) => bytes,
                None => {
                    inventory.notes.push(format!(
                        "{path}:{line}: {manager} package {name}: {size_field} {value:?} is not a size in {unit_name}"
                    ));
                    0
                }
            },
            None => {
                inventory.notes.push(format!(
                    "{path}:{line}: {manager} package {name} has no {size_field} field; size unknown"
                ));
                0
            }
        };
        inventory.packages.push(Package {
            manager,
            name: name.to_string(),
            version: version.unwrap_or("").to_string(),
            size,
            location: path.to_string(),
        });
    }
}

/// Splits a text database into paragraphs separated by blank lines,
/// tolerating CRLF line ends. Each paragraph comes with the 1-based line
/// number of its first line, and its lines.
fn paragraphs(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    let mut lines = text
        .lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .enumerate()
        .peekable();
    std::iter::from_fn(move || {
        while lines.peek().is_some_and(|(_, l)| l.trim().is_empty()) {
            lines.next();
        }
        let first = lines.peek().map(|(n, _)| n + 1)?;
        let mut paragraph = Vec::new();
        for (_, line) in lines.by_ref() {
            if line.trim().is_empty() {
                break;
            }
            paragraph.push(line);
        }
        Some((first, paragraph))
    })
}
