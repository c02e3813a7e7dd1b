use crate::helpers::reliability::ImageRef;
use crate::helpers::style::range;
use crate::prelude::*;
use dockopt_model::Base;

declare_rule! {
    /// ## What it does
    /// Opt-in. Reports a `FROM` image without a digest (`@sha256:...`), after resolving ARG
    /// defaults the way BuildKit does (`FROM python:${PY}` is judged as `python:3.12`).
    /// Stages used as bases and `scratch` are fine. `base-image-unpinned` already reports
    /// images without a tag or with `latest`; this rule asks for more.
    ///
    /// ## Why it matters
    /// A tag is a pointer the publisher moves: `python:3.12-slim` is rebuilt for every
    /// Debian security update, so the same Dockerfile builds on different bases from week
    /// to week, and a registry compromise can swap the image behind a tag. A digest names
    /// exactly one image; tools such as Renovate or Dependabot keep it up to date.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim@sha256:<digest printed by `docker buildx imagetools inspect`>
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: dockopt works offline and cannot look the digest up.
    pub struct BaseImageNoDigest {
        name: "base-image-no-digest",
        group: Reliability,
        level: Off,
        aliases: [],
        fix: None,
        summary: "`FROM` an image without a `@sha256:` digest",
    }
}

impl Check for BaseImageNoDigest {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for stage in ctx.model.stages() {
            let Base::Image(name) = &stage.base else {
                continue;
            };
            if ImageRef::parse(name).digest.is_some() || name.contains('$') {
                continue;
            }
            let Some(from) = ctx.model.instruction(stage.from) else {
                continue;
            };
            let at = from
                .from_args()
                .map(|a| range(a.image.range))
                .unwrap_or_else(|| range(from.range()));
            let resolved = if stage.base_text != *name {
                format!(" (`{}` resolves to `{name}`)", stage.base_text)
            } else {
                String::new()
            };
            out.report(
                at,
                format!(
                    "base image `{name}`{resolved} has no digest: the tag can point to a different \
                     image on the next build"
                ),
            )
            .help(format!(
                "pin the digest: `{name}@sha256:<digest>` (and let a bot update it)"
            ));
        }
    }
}
