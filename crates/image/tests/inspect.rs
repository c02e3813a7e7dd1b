//! End-to-end reading of generated images: layer semantics, formats,
//! dive-compatible numbers and hostile inputs.

mod common;

use common::{Comp, E, L};
use dockopt_image::{inspect, InspectOptions, Limits, Report};

fn read(path: &std::path::Path) -> Report {
    inspect(path, &InspectOptions::default()).unwrap()
}

fn read_err(path: &std::path::Path) -> String {
    match inspect(path, &InspectOptions::default()) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e.to_string(),
    }
}

fn visible_paths(r: &Report) -> Vec<String> {
    let mut v: Vec<String> = r.largest_files.iter().map(|f| f.path.clone()).collect();
    v.sort();
    v
}

fn whiteout_image(dir_entry_in_l1: bool) -> Vec<L> {
    let l0 = common::layer_tar(&[
        E::Dir("a/"),
        E::File("a/x", &[1; 100]),
        E::File("a/y", &[2; 50]),
        E::File("b", &[3; 10]),
    ]);
    let mut l1_entries = Vec::new();
    if dir_entry_in_l1 {
        l1_entries.push(E::Dir("a/"));
    }
    l1_entries.push(E::File("a/x", &[4; 30]));
    l1_entries.push(E::File("a/.wh.y", b""));
    let l1 = common::layer_tar(&l1_entries);
    let l2 = common::layer_tar(&[E::File(".wh.a", b"")]);
    vec![
        L::new(l0, "ADD base /"),
        L::new(l1, "RUN change"),
        L::new(l2, "RUN rm -rf /a"),
    ]
}

#[test]
fn whiteouts_removable_bytes_and_history() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::oci_layout(&tmp.path().join("img"), &whiteout_image(false));
    let r = read(&dir);
    assert_eq!(r.layers.len(), 3);
    assert_eq!(r.layers[1].created_by.as_deref(), Some("RUN change"));
    assert_eq!(r.layers[2].created_by.as_deref(), Some("RUN rm -rf /a"));
    assert_eq!(visible_paths(&r), vec!["/b"]);
    assert_eq!(r.removable_bytes, 180);
    assert_eq!(r.layers[0].removable_bytes, 150);
    assert_eq!(r.layers[1].removable_bytes, 30);
    assert_eq!((r.layers[0].files_added, r.layers[0].files_changed), (3, 0));
    assert_eq!(
        (
            r.layers[1].files_added,
            r.layers[1].files_changed,
            r.layers[1].files_deleted
        ),
        (0, 1, 1)
    );
    assert_eq!(r.layers[2].files_deleted, 1);
    assert_eq!(r.image.visible_bytes, 10);
}

#[test]
fn dive_compat_counts_like_dive_with_implicit_dirs() {
    let tmp = tempfile::tempdir().unwrap();
    // Layer 1 has no entry for a/, so dive's stacked tree forgets that a/ is a
    // directory and sizes the whiteout of /a as 0.
    let dir = common::oci_layout(&tmp.path().join("img"), &whiteout_image(false));
    let d = read(&dir).dive_compat;
    assert_eq!(d.wasted_bytes, 180);
    assert_eq!(d.efficiency, 40.0 / 190.0);
    assert_eq!(d.size_bytes, 190);
    assert_eq!(d.user_size_bytes, 30);
    assert_eq!(d.wasted_user_percent, Some(6.0));
    let paths: Vec<&str> = d
        .inefficient_files
        .iter()
        .map(|f| f.path.as_str())
        .collect();
    assert_eq!(paths, vec!["/a/x", "/a/y"]);
}

#[test]
fn dive_compat_sizes_deleted_directories() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::oci_layout(&tmp.path().join("img"), &whiteout_image(true));
    let d = read(&dir).dive_compat;
    assert_eq!(d.wasted_bytes, 180);
    assert_eq!(d.efficiency, 70.0 / 220.0);
}

