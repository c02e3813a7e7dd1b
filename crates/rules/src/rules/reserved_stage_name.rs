use crate::helpers::correctness::span;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a stage named `scratch` or `context` (any case): names BuildKit reserves.
    ///
    /// ## Why it matters
    /// `FROM scratch` always means the empty image and `context` names the build context
    /// in `--build-context`; a stage with one of these names cannot be referred to
    /// reliably, and a later `FROM scratch` does not build on it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20 AS scratch
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine:3.20 AS base
    /// RUN apk add --no-cache curl
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the new name is the author's choice.
    pub struct ReservedStageName {
        name: "reserved-stage-name",
        group: Correctness,
        level: Error,
        aliases: ["DL3063", "ReservedStageName"],
        fix: None,
        summary: "A stage is named `scratch` or `context`",
    }
}

impl Check for ReservedStageName {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for stage in ctx.model.stages() {
            let Some(name) = stage.name.as_deref() else {
                continue;
            };
            if name != "scratch" && name != "context" {
                continue;
            }
            let Some(written) = ctx.stage_name_as_written(stage) else {
                continue;
            };
            out.report(
                span(written.range),
                format!("`{}` is a reserved name and cannot name a stage", written.value),
            )
            .help("rename the stage (and the references to it)");
        }
    }
}
