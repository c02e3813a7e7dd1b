//! Package-manager questions shared by rules.

use dockopt_shell::pkg::PkgOp;

use crate::context::{Context, RunScript};
use dockopt_model::InstructionId;

/// Every package-manager operation of a `RUN`, with the script it is in.
pub fn operations<'c>(
    ctx: &'c Context<'_>,
    id: InstructionId,
) -> impl Iterator<Item = (&'c RunScript, &'c PkgOp)> + 'c {
    ctx.scripts(id)
        .iter()
        .flat_map(|s| s.operations.iter().map(move |op| (s, op)))
}

/// Variables the official images set in their own `ENV`, which the Dockerfile does not
/// show but which move the caches (`golang` sets `GOPATH=/go`).
const OFFICIAL_IMAGE_ENV: &[(&str, &[(&str, &str)])] = &[
    ("golang", &[("GOPATH", "/go")]),
    (
        "rust",
        &[
            ("CARGO_HOME", "/usr/local/cargo"),
            ("RUSTUP_HOME", "/usr/local/rustup"),
        ],
    ),
    (
        "ruby",
        &[
            ("GEM_HOME", "/usr/local/bundle"),
            ("BUNDLE_APP_CONFIG", "/usr/local/bundle"),
        ],
    ),
];

/// The repository of an official image (`golang` for `golang:1.22` or
/// `docker.io/library/golang@sha256:...`); `None` for other images.
fn official_repository(image: &str) -> Option<&str> {
    let without_digest = image.split('@').next().unwrap_or(image);
    let name = match without_digest.rsplit_once(':') {
        Some((n, tag)) if !tag.contains('/') => n,
        _ => without_digest,
    };
    let name = name
        .strip_prefix("docker.io/")
        .or_else(|| name.strip_prefix("index.docker.io/"))
        .unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    (!name.contains('/')).then_some(name)
}

/// The variables the base image of `id`'s stage is known to set (for the official
/// `golang`, `rust` and `ruby` images, following `FROM <stage>` to the image), which the
/// Dockerfile's own `ENV` does not show; those the build sets itself are left out.
pub fn base_image_env(ctx: &Context<'_>, id: InstructionId) -> Vec<(&'static str, &'static str)> {
    let Some(state) = ctx.state(id) else {
        return Vec::new();
    };
    if state.base_env_known {
        return Vec::new();
    }
    let Some(mut stage) = ctx.stage_of(id) else {
        return Vec::new();
    };
    let mut image = None;
    for _ in 0..=ctx.model.stages().len() {
        match &stage.base {
            dockopt_model::Base::Stage(i) => match ctx.model.stage(*i) {
                Some(s) => stage = s,
                None => break,
            },
            dockopt_model::Base::Image(name) => {
                image = Some(name.as_str());
                break;
            }
            _ => break,
        }
    }
    let Some(repo) = image.and_then(official_repository) else {
        return Vec::new();
    };
    OFFICIAL_IMAGE_ENV
        .iter()
        .filter(|(r, _)| *r == repo)
        .flat_map(|(_, vars)| vars.iter().copied())
        .filter(|(k, _)| !state.vars.contains(k))
        .collect()
}
