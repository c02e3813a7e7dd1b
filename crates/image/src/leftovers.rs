//! Leftover classification: files in the final image that a build usually
//! does not mean to ship (package-manager caches and indexes, VCS metadata,
//! temporary files, compilers and headers).
//!
//! [`classify`] looks at one path at a time, relative to the image root
//! (no leading `/`, `/`-separated), and returns the kind of leftover and the
//! root directory (or file) that groups it, so a report can add up the bytes
//! per root. It allocates only for the returned root.

use std::fmt;

use serde::Serialize;

/// What kind of leftover a path is.
///
/// The serialized and displayed name is the kebab-case name shown after each
/// variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LeftoverKind {
    /// `pip-cache`: pip's HTTP and wheel cache, `<home>/.cache/pip`.
    PipCache,
    /// `uv-cache`: uv's cache, `<home>/.cache/uv`.
    UvCache,
    /// `poetry-cache`: Poetry's `cache` and `artifacts` under
    /// `<home>/.cache/pypoetry` (its `virtualenvs` may be what the image runs,
    /// so they are not a leftover).
    PoetryCache,
    /// `npm-cache`: npm's content-addressed cache, `<home>/.npm/_cacache`.
    NpmCache,
    /// `yarn-cache`: Yarn's cache, `<home>/.cache/yarn` (also
    /// `usr/local/share/.cache/yarn`) and Yarn Berry's `<home>/.yarn/berry/cache`.
    YarnCache,
    /// `pnpm-store`: pnpm's content-addressable store,
    /// `<home>/.local/share/pnpm/store` or a `.pnpm-store` directory.
    PnpmStore,
    /// `go-build-cache`: Go's build cache, `<home>/.cache/go-build`.
    GoBuildCache,
    /// `go-module-cache`: Go's module cache, `<GOPATH>/pkg/mod` for a GOPATH
    /// named `go` (`go/pkg/mod`, `root/go/pkg/mod`, `home/*/go/pkg/mod`).
    GoModuleCache,
    /// `cargo-registry`: Cargo's downloaded crates and git checkouts,
    /// `<CARGO_HOME>/registry` and `<CARGO_HOME>/git` for `.cargo` or
    /// `usr/local/cargo`.
    CargoRegistry,
    /// `cargo-target`: a Cargo build directory, `*/target` holding
    /// `{debug,release}/{.fingerprint,deps,build,incremental}` (optionally
    /// under a target-triple directory).
    CargoTarget,
    /// `apt-lists`: APT's package indexes, `var/lib/apt/lists/*` except
    /// `lock` and `partial`.
    AptLists,
    /// `apt-archives`: downloaded packages, `var/cache/apt/archives/*.deb`.
    AptArchives,
    /// `apt-pkgcache`: APT's binary caches, `var/cache/apt/*.bin`.
    AptPkgcache,
    /// `apk-cache`: Alpine's package cache, `var/cache/apk` and
    /// `etc/apk/cache`.
    ApkCache,
    /// `dnf-cache`: DNF's metadata and package cache, `var/cache/dnf`
    /// (DNF 5: `var/cache/libdnf5`).
    DnfCache,
    /// `yum-cache`: YUM's metadata and package cache, `var/cache/yum`.
    YumCache,
    /// `maven-repository`: Maven's local repository, `<home>/.m2/repository`.
    MavenRepository,
    /// `gradle-cache`: Gradle's caches, `<home>/.gradle/caches`.
    GradleCache,
    /// `git-dir`: a `.git` directory (or gitfile) anywhere.
    GitDir,
    /// `temp-files`: anything under `tmp` or `var/tmp`.
    TempFiles,
    /// `toolchain`: compilers and build toolchains: `usr/lib/gcc`,
    /// `usr/libexec/gcc`, `usr/bin/{gcc,g++,cc,c++,clang,cpp,ld,as}*` and
    /// their `*-linux-gnu-*` forms, `usr/lib/llvm-*`, `usr/local/go`,
    /// `usr/lib/go-*`, `usr/local/cargo/bin`, `usr/local/rustup`, a home's
    /// `.rustup` and `.cargo/bin`.
    Toolchain,
    /// `headers`: C and C++ headers, `usr/include` and `usr/local/include`.
    Headers,
}