#[test]
fn dive_compat_gives_up_on_a_layer_at_an_unknown_whiteout() {
    let tmp = tempfile::tempdir().unwrap();
    let l0 = common::layer_tar(&[E::File("f", &[1; 10])]);
    // ".wh.ghost" sorts before "f": dive stops there and never sees f again.
    let l1 = common::layer_tar(&[E::File(".wh.ghost", b""), E::File("f", &[2; 20])]);
    let dir = common::oci_layout(&tmp.path().join("img"), &[L::new(l0, "A"), L::new(l1, "B")]);
    let d = read(&dir).dive_compat;
    // /f: min 10, cumulative 10; /ghost: min -1, cumulative 0.
    assert_eq!(d.efficiency, 9.0 / 10.0);
    assert_eq!(d.wasted_bytes, 0);
}

#[test]
fn dive_compat_does_not_depend_on_tar_order() {
    // Layers without whiteouts are visited in tar order, not by name: the
    // numbers must not change with the order the entries come in.
    let files: [(&str, &[u8]); 5] = [
        ("d/", b""),
        ("d/b", &[1; 7]),
        ("d/a", &[2; 30]),
        ("d/c/e", &[3; 11]),
        ("z", &[4; 5]),
    ];
    let entries = |reverse: bool| -> Vec<E> {
        let mut v: Vec<E> = files
            .iter()
            .map(|&(p, data)| {
                if p.ends_with('/') {
                    E::Dir(p)
                } else {
                    E::File(p, data)
                }
            })
            .collect();
        if reverse {
            v.reverse();
        }
        v
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut results = Vec::new();
    for (i, reverse) in [false, true].into_iter().enumerate() {
        let l0 = common::layer_tar(&entries(reverse));
        let l1 = common::layer_tar(&entries(!reverse));
        let l2 = common::layer_tar(&[E::File("d/.wh.b", b""), E::File("y", &[5; 3])]);
        let dir = common::oci_layout(
            &tmp.path().join(format!("img{i}")),
            &[L::new(l0, "A"), L::new(l1, "B"), L::new(l2, "C")],
        );
        results.push(read(&dir).dive_compat);
    }
    assert_eq!(results[0], results[1]);
    assert_eq!(results[0].wasted_bytes, 2 * (7 + 30 + 11 + 5));
}

#[test]
fn opaque_directories_hide_lower_children_only() {
    let tmp = tempfile::tempdir().unwrap();
    let l0 = common::layer_tar(&[
        E::Dir("d/"),
        E::File("d/old", &[1; 5]),
        E::File("e", &[1; 3]),
    ]);
    let l1 = common::layer_tar(&[
        E::Dir("d/"),
        E::File("d/new", &[2; 7]),
        E::File("d/.wh..wh..opq", b""),
    ]);
    let dir = common::oci_layout(&tmp.path().join("img"), &[L::new(l0, "A"), L::new(l1, "B")]);
    let r = read(&dir);
    assert_eq!(visible_paths(&r), vec!["/d/new", "/e"]);
    assert_eq!(r.removable_bytes, 5);
    assert_eq!(r.layers[1].files_deleted, 1);
}

#[test]
fn hardlinks_count_once_and_keep_content_alive() {
    let tmp = tempfile::tempdir().unwrap();
    let l0 = common::layer_tar(&[E::File("f", &[9; 1000]), E::Link("g", "f")]);
    let l1 = common::layer_tar(&[E::File(".wh.f", b"")]);
    let dir = common::oci_layout(&tmp.path().join("img"), &[L::new(l0, "A"), L::new(l1, "B")]);
    let r = read(&dir);
    assert_eq!(r.layers[0].files_added, 2);
    // g still needs f's bytes.
    assert_eq!(r.removable_bytes, 0);
    assert_eq!(r.duplicate_bytes, 0);
}

#[test]
fn hardlink_to_missing_target_is_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let l0 = common::layer_tar(&[E::Link("g", "nope")]);
    let dir = common::oci_layout(&tmp.path().join("img"), &[L::new(l0, "A")]);
    let r = read(&dir);
    assert!(
        r.notes
            .iter()
            .any(|n| n.contains("hard link g points to nope")),
        "{:?}",
        r.notes
    );
}

