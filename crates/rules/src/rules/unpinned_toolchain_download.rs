use crate::helpers::reliability::{resolve_word, stage_image, stage_lineage, ImageRef};
use crate::prelude::*;
use dockopt_diagnostic::Level;
use dockopt_shell::pkg::Pin;
use dockopt_shell::{Command, NodeKind, Word};

declare_rule! {
    /// ## What it does
    /// Reports a build step that downloads whatever version is newest on the day of the
    /// build:
    /// - `nodeenv` without `--node=X`, and tools that bootstrap Node through nodeenv:
    ///   prisma-client-py's `prisma generate` / `prisma py fetch` in a stage with no
    ///   `node` (no Node base image, no `nodejs` package, no nvm);
    /// - `nvm install node|stable|--lts`, rustup installers without
    ///   `--default-toolchain X.Y` (or with a channel such as `stable`), `rustup
    ///   install stable`, `uv python install` without a version;
    /// - `curl`/`wget`/`ADD` of a `.../releases/latest/...` URL;
    /// - `npx pkg` without `@version` (unless the project's own dependencies were
    ///   installed, so `npx` runs the locked local copy);
    /// - `go install pkg@latest` (DL3062), `npm install -g pkg` (DL3016), `gem install
    ///   pkg` (DL3028) without a version. `go install pkg` without `@version` is not
    ///   reported: it takes the version the working directory's `go.mod` pins (and fails
    ///   outside a module), never the newest; nor is a local gem file (`gem install
    ///   --local pups-1.4.0.gem`);
    /// - `pip install pkg` without a version (DL3013), reported at info level: the
    ///   project's own dependencies are better pinned in a lock or requirements file.
    ///
    /// ## Why it matters
    /// The Dockerfile does not change, yet the build does: a new Node, Rust or tool
    /// release lands, the cached layer is rebuilt with it one day, and the build or the
    /// application breaks with no commit to blame. Two builds of the same commit are not
    /// the same image.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN curl -sSf https://sh.rustup.rs | sh -s -- -y
    /// RUN go install golang.org/x/tools/cmd/goimports@latest
    /// RUN npm install -g pnpm
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// RUN curl -sSf https://sh.rustup.rs | sh -s -- -y --default-toolchain 1.82.0
    /// RUN go install golang.org/x/tools/cmd/goimports@v0.28.0
    /// RUN npm install -g pnpm@9.15.0
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: dockopt works offline and cannot know which version the build
    /// was tested with.
    pub struct UnpinnedToolchainDownload {
        name: "unpinned-toolchain-download",
        group: Reliability,
        level: Warning,
        aliases: ["DL3062", "DL3013", "DL3016", "DL3028"],
        fix: None,
        summary: "A build step downloads the newest version of a toolchain or tool",
    }
}

impl Check for UnpinnedToolchainDownload {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, run) in ctx.all_scripts() {
            for op in &run.operations {
                check_operation(run, op, out);
            }
            for cmd in run.script.commands() {
                check_command(ctx, id, run, cmd.command(), out);
            }
            check_rustup_pipes(ctx, id, run, out);
        }
        for (_, add) in ctx.instructions_of(InstructionKind::Add) {
            let Some(args) = add.copy_args() else {
                continue;
            };
            for src in args.sources {
                if is_latest_release_url(&src.value) {
                    let r = src.range;
                    out.report(
                        usize::from(r.start())..usize::from(r.end()),
                        format!(
                            "`ADD {}` downloads whatever release is latest today",
                            src.value
                        ),
                    )
                    .help("download a tagged release (`.../releases/download/vX.Y.Z/...`)");
                }
            }
        }
    }
}

