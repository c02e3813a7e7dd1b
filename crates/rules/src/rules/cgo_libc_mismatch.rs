use crate::helpers::reliability::{image_libc, resolve_word, stage_image, stage_lineage, Libc};
use crate::prelude::*;
use dockopt_model::{DependencyKind, DependencyTarget};
use dockopt_shell::{Command, CommandRef};

declare_rule! {
    /// ## What it does
    /// Reports a `go build` (or `go install`, `xx-go build`) with cgo left on, in a stage
    /// whose C library differs from the stage its output is copied into (`COPY --from`):
    /// built on a glibc image (`golang:1.23`, Debian) and copied into Alpine (musl),
    /// `scratch` or distroless `static` (no libc), or built on Alpine with a C compiler
    /// installed and copied into a glibc image.
    ///
    /// cgo is off when `CGO_ENABLED=0` is set on the command, exported earlier in the
    /// script, or set by `ENV`/`ARG`; a build linked statically (`-extldflags -static`,
    /// the `netgo` tag) is fine too. The official `golang:*-alpine` images have no C
    /// compiler, so Go turns cgo off there by itself: an Alpine build is reported only
    /// when `gcc`, `build-base` or `musl-dev` is installed or `CGO_ENABLED=1` is set.
    ///
    /// ## Why it matters
    /// With cgo on, the binary is linked against the build stage's libc (through `net`
    /// and `os/user`). In a stage with another libc, or none, it fails to start with
    /// `exec /app: no such file or directory`: the image builds fine and breaks at run
    /// time.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN go build -o /out/app .
    /// FROM alpine:3.20
    /// COPY --from=build /out/app /usr/local/bin/app
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM golang:1.23 AS build
    /// RUN CGO_ENABLED=0 go build -o /out/app .
    /// FROM alpine:3.20
    /// COPY --from=build /out/app /usr/local/bin/app
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `CGO_ENABLED=0` is added in front of the `go` command and the binary becomes
    /// static. When the build stage installs C headers (`*-dev` packages), the program
    /// probably calls C code that cannot be built without cgo, so the fix is offered as
    /// unsafe there.
    pub struct CgoLibcMismatch {
        name: "cgo-libc-mismatch",
        group: Reliability,
        level: Warning,
        aliases: [],
        fix: Safe,
        summary: "A cgo Go binary copied into a stage with another libc",
    }
}

impl Check for CgoLibcMismatch {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, run) in ctx.all_scripts() {
            let Some(stage) = ctx.stage_of(id) else {
                continue;
            };
            let Some(build_libc) = stage_image(ctx, stage.index).and_then(|i| image_libc(&i))
            else {
                continue;
            };
            let lineage = stage_lineage(ctx, stage.index);
            let facts = StageFacts::collect(ctx, &lineage);
            for cmd in run.script.commands() {
                let Some(go) = go_build(cmd.command()) else {
                    continue;
                };
                let explicit = match cgo_setting(ctx, id, &cmd) {
                    Some(false) => continue,
                    Some(true) => true,
                    None => facts.cgo_forced,
                };
                if build_libc == Libc::Musl && !explicit && !facts.c_compiler {
                    continue;
                }
                if build_libc == Libc::NoLibc || statically_linked(cmd.command()) {
                    continue;
                }
                let output = output_path(ctx, id, cmd.command());
                let Some((target, target_libc)) =
                    mismatched_target(ctx, stage.index, build_libc, output.as_deref())
                else {
                    continue;
                };
                let range = run.file_range(cmd.span());
                let finding = out.report(
                    range,
                    format!(
                        "`{go}` runs with cgo on a {} image, and its output is copied into \
                         stage `{target}`, which has {}: the binary will not start there",
                        build_libc.describe(),
                        target_libc.describe()
                    ),
                );
                finding.help("build a static binary: set `CGO_ENABLED=0` on the `go build`");
                if let Some(name) = &cmd.command().name {
                    let safety = if facts.c_headers {
                        FixSafety::Unsafe
                    } else {
                        FixSafety::Safe
                    };
                    finding.fix(Fix {
                        safety,
                        description: "add `CGO_ENABLED=0` to the go command".to_string(),
                        edits: vec![Edit::insert(
                            run.file_offset(name.span.start),
                            "CGO_ENABLED=0 ",
                        )],
                    });
                }
            }
        }
    }
}

