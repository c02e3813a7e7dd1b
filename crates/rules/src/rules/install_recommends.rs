use crate::helpers::size::{config_turns_off, manager_name};
use crate::prelude::*;
use dockopt_shell::Span;

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` (or `apt install`) without `--no-install-recommends`, and
    /// `dnf`/`yum install` without `--setopt=install_weak_deps=False`, unless an earlier
    /// step writes the same setting into the package manager's configuration
    /// (`APT::Install-Recommends "false";` under `/etc/apt`, `install_weak_deps=False` in
    /// `/etc/dnf` or `/etc/yum.conf`).
    ///
    /// ## Why it matters
    /// By default apt also installs every package the requested ones merely recommend, and
    /// dnf every weak dependency: documentation, optional tools, whole language runtimes.
    /// They often double the size of the layer and the download time of every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the flag is added right after `install`. Packages that were only recommended
    /// are no longer installed; one the image really needs (`ca-certificates` for `curl`
    /// to reach HTTPS sites is the usual one) must then be named explicitly.
    pub struct InstallRecommends {
        name: "install-recommends",
        group: Size,
        level: Warning,
        aliases: ["DL3015", "DS-0029"],
        fix: Safe,
        summary: "apt installs recommended packages, dnf weak dependencies",
    }
}

impl Check for InstallRecommends {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, _) in ctx.instructions_of(InstructionKind::Run) {
            for script in ctx.scripts(id) {
                for op in &script.operations {
                    if op.operation != Operation::Install {
                        continue;
                    }
                    let sub = op.subcommand.first().map(String::as_str);
                    let (flag, config, key, what) = match op.manager {
                        Manager::AptGet | Manager::Apt if sub == Some("install") => (
                            Meaning::NoInstallRecommends,
                            "/etc/apt",
                            "APT::Install-Recommends",
                            "recommended packages",
                        ),
                        Manager::Dnf | Manager::Yum
                            if matches!(sub, Some("install" | "in" | "groupinstall" | "group")) =>
                        {
                            (
                                Meaning::NoWeakDeps,
                                "/etc/",
                                "install_weak_deps",
                                "weak dependencies",
                            )
                        }
                        _ => continue,
                    };
                    if op.has(flag) || op.packages.is_empty() {
                        continue;
                    }
                    if config_turns_off(ctx, id, Some(op.span.start), config, key) {
                        continue;
                    }
                    let added = match flag {
                        Meaning::NoInstallRecommends => "--no-install-recommends",
                        _ => "--setopt=install_weak_deps=False",
                    };
                    let label = manager_name(op);
                    let at = script.file_offset(op.insert_at);
                    let span = Span::new(op.span.start, op.insert_at.max(op.span.start));
                    out.report(
                        script.file_range(span),
                        format!("`{label}` without `{added}` also installs {what}"),
                    )
                    .help(format!(
                        "add `{added}` and name any package the image really needs"
                    ))
                    .fix(Fix {
                        safety: FixSafety::Safe,
                        description: format!("add `{added}`"),
                        edits: vec![Edit::insert(at, format!(" {added}"))],
                    });
                }
            }
        }
    }
}
