use crate::helpers::correctness::span;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` with more than one source (heredocs included) whose
    /// destination does not end with `/`.
    ///
    /// ## Why it matters
    /// With several sources the destination must be a directory, and the Dockerfile
    /// reference requires it to end with `/` to say so: depending on the builder the build
    /// fails, or each source overwrites the previous one at the same file path.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-bookworm-slim
    /// COPY package.json yarn.lock my_app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM node:22-bookworm-slim
    /// COPY package.json yarn.lock my_app/
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: appending `/` makes the destination a directory; a builder that copied each
    /// source onto one file would have left only the last one there.
    pub struct CopyMultipleSourcesToFile {
        name: "copy-multiple-sources-to-file",
        group: Correctness,
        level: Error,
        aliases: ["DL3021", "DS-0011"],
        fix: Unsafe,
        summary: "`COPY` of several sources to a destination without a trailing `/`",
    }
}

/// Whether a destination names a directory: a trailing separator, or `.`/`..`.
fn is_directory(dest: &str) -> bool {
    dest.is_empty()
        || dest.ends_with('/')
        || dest.ends_with('\\')
        || dest == "."
        || dest == ".."
        || dest.ends_with("/.")
        || dest.ends_with("/..")
}

impl Check for CopyMultipleSourcesToFile {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions() {
            let Some(copy) = ins.copy_args() else {
                continue;
            };
            if copy.sources.len() < 2 {
                continue;
            }
            let Some(dest) = copy.dest else {
                continue;
            };
            let is_json = matches!(ins.args(), Args::Exec(_));
            let written = dest.value.as_str();
            let unquoted = if is_json {
                written
            } else {
                written.trim_matches(|c| c == '"' || c == '\'')
            };
            if is_directory(unquoted) {
                continue;
            }
            // A variable may hold the trailing slash.
            if unquoted.contains('$') {
                match ctx.model.expand_at(id, written) {
                    Some(Ok(e)) if e.unset().is_empty() && !is_directory(&e.value) => {}
                    _ => continue,
                }
            }
            let range = span(dest.range);
            // Insert before a closing quote (JSON string or quoted word).
            let closing = is_json
                || (written.len() > 1
                    && (written.ends_with('"') || written.ends_with('\''))
                    && written.starts_with(&written[written.len() - 1..]));
            let at = if closing { range.end - 1 } else { range.end };
            out.report(
                range,
                format!(
                    "{} copies {} sources to `{unquoted}`, which does not end with `/`: with \
                     several sources the destination must be a directory",
                    ins.kind().as_str(),
                    copy.sources.len()
                ),
            )
            .help(format!("write the destination as `{unquoted}/`"))
            .fix(Fix {
                safety: FixSafety::Unsafe,
                description: format!("make the destination `{unquoted}/`"),
                edits: vec![Edit::insert(at, "/")],
            });
        }
    }
}