/// `go build` or `xx-go install` (as written) when the command builds or installs a
/// binary.
fn go_build(cmd: &Command) -> Option<String> {
    let program = cmd.program()?;
    if !matches!(program, "go" | "xx-go") {
        return None;
    }
    let sub = cmd.args.first()?.literal()?;
    matches!(sub, "build" | "install").then(|| format!("{program} {sub}"))
}

/// What the stage and the stages it is built on say about cgo.
#[derive(Default)]
struct StageFacts {
    /// A C compiler is installed.
    c_compiler: bool,
    /// C headers of libraries are installed (`*-dev`, `*-devel`).
    c_headers: bool,
    /// `go env -w CGO_ENABLED=1`.
    cgo_forced: bool,
}

impl StageFacts {
    fn collect(ctx: &Context<'_>, lineage: &[usize]) -> StageFacts {
        let mut facts = StageFacts::default();
        for stage in lineage {
            let Some(stage) = ctx.model.stage(*stage) else {
                continue;
            };
            for id in &stage.instructions {
                for run in ctx.scripts(*id) {
                    for op in &run.operations {
                        if op.operation != Operation::Install || !op.manager.is_os() {
                            continue;
                        }
                        for p in &op.packages {
                            let name = p.name.as_str();
                            if matches!(
                                name,
                                "gcc"
                                    | "g++"
                                    | "clang"
                                    | "build-base"
                                    | "musl-dev"
                                    | "build-essential"
                            ) {
                                facts.c_compiler = true;
                            }
                            let header = (name.ends_with("-dev") || name.ends_with("-devel"))
                                && !matches!(
                                    name,
                                    "musl-dev" | "libc-dev" | "libc6-dev" | "linux-headers"
                                );
                            facts.c_headers |= header;
                        }
                    }
                    for cmd in run.script.commands() {
                        let c = cmd.command();
                        let words: Vec<Option<&str>> = c.arg_literals();
                        if c.program() == Some("go")
                            && words.first() == Some(&Some("env"))
                            && words.contains(&Some("CGO_ENABLED=1"))
                        {
                            facts.cgo_forced = true;
                        }
                    }
                }
            }
        }
        facts
    }
}

/// `Some(false)` when cgo is off for this command, `Some(true)` when it is forced on,
/// `None` when left to Go's default.
fn cgo_setting(ctx: &Context<'_>, id: InstructionId, cmd: &CommandRef<'_>) -> Option<bool> {
    let from_value = |v: &str| match v {
        "0" => Some(false),
        "1" => Some(true),
        _ => None,
    };
    for a in &cmd.command().assignments {
        if a.name == "CGO_ENABLED" {
            // A value that cannot be told is the author's choice: treat it as set.
            return match a.value.literal() {
                Some(v) => from_value(v),
                None => resolve_word(ctx, id, &a.value)
                    .and_then(|v| from_value(&v))
                    .or(Some(false)),
            };
        }
    }
    // `export CGO_ENABLED=0` or `CGO_ENABLED=0` earlier in the script, or `go env -w`.
    let script = cmd.script();
    let mut setting = ctx
        .state(id)
        .and_then(|s| s.vars.get("CGO_ENABLED").map(str::to_string))
        .and_then(|v| from_value(&v));
    for earlier in script.commands() {
        if earlier.id() == cmd.id() {
            break;
        }
        let c = earlier.command();
        match c.name_literal() {
            Some("export") => {
                for w in &c.args {
                    if let Some(v) = w.literal().and_then(|l| l.strip_prefix("CGO_ENABLED=")) {
                        setting = from_value(v);
                    }
                }
            }
            Some("go") if c.args.first().is_some_and(|w| w.is("env")) => {
                for w in &c.args {
                    if let Some(v) = w.literal().and_then(|l| l.strip_prefix("CGO_ENABLED=")) {
                        setting = from_value(v);
                    }
                }
            }
            None => {
                for a in c.assignments.iter().filter(|a| a.name == "CGO_ENABLED") {
                    setting = a.value.literal().and_then(from_value);
                }
            }
            _ => {}
        }
    }
    setting
}

