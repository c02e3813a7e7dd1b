//! Questions the size rules ask: which layers end up in the image, which paths a command
//! deletes or a `COPY` creates, and where each package manager leaves its cache.

use dockopt_model::InstructionId;
use dockopt_shell::pkg::{cache_dirs, CacheKind, Env, Manager, Meaning, Operation, PkgOp};
use dockopt_shell::{CommandRef, Span, Word};
use dockopt_syntax::InstructionKind;

use crate::context::{memoized, Context, RunScript};
use crate::helpers::packages::base_image_env;
use crate::helpers::speed;

/// The environment a package-manager operation runs in (see [`speed::command_env`]), with
/// the variables the official base image sets.
pub fn op_env(ctx: &Context<'_>, id: InstructionId, script: &RunScript, op: &PkgOp) -> Env {
    let mut env = speed::command_env(ctx, id, script, op);
    for (k, v) in base_image_env(ctx, id) {
        env.vars
            .entry(k.to_string())
            .or_insert_with(|| v.to_string());
    }
    env
}

/// The environment of any command of a `RUN`: the effective user's home, the working
/// directory and the build's variables (with the official base image's), plus assignments
/// written before the command.
pub fn run_env(ctx: &Context<'_>, id: InstructionId, cmd: &CommandRef<'_>) -> Env {
    let mut env = Env::default();
    if let Some(state) = ctx.state(id) {
        env.home = Some(state.home.clone());
        env.user = state.user_name().map(str::to_string);
        env.workdir = Some(state.workdir.clone());
        for (k, v) in state.vars.iter() {
            env.vars.insert(k.to_string(), v.to_string());
        }
    }
    for (k, v) in base_image_env(ctx, id) {
        env.vars
            .entry(k.to_string())
            .or_insert_with(|| v.to_string());
    }
    for a in &cmd.command().assignments {
        if let Some(value) = resolve_word(&a.value, &env) {
            env.vars.insert(a.name.clone(), value);
        }
    }
    env
}

/// The stages whose layers make up the image the build produces: the final stage and the
/// stages it is built `FROM`, final stage first.
pub fn shipping_stages(ctx: &Context<'_>) -> Vec<usize> {
    ctx.memo
        .shipping_stages
        .get_or_init(|| find_shipping_stages(ctx))
        .clone()
}

fn find_shipping_stages(ctx: &Context<'_>) -> Vec<usize> {
    let mut out = Vec::new();
    let mut stage = ctx.model.final_stage();
    while let Some(s) = stage {
        if out.contains(&s.index) {
            break;
        }
        out.push(s.index);
        stage = s.base_stage().and_then(|i| ctx.model.stage(i));
    }
    out
}

/// Whether the layer of instruction `id` is part of the image the build produces.
pub fn ships(ctx: &Context<'_>, id: InstructionId) -> bool {
    ctx.stage_of(id).is_some_and(|s| {
        ctx.memo
            .shipping_stages
            .get_or_init(|| find_shipping_stages(ctx))
            .contains(&s.index)
    })
}

/// Whether stage `stage` is `ancestor` or built `FROM` it (directly or through others).
pub fn descends_from(ctx: &Context<'_>, stage: usize, ancestor: usize) -> bool {
    let mut current = ctx.model.stage(stage);
    for _ in 0..=ctx.model.stages().len() {
        match current {
            Some(s) if s.index == ancestor => return true,
            Some(s) => current = s.base_stage().and_then(|i| ctx.model.stage(i)),
            None => return false,
        }
    }
    false
}

/// The instructions whose layers lie under the layer of `id`: those before it in its
/// stage and in the stages that stage is built on, in file order.
pub fn layers_below(ctx: &Context<'_>, id: InstructionId) -> Vec<InstructionId> {
    memoized(&ctx.memo.layers_below, id, || find_layers_below(ctx, id)).into_owned()
}