fn check_operation(run: &RunScript, op: &PkgOp, out: &mut Findings) {
    let install = op.operation == Operation::Install;
    let unpinned = |p: &&dockopt_shell::pkg::Package| {
        !p.is_path_or_url && p.literal.is_some() && matches!(p.pin, Pin::None | Pin::Tag)
    };
    match op.manager {
        Manager::Go if install => {
            for p in op.packages.iter().filter(|p| p.pin == Pin::Tag) {
                let version = p.version.as_deref().unwrap_or("latest");
                out.report(
                    run.file_range(p.span),
                    format!(
                        "`go install {}@{version}` installs whatever version is newest today",
                        p.name
                    ),
                )
                .help("pin a module version: `go install pkg@vX.Y.Z`");
            }
        }
        Manager::Npm | Manager::Yarn | Manager::Pnpm | Manager::Bun
            if install && op.has(Meaning::Global) =>
        {
            for p in op.packages.iter().filter(unpinned) {
                let how = match (&p.pin, &p.version) {
                    (Pin::Tag, Some(tag)) => format!("with the moving tag `{tag}`"),
                    _ => "without a version".to_string(),
                };
                out.report(
                    run.file_range(p.span),
                    format!(
                        "`{}` is installed globally {how}: the build gets whatever is newest today",
                        p.name
                    ),
                )
                .help("pin it: `npm install -g pkg@X.Y.Z`");
            }
        }
        Manager::Gem if install => {
            for p in op.packages.iter().filter(unpinned) {
                if p.name.ends_with(".gem") {
                    continue;
                }
                out.report(
                    run.file_range(p.span),
                    format!(
                        "`gem install {}` without a version installs whatever is newest today",
                        p.name
                    ),
                )
                .help("pin it: `gem install pkg -v X.Y.Z` or `gem install pkg:X.Y.Z`");
            }
        }
        Manager::Pip | Manager::Uv if install && is_pip_install(op) => {
            let local_only = op
                .flags
                .iter()
                .any(|f| matches!(f.name.as_str(), "--no-index" | "--offline"));
            if local_only || op.has(Meaning::Constraint) {
                return;
            }
            for p in op
                .packages
                .iter()
                .filter(|p| !p.is_path_or_url && p.literal.is_some() && p.pin == Pin::None)
            {
                let name = p.name.as_str();
                if name.starts_with(['.', '/', '~'])
                    || name.ends_with(".whl")
                    || name.contains(['*', '/'])
                {
                    continue;
                }
                let finding = out.report(
                    run.file_range(p.span),
                    format!(
                        "`pip install {name}` without a version installs whatever is newest today"
                    ),
                );
                finding.help("pin it (`pkg==X.Y.Z`), or install from a requirements or lock file");
                finding.diagnostic.level = Level::Info;
            }
        }
        Manager::Uv
            if op
                .subcommand
                .iter()
                .map(String::as_str)
                .eq(["python", "install"])
                && op.packages.is_empty() =>
        {
            out.report(
                run.file_range(op.span),
                "`uv python install` without a version installs the newest Python (unless a \
                 `.python-version` file is in the working directory)",
            )
            .help("name the version: `uv python install 3.12`");
        }
        Manager::Curl | Manager::Wget => {
            for p in &op.packages {
                let url = p.literal.as_deref().unwrap_or(&p.raw);
                if is_latest_release_url(url) {
                    out.report(
                        run.file_range(p.span),
                        format!("`{url}` is whatever release is latest today"),
                    )
                    .help("download a tagged release (`.../releases/download/vX.Y.Z/...`)");
                }
            }
        }
        _ => {}
    }
}

fn is_pip_install(op: &PkgOp) -> bool {
    match op.manager {
        Manager::Pip => true,
        Manager::Uv => op.subcommand.first().is_some_and(|s| s == "pip"),
        _ => false,
    }
}

/// A GitHub-style "latest release" URL: `.../releases/latest/download/...` or the API's
/// `.../releases/latest`.
fn is_latest_release_url(url: &str) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let segments: Vec<&str> = path.split('/').collect();
    segments
        .windows(2)
        .any(|w| matches!(w, ["releases", "latest"]))
}

