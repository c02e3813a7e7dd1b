//! Finds the image in a container: detects the format, walks indexes,
//! picks the platform, and lists the layers with their expected digests.

use oci_spec::image::{Descriptor, ImageConfiguration, ImageIndex, ImageManifest, MediaType};
use sha2::{Digest as _, Sha256};

use crate::decompress::{self, Compression};
use crate::error::ImageError;
use crate::history::HistoryItem;
use crate::platform::Platform;
use crate::source::ImageSource;

/// Largest manifest, index or config document accepted.
const MAX_DOCUMENT: u64 = 16 << 20;
/// Deepest nesting of indexes followed.
const MAX_INDEX_DEPTH: usize = 4;

/// The container format of an image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageFormat {
    /// An OCI image layout directory.
    OciLayout,
    /// An OCI layout in a tar archive.
    OciArchive,
    /// A `docker save` archive in the legacy layout.
    DockerArchive,
    /// A `docker save` archive from Docker 25+, holding an OCI layout.
    DockerArchiveOci,
}

/// One layer to read.
#[derive(Debug, Clone)]
pub struct LayerRef {
    /// Name of the blob inside the container.
    pub file: String,
    /// Expected blob digest, when known.
    pub digest: Option<String>,
    /// Expected blob size, when known.
    pub size: Option<u64>,
    /// Media type, when known.
    pub media_type: Option<String>,
    /// Compression the media type claims.
    pub claimed: Option<Compression>,
    /// Expected DiffID.
    pub diff_id: Option<String>,
}

/// The image found in a container.
pub struct ImagePlan {
    /// Container format.
    pub format: ImageFormat,
    /// Platform of the chosen image.
    pub platform: Option<String>,
    /// Config digest, when known.
    pub config_digest: Option<String>,
    /// Layers in order (lowest first).
    pub layers: Vec<LayerRef>,
    /// History entries from the config.
    pub history: Vec<HistoryItem>,
    /// Tags or reference names, when the container names the image.
    pub names: Vec<String>,
    /// Remarks (skipped artifacts, platform choice...).
    pub notes: Vec<String>,
}

/// A manifest candidate from an index.
struct Candidate {
    descriptor: Descriptor,
    platform: Option<(String, String, Option<String>)>,
}

fn platform_text(p: &(String, String, Option<String>)) -> String {
    match &p.2 {
        Some(v) => format!("{}/{}/{}", p.0, p.1, v),
        None => format!("{}/{}", p.0, p.1),
    }
}

/// `blobs/<algorithm>/<encoded>` for a digest, refusing anything that could
/// escape the blob directory.
pub fn blob_path(digest: &str) -> Result<String, ImageError> {
    let (algorithm, encoded) = digest
        .split_once(':')
        .ok_or_else(|| ImageError::blob(digest, "malformed digest"))?;
    let ok = |s: &str, extra: &[char]| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || extra.contains(&c))
    };
    if !ok(algorithm, &['+', '.', '_', '-']) || !ok(encoded, &['=', '_', '-']) {
        return Err(ImageError::blob(digest, "malformed digest"));
    }
    Ok(format!("blobs/{algorithm}/{encoded}"))
}

