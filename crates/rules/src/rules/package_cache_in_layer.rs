use crate::helpers::size::{
    cleaned_later, descends_from, layer_caches, manager_name, ships, LayerCache,
};
use crate::helpers::speed::{
    any_mount_covering, cache_mount_flag, insert_flag, run_mounts, user_info,
};
use crate::prelude::*;
use dockopt_shell::pkg::CacheKind;
use dockopt_syntax::MountType;

declare_rule! {
    /// ## What it does
    /// Reports a package manager that leaves its cache or index in a layer of the image:
    /// `apt-get update` whose lists (`/var/lib/apt/lists`) are not removed in the same `RUN`,
    /// `apk add` without `--no-cache`, dnf/yum/microdnf/zypper without `clean all`, `pip
    /// install` without `--no-cache-dir`, and the caches of uv, poetry, npm, yarn, pnpm, go,
    /// cargo and gem. The cache directory follows the effective user's home and the tools'
    /// variables (`PIP_CACHE_DIR`, `npm_config_cache`, `GOMODCACHE`, `CARGO_HOME`...); a
    /// `RUN --mount` (cache, tmpfs or bind) on the directory, or a flag or variable that
    /// turns the cache off, silences it; so does `pip install --no-index`, which installs
    /// local wheels without downloading or building anything. Only stages whose layers end up in the image (the
    /// final stage and the stages it is built on) are checked: a builder stage's layers are
    /// thrown away. The official Debian and Ubuntu images delete downloaded `.deb` files
    /// after each install (their `docker-clean` hook), so `/var/cache/apt` is reported only
    /// when the Dockerfile removes that hook.
    ///
    /// ## Why it matters
    /// A cache is useless in the image but is shipped, stored and pulled with it: the apt
    /// lists weigh 20-50 MB, a pip or npm cache often as much as the packages themselves,
    /// and a Go build cache hundreds of megabytes. Deleting it in a later `RUN` does not
    /// help; the bytes stay in the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends libpq5
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN --mount=type=cache,target=/var/lib/apt/lists,sharing=locked apt-get update && apt-get install -y --no-install-recommends libpq5
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the cache mount keeps the directory out of the layer (and keeps it across
    /// builds, which also answers `missing-cache-mount`); the installed files are the same.
    /// The fix is not offered when a later `RUN` installs from the apt lists without
    /// updating them, or when the step runs as a user whose uid the Dockerfile does not
    /// give (a mount owned by root would not be writable).
    pub struct PackageCacheInLayer {
        name: "package-cache-in-layer",
        group: Size,
        level: Warning,
        aliases: ["DL3009", "DL3019", "DL3032", "DL3036", "DL3040", "DL3042"],
        fix: Safe,
        summary: "A package manager leaves its cache or index in the image",
    }
}

impl Check for PackageCacheInLayer {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, instruction) in ctx.instructions_of(InstructionKind::Run) {
            if !ships(ctx, id) {
                continue;
            }
            let mounts = run_mounts(ctx, id);
            let kept_out = |path: &str| {
                mounts.iter().any(|m| {
                    matches!(
                        m.mount.kind,
                        MountType::Cache | MountType::Tmpfs | MountType::Bind
                    ) && m
                        .target
                        .as_deref()
                        .is_some_and(|t| crate::helpers::speed::is_under(path, t))
                })
            };
            let mut reported: Vec<String> = Vec::new();
            for (index, script) in ctx.scripts(id).iter().enumerate() {
                for op in &script.operations {
                    let left: Vec<LayerCache> = layer_caches(ctx, id, script, op)
                        .into_iter()
                        .filter(|c| !c.paths().any(kept_out))
                        .filter(|c| !cleaned_later(ctx, id, index, op, c))
                        .filter(|c| !reported.contains(&c.path))
                        .collect();
                    if left.is_empty() {
                        continue;
                    }
                    reported.extend(left.iter().map(|c| c.path.clone()));
                    let paths: Vec<&str> = left.iter().map(|c| c.path.as_str()).collect();
                    let label = manager_name(op);
                    let what = if left.iter().all(|c| c.kind == CacheKind::Index) {
                        "its package index"
                    } else {
                        "its cache"
                    };
                    let message =
                        format!("`{label}` leaves {what} in the layer: {}", paths.join(", "));
                    let help = help_for(op, &paths);
                    let fix = fix_for(ctx, id, instruction, index, op, &left);
                    let finding = out.report(script.file_range(op.span), message);
                    finding.help(help);
                    if let Some(fix) = fix {
                        finding.fix(fix);
                    }
                }
            }
        }
    }
}

