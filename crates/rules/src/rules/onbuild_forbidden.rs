use crate::helpers::correctness::span;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an `ONBUILD` whose trigger is `ONBUILD`, `FROM` or `MAINTAINER`.
    ///
    /// ## Why it matters
    /// The Dockerfile reference forbids these triggers: the build of any image that uses
    /// this one as its base fails when the trigger runs, far from the line that caused it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm
    /// ONBUILD ONBUILD RUN echo "two levels down"
    /// ONBUILD FROM alpine:3.20
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm
    /// ONBUILD RUN echo "in the child image"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: what the trigger should do instead is the author's choice.
    pub struct OnbuildForbidden {
        name: "onbuild-forbidden",
        group: Correctness,
        level: Error,
        aliases: ["DL3043"],
        fix: None,
        summary: "`ONBUILD ONBUILD`, `ONBUILD FROM` or `ONBUILD MAINTAINER`",
    }
}

impl Check for OnbuildForbidden {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, ins) in ctx.instructions_of(InstructionKind::Onbuild) {
            let Some(trigger) = ins.onbuild() else {
                continue;
            };
            let kind = trigger.kind();
            if !matches!(
                kind,
                InstructionKind::Onbuild | InstructionKind::From | InstructionKind::Maintainer
            ) {
                continue;
            }
            out.report(
                span(trigger.keyword_range()),
                format!(
                    "`ONBUILD {}` is not allowed: the build of every image based on this one \
                     fails when the trigger runs",
                    kind.as_str()
                ),
            )
            .help("remove this trigger, or write it as a plain ONBUILD of another instruction");
        }
    }
}