fn check_command(
    ctx: &Context<'_>,
    id: InstructionId,
    run: &RunScript,
    cmd: &Command,
    out: &mut Findings,
) {
    let Some(program) = cmd.program() else {
        return;
    };
    let args: Vec<Option<&str>> = cmd.arg_literals();
    let arg = |i: usize| args.get(i).copied().flatten();
    let range = run.file_range(cmd.span);
    match program {
        "nodeenv" => nodeenv(&args, range, out),
        p if p.starts_with("python") && arg(0) == Some("-m") && arg(1) == Some("nodeenv") => {
            nodeenv(args.get(2..).unwrap_or(&[]), range, out)
        }
        "prisma" => {
            let fetches = matches!(
                (arg(0), arg(1)),
                (Some("generate"), _) | (Some("py"), Some("fetch"))
            );
            if fetches && !node_available(ctx, id) {
                out.report(
                    range,
                    "prisma-client-py downloads the newest Node through nodeenv here: no `node` is \
                     installed in this stage",
                )
                .help("install a pinned Node first (a `nodejs` package or `nodeenv --node=X.Y.Z`), or `pip install prisma[node]`");
            }
        }
        "nvm" if arg(0) == Some("install") => {
            let version = args
                .iter()
                .skip(1)
                .flatten()
                .find(|a| !a.starts_with('-') || *a == &"--lts");
            if let Some(v) = version {
                if matches!(
                    *v,
                    "node" | "stable" | "--lts" | "lts/*" | "latest" | "current"
                ) {
                    out.report(
                        range,
                        format!("`nvm install {v}` installs whatever Node is newest today"),
                    )
                    .help("name the version: `nvm install 22.11.0`");
                }
            }
        }
        "rustup" => {
            let sub = arg(0).unwrap_or("");
            let (sub, channel) = match sub {
                "install" | "default" => (sub, cmd.args.get(1)),
                "toolchain" if arg(1) == Some("install") => ("toolchain install", cmd.args.get(2)),
                "update" => (
                    sub,
                    cmd.args
                        .get(1)
                        .filter(|w| !w.literal().unwrap_or("").starts_with('-')),
                ),
                _ => (sub, None),
            };
            if let Some(word) = channel {
                let value = word_value(ctx, id, word);
                if value.as_deref().is_some_and(is_rust_channel) {
                    out.report(
                        range,
                        format!(
                            "`rustup {sub} {}` follows a moving channel",
                            value.unwrap_or_default()
                        ),
                    )
                    .help("name a release: `rustup toolchain install 1.82.0`");
                }
            }
        }
        p if p == "rustup-init" || p == "rustup-init.sh" => {
            check_rustup_args(ctx, id, &cmd.args, range, out);
        }
        "sh" | "bash"
            if arg(0)
                .is_some_and(|a| a.ends_with("rustup-init.sh") || a.ends_with("rustup-init")) =>
        {
            check_rustup_args(ctx, id, cmd.args.get(1..).unwrap_or(&[]), range, out);
        }
        // The cross-compiling wrapper of tonistiigi/xx.
        "xx-go" if arg(0) == Some("install") => {
            for w in cmd.args.iter().skip(1) {
                let value = w.literal().unwrap_or("");
                if let Some((module, "latest")) = value.rsplit_once('@') {
                    out.report(
                        run.file_range(w.span),
                        format!("`xx-go install {module}@latest` installs whatever version is newest today"),
                    )
                    .help("pin a module version: `go install pkg@vX.Y.Z`");
                }
            }
        }
        "npx" | "bunx" => npx(ctx, id, run, cmd, 0, out),
        "pnpm" | "yarn" if arg(0) == Some("dlx") => npx(ctx, id, run, cmd, 1, out),
        _ => {}
    }
}

