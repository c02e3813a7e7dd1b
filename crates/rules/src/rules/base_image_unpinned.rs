use crate::helpers::reliability::ImageRef;
use crate::prelude::*;
use dockopt_model::Base;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` whose image has no tag (DL3006) or the tag `latest` (DL3007), after
    /// resolving ARG defaults the way BuildKit does (`FROM python:${PY}` with `ARG PY=3.12`
    /// is pinned). Stages used as bases and `scratch` are fine; a digest (`@sha256:...`)
    /// pins the image whatever the tag.
    ///
    /// ## Why it matters
    /// `latest` is whatever the publisher pushed last: the same Dockerfile builds a
    /// different image from one day to the next, and a new major version of the base (a
    /// new Python, a new Debian) breaks the build or, worse, the running service without
    /// any change on your side.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python
    /// FROM node:latest
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// FROM node:22-bookworm-slim
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only the author knows which version the image was tested with.
    pub struct BaseImageUnpinned {
        name: "base-image-unpinned",
        group: Reliability,
        level: Warning,
        aliases: ["DL3006", "DL3007", "DS-0001", "CKV_DOCKER_7"],
        fix: None,
        summary: "`FROM` an image without a tag, or with `:latest`",
    }
}

impl Check for BaseImageUnpinned {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for stage in ctx.model.stages() {
            let Base::Image(name) = &stage.base else {
                continue;
            };
            let image = ImageRef::parse(name);
            if image.digest.is_some() {
                continue;
            }
            let problem = match image.tag {
                None => "has no tag, so it pulls `latest`",
                Some(tag) if tag.eq_ignore_ascii_case("latest") => "uses the `latest` tag",
                Some(_) => continue,
            };
            let Some(from) = ctx.model.instruction(stage.from) else {
                continue;
            };
            let range = from
                .from_args()
                .map(|a| a.image.range)
                .unwrap_or_else(|| from.range());
            let range = usize::from(range.start())..usize::from(range.end());
            let resolved = if stage.base_text != *name {
                format!(" (`{}` resolves to `{name}`)", stage.base_text)
            } else {
                String::new()
            };
            out.report(
                range,
                format!(
                    "base image `{name}`{resolved} {problem}: the build changes whenever a new \
                     image is pushed"
                ),
            )
            .help("pin a version tag (and, for reproducible builds, a `@sha256:` digest)");
        }
    }
}
