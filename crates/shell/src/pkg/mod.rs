//! Package-manager operations found in simple commands: which manager, what it does, the
//! packages with their version pins and the flags by meaning, each with its span so fixes
//! can insert or remove text.

mod args;
mod cache;
mod clean;
mod managers;

pub use cache::{cache_dirs, CacheDir, CacheDirs, CacheKind, Env};

use crate::query::CommandRef;
use crate::script::Script;
use crate::span::Span;
use crate::tree::{Command, NodeId};
use crate::word::Word;

/// The package managers, build tools and downloaders dockopt models.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Manager {
    /// `apt-get`
    AptGet,
    /// `apt`
    Apt,
    /// `apk`
    Apk,
    /// `dnf`
    Dnf,
    /// `yum`
    Yum,
    /// `microdnf`
    Microdnf,
    /// `zypper`
    Zypper,
    /// `pip`, `pip3`, `python -m pip`
    Pip,
    /// `uv`
    Uv,
    /// `poetry`
    Poetry,
    /// `pipx`
    Pipx,
    /// `npm`
    Npm,
    /// `yarn`
    Yarn,
    /// `pnpm`
    Pnpm,
    /// `bun`
    Bun,
    /// `go`
    Go,
    /// `cargo`
    Cargo,
    /// `gem`
    Gem,
    /// `bundle` / `bundler`
    Bundle,
    /// `composer`
    Composer,
    /// `mvn` / `./mvnw`
    Maven,
    /// `gradle` / `./gradlew`
    Gradle,
    /// `curl`
    Curl,
    /// `wget`
    Wget,
    /// `git` (clone / fetch)
    Git,
}

impl Manager {
    /// Whether this is an OS package manager.
    pub fn is_os(self) -> bool {
        matches!(
            self,
            Manager::AptGet
                | Manager::Apt
                | Manager::Apk
                | Manager::Dnf
                | Manager::Yum
                | Manager::Microdnf
                | Manager::Zypper
        )
    }

    /// Whether this is a downloader (curl, wget, git).
    pub fn is_downloader(self) -> bool {
        matches!(self, Manager::Curl | Manager::Wget | Manager::Git)
    }
}

/// What the command does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    /// Install or add packages (also `npm ci`, `uv sync`, `bundle install`...).
    Install,
    /// Remove or purge packages.
    Remove,
    /// Refresh the package index (`apt-get update`, `apk update`, `dnf makecache`).
    UpdateIndex,
    /// Upgrade installed packages.
    Upgrade,
    /// Delete a cache (`apt-get clean`, `npm cache clean`, `rm -rf ~/.cache/pip`...).
    CleanCache,
    /// Build or compile.
    Build,
    /// Download without installing (`go mod download`, `curl`, `git clone`...).
    Download,
    /// Another subcommand of a known manager.
    Other,
}

/// How a package's version is constrained.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pin {
    /// No version given.
    None,
    /// One exact version (`pkg=1.2`, `pkg==1.2`, `pkg@1.2`, `pkg:1.2`).
    Exact,
    /// A range or lower bound (`pkg>=1`, `pkg~=1.2`, `pkg@^1`, `pkg<2`).
    Range,
    /// A moving tag (`@latest`, `@next`).
    Tag,
}

/// A package (or URL, file, repository) argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The name without the version part (for a URL or path, the whole value).
    pub name: String,
    /// The version text after the operator (`1.2` in `pkg==1.2`).
    pub version: Option<String>,
    /// The operator as written (`=`, `==`, `>=`, `@`...), if any.
    pub operator: Option<String>,
    /// What kind of pin.
    pub pin: Pin,
    /// The argument's static value as given (`None` when the word has expansions).
    pub literal: Option<String>,
    /// The argument as written.
    pub raw: String,
    /// Where it is.
    pub span: Span,
    /// Whether the argument is a path, URL or archive rather than a registry name.
    pub is_path_or_url: bool,
}

/// The meaning of a flag, across managers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Meaning {
    /// `-y`, `--yes`, `--assumeyes`, `--non-interactive`, `-n` (zypper).
    Yes,
    /// `--no-install-recommends`.
    NoInstallRecommends,
    /// `--setopt=install_weak_deps=False` / `--nodocs`-like weak-deps off for dnf/yum.
    NoWeakDeps,
    /// `apk --no-cache`, `pip --no-cache` style "do not keep a cache".
    NoCache,
    /// `pip --no-cache-dir`.
    NoCacheDir,
    /// `-o Acquire::Retries=N`, `--retries N`, `curl --retry N`, `wget --tries=N`.
    Retries,
    /// `apk --allow-untrusted`, `apt-get --allow-unauthenticated`, `--force-yes`.
    AllowUntrusted,
    /// `--nogpgcheck`, `--no-gpg-checks`.
    NoGpgCheck,
    /// `curl -k/--insecure`, `wget --no-check-certificate`.
    Insecure,
    /// `pip --trusted-host HOST`.
    TrustedHost,
    /// `npm -g`, `--global`, `yarn global`.
    Global,
    /// `--frozen`, `--frozen-lockfile`, `--locked`, `--immutable`, `--no-update`.
    Frozen,
    /// `-r FILE` / `--requirement FILE`.
    Requirement,
    /// `-c FILE` / `--constraint FILE`.
    Constraint,
    /// `-e PATH` / `--editable PATH`.
    Editable,
    /// `--user`.
    User,
    /// `--cache-dir DIR`.
    CacheDir,
    /// `--target DIR`, `--prefix DIR`, `--root DIR`, `-t` (pip).
    Target,
    /// `--production`, `--omit=dev`, `--only main`, `--no-dev`, `--without dev`.
    NoDev,
    /// `--index-url`, `--extra-index-url`, `--registry`, `-i`.
    Index,
    /// `--release` (cargo).
    Release,
    /// `-q`, `--quiet`, `-s`, `--silent`.
    Quiet,
    /// `-o FILE` / `-O` (curl/wget output).
    Output,
    /// `-f` / `--fail` (curl).
    Fail,
    /// `-L` / `--location` (curl).
    FollowRedirects,
    /// `--depth N` (git).
    Depth,
    /// `--branch REF` / `-b REF` (git).
    Branch,
    /// `--break-system-packages` (pip).
    BreakSystemPackages,
    /// `--no-deps`.
    NoDeps,
    /// `--upgrade` / `-U`.
    Upgrade,
}

