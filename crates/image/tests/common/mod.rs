//! Builds small images in temporary directories for tests.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;
use sha2::{Digest, Sha256};

/// One tar entry of a test layer.
pub enum E<'a> {
    File(&'a str, &'a [u8]),
    Dir(&'a str),
    Link(&'a str, &'a str),
    Sym(&'a str, &'a str),
    /// `.wh.NAME` marker at this path (give the full marker path).
    Raw(&'a str, &'a [u8], tar::EntryType),
}

pub fn layer_tar(entries: &[E<'_>]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o644);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(0);
        match e {
            E::File(p, d) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_size(d.len() as u64);
                b.append_data(&mut h, p, *d).unwrap();
            }
            E::Dir(p) => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                b.append_data(&mut h, p, &[][..]).unwrap();
            }
            E::Link(p, t) => {
                h.set_entry_type(tar::EntryType::Link);
                h.set_size(0);
                b.append_link(&mut h, p, t).unwrap();
            }
            E::Sym(p, t) => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_size(0);
                b.append_link(&mut h, p, t).unwrap();
            }
            E::Raw(p, d, t) => {
                h.set_entry_type(*t);
                h.set_size(d.len() as u64);
                b.append_data(&mut h, p, *d).unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

/// A tar entry whose name is written verbatim (no sanitising by the builder).
pub fn raw_entry(name: &[u8], data: &[u8], kind: u8) -> Vec<u8> {
    let mut h = [0u8; 512];
    h[..name.len()].copy_from_slice(name);
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    h[124..136].copy_from_slice(format!("{:011o}\0", data.len()).as_bytes());
    h[136..148].copy_from_slice(b"00000000000\0");
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    let mut out = h.to_vec();
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
    out
}

pub fn end_of_archive(mut tar: Vec<u8>) -> Vec<u8> {
    tar.extend_from_slice(&[0u8; 1024]);
    tar
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn zstd(data: &[u8]) -> Vec<u8> {
    zstd::encode_all(data, 3).unwrap()
}

pub fn sha(data: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(data)))
}

#[derive(Clone, Copy, PartialEq)]
pub enum Comp {
    Gzip,
    Zstd,
    None,
}

/// A layer for an image: its tar, how to compress it, and its history line.
pub struct L {
    pub tar: Vec<u8>,
    pub comp: Comp,
    pub created_by: String,
    /// Overrides the media type written in the manifest.
    pub media_type: Option<String>,
    /// Overrides the blob bytes (the DiffID still comes from `tar`).
    pub blob: Option<Vec<u8>>,
}

impl L {
    pub fn new(tar: Vec<u8>, created_by: &str) -> L {
        L {
            tar,
            comp: Comp::Gzip,
            created_by: created_by.to_string(),
            media_type: None,
            blob: None,
        }
    }
}

fn write_blob(dir: &Path, data: &[u8]) -> String {
    let d = sha(data);
    let p = dir
        .join("blobs/sha256")
        .join(d.trim_start_matches("sha256:"));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, data).unwrap();
    d
}

fn config_json(layers: &[L], extra_history: bool) -> Vec<u8> {
    let diff_ids: Vec<String> = layers.iter().map(|l| sha(&l.tar)).collect();
    let mut history = Vec::new();
    for l in layers {
        history.push(serde_json::json!({"created_by": l.created_by}));
        if extra_history {
            history.push(serde_json::json!({"created_by": "ENV X=1", "empty_layer": true}));
        }
    }
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "config": {},
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": history,
    }))
    .unwrap()
}

/// Writes an OCI layout; returns its directory.
pub fn oci_layout(dir: &Path, layers: &[L]) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("oci-layout"), br#"{"imageLayoutVersion":"1.0.0"}"#).unwrap();
    let config = config_json(layers, true);
    let config_digest = write_blob(dir, &config);
    let mut descs = Vec::new();
    for l in layers {
        let (blob, mt) = match l.comp {
            Comp::Gzip => (gzip(&l.tar), "application/vnd.oci.image.layer.v1.tar+gzip"),
            Comp::Zstd => (zstd(&l.tar), "application/vnd.oci.image.layer.v1.tar+zstd"),
            Comp::None => (l.tar.clone(), "application/vnd.oci.image.layer.v1.tar"),
        };
        let blob = l.blob.clone().unwrap_or(blob);
        let d = write_blob(dir, &blob);
        let mt = l.media_type.clone().unwrap_or_else(|| mt.to_string());
        descs.push(serde_json::json!({"mediaType": mt, "digest": d, "size": blob.len()}));
    }
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": descs,
    }))
    .unwrap();
    let md = write_blob(dir, &manifest);
    let index = serde_json::json!({
        "schemaVersion": 2,
        "manifests": [{"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": manifest.len()}],
    });
    std::fs::write(dir.join("index.json"), serde_json::to_vec(&index).unwrap()).unwrap();
    dir.to_path_buf()
}

/// Tars a directory (an oci-archive from an OCI layout).
pub fn tar_dir(dir: &Path, out: &Path) -> PathBuf {
    let f = std::fs::File::create(out).unwrap();
    let mut b = tar::Builder::new(f);
    b.append_dir_all(".", dir).unwrap();
    b.finish().unwrap();
    out.to_path_buf()
}

/// Writes a legacy `docker save` archive (uncompressed layers).
pub fn docker_archive(out: &Path, layers: &[L]) -> PathBuf {
    let f = std::fs::File::create(out).unwrap();
    let mut b = tar::Builder::new(f);
    let config = config_json(layers, true);
    let config_name = format!("{}.json", sha(&config).trim_start_matches("sha256:"));
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, name, data).unwrap();
    };
    add(&config_name, &config);
    let mut names = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        let name = format!("layer{i}/layer.tar");
        add(&name, &l.tar);
        names.push(name);
    }
    let manifest =
        serde_json::json!([{"Config": config_name, "RepoTags": ["test:1"], "Layers": names}]);
    add("manifest.json", &serde_json::to_vec(&manifest).unwrap());
    b.finish().unwrap();
    out.to_path_buf()
}