fn find_layers_below(ctx: &Context<'_>, id: InstructionId) -> Vec<InstructionId> {
    let Some(stage) = ctx.stage_of(id) else {
        return Vec::new();
    };
    let stage = stage.index;
    ctx.instructions()
        .filter(|(other, _)| *other < id)
        .filter(|(other, _)| {
            ctx.stage_of(*other)
                .is_some_and(|s| descends_from(ctx, stage, s.index))
        })
        .map(|(other, _)| other)
        .collect()
}

/// `path` with duplicate separators, `.` parts, and a trailing `/`, `/*` or `/.` removed;
/// `..` parts are resolved.
pub fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    while parts.last() == Some(&"*") {
        parts.pop();
    }
    if path.starts_with('/') {
        format!("/{}", parts.join("/"))
    } else {
        parts.join("/")
    }
}

/// Whether `path` is `dir` or inside it (both normalised, absolute).
pub fn within(path: &str, dir: &str) -> bool {
    dir == "/"
        || path == dir
        || path
            .strip_prefix(dir)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// `path` made absolute against `cwd` and normalised.
pub fn absolute(path: &str, cwd: &str) -> String {
    if path.starts_with('/') {
        normalize(path)
    } else {
        normalize(&format!("{}/{path}", cwd.trim_end_matches('/')))
    }
}

/// The value of a shell word in `env` (`~` is the home directory), or `None` when it
/// depends on something unknown.
pub fn resolve_word(word: &Word, env: &Env) -> Option<String> {
    let home = env.home();
    word.resolve(&|name: &str| {
        if name == "HOME" {
            return Some(home.clone());
        }
        env.vars.get(name).cloned()
    })
}

/// The working directory a command of the script runs in: the `RUN`'s working directory,
/// changed by the last `cd` with a known target before it.
pub fn command_cwd(script: &RunScript, at: usize, env: &Env, workdir: &str) -> Option<String> {
    let mut cwd = workdir.to_string();
    for cmd in script.script.commands() {
        if cmd.span().start >= at {
            break;
        }
        let command = cmd.command();
        if command.program() == Some("cd") {
            let target = command
                .args
                .iter()
                .find(|w| !w.literal().is_some_and(|l| l.starts_with('-')));
            match target {
                None => cwd = env.home(),
                Some(w) => cwd = absolute(&resolve_word(w, env)?, &cwd),
            }
        }
    }
    Some(cwd)
}

/// A path a command deletes, with the word that names it.
#[derive(Debug, Clone)]
pub struct Deleted {
    /// The absolute, normalised path.
    pub path: String,
    /// The word in the script.
    pub span: Span,
    /// Whether the word ends in a glob (`dir/*`): the directory's content, not the
    /// directory.
    pub contents_only: bool,
}

/// The paths `rm` removes in a command (empty for other commands, and for words whose value
/// is unknown).
pub fn rm_paths(
    ctx: &Context<'_>,
    id: InstructionId,
    script: &RunScript,
    cmd: &CommandRef<'_>,
) -> Vec<Deleted> {
    let command = cmd.command();
    if command.program() != Some("rm") {
        return Vec::new();
    }
    let env = run_env(ctx, id, cmd);
    let workdir = env.workdir.clone().unwrap_or_else(|| "/".to_string());
    // Needed only for relative paths; `None` when a `cd` goes somewhere unknown.
    let cwd = command_cwd(script, cmd.span().start, &env, &workdir);
    let mut out = Vec::new();
    let mut options_done = false;
    for word in &command.args {
        match word.literal() {
            Some("--") if !options_done => {
                options_done = true;
                continue;
            }
            Some(l) if !options_done && l.starts_with('-') && l.len() > 1 => continue,
            _ => {}
        }
        let Some(value) = resolve_word(word, &env) else {
            continue;
        };
        if value.is_empty() {
            continue;
        }
        let contents_only = value.trim_end_matches('/').ends_with("/*");
        let path = match (&cwd, value.starts_with('/')) {
            (_, true) => normalize(&value),
            (Some(cwd), false) => absolute(&value, cwd),
            (None, false) => continue,
        };
        out.push(Deleted {
            path,
            span: word.span,
            contents_only,
        });
    }
    out
}

/// OS package managers that share a package database: dnf, yum and microdnf are one.
pub fn same_family(a: Manager, b: Manager) -> bool {
    let family = |m: Manager| match m {
        Manager::Apt => Manager::AptGet,
        Manager::Yum | Manager::Microdnf => Manager::Dnf,
        Manager::Bundle => Manager::Gem,
        other => other,
    };
    family(a) == family(b)
}

/// A cache a package-manager command leaves in the layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerCache {
    /// The directory to report and to mount a cache on.
    pub path: String,
    /// Other directories the same files may go to instead (Yarn 1 vs Yarn 2+): a mount or
    /// a deletion of any of them counts.
    pub alternatives: Vec<String>,
    /// What it holds.
    pub kind: CacheKind,
    /// The cache-deleting manager commands that empty it must empty this kind.
    pub cleaned_by: CacheKind,
}

