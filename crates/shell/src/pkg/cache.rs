//! Where each manager keeps its caches, given the user, home directory and environment.

use std::collections::BTreeMap;

use super::Manager;

/// The environment a command runs in, as far as cache locations depend on it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Env {
    /// `$HOME`; when `None`, derived from the user (`/root` for root).
    pub home: Option<String>,
    /// The user name, if known.
    pub user: Option<String>,
    /// The numeric user id, if known.
    pub uid: Option<u32>,
    /// The working directory (for relative build outputs such as `./target`).
    pub workdir: Option<String>,
    /// Environment variables in effect (`ENV`, `ARG` values, assignments before the command).
    pub vars: BTreeMap<String, String>,
}

impl Env {
    /// The environment of root with no variables.
    pub fn root() -> Self {
        Self {
            home: Some("/root".into()),
            user: Some("root".into()),
            uid: Some(0),
            ..Self::default()
        }
    }

    /// Whether the user is root (unknown users count as root, Docker's default).
    pub fn is_root(&self) -> bool {
        match (self.uid, self.user.as_deref()) {
            (Some(uid), _) => uid == 0,
            (None, Some(u)) => u == "root",
            (None, None) => true,
        }
    }

    /// The home directory.
    pub fn home(&self) -> String {
        if let Some(h) = self.var("HOME").or(self.home.as_deref()) {
            return h.trim_end_matches('/').to_string();
        }
        match self.user.as_deref() {
            Some(u) if !self.is_root() => format!("/home/{u}"),
            _ => "/root".into(),
        }
    }

    /// A non-empty variable.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    /// Whether a boolean-ish variable is set to a true value.
    fn truthy(&self, name: &str) -> bool {
        self.var(name).is_some_and(|v| {
            !matches!(
                v.to_ascii_lowercase().as_str(),
                "0" | "false" | "no" | "off"
            )
        })
    }

    fn xdg_cache(&self) -> String {
        self.var("XDG_CACHE_HOME")
            .map_or_else(|| format!("{}/.cache", self.home()), str::to_string)
    }
}

/// What a cache directory holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CacheKind {
    /// Downloaded packages, wheels, modules, registries.
    Packages,
    /// Package index / metadata (apt lists, dnf metadata).
    Index,
    /// Compiled artefacts (go build cache, cargo target dir, gradle/maven build caches).
    Build,
}

/// One cache directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheDir {
    /// Absolute path (or relative to the workdir when the workdir is unknown).
    pub path: String,
    /// What it holds.
    pub kind: CacheKind,
    /// The environment variable that chose it, if one did.
    pub from_var: Option<&'static str>,
}

/// A manager's caches in an environment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CacheDirs {
    /// The directories.
    pub dirs: Vec<CacheDir>,
    /// The variable that turns the cache off (`PIP_NO_CACHE_DIR`, `UV_NO_CACHE`), if set.
    pub disabled_by: Option<&'static str>,
}

