use crate::helpers::speed::{insert_flag, range, root_image};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `COPY --from=...` without `--link`, and any `COPY` in a stage built `FROM
    /// scratch` (where every destination is fresh) without it. A `--link=false` written on
    /// purpose is respected.
    ///
    /// ## Why it matters
    /// Without `--link`, the copied files are applied on top of the layers before them, so
    /// the layer's cache depends on all of them: a new base image or a change to an earlier
    /// step rebuilds it and makes users download it again. With `--link` the files form an
    /// independent layer that BuildKit reuses as it is, even on a new base image
    /// (`--cache-from` of a previous release keeps it).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static
    /// COPY --from=build /out/app /app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM gcr.io/distroless/static
    /// COPY --link --from=build /out/app /app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: with `--link`, the destination's parent directories are not looked up in the
    /// earlier layers, so copying into a path that is a symlink there (`/bin` on a
    /// merged-`/usr` image, a symlinked `/app`) replaces the link instead of following it.
    /// Windows stages, which do not support `--link`, are not reported.
    pub struct CopyLink {
        name: "copy-link",
        group: Speed,
        level: Info,
        aliases: [],
        fix: Unsafe,
        summary: "COPY from a stage or into a fresh tree without `--link`",
    }
}

fn is_windows(image: &str) -> bool {
    let lower = image.to_ascii_lowercase();
    ["windows", "nanoserver", "servercore", "ltsc20"]
        .iter()
        .any(|w| lower.contains(w))
}

impl Check for CopyLink {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        if ctx.file().escape() == '`' {
            return;
        }
        for (id, ins) in ctx.instructions_of(InstructionKind::Copy) {
            let Some(args) = ins.copy_args() else {
                continue;
            };
            if args.flags.link.is_some() {
                continue;
            }
            let Some(stage) = ctx.stage_of(id) else {
                continue;
            };
            if root_image(ctx, stage.index).is_some_and(|i| is_windows(&i)) {
                continue;
            }
            let scratch = matches!(stage.base, dockopt_model::Base::Scratch);
            let message = match (&args.flags.from, scratch) {
                (Some(from), _) => format!(
                    "`COPY --from={}` without `--link`: the layer is rebuilt and pulled again whenever an earlier layer or the base image changes",
                    from.value.as_deref().unwrap_or("")
                ),
                (None, true) => "`COPY` into a `scratch` stage without `--link`: the layer is rebuilt whenever an earlier layer changes".to_string(),
                (None, false) => continue,
            };
            let at = args
                .flags
                .from
                .as_ref()
                .map_or_else(|| range(ins.keyword_range()), |f| range(f.range));
            out.report(at, message)
                .help("add `--link` so the layer is independent of the layers before it")
                .fix(Fix {
                    safety: FixSafety::Unsafe,
                    description: "add `--link`".to_string(),
                    edits: vec![insert_flag(ctx, ins, "--link")],
                });
        }
    }
}
