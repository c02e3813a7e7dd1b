use crate::helpers::speed::{
    copy_destination, instruction_lines, is_under, line_end_inclusive, range, short, source_copy,
    SourceCopy,
};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `COPY`/`ADD` of the source tree (`COPY . .`, `ADD . /app`, or a source
    /// directory such as `COPY src/ src/`) that comes before a dependency install needing
    /// only the manifests: `npm ci`/`npm install`, `yarn install`, `pnpm install`, `bun
    /// install` (package.json and the lock file), `pip install -r FILE` and `uv pip install
    /// -r FILE` (the requirement files), `uv sync --no-install-project` (pyproject.toml,
    /// uv.lock), `poetry install --no-root` (pyproject.toml, poetry.lock), `go mod download`
    /// (go.mod, go.sum), `cargo fetch` (Cargo.toml, Cargo.lock), `bundle install` (Gemfile,
    /// Gemfile.lock), `composer install --no-scripts` (composer.json, composer.lock),
    /// `mvn dependency:go-offline` (pom.xml), `gradle dependencies` (build.gradle,
    /// settings.gradle). The manifests are decided from the install command, so the rule
    /// works without the build context.
    ///
    /// ## Why it matters
    /// The copy's cache key covers every file it copies, so editing any source file
    /// reruns the install after it: minutes of downloads for a one-line change. For a
    /// released image, the dependency layer changes with every release and every user
    /// pulls it again.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . .
    /// RUN npm ci
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY package.json package-lock.json* ./
    /// RUN npm ci
    /// COPY . .
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the install no longer sees the rest of the source, which matters when it
    /// runs project scripts (`postinstall`, a local path dependency, a workspace member)
    /// or when the manifests are not the usual ones. The fix copies the manifests (lock
    /// files with a wildcard, so a missing one is not an error) where the source copy
    /// was, and moves the source copy to just after the install. It is offered only when
    /// the steps in between do not need the source (`ENV`, `ARG`, `LABEL`, `EXPOSE`,
    /// `USER`, OS package installs) and the install runs in the copy's destination or
    /// below it.
    pub struct SourceBeforeDependencies {
        name: "source-before-dependencies",
        group: Speed,
        level: Warning,
        aliases: [],
        fix: Unsafe,
        summary: "The source tree is copied before a dependency install that needs only manifests",
    }
}

/// The manifests a dependency install reads, relative to its working directory, when it
/// needs nothing else.
fn manifests(op: &PkgOp) -> Option<Vec<String>> {
    let v = |items: &[&str]| Some(items.iter().map(|s| s.to_string()).collect());
    let no_packages = op.packages.is_empty();
    let has = |name: &str| op.flags.iter().any(|f| f.name == name);
    let requirement_files = || -> Option<Vec<String>> {
        let files: Vec<String> = op
            .flags
            .iter()
            .filter(|f| matches!(f.meaning, Some(Meaning::Requirement | Meaning::Constraint)))
            .filter_map(|f| f.value.clone())
            .collect();
        (!files.is_empty() && no_packages && !op.has(Meaning::Editable)).then_some(files)
    };
    match (op.manager, op.operation) {
        (Manager::Npm, Operation::Install) if no_packages && !op.has(Meaning::Global) => {
            v(&["package.json", "package-lock.json*"])
        }
        (Manager::Yarn, Operation::Install) if no_packages && !op.has(Meaning::Global) => {
            v(&["package.json", "yarn.lock*"])
        }
        (Manager::Pnpm, Operation::Install) if no_packages && !op.has(Meaning::Global) => {
            v(&["package.json", "pnpm-lock.yaml*"])
        }
        (Manager::Bun, Operation::Install) if no_packages && !op.has(Meaning::Global) => {
            v(&["package.json", "bun.lock*"])
        }
        (Manager::Pip, Operation::Install | Operation::Download) => requirement_files(),
        (Manager::Uv, Operation::Install) => {
            if op.subcommand.first().is_some_and(|s| s == "pip") {
                requirement_files()
            } else if op.subcommand.first().is_some_and(|s| s == "sync")
                && (has("--no-install-project") || has("--no-install-workspace"))
            {
                v(&["pyproject.toml", "uv.lock"])
            } else {
                None
            }
        }
        (Manager::Poetry, Operation::Install) if has("--no-root") => {
            v(&["pyproject.toml", "poetry.lock"])
        }
        (Manager::Go, Operation::Download) => v(&["go.mod", "go.sum"]),
        (Manager::Cargo, Operation::Download)
            if op.subcommand.first().is_some_and(|s| s == "fetch") =>
        {
            v(&["Cargo.toml", "Cargo.lock"])
        }
        (Manager::Bundle, Operation::Install) => v(&["Gemfile", "Gemfile.lock"]),
        (Manager::Composer, Operation::Install) if no_packages && has("--no-scripts") => {
            v(&["composer.json", "composer.lock*"])
        }
        (Manager::Maven, Operation::Download) => v(&["pom.xml"]),
        (Manager::Gradle, Operation::Download) => v(&["build.gradle*", "settings.gradle*"]),
        _ => None,
    }
}

