use crate::helpers::size::manager_name;
use crate::helpers::style::config_turns_on;
use crate::prelude::*;
use dockopt_shell::Span;

declare_rule! {
    /// ## What it does
    /// Reports a package-manager command that asks for confirmation, run without the switch
    /// that answers it: `apt-get`/`apt` `install`, `remove`, `purge`, `upgrade`... without
    /// `-y` (or `--yes`, `--assume-yes`, `-qq`, `-q -q`); `yum`/`dnf`/`microdnf` `install`,
    /// `remove`, `update`... without `-y`/`--assumeyes`; `zypper` `install`, `remove`,
    /// `patch`, `update`... without `-n`/`--non-interactive` or `-y`/`--no-confirm`. An
    /// earlier step that turns the prompt off in the configuration
    /// (`APT::Get::Assume-Yes "true";` under `/etc/apt`, `assumeyes=1` in `/etc/yum.conf`
    /// or `/etc/dnf/dnf.conf`) silences it. `apk` never asks and is not reported.
    ///
    /// ## Why it matters
    /// A build has no terminal: the prompt reads end-of-file, the package manager answers
    /// "no" and aborts, and the build fails, or it passes today because nothing needed
    /// confirming and fails on the day a dependency is added.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install python3=3.11.2-1+b1
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y python3=3.11.2-1+b1
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `-y` is added right after the subcommand. It answers the prompt the build could
    /// not answer anyway.
    pub struct MissingYesFlag {
        name: "missing-yes-flag",
        group: Correctness,
        level: Warning,
        aliases: ["DL3014", "DL3030", "DL3034", "DL3038"],
        fix: Safe,
        summary: "A package-manager command that prompts, run without `-y`",
    }
}

impl Check for MissingYesFlag {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, _) in ctx.instructions_of(InstructionKind::Run) {
            for script in ctx.scripts(id) {
                for op in &script.operations {
                    let sub: Vec<&str> = op.subcommand.iter().map(String::as_str).collect();
                    let (prompts, config_paths, config_key): (bool, &[&str], &str) =
                        match op.manager {
                            Manager::AptGet | Manager::Apt => (
                                matches!(
                                    sub.first().copied(),
                                    Some(
                                        "install"
                                            | "remove"
                                            | "purge"
                                            | "upgrade"
                                            | "dist-upgrade"
                                            | "full-upgrade"
                                            | "autoremove"
                                            | "autopurge"
                                            | "build-dep"
                                            | "reinstall"
                                            | "satisfy"
                                    )
                                ),
                                &["/etc/apt"],
                                "apt::get::assume-yes",
                            ),
                            Manager::Yum | Manager::Dnf | Manager::Microdnf => (
                                rpm_prompts(&sub),
                                &["/etc/yum.conf", "/etc/yum/", "/etc/dnf/"],
                                "assumeyes",
                            ),
                            Manager::Zypper => (
                                matches!(
                                    sub.first().copied(),
                                    Some(
                                        "install"
                                            | "in"
                                            | "remove"
                                            | "rm"
                                            | "source-install"
                                            | "si"
                                            | "patch"
                                            | "update"
                                            | "up"
                                            | "dist-upgrade"
                                            | "dup"
                                            | "install-new-recommends"
                                            | "inr"
                                    )
                                ),
                                &["/etc/zypp/"],
                                "",
                            ),
                            _ => continue,
                        };
                    if !prompts || answers_yes(op) {
                        continue;
                    }
                    if op.manager != Manager::Zypper
                        && config_turns_on(ctx, id, op.span.start, config_paths, config_key)
                    {
                        continue;
                    }
                    let label = manager_name(op);
                    let span = Span::new(op.span.start, op.insert_at.max(op.span.start));
                    let (flag, what) = match op.manager {
                        Manager::Zypper => ("-y", "`-n` (`--non-interactive`) or `-y`"),
                        _ => ("-y", "`-y`"),
                    };
                    out.report(
                        script.file_range(span),
                        format!(
                            "`{label}` without {what}: when it asks for confirmation the build \
                             has no terminal to answer, so it aborts"
                        ),
                    )
                    .help(format!("add `{flag}`"))
                    .fix(Fix {
                        safety: FixSafety::Safe,
                        description: format!("add `{flag}`"),
                        edits: vec![Edit::insert(
                            script.file_offset(op.insert_at),
                            format!(" {flag}"),
                        )],
                    });
                }
            }
        }
    }
}

/// Whether a yum/dnf/microdnf subcommand asks before changing packages.
fn rpm_prompts(sub: &[&str]) -> bool {
    match sub {
        ["group" | "groups" | "module", second, ..] => {
            matches!(
                *second,
                "install" | "remove" | "upgrade" | "update" | "erase" | "reset" | "enable"
            )
        }
        [first, ..] => matches!(
            *first,
            "install"
                | "in"
                | "groupinstall"
                | "localinstall"
                | "reinstall"
                | "remove"
                | "rm"
                | "erase"
                | "groupremove"
                | "update"
                | "upgrade"
                | "up"
                | "groupupdate"
                | "downgrade"
                | "autoremove"
                | "distro-sync"
                | "distrosync"
                | "swap"
        ),
        [] => false,
    }
}

/// Whether the command answers the prompt itself: `-y` and its spellings, or apt's
/// `-q -q` (quiet level 2 implies yes).
fn answers_yes(op: &PkgOp) -> bool {
    if op.has(Meaning::Yes) {
        return true;
    }
    matches!(op.manager, Manager::AptGet | Manager::Apt)
        && op
            .flags
            .iter()
            .filter(|f| f.meaning == Some(Meaning::Quiet))
            .count()
            >= 2
}
