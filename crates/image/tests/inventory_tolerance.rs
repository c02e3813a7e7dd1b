//! Every inventory parser on arbitrary bytes and on shuffled fragments of
//! its format: never a panic, and every note names the file it is about.

use dockopt_image::inventory::{collect, Inventory, MemoryFiles};
use proptest::prelude::*;

/// The metadata paths each parser reads.
const PATHS: &[&str] = &[
    "var/lib/dpkg/status",
    "var/lib/dpkg/status.d/libssl3",
    "lib/apk/db/installed",
    "var/lib/rpm/rpmdb.sqlite",
    "usr/lib/python3/dist-packages/x-1.0.dist-info/METADATA",
    "usr/lib/python3/dist-packages/x-1.0.dist-info/RECORD",
    "usr/lib/python3/dist-packages/y-2.0.egg-info/PKG-INFO",
    "usr/lib/python3/dist-packages/y-2.0.egg-info/installed-files.txt",
    "usr/lib/python3/dist-packages/z-3.0.egg-info",
    "app/node_modules/@s/p/package.json",
];

fn run(path: &str, bytes: &[u8]) -> Inventory {
    let mut fs = MemoryFiles::new();
    fs.insert(path, bytes);
    // Something for sizes to find, so the sizing paths run too.
    fs.insert_sized("usr/lib/python3/dist-packages/x/__init__.py", 10);
    fs.insert_sized("app/node_modules/@s/p/index.js", 10);
    collect(&fs)
}

fn notes_name_the_file(inventory: &Inventory, path: &str) -> bool {
    let dir = path.rsplit_once('/').map_or(path, |(d, _)| d);
    inventory
        .notes
        .iter()
        .all(|n| n.starts_with(path) || n.starts_with(dir))
}

/// Lines drawn from the formats the parsers read, shuffled into nonsense.
fn fragments() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "Package: libc6\n",
        "Status: install ok installed\n",
        "Status: deinstall ok config-files\n",
        "Installed-Size: 13001\n",
        "Installed-Size: -5\n",
        "Installed-Size: 99999999999999999999\n",
        "Version: 2.36-9\n",
        " continuation line\n",
        "P:musl\n",
        "V:1.2.4-r4\n",
        "I:667648\n",
        "I:x\n",
        "Name: requests\n",
        "Version: 2.31.0\n",
        "x/__init__.py,sha256=abc,1234\n",
        "\"x/a,b.py\",,\n",
        "../../../../../../../../etc/passwd,,\n",
        "x-1.0.dist-info/RECORD,,\n",
        "{\"name\": \"p\", \"version\": \"1.0.0\"}",
        "{\"name\": 5}",
        "[",
        "\"",
        ":",
        "\r\n",
        "\n",
        "\u{feff}",
        "\u{0}",
        "é",
    ]);
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn arbitrary_bytes_never_panic(
        which in 0..PATHS.len(),
        bytes in prop::collection::vec(any::<u8>(), 0..1024),
    ) {
        let path = PATHS[which];
        let inventory = run(path, &bytes);
        prop_assert!(notes_name_the_file(&inventory, path), "{:?}", inventory.notes);
    }

    #[test]
    fn format_fragments_never_panic(which in 0..PATHS.len(), text in fragments()) {
        let path = PATHS[which];
        let inventory = run(path, text.as_bytes());
        prop_assert!(notes_name_the_file(&inventory, path), "{:?}", inventory.notes);
    }
}

#[test]
fn empty_filesystem_has_no_packages_and_no_notes() {
    let inventory = collect(&MemoryFiles::new());
    assert!(inventory.packages.is_empty());
    assert!(inventory.notes.is_empty());
}
