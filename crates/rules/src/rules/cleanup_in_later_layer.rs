use crate::helpers::size::{
    absolute, command_cwd, copy_destinations, in_run_mount, layer_caches, layer_contents, line_of,
    manager_name, resolve_word, rm_paths, run_env, same_family, ships, within, LayerContent,
};
use crate::helpers::speed::{insert_flag, instruction_lines, range};
use crate::prelude::*;
use dockopt_shell::CommandRef;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that deletes (`rm`, a package manager's cache clean, `apt-get purge`,
    /// `apk del`, `pip uninstall`...) what an earlier layer of the image added: a package
    /// cache or index left by an earlier install, files an earlier `COPY`/`ADD` put there,
    /// a tree an earlier `RUN` created (`node_modules`, a `git clone`, a virtual
    /// environment, a downloaded file), or packages an earlier `RUN` installed. Also a `RUN
    /// chown -R`/`chmod -R` over such a tree. Only stages whose layers end up in the image
    /// are checked.
    ///
    /// ## Why it matters
    /// Layers only add: a file deleted in a later layer is hidden, not removed, so the image
    /// still stores and ships its bytes. `chown -R`/`chmod -R` is worse: every file it
    /// touches is copied whole into the new layer, so the tree is stored twice.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY . /app
    /// RUN chown -R node:node /app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM node:22-slim
    /// WORKDIR /app
    /// COPY --chown=node:node . /app
    /// ```
    ///
    /// ## Fix safety
    /// Safe for a `RUN` that only runs `chown -R`/`chmod -R` (octal mode) on exactly what the
    /// `COPY` right before it created, when that directory did not exist before the `COPY`:
    /// the ownership moves into `COPY --chown`/`--chmod` and the `RUN` goes. Otherwise no
    /// automatic fix: the deletion belongs in the step that creates the files.
    pub struct CleanupInLaterLayer {
        name: "cleanup-in-later-layer",
        group: Size,
        level: Warning,
        aliases: [],
        fix: Safe,
        summary: "A RUN deletes or rewrites files an earlier layer added",
    }
}

impl Check for CleanupInLaterLayer {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, instruction) in ctx.instructions_of(InstructionKind::Run) {
            if !ships(ctx, id) {
                continue;
            }
            let scripts = ctx.scripts(id);
            if scripts.is_empty() {
                continue;
            }
            let contents = layer_contents(ctx, id);
            if contents.is_empty() {
                continue;
            }
            let line = |c: &LayerContent| {
                ctx.model
                    .instruction(c.id)
                    .map_or(0, |i| line_of(ctx.source, usize::from(i.range().start())))
            };
            for script in scripts {
                for cmd in script.script.commands() {
                    let program = cmd.command().program().unwrap_or("");
                    if program == "rm" {
                        for deleted in rm_paths(ctx, id, script, &cmd) {
                            if deleted.path == "/" || in_run_mount(ctx, id, &deleted.path) {
                                continue;
                            }
                            let hit = contents.iter().rev().find(|c| {
                                within(&c.path, &deleted.path) || within(&deleted.path, &c.path)
                            });
                            let Some(hit) = hit else { continue };
                            // A cache this RUN fills again before deleting it: the earlier
                            // copy is the earlier RUN's problem (package-cache-in-layer).
                            if hit.cache.is_some()
                                && refills(ctx, id, script, cmd.span().start, &hit.path)
                            {
                                continue;
                            }
                            let what = match hit.cache {
                                Some(_) => format!("the cache `{}` left", hit.made_by),
                                None => format!("what `{}` added", hit.made_by),
                            };
                            out.report(
                                script.file_range(cmd.span()),
                                format!(
                                    "deletes {} in an earlier layer (line {}): {} stays in the image",
                                    what,
                                    line(hit),
                                    deleted.path
                                ),
                            )
                            .help("delete it in the same RUN that creates it, or keep it out of the layer with a mount");
                        }
                    } else if matches!(program, "chown" | "chmod") {
                        check_recursive_owner_change(
                            ctx,
                            out,
                            id,
                            instruction,
                            script,
                            &cmd,
                            &contents,
                        );
                    }
                }
                for op in &script.operations {
                    let installed_here = |name: &str| {
                        script.operations.iter().any(|o| {
                            o.operation == Operation::Install
                                && same_family(o.manager, op.manager)
                                && o.span.start < op.span.start
                                && o.packages.iter().any(|p| p.name == name)
                        })
                    };
                    match op.operation {
                        Operation::CleanCache if !op.subcommand.is_empty() => {
                            let filled_here = script.operations.iter().any(|o| {
                                same_family(o.manager, op.manager)
                                    && o.span.start < op.span.start
                                    && o.operation != Operation::CleanCache
                            });
                            if filled_here {
                                continue;
                            }
                            let hit = contents.iter().rev().find(|c| {
                                c.cache.is_some_and(|m| same_family(m, op.manager))
                                    && op.cleared.iter().any(|p| {
                                        let p = absolute(p, "/");
                                        within(&c.path, &p) || within(&p, &c.path)
                                    })
                            });
                            if let Some(hit) = hit {
                                out.report(
                                    script.file_range(op.span),
                                    format!(
                                        "`{}` empties the cache `{}` left in an earlier layer (line {}): {} stays in the image",
                                        manager_name(op),
                                        hit.made_by,
                                        line(hit),
                                        hit.path
                                    ),
                                )
                                .help("clean the cache in the same RUN that fills it, or use a cache mount");
                            }
                        }
                        Operation::Remove if op.manager.is_os() || op.manager == Manager::Pip => {
                            let earlier: Vec<&str> = op
                                .packages
                                .iter()
                                .map(|p| p.name.as_str())
                                .filter(|name| !installed_here(name))
                                .filter(|name| installed_before(ctx, id, op.manager, name))
                                .collect();
                            if earlier.is_empty() {
                                continue;
                            }
                            out.report(
                                script.file_range(op.span),
                                format!(
                                    "`{}` removes packages an earlier layer installed ({}): their files stay in the image",
                                    manager_name(op),
                                    earlier.join(", ")
                                ),
                            )
                            .help("remove them in the RUN that installs them, or install them in a builder stage");
                        }
                        _ => {}
                    }
                }
            }
        }
    }
}

