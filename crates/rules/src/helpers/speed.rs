//! Build-cache questions the speed rules share: the cache directories a command uses in its
//! effective environment, the cache mounts a `RUN` already has, the user a mount must belong
//! to, which `COPY` brings in the source tree, and text edits that add a flag or move lines.

use std::collections::BTreeMap;

use dockopt_model::{normalize_workdir, EffectiveState, InstructionId};
use dockopt_shell::pkg::{self, CacheDir, CacheKind, Manager, Operation, PkgOp};
use dockopt_shell::{Command, NodeKind, Script};
use dockopt_syntax::expand::Lexer;
use dockopt_syntax::{Instruction, InstructionKind, Mount, MountType};

use crate::context::{Context, RunScript};
use crate::rule::Edit;

/// A byte range of the file as a `usize` range.
pub fn range(r: dockopt_syntax::Range) -> std::ops::Range<usize> {
    usize::from(r.start())..usize::from(r.end())
}

/// The managers `missing-cache-mount` covers: language package managers and compilers.
pub fn is_language_manager(m: Manager) -> bool {
    matches!(
        m,
        Manager::Pip
            | Manager::Uv
            | Manager::Poetry
            | Manager::Npm
            | Manager::Yarn
            | Manager::Pnpm
            | Manager::Bun
            | Manager::Go
            | Manager::Cargo
            | Manager::Gem
            | Manager::Bundle
            | Manager::Composer
            | Manager::Maven
            | Manager::Gradle
    )
}

/// The user a step runs as, as far as the Dockerfile tells: numeric ids for a cache mount's
/// `uid`/`gid`, and the home directory `useradd -d` gave it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserInfo {
    pub uid: Option<String>,
    pub gid: Option<String>,
    pub home: Option<String>,
}

/// The instructions a step sees the effects of: those before `id` in its stage, then those
/// of the stages it is built `FROM`, nearest first.
pub fn earlier_in_stage_chain(ctx: &Context<'_>, id: InstructionId) -> Vec<InstructionId> {
    let mut out = Vec::new();
    let Some(stage) = ctx.stage_of(id) else {
        return out;
    };
    out.extend(stage.instructions.iter().copied().filter(|i| *i < id).rev());
    let mut base = stage.base_stage();
    let mut seen = vec![stage.index];
    while let Some(index) = base {
        if seen.contains(&index) {
            break;
        }
        seen.push(index);
        let Some(s) = ctx.model.stage(index) else {
            break;
        };
        out.extend(s.instructions.iter().rev().copied());
        base = s.base_stage();
    }
    out
}