impl LayerCache {
    fn new(path: String, kind: CacheKind) -> LayerCache {
        LayerCache {
            path: normalize(&path),
            alternatives: Vec::new(),
            kind,
            cleaned_by: kind,
        }
    }

    /// Every directory the cache may be in.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.path.as_str()).chain(self.alternatives.iter().map(String::as_str))
    }
}

/// Whether a Dockerfile instruction before `id` (in its stage's chain) deletes the
/// official Debian/Ubuntu images' `docker-clean` hook, which otherwise deletes downloaded
/// `.deb` files after every install.
pub fn apt_archives_kept(ctx: &Context<'_>, id: InstructionId) -> bool {
    *memoized(&ctx.memo.apt_archives_kept, id, || {
        let below = memoized(&ctx.memo.layers_below, id, || find_layers_below(ctx, id));
        below
            .iter()
            .copied()
            .chain(std::iter::once(id))
            .any(|other| {
                *memoized(&ctx.memo.removes_apt_hook, other, || {
                    removes_apt_hook(ctx, other)
                })
            })
    })
}

/// Whether a `RUN` deletes the apt `docker-clean` hook.
fn removes_apt_hook(ctx: &Context<'_>, id: InstructionId) -> bool {
    let hook = "/etc/apt/apt.conf.d/docker-clean";
    ctx.scripts(id).iter().any(|script| {
        script.script.commands().any(|cmd| {
            rm_paths(ctx, id, script, &cmd)
                .iter()
                .any(|d| d.path == hook || within(hook, &d.path) && d.path != "/")
        })
    })
}

