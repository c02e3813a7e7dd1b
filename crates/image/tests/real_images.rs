//! Integration tests on images really built by `tests/images/setup.sh` (debootstrap, buildah
//! and skopeo; no Docker daemon). Each image comes in four forms: `oci-gzip/`, `oci-zstd/`,
//! `docker.tar` and `oci.tar`.
//!
//! `DOCKOPT_TEST_IMAGES` names the directory setup.sh prints. Without it the tests fail and say
//! how to build the images, unless `DOCKOPT_SKIP_IMAGE_TESTS=1`, which skips them.
//!
//! Expectations come from the Dockerfiles under tests/images/ and, where possible, from an
//! independent reading of the same bytes: the layer tars inside docker.tar (read here with the
//! `tar` crate), dive 0.13 for its own numbers and dpkg-query for the dpkg database.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};

use dockopt_image::inventory::{Manager, Package};
use dockopt_image::report::Leftover;
use dockopt_image::{inspect, InspectOptions, Report};

/// The four exports of every image, as setup.sh names them.
const FORMATS: [&str; 4] = ["oci-gzip", "oci-zstd", "docker.tar", "oci.tar"];

/// The images setup.sh builds by default (bench-* only with --bench, and never read here).
const IMAGES: [&str; 9] = [
    "apt-leftovers",
    "chown-duplicate",
    "deleted-later",
    "leftover-kinds",
    "multi-stage",
    "opaque-whiteout",
    "packages",
    "packages-scratch",
    "toolchain-left",
];

/// Large enough to list every visible file in `largest_files` of the test images.
const ALL: usize = 1_000_000;

// --- where the images are ------------------------------------------------------------------

/// The directory of built images, or None when the tests are to be skipped.
fn images_dir() -> Option<PathBuf> {
    if std::env::var("DOCKOPT_SKIP_IMAGE_TESTS").is_ok_and(|v| v == "1") {
        eprintln!("real image tests skipped: DOCKOPT_SKIP_IMAGE_TESTS=1");
        return None;
    }
    let Some(dir) = std::env::var_os("DOCKOPT_TEST_IMAGES") else {
        panic!(
            "DOCKOPT_TEST_IMAGES is not set: run `bash tests/images/setup.sh` (after \
             scripts/install-tools.sh) and set DOCKOPT_TEST_IMAGES to the directory it prints, \
             or set DOCKOPT_SKIP_IMAGE_TESTS=1 to skip these tests"
        );
    };
    let dir = PathBuf::from(dir);
    for name in IMAGES {
        for format in FORMATS {
            let path = dir.join(name).join(format);
            assert!(
                path.exists(),
                "{} is missing: run `bash tests/images/setup.sh` again",
                path.display()
            );
        }
    }
    Some(dir)
}

fn image_path(dir: &Path, name: &str, format: &str) -> PathBuf {
    dir.join(name).join(format)
}

/// Reports are cached per image, format and `top`: tests share them and each image is read
/// once per form.
fn report(dir: &Path, name: &str, format: &str) -> Arc<Report> {
    type Cache = Mutex<HashMap<PathBuf, Arc<Report>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let path = image_path(dir, name, format);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.lock().unwrap().get(&path) {
        return Arc::clone(r);
    }
    let options = InspectOptions {
        top: ALL,
        ..InspectOptions::default()
    };
    let r =
        Arc::new(inspect(&path, &options).unwrap_or_else(|e| panic!("{}: {e}", path.display())));
    cache.lock().unwrap().insert(path, Arc::clone(&r));
    r
}

// --- an independent reading of docker.tar --------------------------------------------------

/// One entry of a layer tar, as the tar crate reads it.
#[derive(Debug, Clone)]
struct TarEntry {
    path: String,
    size: u64,
    is_file: bool,
}

/// One layer of a docker-archive: its file name (`<diffid hex>.tar` in skopeo's archives), its
/// size, and its entries.
#[derive(Debug)]
struct RawLayer {
    file: String,
    size: u64,
    entries: Vec<TarEntry>,
}

