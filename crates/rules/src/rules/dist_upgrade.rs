use crate::helpers::size::manager_name;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a whole-system upgrade in a `RUN`: `apt-get upgrade`/`dist-upgrade`/
    /// `full-upgrade`, `apk upgrade`, `dnf`/`yum`/`microdnf upgrade` (or `update`,
    /// `distro-sync`), `zypper update`/`dist-upgrade`. An upgrade of named packages only
    /// (`dnf upgrade openssl`) is not reported.
    ///
    /// ## Why it matters
    /// The upgrade rewrites files the base image already has, so they are stored twice (in
    /// the base layer and in the upgrade's layer), and the result depends on the day of the
    /// build: two builds of the same commit give different images. A newer base image gets
    /// the same fixes without either cost.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get -y upgrade && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-20250317-slim
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: picking a newer base image is the author's call.
    pub struct DistUpgrade {
        name: "dist-upgrade",
        group: Size,
        level: Info,
        aliases: [],
        fix: None,
        summary: "A whole-system package upgrade in the Dockerfile",
    }
}

impl Check for DistUpgrade {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, script) in ctx.all_scripts() {
            for op in &script.operations {
                if !op.manager.is_os() || op.operation != Operation::Upgrade {
                    continue;
                }
                if !op.packages.is_empty() {
                    continue;
                }
                out.report(
                    script.file_range(op.span),
                    format!(
                        "`{}` upgrades every package of the base image: the changed files are stored again, and the image changes from day to day",
                        manager_name(op)
                    ),
                )
                .help("use a newer (or regularly rebuilt) base image instead");
            }
        }
    }
}