/// Whether the install reads local paths other than its manifests (pip's `--find-links`,
/// `--index-url`/`--extra-index-url` given as paths or `file:` URLs, `--editable`) from
/// under `dest`, where the copy puts the source tree.
fn reads_copied_paths(op: &PkgOp, workdir: &str, dest: &str) -> bool {
    const PATH_FLAGS: [&str; 8] = [
        "--find-links",
        "-f",
        "--index-url",
        "-i",
        "--extra-index-url",
        "--editable",
        "-e",
        "--src",
    ];
    op.flags
        .iter()
        .filter(|f| PATH_FLAGS.contains(&f.name.as_str()) || f.meaning == Some(Meaning::Editable))
        .filter_map(|f| f.value.as_deref())
        .filter_map(|value| match value.split_once("://") {
            Some(("file", path)) => Some(path),
            Some(_) => None,
            None => Some(value),
        })
        .any(|path| is_under(&dockopt_model::normalize_workdir(workdir, path), dest))
}

/// A step that can run before the source is copied: it cannot read it.
fn independent_of_source(ctx: &Context<'_>, id: InstructionId, dest_absolute: bool) -> bool {
    let Some(ins) = ctx.model.instruction(id) else {
        return false;
    };
    match ins.kind() {
        InstructionKind::Env
        | InstructionKind::Arg
        | InstructionKind::Label
        | InstructionKind::Expose
        | InstructionKind::User => true,
        InstructionKind::Workdir => dest_absolute,
        InstructionKind::Run => {
            let scripts = ctx.scripts(id);
            !scripts.is_empty()
                && scripts.iter().all(|s| {
                    s.script.commands().all(|c| {
                        s.operations
                            .iter()
                            .any(|o| o.node == c.id() && o.manager.is_os())
                    })
                })
        }
        _ => false,
    }
}

impl Check for SourceBeforeDependencies {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for stage in ctx.model.stages() {
            let ids = &stage.instructions;
            for (p, &copy_id) in ids.iter().enumerate() {
                let Some(copy) = ctx.model.instruction(copy_id) else {
                    continue;
                };
                if !matches!(copy.kind(), InstructionKind::Copy | InstructionKind::Add) {
                    continue;
                }
                let Some(kind) = source_copy(copy) else {
                    continue;
                };
                let Some(dest) = copy_destination(ctx, copy_id, copy) else {
                    continue;
                };
                // The first dependency install after it, with what it reads.
                let found = ids.iter().skip(p + 1).find_map(|&run| {
                    ctx.scripts(run).iter().find_map(|s| {
                        s.operations
                            .iter()
                            .find_map(|o| manifests(o).map(|m| (run, s, o, m)))
                    })
                });
                let Some((run_id, script, op, files)) = found else {
                    continue;
                };
                // Where the manifests are, as absolute paths.
                let workdir = ctx
                    .state(run_id)
                    .map_or_else(|| "/".to_string(), |s| s.workdir.clone());
                // `cd dir && npm ci` installs in `dir`.
                let env = crate::helpers::speed::command_env(ctx, run_id, script, op);
                let workdir =
                    crate::helpers::size::command_cwd(script, op.span.start, &env, &workdir)
                        .unwrap_or(workdir);
                let absolute: Vec<String> = files
                    .iter()
                    .map(|f| dockopt_model::normalize_workdir(&workdir, f))
                    .collect();
                if kind == SourceCopy::Directory && absolute.iter().any(|f| is_under(f, &dest)) {
                    // The directory holds the manifests: it is needed.
                    continue;
                }
                let command = short(op.span.text(script.script.source()));
                let line = ctx.model.instruction(run_id).map_or(0, |x| {
                    ctx.parse.line_index().line_col(x.range().start()).line
                });
                let relative_to = match kind {
                    SourceCopy::Whole => dest.clone(),
                    SourceCopy::Directory => workdir.clone(),
                };
                let names: Vec<String> = absolute
                    .iter()
                    .map(|f| {
                        let f = f.trim_end_matches('*');
                        f.strip_prefix(relative_to.trim_end_matches('/'))
                            .filter(|r| r.starts_with('/'))
                            .map_or(f, |r| r.trim_start_matches('/'))
                            .to_string()
                    })
                    .collect();
                let what = match kind {
                    SourceCopy::Whole => "the whole source tree",
                    SourceCopy::Directory => "a source directory",
                };
                let r = out.report(
                    range(copy.args_range()),
                    format!(
                        "`{}` copies {what} before `{command}` (line {line}), which needs only {}: any source edit reruns the install",
                        short(ctx.source.get(range(copy.range())).unwrap_or("")),
                        names.join(" and ")
                    ),
                );
                let reads_paths = reads_copied_paths(op, &workdir, &dest);
                if reads_paths {
                    r.help(format!(
                        "copy {} and the local folders the install reads (`--find-links`, `-e`) first, install, then copy the rest",
                        names.join(" and ")
                    ));
                } else {
                    r.help(format!(
                        "copy {} first, install, then copy the rest",
                        names.join(" and ")
                    ));
                }
                let between: Vec<InstructionId> = ids
                    .iter()
                    .copied()
                    .filter(|i| *i > copy_id && *i < run_id)
                    .collect();
                let dest_written = copy
                    .copy_args()
                    .and_then(|a| a.dest.map(|d| d.value.clone()))
                    .unwrap_or_default();
                let dest_absolute = dest_written.starts_with('/');
                if !between
                    .iter()
                    .all(|i| independent_of_source(ctx, *i, dest_absolute))
                {
                    continue;
                }
                // An install that also reads other local paths from the copied tree
                // (`--find-links ./vendor`, `-e .`) would fail with only the manifests there.
                if reads_paths {
                    continue;
                }
                if let Some(fix) =
                    build_fix(ctx, copy, run_id, kind, &dest, &dest_written, &absolute)
                {
                    r.fix(fix);
                }
            }
        }
    }
}

