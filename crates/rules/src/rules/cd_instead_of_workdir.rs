use crate::helpers::reliability::resolve_word;
use crate::helpers::style::{args_after, commands_named, is_conditional, like_case, range};
use crate::prelude::*;
use dockopt_shell::{CommandRef, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports a `cd` that changes the working directory of a whole `RUN` step, where
    /// `WORKDIR` would say it once: the first such `cd` of each `RUN`. A `RUN` that is
    /// nothing but `cd DIR` is reported as a mistake: the change is lost when the step ends.
    ///
    /// Not reported: `cd` inside `( ... )`, `$( ... )`, a function, a loop, an `if`/`case`
    /// or after `||` (a change meant for part of the step), `cd -` and `cd ..`, the last
    /// command of a step, a temporary directory (`/tmp`, `/var/tmp`, a variable the step
    /// sets itself such as `"$tempDir"`), and a directory the same `RUN` deletes afterwards
    /// (a scratch build directory).
    ///
    /// ## Why it matters
    /// `cd` lasts only until the end of the `RUN`; the next instruction starts in the
    /// `WORKDIR` again. Steps that each begin with `cd /app/ui && ...` repeat the path and
    /// break silently when one of them forgets it, and `RUN cd /app` on its own line does
    /// nothing at all, so the steps after it run somewhere else than the author thinks.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM busybox
    /// RUN cd /usr/src/app && git clone git@github.com:lukasmartinelli/hadolint.git
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM busybox
    /// WORKDIR /usr/src/app
    /// RUN git clone git@github.com:lukasmartinelli/hadolint.git
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, and only for a `RUN` that is nothing but `cd DIR`: it becomes `WORKDIR DIR`,
    /// which changes the directory every later instruction of the stage runs in (what the
    /// author meant, but no longer what the build did). Other `cd`s have no automatic fix:
    /// splitting a step around `WORKDIR` is a judgement call.
    pub struct CdInsteadOfWorkdir {
        name: "cd-instead-of-workdir",
        group: Correctness,
        level: Info,
        aliases: ["DL3003", "DS-0013"],
        fix: Unsafe,
        summary: "`cd` in a `RUN` where `WORKDIR` is meant",
    }
}

impl Check for CdInsteadOfWorkdir {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let mut reported: Vec<(InstructionId, ScriptOrigin)> = Vec::new();
        for named in commands_named(ctx, &["cd"]) {
            let key = (named.id, named.script.origin);
            if reported.contains(&key) {
                continue;
            }
            let command = &named.command;
            if !changes_whole_step(command) {
                continue;
            }
            let args = args_after(command, named.program);
            let Some(target_word) = args.iter().find(|w| !w.literal().is_some_and(|l| l.starts_with('-') && l.len() > 1)) else {
                continue;
            };
            if target_word.literal() == Some("-") {
                continue;
            }
            // A variable the step sets itself (`tempDir="$(mktemp -d)"`) has no known value.
            let Some(target) = resolve_word(ctx, named.id, target_word) else {
                continue;
            };
            let target = target.trim_end_matches('/').to_string();
            let target = if target.is_empty() { "/".to_string() } else { target };
            if target == ".." || target.starts_with("../") || is_temporary(&target) {
                continue;
            }
            let script = named.script;
            let later: Vec<CommandRef<'_>> = script
                .script
                .commands()
                .filter(|c| c.span().start > command.span().end)
                .collect();
            let alone = script.script.commands().count() == 1;
            if later.is_empty() && !alone {
                continue;
            }
            if deleted_later(ctx, named.id, &later, &target) {
                continue;
            }
            reported.push(key);
            let at = script.file_range(command.span());
            let workdir = ctx
                .state(named.id)
                .map(|s| s.workdir.clone())
                .unwrap_or_else(|| "/".to_string());
            if alone {
                let finding = out.report(
                    at,
                    format!(
                        "`RUN cd {target}` does nothing: the directory change ends with the step, \
                         and the next instruction runs in `{workdir}` again"
                    ),
                );
                finding.help(format!("use `WORKDIR {target}`"));
                if let Some(fix) = workdir_fix(ctx, named.id, target_word) {
                    finding.fix(fix);
                }
            } else {
                out.report(
                    at,
                    format!(
                        "`cd {target}` changes the directory for this RUN only; `WORKDIR {target}` \
                         would set it once for the steps that follow"
                    ),
                )
                .help(
                    "use `WORKDIR` (or absolute paths); keep `cd` inside `( ... )` when the \
                     change is meant for part of this step only",
                );
            }
        }
    }
}

/// Whether the `cd` changes the directory for the rest of its step: not inside a subshell,
/// a substitution, a function, a loop or a conditional branch.
fn changes_whole_step(command: &CommandRef<'_>) -> bool {
    if command.in_subshell() || command.in_substitution() || command.in_background() {
        return false;
    }
    let script = command.script();
    if script
        .ancestors(command.id())
        .any(|a| matches!(script.kind(a), NodeKind::Subshell { .. }))
    {
        return false;
    }
    !is_conditional(command)
}

/// Scratch locations a step may `cd` into without meaning to keep them.
fn is_temporary(dir: &str) -> bool {
    ["/tmp", "/var/tmp", "/dev/shm"]
        .iter()
        .any(|t| dir == *t || dir.starts_with(&format!("{t}/")))
}

/// Whether a later command of the step deletes `dir` (or a directory holding it).
fn deleted_later(
    ctx: &Context<'_>,
    id: InstructionId,
    later: &[CommandRef<'_>],
    dir: &str,
) -> bool {
    later.iter().any(|c| {
        let cmd = c.command();
        if cmd.program() != Some("rm") {
            return false;
        }
        cmd.args.iter().any(|arg| {
            let Some(path) = resolve_word(ctx, id, arg) else {
                return false;
            };
            let path = path.trim_end_matches('*').trim_end_matches('/');
            !path.is_empty()
                && !path.starts_with('-')
                && (dir == path || dir.starts_with(&format!("{path}/")))
        })
    })
}

/// `RUN cd DIR` (one line, no flags, shell form) rewritten as `WORKDIR DIR`.
fn workdir_fix(ctx: &Context<'_>, id: InstructionId, target: &dockopt_shell::Word) -> Option<Fix> {
    let ins = ctx.model.instruction(id)?;
    if !ins.flags().is_empty() || !ins.heredocs().is_empty() {
        return None;
    }
    let Args::Shell(_) = ins.args() else {
        return None;
    };
    let whole = range(ins.range());
    let text = ctx.source.get(whole.clone())?;
    if text.contains('\n') {
        return None;
    }
    let dir = target.literal()?;
    if dir.contains(char::is_whitespace) {
        return None;
    }
    let keyword = like_case(ins.keyword(), "WORKDIR");
    Some(Fix {
        safety: FixSafety::Unsafe,
        description: format!("replace the step with `WORKDIR {dir}`"),
        edits: vec![Edit::replace(whole, format!("{keyword} {dir}"))],
    })
}
