use crate::helpers::size::{
    is_build_tool, manager_name, removed_in_same_run, shipping_stages, ships,
};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports compilers and build-only packages (gcc, g++, clang, llvm, make, cmake,
    /// build-essential, build-base, autoconf, pkg-config, `*-dev`/`*-devel` headers, rustc,
    /// cargo, golang) that an OS package manager installs in a stage whose layers end up in
    /// the image (the final stage and the stages it is built on), when the same `RUN` does
    /// not remove them again (`apt-get purge`, `apk del` of the packages or of their
    /// `--virtual` group, or docker-library's `apt-mark auto` + `apt-get purge
    /// --auto-remove`). A tool the image's `CMD` or `ENTRYPOINT` runs is not reported.
    ///
    /// ## Why it matters
    /// A C toolchain with headers weighs 150-300 MB, a Go or Rust toolchain more; none of
    /// it is needed to run the program, and every compiler shipped is also attack surface.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && pip install --no-cache-dir psycopg2 && rm -rf /var/lib/apt/lists/*
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim AS build
    /// RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \
    ///     && pip wheel --no-cache-dir --wheel-dir /wheels psycopg2
    ///
    /// FROM python:3.12-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
    /// RUN --mount=type=bind,from=build,source=/wheels,target=/wheels pip install --no-cache-dir /wheels/*
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: moving the build into a builder stage is a design change.
    pub struct BuildToolsInFinalStage {
        name: "build-tools-in-final-stage",
        group: Size,
        level: Warning,
        aliases: [],
        fix: None,
        summary: "Compilers and build-only packages left in the final image",
    }
}

impl Check for BuildToolsInFinalStage {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let run_by_image = programs_run_by_image(ctx);
        for (id, _) in ctx.instructions_of(InstructionKind::Run) {
            if !ships(ctx, id) {
                continue;
            }
            for (index, script) in ctx.scripts(id).iter().enumerate() {
                for op in &script.operations {
                    if !op.manager.is_os() || op.operation != Operation::Install {
                        continue;
                    }
                    let tools: Vec<&str> = op
                        .packages
                        .iter()
                        .filter(|p| !p.is_path_or_url && is_build_tool(&p.name))
                        .filter(|p| !run_by_image.contains(&p.name))
                        .filter(|p| !removed_in_same_run(ctx, id, index, op, &p.name))
                        .map(|p| p.name.as_str())
                        .collect();
                    if tools.is_empty() {
                        continue;
                    }
                    let label = manager_name(op);
                    out.report(
                        script.file_range(op.span),
                        format!(
                            "`{label}` leaves build tools in the final image: {}",
                            tools.join(", ")
                        ),
                    )
                    .help("build in a builder stage and copy only the result, or remove them in the same RUN");
                }
            }
        }
    }
}

/// The programs the image's `CMD` and `ENTRYPOINT` start (the first word of each, without
/// its directory).
fn programs_run_by_image(ctx: &Context<'_>) -> Vec<String> {
    let stages = shipping_stages(ctx);
    let mut out = Vec::new();
    for (id, instruction) in ctx.instructions() {
        if !matches!(
            instruction.kind(),
            InstructionKind::Cmd | InstructionKind::Entrypoint
        ) {
            continue;
        }
        if !ctx.stage_of(id).is_some_and(|s| stages.contains(&s.index)) {
            continue;
        }
        let first = match instruction.args() {
            Args::Exec(exec) => exec.args.first().map(|a| a.value.clone()),
            Args::Shell(form) => form.as_str().split_whitespace().next().map(str::to_string),
            _ => None,
        };
        if let Some(first) = first {
            let name = first.rsplit('/').next().unwrap_or(&first).to_string();
            out.push(name);
        }
    }
    out
}