/// Whether the `RUN` fills the cache at `path` before offset `before` of `script`.
fn refills(
    ctx: &Context<'_>,
    id: InstructionId,
    script: &RunScript,
    before: usize,
    path: &str,
) -> bool {
    ctx.scripts(id).iter().any(|s| {
        s.operations.iter().any(|op| {
            (!std::ptr::eq(s, script) || op.span.start < before)
                && layer_caches(ctx, id, s, op)
                    .iter()
                    .any(|c| c.paths().any(|p| within(p, path) || within(path, p)))
        })
    })
}

/// Whether an earlier layer's `RUN` installed `name` with a manager of the same family.
fn installed_before(ctx: &Context<'_>, id: InstructionId, manager: Manager, name: &str) -> bool {
    crate::helpers::size::layers_below(ctx, id)
        .into_iter()
        .any(|other| {
            ctx.scripts(other).iter().any(|s| {
                s.operations.iter().any(|o| {
                    o.operation == Operation::Install
                        && same_family(o.manager, manager)
                        && o.packages.iter().any(|p| p.name == name)
                })
            })
        })
}

/// `chown -R`/`chmod -R` over a tree an earlier layer created.
fn check_recursive_owner_change(
    ctx: &Context<'_>,
    out: &mut Findings,
    id: InstructionId,
    instruction: &Instruction,
    script: &RunScript,
    cmd: &CommandRef<'_>,
    contents: &[LayerContent],
) {
    let command = cmd.command();
    let program = command.program().unwrap_or("");
    let mut recursive = false;
    let mut operands = Vec::new();
    let mut other_flags = false;
    for word in &command.args {
        match word.literal() {
            Some("-R" | "--recursive") => recursive = true,
            Some(l) if l.starts_with('-') && l.len() > 1 && !l.starts_with("--") => {
                if l.contains('R') {
                    recursive = true;
                }
                if l.chars().skip(1).any(|c| c != 'R') {
                    other_flags = true;
                }
            }
            Some(l) if l.starts_with("--") => other_flags = true,
            _ => operands.push(word),
        }
    }
    if !recursive || operands.len() < 2 {
        return;
    }
    let env = run_env(ctx, id, cmd);
    let workdir = env.workdir.clone().unwrap_or_else(|| "/".into());
    let Some(cwd) = command_cwd(script, cmd.span().start, &env, &workdir) else {
        return;
    };
    let spec = resolve_word(operands[0], &env);
    let mut hits: Vec<(String, &LayerContent)> = Vec::new();
    for target in operands.iter().skip(1) {
        let Some(value) = resolve_word(target, &env) else {
            continue;
        };
        let path = absolute(&value, &cwd);
        // Only trees: a single file rewritten costs that file, not a tree.
        let hit = contents.iter().rev().find(|c| {
            c.cache.is_none() && c.tree && (within(&c.path, &path) || within(&path, &c.path))
        });
        if let Some(hit) = hit {
            hits.push((path, hit));
        }
    }
    let Some((_, first)) = hits.first() else {
        return;
    };
    let first_line = ctx
        .model
        .instruction(first.id)
        .map_or(0, |i| line_of(ctx.source, usize::from(i.range().start())));
    let paths: Vec<&str> = hits.iter().map(|(p, _)| p.as_str()).collect();
    let what = if hits.len() == 1 {
        format!(
            "which `{}` created in an earlier layer (line {first_line})",
            first.made_by
        )
    } else {
        "which earlier layers created".to_string()
    };
    let finding = out.report(
        script.file_range(cmd.span()),
        format!(
            "`{program} -R` rewrites {}, {what}: every file is stored twice",
            paths.join(", ")
        ),
    );
    let flag = if program == "chown" {
        "--chown"
    } else {
        "--chmod"
    };
    finding.help(format!(
        "set the owner or mode where the files are created (`COPY {flag}=...`), not in a later RUN"
    ));
    if let [(path, _)] = hits.as_slice() {
        if operands.len() == 2 {
            if let Some(fix) = copy_flag_fix(
                ctx,
                id,
                instruction,
                script,
                program,
                spec.as_deref(),
                path,
                other_flags,
            ) {
                finding.fix(fix);
            }
        }
    }
}

