//! Each inventory on realistic fixtures: dpkg status files taken from a
//! Debian 12 system, an apk database, an rpmdb.sqlite written by rpm 4.18,
//! Python metadata installed by pip and by Debian packages, and a
//! node_modules tree installed by npm.

use std::path::{Path, PathBuf};

use dockopt_image::inventory::{collect, wants_content, FileSource, Manager, MemoryFiles, Package};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/inventory")
        .join(rel)
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(fixture(rel)).unwrap_or_else(|e| panic!("fixture {rel}: {e}"))
}

/// Loads a fixture image: every file under `NAME/root` with its bytes, plus
/// the files listed in `NAME/listing.txt` ("SIZE PATH" lines) by size only.
fn image(name: &str) -> MemoryFiles {
    let mut fs = MemoryFiles::new();
    let root = fixture(&format!("{name}/root"));
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture dir") {
            let path = entry.expect("fixture entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(&root).expect("under root");
                let rel = rel.to_str().expect("utf-8 fixture path");
                fs.insert(rel, &std::fs::read(&path).expect("fixture file"));
            }
        }
    }
    let listing = String::from_utf8(read(&format!("{name}/listing.txt"))).expect("utf-8");
    for line in listing.lines() {
        let (size, path) = line.split_once(' ').expect("SIZE PATH");
        fs.insert_sized(path, size.parse().expect("size"));
    }
    fs
}

/// Each package as (name, version, size, location), in inventory order.
fn listed(packages: &[Package]) -> Vec<(&str, &str, u64, &str)> {
    packages
        .iter()
        .map(|p| {
            (
                p.name.as_str(),
                p.version.as_str(),
                p.size,
                p.location.as_str(),
            )
        })
        .collect()
}

fn find<'a>(packages: &'a [Package], manager: Manager, name: &str) -> &'a Package {
    packages
        .iter()
        .find(|p| p.manager == manager && p.name == name)
        .unwrap_or_else(|| panic!("{manager} package {name} not found in {packages:#?}"))
}

#[test]
fn dpkg_status_lists_installed_and_held_packages_only() {
    let mut fs = MemoryFiles::new();
    fs.insert("var/lib/dpkg/status", &read("dpkg/status"));
    let inventory = collect(&fs);
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "base-files",
            "bash",
            "ca-certificates",
            "libc6",
            "tzdata",
            "zlib1g"
        ]
    );
    let libc = find(&inventory.packages, Manager::Dpkg, "libc6");
    assert_eq!(libc.version, "2.36-9+deb12u14");
    assert_eq!(libc.size, 13001 * 1024);
    assert_eq!(libc.location, "var/lib/dpkg/status");
    let zlib = find(&inventory.packages, Manager::Dpkg, "zlib1g");
    assert_eq!(zlib.version, "1:1.2.13.dfsg-1");
    assert_eq!(
        find(&inventory.packages, Manager::Dpkg, "bash").size,
        7164 * 1024
    );
    assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
}

#[test]
fn dpkg_status_d_reads_one_file_per_package_and_skips_md5sums() {
    let mut fs = MemoryFiles::new();
    for name in ["base-files", "libc6", "libc6.md5sums", "tzdata"] {
        fs.insert(
            &format!("var/lib/dpkg/status.d/{name}"),
            &read(&format!("dpkg/status.d/{name}")),
        );
    }
    assert!(!wants_content("var/lib/dpkg/status.d/libc6.md5sums"));
    let inventory = collect(&fs);
    let found: Vec<(&str, &str, u64)> = inventory
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.location.as_str(), p.size))
        .collect();
    assert_eq!(
        found,
        [
            ("base-files", "var/lib/dpkg/status.d/base-files", 341 * 1024),
            ("libc6", "var/lib/dpkg/status.d/libc6", 13001 * 1024),
            ("tzdata", "var/lib/dpkg/status.d/tzdata", 2565 * 1024),
        ]
    );
    assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
}

