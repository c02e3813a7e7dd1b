use crate::helpers::correctness::span;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an instruction other than `ARG` before the first `FROM` (comments and
    /// parser directives are fine).
    ///
    /// ## Why it matters
    /// A Dockerfile must start with `FROM` (optionally after global `ARG`s): BuildKit
    /// refuses anything else there, so the build fails before it starts.
    ///
    /// ## Example
    /// ```dockerfile
    /// LABEL org.opencontainers.image.title="app"
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.title="app"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which stage the instruction belongs to is the author's choice.
    pub struct FirstInstruction {
        name: "first-instruction",
        group: Correctness,
        level: Error,
        aliases: ["DL3061"],
        fix: None,
        summary: "An instruction other than `ARG` before the first `FROM`",
    }
}

impl Check for FirstInstruction {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, ins) in ctx.instructions() {
            match ins.kind() {
                InstructionKind::From => break,
                InstructionKind::Arg | InstructionKind::Unknown => continue,
                _ => {
                    out.report(
                        span(ins.keyword_range()),
                        format!(
                            "`{}` before the first `FROM`: only `ARG` may come before it",
                            ins.keyword().to_ascii_uppercase()
                        ),
                    )
                    .help("move it after the `FROM` of the stage it belongs to");
                }
            }
        }
    }
}
