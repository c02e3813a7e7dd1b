use crate::helpers::correctness::{line_range, span};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `CMD`, `ENTRYPOINT` or `HEALTHCHECK` followed by another of the same kind
    /// in the same stage. The earlier one is reported: it is the one that has no effect.
    ///
    /// ## Why it matters
    /// Only the last of each takes effect. The earlier one reads as if it configured the
    /// image, and someone editing it will wonder why nothing changes.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM busybox:1.36
    /// CMD ["/bin/true"]
    /// CMD ["/bin/false"]
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM busybox:1.36
    /// CMD ["/bin/false"]
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the fix deletes the instructions that a later one overrides, which had no
    /// effect on the image.
    pub struct RepeatedInstruction {
        name: "repeated-instruction",
        group: Correctness,
        level: Warning,
        aliases: [
            "DL4003",
            "DL4004",
            "DL3012",
            "MultipleInstructionsDisallowed",
            "DS-0007",
            "DS-0016",
            "DS-0023",
        ],
        fix: Safe,
        summary: "More than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in a stage",
    }
}

impl Check for RepeatedInstruction {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let index = ctx.parse.line_index();
        for stage in ctx.model.stages() {
            for kind in [
                InstructionKind::Cmd,
                InstructionKind::Entrypoint,
                InstructionKind::Healthcheck,
            ] {
                let ids: Vec<InstructionId> = stage
                    .instructions
                    .iter()
                    .copied()
                    .filter(|&i| ctx.model.instruction(i).is_some_and(|x| x.kind() == kind))
                    .collect();
                let Some((&last, earlier)) = ids.split_last() else {
                    continue;
                };
                let Some(last_ins) = ctx.model.instruction(last) else {
                    continue;
                };
                let last_line = index.line_col(last_ins.range().start()).line;
                for &id in earlier {
                    let Some(ins) = ctx.model.instruction(id) else {
                        continue;
                    };
                    out.report(
                        span(ins.keyword_range()),
                        format!(
                            "this `{}` has no effect: the one on line {last_line} of the same \
                             stage replaces it",
                            kind.as_str()
                        ),
                    )
                    .help(format!("keep one `{}` per stage", kind.as_str()))
                    .fix(Fix {
                        safety: FixSafety::Safe,
                        description: format!("delete the overridden `{}`", kind.as_str()),
                        edits: vec![Edit::delete(line_range(ctx.source, ins))],
                    });
                }
            }
        }
    }
}