#[test]
fn dpkg_notes_bad_sizes_and_nameless_entries_with_line_numbers() {
    let mut fs = MemoryFiles::new();
    fs.insert(
        "var/lib/dpkg/status",
        b"Package: a\nStatus: install ok installed\nInstalled-Size: lots\nVersion: 1\n\n\
          Status: install ok installed\nVersion: 2\n\n\
          Package: c\nStatus: install ok installed\nVersion: 3\n",
    );
    let inventory = collect(&fs);
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["a", "c"]);
    assert_eq!(
        inventory.notes,
        [
            "var/lib/dpkg/status:1: dpkg package a: Installed-Size \"lots\" is not a size in KiB",
            "var/lib/dpkg/status:6: dpkg entry without a Package field",
            "var/lib/dpkg/status:9: dpkg package c has no Installed-Size field; size unknown",
        ]
    );
}

#[test]
fn apk_installed_database() {
    let mut fs = MemoryFiles::new();
    fs.insert("lib/apk/db/installed", &read("apk/installed"));
    let inventory = collect(&fs);
    let found: Vec<(&str, &str, u64)> = inventory
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.version.as_str(), p.size))
        .collect();
    assert_eq!(
        found,
        [
            ("busybox", "1.36.1-r15", 946176),
            ("ca-certificates-bundle", "20240226-r0", 233472),
            ("musl", "1.2.4_git20230717-r4", 667648),
        ]
    );
    assert!(inventory.packages.iter().all(|p| p.manager == Manager::Apk));
    assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
}

#[test]
fn apk_notes_entries_without_a_name() {
    let mut fs = MemoryFiles::new();
    fs.insert(
        "lib/apk/db/installed",
        b"V:1.0\nI:10\n\nP:ok\nV:2\nI:x\n\nP:unsized\nV:3\n",
    );
    let inventory = collect(&fs);
    let found: Vec<(&str, u64)> = inventory
        .packages
        .iter()
        .map(|p| (p.name.as_str(), p.size))
        .collect();
    assert_eq!(found, [("ok", 0), ("unsized", 0)]);
    assert_eq!(
        inventory.notes,
        [
            "lib/apk/db/installed:1: apk entry without a P: (name) field",
            "lib/apk/db/installed:4: apk package ok: I: \"x\" is not a size in bytes",
            "lib/apk/db/installed:8: apk package unsized has no I: field; size unknown",
        ]
    );
}

#[test]
fn rpm_sqlite_database_written_by_rpm() {
    for location in [
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
    ] {
        let mut fs = MemoryFiles::new();
        fs.insert(location, &read("rpm/rpmdb.sqlite"));
        let inventory = collect(&fs);
        let found = listed(&inventory.packages);
        assert_eq!(
            found,
            [
                ("hello-dockopt", "2:1.2.3-4.el9", 5006, location),
                ("tiny-tool", "0.9-1", 12345, location),
            ]
        );
        assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
    }
}

#[test]
fn rpm_pending_write_ahead_log_is_a_note() {
    let mut fs = MemoryFiles::new();
    fs.insert("var/lib/rpm/rpmdb.sqlite", &read("rpm/rpmdb.sqlite"));
    fs.insert_sized("var/lib/rpm/rpmdb.sqlite-shm", 32768);
    fs.insert_sized("var/lib/rpm/rpmdb.sqlite-wal", 0);
    assert!(collect(&fs).notes.is_empty());
    fs.insert_sized("var/lib/rpm/rpmdb.sqlite-wal", 8272);
    let inventory = collect(&fs);
    assert_eq!(inventory.packages.len(), 2);
    assert_eq!(
        inventory.notes,
        ["var/lib/rpm/rpmdb.sqlite-wal: uncheckpointed rpm database changes are not read; packages may be missing"]
    );
}

#[test]
fn rpm_two_databases_read_once() {
    let mut fs = MemoryFiles::new();
    fs.insert("var/lib/rpm/rpmdb.sqlite", &read("rpm/rpmdb.sqlite"));
    fs.insert(
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        &read("rpm/rpmdb.sqlite"),
    );
    let inventory = collect(&fs);
    assert_eq!(inventory.packages.len(), 2);
    assert_eq!(
        inventory.notes,
        ["var/lib/rpm/rpmdb.sqlite: second rpm database ignored; packages were read from usr/lib/sysimage/rpm/rpmdb.sqlite"]
    );
}

