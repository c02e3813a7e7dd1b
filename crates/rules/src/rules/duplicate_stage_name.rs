use crate::helpers::correctness::span;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a stage name (`FROM ... AS name`) already used by an earlier stage. Names
    /// are compared without regard to case, as BuildKit compares them.
    ///
    /// ## Why it matters
    /// `COPY --from=name`, `RUN --mount=from=name` and `--target name` can reach only one
    /// of the stages: BuildKit picks the last one, so the other is dead code, or the copy
    /// silently takes files from a different stage than the author meant.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm AS build
    /// RUN make
    /// FROM debian:bookworm AS build
    /// RUN make test
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm AS build
    /// RUN make
    /// FROM debian:bookworm AS test
    /// RUN make test
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only the author knows which of the stages the references mean.
    pub struct DuplicateStageName {
        name: "duplicate-stage-name",
        group: Correctness,
        level: Error,
        aliases: ["DL3024", "DuplicateStageName", "DS-0012", "CKV_DOCKER_11"],
        fix: None,
        summary: "Two stages share one name",
    }
}

impl Check for DuplicateStageName {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let stages = ctx.model.stages();
        for (i, stage) in stages.iter().enumerate() {
            let Some(name) = stage.name.as_deref() else {
                continue;
            };
            let Some(first) = stages
                .iter()
                .take(i)
                .find(|s| s.name.as_deref() == Some(name))
            else {
                continue;
            };
            let Some(written) = ctx.stage_name_as_written(stage) else {
                continue;
            };
            let line = ctx
                .model
                .instruction(first.from)
                .map(|f| ctx.parse.line_index().line_col(f.range().start()).line)
                .unwrap_or(0);
            out.report(
                span(written.range),
                format!(
                    "stage name `{}` is already used by the stage on line {line}: references \
                     to it reach only the last one",
                    written.value
                ),
            )
            .help("give each stage a distinct name");
        }
    }
}