/// The uid, gid and home of the effective user of `id`, read from `USER` (numeric ids) and
/// from `useradd`/`adduser`/`groupadd`/`addgroup` commands of earlier `RUN`s.
pub fn user_info(ctx: &Context<'_>, id: InstructionId) -> UserInfo {
    let Some(state) = ctx.state(id) else {
        return UserInfo::default();
    };
    let Some(user) = state.user.as_deref() else {
        return UserInfo::default();
    };
    let (name, group) = match user.split_once(':') {
        Some((n, g)) => (n, Some(g)),
        None => (user, None),
    };
    let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let mut info = UserInfo::default();
    if numeric(name) {
        info.uid = Some(name.to_string());
    }
    let mut group_name: Option<String> = group.map(str::to_string);
    if let Some(g) = group.filter(|g| numeric(g)) {
        info.gid = Some(g.to_string());
    }
    let earlier = earlier_in_stage_chain(ctx, id);
    let commands: Vec<Vec<String>> = earlier
        .iter()
        .rev()
        .flat_map(|i| ctx.scripts(*i).iter())
        .flat_map(|s| s.script.commands().map(|c| literal_words(c.command())))
        .collect();
    for words in &commands {
        let Some(program) = words.first().map(|w| w.rsplit('/').next().unwrap_or(w)) else {
            continue;
        };
        if !matches!(program, "useradd" | "adduser") {
            continue;
        }
        let (options, positionals) = split_options(
            words.get(1..).unwrap_or(&[]),
            &[
                "-u",
                "--uid",
                "-g",
                "--gid",
                "-G",
                "--groups",
                "--ingroup",
                "-d",
                "--home-dir",
                "--home",
                "-h",
                "-s",
                "--shell",
                "-c",
                "--comment",
                "--gecos",
                "-k",
                "-K",
                "-e",
                "-f",
                "-p",
            ],
        );
        if positionals.last().map(String::as_str) != Some(name) {
            continue;
        }
        for (flag, value) in &options {
            match (flag.as_str(), value) {
                ("-u" | "--uid", Some(v)) if numeric(v) => info.uid = Some(v.clone()),
                ("-d" | "--home-dir" | "--home" | "-h", Some(v)) => info.home = Some(v.clone()),
                ("-g" | "--gid" | "--ingroup", Some(v)) if group.is_none() => {
                    if numeric(v) {
                        info.gid = Some(v.clone());
                    } else {
                        group_name = Some(v.clone());
                    }
                }
                // busybox `adduser -G group`: the primary group.
                ("-G", Some(v)) if program == "adduser" && group.is_none() => {
                    group_name = Some(v.clone())
                }
                _ => {}
            }
        }
    }
    if info.gid.is_none() {
        let wanted = group_name.unwrap_or_else(|| name.to_string());
        for words in &commands {
            let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
            if !matches!(program, Some("groupadd" | "addgroup")) {
                continue;
            }
            let (options, positionals) =
                split_options(words.get(1..).unwrap_or(&[]), &["-g", "--gid", "-K"]);
            if positionals.last() != Some(&wanted) {
                continue;
            }
            if let Some((_, Some(v))) = options
                .iter()
                .find(|(f, v)| matches!(f.as_str(), "-g" | "--gid") && v.is_some())
            {
                if numeric(v) {
                    info.gid = Some(v.clone());
                }
            }
        }
    }
    info
}

/// The literal words of a command (an expansion gives an empty word).
fn literal_words(cmd: &Command) -> Vec<String> {
    cmd.words()
        .map(|w| w.literal().unwrap_or("").to_string())
        .collect()
}

/// Options (with their value when the option takes one) and positional words.
type Options = Vec<(String, Option<String>)>;

fn split_options(words: &[String], with_value: &[&str]) -> (Options, Vec<String>) {
    let mut options = Vec::new();
    let mut positionals = Vec::new();
    let mut i = 0;
    while let Some(w) = words.get(i) {
        if let Some((flag, value)) = w.split_once('=').filter(|(f, _)| f.starts_with("--")) {
            options.push((flag.to_string(), Some(value.to_string())));
        } else if with_value.contains(&w.as_str()) {
            options.push((w.clone(), words.get(i + 1).cloned()));
            i += 1;
        } else if w.starts_with('-') && w.len() > 1 {
            options.push((w.clone(), None));
        } else {
            positionals.push(w.clone());
        }
        i += 1;
    }
    (options, positionals)
}