/// Reads every layer of a docker-archive with the tar crate, independently of dockopt.
fn raw_layers(docker_tar: &Path) -> Vec<RawLayer> {
    let manifest: serde_json::Value = {
        let mut archive = tar::Archive::new(File::open(docker_tar).unwrap());
        let mut found = None;
        for entry in archive.entries().unwrap() {
            let mut entry = entry.unwrap();
            if entry.path().unwrap().to_str() == Some("manifest.json") {
                let mut text = String::new();
                entry.read_to_string(&mut text).unwrap();
                found = Some(serde_json::from_str(&text).unwrap());
            }
        }
        found.expect("manifest.json in docker.tar")
    };
    let files: Vec<String> = manifest[0]["Layers"]
        .as_array()
        .expect("Layers in manifest.json")
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut by_file: HashMap<String, RawLayer> = HashMap::new();
    let mut archive = tar::Archive::new(BufReader::new(File::open(docker_tar).unwrap()));
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if !files.contains(&name) {
            continue;
        }
        let size = entry.header().size().unwrap();
        let mut layer = tar::Archive::new(entry);
        let entries = layer
            .entries()
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let path = e.path().unwrap().to_string_lossy().into_owned();
                TarEntry {
                    path: format!("/{}", path.trim_start_matches("./").trim_end_matches('/')),
                    size: e.header().size().unwrap(),
                    is_file: e.header().entry_type().is_file(),
                }
            })
            .collect();
        by_file.insert(
            name.clone(),
            RawLayer {
                file: name,
                size,
                entries,
            },
        );
    }
    files
        .iter()
        .map(|f| {
            by_file
                .remove(f)
                .unwrap_or_else(|| panic!("layer {f} in docker.tar"))
        })
        .collect()
}

/// Sum of the regular files' sizes under `root` in one layer, and their count.
fn bytes_under(layer: &RawLayer, root: &str, filter: impl Fn(&str) -> bool) -> (u64, u64) {
    let prefix = format!("{}/", root.trim_end_matches('/'));
    layer
        .entries
        .iter()
        .filter(|e| e.is_file && e.path.starts_with(&prefix) && filter(&e.path))
        .fold((0, 0), |(b, n), e| (b + e.size, n + 1))
}

// --- tools ---------------------------------------------------------------------------------

/// dive 0.13 from the tools venv (scripts/install-tools.sh).
fn dive() -> PathBuf {
    let tools = std::env::var_os("DOCKOPT_TOOLS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/dockopt/tools")
        });
    let dive = tools.join("bin/dive");
    assert!(
        dive.exists(),
        "dive not found at {}: run scripts/install-tools.sh",
        dive.display()
    );
    let version = Command::new(&dive).arg("--version").output().unwrap();
    let version = String::from_utf8_lossy(&version.stdout);
    assert!(version.contains("0.13."), "need dive 0.13, found {version}");
    dive
}

/// dive's JSON report of a docker-archive.
/// The number after the first `"key":` that follows `after` in a JSON text, parsed by the
/// standard library, which rounds correctly (serde_json's default float parsing may be one
/// unit in the last place off, too coarse for an exact comparison).
fn exact_f64(json: &str, after: &str, key: &str) -> Option<f64> {
    let start = json.find(after)?;
    let rest = json.get(start..)?;
    let at = rest.find(&format!("\"{key}\""))?;
    let value = rest
        .get(at + key.len() + 2..)?
        .trim_start()
        .strip_prefix(':')?;
    let value = value.trim_start();
    let end = value
        .find(|c: char| !(c.is_ascii_digit() || "+-.eE".contains(c)))
        .unwrap_or(value.len());
    value.get(..end)?.parse().ok()
}

/// dive's JSON report of a docker-archive, as text.
fn dive_json(dive: &Path, docker_tar: &Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let json = out.path().join("dive.json");
    // An empty working directory so no .dive-ci is picked up; thresholds that always pass.
    let run = Command::new(dive)
        .current_dir(out.path())
        .env("CI", "true")
        .args(["--ci", "--source", "docker-archive", "--json"])
        .arg(&json)
        .args(["--lowestEfficiency", "0", "--highestUserWastedPercent", "1"])
        .arg(docker_tar)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "dive failed on {}: {}",
        docker_tar.display(),
        String::from_utf8_lossy(&run.stdout)
    );
    std::fs::read_to_string(&json).unwrap()
}

/// The dockopt binary of this workspace, built once with the profile these tests run under
/// (so it is never stale).
fn dockopt_bin() -> PathBuf {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(bin) = std::env::var_os("DOCKOPT_BIN") {
            return PathBuf::from(bin);
        }
        // This test runs from <target>/<profile>/deps/.
        let exe = std::env::current_exe().unwrap();
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>");
        let profile = profile_dir
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        let profile = if profile == "debug" {
            "dev".to_string()
        } else {
            profile
        };
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "dockopt", "--profile", &profile])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "cargo build -p dockopt failed");
        let bin = profile_dir.join("dockopt");
        assert!(bin.exists(), "{} missing after cargo build", bin.display());
        bin
    })
    .clone()
}

// --- dive ----------------------------------------------------------------------------------

