//! Build options and the ARGs BuildKit defines before any Dockerfile line runs.

use std::collections::BTreeMap;

use dockopt_syntax::expand::Env;

/// ARGs BuildKit sets from the build and target platforms; a stage sees one only after
/// declaring it (`ARG TARGETARCH`).
pub const PLATFORM_ARGS: [&str; 11] = [
    "BUILDPLATFORM",
    "BUILDOS",
    "BUILDOSVERSION",
    "BUILDARCH",
    "BUILDVARIANT",
    "TARGETPLATFORM",
    "TARGETOS",
    "TARGETOSVERSION",
    "TARGETARCH",
    "TARGETVARIANT",
    "TARGETSTAGE",
];

/// Proxy ARGs: usable as `--build-arg` without being declared, and passed to `RUN`.
pub const PROXY_ARGS: [&str; 10] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// ARGs that never become environment variables of the build.
pub(crate) const NON_ENV_ARGS: [&str; 2] =
    ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// Whether BuildKit defines `name` itself (platform and proxy ARGs).
pub fn is_predefined_arg(name: &str) -> bool {
    PLATFORM_ARGS.contains(&name) || PROXY_ARGS.contains(&name)
}

/// A platform as `os/arch[/variant]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Platform {
    /// `linux`, `windows`...
    pub os: String,
    /// `amd64`, `arm64`...
    pub arch: String,
    /// `v7`..., empty when none.
    pub variant: String,
}

impl Platform {
    /// `os/arch[/variant]`.
    pub fn format(&self) -> String {
        if self.variant.is_empty() {
            format!("{}/{}", self.os, self.arch)
        } else {
            format!("{}/{}/{}", self.os, self.arch, self.variant)
        }
    }
}

impl Default for Platform {
    fn default() -> Self {
        Self {
            os: "linux".to_string(),
            arch: "amd64".to_string(),
            variant: String::new(),
        }
    }
}

/// What a build is asked to do: the values a `docker build` command line would give.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// `--build-arg NAME=value`.
    pub build_args: BTreeMap<String, String>,
    /// `--target NAME`; the last stage when `None`.
    pub target: Option<String>,
    /// The builder's platform (`BUILDPLATFORM`); linux/amd64 by default.
    pub build_platform: Platform,
    /// `--platform` (`TARGETPLATFORM`); the build platform when `None`.
    pub target_platform: Option<Platform>,
}

impl BuildOptions {
    /// The platform ARGs as BuildKit defines them (build arguments override them), for a
    /// build whose target stage is named `target` (empty: unnamed).
    pub(crate) fn platform_args(&self, target: &str) -> Env {
        let build = &self.build_platform;
        let target_platform = self.target_platform.as_ref().unwrap_or(build);
        let target = if target.is_empty() { "default" } else { target };
        let values = [
            ("BUILDPLATFORM", build.format()),
            ("BUILDOS", build.os.clone()),
            ("BUILDOSVERSION", String::new()),
            ("BUILDARCH", build.arch.clone()),
            ("BUILDVARIANT", build.variant.clone()),
            ("TARGETPLATFORM", target_platform.format()),
            ("TARGETOS", target_platform.os.clone()),
            ("TARGETOSVERSION", String::new()),
            ("TARGETARCH", target_platform.arch.clone()),
            ("TARGETVARIANT", target_platform.variant.clone()),
            ("TARGETSTAGE", target.to_string()),
        ];
        let mut env = Env::new();
        for (name, value) in values {
            let value = self.build_args.get(name).cloned().unwrap_or(value);
            env.set(name, value);
        }
        env
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_args_take_overrides() {
        let mut options = BuildOptions::default();
        options
            .build_args
            .insert("TARGETARCH".to_string(), "arm64".to_string());
        let env = options.platform_args("");
        assert_eq!(env.get("TARGETPLATFORM"), Some("linux/amd64"));
        assert_eq!(env.get("TARGETARCH"), Some("arm64"));
        assert_eq!(env.get("TARGETSTAGE"), Some("default"));
        assert!(is_predefined_arg("no_proxy"));
        assert!(!is_predefined_arg("NO_PROXY_X"));
    }
}