/// The caches `op` leaves in the layer of `RUN` `id` when nothing deletes them, given the
/// user, home directory and variables it runs with; empty when a flag or variable turns
/// the cache off.
pub fn layer_caches(
    ctx: &Context<'_>,
    id: InstructionId,
    script: &RunScript,
    op: &PkgOp,
) -> Vec<LayerCache> {
    use Operation::*;
    if is_info_query(op) {
        return Vec::new();
    }
    let env = op_env(ctx, id, script, op);
    let dirs = cache_dirs(op.manager, &env);
    if dirs.disabled_by.is_some() {
        return Vec::new();
    }
    let flag_dir = |op: &PkgOp| {
        op.flag(Meaning::CacheDir)
            .and_then(|f| f.value.clone())
            .filter(|v| v.starts_with('/'))
    };
    let workdir = env.workdir.clone().unwrap_or_else(|| "/".into());
    let mut out = Vec::new();
    match op.manager {
        Manager::AptGet | Manager::Apt => {
            // `apt install --update` refreshes the lists first.
            let updates = op.operation == UpdateIndex
                || (op.operation == Install && op.flags.iter().any(|f| f.name == "--update"));
            if updates {
                out.push(LayerCache::new(
                    "/var/lib/apt/lists".into(),
                    CacheKind::Index,
                ));
            }
            if matches!(op.operation, Install | Upgrade) && apt_archives_kept(ctx, id) {
                out.push(LayerCache::new(
                    "/var/cache/apt/archives".into(),
                    CacheKind::Packages,
                ));
            }
        }
        Manager::Apk
            if matches!(op.operation, Install | UpdateIndex | Upgrade)
                && !op.has(Meaning::NoCache) =>
        {
            let path = flag_dir(op).unwrap_or_else(|| "/var/cache/apk".into());
            let mut cache = LayerCache::new(path, CacheKind::Index);
            cache.alternatives.push("/etc/apk/cache".into());
            out.push(cache);
        }
        Manager::Dnf | Manager::Yum | Manager::Microdnf | Manager::Zypper => {
            if matches!(op.operation, Install | UpdateIndex | Upgrade) {
                let mut paths = dirs.dirs.iter().map(|d| d.path.clone());
                if let Some(path) = paths.next() {
                    let mut cache = LayerCache::new(path, CacheKind::Index);
                    cache.alternatives = paths.collect();
                    // A manager on RHEL 8+ is dnf whichever name it is called by.
                    for other in ["/var/cache/dnf", "/var/cache/yum"] {
                        if op.manager != Manager::Zypper
                            && cache.path != other
                            && !cache.alternatives.iter().any(|a| a == other)
                        {
                            cache.alternatives.push(other.into());
                        }
                    }
                    out.push(cache);
                }
            }
        }
        manager if speed::is_language_manager(manager) => {
            let off = match manager {
                Manager::Pip => {
                    op.has(Meaning::NoCacheDir)
                        || op.has(Meaning::NoCache)
                        // Nothing is downloaded from an index.
                        || op.flags.iter().any(|f| f.name == "--no-index")
                }
                Manager::Uv | Manager::Poetry | Manager::Npm | Manager::Yarn | Manager::Pnpm => {
                    op.has(Meaning::NoCache)
                }
                // Without GEM_HOME the gems and their cache go to the system gem dir, which
                // depends on how Ruby was built.
                Manager::Gem | Manager::Bundle => env.var("GEM_HOME").is_none(),
                // Builds of Java projects keep their dependencies in the local repository
                // on purpose; they are not a leftover.
                Manager::Maven | Manager::Gradle | Manager::Composer | Manager::Bun => true,
                _ => false,
            };
            let fills = match manager {
                Manager::Go | Manager::Cargo => matches!(op.operation, Install | Download | Build),
                Manager::Pip => matches!(op.operation, Install | Download | Build),
                _ => speed::fills_cache(op) && op.operation == Install,
            };
            if fills && !off {
                let flag = flag_dir(op);
                let dirs = match (&flag, manager) {
                    (Some(dir), _) => vec![(dir.clone(), CacheKind::Packages)],
                    (None, Manager::Gem | Manager::Bundle) => cache_dirs(Manager::Gem, &env)
                        .dirs
                        .into_iter()
                        .map(|d| (d.path, d.kind))
                        .collect(),
                    _ => speed::used_caches(op, &env)
                        .into_iter()
                        .map(|d| (d.path, d.kind))
                        .collect(),
                };
                for (path, kind) in dirs {
                    let mut cache = LayerCache::new(absolute(&path, &workdir), kind);
                    if manager == Manager::Cargo {
                        // `cargo clean` empties the target dir, not the registry.
                        cache.cleaned_by = CacheKind::Index;
                    }
                    if manager == Manager::Yarn {
                        cache.alternatives = dirs_of(&dirs_all(op.manager, &env), &cache.path);
                    }
                    out.push(cache);
                }
            }
        }
        _ => {}
    }
    out
}

fn dirs_all(manager: Manager, env: &Env) -> Vec<String> {
    cache_dirs(manager, env)
        .dirs
        .into_iter()
        .filter(|d| d.kind == CacheKind::Packages)
        .map(|d| normalize(&d.path))
        .collect()
}

/// The directories of `all` other than `path`.
fn dirs_of(all: &[String], path: &str) -> Vec<String> {
    all.iter().filter(|p| *p != path).cloned().collect()
}

/// `yarn --version`, `pip --help`: a query with no subcommand and no package.
pub fn is_info_query(op: &PkgOp) -> bool {
    op.subcommand.is_empty()
        && op.packages.is_empty()
        && op
            .flags
            .iter()
            .any(|f| matches!(f.name.as_str(), "--version" | "-v" | "-V" | "--help" | "-h"))
}