impl LeftoverKind {
    /// The kebab-case name used in reports and JSON.
    pub fn name(self) -> &'static str {
        match self {
            LeftoverKind::PipCache => "pip-cache",
            LeftoverKind::UvCache => "uv-cache",
            LeftoverKind::PoetryCache => "poetry-cache",
            LeftoverKind::NpmCache => "npm-cache",
            LeftoverKind::YarnCache => "yarn-cache",
            LeftoverKind::PnpmStore => "pnpm-store",
            LeftoverKind::GoBuildCache => "go-build-cache",
            LeftoverKind::GoModuleCache => "go-module-cache",
            LeftoverKind::CargoRegistry => "cargo-registry",
            LeftoverKind::CargoTarget => "cargo-target",
            LeftoverKind::AptLists => "apt-lists",
            LeftoverKind::AptArchives => "apt-archives",
            LeftoverKind::AptPkgcache => "apt-pkgcache",
            LeftoverKind::ApkCache => "apk-cache",
            LeftoverKind::DnfCache => "dnf-cache",
            LeftoverKind::YumCache => "yum-cache",
            LeftoverKind::MavenRepository => "maven-repository",
            LeftoverKind::GradleCache => "gradle-cache",
            LeftoverKind::GitDir => "git-dir",
            LeftoverKind::TempFiles => "temp-files",
            LeftoverKind::Toolchain => "toolchain",
            LeftoverKind::Headers => "headers",
        }
    }

    /// Whether this kind is a package-manager or build cache/index (as
    /// opposed to VCS metadata, temporary files or toolchains).
    pub fn is_cache(self) -> bool {
        !matches!(
            self,
            LeftoverKind::GitDir
                | LeftoverKind::TempFiles
                | LeftoverKind::Toolchain
                | LeftoverKind::Headers
        )
    }
}

