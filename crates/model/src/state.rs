//! The build state an instruction runs in: user, working directory, variables and shell.

use dockopt_syntax::expand::Env;

/// `PATH` BuildKit gives a Linux stage whose base sets none (`scratch`).
pub const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// The shell of shell-form `RUN`, `CMD` and `ENTRYPOINT` when no `SHELL` says otherwise.
pub const DEFAULT_SHELL: [&str; 2] = ["/bin/sh", "-c"];

/// What is in effect when an instruction runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EffectiveState {
    /// `USER` as expanded; `None` when no `USER` of this build applies (the base image's
    /// user, root unless the image says otherwise).
    pub user: Option<String>,
    /// The home directory of [`Self::user`]: `ENV HOME` when set, `/root` for root, `/`
    /// for another numeric uid (no known passwd entry), else `/home/<name>`.
    pub home: String,
    /// The working directory, absolute; `/` until a `WORKDIR` says otherwise.
    pub workdir: String,
    /// Whether a `WORKDIR` of this build set [`Self::workdir`].
    pub workdir_set: bool,
    /// `ENV` variables set by this build, inherited through `FROM <stage>`, plus `PATH` for
    /// a `scratch` base.
    pub env: Env,
    /// ARGs in scope that have a value.
    pub args: Env,
    /// Every ARG declared in scope, with or without a value, in declaration order.
    pub declared_args: Vec<String>,
    /// The variables BuildKit expands with and `RUN` sees: ENV and ARG values in the order
    /// they were set (a later one of either kind replaces an earlier one).
    pub vars: Env,
    /// The shell for shell-form commands.
    pub shell: Vec<String>,
    /// Whether [`Self::env`] is all there is: false when the stage descends from an image,
    /// whose own variables are not known here.
    pub base_env_known: bool,
}

impl EffectiveState {
    /// The state at the start of a stage built on an image (`known_base` false) or on
    /// `scratch` (`known_base` true).
    pub(crate) fn new_base(known_base: bool) -> Self {
        let mut env = Env::new();
        if known_base {
            env.set("PATH", DEFAULT_PATH);
        }
        let mut state = Self {
            user: None,
            home: String::new(),
            workdir: "/".to_string(),
            workdir_set: false,
            vars: env.clone(),
            env,
            args: Env::new(),
            declared_args: Vec::new(),
            shell: DEFAULT_SHELL.iter().map(|s| s.to_string()).collect(),
            base_env_known: known_base,
        };
        state.refresh_home();
        state
    }

    /// Whether a variable is known to be set for expansion.
    pub fn is_set(&self, name: &str) -> bool {
        self.vars.contains(name)
    }

    /// Whether `name` is a declared ARG in scope (with or without a value).
    pub fn is_declared_arg(&self, name: &str) -> bool {
        self.declared_args.iter().any(|a| a == name)
    }

    /// The user name or uid without its group (`app` for `app:staff`).
    pub fn user_name(&self) -> Option<&str> {
        let user = self.user.as_deref()?;
        Some(user.split_once(':').map_or(user, |(name, _)| name))
    }

    /// Whether commands run as root: no `USER`, or `root`/`0`.
    pub fn is_root(&self) -> bool {
        matches!(self.user_name(), None | Some("root" | "0" | ""))
    }

    pub(crate) fn set_env(&mut self, name: &str, value: &str) {
        self.env.set(name, value);
        self.vars.set(name, value);
        if name == "HOME" {
            self.refresh_home();
        }
    }

    pub(crate) fn set_user(&mut self, user: String) {
        self.user = Some(user);
        self.refresh_home();
    }

    pub(crate) fn refresh_home(&mut self) {
        self.home = match self.env.get("HOME") {
            Some(home) => home.to_string(),
            None => home_of(self.user_name()),
        };
    }

    pub(crate) fn set_workdir(&mut self, requested: &str) {
        self.workdir = normalize_workdir(&self.workdir, requested);
        self.workdir_set = true;
    }
}

/// The home directory of a user with no `ENV HOME`.
fn home_of(user: Option<&str>) -> String {
    match user {
        None | Some("" | "root" | "0") => "/root".to_string(),
        Some(uid) if uid.bytes().all(|b| b.is_ascii_digit()) => "/".to_string(),
        Some(name) => format!("/home/{name}"),
    }
}

/// Whether a path is a Windows one (`C:\...`, `C:/...` or with backslashes).
fn is_windows_path(path: &str) -> bool {
    let bytes = path.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    drive || path.contains('\\')
}

/// BuildKit's WORKDIR rule: a relative path joins the current one, and the result is
/// cleaned (`.`/`..` resolved, duplicate separators removed).
pub fn normalize_workdir(current: &str, requested: &str) -> String {
    if is_windows_path(requested) || is_windows_path(current) {
        return normalize_windows_workdir(current, requested);
    }
    if requested.starts_with('/') {
        clean_path(requested)
    } else {
        clean_path(&format!("/{current}/{requested}"))
    }
}

fn normalize_windows_workdir(current: &str, requested: &str) -> String {
    let requested = requested.replace('/', "\\");
    let bytes = requested.as_bytes();
    let has_drive = bytes.len() >= 2 && bytes[1] == b':';
    if has_drive || requested.starts_with('\\') {
        return requested;
    }
    let current = current.trim_end_matches(['\\', '/']);
    format!("{current}\\{requested}")
}

/// Go's `path.Clean` for an absolute path.
fn clean_path(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workdirs_resolve_and_clean() {
        assert_eq!(normalize_workdir("/", "app"), "/app");
        assert_eq!(normalize_workdir("/app", "src/../lib/"), "/app/lib");
        assert_eq!(normalize_workdir("/app", "/srv//x/."), "/srv/x");
        assert_eq!(normalize_workdir("/a", ".."), "/");
        assert_eq!(normalize_workdir("/", "C:\\app"), "C:\\app");
        assert_eq!(normalize_workdir("C:\\app", "src"), "C:\\app\\src");
    }

    #[test]
    fn homes() {
        assert_eq!(home_of(None), "/root");
        assert_eq!(home_of(Some("0")), "/root");
        assert_eq!(home_of(Some("1000")), "/");
        assert_eq!(home_of(Some("app")), "/home/app");
        let mut state = EffectiveState::new_base(true);
        state.set_user("app:app".to_string());
        assert_eq!(state.home, "/home/app");
        assert!(!state.is_root());
        state.set_env("HOME", "/srv");
        assert_eq!(state.home, "/srv");
    }
}
