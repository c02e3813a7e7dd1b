use crate::helpers::security::{base_name, program_words};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `sudo` used inside a `RUN` (a command of the shell script, a heredoc body, or
    /// an exec-form `RUN ["sudo", ...]`). A step that runs as root and uses `sudo -u
    /// <user>` to run a command as a less privileged user is not reported: that drops
    /// privileges rather than gaining them (`gosu` or `setpriv` do the same without
    /// `sudo`'s TTY and environment handling).
    ///
    /// ## Why it matters
    /// A `RUN` already runs as the stage's `USER`. Needing `sudo` means the image ships
    /// `sudo` and a sudoers entry for that user, so anyone who gets a shell in the container
    /// as that user can become root: the non-root `USER` no longer protects anything. `sudo`
    /// also behaves differently without a TTY and can hang or fail a build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// USER app
    /// RUN sudo apt-get update && sudo apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// USER app
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: moving the step before `USER` (or switching with `USER root` and
    /// back) is the author's call.
    pub struct Sudo {
        name: "sudo",
        group: Security,
        level: Warning,
        aliases: ["DL3004", "DS-0010"],
        fix: None,
        summary: "`sudo` in a `RUN`",
    }
}

impl Check for Sudo {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, instruction) in ctx.instructions_of(InstructionKind::Run) {
            if let Args::Exec(exec) = instruction.args() {
                if let Some(first) = exec.args.first() {
                    if base_name(&first.value) == "sudo" {
                        report(ctx, out, id, first.range.into());
                    }
                }
            }
            for script in ctx.scripts(id) {
                for command in script.script.commands() {
                    // `sudo` itself, or behind a wrapper (`env X=1 sudo ...`).
                    let cmd = command.command();
                    let sudo = program_words(cmd)
                        .into_iter()
                        .find(|w| w.literal().map(base_name) == Some("sudo"));
                    let drops_privileges = sudo
                        .and_then(|w| target_user(cmd, w))
                        .is_some_and(|u| !matches!(u, "root" | "0" | "#0"))
                        && ctx.state(id).is_none_or(|s| s.is_root());
                    if drops_privileges {
                        continue;
                    }
                    if let Some(word) = sudo {
                        report(ctx, out, id, script.file_range(word.span));
                    }
                }
            }
        }
    }
}

/// The user `sudo -u USER` (`--user=USER`, `-uUSER`) switches to.
fn target_user<'a>(cmd: &'a dockopt_shell::Command, sudo: &dockopt_shell::Word) -> Option<&'a str> {
    let mut words = cmd
        .words()
        .skip_while(|w| w.span != sudo.span)
        .skip(1)
        .map(|w| w.literal());
    while let Some(Some(word)) = words.next() {
        if word == "-u" || word == "--user" {
            return words.next().flatten();
        }
        if let Some(user) = word.strip_prefix("--user=") {
            return Some(user);
        }
        if let Some(user) = word.strip_prefix("-u").filter(|u| !u.is_empty()) {
            return Some(user);
        }
        if !word.starts_with('-') {
            return None;
        }
    }
    None
}

fn report(ctx: &Context<'_>, out: &mut Findings, id: InstructionId, range: std::ops::Range<usize>) {
    let user = ctx
        .state(id)
        .and_then(|s| s.user_name().map(str::to_string))
        .filter(|u| !u.is_empty());
    let message = match user {
        Some(user) if !matches!(user.as_str(), "root" | "0") => {
            format!("`sudo` in a RUN that runs as `{user}`: the image lets `{user}` become root")
        }
        Some(_) => "`sudo` in a RUN: the step already runs as root".to_string(),
        None => "`sudo` in a RUN: the step runs as root (no USER is set), so `sudo` only adds a dependency on it".to_string(),
    };
    out.report(range, message).help(
        "run the step as root (before `USER`, or between `USER root` and `USER <name>`) and drop `sudo`",
    );
}
