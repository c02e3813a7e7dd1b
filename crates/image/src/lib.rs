//! Reads container images offline: OCI layouts, oci-archive and docker-archive
//! tars. Layers are streamed (never extracted), their digests checked while
//! reading, processed in parallel, and merged into one filesystem view that
//! tells where the bytes are.
//!
//! Entry point: [`inspect`].

pub mod analysis;
pub mod ci;
pub mod decompress;
pub mod dive_compat;
pub mod error;
pub mod history;
pub mod inventory;
pub mod layer_index;
pub mod leftovers;
pub mod merge;
pub mod path_tree;
pub mod platform;
pub mod read_layers;
pub mod report;
pub mod resolve;
pub mod sha256_lanes;
pub mod source;
pub mod tar_stream;

use std::path::Path;
use std::sync::Arc;

pub use error::ImageError;
pub use layer_index::Limits;
pub use platform::Platform;
pub use report::Report;

use layer_index::{LayerIndex, LayerReading, LayerSpec};
use report::{ImageSummary, LayerReport, SCHEMA_VERSION};
use resolve::{ImageFormat, LayerRef};
use source::ImageSource;

/// Called once per layer read (with the number of layers done and the total).
pub type Progress = Arc<dyn Fn(usize, usize) + Send + Sync>;

/// How to read an image.
#[derive(Clone, Default)]
pub struct InspectOptions {
    /// Platform to pick from a multi-platform index (default: the host's).
    pub platform: Option<Platform>,
    /// Limits against hostile layers.
    pub limits: Limits,
    /// How many duplicates, largest files and directories to list (0 = 20).
    pub top: usize,
    /// Progress callback.
    pub progress: Option<Progress>,
}

/// Reads the image at `path` and reports where its bytes are.
pub fn inspect(path: &Path, options: &InspectOptions) -> Result<Report, ImageError> {
    let source = ImageSource::open(path)?;
    let plan = resolve::plan(&source, options.platform.as_ref())?;
    let total = plan.layers.len();
    let keep = |p: &str| inventory::wants_content(p);
    let sizes: Vec<u64> = plan
        .layers
        .iter()
        .map(|l| l.size.or_else(|| source.file_size(&l.file)).unwrap_or(0))
        .collect();
    let results = read_layers::read_layers(
        total,
        &sizes,
        |i| open_layer(&source, &plan.layers[i], &options.limits, &keep),
        |n| {
            if let Some(progress) = &options.progress {
                progress(n, total);
            }
        },
    );
    let mut layers = Vec::with_capacity(total);
    let mut dive_empty = Vec::with_capacity(total);
    for r in results {
        let (index, via_symlink) = r?;
        layers.push(index);
        // dive reads a legacy archive's symlinked layer.tar as an empty layer.
        dive_empty.push(via_symlink && plan.format == ImageFormat::DockerArchive);
    }
    Ok(analyse(path, plan, layers, &dive_empty, options))
}

/// Opens a layer's blob for reading; also says whether a legacy archive
/// stored it as a symbolic link.
fn open_layer<'a>(
    source: &'a ImageSource,
    layer: &'a LayerRef,
    limits: &Limits,
    keep: &'a (dyn Fn(&str) -> bool + Sync),
) -> Result<(LayerReading<'a>, bool), ImageError> {
    let name = layer.digest.as_deref().unwrap_or(&layer.file);
    let opened = source.open_file(&layer.file)?.ok_or_else(|| {
        ImageError::blob(name, format!("missing from the image (no {})", layer.file))
    })?;
    let spec = LayerSpec {
        name,
        digest: layer.digest.as_deref(),
        size: Some(layer.size.unwrap_or(opened.size)),
        diff_id: layer.diff_id.as_deref(),
        claimed: layer.claimed,
        limits: *limits,
        keep,
    };
    let reading = LayerReading::start(opened.reader, &spec)?;
    Ok((reading, opened.via_symlink))
}

fn analyse(
    path: &Path,
    plan: resolve::ImagePlan,
    mut layers: Vec<LayerIndex>,
    dive_empty: &[bool],
    options: &InspectOptions,
) -> Report {
    let top = if options.top == 0 { 20 } else { options.top };
    let mut merged = merge::merge(&layers);
    let instructions = history::instructions(&plan.history, layers.len());
    let dive = dive_compat::compute(&layers, &merged, dive_empty);
    // Only dive's pass walks the layers' own trees: free them now, so the
    // passes after it add to less.
    for layer in &mut layers {
        layer.tree = path_tree::PathTree::new();
    }
    let (duplicate_bytes, duplicates) = analysis::duplicates(&layers, &merged, top);
    let files = analysis::visible_files(&layers, &merged);
    let (largest_files, largest_directories, visible_bytes) =
        analysis::largest(&merged, &files, top);
    let leftovers = analysis::leftovers(&merged, &files, &instructions);
    let mut notes = plan.notes.clone();
    let layer_reports: Vec<LayerReport> = layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let c = merged.changes.get(i).copied().unwrap_or_default();
            LayerReport {
                index: i,
                digest: l.digest.clone(),
                diff_id: l.diff_id.clone(),
                size: l.compressed_size,
                uncompressed_size: l.uncompressed_size,
                compression: l.compression,
                created_by: instructions.get(i).cloned().flatten(),
                files_added: c.added,
                files_changed: c.changed,
                files_deleted: c.deleted,
                entries: l.entries.len() as u64,
                removable_bytes: c.removable_bytes,
            }
        })
        .collect();
    for (i, l) in layers.iter().enumerate() {
        for n in &l.notes {
            notes.push(format!("layer {i} ({}): {n}", l.digest));
        }
    }
    notes.extend(merged.notes.iter().cloned());
    let visible_files = files.len() as u64;
    // The inventories list every visible file by path: free what only the
    // earlier passes needed first, so the peak stays low.
    drop(files);
    merged.release_layer_maps();
    let size = layers.iter().map(|l| l.compressed_size).sum();
    let uncompressed_size = layers.iter().map(|l| l.uncompressed_size).sum();
    let removable_bytes = merged.removable_bytes();
    let inventory = {
        let fs = analysis::MergedFiles::new(&merged, &mut layers);
        inventory::collect(&fs)
    };
    notes.extend(inventory.notes);
    Report {
        schema_version: SCHEMA_VERSION,
        image: ImageSummary {
            path: path.display().to_string(),
            format: plan.format,
            platform: plan.platform,
            config_digest: plan.config_digest,
            names: plan.names,
            size,
            uncompressed_size,
            visible_bytes,
            visible_files,
        },
        layers: layer_reports,
        removable_bytes,
        dive_compat: dive,
        duplicate_bytes,
        duplicates,
        largest_files,
        largest_directories,
        leftovers,
        packages: inventory.packages,
        notes,
    }
}
