use crate::helpers::correctness::{stage_refs, StageRefKind};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY --from=` or `RUN --mount=...,from=` that names the stage it is in,
    /// by name (any case) or, for `COPY`, by index.
    ///
    /// ## Why it matters
    /// A stage cannot read its own result while it is being built: BuildKit stops with a
    /// circular dependency error.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// COPY --from=build /src/app /usr/local/bin/app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /src/app ./cmd/app
    ///
    /// FROM debian:bookworm-slim
    /// COPY --from=build /src/app /usr/local/bin/app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the stage meant is the author's choice.
    pub struct StageSelfReference {
        name: "stage-self-reference",
        group: Correctness,
        level: Error,
        aliases: ["DL3023", "DS-0006"],
        fix: None,
        summary: "`COPY --from` names the stage it is in",
    }
}

impl Check for StageSelfReference {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for r in stage_refs(ctx) {
            let Some(stage) = ctx.model.stage(r.stage) else {
                continue;
            };
            let by_name = stage
                .name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(&r.value));
            let by_index = r.kind == StageRefKind::CopyFrom
                && r.value.parse::<usize>().ok() == Some(stage.index);
            if !by_name && !by_index {
                continue;
            }
            out.report(
                r.range.clone(),
                format!(
                    "`{}` names the stage `{}` it is in: a stage cannot read its own result",
                    r.describe(),
                    stage.display_name()
                ),
            )
            .help("copy from an earlier stage, or split this stage in two");
        }
    }
}