fn help_for(op: &PkgOp, paths: &[&str]) -> String {
    let mount = format!(
        "mount a cache there (`RUN --mount=type=cache,target={}`)",
        paths.join(",")
    );
    match op.manager {
        Manager::AptGet | Manager::Apt if op.operation == Operation::UpdateIndex => {
            format!("end the same RUN with `rm -rf /var/lib/apt/lists/*`, or {mount}")
        }
        Manager::AptGet | Manager::Apt => {
            format!("run `apt-get clean` in the same RUN, or {mount}")
        }
        Manager::Apk => format!("use `apk add --no-cache`, or {mount}"),
        Manager::Dnf | Manager::Yum | Manager::Microdnf => {
            let name = manager_name(op);
            let program = name.split(' ').next().unwrap_or("dnf");
            format!("end the same RUN with `{program} clean all`, or {mount}")
        }
        Manager::Zypper => format!("end the same RUN with `zypper clean --all`, or {mount}"),
        Manager::Pip => format!("add `--no-cache-dir`, or {mount}"),
        Manager::Uv => format!("add `--no-cache` (or set `UV_NO_CACHE=1`), or {mount}"),
        Manager::Npm => format!("end the same RUN with `npm cache clean --force`, or {mount}"),
        Manager::Yarn => format!("end the same RUN with `yarn cache clean`, or {mount}"),
        _ => format!("delete it in the same RUN, or {mount}"),
    }
}

/// The cache mounts that keep `caches` out of the layer, inserted after `RUN`.
fn fix_for(
    ctx: &Context<'_>,
    id: InstructionId,
    instruction: &Instruction,
    script_index: usize,
    op: &PkgOp,
    caches: &[LayerCache],
) -> Option<Fix> {
    let apt = matches!(op.manager, Manager::AptGet | Manager::Apt);
    if apt
        && op.operation == Operation::UpdateIndex
        && !lists_used_only_here(ctx, id, script_index, op)
    {
        return None;
    }
    let state = ctx.state(id)?;
    let owner = if state.is_root() {
        None
    } else {
        let info = user_info(ctx, id);
        info.uid.as_ref()?;
        Some(info)
    };
    let mounts = run_mounts(ctx, id);
    if caches.iter().any(|c| any_mount_covering(&mounts, &c.path)) {
        return None;
    }
    let flags: Vec<String> = caches
        .iter()
        .map(|c| {
            cache_mount_flag(
                &c.path,
                matches!(op.manager, Manager::AptGet | Manager::Apt),
                owner.as_ref(),
            )
        })
        .collect();
    let paths: Vec<&str> = caches.iter().map(|c| c.path.as_str()).collect();
    Some(Fix {
        safety: FixSafety::Safe,
        description: format!("add a cache mount on {}", paths.join(", ")),
        edits: vec![insert_flag(ctx, instruction, &flags.join(" "))],
    })
}

/// Whether the apt lists an `apt-get update` writes are used only by this `RUN`: it
/// installs after the update, and no later `RUN` of this stage or of a stage built on it
/// installs with apt without updating first (it would find no lists once they live in a
/// cache mount).
fn lists_used_only_here(
    ctx: &Context<'_>,
    id: InstructionId,
    script_index: usize,
    update: &PkgOp,
) -> bool {
    let is_apt = |op: &PkgOp| matches!(op.manager, Manager::AptGet | Manager::Apt);
    let installs_after = ctx.scripts(id).iter().enumerate().any(|(i, s)| {
        i >= script_index
            && s.operations.iter().any(|op| {
                is_apt(op)
                    && matches!(op.operation, Operation::Install | Operation::Upgrade)
                    && (i > script_index || op.span.start > update.span.start)
            })
    });
    if !installs_after {
        return false;
    }
    let Some(stage) = ctx.stage_of(id).map(|s| s.index) else {
        return false;
    };
    let later_relies = ctx
        .instructions_of(InstructionKind::Run)
        .filter(|(other, _)| *other > id)
        .filter(|(other, _)| {
            ctx.stage_of(*other)
                .is_some_and(|s| descends_from(ctx, s.index, stage))
        })
        .any(|(other, _)| {
            let ops: Vec<&PkgOp> = ctx
                .scripts(other)
                .iter()
                .flat_map(|s| s.operations.iter())
                .filter(|op| is_apt(op))
                .collect();
            let first_install = ops
                .iter()
                .position(|op| matches!(op.operation, Operation::Install | Operation::Upgrade));
            let first_update = ops
                .iter()
                .position(|op| op.operation == Operation::UpdateIndex);
            match (first_install, first_update) {
                (Some(i), Some(u)) => i < u,
                (Some(_), None) => true,
                _ => false,
            }
        });
    !later_relies
}