/// A flag argument.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flag {
    /// The flag as written, without a value (`--retry`, `-y`, `-o`; `-yq` for a bundle).
    pub name: String,
    /// Its value (`--retry 5` and `--retry=5` give `5`).
    pub value: Option<String>,
    /// What it means, when dockopt knows.
    pub meaning: Option<Meaning>,
    /// The flag word (and its value word when separate).
    pub span: Span,
}

/// One package-manager operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkgOp {
    /// The manager.
    pub manager: Manager,
    /// What it does.
    pub operation: Operation,
    /// The subcommand words as written (`install`, `mod download`, `cache clean`).
    pub subcommand: Vec<String>,
    /// The packages (URLs, files, repositories).
    pub packages: Vec<Package>,
    /// The flags, in order.
    pub flags: Vec<Flag>,
    /// For cache-cleaning operations, the directories it empties as written
    /// (`/var/lib/apt/lists/*`, `~/.cache/pip`); manager commands give the managed dirs
    /// for the default environment (see [`PkgOp::cleared_kinds`]).
    pub cleared: Vec<String>,
    /// The kinds of cache a clean operation empties.
    pub cleared_kinds: Vec<CacheKind>,
    /// The simple command node.
    pub node: NodeId,
    /// The whole command span.
    pub span: Span,
    /// Where a new flag can be inserted: just after the subcommand (or the program name).
    pub insert_at: usize,
}

impl PkgOp {
    /// The first flag with the meaning.
    pub fn flag(&self, meaning: Meaning) -> Option<&Flag> {
        self.flags.iter().find(|f| f.meaning == Some(meaning))
    }

    /// Whether a flag with the meaning is present.
    pub fn has(&self, meaning: Meaning) -> bool {
        self.flag(meaning).is_some()
    }
}

/// The package-manager operations of every simple command in the script, in execution
/// order.
pub fn operations(script: &Script) -> Vec<PkgOp> {
    script.commands().flat_map(|c| operations_of(&c)).collect()
}

/// The operations of one command (usually zero or one; an `rm` of several managers'
/// caches gives one per manager).
pub fn operations_of(cmd: &CommandRef<'_>) -> Vec<PkgOp> {
    command_operations(cmd.command(), cmd.id())
}

/// The operations of a [`Command`] belonging to node `node`.
pub fn command_operations(cmd: &Command, node: NodeId) -> Vec<PkgOp> {
    let words = unwrap_wrappers(cmd);
    let Some((first, rest)) = words.split_first() else {
        return Vec::new();
    };
    let Some(program) = first.literal() else {
        return Vec::new();
    };
    let program = program.rsplit('/').next().unwrap_or(program);
    if program == "rm" {
        return clean::rm_operations(rest, node, cmd.span);
    }
    managers::recognise(program, first, rest, node, cmd.span)
        .into_iter()
        .collect()
}

/// The words of the command after wrappers that run another command (`sudo`, `env`,
/// `exec`, `command`, `nohup`, `time`, `nice`).
fn unwrap_wrappers(cmd: &Command) -> Vec<&Word> {
    let mut words: Vec<&Word> = cmd.words().collect();
    loop {
        let Some(first) = words.first().and_then(|w| w.literal()) else {
            return words;
        };
        let skip_opts_with_values: &[&str] = match first.rsplit('/').next().unwrap_or(first) {
            "sudo" => &["-u", "-g", "-U", "-C", "-h", "-p", "-r", "-t", "-D"],
            "env" => &["-u", "-C", "-S"],
            "nice" => &["-n"],
            "exec" => &["-a"],
            "command" | "nohup" | "time" => &[],
            _ => return words,
        };
        let mut i = 1;
        while let Some(w) = words.get(i) {
            let Some(lit) = w.literal() else { break };
            if skip_opts_with_values.contains(&lit) {
                i += 2;
            } else if lit.starts_with('-') || (first.ends_with("env") && lit.contains('=')) {
                i += 1;
            } else {
                break;
            }
        }
        words = words.split_off(i.min(words.len()));
    }
}
