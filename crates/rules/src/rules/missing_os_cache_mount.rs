use dockopt_shell::pkg::cache_dirs;

use crate::helpers::speed::{
    any_mount_covering, cache_mount_covering, cache_mount_flag, chain_start, command_env,
    earlier_in_stage_chain, insert_flag, run_mounts,
};
use crate::prelude::*;

/// The hook of the official Debian and Ubuntu images that deletes downloaded packages
/// after every install, which makes a cache of `/var/cache/apt` useless.
const DOCKER_CLEAN: &str = "/etc/apt/apt.conf.d/docker-clean";

declare_rule! {
    /// ## What it does
    /// Reports an OS package manager (apt-get/apt, apk, dnf, yum, microdnf, zypper) that
    /// refreshes its index or installs packages in a `RUN` without a cache mount on its
    /// cache directories: `/var/cache/apt` and `/var/lib/apt` for apt, `/var/cache/apk`,
    /// `/var/cache/dnf`, `/var/cache/yum`, `/var/cache/zypp`. This rule is opt-in.
    ///
    /// ## Why it matters
    /// Every change to the step's cache key downloads the index (tens of megabytes for
    /// Debian) and every package again. With a cache mount they stay on the builder between
    /// builds, and never reach the layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN --mount=type=cache,target=/var/cache/apt,sharing=locked --mount=type=cache,target=/var/lib/apt,sharing=locked rm -f /etc/apt/apt.conf.d/docker-clean && apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix safety
    /// Safe. The mounts use `sharing=locked`, because apt, apk and dnf lock their caches
    /// and fail when two builds share one. For apt the fix also removes the official
    /// images' `docker-clean` hook (unless an earlier step did), which otherwise deletes
    /// the downloaded packages after each install; for apk it replaces `--no-cache` with
    /// `--update-cache`, so the index goes to the mount instead of nowhere.
    pub struct MissingOsCacheMount {
        name: "missing-os-cache-mount",
        group: Speed,
        level: Off,
        aliases: [],
        fix: Safe,
        summary: "An OS package manager's cache is not kept in a cache mount",
    }
}

fn family(m: Manager) -> Manager {
    match m {
        Manager::Apt => Manager::AptGet,
        other => other,
    }
}

impl Check for MissingOsCacheMount {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::Run) {
            let mounts = run_mounts(ctx, id);
            let mut reported: Vec<Manager> = Vec::new();
            for script in ctx.scripts(id) {
                for op in &script.operations {
                    let fetches = matches!(
                        op.operation,
                        Operation::Install | Operation::UpdateIndex | Operation::Upgrade
                    );
                    if !op.manager.is_os() || !fetches || reported.contains(&family(op.manager)) {
                        continue;
                    }
                    let env = command_env(ctx, id, script, op);
                    let dirs = cache_dirs(op.manager, &env).dirs;
                    let missing: Vec<&str> = dirs
                        .iter()
                        .map(|d| d.path.as_str())
                        .filter(|p| cache_mount_covering(&mounts, p).is_none())
                        .collect();
                    let no_cache = (op.manager == Manager::Apk)
                        .then(|| op.flag(Meaning::NoCache))
                        .flatten();
                    if missing.is_empty() {
                        continue;
                    }
                    reported.push(family(op.manager));
                    let flags: Vec<String> = missing
                        .iter()
                        .map(|p| cache_mount_flag(p, true, None))
                        .collect();
                    let mut edits = vec![insert_flag(ctx, ins, &flags.join(" "))];
                    let mut what = format!("add a cache mount for {}", missing.join(" and "));
                    if family(op.manager) == Manager::AptGet && !hook_removed(ctx, id) {
                        if let Some(at) = chain_start(script, op) {
                            edits.push(Edit::insert(at, format!("rm -f {DOCKER_CLEAN} && ")));
                            what.push_str(" and remove the docker-clean hook");
                        }
                    }
                    if let Some(flag) = no_cache {
                        edits.push(Edit::replace(
                            script.file_range(flag.span),
                            "--update-cache",
                        ));
                        what.push_str(" and use `--update-cache` instead of `--no-cache`");
                    }
                    let clash = missing.iter().any(|p| any_mount_covering(&mounts, p));
                    let r = out.report(
                        script.file_range(op.span),
                        format!(
                            "{} downloads into {} but no cache mount keeps it between builds",
                            crate::helpers::size::program_name(op.manager),
                            missing.join(" and ")
                        ),
                    );
                    r.help(format!("add `{}` to the `RUN`", flags.join(" ")));
                    if !clash {
                        r.fix(Fix {
                            safety: FixSafety::Safe,
                            description: what,
                            edits,
                        });
                    }
                }
            }
        }
    }
}

/// Whether this or an earlier step deleted the `docker-clean` hook.
fn hook_removed(ctx: &Context<'_>, id: InstructionId) -> bool {
    std::iter::once(id)
        .chain(earlier_in_stage_chain(ctx, id))
        .flat_map(|i| ctx.scripts(i).iter())
        .flat_map(|s| s.script.commands())
        .any(|c| {
            c.command().program() == Some("rm")
                && c.command().args.iter().any(|w| w.is(DOCKER_CLEAN))
        })
}
