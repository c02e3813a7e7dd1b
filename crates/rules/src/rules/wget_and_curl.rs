use crate::helpers::reliability::stage_lineage;
use crate::helpers::size::line_of;
use crate::helpers::style::{commands_named, NamedCommand};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an image that uses both `curl` and `wget` in its `RUN` steps: in one stage,
    /// or in a stage and the stages it is built on (`FROM <stage>`). Stages that become
    /// different images (an Alpine stage with busybox `wget` next to a Debian stage with
    /// `curl`) are not compared. The finding points at the first use of the tool the stage
    /// adds second.
    ///
    /// ## Why it matters
    /// Two downloaders do the same job: the image carries both (and their TLS libraries),
    /// and the steps behave differently on redirects, retries and errors (`wget` fails on
    /// HTTP errors, `curl` does not without `-f`), which makes failures harder to follow.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN wget http://google.com
    /// RUN curl http://bing.com
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN curl http://google.com
    /// RUN curl http://bing.com
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the two tools take different options, so the commands must be
    /// rewritten by hand.
    pub struct WgetAndCurl {
        name: "wget-and-curl",
        group: Correctness,
        level: Info,
        aliases: ["DL4001", "DS-0014"],
        fix: None,
        summary: "Both `wget` and `curl` used in one image",
    }
}

impl Check for WgetAndCurl {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let uses = commands_named(ctx, &["curl", "wget"]);
        if !uses.iter().any(|u| u.name == "curl") || !uses.iter().any(|u| u.name == "wget") {
            return;
        }
        let stage_of = |u: &NamedCommand<'_>| ctx.stage_of(u.id).map(|s| s.index);
        for stage in ctx.model.stages() {
            let lineage = stage_lineage(ctx, stage.index);
            let in_image: Vec<&NamedCommand<'_>> = uses
                .iter()
                .filter(|u| stage_of(u).is_some_and(|s| lineage.contains(&s)))
                .collect();
            let Some(first) = in_image.first() else {
                continue;
            };
            // The first use, in this stage, of the tool other than the one used first.
            let Some(second) = in_image
                .iter()
                .find(|u| u.name != first.name && stage_of(u) == Some(stage.index))
            else {
                continue;
            };
            let first_line = line_of(
                ctx.source,
                first.script.file_range(first.program.span).start,
            );
            out.report(
                second.script.file_range(second.program.span),
                format!(
                    "`{}` here and `{}` at line {first_line}: the image needs two downloaders \
                     that behave differently",
                    second.name, first.name
                ),
            )
            .help(format!("use `{}` for every download", first.name));
        }
    }
}
