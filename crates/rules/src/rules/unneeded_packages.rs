use crate::helpers::size::{manager_name, ships};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports interactive and service packages installed with an OS package manager in a
    /// stage whose layers end up in the image: editors (vim, nano, emacs), an SSH server
    /// (`ssh`, `openssh-server`), `sudo`, `systemd`, and manual pages (`man-db`,
    /// `manpages`).
    ///
    /// ## Why it matters
    /// A container runs one process and is rebuilt rather than edited in place: an editor or
    /// man pages are bytes nobody uses, an SSH server or `sudo` is attack surface, and
    /// `systemd` does not run as a container's init. Debugging tools belong in a debug image
    /// or an ephemeral debug container.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl vim \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only the author knows whether the package is used.
    pub struct UnneededPackages {
        name: "unneeded-packages",
        group: Size,
        level: Info,
        aliases: ["DL3001"],
        fix: None,
        summary: "Editors, SSH servers, sudo or systemd installed in the image",
    }
}

/// Whether a package is an interactive or service package a container does not need.
fn unneeded(name: &str) -> Option<&'static str> {
    let base = name.split([':', '=']).next().unwrap_or(name);
    Some(match base {
        "vim" | "vim-tiny" | "vim-nox" | "vim-enhanced" | "vim-minimal" | "nano" | "emacs"
        | "emacs-nox" => "an editor",
        "ssh" | "openssh-server" | "openssh" => "an SSH server",
        "sudo" => "sudo",
        "systemd" | "systemd-sysv" => "systemd",
        "man-db" | "manpages" | "man-pages" | "man" => "manual pages",
        _ => return None,
    })
}

impl Check for UnneededPackages {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, _) in ctx.instructions_of(InstructionKind::Run) {
            if !ships(ctx, id) {
                continue;
            }
            for script in ctx.scripts(id) {
                for op in &script.operations {
                    if !op.manager.is_os() || op.operation != Operation::Install {
                        continue;
                    }
                    for package in &op.packages {
                        let Some(what) = unneeded(&package.name) else {
                            continue;
                        };
                        out.report(
                            script.file_range(package.span),
                            format!(
                                "`{}` installs {} ({}) in the image",
                                manager_name(op),
                                what,
                                package.name
                            ),
                        )
                        .help("leave it out of the image; debug with `docker exec` of a debug image or an ephemeral debug container");
                    }
                }
            }
        }
    }
}