fn sha256_digest(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

fn read_blob(source: &ImageSource, digest: &str) -> Result<Vec<u8>, ImageError> {
    let path = blob_path(digest)?;
    let bytes = source
        .read_small(&path, MAX_DOCUMENT)?
        .ok_or_else(|| ImageError::blob(digest, format!("missing from the image (no {path})")))?;
    if digest.starts_with("sha256:") {
        let actual = sha256_digest(&bytes);
        if !actual.eq_ignore_ascii_case(digest) {
            return Err(ImageError::blob(
                digest,
                format!("digest mismatch (expected {digest}, got {actual})"),
            ));
        }
    }
    Ok(bytes)
}

fn is_index(mt: &MediaType) -> bool {
    match mt {
        MediaType::ImageIndex => true,
        MediaType::Other(s) => s == "application/vnd.docker.distribution.manifest.list.v2+json",
        _ => false,
    }
}

fn is_manifest(mt: &MediaType) -> bool {
    match mt {
        MediaType::ImageManifest => true,
        MediaType::Other(s) => s == "application/vnd.docker.distribution.manifest.v2+json",
        _ => false,
    }
}

fn is_image_config(mt: &MediaType) -> bool {
    match mt {
        MediaType::ImageConfig => true,
        MediaType::Other(s) => s == "application/vnd.docker.container.image.v1+json",
        _ => false,
    }
}

/// Finds and plans the image in `source`.
pub fn plan(source: &ImageSource, wanted: Option<&Platform>) -> Result<ImagePlan, ImageError> {
    let is_dir = matches!(source, ImageSource::Dir(_));
    if source.exists("index.json") {
        let format = if is_dir {
            ImageFormat::OciLayout
        } else if source.exists("manifest.json") {
            ImageFormat::DockerArchiveOci
        } else {
            ImageFormat::OciArchive
        };
        return plan_oci(source, format, wanted);
    }
    if source.exists("manifest.json") {
        return plan_legacy(source);
    }
    Err(ImageError::format(
        source.describe(""),
        "not an OCI layout, oci-archive or docker-archive (no index.json or manifest.json)",
    ))
}

fn plan_oci(
    source: &ImageSource,
    format: ImageFormat,
    wanted: Option<&Platform>,
) -> Result<ImagePlan, ImageError> {
    let mut notes = Vec::new();
    if !source.exists("oci-layout") {
        notes.push("oci-layout file is missing; reading index.json anyway".to_string());
    }
    let index_bytes = source
        .read_small("index.json", MAX_DOCUMENT)?
        .ok_or_else(|| ImageError::format(source.describe("index.json"), "missing"))?;
    let index = ImageIndex::from_reader(&index_bytes[..])
        .map_err(|e| ImageError::format(source.describe("index.json"), e.to_string()))?;
    let mut candidates = Vec::new();
    collect_candidates(source, index.manifests(), 0, &mut candidates, &mut notes)?;

    // Resolve each candidate's manifest and config; drop artifacts.
    let mut images = Vec::new();
    for c in candidates {
        let digest = c.descriptor.digest().to_string();
        let manifest_bytes = read_blob(source, &digest)?;
        let manifest = ImageManifest::from_reader(&manifest_bytes[..])
            .map_err(|e| ImageError::blob(&digest, format!("invalid manifest: {e}")))?;
        if !is_image_config(manifest.config().media_type()) || manifest.artifact_type().is_some() {
            notes.push(format!(
                "skipped {digest}: an OCI artifact ({}), not an image",
                manifest
                    .artifact_type()
                    .as_ref()
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| manifest.config().media_type().to_string())
            ));
            continue;
        }
        let config_digest = manifest.config().digest().to_string();
        let config_bytes = read_blob(source, &config_digest)?;
        let config = ImageConfiguration::from_reader(&config_bytes[..])
            .map_err(|e| ImageError::blob(&config_digest, format!("invalid image config: {e}")))?;
        let platform = c.platform.clone().unwrap_or_else(|| {
            (
                config.os().to_string(),
                config.architecture().to_string(),
                config.variant().clone(),
            )
        });
        let names: Vec<String> = c
            .descriptor
            .annotations()
            .as_ref()
            .and_then(|a| {
                a.get("org.opencontainers.image.ref.name")
                    .or_else(|| a.get("io.containerd.image.name"))
                    .cloned()
            })
            .into_iter()
            .collect();
        images.push((platform, manifest, config, config_digest, names));
    }
    if images.is_empty() {
        return Err(ImageError::format(
            source.describe("index.json"),
            "no image manifest found (only artifacts or unknown media types)",
        ));
    }
    let all: Vec<String> = images.iter().map(|i| platform_text(&i.0)).collect();
    let chosen = if let Some(want) = wanted {
        images
            .iter()
            .position(|i| want.matches(&i.0 .0, &i.0 .1, i.0 .2.as_deref()))
            .ok_or_else(|| {
                ImageError::Platform(format!(
                    "no image for platform {want}; the image has: {}",
                    all.join(", ")
                ))
            })?
    } else if images.len() == 1 {
        0
    } else {
        let host = Platform::host();
        let matching: Vec<usize> = images
            .iter()
            .enumerate()
            .filter(|(_, i)| host.matches(&i.0 .0, &i.0 .1, i.0 .2.as_deref()))
            .map(|(n, _)| n)
            .collect();
        let distinct: std::collections::BTreeSet<&String> = all.iter().collect();
        match matching.first() {
            Some(&first) => {
                if distinct.len() > 1 {
                    notes.push(format!(
                        "several platforms ({}); read {} (the host's); choose another with --platform",
                        all.join(", "),
                        all[first]
                    ));
                } else if matching.len() > 1 {
                    notes.push(format!(
                        "the index holds {} images; read the first",
                        images.len()
                    ));
                }
                first
            }
            None if distinct.len() == 1 => {
                notes.push(format!(
                    "the index holds {} images; read the first",
                    images.len()
                ));
                0
            }
            None => {
                return Err(ImageError::Platform(format!(
                    "the image has several platforms and none is the host's ({host}): {}; choose one with --platform",
                    all.join(", ")
                )))
            }
        }
    };
    let (platform, manifest, config, config_digest, names) = images.swap_remove(chosen);
    let diff_ids = config.rootfs().diff_ids().clone();
    if diff_ids.len() != manifest.layers().len() {
        return Err(ImageError::blob(
            &config_digest,
            format!(
                "config lists {} DiffIDs but the manifest has {} layers",
                diff_ids.len(),
                manifest.layers().len()
            ),
        ));
    }
    let mut layers = Vec::new();
    for (layer, diff_id) in manifest.layers().iter().zip(diff_ids) {
        let digest = layer.digest().to_string();
        let media_type = layer.media_type().to_string();
        layers.push(LayerRef {
            file: blob_path(&digest)?,
            claimed: decompress::from_media_type(&media_type),
            digest: Some(digest),
            size: Some(layer.size()),
            media_type: Some(media_type),
            diff_id: Some(diff_id),
        });
    }
    for l in &layers {
        if let (Some(mt), None) = (&l.media_type, l.claimed) {
            notes.push(format!(
                "layer {} has unknown media type {mt}; reading it by its magic bytes",
                l.digest.as_deref().unwrap_or("?")
            ));
        }
    }
    Ok(ImagePlan {
        format,
        platform: Some(platform_text(&platform)),
        config_digest: Some(config_digest),
        layers,
        history: history_of(&config),
        names,
        notes,
    })
}