/// `apt-get dist-clean` (apt 2.7+): `clean` plus the package lists.
fn dist_clean(op: &PkgOp) -> bool {
    matches!(op.manager, Manager::AptGet | Manager::Apt)
        && op.subcommand.first().is_some_and(|s| s == "dist-clean")
}

/// Whether a command after `op` in the same `RUN` empties `cache`: the manager's own
/// clean command, or an `rm` of the directory or a parent of it.
pub fn cleaned_later(
    ctx: &Context<'_>,
    id: InstructionId,
    op_script: usize,
    op: &PkgOp,
    cache: &LayerCache,
) -> bool {
    for (index, script) in ctx.scripts(id).iter().enumerate() {
        if index < op_script {
            continue;
        }
        let after = |span: Span| index > op_script || span.start > op.span.start;
        let by_manager = script.operations.iter().any(|other| {
            let clean = other.operation == Operation::CleanCache
                && !other.subcommand.is_empty()
                && other.cleared_kinds.contains(&cache.cleaned_by);
            after(other.span)
                && same_family(other.manager, op.manager)
                && (clean || dist_clean(other))
        });
        if by_manager {
            return true;
        }
        let by_rm = script.script.commands().any(|cmd| {
            after(cmd.span())
                && rm_paths(ctx, id, script, &cmd)
                    .iter()
                    .any(|d| cache.paths().any(|p| within(p, &d.path) && d.path != "/"))
        });
        if by_rm {
            return true;
        }
    }
    false
}

/// Whether a build-only tool by name: compilers, build systems, header packages.
pub fn is_build_tool(package: &str) -> bool {
    let name = package.split([':', '=']).next().unwrap_or(package);
    let base = name.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    const TOOLS: &[&str] = &[
        "gcc",
        "g++",
        "gcc-c++",
        "c++",
        "clang",
        "llvm",
        "make",
        "cmake",
        "build-essential",
        "build-base",
        "autoconf",
        "automake",
        "libtool",
        "pkg-config",
        "pkgconf",
        "pkgconfig",
        "ninja-build",
        "meson",
        "rustc",
        "cargo",
        "rustup",
        "golang",
        "golang-go",
        "go",
        "linux-headers",
        "kernel-headers",
        "musl-dev",
        "libc-dev",
        "libc6-dev",
    ];
    TOOLS.contains(&name)
        || TOOLS.contains(&base)
        || name.ends_with("-dev")
        || name.ends_with("-devel")
}

/// Whether `id` is a `COPY` or `ADD`.
pub fn is_copy(ctx: &Context<'_>, id: InstructionId) -> bool {
    ctx.model
        .instruction(id)
        .is_some_and(|i| matches!(i.kind(), InstructionKind::Copy | InstructionKind::Add))
}

/// The absolute paths a `COPY`/`ADD` creates.
pub fn copy_destinations(ctx: &Context<'_>, id: InstructionId) -> Vec<String> {
    copy_targets(ctx, id).into_iter().map(|(p, _)| p).collect()
}

