use crate::helpers::reliability::{run_ids_in_stages, stage_lineage};
use crate::prelude::*;
use dockopt_shell::NodeKind;

declare_rule! {
    /// ## What it does
    /// Reports a package fetch that gives up at the first network error: `apt-get
    /// install`/`update` without `-o Acquire::Retries=N` (and no `Acquire::Retries` set
    /// in an apt configuration file earlier in the stage), `apk add`/`update` outside a
    /// retry loop (apk has no retry option), and `curl` without `--retry`. Commands
    /// already inside a loop are taken as retried. Opt-in.
    ///
    /// ## Why it matters
    /// Mirrors and CDNs drop connections now and then: on a busy CI one build in a few
    /// hundred fails on a transient error, someone re-runs it, and everyone learns to
    /// distrust red builds.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// RUN apt-get update -o Acquire::Retries=3 && apt-get install -o Acquire::Retries=3 -y --no-install-recommends curl
    /// RUN curl --retry 3 -fsSLo /tmp/tool.tgz https://example.com/tool.tgz
    /// ```
    ///
    /// ## Fix safety
    /// Safe for apt and curl: the option only makes them try again after a transient
    /// error. No fix for apk: it needs a retry loop.
    pub struct NetworkInstallWithoutRetry {
        name: "network-install-without-retry",
        group: Reliability,
        level: Off,
        aliases: [],
        fix: Safe,
        summary: "A package fetch with no retry on network errors",
    }
}

impl Check for NetworkInstallWithoutRetry {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, run) in ctx.all_scripts() {
            for op in &run.operations {
                let fetches = matches!(op.operation, Operation::Install | Operation::UpdateIndex);
                let in_loop = run
                    .script
                    .command_ref(op.node)
                    .is_some_and(|c| !c.enclosing_loops().is_empty());
                if in_loop || op.has(Meaning::Retries) {
                    continue;
                }
                let range = run.file_range(op.span);
                match op.manager {
                    Manager::AptGet | Manager::Apt if fetches => {
                        if apt_retries_configured(ctx, id) {
                            continue;
                        }
                        let program = if op.manager == Manager::Apt {
                            "apt"
                        } else {
                            "apt-get"
                        };
                        let sub = op.subcommand.first().map_or("install", String::as_str);
                        out.report(
                            range,
                            format!("`{program} {sub}` gives up at the first network error"),
                        )
                        .help("add `-o Acquire::Retries=3`")
                        .fix(Fix {
                            safety: FixSafety::Safe,
                            description: "add `-o Acquire::Retries=3`".to_string(),
                            edits: vec![Edit::insert(
                                run.file_offset(op.insert_at),
                                " -o Acquire::Retries=3",
                            )],
                        });
                    }
                    Manager::Apk if fetches => {
                        let sub = op.subcommand.first().map_or("add", String::as_str);
                        out.report(
                            range,
                            format!(
                                "`apk {sub}` gives up at the first network error, and apk has no \
                                 retry option"
                            ),
                        )
                        .help("wrap it in a retry loop that fails after the last attempt");
                    }
                    Manager::Curl if fetches_remote(op) => {
                        out.report(range, "`curl` gives up at the first network error")
                            .help("add `--retry 3`")
                            .fix(Fix {
                                safety: FixSafety::Safe,
                                description: "add `--retry 3`".to_string(),
                                edits: vec![Edit::insert(
                                    run.file_offset(op.insert_at),
                                    " --retry 3",
                                )],
                            });
                    }
                    _ => {}
                }
            }
        }
    }
}

/// Whether curl fetches something over the network (not a `file://` or local URL).
fn fetches_remote(op: &PkgOp) -> bool {
    op.packages.iter().any(|p| {
        let url = p.literal.as_deref().unwrap_or(&p.raw);
        !(url.starts_with("file:")
            || url.contains("://localhost")
            || url.contains("://127.0.0.1")
            || url.starts_with("localhost")
            || url.starts_with("127.0.0.1"))
    })
}

/// Whether an earlier `RUN` of the stage (or of a stage it is built on) writes
/// `Acquire::Retries` into apt's configuration, or the same `RUN` does before.
fn apt_retries_configured(ctx: &Context<'_>, id: InstructionId) -> bool {
    let Some(stage) = ctx.stage_of(id) else {
        return false;
    };
    let lineage = stage_lineage(ctx, stage.index);
    run_ids_in_stages(ctx, &lineage)
        .into_iter()
        .filter(|r| *r <= id)
        .any(|r| {
            ctx.scripts(r).iter().any(|s| {
                s.script.descendants(s.script.root()).into_iter().any(|n| {
                    let NodeKind::Simple(c) = s.script.kind(n) else {
                        return false;
                    };
                    let in_word = c.words().any(|w| w.raw.contains("Acquire::Retries"));
                    let in_heredoc = c.redirects.iter().any(|r| {
                        r.here_doc
                            .as_ref()
                            .is_some_and(|h| h.body.contains("Acquire::Retries"))
                    });
                    // `-o Acquire::Retries` on a command only configures that command.
                    let is_apt = matches!(c.program(), Some("apt-get" | "apt"));
                    (in_word || in_heredoc) && !is_apt
                })
            })
        })
}
