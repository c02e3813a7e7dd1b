use dockopt_shell::pkg::{cache_dirs, CacheKind};
use dockopt_syntax::MountType;

use crate::helpers::speed::{command_env, is_under, line_start, range, run_mounts};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// In a Dockerfile that builds for several platforms (a `FROM --platform=$BUILDPLATFORM`,
    /// or an `ARG TARGETPLATFORM`/`TARGETARCH`/`TARGETOS`), reports a cache mount holding
    /// compiled artefacts (the target directory of a cargo build) whose `id` does not
    /// include the target platform. Also a Dockerfile that selects stages or defaults by
    /// `TARGETARCH` (`FROM base-${TARGETARCH}`) counts as building for several platforms.
    ///
    /// ## Why it matters
    /// BuildKit keys a cache mount by its `id` (the target path by default), so the builds
    /// for `linux/amd64` and `linux/arm64` share one directory: each platform's build finds
    /// the other's objects, rebuilds everything (fingerprints differ), and a build running
    /// at the same time can overwrite `target/release/app` with the other architecture's
    /// binary just before it is copied out. The Go build cache and ccache/sccache
    /// directories are not reported: they key every entry by target (`GOOS`/`GOARCH`) or
    /// by compiler identity, so one cache serves every platform correctly.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM rust:1.82 AS build
    /// ARG TARGETPLATFORM
    /// RUN --mount=type=cache,target=/src/target cargo build --release && cp target/release/app /app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM rust:1.82 AS build
    /// ARG TARGETPLATFORM
    /// RUN --mount=type=cache,target=/src/target,id=/src/target-${TARGETPLATFORM} cargo build --release && cp target/release/app /app
    /// ```
    ///
    /// ## Fix safety
    /// Safe: each platform gets its own cache (the first build of each starts cold). When
    /// the stage does not declare `ARG TARGETPLATFORM`, the fix declares it just before the
    /// `RUN`, since a mount option only expands variables in scope.
    pub struct CacheMountPlatformId {
        name: "cache-mount-platform-id",
        group: Speed,
        level: Info,
        aliases: [],
        fix: Safe,
        summary: "A compiled-artefact cache mount shared by every target platform",
    }
}

const TARGET_ARGS: &[&str] = &["TARGETPLATFORM", "TARGETARCH", "TARGETOS", "TARGETVARIANT"];

fn builds_for_several_platforms(ctx: &Context<'_>) -> bool {
    ctx.instructions().any(|(_, ins)| match ins.kind() {
        InstructionKind::From => {
            ins.flag("platform")
                .and_then(|f| f.value.as_deref())
                .is_some_and(|v| v.contains("BUILDPLATFORM") || v.contains("TARGETPLATFORM"))
                || ins
                    .from_args()
                    .is_some_and(|f| TARGET_ARGS.iter().any(|a| f.image.value.contains(a)))
        }
        InstructionKind::Arg => ins.pairs().iter().any(|p| {
            TARGET_ARGS.contains(&p.key.value.as_str())
                || p.value
                    .as_ref()
                    .is_some_and(|v| TARGET_ARGS.iter().any(|a| v.value.contains(a)))
        }),
        _ => false,
    })
}

impl Check for CacheMountPlatformId {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        if !builds_for_several_platforms(ctx) {
            return;
        }
        for (id, ins) in ctx.instructions_of(InstructionKind::Run) {
            let Some(state) = ctx.state(id) else { continue };
            let scripts = ctx.scripts(id);
            // Compiled-artefact directories of this step: the cargo target dir of a cargo
            // build.
            let mut artefacts: Vec<(String, &str)> = Vec::new();
            for script in scripts {
                for op in script.operations.iter().filter(|o| {
                    o.manager == Manager::Cargo
                        && matches!(o.operation, Operation::Build | Operation::Install)
                }) {
                    let env = command_env(ctx, id, script, op);
                    for dir in cache_dirs(op.manager, &env).dirs {
                        if dir.kind == CacheKind::Build {
                            artefacts.push((dir.path, "cargo's target directory"));
                        }
                    }
                }
            }
            for mount in run_mounts(ctx, id) {
                if mount.mount.kind != MountType::Cache {
                    continue;
                }
                let Some(target) = mount.target.as_deref() else {
                    continue;
                };
                let what = if let Some((_, what)) = artefacts
                    .iter()
                    .find(|(dir, _)| is_under(dir, target) || is_under(target, dir))
                {
                    what
                } else {
                    continue;
                };
                let id_value = mount.mount.id.as_deref().unwrap_or("");
                if TARGET_ARGS.iter().any(|a| id_value.contains(a)) {
                    continue;
                }
                let written = mount.mount.target.clone().unwrap_or_default();
                let mut edits = Vec::new();
                match mount.mount.options.iter().find(|o| o.key == "id") {
                    Some(option) => edits.push(Edit::replace(
                        range(option.range),
                        format!("id={id_value}-${{TARGETPLATFORM}}"),
                    )),
                    None => {
                        let Some(last) = mount.mount.options.last() else {
                            continue;
                        };
                        edits.push(Edit::insert(
                            usize::from(last.range.end()),
                            format!(",id={written}-${{TARGETPLATFORM}}"),
                        ));
                    }
                }
                if !state.is_declared_arg("TARGETPLATFORM") {
                    let at = line_start(ctx.source, usize::from(ins.range().start()));
                    edits.push(Edit::insert(at, "ARG TARGETPLATFORM\n"));
                }
                let quoted = ctx
                    .source
                    .get(range(mount.mount.range))
                    .is_some_and(|t| t.contains('"'));
                let r = out.report(
                    range(mount.mount.range),
                    format!(
                        "the cache mount on {target} holds {what}, shared by the builds of every target platform"
                    ),
                );
                r.help("add `id=...-${TARGETPLATFORM}` so each platform has its own cache");
                if !quoted {
                    r.fix(Fix {
                        safety: FixSafety::Safe,
                        description: format!("key the cache on {target} by target platform"),
                        edits,
                    });
                }
            }
        }
    }
}
