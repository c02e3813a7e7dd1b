//! `rm` commands that delete package-manager caches.

use super::cache::CacheKind;
use super::{Flag, Manager, Operation, PkgOp};
use crate::span::Span;
use crate::tree::NodeId;
use crate::word::{Word, WordPart};

/// Known cache locations: `~` stands for the home directory, `$VAR` for a variable.
const LOCATIONS: &[(Manager, CacheKind, &str)] = &[
    (Manager::AptGet, CacheKind::Index, "/var/lib/apt/lists"),
    (Manager::AptGet, CacheKind::Packages, "/var/cache/apt"),
    (Manager::Apk, CacheKind::Packages, "/var/cache/apk"),
    (Manager::Apk, CacheKind::Packages, "/etc/apk/cache"),
    (Manager::Dnf, CacheKind::Packages, "/var/cache/dnf"),
    (Manager::Yum, CacheKind::Packages, "/var/cache/yum"),
    (Manager::Zypper, CacheKind::Packages, "/var/cache/zypp"),
    (Manager::Pip, CacheKind::Packages, "~/.cache/pip"),
    (Manager::Pip, CacheKind::Packages, "$PIP_CACHE_DIR"),
    (Manager::Uv, CacheKind::Packages, "~/.cache/uv"),
    (Manager::Uv, CacheKind::Packages, "$UV_CACHE_DIR"),
    (Manager::Poetry, CacheKind::Packages, "~/.cache/pypoetry"),
    (Manager::Poetry, CacheKind::Packages, "$POETRY_CACHE_DIR"),
    (Manager::Npm, CacheKind::Packages, "~/.npm"),
    (Manager::Npm, CacheKind::Packages, "$npm_config_cache"),
    (Manager::Npm, CacheKind::Packages, "$NPM_CONFIG_CACHE"),
    (Manager::Yarn, CacheKind::Packages, "~/.cache/yarn"),
    (
        Manager::Yarn,
        CacheKind::Packages,
        "/usr/local/share/.cache/yarn",
    ),
    (Manager::Yarn, CacheKind::Packages, "~/.yarn/berry/cache"),
    (Manager::Yarn, CacheKind::Packages, "$YARN_CACHE_FOLDER"),
    (
        Manager::Pnpm,
        CacheKind::Packages,
        "~/.local/share/pnpm/store",
    ),
    (Manager::Pnpm, CacheKind::Index, "~/.cache/pnpm"),
    (Manager::Bun, CacheKind::Packages, "~/.bun/install/cache"),
    (Manager::Go, CacheKind::Packages, "/go/pkg/mod"),
    (Manager::Go, CacheKind::Packages, "~/go/pkg/mod"),
    (Manager::Go, CacheKind::Packages, "$GOMODCACHE"),
    (Manager::Go, CacheKind::Packages, "$GOPATH/pkg/mod"),
    (Manager::Go, CacheKind::Build, "~/.cache/go-build"),
    (Manager::Go, CacheKind::Build, "$GOCACHE"),
    (Manager::Cargo, CacheKind::Packages, "~/.cargo/registry"),
    (Manager::Cargo, CacheKind::Packages, "~/.cargo/git"),
    (Manager::Cargo, CacheKind::Packages, "$CARGO_HOME/registry"),
    (Manager::Cargo, CacheKind::Packages, "$CARGO_HOME/git"),
    (
        Manager::Cargo,
        CacheKind::Packages,
        "/usr/local/cargo/registry",
    ),
    (Manager::Cargo, CacheKind::Packages, "/usr/local/cargo/git"),
    (Manager::Maven, CacheKind::Packages, "~/.m2"),
    (Manager::Gradle, CacheKind::Packages, "~/.gradle"),
    (Manager::Gradle, CacheKind::Packages, "$GRADLE_USER_HOME"),
    (Manager::Composer, CacheKind::Packages, "~/.cache/composer"),
    (
        Manager::Composer,
        CacheKind::Packages,
        "$COMPOSER_CACHE_DIR",
    ),
    (
        Manager::Composer,
        CacheKind::Packages,
        "$COMPOSER_HOME/cache",
    ),
    (Manager::Gem, CacheKind::Packages, "~/.gem"),
    (Manager::Gem, CacheKind::Packages, "$GEM_HOME/cache"),
    (Manager::Gem, CacheKind::Packages, "/usr/local/bundle/cache"),
    (Manager::Bundle, CacheKind::Packages, "~/.bundle/cache"),
];

