use crate::helpers::correctness::span;
use crate::helpers::reliability::stage_image;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` to a relative destination (`COPY app.py .`, `COPY
    /// entrypoint.sh entrypoint.sh`) when no `WORKDIR` of this build is in effect, neither
    /// in the stage nor in a stage it is built on (DL3045). The destination is expanded
    /// first, so `COPY x $APP_HOME/` with `ENV APP_HOME=/srv/app` is absolute. A stage that
    /// starts from `scratch` is not reported: its working directory is `/` for certain.
    ///
    /// ## Why it matters
    /// A relative destination is joined to the base image's working directory, which
    /// this file does not show and which changes when the base image does (one image
    /// has none, the next sets `WORKDIR /app`). The files then land elsewhere, and a
    /// `CMD ["./entrypoint.sh"]` or a later `COPY --from=stage /entrypoint.sh` stops
    /// finding them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY app.py .
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// WORKDIR /app
    /// COPY app.py .
    /// CMD ["python", "app.py"]
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: which directory the files should go to (and whether the later
    /// instructions expect them there) is the author's choice.
    pub struct CopyRelativeDestWithoutWorkdir {
        name: "copy-relative-dest-without-workdir",
        group: Correctness,
        level: Info,
        aliases: ["DL3045"],
        fix: None,
        summary: "`COPY` to a relative destination with no `WORKDIR` set",
    }
}

/// Whether a path is absolute on Linux or Windows (`/x`, `\x`, `C:\x`, `C:/x`).
fn is_absolute(path: &str) -> bool {
    let mut chars = path.chars();
    match (chars.next(), chars.next()) {
        (Some('/' | '\\'), _) => true,
        (Some(drive), Some(':')) => drive.is_ascii_alphabetic(),
        _ => false,
    }
}

impl Check for CopyRelativeDestWithoutWorkdir {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions() {
            if !matches!(ins.kind(), InstructionKind::Copy | InstructionKind::Add) {
                continue;
            }
            let Some(state) = ctx.state(id) else {
                continue;
            };
            if state.workdir_set {
                continue;
            }
            let Some(stage) = ctx.stage_of(id) else {
                continue;
            };
            if stage_image(ctx, stage.index).as_deref() == Some("scratch") {
                continue;
            }
            let Some(dest) = ins.copy_args().and_then(|a| a.dest) else {
                continue;
            };
            let Some(Ok(expansion)) = ctx.model.expand_at(id, &dest.value) else {
                continue;
            };
            // A variable the base image may set could hold an absolute path.
            if !state.base_env_known && !expansion.unset().is_empty() {
                continue;
            }
            let path = expansion.value.trim_matches(['"', '\'']);
            // Still a `$`: a value the expansion could not settle.
            if path.is_empty() || is_absolute(path) || path.contains('$') {
                continue;
            }
            let keyword = if ins.kind() == InstructionKind::Add {
                "ADD"
            } else {
                "COPY"
            };
            let base = stage_image(ctx, stage.index)
                .map_or_else(|| "the base image".to_string(), |image| format!("`{image}`"));
            out.report(
                span(dest.range),
                format!(
                    "`{keyword}` to the relative `{path}` lands in {base}'s working directory: \
                     no `WORKDIR` of this file says where that is"
                ),
            )
            .help("set `WORKDIR` (an absolute path) before it, or give an absolute destination");
        }
    }
}