fn build_fix(
    ctx: &Context<'_>,
    copy: &Instruction,
    run_id: InstructionId,
    kind: SourceCopy,
    dest: &str,
    dest_written: &str,
    manifests: &[String],
) -> Option<Fix> {
    let copy_lines = instruction_lines(ctx.source, copy)?;
    let run = ctx.model.instruction(run_id)?;
    let after_run = line_end_inclusive(ctx.source, usize::from(run.range().end()));
    let mut moved = ctx.source.get(copy_lines.clone())?.to_string();
    if after_run == ctx.source.len() && !ctx.source.ends_with('\n') {
        moved = format!("\n{}", moved.trim_end_matches('\n'));
    }
    let mut replacement = String::new();
    if kind == SourceCopy::Whole {
        // Manifest paths in the build context, grouped by the folder they go to.
        let mut groups: Vec<(String, Vec<String>)> = Vec::new();
        for m in manifests {
            let relative = m
                .strip_prefix(dest.trim_end_matches('/'))?
                .trim_start_matches('/');
            if relative.is_empty() || relative.contains("..") || relative.contains('$') {
                return None;
            }
            let folder = relative.rsplit_once('/').map_or("", |(d, _)| d).to_string();
            match groups.iter_mut().find(|(f, _)| *f == folder) {
                Some((_, items)) => items.push(relative.to_string()),
                None => groups.push((folder, vec![relative.to_string()])),
            }
        }
        let flags: Vec<&str> = copy
            .flags()
            .iter()
            .filter(|f| f.name != "exclude" && f.name != "parents")
            .map(|f| f.raw.as_str())
            .collect();
        let keyword = copy.keyword();
        let keyword = if keyword.eq_ignore_ascii_case("add") {
            if keyword == "ADD" {
                "COPY"
            } else {
                "copy"
            }
        } else {
            keyword
        };
        let start = usize::from(copy.range().start());
        let indent = ctx
            .source
            .get(copy_lines.start..start)
            .unwrap_or("")
            .to_string();
        for (folder, items) in &groups {
            let base = dest_written.trim_end_matches('/');
            let base = if base.is_empty() && dest_written.starts_with('/') {
                ""
            } else {
                base
            };
            let target = match (base, folder.as_str()) {
                ("." | "", "") if !dest_written.starts_with('/') => "./".to_string(),
                (b, "") => format!("{b}/"),
                ("." | "", f) if !dest_written.starts_with('/') => format!("./{f}/"),
                (b, f) => format!("{b}/{f}/"),
            };
            let mut line = indent.clone();
            line.push_str(keyword);
            for f in &flags {
                line.push(' ');
                line.push_str(f);
            }
            for item in items {
                line.push(' ');
                line.push_str(item);
            }
            line.push(' ');
            line.push_str(&target);
            line.push('\n');
            replacement.push_str(&line);
        }
    }
    Some(Fix {
        safety: FixSafety::Unsafe,
        description: match kind {
            SourceCopy::Whole => {
                "copy the manifests before the install and the source after it".to_string()
            }
            SourceCopy::Directory => "copy the source directory after the install".to_string(),
        },
        edits: vec![
            Edit::replace(copy_lines, replacement),
            Edit::insert(after_run, moved),
        ],
    })
}
