use crate::helpers::size::{normalize, ships};
use crate::helpers::speed::range;
use crate::prelude::*;
use dockopt_model::Base;

declare_rule! {
    /// ## What it does
    /// Reports, in a stage whose layers end up in the image, `COPY --from=<stage or image>`
    /// of the whole file system (`/`) of a build stage (one built on an image that runs
    /// commands), or of a large system tree (`/usr`, `/usr/local`, `/usr/lib`, `/lib`,
    /// `/opt`, `/var`, `/etc`, or a system Python's whole `site-packages`) of a stage or
    /// image. Copying `/` out of a stage built `FROM scratch`, or out of an image (often
    /// one that holds only binaries, such as `tonistiigi/xx`), is the usual way to bring in
    /// build results and is not reported; nor is a virtual environment, which holds only
    /// what was installed into it.
    ///
    /// ## Why it matters
    /// The copy stores the whole tree once more as a single layer: the source image's
    /// operating system, package databases, caches and tools come along, files the target
    /// base already has are stored twice, and any change to the source stage makes users
    /// pull the whole layer again.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12 AS build
    /// RUN pip install --no-cache-dir -r requirements.txt
    ///
    /// FROM python:3.12-slim
    /// COPY --from=build /usr/local /usr/local
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12 AS build
    /// RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
    ///
    /// FROM python:3.12-slim
    /// COPY --from=build /opt/venv /opt/venv
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which files the image needs is the author's call.
    pub struct CopyWholeTreeFromStage {
        name: "copy-whole-tree-from-stage",
        group: Size,
        level: Info,
        aliases: ["DL3067"],
        fix: None,
        summary: "COPY --from of a whole file system or system tree",
    }
}

const SYSTEM_TREES: &[&str] = &[
    "/",
    "/usr",
    "/usr/local",
    "/usr/lib",
    "/lib",
    "/lib64",
    "/opt",
    "/var",
    "/etc",
    "/bin",
    "/sbin",
    "/usr/bin",
];

/// What `--from=<value>` names, as far as the size of its trees goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// A stage built `FROM scratch` (only what the Dockerfile put there).
    Scratch,
    /// A stage of this Dockerfile rooted at an image and running commands: a full build
    /// environment.
    BuildStage,
    /// An image, or a stage that only renames one: its content is not known here (many
    /// such images hold nothing but binaries).
    Image,
}

fn source_kind(ctx: &Context<'_>, from: &str) -> Source {
    let stage = ctx
        .model
        .stage_by_name(from)
        .or_else(|| from.parse::<usize>().ok().and_then(|i| ctx.model.stage(i)));
    let Some(mut stage) = stage else {
        return Source::Image;
    };
    let mut runs = false;
    for _ in 0..=ctx.model.stages().len() {
        runs |= stage.instructions.iter().any(|id| {
            ctx.model
                .instruction(*id)
                .is_some_and(|i| i.kind() == InstructionKind::Run)
        });
        match &stage.base {
            Base::Stage(i) => match ctx.model.stage(*i) {
                Some(s) => stage = s,
                None => return Source::Image,
            },
            Base::Scratch => return Source::Scratch,
            Base::Image(_) | Base::Unresolved if runs => return Source::BuildStage,
            Base::Image(_) | Base::Unresolved => return Source::Image,
        }
    }
    Source::Image
}

fn is_system_site_packages(path: &str) -> bool {
    (path.ends_with("/site-packages") || path.ends_with("/dist-packages"))
        && (path.starts_with("/usr/") || path.starts_with("/opt/conda/lib"))
}

impl Check for CopyWholeTreeFromStage {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, instruction) in ctx.instructions_of(InstructionKind::Copy) {
            let Some(args) = instruction.copy_args() else {
                continue;
            };
            let Some(from) = args.flags.from.as_ref() else {
                continue;
            };
            let Some(from_value) = from.value.as_deref() else {
                continue;
            };
            let from_name = match ctx.model.expand_at(id, from_value) {
                Some(Ok(e)) => e.value,
                _ => from_value.to_string(),
            };
            let from_name = from_name.to_ascii_lowercase();
            let kind = source_kind(ctx, &from_name);
            if kind == Source::Scratch || !ships(ctx, id) {
                continue;
            }
            for source in &args.sources {
                let value = match ctx.model.expand_at(id, &source.value) {
                    Some(Ok(e)) => e.value,
                    _ => continue,
                };
                let value = value.trim_matches('"');
                if value.contains('*') || value.contains('\\') || value.contains(':') {
                    continue;
                }
                let path = normalize(&format!("/{value}"));
                let whole = path == "/";
                // `/` of an image may be a handful of binaries (`COPY --from=xx / /`).
                if whole && kind != Source::BuildStage {
                    continue;
                }
                if !SYSTEM_TREES.contains(&path.as_str()) && !is_system_site_packages(&path) {
                    continue;
                }
                let message = if whole {
                    format!("copies the whole file system of `{from_name}` into one layer")
                } else {
                    format!("copies the whole `{path}` of `{from_name}` into one layer")
                };
                out.report(range(source.range), message).help(
                    "copy only what the image needs (the built binaries, a virtual environment)",
                );
            }
        }
    }
}