fn nodeenv(args: &[Option<&str>], range: std::ops::Range<usize>, out: &mut Findings) {
    let mut version = None;
    let mut i = 0;
    while let Some(a) = args.get(i) {
        match a {
            Some("-n" | "--node") => {
                version = Some(args.get(i + 1).copied().flatten().unwrap_or("$"))
            }
            Some(a) if a.starts_with("--node=") => version = a.strip_prefix("--node="),
            None => {}
            _ => {}
        }
        i += 1;
    }
    let moving = match version {
        None => Some("the newest Node"),
        Some("latest") => Some("the newest Node"),
        Some("lts") => Some("the newest LTS Node"),
        _ => None,
    };
    if let Some(what) = moving {
        out.report(
            range,
            format!("`nodeenv` installs {what}: the version changes from one build to the next"),
        )
        .help("pin it: `nodeenv --node=22.11.0`");
    }
}

fn is_rust_channel(value: &str) -> bool {
    matches!(value, "stable" | "beta" | "nightly")
        || value.starts_with("stable-") && !value.chars().nth(7).is_some_and(|c| c.is_ascii_digit())
        || value.starts_with("nightly-")
            && !value.chars().nth(8).is_some_and(|c| c.is_ascii_digit())
}

fn word_value(ctx: &Context<'_>, id: InstructionId, word: &Word) -> Option<String> {
    word.literal()
        .map(str::to_string)
        .or_else(|| resolve_word(ctx, id, word))
}

/// The options given to a rustup installer: `--default-toolchain X` must name a release.
fn check_rustup_args(
    ctx: &Context<'_>,
    id: InstructionId,
    args: &[Word],
    range: std::ops::Range<usize>,
    out: &mut Findings,
) {
    let mut toolchain: Option<Option<String>> = None;
    let mut i = 0;
    while let Some(w) = args.get(i) {
        let lit = w.literal().unwrap_or("");
        if lit == "--default-toolchain" {
            // A value that cannot be resolved comes from the build: the author pins it.
            toolchain = Some(args.get(i + 1).and_then(|v| word_value(ctx, id, v)));
            i += 1;
        } else if let Some(v) = lit.strip_prefix("--default-toolchain=") {
            toolchain = Some(Some(v.to_string()));
        } else if w.raw.starts_with("--default-toolchain=") {
            toolchain = Some(None);
        }
        i += 1;
    }
    let message = match &toolchain {
        None => "the rustup installer runs without `--default-toolchain`: it installs whatever \
                 stable Rust is newest today"
            .to_string(),
        Some(Some(v)) if is_rust_channel(v) => {
            format!("the rustup installer installs the `{v}` channel: whatever is newest today")
        }
        _ => return,
    };
    out.report(range, message)
        .help("pass `--default-toolchain X.Y.Z`");
}

/// `curl https://sh.rustup.rs | sh -s -- -y`.
fn check_rustup_pipes(ctx: &Context<'_>, id: InstructionId, run: &RunScript, out: &mut Findings) {
    let script = &run.script;
    for pipe in script.pipes() {
        let NodeKind::Pipeline(p) = script.kind(pipe) else {
            continue;
        };
        let Some((reader, writers)) = p.commands.split_last() else {
            continue;
        };
        let from_rustup = writers.iter().any(|w| {
            script.command(*w).is_some_and(|c| {
                matches!(c.program(), Some("curl" | "wget"))
                    && c.args.iter().any(|a| {
                        let v = a.literal().unwrap_or(&a.raw);
                        v.contains("sh.rustup.rs") || v.contains("rustup-init")
                    })
            })
        });
        let Some(shell) = script.command(*reader) else {
            continue;
        };
        if from_rustup && matches!(shell.program(), Some("sh" | "bash")) {
            check_rustup_args(ctx, id, &shell.args, run.file_range(script.span(pipe)), out);
        }
    }
}