/// The cache directories `manager` uses in `env`.
pub fn cache_dirs(manager: Manager, env: &Env) -> CacheDirs {
    let home = env.home();
    let mut dirs = Vec::new();
    let mut disabled_by = None;
    match manager {
        Manager::AptGet | Manager::Apt => {
            dirs.push(pick(
                env,
                None,
                "",
                "/var/cache/apt".into(),
                CacheKind::Packages,
            ));
            dirs.push(pick(env, None, "", "/var/lib/apt".into(), CacheKind::Index));
        }
        Manager::Apk => dirs.push(pick(
            env,
            None,
            "",
            "/var/cache/apk".into(),
            CacheKind::Packages,
        )),
        Manager::Dnf => dirs.push(pick(
            env,
            None,
            "",
            "/var/cache/dnf".into(),
            CacheKind::Packages,
        )),
        Manager::Yum => dirs.push(pick(
            env,
            None,
            "",
            "/var/cache/yum".into(),
            CacheKind::Packages,
        )),
        Manager::Microdnf => {
            dirs.push(pick(
                env,
                None,
                "",
                "/var/cache/yum".into(),
                CacheKind::Packages,
            ));
            dirs.push(pick(
                env,
                None,
                "",
                "/var/cache/dnf".into(),
                CacheKind::Packages,
            ));
        }
        Manager::Zypper => dirs.push(pick(
            env,
            None,
            "",
            "/var/cache/zypp".into(),
            CacheKind::Packages,
        )),
        Manager::Pip => {
            dirs.push(pick(
                env,
                Some("PIP_CACHE_DIR"),
                "",
                format!("{}/pip", env.xdg_cache()),
                CacheKind::Packages,
            ));
            if env.truthy("PIP_NO_CACHE_DIR") {
                disabled_by = Some("PIP_NO_CACHE_DIR");
            }
        }
        Manager::Uv => {
            dirs.push(pick(
                env,
                Some("UV_CACHE_DIR"),
                "",
                format!("{}/uv", env.xdg_cache()),
                CacheKind::Packages,
            ));
            if env.truthy("UV_NO_CACHE") {
                disabled_by = Some("UV_NO_CACHE");
            }
        }
        Manager::Poetry => dirs.push(pick(
            env,
            Some("POETRY_CACHE_DIR"),
            "",
            format!("{}/pypoetry", env.xdg_cache()),
            CacheKind::Packages,
        )),
        Manager::Pipx => {
            dirs.push(pick(
                env,
                Some("PIPX_HOME"),
                "/.cache",
                format!("{}/pipx", env.xdg_cache()),
                CacheKind::Packages,
            ));
            dirs.push(pick(
                env,
                Some("PIP_CACHE_DIR"),
                "",
                format!("{}/pip", env.xdg_cache()),
                CacheKind::Packages,
            ));
        }
        Manager::Npm => {
            let var = ["npm_config_cache", "NPM_CONFIG_CACHE"]
                .into_iter()
                .find(|v| env.var(v).is_some());
            dirs.push(pick(
                env,
                var,
                "",
                format!("{home}/.npm"),
                CacheKind::Packages,
            ));
        }
        Manager::Yarn => {
            // Yarn 1 running as root uses a shared folder; Yarn 2+ its own global cache.
            let v1 = if env.is_root() {
                "/usr/local/share/.cache/yarn".to_string()
            } else {
                format!("{}/yarn", env.xdg_cache())
            };
            dirs.push(pick(
                env,
                Some("YARN_CACHE_FOLDER"),
                "",
                v1,
                CacheKind::Packages,
            ));
            dirs.push(pick(
                env,
                Some("YARN_GLOBAL_FOLDER"),
                "/cache",
                format!("{home}/.yarn/berry/cache"),
                CacheKind::Packages,
            ));
        }
        Manager::Pnpm => {
            let data = env
                .var("XDG_DATA_HOME")
                .map_or_else(|| format!("{home}/.local/share"), str::to_string);
            dirs.push(store_dir(
                env,
                &["PNPM_STORE_DIR", "npm_config_store_dir"],
                ("PNPM_HOME", "/store"),
                format!("{data}/pnpm/store"),
            ));
            dirs.push(pick(
                env,
                None,
                "",
                format!("{}/pnpm", env.xdg_cache()),
                CacheKind::Index,
            ));
        }
        Manager::Bun => {
            dirs.push(store_dir(
                env,
                &["BUN_INSTALL_CACHE_DIR"],
                ("BUN_INSTALL", "/install/cache"),
                format!("{home}/.bun/install/cache"),
            ));
        }
        Manager::Go => {
            let gopath = env.var("GOPATH").map(|p| {
                p.split(':')
                    .next()
                    .unwrap_or(p)
                    .trim_end_matches('/')
                    .to_string()
            });
            match (env.var("GOMODCACHE"), gopath) {
                (Some(m), _) => dirs.push(CacheDir {
                    path: m.trim_end_matches('/').to_string(),
                    kind: CacheKind::Packages,
                    from_var: Some("GOMODCACHE"),
                }),
                (None, Some(gp)) => dirs.push(CacheDir {
                    path: format!("{gp}/pkg/mod"),
                    kind: CacheKind::Packages,
                    from_var: Some("GOPATH"),
                }),
                (None, None) => dirs.push(CacheDir {
                    path: format!("{home}/go/pkg/mod"),
                    kind: CacheKind::Packages,
                    from_var: None,
                }),
            }
            dirs.push(pick(
                env,
                Some("GOCACHE"),
                "",
                format!("{}/go-build", env.xdg_cache()),
                CacheKind::Build,
            ));
        }
        Manager::Cargo => {
            dirs.push(pick(
                env,
                Some("CARGO_HOME"),
                "/registry",
                format!("{home}/.cargo/registry"),
                CacheKind::Packages,
            ));
            dirs.push(pick(
                env,
                Some("CARGO_HOME"),
                "/git",
                format!("{home}/.cargo/git"),
                CacheKind::Packages,
            ));
            let target = match env.workdir.as_deref() {
                Some(w) => format!("{}/target", w.trim_end_matches('/')),
                None => "target".to_string(),
            };
            dirs.push(pick(
                env,
                Some("CARGO_TARGET_DIR"),
                "",
                target,
                CacheKind::Build,
            ));
        }
        Manager::Gem => dirs.push(pick(
            env,
            Some("GEM_HOME"),
            "/cache",
            format!("{home}/.gem"),
            CacheKind::Packages,
        )),
        Manager::Bundle => dirs.push(pick(
            env,
            Some("BUNDLE_USER_CACHE"),
            "",
            format!("{home}/.bundle/cache"),
            CacheKind::Packages,
        )),
        Manager::Composer => match (env.var("COMPOSER_CACHE_DIR"), env.var("COMPOSER_HOME")) {
            (None, Some(ch)) => dirs.push(CacheDir {
                path: format!("{}/cache", ch.trim_end_matches('/')),
                kind: CacheKind::Packages,
                from_var: Some("COMPOSER_HOME"),
            }),
            _ => dirs.push(pick(
                env,
                Some("COMPOSER_CACHE_DIR"),
                "",
                format!("{}/composer", env.xdg_cache()),
                CacheKind::Packages,
            )),
        },
        Manager::Maven => dirs.push(pick(
            env,
            None,
            "",
            format!("{home}/.m2/repository"),
            CacheKind::Packages,
        )),
        Manager::Gradle => dirs.push(pick(
            env,
            Some("GRADLE_USER_HOME"),
            "/caches",
            format!("{home}/.gradle/caches"),
            CacheKind::Packages,
        )),
        Manager::Curl | Manager::Wget | Manager::Git => {}
    }
    CacheDirs { dirs, disabled_by }
}