#[test]
fn rpm_berkeley_db_is_reported_unsupported() {
    let mut fs = MemoryFiles::new();
    fs.insert_sized("var/lib/rpm/Packages", 12 * 1024 * 1024);
    fs.insert_sized("var/lib/rpm/Name", 8192);
    let inventory = collect(&fs);
    assert!(inventory.packages.is_empty());
    assert_eq!(
        inventory.notes,
        ["var/lib/rpm/Packages: Berkeley DB rpm database is not supported; rpm packages not listed"]
    );
}

#[test]
fn rpm_garbage_database_is_a_note() {
    let mut fs = MemoryFiles::new();
    fs.insert("var/lib/rpm/rpmdb.sqlite", &[7u8; 4096]);
    let inventory = collect(&fs);
    assert!(inventory.packages.is_empty());
    assert_eq!(inventory.notes.len(), 1);
    assert!(
        inventory.notes[0].starts_with("var/lib/rpm/rpmdb.sqlite: rpm database not readable:"),
        "{:?}",
        inventory.notes
    );
}

#[test]
fn python_dist_info_and_egg_info() {
    let inventory = collect(&image("python"));
    let found = listed(&inventory.packages);
    assert_eq!(
        found,
        [
            (
                "PyJWT",
                "2.6.0",
                // its egg-info (3,640 bytes) and jwt/ (147,962 bytes)
                151_602,
                "usr/lib/python3/dist-packages/PyJWT-2.6.0.egg-info"
            ),
            (
                "PyYAML",
                "6.0",
                // RECORD's size column plus RECORD itself
                1_380_338,
                "usr/lib/python3/dist-packages/PyYAML-6.0.dist-info"
            ),
            (
                "distro-info",
                "1.5",
                // the egg-info file and distro_info.py
                222 + 11_843,
                "usr/lib/python3/dist-packages/distro_info-1.5.egg-info"
            ),
            (
                "six",
                "1.16.0",
                // RECORD's sizes (37,528) and RECORD's own 611 bytes
                38_139,
                "usr/local/lib/python3.11/site-packages/six-1.16.0.dist-info"
            ),
        ]
    );
    assert_eq!(
        inventory.notes,
        ["usr/lib/python3/dist-packages/distro_info-1.5.egg-info: Python package distro-info lists no files; size estimated from its import name"]
    );
}

#[test]
fn python_dist_info_without_record_is_sized_from_top_level() {
    let site = "opt/venv/lib/python3.12/site-packages";
    let metadata = b"Metadata-Version: 2.1\nName: attrs\nVersion: 23.2.0\n\nLong description\nName: not-this\n";
    let mut fs = MemoryFiles::new();
    fs.insert(&format!("{site}/attrs-23.2.0.dist-info/METADATA"), metadata);
    fs.insert(
        &format!("{site}/attrs-23.2.0.dist-info/top_level.txt"),
        b"attr\nattrs\n",
    );
    fs.insert_sized(&format!("{site}/attr/__init__.py"), 3000);
    fs.insert_sized(&format!("{site}/attr/_make.py"), 100_000);
    fs.insert_sized(&format!("{site}/attrs/__init__.py"), 1000);
    fs.insert_sized(&format!("{site}/attrs_other/__init__.py"), 5);
    let inventory = collect(&fs);
    let attrs = find(&inventory.packages, Manager::Python, "attrs");
    assert_eq!(attrs.version, "23.2.0");
    // METADATA + top_level.txt (11 bytes) + attr/ + attrs/, not attrs_other/
    assert_eq!(attrs.size, metadata.len() as u64 + 11 + 103_000 + 1000);
    assert_eq!(
        inventory.notes,
        [format!("{site}/attrs-23.2.0.dist-info: Python package attrs has no RECORD; size estimated from its top-level names")]
    );
}

