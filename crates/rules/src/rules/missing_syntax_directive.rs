use crate::helpers::style::{line_ending, range};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Opt-in. Reports a Dockerfile without a `# syntax=` parser directive on its first
    /// lines.
    ///
    /// ## Why it matters
    /// Without the directive the build uses whatever Dockerfile frontend the builder
    /// happens to ship: an older Docker Engine or CI runner may not know `RUN --mount`,
    /// heredocs or `COPY --link`, and fails with a confusing parse error. With
    /// `# syntax=docker/dockerfile:1` BuildKit fetches the latest stable 1.x frontend,
    /// whatever the engine version, so every machine parses the file the same way.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN --mount=type=cache,target=/var/cache/apk apk add curl
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// # syntax=docker/dockerfile:1
    /// FROM alpine:3.20
    /// RUN --mount=type=cache,target=/var/cache/apk apk add curl
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the directive is added as the first line (after a byte-order mark, with the
    /// file's line ending). Other directives such as `# escape=` stay directives, as they
    /// still come before any instruction or other comment.
    pub struct MissingSyntaxDirective {
        name: "missing-syntax-directive",
        group: Style,
        level: Off,
        aliases: [],
        fix: Safe,
        summary: "No `# syntax=` directive pins the Dockerfile frontend",
    }
}

impl Check for MissingSyntaxDirective {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let file = ctx.file();
        if file.directive("syntax").is_some() {
            return;
        }
        let Some((_, first)) = ctx.instructions().next() else {
            return;
        };
        let at = if file.has_bom() { 3 } else { 0 };
        out.report(
            range(first.keyword_range()),
            "no `# syntax=` directive: the file is parsed by whatever Dockerfile frontend the \
             builder ships",
        )
        .help("add `# syntax=docker/dockerfile:1` as the first line")
        .fix(Fix {
            safety: FixSafety::Safe,
            description: "add `# syntax=docker/dockerfile:1`".into(),
            edits: vec![Edit::insert(
                at,
                format!("# syntax=docker/dockerfile:1{}", line_ending(ctx.source)),
            )],
        });
    }
}
