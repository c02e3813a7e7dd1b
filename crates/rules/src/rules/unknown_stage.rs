use crate::helpers::correctness::{
    names_before, span, stage_names, stage_refs, suggest, StageRefKind,
};
use crate::prelude::*;
use dockopt_model::Base;

declare_rule! {
    /// ## What it does
    /// Reports a reference to a stage that does not exist:
    /// - `COPY --from=` / `RUN --mount=...,from=` with a stage index past the last stage,
    ///   or a bare name (no registry, tag or digest) that no stage has and that is a near
    ///   miss of a stage name or a name usually given to stages (`build`, `builder`,
    ///   `base`...); other bare names may be build contexts passed with
    ///   `--build-context` and are left alone;
    /// - `FROM name` where `name` is a stage defined later in the file (`FROM` only sees
    ///   earlier stages), the name of an earlier stage in another case, or a near miss of
    ///   an earlier stage's name.
    ///
    /// ## Why it matters
    /// A name that is not a stage is pulled as an image (`--from=biuld` means
    /// `docker.io/library/biuld:latest`): the build fails with a confusing registry error,
    /// or, worse, copies files out of a stranger's image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN go build -o /out/app .
    /// FROM debian:bookworm-slim
    /// COPY --from=build /out/app /usr/local/bin/app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM golang:1.23 AS builder
    /// RUN go build -o /out/app .
    /// FROM debian:bookworm-slim
    /// COPY --from=builder /out/app /usr/local/bin/app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the help names the stage the reference most likely means.
    pub struct UnknownStage {
        name: "unknown-stage",
        group: Correctness,
        level: Error,
        aliases: ["DL3022"],
        fix: None,
        summary: "`COPY --from`, `--mount=from` or `FROM` names a stage that does not exist",
    }
}

/// Names commonly given to stages and seldom to images or build contexts.
const CONVENTIONAL_STAGE_NAMES: [&str; 14] = [
    "build", "builder", "base", "deps", "dependencies", "compile", "compiler", "dev", "runtime",
    "final", "release", "prod", "production", "test",
];

/// Whether a `--from` value reads as an image reference rather than a stage name.
fn looks_like_image(value: &str) -> bool {
    value.contains([':', '/', '@'])
}

impl Check for UnknownStage {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let names = stage_names(ctx);
        let count = ctx.model.stages().len();
        for r in stage_refs(ctx) {
            let value = r.value.as_str();
            if value.contains('$') || looks_like_image(value) {
                continue;
            }
            if r.kind == StageRefKind::CopyFrom && value.bytes().all(|b| b.is_ascii_digit()) {
                if value.parse::<usize>().is_ok_and(|i| i < count) {
                    continue;
                }
                out.report(
                    r.range.clone(),
                    format!(
                        "`{}`: there is no stage {value}, the file has {count} stage{}",
                        r.describe(),
                        if count == 1 { "" } else { "s" }
                    ),
                )
                .help("stage indexes count from 0; name the stage with `AS` and use the name");
                continue;
            }
            let lower = value.to_ascii_lowercase();
            if names.contains(&lower.as_str()) {
                continue;
            }
            // A bare name may also be a named build context (`--build-context name=...`):
            // report only a near miss of a stage name, or a conventional stage name.
            let near = suggest(value, names.iter().copied());
            if near.is_none() && !CONVENTIONAL_STAGE_NAMES.contains(&lower.as_str()) {
                continue;
            }
            let finding = out.report(
                r.range.clone(),
                format!(
                    "`{}`: no stage is named `{value}`, so unless the build is given a build \
                     context of that name, BuildKit pulls the image \
                     `docker.io/library/{lower}:latest`",
                    r.describe()
                ),
            );
            match near {
                Some(near) => finding.help(format!("did you mean the stage `{near}`?")),
                None => finding.help(format!("name the stage it means with `AS {lower}`")),
            };
        }
        for stage in ctx.model.stages() {
            let Base::Image(base) = &stage.base else {
                continue;
            };
            if looks_like_image(base) {
                continue;
            }
            let Some(arg) = ctx
                .model
                .instruction(stage.from)
                .and_then(|f| f.from_args())
                .map(|a| a.image)
            else {
                continue;
            };
            let earlier = names_before(ctx, stage.index);
            let later = ctx
                .model
                .stages()
                .iter()
                .skip(stage.index + 1)
                .find(|s| s.name.as_deref() == Some(base.to_ascii_lowercase().as_str()));
            let (message, help) = if let Some(later) = later {
                (
                    format!(
                        "`FROM {base}`: the stage `{base}` is defined later (line {}); `FROM` \
                         only sees earlier stages, so this pulls an image named `{base}`",
                        ctx.parse
                            .line_index()
                            .line_col(
                                ctx.model
                                    .instruction(later.from)
                                    .map_or(arg.range.start(), |f| f.range().start())
                            )
                            .line
                    ),
                    "move the stage above this one".to_string(),
                )
            } else if let Some(same) = earlier.iter().find(|n| n.eq_ignore_ascii_case(base)) {
                (
                    format!(
                        "`FROM {base}` does not match the stage `{same}`: `FROM` matches stage \
                         names exactly, so this pulls an image named `{base}`"
                    ),
                    format!("write `FROM {same}`"),
                )
            } else if let Some(near) = suggest(base, earlier.iter().copied()) {
                (
                    format!(
                        "`FROM {base}`: no stage is named `{base}`, so this pulls the image \
                         `docker.io/library/{base}:latest`"
                    ),
                    format!("did you mean the stage `{near}`?"),
                )
            } else {
                continue;
            };
            out.report(span(arg.range), message).help(help);
        }
    }
}