impl fmt::Display for LeftoverKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How one path segment is matched.
#[derive(Clone, Copy)]
enum Seg {
    /// Exactly this name.
    Is(&'static str),
    /// Any of these names.
    OneOf(&'static [&'static str]),
    /// A name starting with this prefix.
    Prefix(&'static str),
    /// A name ending with this suffix (and longer than it).
    Suffix(&'static str),
    /// Any name but these.
    Not(&'static [&'static str]),
    /// Any name.
    Any,
    /// A compiler, assembler or linker file name (see [`is_tool_name`]).
    Tool,
}

impl Seg {
    fn matches(self, name: &str) -> bool {
        match self {
            Seg::Is(s) => name == s,
            Seg::OneOf(list) => list.contains(&name),
            Seg::Prefix(p) => name.starts_with(p),
            Seg::Suffix(s) => name.len() > s.len() && name.ends_with(s),
            Seg::Not(list) => !list.contains(&name),
            Seg::Any => true,
            Seg::Tool => is_tool_name(name),
        }
    }
}

/// One leftover pattern: a run of segments, matched at the image root
/// (`anchored`) or at any depth, of which the first `root` segments name the
/// grouping root. A path matches when it has at least `segs.len()` segments
/// from the match position on.
struct Pattern {
    kind: LeftoverKind,
    anchored: bool,
    segs: &'static [Seg],
    root: usize,
}

const fn at_root(kind: LeftoverKind, segs: &'static [Seg], root: usize) -> Pattern {
    Pattern {
        kind,
        anchored: true,
        segs,
        root,
    }
}

const fn anywhere(kind: LeftoverKind, segs: &'static [Seg], root: usize) -> Pattern {
    Pattern {
        kind,
        anchored: false,
        segs,
        root,
    }
}

use LeftoverKind as K;
use Seg::{Any, Is, Not, OneOf, Prefix, Suffix, Tool};

const PROFILES: &[&str] = &["debug", "release"];
const CARGO_BUILD_DIRS: &[&str] = &[".fingerprint", "deps", "build", "incremental"];

/// Patterns in priority order: the first match wins, so the more specific
/// caches come before the broad `tmp` and `.git` rules.
const PATTERNS: &[Pattern] = &[
    anywhere(K::PipCache, &[Is(".cache"), Is("pip")], 2),
    anywhere(K::UvCache, &[Is(".cache"), Is("uv")], 2),
    anywhere(
        K::PoetryCache,
        &[Is(".cache"), Is("pypoetry"), OneOf(&["cache", "artifacts"])],
        2,
    ),
    anywhere(K::NpmCache, &[Is(".npm"), Is("_cacache")], 2),
    anywhere(K::YarnCache, &[Is(".cache"), Is("yarn")], 2),
    anywhere(K::YarnCache, &[Is(".yarn"), Is("berry"), Is("cache")], 3),
    anywhere(
        K::PnpmStore,
        &[Is(".local"), Is("share"), Is("pnpm"), Is("store")],
        4,
    ),
    anywhere(K::PnpmStore, &[Is(".pnpm-store")], 1),
    anywhere(K::GoBuildCache, &[Is(".cache"), Is("go-build")], 2),
    anywhere(K::GoModuleCache, &[Is("go"), Is("pkg"), Is("mod")], 3),
    anywhere(
        K::CargoRegistry,
        &[Is(".cargo"), OneOf(&["registry", "git"])],
        2,
    ),
    at_root(
        K::CargoRegistry,
        &[
            Is("usr"),
            Is("local"),
            Is("cargo"),
            OneOf(&["registry", "git"]),
        ],
        4,
    ),
    anywhere(
        K::CargoTarget,
        &[Is("target"), OneOf(PROFILES), OneOf(CARGO_BUILD_DIRS)],
        1,
    ),
    anywhere(
        K::CargoTarget,
        &[Is("target"), Any, OneOf(PROFILES), OneOf(CARGO_BUILD_DIRS)],
        1,
    ),
    at_root(
        K::AptLists,
        &[
            Is("var"),
            Is("lib"),
            Is("apt"),
            Is("lists"),
            Not(&["lock", "partial"]),
        ],
        4,
    ),
    at_root(
        K::AptArchives,
        &[
            Is("var"),
            Is("cache"),
            Is("apt"),
            Is("archives"),
            Suffix(".deb"),
        ],
        4,
    ),
    at_root(
        K::AptPkgcache,
        &[Is("var"), Is("cache"), Is("apt"), Suffix(".bin")],
        3,
    ),
    at_root(K::ApkCache, &[Is("var"), Is("cache"), Is("apk"), Any], 3),
    at_root(K::ApkCache, &[Is("etc"), Is("apk"), Is("cache"), Any], 3),
    at_root(K::DnfCache, &[Is("var"), Is("cache"), Is("dnf"), Any], 3),
    at_root(
        K::DnfCache,
        &[Is("var"), Is("cache"), Is("libdnf5"), Any],
        3,
    ),
    at_root(K::YumCache, &[Is("var"), Is("cache"), Is("yum"), Any], 3),
    anywhere(K::MavenRepository, &[Is(".m2"), Is("repository")], 2),
    anywhere(K::GradleCache, &[Is(".gradle"), Is("caches")], 2),
    anywhere(K::GitDir, &[Is(".git")], 1),
    at_root(K::TempFiles, &[Is("tmp"), Any], 1),
    at_root(K::TempFiles, &[Is("var"), Is("tmp"), Any], 2),
    at_root(K::Toolchain, &[Is("usr"), Is("lib"), Is("gcc")], 3),
    at_root(K::Toolchain, &[Is("usr"), Is("libexec"), Is("gcc")], 3),
    at_root(K::Toolchain, &[Is("usr"), Is("lib"), Prefix("llvm-")], 3),
    at_root(K::Toolchain, &[Is("usr"), Is("lib"), Prefix("go-")], 3),
    at_root(K::Toolchain, &[Is("usr"), Is("local"), Is("go")], 3),
    at_root(K::Toolchain, &[Is("usr"), Is("local"), Is("rustup")], 3),
    at_root(
        K::Toolchain,
        &[Is("usr"), Is("local"), Is("cargo"), Is("bin")],
        4,
    ),
    anywhere(K::Toolchain, &[Is(".rustup")], 1),
    anywhere(K::Toolchain, &[Is(".cargo"), Is("bin")], 2),
    at_root(K::Toolchain, &[Is("usr"), Is("bin"), Tool], 3),
    at_root(K::Headers, &[Is("usr"), Is("include"), Any], 2),
    at_root(K::Headers, &[Is("usr"), Is("local"), Is("include"), Any], 3),
];

/// Deepest path the classifier looks at; deeper segments are ignored, which
/// only matters for patterns that would start below that depth.
const MAX_DEPTH: usize = 64;

/// Classifies one visible path (relative to the image root, no leading
/// `/`, `/`-separated; a file or a directory).
///
/// Returns the leftover kind and the root that groups it (a prefix of
/// `path`, e.g. `root/.cache/pip` or `var/lib/apt/lists`), or `None` when
/// the path is not a leftover. Python `__pycache__` directories are not
/// leftovers: they are what the interpreter would write anyway.
pub fn classify(path: &str) -> Option<(LeftoverKind, String)> {
    let path = path.trim_start_matches('/');
    // (start, end) byte offsets of each segment, kept on the stack.
    let mut bounds = [(0usize, 0usize); MAX_DEPTH];
    let mut depth = 0;
    let mut start = 0;
    for (i, byte) in path.bytes().enumerate() {
        if byte == b'/' {
            if depth == MAX_DEPTH {
                break;
            }
            if i > start {
                bounds[depth] = (start, i);
                depth += 1;
            }
            start = i + 1;
        }
    }
    if depth < MAX_DEPTH && start < path.len() {
        bounds[depth] = (start, path.len());
        depth += 1;
    }
    let segs = &bounds[..depth];
    // Cheap filters for the patterns that may start at any depth: they all
    // start with a dot-name, `go` or `target`.
    let mut dotted = false;
    let mut go_or_target = false;
    for &(s, e) in segs {
        match path.get(s..e) {
            Some(n) if n.starts_with('.') => dotted = true,
            Some("go" | "target") => go_or_target = true,
            _ => {}
        }
    }
    let name = |i: usize| segs.get(i).and_then(|&(s, e)| path.get(s..e)).unwrap_or("");

    for pattern in PATTERNS {
        if !pattern.anchored {
            let possible = match pattern.segs.first() {
                Some(Seg::Is(first)) if first.starts_with('.') => dotted,
                Some(Seg::Is("go" | "target")) => go_or_target,
                _ => true,
            };
            if !possible {
                continue;
            }
        }
        let last_start = if pattern.anchored {
            0
        } else {
            match depth.checked_sub(pattern.segs.len()) {
                Some(n) => n,
                None => continue,
            }
        };
        for at in 0..=last_start {
            if at + pattern.segs.len() > depth {
                break;
            }
            let hit = pattern
                .segs
                .iter()
                .enumerate()
                .all(|(k, seg)| seg.matches(name(at + k)));
            if hit {
                let root_end = match (at + pattern.root).checked_sub(1) {
                    Some(last) => segs.get(last).map_or(0, |&(_, e)| e),
                    None => 0,
                };
                let root = path.get(..root_end).unwrap_or(path);
                return Some((pattern.kind, root.to_string()));
            }
        }
    }
    None
}

/// What [`classify`] may find among the files directly inside one directory,
/// worked out once for the directory: most directories cannot hold a
/// leftover whatever their files are called, so their files need only a
/// look at their own name.
#[derive(Clone, Copy)]
pub struct DirectoryFilter {
    /// A pattern may match with at least one of the directory's segments.
    through_directory: bool,
    /// The directory is the root, where anchored patterns start at the name.
    at_root: bool,
}

impl DirectoryFilter {
    /// The filter for directory `dir` (same form as `classify`'s path).
    pub fn new(dir: &str) -> DirectoryFilter {
        let segs: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
        // The file's own name is one more segment, unknown here: it matches
        // every pattern segment.
        let depth = segs.len() + 1;
        let fits = |i: usize, seg: Seg| segs.get(i).is_none_or(|name| seg.matches(name));
        let through_directory = depth > MAX_DEPTH
            || PATTERNS.iter().any(|pattern| {
                let len = pattern.segs.len();
                let Some(last_start) = depth.checked_sub(len) else {
                    return false;
                };
                let last_start = if pattern.anchored { 0 } else { last_start };
                // Starting at the name itself is the name-only case below.
                (0..=last_start)
                    .take_while(|&at| at < segs.len())
                    .any(|at| {
                        pattern
                            .segs
                            .iter()
                            .enumerate()
                            .all(|(k, &seg)| fits(at + k, seg))
                    })
            });
        DirectoryFilter {
            through_directory,
            at_root: segs.is_empty(),
        }
    }