#[test]
fn dive_compat_equals_dive_on_every_image() {
    let Some(dir) = images_dir() else { return };
    let dive = dive();
    let bin = dockopt_bin();
    let mut mismatches = Vec::new();
    for name in IMAGES {
        let tar = image_path(&dir, name, "docker.tar");
        let text = dive_json(&dive, &tar);
        let theirs: serde_json::Value = serde_json::from_str(&text).unwrap();
        let efficiency = exact_f64(&text, "\"image\"", "efficiencyScore").unwrap();
        let wasted = theirs["image"]["inefficientBytes"].as_u64().unwrap();

        let lib = &report(&dir, name, "docker.tar").dive_compat;
        if lib.efficiency != efficiency || lib.wasted_bytes != wasted {
            mismatches.push(format!(
                "{name} (library): efficiency {} vs dive {efficiency}, wasted {} vs dive {wasted}",
                lib.efficiency, lib.wasted_bytes
            ));
        }

        let out = Command::new(&bin)
            .args(["image", "inspect", "--format", "json"])
            .arg(&tar)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "dockopt image inspect {} failed: {}",
            tar.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8(out.stdout).unwrap();
        let ours: serde_json::Value = serde_json::from_str(&text).unwrap();
        let cli_eff = exact_f64(&text, "\"dive_compat\"", "efficiency");
        let cli_wasted = ours["dive_compat"]["wasted_bytes"].as_u64();
        if cli_eff != Some(efficiency) || cli_wasted != Some(wasted) {
            mismatches.push(format!(
                "{name} (CLI JSON): efficiency {cli_eff:?} vs dive {efficiency}, \
                 wasted {cli_wasted:?} vs dive {wasted}"
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

// --- every format, same answers ------------------------------------------------------------

/// What must not depend on how the image is stored.
#[derive(Debug, PartialEq)]
struct FormatIndependent {
    diff_ids: Vec<String>,
    uncompressed_sizes: Vec<u64>,
    created_by: Vec<Option<String>>,
    entries: Vec<u64>,
    layer_removable: Vec<u64>,
    files: Vec<(String, u64, Option<usize>)>,
    visible_files: u64,
    visible_bytes: u64,
    uncompressed_size: u64,
    removable_bytes: u64,
    duplicate_bytes: u64,
    dive: (u64, u64),
    leftovers: Vec<(String, String, u64, u64, usize)>,
    packages: Vec<Package>,
}

fn format_independent(r: &Report) -> FormatIndependent {
    FormatIndependent {
        diff_ids: r.layers.iter().map(|l| l.diff_id.clone()).collect(),
        uncompressed_sizes: r.layers.iter().map(|l| l.uncompressed_size).collect(),
        created_by: r.layers.iter().map(|l| l.created_by.clone()).collect(),
        entries: r.layers.iter().map(|l| l.entries).collect(),
        layer_removable: r.layers.iter().map(|l| l.removable_bytes).collect(),
        files: {
            let mut f: Vec<_> = r
                .largest_files
                .iter()
                .map(|f| (f.path.clone(), f.bytes, f.layer_index))
                .collect();
            f.sort();
            f
        },
        visible_files: r.image.visible_files,
        visible_bytes: r.image.visible_bytes,
        uncompressed_size: r.image.uncompressed_size,
        removable_bytes: r.removable_bytes,
        duplicate_bytes: r.duplicate_bytes,
        dive: (r.dive_compat.wasted_bytes, r.dive_compat.size_bytes),
        leftovers: {
            let mut l: Vec<_> = r
                .leftovers
                .iter()
                .map(|l| {
                    (
                        l.kind.clone(),
                        l.path.clone(),
                        l.bytes,
                        l.files,
                        l.layer_index,
                    )
                })
                .collect();
            l.sort();
            l
        },
        packages: r.packages.clone(),
    }
}

#[test]
fn every_format_gives_the_same_layers_files_and_removable_bytes() {
    let Some(dir) = images_dir() else { return };
    for name in IMAGES {
        let reference = report(&dir, name, "docker.tar");
        let expected = format_independent(&reference);
        for format in FORMATS {
            let r = report(&dir, name, format);
            let got = format_independent(&r);
            assert_eq!(got, expected, "{name}: {format} differs from docker.tar");
        }
        // Compressed sizes do differ: zstd and gzip blobs are not the uncompressed tars.
        let gz = report(&dir, name, "oci-gzip");
        let zst = report(&dir, name, "oci-zstd");
        assert!(
            gz.image.size < reference.image.size,
            "{name}: gzip not smaller than tar"
        );
        assert!(
            zst.image.size < reference.image.size,
            "{name}: zstd not smaller than tar"
        );
        assert_eq!(
            reference.image.size, reference.image.uncompressed_size,
            "{name}"
        );
    }
}

#[test]
fn layers_match_the_docker_archive_read_independently() {
    let Some(dir) = images_dir() else { return };
    for name in IMAGES {
        let tar = image_path(&dir, name, "docker.tar");
        let raw = raw_layers(&tar);
        let r = report(&dir, name, "oci-gzip");
        assert_eq!(r.layers.len(), raw.len(), "{name}: layer count");
        for (l, raw) in r.layers.iter().zip(&raw) {
            // skopeo names each layer of a docker-archive after its DiffID.
            let hex = raw.file.trim_end_matches(".tar");
            assert_eq!(
                l.diff_id,
                format!("sha256:{hex}"),
                "{name} layer {}",
                l.index
            );
            assert_eq!(l.uncompressed_size, raw.size, "{name} layer {}", l.index);
            assert_eq!(
                l.entries,
                raw.entries.len() as u64,
                "{name} layer {}",
                l.index
            );
            assert!(
                l.digest.starts_with("sha256:") && l.digest != l.diff_id,
                "{name}"
            );
        }
        if name == "packages-scratch" {
            continue; // built from scratch: no base layer
        }
        assert!(
            r.layers[0]
                .created_by
                .as_deref()
                .is_some_and(|c| c.contains("debootstrap")),
            "{name}: the base layer's instruction comes from the history: {:?}",
            r.layers[0].created_by
        );
    }
}

// --- wasted bytes --------------------------------------------------------------------------

fn file<'a>(r: &'a Report, path: &str) -> Option<&'a dockopt_image::report::SizedPath> {
    r.largest_files.iter().find(|f| f.path == path)
}

#[test]
fn deleted_and_overwritten_files_are_removable() {
    let Some(dir) = images_dir() else { return };
    let r = report(&dir, "deleted-later", "oci-gzip");
    const DELETED: u64 = 6 << 20;
    const OVERWRITTEN_FIRST: u64 = 2 << 20;
    const OVERWRITTEN_LAST: u64 = 1 << 20;
    assert_eq!(r.layers.len(), 4, "base + three RUN layers");
    assert_eq!(r.layers[1].removable_bytes, DELETED + OVERWRITTEN_FIRST);
    assert_eq!(r.layers[2].removable_bytes, 0);
    assert_eq!(r.layers[3].removable_bytes, 0);
    assert_eq!(
        r.removable_bytes,
        DELETED + OVERWRITTEN_FIRST,
        "nothing else is hidden"
    );
    assert_eq!(r.layers[2].files_deleted, 1, "rm /opt/data/deleted.bin");
    assert_eq!(
        r.layers[3].files_changed, 1,
        "overwritten.bin written again"
    );
    assert!(file(&r, "/opt/data/deleted.bin").is_none());
    let over = file(&r, "/opt/data/overwritten.bin").expect("overwritten.bin visible");
    assert_eq!((over.bytes, over.layer_index), (OVERWRITTEN_LAST, Some(3)));
    let kept = file(&r, "/opt/data/kept.txt").expect("kept.txt visible");
    assert_eq!((kept.bytes, kept.layer_index), (5, Some(1)));
}

#[test]
fn chown_r_stores_the_tree_twice_and_the_duplicates_say_so() {
    let Some(dir) = images_dir() else { return };
    let r = report(&dir, "chown-duplicate", "oci-zstd");
    let raw = raw_layers(&image_path(&dir, "chown-duplicate", "docker.tar"));
    let tree: BTreeMap<&str, u64> = raw[1]
        .entries
        .iter()
        .filter(|e| e.is_file)
        .map(|e| (e.path.as_str(), e.size))
        .collect();
    assert_eq!(tree.len(), 5, "COPY tree: {tree:?}");
    let tree_bytes: u64 = tree.values().sum();
    assert!(tree_bytes > 1 << 20);

    // Every file of the tree is one duplicate group with copies in layers 1 and 2.
    for (path, size) in &tree {
        let group = r
            .duplicates
            .iter()
            .find(|g| g.copies.iter().any(|c| c.path == *path))
            .unwrap_or_else(|| panic!("{path} not in the duplicates"));
        assert_eq!(group.size, *size, "{path}");
        assert_eq!(group.count, 2, "{path}");
        assert_eq!(group.wasted_bytes, *size, "{path}");
        let layers: BTreeSet<usize> = group.copies.iter().map(|c| c.layer_index).collect();
        assert_eq!(layers, BTreeSet::from([1, 2]), "{path}");
    }
    assert!(r.duplicate_bytes >= tree_bytes);
    let blob = &r.duplicates[0];
    assert_eq!(
        (blob.size, blob.copies[0].path.as_str()),
        (1 << 20, "/srv/app/lib/blob.bin"),
        "the largest waste comes first"
    );
    // The COPY layer's files are all hidden by the chown layer's copies.
    assert_eq!(r.layers[1].removable_bytes, tree_bytes);
    assert_eq!(r.layers[2].files_changed, tree.len() as u64);
}

#[test]
fn opaque_whiteout_hides_the_lower_directory() {
    let Some(dir) = images_dir() else { return };
    let raw = raw_layers(&image_path(&dir, "opaque-whiteout", "docker.tar"));
    assert!(
        raw[2]
            .entries
            .iter()
            .any(|e| e.path == "/etc/app/.wh..wh..opq"),
        "the layer holds the opaque marker"
    );
    let r = report(&dir, "opaque-whiteout", "oci.tar");
    for hidden in [
        "/etc/app/old-a.conf",
        "/etc/app/conf.d/old-b.conf",
        "/etc/app/old-blob.bin",
    ] {
        assert!(
            file(&r, hidden).is_none(),
            "{hidden} is hidden by the opaque whiteout"
        );
    }
    let new = file(&r, "/etc/app/new.conf").expect("new.conf visible");
    assert_eq!((new.bytes, new.layer_index), (4, Some(2)));
    let lower: u64 = bytes_under(&raw[1], "/etc/app", |_| true).0;
    assert_eq!(lower, 524_288 + 6 + 6);
    assert_eq!(r.layers[1].removable_bytes, lower);
    assert_eq!(r.removable_bytes, lower);
    assert!(
        r.largest_directories
            .iter()
            .any(|d| d.path == "/etc/app" && d.bytes == 4),
        "/etc/app holds only new.conf: {:?}",
        r.largest_directories.iter().find(|d| d.path == "/etc/app")
    );
}

// --- leftovers -----------------------------------------------------------------------------

/// The leftover of `kind` at `root`, checked against the layer that wrote it: same layer,
/// the instruction containing `instruction`, and exactly that layer's bytes and files under
/// the root.
fn assert_leftover(
    dir: &Path,
    image: &str,
    kind: &str,
    root: &str,
    instruction: &str,
    filter: impl Fn(&str) -> bool,
) -> Leftover {
    let r = report(dir, image, "oci-gzip");
    let raw = raw_layers(&image_path(dir, image, "docker.tar"));
    let found: Vec<&Leftover> = r.leftovers.iter().filter(|l| l.kind == kind).collect();
    let l = found
        .iter()
        .find(|l| l.path == root)
        .unwrap_or_else(|| panic!("{image}: no {kind} at {root}; {kind} found: {found:?}"));
    let created_by = l.created_by.as_deref().unwrap_or("");
    assert!(
        created_by.contains(instruction),
        "{image}: {kind} written by {created_by:?}, expected an instruction with {instruction:?}"
    );
    let (bytes, files) = bytes_under(&raw[l.layer_index], root, filter);
    assert!(
        files > 0,
        "{image}: no files under {root} in layer {}",
        l.layer_index
    );
    assert_eq!(
        (l.bytes, l.files),
        (bytes, files),
        "{image}: {kind} at {root}"
    );
    (*l).clone()
}

fn kinds(dir: &Path, image: &str) -> BTreeSet<String> {
    report(dir, image, "oci-gzip")
        .leftovers
        .iter()
        .map(|l| l.kind.clone())
        .collect()
}

#[test]
fn leftover_pip_cache() {
    let Some(dir) = images_dir() else { return };
    let l = assert_leftover(
        &dir,
        "leftover-kinds",
        "pip-cache",
        "/root/.cache/pip",
        "pip install",
        |_| true,
    );
    assert!(l.bytes > 1000, "the wheel pip built and cached");
}

#[test]
fn leftover_npm_cache() {
    let Some(dir) = images_dir() else { return };
    assert_leftover(
        &dir,
        "leftover-kinds",
        "npm-cache",
        "/root/.npm/_cacache",
        "_cacache",
        |_| true,
    );
}

#[test]
fn leftover_go_build_and_module_caches() {
    let Some(dir) = images_dir() else { return };
    assert_leftover(
        &dir,
        "leftover-kinds",
        "go-build-cache",
        "/root/.cache/go-build",
        "go-build",
        |_| true,
    );
    assert_leftover(
        &dir,
        "leftover-kinds",
        "go-module-cache",
        "/root/go/pkg/mod",
        "go-build",
        |_| true,
    );
}

#[test]
fn leftover_cargo_registry() {
    let Some(dir) = images_dir() else { return };
    assert_leftover(
        &dir,
        "leftover-kinds",
        "cargo-registry",
        "/root/.cargo/registry",
        ".cargo/registry",
        |_| true,
    );
}

#[test]
fn leftover_uv_cache() {
    let Some(dir) = images_dir() else { return };
    assert_leftover(
        &dir,
        "leftover-kinds",
        "uv-cache",
        "/root/.cache/uv",
        ".cache/uv",
        |_| true,
    );
}

#[test]
fn leftover_poetry_cache() {
    let Some(dir) = images_dir() else { return };
    let r = report(&dir, "leftover-kinds", "oci-gzip");
    let poetry: Vec<&Leftover> = r
        .leftovers
        .iter()
        .filter(|l| l.kind == "poetry-cache")
        .collect();
    assert!(!poetry.is_empty(), "no poetry-cache in {:?}", r.leftovers);
    for l in &poetry {
        assert_leftover(
            &dir,
            "leftover-kinds",
            "poetry-cache",
            &l.path,
            "pypoetry",
            |_| true,
        );
    }
    let total: u64 = poetry.iter().map(|l| l.bytes).sum();
    assert_eq!(
        total,
        153_600 + 3,
        "the wheel artifact and the repository cache entry"
    );
}

#[test]
fn leftover_yarn_cache() {
    let Some(dir) = images_dir() else { return };
    assert_leftover(
        &dir,
        "leftover-kinds",
        "yarn-cache",
        "/usr/local/share/.cache/yarn",
        "yarn",
        |_| true,
    );
}

#[test]
fn leftover_pnpm_store() {
    let Some(dir) = images_dir() else { return };
    assert_leftover(
        &dir,
        "leftover-kinds",
        "pnpm-store",
        "/root/.local/share/pnpm/store",
        "pnpm",
        |_| true,
    );
}

#[test]
fn leftover_apk_cache() {
    let Some(dir) = images_dir() else { return };
    assert_leftover(
        &dir,
        "leftover-kinds",
        "apk-cache",
        "/var/cache/apk",
        "/var/cache/apk",
        |_| true,
    );
}

#[test]
fn leftover_dnf_cache() {
    let Some(dir) = images_dir() else { return };
    let r = report(&dir, "leftover-kinds", "oci-gzip");
    let dnf: Vec<&Leftover> = r
        .leftovers
        .iter()
        .filter(|l| l.kind == "dnf-cache")
        .collect();
    assert!(!dnf.is_empty(), "no dnf-cache in {:?}", r.leftovers);
    for l in &dnf {
        assert!(l.path.starts_with("/var/cache/dnf"), "{l:?}");
        assert_leftover(
            &dir,
            "leftover-kinds",
            "dnf-cache",
            &l.path,
            "/var/cache/dnf",
            |_| true,
        );
    }
    assert_eq!(dnf.iter().map(|l| l.bytes).sum::<u64>(), 204_800 + 102_400);
}

#[test]
fn leftover_git_dir() {
    let Some(dir) = images_dir() else { return };
    let l = assert_leftover(
        &dir,
        "leftover-kinds",
        "git-dir",
        "/srv/project/.git",
        "git init",
        |_| true,
    );
    assert!(
        l.files >= 6,
        "objects of two commits, HEAD, config, index: {l:?}"
    );
}

#[test]
fn leftover_temp_files() {
    let Some(dir) = images_dir() else { return };
    let r = report(&dir, "leftover-kinds", "oci-gzip");
    let tmp: u64 = r
        .leftovers
        .iter()
        .filter(|l| l.kind == "temp-files")
        .map(|l| l.bytes)
        .sum();
    assert_eq!(
        tmp,
        524_288 + 8,
        "objects.o and scratch.txt in /tmp: {:?}",
        r.leftovers
    );
}

#[test]
fn leftover_apt_lists_and_archives() {
    let Some(dir) = images_dir() else { return };
    let lists = assert_leftover(
        &dir,
        "apt-leftovers",
        "apt-lists",
        "/var/lib/apt/lists",
        "apt-get update",
        |p| !p.ends_with("/lock"),
    );
    assert!(
        lists.bytes > 1_000_000,
        "bookworm's package lists: {lists:?}"
    );
    let debs = assert_leftover(
        &dir,
        "apt-leftovers",
        "apt-archives",
        "/var/cache/apt/archives",
        "apt-get install",
        |p| p.ends_with(".deb"),
    );
    assert!(debs.files >= 3, "jq, libjq1 and libonig5: {debs:?}");
    assert!(
        kinds(&dir, "apt-leftovers").contains("apt-pkgcache"),
        "/var/cache/apt/*.bin"
    );
    // Images that clean up after apt have none of these.
    for clean in ["leftover-kinds", "packages", "multi-stage"] {
        let k = kinds(&dir, clean);
        for apt in ["apt-lists", "apt-archives", "apt-pkgcache"] {
            assert!(!k.contains(apt), "{clean} cleaned apt but has {apt}: {k:?}");
        }
    }
}

#[test]
fn leftover_toolchain_only_in_the_builder_stage() {
    let Some(dir) = images_dir() else { return };
    let k = kinds(&dir, "toolchain-left");
    assert!(k.contains("toolchain"), "gcc in the builder image: {k:?}");
    assert!(
        k.contains("headers"),
        "libc6-dev headers in the builder image: {k:?}"
    );
    assert_leftover(
        &dir,
        "toolchain-left",
        "headers",
        "/usr/include",
        "apt-get install",
        |_| true,
    );
    let final_kinds = kinds(&dir, "multi-stage");
    assert!(
        !final_kinds.contains("toolchain") && !final_kinds.contains("headers"),
        "the final stage copies only the binary (/usr/bin/ld.so is the dynamic loader, not a \
         linker): {:?}",
        report(&dir, "multi-stage", "oci-gzip")
            .leftovers
            .iter()
            .filter(|l| l.kind == "toolchain" || l.kind == "headers")
            .collect::<Vec<_>>()
    );
    let r = report(&dir, "multi-stage", "oci-gzip");
    let hello = file(&r, "/usr/local/bin/hello").expect("the compiled program");
    assert_eq!(hello.layer_index, Some(1));
}

// --- packages ------------------------------------------------------------------------------

fn packages(dir: &Path, image: &str, manager: Manager) -> BTreeMap<String, String> {
    report(dir, image, "oci-gzip")
        .packages
        .iter()
        .filter(|p| p.manager == manager)
        .map(|p| (p.name.clone(), p.version.clone()))
        .collect()
}

#[test]
fn packages_dpkg_match_dpkg_query() {
    let Some(dir) = images_dir() else { return };
    // dpkg-query reads the same status file: the last layer that wrote it.
    let raw = raw_layers(&image_path(&dir, "packages", "docker.tar"));
    let writer = raw
        .iter()
        .rposition(|l| l.entries.iter().any(|e| e.path == "/var/lib/dpkg/status"))
        .expect("a layer writes /var/lib/dpkg/status");
    let admin = tempfile::tempdir().unwrap();
    let docker_tar = image_path(&dir, "packages", "docker.tar");
    let mut archive = tar::Archive::new(BufReader::new(File::open(&docker_tar).unwrap()));
    for entry in archive.entries().unwrap() {
        let entry = entry.unwrap();
        if entry.path().unwrap().to_string_lossy() != raw[writer].file {
            continue;
        }
        let mut layer = tar::Archive::new(entry);
        for e in layer.entries().unwrap() {
            let mut e = e.unwrap();
            let path = e.path().unwrap().to_string_lossy().into_owned();
            if path.trim_start_matches("./") == "var/lib/dpkg/status" {
                e.unpack(admin.path().join("status")).unwrap();
            }
        }
    }
    std::fs::create_dir_all(admin.path().join("updates")).unwrap();
    std::fs::create_dir_all(admin.path().join("info")).unwrap();
    let out = Command::new("dpkg-query")
        .arg(format!("--admindir={}", admin.path().display()))
        .args(["-W", "-f", "${db:Status-Abbrev}|${Package}|${Version}\n"])
        .output()
        .expect("dpkg-query (Debian's dpkg)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected: BTreeMap<String, String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("ii"))
        .filter_map(|l| {
            let mut parts = l.split('|').skip(1);
            Some((parts.next()?.to_string(), parts.next()?.to_string()))
        })
        .collect();
    assert!(
        expected.len() > 80,
        "minbase plus python3: {}",
        expected.len()
    );
    let got = packages(&dir, "packages", Manager::Dpkg);
    assert_eq!(got, expected);
    assert_eq!(got.get("python3-six").map(String::as_str), Some("1.16.0-4"));
}

#[test]
fn packages_apk() {
    let Some(dir) = images_dir() else { return };
    // The apk database sits in an image built from scratch, as /lib is a real directory there.
    let got = packages(&dir, "packages-scratch", Manager::Apk);
    let expected = BTreeMap::from([
        ("musl".to_string(), "1.2.4_git20230717-r4".to_string()),
        ("busybox".to_string(), "1.36.1-r15".to_string()),
        ("alpine-baselayout-data".to_string(), "3.6.5-r0".to_string()),
    ]);
    assert_eq!(got, expected);
}

#[test]
fn packages_rpm_from_a_real_sqlite_rpmdb() {
    let Some(dir) = images_dir() else { return };
    let expected = BTreeMap::from([
        (
            "dockopt-fixture-hello".to_string(),
            "1.2.3-4.fc40".to_string(),
        ),
        (
            "dockopt-fixture-tools".to_string(),
            "2:0.9.1-1.el9".to_string(),
        ),
    ]);
    // The same database at RHEL 9's path and at Fedora's.
    for (image, db) in [
        ("packages", "var/lib/rpm/rpmdb.sqlite"),
        ("packages-scratch", "usr/lib/sysimage/rpm/rpmdb.sqlite"),
    ] {
        assert_eq!(packages(&dir, image, Manager::Rpm), expected, "{image}");
        let r = report(&dir, image, "oci-gzip");
        for p in r.packages.iter().filter(|p| p.manager == Manager::Rpm) {
            assert_eq!(p.location.trim_start_matches('/'), db, "{image}: {p:?}");
        }
    }
}

#[test]
fn packages_python_dist_info_and_egg_info() {
    let Some(dir) = images_dir() else { return };
    let r = report(&dir, "packages", "oci-gzip");
    let python: Vec<&Package> = r
        .packages
        .iter()
        .filter(|p| p.manager == Manager::Python)
        .collect();
    let find = |name: &str| {
        python
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .unwrap_or_else(|| panic!("no python package {name} in {python:?}"))
    };
    // Debian's packages: egg-info for six, setuptools and wheel, dist-info for pip.
    for (name, version, meta) in [
        ("six", "1.16.0", "six-1.16.0.egg-info"),
        ("setuptools", "66.1.1", "setuptools-66.1.1.egg-info"),
        ("wheel", "0.38.4", "wheel-0.38.4.egg-info"),
        ("pip", "23.0.1", "pip-23.0.1.dist-info"),
    ] {
        let p = find(name);
        assert_eq!(p.version, version, "{name}");
        assert_eq!(
            p.location.trim_start_matches('/'),
            format!("usr/lib/python3/dist-packages/{meta}"),
            "{p:?}"
        );
        assert!(p.size > 0, "{p:?}");
    }
    // Installed here by pip from local sources.
    let local = find("dockopt-inventory");
    assert_eq!(local.version, "0.2.0");
    assert_eq!(
        local.location.trim_start_matches('/'),
        "usr/local/lib/python3.11/dist-packages/dockopt_inventory-0.2.0.dist-info",
        "{local:?}"
    );
}

#[test]
fn packages_npm_tree_with_nested_and_scoped_packages() {
    let Some(dir) = images_dir() else { return };
    let r = report(&dir, "packages", "oci-gzip");
    let mut got: Vec<(String, String, String)> = r
        .packages
        .iter()
        .filter(|p| p.manager == Manager::Npm)
        .map(|p| (p.name.clone(), p.version.clone(), p.location.clone()))
        .collect();
    got.sort();
    let names: Vec<(&str, &str)> = got
        .iter()
        .map(|(n, v, _)| (n.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            ("@dockopt/util", "2.1.0"),
            ("debug", "4.3.4"),
            ("left-pad", "1.3.0"),
            ("ms", "2.0.0"),
            ("ms", "2.1.2"),
        ],
        "the app's own package.json is not a dependency: {got:?}"
    );
    let nested = got
        .iter()
        .find(|(n, v, _)| n == "ms" && v == "2.1.2")
        .unwrap();
    assert_eq!(
        nested.2.trim_start_matches('/'),
        "app/node_modules/debug/node_modules/ms",
        "{nested:?}"
    );
}

#[test]
fn packages_only_where_they_are() {
    let Some(dir) = images_dir() else { return };
    // The base has dpkg only; the apk and rpm fixtures are in two images.
    let scratch: BTreeSet<Manager> = report(&dir, "packages-scratch", "oci-gzip")
        .packages
        .iter()
        .map(|p| p.manager)
        .collect();
    assert_eq!(scratch, BTreeSet::from([Manager::Apk, Manager::Rpm]));
    for image in ["deleted-later", "opaque-whiteout", "chown-duplicate"] {
        let managers: BTreeSet<Manager> = report(&dir, image, "oci-gzip")
            .packages
            .iter()
            .map(|p| p.manager)
            .collect();
        assert_eq!(managers, BTreeSet::from([Manager::Dpkg]), "{image}");
    }
    // apt-leftovers installed jq on top of the base.
    let base = packages(&dir, "deleted-later", Manager::Dpkg);
    let jq = packages(&dir, "apt-leftovers", Manager::Dpkg);
    let added: BTreeSet<&str> = jq
        .keys()
        .filter(|k| !base.contains_key(*k))
        .map(String::as_str)
        .collect();
    assert_eq!(added, BTreeSet::from(["jq", "libjq1", "libonig5"]));
}