/// Moves `chown -R OWNER DIR`/`chmod -R MODE DIR` into the `COPY` right before the `RUN`.
#[allow(clippy::too_many_arguments)]
fn copy_flag_fix(
    ctx: &Context<'_>,
    id: InstructionId,
    instruction: &Instruction,
    script: &RunScript,
    program: &str,
    spec: Option<&str>,
    path: &str,
    other_flags: bool,
) -> Option<Fix> {
    let spec = spec?;
    if other_flags || ctx.scripts(id).len() != 1 || script.script.commands().count() != 1 {
        return None;
    }
    if program == "chmod" && !(spec.len() >= 3 && spec.chars().all(|c| ('0'..='7').contains(&c))) {
        return None;
    }
    // The instruction right before, in the same stage.
    let previous = id.checked_sub(1)?;
    let copy = ctx.model.instruction(previous)?;
    if copy.kind() != InstructionKind::Copy
        || ctx.stage_of(previous).map(|s| s.index) != ctx.stage_of(id).map(|s| s.index)
    {
        return None;
    }
    let args = copy.copy_args()?;
    let existing = if program == "chown" {
        &args.flags.chown
    } else {
        &args.flags.chmod
    };
    if existing.is_some() {
        return None;
    }
    // What the COPY created must be exactly the tree changed, and must be new: an existing
    // directory (the WORKDIR) keeps its owner under `COPY --chown`.
    let created = copy_destinations(ctx, previous);
    let dest = crate::helpers::speed::copy_destination(ctx, previous, copy)?;
    let dest = crate::helpers::size::normalize(&dest);
    if dest != path || !created.iter().all(|c| within(c, path)) {
        return None;
    }
    let state = ctx.state(previous)?;
    if within(&state.workdir, path) && state.workdir_set || path == "/" {
        return None;
    }
    let flag = if program == "chown" {
        "--chown"
    } else {
        "--chmod"
    };
    let lines = instruction_lines(ctx.source, instruction)?;
    let _ = range(instruction.range());
    Some(Fix {
        safety: FixSafety::Safe,
        description: format!("use `COPY {flag}={spec}` and drop the RUN"),
        edits: vec![
            insert_flag(ctx, copy, &format!("{flag}={spec}")),
            Edit::delete(lines),
        ],
    })
}