#[test]
fn python_record_rows_without_size_are_sized_from_the_filesystem() {
    let site = "usr/local/lib/python3.12/site-packages";
    let mut fs = MemoryFiles::new();
    fs.insert(
        &format!("{site}/black-24.1.0.dist-info/METADATA"),
        b"Name: black\nVersion: 24.1.0\n",
    );
    fs.insert(
        &format!("{site}/black-24.1.0.dist-info/RECORD"),
        b"../../../bin/black,sha256=abc,220\n\
          black/__init__.py,sha256=def,\n\
          \"black/odd,name.py\",sha256=ghi,17\n\
          black/__pycache__/__init__.cpython-312.pyc,,\n\
          ../../../bin/blackd,,\n\
          black/gone.py,,\n",
    );
    // Outside the site directory, and without a size in RECORD.
    fs.insert_sized("usr/local/bin/blackd", 333);
    fs.insert_sized(&format!("{site}/black/__init__.py"), 4000);
    fs.insert_sized(
        &format!("{site}/black/__pycache__/__init__.cpython-312.pyc"),
        900,
    );
    let inventory = collect(&fs);
    let black = find(&inventory.packages, Manager::Python, "black");
    // sizes from RECORD (220, 17), from the filesystem (4000, 900, and 333
    // for the script outside the site directory); the deleted gone.py counts
    // nothing
    assert_eq!(black.size, 220 + 4000 + 17 + 900 + 333);
    assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
}

#[test]
fn npm_packages_nested_and_scoped() {
    let inventory = collect(&image("npm"));
    let found = listed(&inventory.packages);
    assert_eq!(
        found,
        [
            (
                "@types/ms",
                "0.7.34",
                1141 + 926 + 366 + 769,
                "app/node_modules/@types/ms"
            ),
            (
                "debug",
                "2.6.9",
                // its own files, without node_modules/ms
                46 + 180
                    + 72
                    + 140
                    + 11707
                    + 1107
                    + 1059
                    + 17918
                    + 321
                    + 1736
                    + 40
                    + 1138
                    + 4734
                    + 4394
                    + 263
                    + 373
                    + 6015,
                "app/node_modules/debug"
            ),
            (
                "ms",
                "2.0.0",
                2764 + 1077 + 704 + 1721,
                "app/node_modules/debug/node_modules/ms"
            ),
            (
                "ms",
                "2.1.3",
                3024 + 1079 + 732 + 1886,
                "app/node_modules/ms"
            ),
        ]
    );
    assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
}

#[test]
fn npm_bad_manifests_are_notes() {
    let mut fs = MemoryFiles::new();
    fs.insert(
        "node_modules/broken/package.json",
        b"{\"name\": \"broken\",\n  \"version\": }",
    );
    fs.insert(
        "node_modules/@scope/nameless/package.json",
        b"{\"version\": \"1.0.0\"}",
    );
    fs.insert("node_modules/array/package.json", b"[1, 2]");
    let inventory = collect(&fs);
    let names: Vec<&str> = inventory.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["@scope/nameless"]);
    assert_eq!(inventory.notes.len(), 3, "{:?}", inventory.notes);
    assert!(inventory
        .notes
        .iter()
        .any(|n| n.starts_with("node_modules/broken/package.json:2:14: invalid package.json")));
    assert!(inventory.notes.contains(
        &"node_modules/array/package.json: package.json is not a JSON object".to_string()
    ));
}

#[test]
fn wants_content_picks_only_database_and_metadata_files() {
    let wanted = [
        "var/lib/dpkg/status",
        "var/lib/dpkg/status.d/libssl3",
        "lib/apk/db/installed",
        "var/lib/rpm/rpmdb.sqlite",
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA",
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/RECORD",
        "usr/lib/python3/dist-packages/six-1.16.0.dist-info/top_level.txt",
        "usr/lib/python3/dist-packages/x-1.egg-info/PKG-INFO",
        "usr/lib/python3/dist-packages/x-1.egg-info/installed-files.txt",
        "usr/lib/python3/dist-packages/x-1.egg-info",
        "app/node_modules/ms/package.json",
        "app/node_modules/@types/ms/package.json",
        "node_modules/a/node_modules/b/package.json",
    ];
    for path in wanted {
        assert!(wants_content(path), "{path} should be wanted");
    }
    let unwanted = [
        "etc/status",
        "var/lib/dpkg/status-old",
        "var/lib/dpkg/status.d/libssl3.md5sums",
        "var/lib/dpkg/status.d/sub/x",
        "var/lib/rpm/Packages",
        "lib/apk/db/installed.bak",
        "app/six-1.16.0.dist-info/METADATA",
        "usr/lib/python3/dist-packages/six.py",
        "usr/lib/python3/dist-packages/pkg/METADATA",
        "app/package.json",
        "app/node_modules/ms/lib/package.json",
        "app/node_modules/@types/package.json",
        "app/node_modules/.pnpm/package.json",
        "package.json",
        "",
    ];
    for path in unwanted {
        assert!(!wants_content(path), "{path} should not be wanted");
    }
}