fn history_of(config: &ImageConfiguration) -> Vec<HistoryItem> {
    config
        .history()
        .as_ref()
        .map(|h| {
            h.iter()
                .map(|e| HistoryItem {
                    created_by: e.created_by().clone(),
                    empty_layer: e.empty_layer().unwrap_or(false),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn collect_candidates(
    source: &ImageSource,
    descriptors: &[Descriptor],
    depth: usize,
    out: &mut Vec<Candidate>,
    notes: &mut Vec<String>,
) -> Result<(), ImageError> {
    for d in descriptors {
        let mt = d.media_type();
        let digest = d.digest().to_string();
        let platform = d.platform().as_ref().map(|p| {
            (
                p.os().to_string(),
                p.architecture().to_string(),
                p.variant().clone(),
            )
        });
        let is_attestation = d
            .annotations()
            .as_ref()
            .and_then(|a| a.get("vnd.docker.reference.type"))
            .is_some_and(|t| t == "attestation-manifest")
            || platform
                .as_ref()
                .is_some_and(|p| p.0 == "unknown" && p.1 == "unknown");
        if is_attestation {
            notes.push(format!("skipped {digest}: an attestation manifest"));
        } else if is_manifest(mt) {
            out.push(Candidate {
                descriptor: d.clone(),
                platform,
            });
        } else if is_index(mt) {
            if depth >= MAX_INDEX_DEPTH {
                return Err(ImageError::blob(&digest, "indexes nested too deeply"));
            }
            let bytes = read_blob(source, &digest)?;
            let nested = ImageIndex::from_reader(&bytes[..])
                .map_err(|e| ImageError::blob(&digest, format!("invalid index: {e}")))?;
            collect_candidates(source, nested.manifests(), depth + 1, out, notes)?;
        } else {
            notes.push(format!("skipped {digest}: unknown media type {mt}"));
        }
    }
    Ok(())
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "PascalCase")]
struct LegacyEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

fn plan_legacy(source: &ImageSource) -> Result<ImagePlan, ImageError> {
    let where_ = source.describe("manifest.json");
    let bytes = source
        .read_small("manifest.json", MAX_DOCUMENT)?
        .ok_or_else(|| ImageError::format(&where_, "missing"))?;
    let mut entries: Vec<LegacyEntry> = serde_json::from_slice(&bytes).map_err(|e| {
        ImageError::format(
            &where_,
            format!("line {}, column {}: {e}", e.line(), e.column()),
        )
    })?;
    if entries.is_empty() {
        return Err(ImageError::format(&where_, "lists no image"));
    }
    let mut notes = Vec::new();
    if entries.len() > 1 {
        notes.push(format!(
            "the archive holds {} images; read the first",
            entries.len()
        ));
    }
    let entry = entries.swap_remove(0);
    let config_bytes = source
        .read_small(&entry.config, MAX_DOCUMENT)?
        .ok_or_else(|| {
            ImageError::format(
                &where_,
                format!("config {} is missing from the archive", entry.config),
            )
        })?;
    let config = ImageConfiguration::from_reader(&config_bytes[..])
        .map_err(|e| ImageError::format(source.describe(&entry.config), e.to_string()))?;
    let diff_ids = config.rootfs().diff_ids().clone();
    if diff_ids.len() != entry.layers.len() {
        return Err(ImageError::format(
            source.describe(&entry.config),
            format!(
                "config lists {} DiffIDs but manifest.json has {} layers",
                diff_ids.len(),
                entry.layers.len()
            ),
        ));
    }
    let layers = entry
        .layers
        .iter()
        .zip(diff_ids)
        .map(|(file, diff_id)| {
            // A layer stored as a blob is named by its digest.
            let digest = file
                .strip_prefix("blobs/sha256/")
                .filter(|hex| hex.len() == 64 && hex.chars().all(|c| c.is_ascii_hexdigit()))
                .map(|hex| format!("sha256:{hex}"));
            LayerRef {
                file: file.clone(),
                digest,
                size: None,
                media_type: None,
                claimed: None,
                diff_id: Some(diff_id),
            }
        })
        .collect();
    Ok(ImagePlan {
        format: ImageFormat::DockerArchive,
        platform: Some(format!("{}/{}", config.os(), config.architecture())),
        config_digest: Some(sha256_digest(&config_bytes)),
        layers,
        history: history_of(&config),
        names: entry.repo_tags.unwrap_or_default(),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_paths_refuse_traversal() {
        assert_eq!(blob_path("sha256:abc").unwrap(), "blobs/sha256/abc");
        assert!(blob_path("sha256:../../etc").is_err());
        assert!(blob_path("nodigest").is_err());
    }
}