#[test]
fn duplicates_across_paths_and_layers() {
    let tmp = tempfile::tempdir().unwrap();
    let same = [7u8; 400];
    let l0 = common::layer_tar(&[E::File("a", &same), E::File("b", &same)]);
    let l1 = common::layer_tar(&[E::File("c", &same), E::File("d", &[1; 400])]);
    let dir = common::oci_layout(&tmp.path().join("img"), &[L::new(l0, "A"), L::new(l1, "B")]);
    let r = read(&dir);
    assert_eq!(r.duplicate_bytes, 800);
    assert_eq!(r.duplicates.len(), 1);
    assert_eq!(r.duplicates[0].count, 3);
    assert_eq!(r.largest_directories.len(), 0);
}

#[test]
fn largest_directories_sum_visible_files() {
    let tmp = tempfile::tempdir().unwrap();
    let l0 = common::layer_tar(&[
        E::File("usr/lib/a", &[1; 300]),
        E::File("usr/lib/b", &[1; 200]),
        E::File("usr/bin/c", &[1; 100]),
    ]);
    let dir = common::oci_layout(&tmp.path().join("img"), &[L::new(l0, "A")]);
    let r = read(&dir);
    let dirs: Vec<(&str, u64)> = r
        .largest_directories
        .iter()
        .map(|d| (d.path.as_str(), d.bytes))
        .collect();
    assert_eq!(
        dirs,
        vec![("/usr", 600), ("/usr/lib", 500), ("/usr/bin", 100)]
    );
}

#[test]
fn all_formats_and_compressions_agree() {
    let tmp = tempfile::tempdir().unwrap();
    let build = |comp: Comp| {
        let mut layers = whiteout_image(true);
        for l in &mut layers {
            l.comp = comp;
        }
        layers
    };
    let gz = common::oci_layout(&tmp.path().join("gz"), &build(Comp::Gzip));
    let zs = common::oci_layout(&tmp.path().join("zs"), &build(Comp::Zstd));
    let plain = common::oci_layout(&tmp.path().join("plain"), &build(Comp::None));
    let archive = common::tar_dir(&gz, &tmp.path().join("oci-archive.tar"));
    let docker = common::docker_archive(&tmp.path().join("docker.tar"), &build(Comp::None));
    let reports: Vec<Report> = [&gz, &zs, &plain, &archive, &docker]
        .iter()
        .map(|p| read(p))
        .collect();
    for r in &reports {
        assert_eq!(r.removable_bytes, 180);
        assert_eq!(r.dive_compat.wasted_bytes, 180);
        assert_eq!(r.dive_compat.efficiency, 70.0 / 220.0);
        assert_eq!(r.layers[1].diff_id, reports[0].layers[1].diff_id);
    }
    assert_eq!(reports[1].layers[0].compression.to_string(), "zstd");
    assert_eq!(
        serde_json::to_value(reports[4].image.format).unwrap(),
        "docker-archive"
    );
    assert_eq!(reports[4].image.names, vec!["test:1"]);
}

#[test]
fn media_type_disagreeing_with_bytes_is_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = L::new(common::layer_tar(&[E::File("f", b"x")]), "A");
    l.comp = Comp::Zstd;
    l.media_type = Some("application/vnd.oci.image.layer.v1.tar+gzip".into());
    let dir = common::oci_layout(&tmp.path().join("img"), &[l]);
    let r = read(&dir);
    assert!(r
        .notes
        .iter()
        .any(|n| n.contains("media type says gzip but the bytes are zstd")));
}

#[test]
fn json_report_has_the_documented_fields() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = common::oci_layout(&tmp.path().join("img"), &whiteout_image(false));
    let v = serde_json::to_value(read(&dir)).unwrap();
    assert_eq!(v["schema_version"], 1);
    for key in ["digest", "size", "uncompressed_size", "created_by"] {
        assert!(v["layers"][0].get(key).is_some(), "{key}");
    }
    assert_eq!(v["removable_bytes"], 180);
    assert!(v["dive_compat"]["efficiency"].is_number());
    assert_eq!(v["dive_compat"]["wasted_bytes"], 180);
    assert!(v["leftovers"].is_array() && v["packages"].is_array() && v["notes"].is_array());
}

// ---- hostile inputs ----

fn single_layer_layout(tmp: &std::path::Path, tar: Vec<u8>) -> std::path::PathBuf {
    common::oci_layout(&tmp.join("img"), &[L::new(tar, "A")])
}