/// A package store set by the first of `vars` that is set, else below the
/// tool's home directory variable (`home.0`, at `home.1`), else `default`.
fn store_dir(
    env: &Env,
    vars: &[&'static str],
    home: (&'static str, &str),
    default: String,
) -> CacheDir {
    let var = vars.iter().copied().find(|v| env.var(v).is_some());
    match (var, env.var(home.0)) {
        (None, Some(dir)) => CacheDir {
            path: format!("{}{}", dir.trim_end_matches('/'), home.1),
            kind: CacheKind::Packages,
            from_var: Some(home.0),
        },
        _ => pick(env, var, "", default, CacheKind::Packages),
    }
}

/// The first candidate: the variable's value (plus `suffix`) when set, else `default`.
fn pick(
    env: &Env,
    var: Option<&'static str>,
    suffix: &str,
    default: String,
    kind: CacheKind,
) -> CacheDir {
    match var.and_then(|v| env.var(v).map(|val| (v, val))) {
        Some((v, val)) => CacheDir {
            path: format!("{}{suffix}", val.trim_end_matches('/')),
            kind,
            from_var: Some(v),
        },
        None => CacheDir {
            path: default,
            kind,
            from_var: None,
        },
    }
}

/// The default (root, no variables) paths of the caches of the given kinds.
pub(crate) fn default_paths(manager: Manager, kinds: &[CacheKind]) -> Vec<String> {
    let mut paths: Vec<String> = cache_dirs(manager, &Env::root())
        .dirs
        .into_iter()
        .filter(|d| kinds.contains(&d.kind))
        .map(|d| d.path)
        .collect();
    if matches!(manager, Manager::AptGet | Manager::Apt) && kinds == [CacheKind::Packages] {
        // `apt-get clean` empties the archives, not the lists.
        paths = vec!["/var/cache/apt/archives".into()];
    }
    paths
}
