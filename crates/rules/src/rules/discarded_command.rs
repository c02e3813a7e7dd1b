use crate::prelude::*;
use dockopt_shell::{CommandRef, Connector, NodeKind, Script};

declare_rule! {
    /// ## What it does
    /// Reports a command whose output and exit status are both thrown away:
    /// `cmd > /dev/null 2>&1 || true`, or `cmd &> /dev/null; next` with `set -e` off.
    /// Commands in a condition (`if cmd >/dev/null 2>&1`, `cmd >/dev/null 2>&1 || other`)
    /// use their status and are fine, and so is a background service started with `&`.
    ///
    /// ## Why it matters
    /// Either the command does nothing useful (dead work that still costs build time), or
    /// it is meant to work and its failure is hidden on purpose: when it does fail, nothing
    /// in the build log says so, and the image silently lacks what it should have done.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN update-ca-certificates > /dev/null 2>&1 || true
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// RUN update-ca-certificates
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: whether a failure there should stop the build is the author's
    /// call.
    pub struct DiscardedCommand {
        name: "discarded-command",
        group: Reliability,
        level: Info,
        aliases: [],
        fix: None,
        summary: "A command whose output and exit status are both thrown away",
    }
}

impl Check for DiscardedCommand {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, run) in ctx.all_scripts() {
            for cmd in run.script.commands() {
                let c = cmd.command();
                if c.name.is_none() || !c.output_discarded() {
                    continue;
                }
                if cmd.in_condition() || cmd.in_background() || cmd.in_substitution() {
                    continue;
                }
                let Some(how) = status_discarded(&run.script, &cmd) else {
                    continue;
                };
                let program = c.program().unwrap_or("the command");
                out.report(
                    run.file_range(cmd.span()),
                    format!(
                        "`{program}` has its output sent to /dev/null and its exit status {how}: \
                         nothing tells whether it worked"
                    ),
                )
                .help("let it fail the build (drop `|| true`), or remove it if it is not needed");
            }
        }
    }
}

/// How the status of the command is thrown away, if it is.
fn status_discarded(script: &Script, cmd: &CommandRef<'_>) -> Option<String> {
    let pipeline = cmd.pipeline()?;
    if pipeline.feeds_pipe() || pipeline.negated {
        return None;
    }
    // The command must be the whole pipeline, not a part of a compound command.
    let chain = cmd.chain()?;
    match chain.after {
        Some(Connector::Or) => {
            // `cmd || true`: only `true`/`:` (and nothing else) after the `||`.
            let rest = cmd.rest_of_chain();
            let mut fallback = None;
            let all_true = !rest.is_empty()
                && rest.iter().all(|(c, p)| {
                    *c == Connector::Or
                        && script.commands_in(*p).all(|t| {
                            let name = t.command().name_literal();
                            fallback = fallback.or(name);
                            matches!(name, Some("true" | ":"))
                        })
                });
            all_true.then(|| format!("ignored (`|| {}`)", fallback.unwrap_or("true")))
        }
        Some(Connector::And) => None,
        None => {
            // `cmd >/dev/null 2>&1; next` without `set -e`: the status is lost when
            // something else runs after it in the same list.
            if cmd.options().errexit || chain.index > 0 {
                return None;
            }
            let list = script.parent(chain.and_or)?;
            let NodeKind::List(_) = script.kind(list) else {
                return None;
            };
            (!cmd.following_in_list().is_empty()).then(|| "ignored (no `set -e`)".to_string())
        }
    }
}
