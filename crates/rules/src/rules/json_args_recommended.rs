use dockopt_shell::Script;

use crate::helpers::correctness::{shell_set, span};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `CMD` or `ENTRYPOINT` in shell form (`CMD node server.js`) in a stage
    /// where no `SHELL` instruction is in effect. As in BuildKit, an explicit `SHELL`
    /// (in the stage or a stage it is built on) marks the shell form as deliberate and
    /// silences the rule; so does `CMD exec program ...`, where the shell replaces itself
    /// with the program.
    ///
    /// ## Why it matters
    /// Shell form runs the command as a child of `/bin/sh -c`, and `sh` does not pass on
    /// signals: `docker stop` sends SIGTERM to the shell, the program never sees it, and
    /// after the grace period it is killed with SIGKILL, with no graceful shutdown.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM busybox:1.36
    /// ENTRYPOINT s3cmd
    /// CMD my-service server
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM busybox:1.36
    /// ENTRYPOINT ["s3cmd"]
    /// CMD ["my-service", "server"]
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe, and offered only for a single command of plain words (no variables,
    /// quotes that matter, redirects or operators): the program then runs as PID 1
    /// without a shell, which changes how it receives signals and reaps children.
    pub struct JsonArgsRecommended {
        name: "json-args-recommended",
        group: Correctness,
        level: Warning,
        aliases: ["DL3025", "JSONArgsRecommended"],
        fix: Unsafe,
        summary: "`CMD`/`ENTRYPOINT` in shell form: signals do not reach the process",
    }
}

/// A JSON string literal.
fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Shell builtins and keywords: no program of that name exists to run without a shell.
const BUILTINS: [&str; 16] = [
    "exec", "cd", "export", "source", ".", "set", "eval", "trap", "ulimit", "umask", "unset",
    "wait", "read", "shift", "exit", "alias",
];

/// The single simple command a shell-form line consists of, if it is one.
fn single_command(script: &Script) -> Option<&dockopt_shell::Command> {
    let mut commands = script.commands();
    let only = commands.next()?;
    commands.next().is_none().then(|| only.command())
}

/// Whether the line is `exec program ...`: the shell replaces itself with the program,
/// which then receives signals directly.
fn execs(command: &str) -> bool {
    Script::parse(command)
        .ok()
        .as_ref()
        .and_then(single_command)
        .is_some_and(|c| c.name_literal() == Some("exec") && !c.args.is_empty())
}

/// The exec form of a shell command that is one simple command of literal words.
fn exec_form(command: &str) -> Option<String> {
    let script = Script::parse(command).ok()?;
    let mut commands = script.commands();
    let only = commands.next()?;
    if commands.next().is_some() {
        return None;
    }
    let cmd = only.command();
    if !cmd.assignments.is_empty() || !cmd.redirects.is_empty() {
        return None;
    }
    // The command must be the whole script: no trailing `&` or `;`.
    let trimmed = command.trim_end();
    let leading = command.len() - command.trim_start().len();
    if cmd.span.start != leading || cmd.span.end != trimmed.len() {
        return None;
    }
    let words: Vec<&str> = cmd
        .words()
        .map(|w| w.literal())
        .collect::<Option<Vec<_>>>()?;
    if words.first().is_none_or(|w| BUILTINS.contains(w)) {
        return None;
    }
    let items: Vec<String> = words.iter().map(|w| json_string(w)).collect();
    Some(format!("[{}]", items.join(", ")))
}

impl Check for JsonArgsRecommended {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions() {
            if !matches!(ins.kind(), InstructionKind::Cmd | InstructionKind::Entrypoint) {
                continue;
            }
            let Args::Shell(form) = ins.args() else {
                continue;
            };
            if shell_set(ctx, id) || execs(form.as_str()) {
                continue;
            }
            let keyword = ins.kind().as_str();
            let finding = out.report(
                span(form.range),
                format!(
                    "`{keyword}` in shell form runs under `/bin/sh -c`, which does not pass \
                     signals on: `docker stop` cannot stop the program gracefully"
                ),
            );
            finding.help(format!(
                "use the exec form `{keyword} [\"program\", \"arg\"]`, or set `SHELL` if the \
                 shell is wanted"
            ));
            if let Some(exec) = exec_form(form.as_str()) {
                finding.fix(Fix {
                    safety: FixSafety::Unsafe,
                    description: format!("write it in exec form: `{keyword} {exec}`"),
                    edits: vec![Edit::replace(span(form.range), exec)],
                });
            }
        }
    }
}