    /// Whether `classify` may find a leftover in the file `name` of this
    /// directory; `false` means it finds none.
    pub fn may_classify(&self, name: &str) -> bool {
        self.through_directory
            || PATTERNS.iter().any(|pattern| match pattern.segs {
                [seg] => (self.at_root || !pattern.anchored) && seg.matches(name),
                _ => false,
            })
    }
}

/// Whether a file name in `usr/bin` is a compiler, preprocessor, assembler
/// or linker, also in its target-prefixed form (`x86_64-linux-gnu-gcc-12`).
fn is_tool_name(name: &str) -> bool {
    let base = match name.find("-linux-") {
        Some(i) => {
            let rest = name.get(i + "-linux-".len()..).unwrap_or("");
            match rest.find('-') {
                Some(j) => rest.get(j + 1..).unwrap_or(""),
                None => return false,
            }
        }
        None => name,
    };
    const EXACT: &[&str] = &[
        "cc", "c++", "gcc", "g++", "cpp", "clang", "clang++", "ld", "as",
    ];
    const PREFIXES: &[&str] = &["gcc-", "g++-", "cpp-", "clang-", "clang++-", "ld."];
    // `ld.so` is the dynamic loader every glibc image needs, not a linker.
    let is_loader = base == "ld.so" || base.starts_with("ld.so.");
    !is_loader && (EXACT.contains(&base) || PREFIXES.iter().any(|p| base.starts_with(p)))
}