/// The cache-cleaning operations of `rm ARGS`, one per manager whose cache is deleted.
pub(crate) fn rm_operations(args: &[&Word], node: NodeId, span: Span) -> Vec<PkgOp> {
    let mut flags = Vec::new();
    let mut paths: Vec<(&Word, String)> = Vec::new();
    let mut options_done = false;
    for w in args {
        match w.literal() {
            Some("--") if !options_done => options_done = true,
            Some(l) if !options_done && l.starts_with('-') && l.len() > 1 => flags.push(Flag {
                name: l.to_string(),
                value: None,
                meaning: None,
                span: w.span,
            }),
            _ => paths.push((w, normalise(w))),
        }
    }
    let mut ops: Vec<PkgOp> = Vec::new();
    for (word, path) in &paths {
        for (manager, kind, location) in LOCATIONS {
            if !clears(path, location) {
                continue;
            }
            let op = match ops.iter_mut().find(|o| o.manager == *manager) {
                Some(op) => op,
                None => {
                    ops.push(PkgOp {
                        manager: *manager,
                        operation: Operation::CleanCache,
                        subcommand: Vec::new(),
                        packages: Vec::new(),
                        flags: flags.clone(),
                        cleared: Vec::new(),
                        cleared_kinds: Vec::new(),
                        node,
                        span,
                        insert_at: span.start,
                    });
                    match ops.last_mut() {
                        Some(op) => op,
                        None => continue,
                    }
                }
            };
            if !op.cleared.contains(&word.raw) {
                op.cleared.push(word.raw.clone());
            }
            if !op.cleared_kinds.contains(kind) {
                op.cleared_kinds.push(*kind);
            }
        }
    }
    ops
}

/// The path with `~`, `$HOME` and `/root` written as `~`, variables as `$NAME`, and
/// trailing `/`, `/*`, `/.` removed.
fn normalise(w: &Word) -> String {
    let mut s = String::new();
    for p in &w.parts {
        match p {
            WordPart::Text { value, .. } => s.push_str(value),
            WordPart::Tilde { user: None } => s.push('~'),
            WordPart::Tilde { user: Some(u) } => {
                s.push('~');
                s.push_str(u);
            }
            WordPart::Parameter {
                name: Some(n),
                transformed: false,
                default,
                ..
            } => {
                if n == "HOME" {
                    s.push('~');
                } else if let (Some(d), true) = (default, false) {
                    s.push_str(d);
                } else {
                    s.push('$');
                    s.push_str(n);
                }
            }
            _ => s.push('\u{0}'),
        }
    }
    if let Some(rest) = s.strip_prefix("/root") {
        if rest.is_empty() || rest.starts_with('/') {
            s = format!("~{rest}");
        }
    }
    loop {
        let t = s
            .trim_end_matches("/*")
            .trim_end_matches("/.")
            .trim_end_matches('/');
        if t.len() == s.len() {
            break;
        }
        s = t.to_string();
    }
    s
}

/// Whether deleting `path` deletes (part of) the cache at `location`: the path is the
/// location, inside it, or a parent directory of it.
fn clears(path: &str, location: &str) -> bool {
    if path.is_empty() || path.contains('\u{0}') {
        return false;
    }
    let under = |a: &str, b: &str| a == b || a.strip_prefix(b).is_some_and(|r| r.starts_with('/'));
    // A parent only counts when it is not the root or the home directory itself.
    under(path, location) || (under(location, path) && path != "~" && path.len() > 1)
}