#[test]
fn whole_image_inventory_snapshot() {
    let mut fs = image("python");
    fs.insert("var/lib/dpkg/status", &read("dpkg/status"));
    fs.insert("lib/apk/db/installed", &read("apk/installed"));
    fs.insert(
        "usr/lib/sysimage/rpm/rpmdb.sqlite",
        &read("rpm/rpmdb.sqlite"),
    );
    let npm = image("npm");
    for (path, size) in npm.files_under("") {
        match npm.content(&path) {
            Some(bytes) => fs.insert(&path, bytes),
            None => fs.insert_sized(&path, size),
        }
    }
    let inventory = collect(&fs);
    let sizes = inventory.size_by_manager();
    assert_eq!(sizes.len(), 5);
    insta::assert_json_snapshot!(inventory);
}

/// A source whose listings are relative to the directory asked about.
struct DirRelative(MemoryFiles);

impl FileSource for DirRelative {
    fn content(&self, path: &str) -> Option<&[u8]> {
        self.0.content(path)
    }
    fn files_under(&self, dir: &str) -> Vec<(String, u64)> {
        let prefix = format!("{dir}/");
        self.0
            .files_under(dir)
            .into_iter()
            .map(|(p, s)| (p.strip_prefix(&prefix).unwrap_or(&p).to_string(), s))
            .collect()
    }
}

#[test]
fn status_d_and_rpm_listings_relative_to_their_directory_also_work() {
    let mut fs = MemoryFiles::new();
    fs.insert(
        "var/lib/dpkg/status.d/tzdata",
        &read("dpkg/status.d/tzdata"),
    );
    fs.insert_sized("var/lib/rpm/Packages", 4096);
    let inventory = collect(&DirRelative(fs));
    assert_eq!(inventory.packages.len(), 1);
    assert_eq!(
        inventory.packages[0].location,
        "var/lib/dpkg/status.d/tzdata"
    );
    assert_eq!(inventory.notes.len(), 1, "{:?}", inventory.notes);
}

#[test]
fn pnpm_virtual_store_packages_are_found() {
    let mut fs = MemoryFiles::new();
    let dir = "app/node_modules/.pnpm/ms@2.1.3/node_modules/ms";
    fs.insert(
        &format!("{dir}/package.json"),
        br#"{"name":"ms","version":"2.1.3"}"#,
    );
    fs.insert_sized(&format!("{dir}/index.js"), 3024);
    let inventory = collect(&fs);
    let ms = find(&inventory.packages, Manager::Npm, "ms");
    assert_eq!(
        (ms.version.as_str(), ms.size, ms.location.as_str()),
        ("2.1.3", 3024 + 31, dir)
    );
}

#[test]
fn databases_present_without_content_are_notes() {
    let mut fs = MemoryFiles::new();
    fs.insert_sized("var/lib/dpkg/status", 2_000_000);
    fs.insert_sized("usr/lib/sysimage/rpm/rpmdb.sqlite", 90 << 20);
    let inventory = collect(&fs);
    assert!(inventory.packages.is_empty());
    assert_eq!(
        inventory.notes,
        [
            "var/lib/dpkg/status: present but its content was not kept; not read",
            "usr/lib/sysimage/rpm/rpmdb.sqlite: present but its content was not kept; not read",
        ]
    );
}