fn layer_blob_path(dir: &std::path::Path, tar: &[u8]) -> std::path::PathBuf {
    let d = common::sha(&common::gzip(tar));
    dir.join("blobs/sha256")
        .join(d.trim_start_matches("sha256:"))
}

#[test]
fn truncated_gzip_is_an_error_naming_the_blob() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = common::layer_tar(&[E::File("f", &[5; 100_000])]);
    let mut l = L::new(tar.clone(), "A");
    let gz = common::gzip(&tar);
    l.blob = Some(gz[..gz.len() / 2].to_vec());
    let dir = common::oci_layout(&tmp.path().join("img"), &[l]);
    let err = read_err(&dir);
    assert!(err.starts_with("blob sha256:"), "{err}");
    assert!(err.contains("truncated or corrupt gzip"), "{err}");
}

#[test]
fn wrong_digest_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = common::layer_tar(&[E::File("f", b"hello")]);
    let dir = single_layer_layout(tmp.path(), tar.clone());
    let other = common::gzip(&common::layer_tar(&[E::File("f", b"HELLO")]));
    std::fs::write(layer_blob_path(&dir, &tar), other).unwrap();
    let err = read_err(&dir);
    assert!(err.contains("digest mismatch (expected sha256:"), "{err}");
}

#[test]
fn wrong_diff_id_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut l = L::new(common::layer_tar(&[E::File("f", b"hello")]), "A");
    l.blob = Some(common::gzip(&common::layer_tar(&[E::File("f", b"other")])));
    let dir = common::oci_layout(&tmp.path().join("img"), &[l]);
    let err = read_err(&dir);
    assert!(err.contains("DiffID mismatch"), "{err}");
}

#[test]
fn escaping_and_absolute_paths_are_notes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut tar = common::raw_entry(b"../evil", b"x", b'0');
    tar.extend(common::raw_entry(b"/abs/file", b"yy", b'0'));
    let dir = single_layer_layout(tmp.path(), common::end_of_archive(tar));
    let r = read(&dir);
    assert!(
        r.notes.iter().any(|n| n.contains("climbs out of the root")),
        "{:?}",
        r.notes
    );
    assert!(
        r.notes.iter().any(|n| n.contains("absolute path")),
        "{:?}",
        r.notes
    );
    assert_eq!(visible_paths(&r), vec!["/abs/file"]);
}

#[test]
fn symlink_loops_do_not_hang() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = common::layer_tar(&[E::Sym("a", "b"), E::Sym("b", "a"), E::Sym("c", "c/d")]);
    let r = read(&single_layer_layout(tmp.path(), tar));
    assert_eq!(r.image.visible_files, 3);
}

#[test]
fn huge_pax_header_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let pax = vec![b'x'; 2 << 20];
    let tar = common::end_of_archive(common::raw_entry(b"PaxHeader", &pax, b'x'));
    let err = read_err(&single_layer_layout(tmp.path(), tar));
    assert!(err.contains("exceeds the limit"), "{err}");
}

#[test]
fn decompression_bomb_is_capped() {
    let tmp = tempfile::tempdir().unwrap();
    let zeros = vec![0u8; 8 << 20];
    let tar = common::layer_tar(&[E::File("bomb", &zeros)]);
    let dir = single_layer_layout(tmp.path(), tar);
    let options = InspectOptions {
        limits: Limits {
            max_expansion_ratio: 10,
            min_layer_cap: 1 << 20,
            ..Limits::default()
        },
        ..InspectOptions::default()
    };
    let err = inspect(&dir, &options).unwrap_err().to_string();
    assert!(err.contains("decompression bomb"), "{err}");
}

#[test]
fn missing_blob_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let tar = common::layer_tar(&[E::File("f", b"hello")]);
    let dir = single_layer_layout(tmp.path(), tar.clone());
    std::fs::remove_file(layer_blob_path(&dir, &tar)).unwrap();
    let err = read_err(&dir);
    assert!(err.contains("missing from the image"), "{err}");
}

#[test]
fn not_an_image_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    let err = read_err(tmp.path());
    assert!(err.contains("no index.json or manifest.json"), "{err}");
    let junk = tmp.path().join("junk.tar");
    std::fs::write(&junk, b"hello world").unwrap();
    assert!(read_err(&junk).contains("junk.tar"));
}
