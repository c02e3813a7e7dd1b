use crate::helpers::correctness::span;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `WORKDIR` with a relative path when no `WORKDIR` of this build has set an
    /// absolute directory before it (in the stage, or a stage it is built on). The path is
    /// expanded first, so `WORKDIR $APP_HOME` with `ENV APP_HOME=/srv/app` is absolute. A
    /// relative `WORKDIR` after an absolute one is fine.
    ///
    /// ## Why it matters
    /// A relative path is joined to the base image's working directory, which this file
    /// does not show and which can change when the base image does: the files land
    /// somewhere else and the `CMD` no longer finds them.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM busybox:1.36
    /// WORKDIR usr/src/app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM busybox:1.36
    /// WORKDIR /usr/src/app
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the fix makes the path absolute from `/`, which is where it lands only when
    /// the base image's working directory is `/` (the usual case, not a certain one).
    pub struct RelativeWorkdir {
        name: "relative-workdir",
        group: Correctness,
        level: Warning,
        aliases: ["DL3000", "WorkdirRelativePath", "DS-0009", "CKV_DOCKER_10"],
        fix: Unsafe,
        summary: "Relative `WORKDIR` with no absolute one before it",
    }
}

/// Whether a path is absolute on Linux or Windows (`/x`, `\x`, `C:\x`, `C:/x`).
fn is_absolute(path: &str) -> bool {
    let bytes = path.as_bytes();
    path.starts_with('/')
        || path.starts_with('\\')
        || (bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':')
}

impl Check for RelativeWorkdir {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::Workdir) {
            let Some(state) = ctx.state(id) else {
                continue;
            };
            if state.workdir_set {
                continue;
            }
            let Some(arg) = ins.arguments().first().copied() else {
                continue;
            };
            let Some(Ok(expansion)) = ctx.model.expand_at(id, &arg.value) else {
                continue;
            };
            // A variable the base image may set could hold an absolute path.
            if !state.base_env_known && !expansion.unset().is_empty() {
                continue;
            }
            let path = expansion.value.as_str();
            if path.is_empty() || is_absolute(path) {
                continue;
            }
            let range = span(arg.range);
            let shown = if arg.value == path {
                format!("`WORKDIR {path}`")
            } else {
                format!("`WORKDIR {}` (`{path}`)", arg.value)
            };
            let finding = out.report(
                range.clone(),
                format!(
                    "relative {shown} resolves against the base image's working directory, \
                     which this file does not set"
                ),
            );
            finding.help("use an absolute path");
            // `WORKDIR "x"` keeps its quote in front of the slash.
            let at = match arg.value.chars().next() {
                Some('"' | '\'') => range.start + 1,
                _ => range.start,
            };
            finding.fix(Fix {
                safety: FixSafety::Unsafe,
                description: format!("make it `/{path}`"),
                edits: vec![Edit::insert(at, "/")],
            });
        }
    }
}
