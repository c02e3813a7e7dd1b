use std::ops::Range;

use crate::helpers::style::range;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a stage name (`FROM image AS Name`) that is not all lower case.
    ///
    /// ## Why it matters
    /// BuildKit lower-cases stage names, so `COPY --from=Builder` and `--from=builder`
    /// reach the same stage; mixed case only makes a reader wonder whether they are two
    /// stages, and image references (which a `FROM` of a stage name looks like) must be
    /// lower case. BuildKit warns about it on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine AS BuilderBase
    /// FROM BuilderBase
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine AS builderbase
    /// FROM builderbase
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the name is lower-cased at its declaration and at every reference in the file
    /// (`FROM <stage>`, `COPY --from=`, `RUN --mount=...,from=`), which BuildKit already
    /// matches without regard to case; `--target` on the command line is matched the same
    /// way.
    pub struct StageNameCasing {
        name: "stage-name-casing",
        group: Style,
        level: Info,
        aliases: ["StageNameCasing"],
        fix: Safe,
        summary: "A stage name that is not lower case",
    }
}

impl Check for StageNameCasing {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, ins) in ctx.instructions_of(InstructionKind::From) {
            let Some(name) = ins.from_args().and_then(|a| a.name) else {
                continue;
            };
            let written = name.value.as_str();
            let lower = written.to_ascii_lowercase();
            if written == lower {
                continue;
            }
            let mut ranges = vec![range(name.range)];
            ranges.extend(references(ctx, written));
            let edits = ranges
                .into_iter()
                .filter_map(|r| {
                    let text = ctx.source.get(r.clone())?;
                    Some(Edit::replace(r, text.to_ascii_lowercase()))
                })
                .collect::<Vec<_>>();
            let uses = edits.len().saturating_sub(1);
            let description = if uses == 0 {
                format!("rename the stage `{lower}`")
            } else {
                format!(
                    "rename the stage `{lower}` and its {uses} reference{}",
                    if uses == 1 { "" } else { "s" }
                )
            };
            out.report(
                range(name.range),
                format!("stage name `{written}` should be lower case"),
            )
            .help(format!("name the stage `{lower}`"))
            .fix(Fix {
                safety: FixSafety::Safe,
                description,
                edits,
            });
        }
    }
}

/// The ranges of the file where the stage `name` is referred to: `FROM name`, the value of
/// `COPY --from=name`, and the value of `from=name` in a `RUN --mount`.
fn references(ctx: &Context<'_>, name: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let same = |v: &str| v.trim_matches(['"', '\'']).eq_ignore_ascii_case(name);
    for (_, ins) in ctx.instructions() {
        match ins.kind() {
            InstructionKind::From => {
                if let Some(args) = ins.from_args() {
                    if same(&args.image.value) {
                        out.push(range(args.image.range));
                    }
                }
            }
            InstructionKind::Copy | InstructionKind::Add => {
                if let Some(flag) = ins.flag("from") {
                    if flag.value.as_deref().is_some_and(same) {
                        if let Some(r) = flag.value_range {
                            out.push(range(r));
                        }
                    }
                }
            }
            InstructionKind::Run => {
                for mount in ins.mounts() {
                    for option in mount.options.iter().filter(|o| o.key == "from") {
                        if !option.value.as_deref().is_some_and(same) {
                            continue;
                        }
                        let r = range(option.range);
                        let Some(text) = ctx.source.get(r.clone()) else {
                            continue;
                        };
                        if let Some(eq) = text.find('=') {
                            out.push(r.start + eq + 1..r.end);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}