/// The environment a package-manager command runs in, for [`pkg::cache_dirs`]: the
/// effective user, home and working directory, `ENV`/`ARG` values and the assignments
/// written before the command.
pub fn command_env(
    ctx: &Context<'_>,
    id: InstructionId,
    script: &RunScript,
    op: &PkgOp,
) -> pkg::Env {
    let state = ctx.state(id);
    let mut vars: BTreeMap<String, String> = state
        .map(|s| {
            s.vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default();
    if let Some(cmd) = script.script.command(op.node) {
        let lookup = |name: &str| vars.get(name).cloned();
        let assigned: Vec<(String, String)> = cmd
            .assignments
            .iter()
            .filter_map(|a| Some((a.name.clone(), a.value.resolve(&lookup)?)))
            .collect();
        vars.extend(assigned);
    }
    for (name, value) in crate::helpers::packages::base_image_env(ctx, id) {
        vars.entry(name.to_string())
            .or_insert_with(|| value.to_string());
    }
    // cargo-chef images are the official rust images with one more tool.
    let chef = ctx
        .stage_of(id)
        .and_then(|s| root_image(ctx, s.index))
        .is_some_and(|image| {
            image
                .split([':', '@'])
                .next()
                .is_some_and(|n| n.ends_with("/cargo-chef"))
        });
    if chef {
        vars.entry("CARGO_HOME".to_string())
            .or_insert_with(|| "/usr/local/cargo".to_string());
    }
    let info = user_info(ctx, id);
    let home = match state {
        Some(s) if s.env.contains("HOME") => Some(s.home.clone()),
        Some(s) => Some(info.home.clone().unwrap_or_else(|| s.home.clone())),
        None => None,
    };
    let root = state.is_none_or(EffectiveState::is_root);
    pkg::Env {
        home,
        user: state
            .and_then(|s| s.user_name().map(str::to_string))
            .or_else(|| Some("root".to_string())),
        uid: if root {
            Some(0)
        } else {
            info.uid.as_deref().and_then(|u| u.parse().ok())
        },
        workdir: state.map(|s| s.workdir.clone()),
        vars,
    }
}

/// Whether `path` is `dir` or inside it.
pub fn is_under(path: &str, dir: &str) -> bool {
    let dir = dir.trim_end_matches('/');
    let path = path.trim_end_matches('/');
    dir.is_empty() || path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// A `RUN` mount with its target expanded and made absolute.
#[derive(Debug, Clone)]
pub struct RunMount {
    pub mount: Mount,
    pub target: Option<String>,
}

/// The mounts of a `RUN`, targets expanded with the build variables in scope.
pub fn run_mounts(ctx: &Context<'_>, id: InstructionId) -> Vec<RunMount> {
    let Some(ins) = ctx.model.instruction(id) else {
        return Vec::new();
    };
    let workdir = ctx
        .state(id)
        .map_or_else(|| "/".to_string(), |s| s.workdir.clone());
    ins.mounts()
        .into_iter()
        .map(|mount| {
            let target = mount.target.as_deref().map(|t| {
                let expanded = ctx
                    .model
                    .expand_at(id, t)
                    .and_then(Result::ok)
                    .map_or_else(|| t.to_string(), |e| e.value);
                normalize_workdir(&workdir, &expanded)
            });
            RunMount { mount, target }
        })
        .collect()
}

/// The cache mount of the `RUN` that holds `path`, if any.
pub fn cache_mount_covering<'m>(mounts: &'m [RunMount], path: &str) -> Option<&'m RunMount> {
    mounts.iter().find(|m| {
        m.mount.kind == MountType::Cache && m.target.as_deref().is_some_and(|t| is_under(path, t))
    })
}

/// Whether any mount (of any type) sits on `path` or above it: a new mount there would
/// clash with it.
pub fn any_mount_covering(mounts: &[RunMount], path: &str) -> bool {
    mounts
        .iter()
        .any(|m| m.target.as_deref().is_some_and(|t| is_under(path, t)))
}

/// `--mount=type=cache,target=PATH` with `sharing=locked` when asked and the owner when the
/// step does not run as root.
pub fn cache_mount_flag(path: &str, locked: bool, owner: Option<&UserInfo>) -> String {
    let mut flag = format!("--mount=type=cache,target={path}");
    if locked {
        flag.push_str(",sharing=locked");
    }
    if let Some(owner) = owner {
        if let Some(uid) = &owner.uid {
            flag.push_str(&format!(",uid={uid}"));
        }
        if let Some(gid) = &owner.gid {
            flag.push_str(&format!(",gid={gid}"));
        }
    }
    flag
}

/// An edit inserting `flag` (a builder flag) as the first flag of the instruction, right
/// after the keyword.
pub fn insert_flag(ctx: &Context<'_>, ins: &Instruction, flag: &str) -> Edit {
    let at = usize::from(ins.keyword_range().end());
    let rest = ctx.source.get(at..).unwrap_or("");
    let spaces = rest.len() - rest.trim_start_matches([' ', '\t']).len();
    Edit::insert(at + spaces, format!("{flag} "))
}

/// The start of the line holding `offset`.
pub fn line_start(source: &str, offset: usize) -> usize {
    source
        .get(..offset)
        .and_then(|s| s.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The end of the line holding `offset`, its line ending included.
pub fn line_end_inclusive(source: &str, offset: usize) -> usize {
    source
        .get(offset..)
        .and_then(|s| s.find('\n'))
        .map_or(source.len(), |i| offset + i + 1)
}

/// The whole lines an instruction spans (from the start of its first line through the line
/// ending of its last), when nothing else shares those lines.
pub fn instruction_lines(source: &str, ins: &Instruction) -> Option<std::ops::Range<usize>> {
    let r = range(ins.range());
    let start = line_start(source, r.start);
    let end = line_end_inclusive(source, r.end);
    let before = source.get(start..r.start)?;
    let after = source.get(r.end..end)?;
    (before.trim().is_empty() && after.trim().is_empty()).then_some(start..end)
}

/// How a `COPY`/`ADD` brings in the build context's source tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceCopy {
    /// The whole context (`COPY . .`, `ADD . /app`).
    Whole,
    /// A directory of it (`COPY src/ ./src/`).
    Directory,
}

/// Whether a `COPY`/`ADD` copies the source tree (or a source directory) from the build
/// context, rather than from a stage or image, a URL, a heredoc or single files.
pub fn source_copy(ins: &Instruction) -> Option<SourceCopy> {
    let args = ins.copy_args()?;
    if args.flags.from.is_some() || !ins.heredocs().is_empty() {
        return None;
    }
    let mut kind = None;
    for source in &args.sources {
        let v = source.value.trim_matches('"');
        if v.contains("://") || v.starts_with("git@") {
            return None;
        }
        if matches!(v, "." | "./" | "./." | "*" | "./*") {
            kind = Some(SourceCopy::Whole);
        } else if v.ends_with('/') && kind.is_none() && !v.starts_with('/') {
            kind = Some(SourceCopy::Directory);
        }
    }
    kind
}

/// Files that hold dependency declarations rather than source: copying them early is
/// what keeps a dependency install cached.
pub fn is_manifest(path: &str) -> bool {
    let name = path
        .trim_end_matches('*')
        .rsplit('/')
        .next()
        .unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    lower.starts_with("requirements")
        || lower.starts_with("package")
        || lower.starts_with("build.gradle")
        || lower.starts_with("settings.gradle")
        || lower.starts_with("gemfile")
        || lower.ends_with(".lock")
        || lower.ends_with("-lock.json")
        || lower.ends_with("-lock.yaml")
        || matches!(
            lower.as_str(),
            "pyproject.toml"
                | "setup.py"
                | "setup.cfg"
                | "go.mod"
                | "go.sum"
                | "go.work"
                | "go.work.sum"
                | "cargo.toml"
                | "pom.xml"
                | "composer.json"
                | ".npmrc"
                | ".yarnrc.yml"
                | "rust-toolchain.toml"
                | "rust-toolchain"
                | "recipe.json"
                | ".python-version"
                | ".nvmrc"
                | "gradle.properties"
                | "bun.lockb"
        )
}

/// Whether a `COPY`/`ADD` brings in files from the build context other than manifests:
/// the point after which every step depends on the source anyway.
pub fn copies_source(ins: &Instruction) -> bool {
    let Some(args) = ins.copy_args() else {
        return false;
    };
    if args.flags.from.is_some() || !ins.heredocs().is_empty() {
        return false;
    }
    args.sources.iter().any(|s| {
        let v = s.value.trim_matches('"');
        !(v.contains("://") || v.starts_with("git@") || is_manifest(v))
    })
}

/// The destination directory of a `COPY`, absolute, as the build resolves it.
pub fn copy_destination(ctx: &Context<'_>, id: InstructionId, ins: &Instruction) -> Option<String> {
    let dest = ins.copy_args()?.dest?;
    let expanded = ctx
        .model
        .expand_at(id, &dest.value)
        .and_then(Result::ok)
        .map_or_else(|| dest.value.clone(), |e| e.value);
    let workdir = ctx
        .state(id)
        .map_or_else(|| "/".to_string(), |s| s.workdir.clone());
    Some(normalize_workdir(&workdir, &expanded))
}

/// The variables an instruction reads: shell variables of its `RUN` scripts, and the
/// build variables its flags and arguments expand.
pub fn reads_variable(ctx: &Context<'_>, id: InstructionId, name: &str) -> bool {
    let Some(ins) = ctx.model.instruction(id) else {
        return false;
    };
    if ins.kind() == InstructionKind::Run {
        let in_scripts = ctx
            .scripts(id)
            .iter()
            .any(|s| script_reads(&s.script, name));
        if in_scripts {
            return true;
        }
        // An exec form that is not a shell, or a script that did not parse: look at the
        // words as BuildKit would not expand them, conservatively.
        if ctx.scripts(id).is_empty() && mentions(ins.joined_line().as_str(), name) {
            return true;
        }
    }
    let lexer = Lexer::new(ctx.file().escape());
    let empty = dockopt_syntax::expand::Env::new();
    let expands = |text: &str| {
        lexer
            .expand(text, &empty)
            .is_ok_and(|e| e.references.iter().any(|r| r.name == name))
    };
    let flags = ins
        .flags()
        .iter()
        .filter_map(|f| f.value.as_deref())
        .any(expands);
    let args = match ins.kind() {
        InstructionKind::Run => false,
        _ => {
            ins.arguments().iter().any(|a| expands(&a.value))
                || ins
                    .pairs()
                    .iter()
                    .any(|p| p.value.as_ref().is_some_and(|v| expands(&v.value)))
        }
    };
    flags || args
}

/// Whether a shell script expands `$name` anywhere (commands, assignments, redirects,
/// here-documents).
fn script_reads(script: &Script, name: &str) -> bool {
    fn words_read<'w>(
        mut words: impl Iterator<Item = &'w dockopt_shell::Word>,
        name: &str,
    ) -> bool {
        words.any(|w| w.variables().any(|v| v == name))
    }
    let root = script.root();
    std::iter::once(root)
        .chain(script.descendants(root))
        .any(|n| match script.kind(n) {
            NodeKind::Simple(c) => {
                words_read(c.words(), name)
                    || words_read(c.assignments.iter().map(|a| &a.value), name)
                    || words_read(c.redirects.iter().filter_map(|r| r.target.as_ref()), name)
                    || c.redirects.iter().any(|r| {
                        r.here_doc
                            .as_ref()
                            .is_some_and(|h| h.expands && mentions(&h.body, name))
                    })
            }
            NodeKind::For { values, .. } => {
                values.as_ref().is_some_and(|v| words_read(v.iter(), name))
            }
            NodeKind::Case { subject, .. } => subject.variables().any(|v| v == name),
            NodeKind::Arithmetic { expression } => mentions(expression, name),
            NodeKind::ExtendedTest { text } => mentions(text, name),
            _ => false,
        })
}

/// Whether `text` names the variable as a whole word (for texts the shell model keeps
/// unparsed: here-document bodies, arithmetic and test expressions).
fn mentions(text: &str, name: &str) -> bool {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    text.match_indices(name).any(|(i, _)| {
        let before = text.get(..i).and_then(|s| s.chars().next_back());
        let after = text.get(i + name.len()..).and_then(|s| s.chars().next());
        !before.is_some_and(is_word) && !after.is_some_and(is_word)
    })
}

/// The cache directories a language-manager operation fills, with the kinds it uses.
pub fn used_caches(op: &PkgOp, env: &pkg::Env) -> Vec<CacheDir> {
    let dirs = pkg::cache_dirs(op.manager, env).dirs;
    let wanted: &[CacheKind] = match (op.manager, op.operation) {
        // `go mod download` fills the module cache only; builds use both.
        (Manager::Go, Operation::Download) => &[CacheKind::Packages],
        (Manager::Go, _) => &[CacheKind::Packages, CacheKind::Build],
        // The target dir is where the binaries are: a mount there hides them from the
        // layer, so it is never added automatically.
        (Manager::Cargo, _) => &[CacheKind::Packages],
        // pnpm's metadata cache is small; the store is what matters.
        (Manager::Pnpm, _) => &[CacheKind::Packages],
        _ => &[CacheKind::Packages, CacheKind::Build],
    };
    let mut out: Vec<CacheDir> = dirs
        .into_iter()
        .filter(|d| wanted.contains(&d.kind) && d.path.starts_with('/'))
        .collect();
    if op.manager == Manager::Yarn {
        // Yarn 1 and Yarn 2+ keep different folders; the classic one is what `yarn
        // install` of a lock file without `.yarnrc.yml` uses.
        out.truncate(1);
    }
    out
}

/// Whether the operation downloads or builds into a cache.
pub fn fills_cache(op: &PkgOp) -> bool {
    if !is_language_manager(op.manager) {
        return false;
    }
    // `yarn --version`, `npm --help`: no subcommand, nothing installed.
    let informational = op
        .flags
        .iter()
        .any(|f| matches!(f.name.as_str(), "--version" | "-v" | "-V" | "--help" | "-h"))
        && op.packages.is_empty();
    if informational && op.subcommand.is_empty() {
        return false;
    }
    // Prebuilt wheels, or `--no-index`: nothing is downloaded.
    let offline = op
        .flags
        .iter()
        .any(|f| f.name == "--no-index" || f.name == "--offline");
    let only_wheels = !op.packages.is_empty()
        && op
            .packages
            .iter()
            .all(|p| p.is_path_or_url && p.raw.ends_with(".whl"));
    if matches!(op.manager, Manager::Pip | Manager::Uv) && (offline || only_wheels) {
        return false;
    }
    match op.operation {
        Operation::Install | Operation::Download | Operation::Upgrade => {
            // `uv python install` downloads interpreters, not packages.
            !(op.manager == Manager::Uv && op.subcommand.first().is_some_and(|s| s == "python"))
        }
        Operation::Build => matches!(
            op.manager,
            Manager::Go | Manager::Cargo | Manager::Maven | Manager::Gradle | Manager::Pip
        ),
        _ => false,
    }
}

/// The file range that deletes a word of a script together with the blanks before it
/// (`pip install --no-cache-dir -r x` loses ` --no-cache-dir`).
pub fn delete_word(script: &RunScript, span: dockopt_shell::Span) -> std::ops::Range<usize> {
    let text = script.script.source();
    let before = text.get(..span.start).unwrap_or("");
    let blanks = before.len() - before.trim_end_matches([' ', '\t']).len();
    script.file_range(dockopt_shell::Span::new(span.start - blanks, span.end))
}

/// The file range that deletes a simple command from its and-or chain or list, with the
/// operator or separator that joins it to a neighbour; `None` when the command is part of a
/// pipeline or is the only command of the script.
pub fn delete_command(
    script: &RunScript,
    node: dockopt_shell::NodeId,
) -> Option<std::ops::Range<usize>> {
    let s = &script.script;
    let pipeline = s.parent(node)?;
    match s.kind(pipeline) {
        NodeKind::Pipeline(p) if p.commands.len() == 1 => {}
        _ => return None,
    }
    let and_or = s.parent(pipeline)?;
    let NodeKind::AndOr(chain) = s.kind(and_or) else {
        return None;
    };
    let members: Vec<dockopt_shell::NodeId> = chain.pipelines().map(|(_, p)| p).collect();
    let (target, siblings) = if members.len() > 1 {
        (pipeline, members)
    } else {
        let list = s.parent(and_or)?;
        let NodeKind::List(l) = s.kind(list) else {
            return None;
        };
        (and_or, l.items.iter().map(|i| i.and_or).collect())
    };
    let index = siblings.iter().position(|n| *n == target)?;
    let here = s.span(target);
    let span = if index > 0 {
        let previous = s.span(*siblings.get(index - 1)?);
        dockopt_shell::Span::new(previous.end, here.end)
    } else {
        let next = s.span(*siblings.get(1)?);
        dockopt_shell::Span::new(here.start, next.start)
    };
    Some(script.file_range(span))
}

/// The image a stage is built on, following `FROM <stage>`.
pub fn root_image(ctx: &Context<'_>, stage: usize) -> Option<String> {
    let mut index = stage;
    for _ in 0..=ctx.model.stages().len() {
        let s = ctx.model.stage(index)?;
        match &s.base {
            dockopt_model::Base::Stage(i) => index = *i,
            dockopt_model::Base::Image(name) => return Some(name.clone()),
            _ => return None,
        }
    }
    None
}

/// Where the and-or chain holding a package-manager operation starts in the file: text put
/// there with `&&` runs before the whole chain.
pub fn chain_start(script: &RunScript, op: &PkgOp) -> Option<usize> {
    let s = &script.script;
    let and_or = s
        .ancestors(op.node)
        .find(|a| matches!(s.kind(*a), NodeKind::AndOr(_)))?;
    Some(script.file_offset(s.span(and_or).start))
}

/// A command's text on one line, cut to 40 characters, for messages.
pub fn short(text: &str) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 40 {
        let cut: String = one_line.chars().take(37).collect();
        format!("{cut}...")
    } else {
        one_line
    }
}
