use crate::helpers::reliability::resolve_word;
use crate::helpers::style::{args_after, commands_named, is_conditional, like_case, range};
use crate::prelude::*;
use dockopt_shell::{CommandRef, NodeKind};

declare_rule! {
    /// ## What it does
    /// Reports a `cd` that changes the working directory of a whole `RUN` step where
    /// `WORKDIR` would say it once: a step that starts with `cd DIR && ...`, or a directory
    /// that several steps of a stage `cd` into (setting options or sourcing an
    /// environment first, `. .venv/bin/activate && cd src && ...`, still counts as
    /// starting with it). A `RUN` that is nothing but `cd DIR` is
    /// reported as a mistake: the change is lost when the step ends. A one-off `cd` in the
    /// middle of a step (`git clone URL && cd repo && make`) is left alone: a `WORKDIR`
    /// there would outlive the step.
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

/// A `cd` that changes the directory for the rest of its step.
struct StepCd<'c> {
    id: InstructionId,
    stage: Option<usize>,
    script: &'c RunScript,
    command: CommandRef<'c>,
    target: String,
    word: &'c dockopt_shell::Word,
    /// The step is nothing but this `cd`.
    alone: bool,
    /// Nothing but `set`/`export`/`umask` runs before it in the step.
    first: bool,
}

impl Check for CdInsteadOfWorkdir {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let cds = step_cds(ctx);
        for cd in &cds {
            // The same directory entered by another step of the stage: a WORKDIR.
            let repeated = cds
                .iter()
                .filter(|o| o.stage == cd.stage && o.target == cd.target)
                .map(|o| o.id)
                .collect::<std::collections::BTreeSet<_>>()
                .len();
            if !(cd.alone || cd.first || repeated > 1) {
                continue;
            }
            let target = &cd.target;
            let at = cd.script.file_range(cd.command.span());
            if cd.alone {
                let workdir = ctx
                    .state(cd.id)
                    .map(|s| s.workdir.clone())
                    .unwrap_or_else(|| "/".to_string());
                let finding = out.report(
                    at,
                    format!(
                        "`RUN cd {target}` does nothing: the directory change ends with the step, \
                         and the next instruction runs in `{workdir}` again"
                    ),
                );
                finding.help(format!("use `WORKDIR {target}`"));
                if let Some(fix) = workdir_fix(ctx, cd.id, cd.word) {
                    finding.fix(fix);
                }
                continue;
            }
            let why = if repeated > 1 {
                format!("{repeated} steps of this stage `cd {target}`")
            } else {
                "the step starts with it".to_string()
            };
            out.report(
                at,
                format!(
                    "`cd {target}` lasts for this RUN only and {why}: `WORKDIR {target}` states \
                     the directory once"
                ),
            )
            .help(
                "use `WORKDIR` (or absolute paths); keep `cd` inside `( ... )` when the \
                 change is meant for part of this step only",
            );
        }
    }
}

/// The first whole-step `cd` of each script, with a known target that is not a scratch
/// directory. The `cd`s after it move relative to it (`cd build`, `cd /` to leave a
/// scratch directory) and are not judged.
fn step_cds<'c>(ctx: &'c Context<'_>) -> Vec<StepCd<'c>> {
    let mut seen: Vec<(InstructionId, ScriptOrigin)> = Vec::new();
    let mut out = Vec::new();
    for named in commands_named(ctx, &["cd"]) {
        let key = (named.id, named.script.origin);
        let command = named.command;
        if seen.contains(&key) || !changes_whole_step(&command) {
            continue;
        }
        seen.push(key);
        let args = args_after(&command, named.program);
        let Some(word) = args
            .iter()
            .find(|w| {
                !w.literal()
                    .is_some_and(|l| l.starts_with('-') && l.len() > 1)
            })
            .copied()
        else {
            continue;
        };
        if word.literal() == Some("-") {
            continue;
        }
        // A variable the step sets itself (`tempDir="$(mktemp -d)"`) has no known value.
        let Some(target) = resolve_word(ctx, named.id, word) else {
            continue;
        };
        let target = target.trim_end_matches('/').to_string();
        let target = if target.is_empty() {
            "/".to_string()
        } else {
            target
        };
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
            // The last command of the step: harmless.
            continue;
        }
        if deleted_later(ctx, named.id, &later, &target) {
            continue;
        }
        // Setting up the environment (`set -e`, `. .venv/bin/activate`) does not count.
        let first = script
            .script
            .commands()
            .filter(|c| c.span().start < command.span().start)
            .all(|c| {
                matches!(
                    c.command().program(),
                    Some("set" | "export" | "umask" | "shopt" | "." | "source")
                )
            });
        out.push(StepCd {
            id: named.id,
            stage: ctx.stage_of(named.id).map(|s| s.index),
            script,
            command,
            target,
            word,
            alone,
            first,
        });
    }
    out
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