/// Whether the link is static anyway (`-ldflags '-extldflags "-static"'`, `-tags netgo`).
fn statically_linked(cmd: &Command) -> bool {
    cmd.args.iter().any(|w| {
        let text = w.literal().unwrap_or(&w.raw);
        text.contains("-static") || text.contains("netgo")
    })
}

/// The `-o` output of the build, absolute.
fn output_path(ctx: &Context<'_>, id: InstructionId, cmd: &Command) -> Option<String> {
    let mut args = cmd.args.iter();
    let mut value = None;
    while let Some(w) = args.next() {
        let lit = w.literal().unwrap_or("");
        if lit == "-o" {
            let v = args.next()?;
            value = v
                .literal()
                .map(str::to_string)
                .or_else(|| resolve_word(ctx, id, v));
        } else if let Some(v) = lit.strip_prefix("-o=") {
            value = Some(v.to_string());
        }
    }
    let value = value?;
    if value.starts_with('/') {
        return Some(value);
    }
    let workdir = ctx.state(id).map_or("/", |s| s.workdir.as_str());
    Some(dockopt_model::normalize_workdir(workdir, &value))
}

/// A stage that copies from `stage` and runs on another libc, with that libc.
fn mismatched_target(
    ctx: &Context<'_>,
    stage: usize,
    build_libc: Libc,
    output: Option<&str>,
) -> Option<(String, Libc)> {
    for dep in ctx.model.dependencies() {
        if dep.kind != DependencyKind::CopyFrom || dep.target != DependencyTarget::Stage(stage) {
            continue;
        }
        if stage_lineage(ctx, dep.stage).contains(&stage) {
            continue;
        }
        let Some(libc) = stage_image(ctx, dep.stage).and_then(|i| image_libc(&i)) else {
            continue;
        };
        if libc == build_libc {
            continue;
        }
        // A `FROM scratch` stage that runs nothing only carries files to another stage
        // or to `--output`: it is not where the binary starts.
        if libc == Libc::NoLibc && !runs_something(ctx, dep.stage) {
            continue;
        }
        if let Some(output) = output {
            let copies_it = ctx
                .model
                .instruction(dep.instruction)
                .and_then(|i| i.copy_args())
                .is_some_and(|args| {
                    args.sources.iter().any(|s| {
                        let src = s.value.trim_end_matches('/');
                        src.is_empty()
                            || src.contains(['*', '?', '[', '$'])
                            || output == src
                            || output.starts_with(&format!("{src}/"))
                    })
                });
            if !copies_it {
                continue;
            }
        }
        let name = ctx
            .model
            .stage(dep.stage)
            .map_or_else(|| "?".to_string(), |s| s.display_name());
        return Some((name, libc));
    }
    None
}

/// Whether the stage says what to run (`ENTRYPOINT` or `CMD`).
fn runs_something(ctx: &Context<'_>, stage: usize) -> bool {
    ctx.model.stage(stage).is_some_and(|s| {
        s.instructions.iter().any(|i| {
            ctx.model.instruction(*i).is_some_and(|ins| {
                matches!(
                    ins.kind(),
                    InstructionKind::Entrypoint | InstructionKind::Cmd
                )
            })
        })
    })
}