/// `npx pkg`: a package without a version is fetched fresh unless installed locally.
fn npx(
    ctx: &Context<'_>,
    id: InstructionId,
    run: &RunScript,
    cmd: &Command,
    skip: usize,
    out: &mut Findings,
) {
    let mut package: Option<&Word> = None;
    let mut i = skip;
    while let Some(w) = cmd.args.get(i) {
        let lit = w.literal().unwrap_or("");
        match lit {
            "--no-install" | "--no" | "--offline" => return,
            "-p" | "--package" => {
                package = cmd.args.get(i + 1);
                break;
            }
            l if l.starts_with("--package=") => {
                package = Some(w);
                break;
            }
            l if l.starts_with('-') => {}
            _ => {
                package = Some(w);
                break;
            }
        }
        i += 1;
    }
    let Some(word) = package else {
        return;
    };
    let Some(lit) = word.literal() else {
        return;
    };
    let lit = lit.strip_prefix("--package=").unwrap_or(lit);
    if lit.starts_with(['.', '/']) {
        return;
    }
    let from = usize::from(lit.starts_with('@'));
    let version = lit
        .get(from..)
        .and_then(|s| s.split_once('@'))
        .map(|(_, v)| v);
    let pinned = version.is_some_and(|v| !v.is_empty() && !matches!(v, "latest" | "next"));
    if pinned || local_dependencies_installed(ctx, id) {
        return;
    }
    let program = cmd.program().unwrap_or("npx");
    out.report(
        run.file_range(word.span),
        format!("`{program} {lit}` fetches whatever version of `{lit}` is newest today"),
    )
    .help("pin it: `npx pkg@X.Y.Z`");
}

/// Whether the project's own JS dependencies were installed in the stage before `id`
/// (so `npx` finds the locked local copy).
fn local_dependencies_installed(ctx: &Context<'_>, id: InstructionId) -> bool {
    let Some(stage) = ctx.stage_of(id) else {
        return false;
    };
    stage_lineage(ctx, stage.index).iter().any(|s| {
        ctx.model.stage(*s).is_some_and(|stage| {
            stage.instructions.iter().filter(|i| **i <= id).any(|i| {
                ctx.scripts(*i).iter().any(|r| {
                    r.operations.iter().any(|op| {
                        matches!(
                            op.manager,
                            Manager::Npm | Manager::Yarn | Manager::Pnpm | Manager::Bun
                        ) && op.operation == Operation::Install
                            && !op.has(Meaning::Global)
                    })
                })
            })
        })
    })
}

/// Whether `node` is on the PATH of the stage at `id`: a Node base image, an OS
/// `nodejs` package, nvm/fnm/volta, a pinned nodeenv, or `prisma[node]`/`nodejs-bin`.
fn node_available(ctx: &Context<'_>, id: InstructionId) -> bool {
    let Some(stage) = ctx.stage_of(id) else {
        return true;
    };
    let lineage = stage_lineage(ctx, stage.index);
    let Some(image) = stage_image(ctx, stage.index) else {
        // An unknown base may well have Node.
        return true;
    };
    if ImageRef::parse(&image).short_name().contains("node") {
        return true;
    }
    lineage.iter().any(|s| {
        ctx.model.stage(*s).is_some_and(|stage| {
            stage.instructions.iter().filter(|i| **i < id).any(|i| {
                let copies_node = ctx.model.instruction(*i).is_some_and(|ins| {
                    ins.kind() == InstructionKind::Copy
                        && ins
                            .flag("from")
                            .and_then(|f| f.value.as_deref())
                            .is_some_and(|v| ImageRef::parse(v).short_name() == "node")
                });
                copies_node
                    || ctx.scripts(*i).iter().any(|r| {
                        r.operations.iter().any(|op| {
                            op.operation == Operation::Install
                                && op.packages.iter().any(|p| {
                                    p.name.starts_with("nodejs")
                                        || p.name == "node"
                                        || p.raw.contains("[node]")
                                })
                        }) || r.script.commands().any(|c| {
                            matches!(
                                c.command().program(),
                                Some("nvm" | "fnm" | "volta" | "n" | "nodeenv")
                            )
                        })
                    })
            })
        })
    })
}