/// The absolute paths a `COPY`/`ADD` creates, each with whether it is a directory tree:
/// `DEST/name` for each file source when the destination is a directory (ends in `/`, or
/// several sources), `DEST` itself for a directory source or a single file.
pub fn copy_targets(ctx: &Context<'_>, id: InstructionId) -> Vec<(String, bool)> {
    let Some(instruction) = ctx.model.instruction(id) else {
        return Vec::new();
    };
    let Some(args) = instruction.copy_args() else {
        return Vec::new();
    };
    let Some(dest) = args.dest else {
        return Vec::new();
    };
    let workdir = ctx.state(id).map_or("/", |s| s.workdir.as_str());
    let expanded = match ctx.model.expand_at(id, &dest.value) {
        Some(Ok(e)) => e.value,
        _ => return Vec::new(),
    };
    let dest_abs = absolute(&expanded, workdir);
    let into_dir = expanded.ends_with('/')
        || expanded == "."
        || args.sources.len() > 1
        || args.sources.iter().any(|s| s.value.contains('*'));
    let mut out = Vec::new();
    for source in &args.sources {
        let value = source.value.trim_end_matches('/');
        let name = value.rsplit('/').next().unwrap_or(value);
        // A directory source (or `.`, or a glob) copies its content, not itself.
        let is_dir_like = value.is_empty()
            || value == "."
            || name.contains('*')
            || source.value.ends_with('/')
            || !name.contains('.');
        if is_dir_like {
            out.push((dest_abs.clone(), true));
        } else if into_dir {
            out.push((absolute(name, &dest_abs), false));
        } else {
            out.push((dest_abs.clone(), false));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The manager's usual command name.
pub fn program_name(manager: Manager) -> &'static str {
    match manager {
        Manager::AptGet => "apt-get",
        Manager::Apt => "apt",
        Manager::Apk => "apk",
        Manager::Dnf => "dnf",
        Manager::Yum => "yum",
        Manager::Microdnf => "microdnf",
        Manager::Zypper => "zypper",
        Manager::Pip => "pip",
        Manager::Uv => "uv",
        Manager::Poetry => "poetry",
        Manager::Pipx => "pipx",
        Manager::Npm => "npm",
        Manager::Yarn => "yarn",
        Manager::Pnpm => "pnpm",
        Manager::Bun => "bun",
        Manager::Go => "go",
        Manager::Cargo => "cargo",
        Manager::Gem => "gem",
        Manager::Bundle => "bundle",
        Manager::Composer => "composer",
        Manager::Maven => "mvn",
        Manager::Gradle => "gradle",
        Manager::Curl => "curl",
        Manager::Wget => "wget",
        Manager::Git => "git",
    }
}

/// The operation as a short command (`apt-get update`, `uv pip install`).
pub fn manager_name(op: &PkgOp) -> String {
    let mut out = program_name(op.manager).to_string();
    for word in &op.subcommand {
        out.push(' ');
        out.push_str(word);
    }
    out
}

/// Whether a command before `op` (in an earlier layer of the stage's chain, or earlier in
/// the same `RUN`) writes a package-manager configuration file under `config_dir` that sets
/// `key` to false (`echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/x`).
pub fn config_turns_off(
    ctx: &Context<'_>,
    id: InstructionId,
    before: Option<usize>,
    config_dir: &str,
    key: &str,
) -> bool {
    let key = key.to_ascii_lowercase();
    let says_off = |text: &str| {
        let lower = text.to_ascii_lowercase();
        lower.contains(&key)
            && ["false", "\"0\"", "=0", " 0", "no"].iter().any(|v| {
                lower
                    .split(&key)
                    .nth(1)
                    .is_some_and(|rest| rest.contains(v))
            })
    };
    let mut ids = layers_below(ctx, id);
    ids.push(id);
    ids.into_iter().any(|other| {
        ctx.scripts(other).iter().any(|script| {
            script.script.commands().any(|cmd| {
                if other == id && before.is_some_and(|b| cmd.span().start >= b) {
                    return false;
                }
                let command = cmd.command();
                let writes_config = command.redirects.iter().any(|r| {
                    r.target
                        .as_ref()
                        .and_then(|t| t.literal())
                        .is_some_and(|t| t.starts_with(config_dir))
                }) || (command.program() == Some("tee")
                    && command
                        .args
                        .iter()
                        .any(|a| a.literal().is_some_and(|t| t.starts_with(config_dir))));
                if !writes_config {
                    return false;
                }
                let in_args = command
                    .args
                    .iter()
                    .filter_map(|a| a.literal())
                    .any(says_off);
                let in_heredoc = command
                    .redirects
                    .iter()
                    .filter_map(|r| r.here_doc.as_ref())
                    .any(|h| says_off(&h.body));
                in_args || in_heredoc
            })
        })
    })
}

/// Whether `package`, installed by `op`, is removed again later in the same `RUN`: a
/// remove of the package (or of the `apk add --virtual` group it was installed in), or
/// docker-library's `apt-mark auto` followed by `apt-get purge --auto-remove`/`autoremove`.
pub fn removed_in_same_run(
    ctx: &Context<'_>,
    id: InstructionId,
    op_script: usize,
    op: &PkgOp,
    package: &str,
) -> bool {
    let virtual_group = op
        .flags
        .iter()
        .find(|f| matches!(f.name.as_str(), "--virtual" | "-t"))
        .and_then(|f| f.value.clone());
    let mut marked_auto = false;
    for (index, script) in ctx.scripts(id).iter().enumerate() {
        if index < op_script {
            continue;
        }
        for cmd in script.script.commands() {
            let command = cmd.command();
            if command.program() == Some("apt-mark") && command.args.iter().any(|a| a.is("auto")) {
                marked_auto = true;
            }
            if command.program() == Some("xargs")
                && command
                    .args
                    .windows(2)
                    .any(|w| w[0].is("apt-mark") && w[1].is("auto"))
            {
                marked_auto = true;
            }
        }
        for other in &script.operations {
            let after = index > op_script || other.span.start > op.span.start;
            if !after
                || other.operation != Operation::Remove
                || !same_family(other.manager, op.manager)
            {
                continue;
            }
            let names = other.packages.iter().map(|p| p.name.as_str());
            let named = names.clone().any(|n| n == package)
                || virtual_group
                    .as_deref()
                    .is_some_and(|g| names.clone().any(|n| n == g));
            let auto_remove = other.subcommand.first().is_some_and(|s| s == "autoremove")
                || other
                    .flags
                    .iter()
                    .any(|f| matches!(f.name.as_str(), "--auto-remove" | "--autoremove"));
            if named || (marked_auto && auto_remove) {
                return true;
            }
        }
    }
    false
}

/// The 1-based line of a file offset.
pub fn line_of(source: &str, offset: usize) -> usize {
    source
        .get(..offset)
        .map_or(0, |s| s.bytes().filter(|b| *b == b'\n').count())
        + 1
}

/// Whether a `RUN` mount (of any type) holds `path`: writes there never reach the layer.
pub fn in_run_mount(ctx: &Context<'_>, id: InstructionId, path: &str) -> bool {
    speed::run_mounts(ctx, id).iter().any(|m| {
        m.target
            .as_deref()
            .is_some_and(|t| within(path, &normalize(t)))
    })
}

/// Something an earlier layer holds that a later `RUN` may delete or rewrite.
#[derive(Debug, Clone)]
pub struct LayerContent {
    /// The instruction whose layer holds it.
    pub id: InstructionId,
    /// The absolute path.
    pub path: String,
    /// What made it, for messages (`apt-get update`, `COPY`, `npm ci`).
    pub made_by: String,
    /// Whether it is a package manager's cache (rather than files the image may use).
    pub cache: Option<Manager>,
    /// Whether it is a directory tree rather than a single file.
    pub tree: bool,
}

/// What the layers under `id` hold that dockopt can name: caches their package managers
/// left, files `COPY`/`ADD` put there, and trees `RUN`s created (`node_modules` of a JS
/// install, a `git clone`, a virtual environment, a downloaded file).
pub fn layer_contents(ctx: &Context<'_>, id: InstructionId) -> Vec<LayerContent> {
    let below = memoized(&ctx.memo.layers_below, id, || find_layers_below(ctx, id));
    let mut out = Vec::new();
    for &other in below.iter() {
        let own = memoized(&ctx.memo.layer_content, other, || {
            own_layer_content(ctx, other)
        });
        out.extend(own.iter().cloned());
    }
    out
}

/// What the layer of `other` itself holds, for [`layer_contents`].
fn own_layer_content(ctx: &Context<'_>, other: InstructionId) -> Vec<LayerContent> {
    let mut out = Vec::new();
    {
        let Some(instruction) = ctx.model.instruction(other) else {
            return out;
        };
        match instruction.kind() {
            InstructionKind::Copy | InstructionKind::Add => {
                let keyword = instruction.keyword().to_ascii_uppercase();
                for (path, tree) in copy_targets(ctx, other) {
                    out.push(LayerContent {
                        id: other,
                        path,
                        made_by: keyword.clone(),
                        cache: None,
                        tree,
                    });
                }
            }
            InstructionKind::Run => {
                for (index, script) in ctx.scripts(other).iter().enumerate() {
                    for op in &script.operations {
                        for cache in layer_caches(ctx, other, script, op) {
                            let kept_out = cache.paths().any(|p| in_run_mount(ctx, other, p));
                            if kept_out || cleaned_later(ctx, other, index, op, &cache) {
                                continue;
                            }
                            out.push(LayerContent {
                                id: other,
                                path: cache.path.clone(),
                                made_by: manager_name(op),
                                cache: Some(op.manager),
                                tree: true,
                            });
                        }
                    }
                    for (path, made_by, tree) in created_trees(ctx, other, script) {
                        if !in_run_mount(ctx, other, &path) {
                            out.push(LayerContent {
                                id: other,
                                path,
                                made_by,
                                cache: None,
                                tree,
                            });
                        }
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Trees a script creates that dockopt can locate: `node_modules` of a JS install, the
/// directory of a `git clone`, a virtual environment, the output file of `curl -o`/`wget -O`.
pub fn created_trees(
    ctx: &Context<'_>,
    id: InstructionId,
    script: &RunScript,
) -> Vec<(String, String, bool)> {
    let mut out = Vec::new();
    for cmd in script.script.commands() {
        let env = run_env(ctx, id, &cmd);
        let workdir = env.workdir.clone().unwrap_or_else(|| "/".into());
        let Some(cwd) = command_cwd(script, cmd.span().start, &env, &workdir) else {
            continue;
        };
        let command = cmd.command();
        let words: Vec<&Word> = command.words().collect();
        let program = command.program().unwrap_or("");
        let positional = |from: usize| -> Vec<&Word> {
            words
                .iter()
                .skip(from)
                .filter(|w| !w.literal().is_some_and(|l| l.starts_with('-')))
                .copied()
                .collect()
        };
        let resolved = |w: &Word| resolve_word(w, &env).map(|v| absolute(&v, &cwd));
        match program {
            "git" if words.get(1).is_some_and(|w| w.is("clone")) => {
                let args = positional(2);
                let dir = match args.as_slice() {
                    [_, dir, ..] => resolved(dir),
                    [url] => resolve_word(url, &env).and_then(|u| {
                        let name = u
                            .trim_end_matches('/')
                            .rsplit('/')
                            .next()?
                            .trim_end_matches(".git")
                            .to_string();
                        (!name.is_empty()).then(|| absolute(&name, &cwd))
                    }),
                    _ => None,
                };
                if let Some(dir) = dir {
                    out.push((dir, "git clone".to_string(), true));
                }
            }
            "virtualenv" => {
                if let Some(dir) = positional(1).first().and_then(|w| resolved(w)) {
                    out.push((dir, "virtualenv".to_string(), true));
                }
            }
            p if p.starts_with("python")
                && words.get(1).is_some_and(|w| w.is("-m"))
                && words.get(2).is_some_and(|w| w.is("venv")) =>
            {
                if let Some(dir) = positional(3).first().and_then(|w| resolved(w)) {
                    out.push((dir, "python -m venv".to_string(), true));
                }
            }
            _ => {}
        }
    }
    for op in &script.operations {
        let Some(cmd) = script.script.command_ref(op.node) else {
            continue;
        };
        let env = run_env(ctx, id, &cmd);
        let workdir = env.workdir.clone().unwrap_or_else(|| "/".into());
        let Some(cwd) = command_cwd(script, op.span.start, &env, &workdir) else {
            continue;
        };
        let js = matches!(
            op.manager,
            Manager::Npm | Manager::Yarn | Manager::Pnpm | Manager::Bun
        );
        if js && op.operation == Operation::Install && !op.has(Meaning::Global) {
            out.push((absolute("node_modules", &cwd), manager_name(op), true));
        }
        if matches!(op.manager, Manager::Curl | Manager::Wget) {
            if let Some(file) = op.flag(Meaning::Output).and_then(|f| f.value.clone()) {
                if file != "-" && !file.contains('$') {
                    out.push((absolute(&file, &cwd), manager_name(op), false));
                }
            }
        }
    }
    out
}
