//! Questions the reliability rules share: what a stage's base image is (and so which libc
//! and which `/bin/sh` it has), how an image reference is pinned, and small facts about
//! shell commands.

use dockopt_model::{Base, InstructionId};
use dockopt_shell::{NodeKind, Script, Word};

use crate::context::Context;

/// An image reference split into repository, tag and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// Registry and path (`docker.io/library/python`, `python`).
    pub repository: &'a str,
    /// The tag after `:`, if any.
    pub tag: Option<&'a str>,
    /// The digest after `@`, if any.
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Splits `reference`: the digest after `@`, then the tag after the last `:` that
    /// follows the last `/` (so a registry port is not read as a tag).
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d)),
            None => (reference, None),
        };
        let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
        let (repository, tag) = match rest.get(last_slash..).and_then(|tail| tail.rfind(':')) {
            Some(i) => {
                let at = last_slash + i;
                (rest.get(..at).unwrap_or(rest), rest.get(at + 1..))
            }
            None => (rest, None),
        };
        ImageRef {
            repository,
            tag,
            digest,
        }
    }

    /// The last path component of the repository, lower-cased (`python` for
    /// `docker.io/library/python`).
    pub fn short_name(&self) -> String {
        self.repository
            .rsplit('/')
            .next()
            .unwrap_or(self.repository)
            .to_ascii_lowercase()
    }

    fn tag_lower(&self) -> String {
        self.tag.unwrap_or("").to_ascii_lowercase()
    }

    fn repository_lower(&self) -> String {
        self.repository.to_ascii_lowercase()
    }
}

/// The stages a stage is built on, itself first, following `FROM <stage>`.
pub fn stage_lineage(ctx: &Context<'_>, stage: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut at = Some(stage);
    while let Some(index) = at {
        if out.contains(&index) {
            break;
        }
        out.push(index);
        at = ctx.model.stage(index).and_then(|s| s.base_stage());
    }
    out
}

/// The image a stage ultimately starts from (`scratch` for the empty image), following
/// `FROM <stage>`; `None` when the base could not be resolved.
pub fn stage_image(ctx: &Context<'_>, stage: usize) -> Option<String> {
    let last = *stage_lineage(ctx, stage).last()?;
    match &ctx.model.stage(last)?.base {
        Base::Image(name) => Some(name.clone()),
        Base::Scratch => Some("scratch".to_string()),
        Base::Stage(_) | Base::Unresolved => None,
    }
}

/// The C library of an image's userland.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Libc {
    /// musl (Alpine).
    Musl,
    /// GNU libc (Debian, Ubuntu, Fedora, RHEL, Wolfi...).
    Glibc,
    /// No C library at all (`scratch`, distroless `static`).
    NoLibc,
}

impl Libc {
    /// How the libc is named in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Libc::Musl => "musl",
            Libc::Glibc => "glibc",
            Libc::NoLibc => "no C library",
        }
    }
}

/// Official images built on Debian (or Ubuntu) unless their tag says otherwise.
const DEBIAN_FAMILY: &[&str] = &[
    "debian",
    "python",
    "node",
    "golang",
    "rust",
    "ruby",
    "php",
    "perl",
    "buildpack-deps",
    "gcc",
    "openjdk",
    "maven",
    "gradle",
    "haskell",
    "elixir",
    "erlang",
    "julia",
    "r-base",
    "swift",
    "clojure",
    "postgres",
    "mysql",
    "redis",
    "nginx",
    "httpd",
];

/// Images whose `/bin/sh` is bash.
const BASH_SH: &[&str] = &[
    "fedora",
    "centos",
    "rockylinux",
    "almalinux",
    "amazonlinux",
    "oraclelinux",
    "photon",
    "archlinux",
    "ubi",
    "ubi-minimal",
    "ubi8",
    "ubi9",
    "ubi10",
    "ubi8-minimal",
    "ubi9-minimal",
    "ubi10-minimal",
    "ubi8-micro",
    "ubi9-micro",
];

/// Whether the image is an Alpine one (the image itself or an `-alpine` variant).
fn is_alpine(image: &ImageRef<'_>) -> bool {
    image.short_name() == "alpine" || image.tag_lower().contains("alpine")
}

fn is_wolfi(image: &ImageRef<'_>) -> bool {
    let repo = image.repository_lower();
    repo.starts_with("cgr.dev/") || image.short_name().starts_with("wolfi")
}

fn is_no_libc(image: &ImageRef<'_>) -> bool {
    let repo = image.repository_lower();
    repo == "scratch"
        || (repo.contains("distroless") && image.short_name().starts_with("static"))
        || (repo.starts_with("cgr.dev/") && image.short_name() == "static")
}

/// The libc of an image, when its name tells.
pub fn image_libc(reference: &str) -> Option<Libc> {
    let image = ImageRef::parse(reference);
    if is_no_libc(&image) {
        return Some(Libc::NoLibc);
    }
    if is_alpine(&image) {
        return Some(Libc::Musl);
    }
    let short = image.short_name();
    let repo = image.repository_lower();
    let glibc = DEBIAN_FAMILY.contains(&short.as_str())
        || short == "ubuntu"
        || BASH_SH.contains(&short.as_str())
        || is_wolfi(&image)
        || repo.contains("distroless")
        || short == "eclipse-temurin";
    glibc.then_some(Libc::Glibc)
}

/// Whether the default `/bin/sh` of an image understands `set -o pipefail`, when its
/// name tells: busybox ash (Alpine, Wolfi) and bash (Fedora, RHEL and kin) do; dash does
/// only from Debian 13 (trixie) on, so Debian images count only when their tag names
/// trixie or later, and Ubuntu images never.
pub fn image_sh_has_pipefail(reference: &str) -> Option<bool> {
    let image = ImageRef::parse(reference);
    if is_no_libc(&image) {
        return None;
    }
    if is_alpine(&image) || is_wolfi(&image) || image.short_name() == "busybox" {
        return Some(true);
    }
    let short = image.short_name();
    if BASH_SH.contains(&short.as_str()) {
        return Some(true);
    }
    let debian = DEBIAN_FAMILY.contains(&short.as_str()) || short == "eclipse-temurin";
    if short == "ubuntu" || debian {
        let tag = image.tag_lower();
        let newer = ["trixie", "forky", "duke", "sid", "testing", "unstable"]
            .iter()
            .any(|t| tag.contains(t))
            || (short == "debian" && tag.split(['.', '-']).next() == Some("13"));
        return Some(debian && newer);
    }
    None
}

/// What runs `/bin/sh -c` in an image, as far as its name tells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageSh {
    /// A shell that understands `set -o pipefail`: busybox ash (Alpine, Wolfi), bash
    /// (Fedora, RHEL and kin), dash from Debian 13 (trixie) and Ubuntu 25.04 on.
    Pipefail,
    /// Debian or Ubuntu whose dash may lack `pipefail` (an older release, or one the name
    /// does not pin); bash is installed there (it is essential on Debian).
    DashMaybeWithoutPipefail,
    /// No POSIX shell: `scratch`, distroless and chiseled images, Windows images.
    NoPosixShell,
}

/// Debian and Ubuntu release names whose dash has `pipefail` (dash 0.5.12-7 and later).
const DASH_WITH_PIPEFAIL: &[&str] = &[
    "trixie", "forky", "duke", "sid", "plucky", "questing", "resolute",
];

/// Debian and Ubuntu release names whose dash has no `pipefail`.
const DASH_WITHOUT_PIPEFAIL: &[&str] = &[
    "jessie", "stretch", "buster", "bullseye", "bookworm", "xenial", "bionic", "focal", "jammy",
    "noble", "oracular",
];

/// The default `/bin/sh` of an image, read from its name and tag (`python:3.12-bookworm`,
/// `nvidia/cuda:12.4-devel-ubuntu22.04`, `rocm/dev-almalinux-8`); `None` when they do
/// not tell. A Debian or Ubuntu image whose release cannot be told counts as one whose
/// dash may lack `pipefail`.
pub fn image_sh(reference: &str) -> Option<ImageSh> {
    let image = ImageRef::parse(reference);
    let repo = image.repository_lower();
    let tag = image.tag_lower();
    if is_no_libc(&image)
        || (repo.contains("distroless") && !tag.contains("debug"))
        || tag.contains("chiseled")
        || repo.contains("/windows/")
        || tag.contains("windowsservercore")
        || tag.contains("nanoserver")
    {
        return Some(ImageSh::NoPosixShell);
    }
    if image_sh_has_pipefail(reference) == Some(true) {
        return Some(ImageSh::Pipefail);
    }
    let short = image.short_name();
    let tokens: Vec<&str> = short
        .split(['-', '_'])
        .chain(tag.split(['-', '_']))
        .filter(|t| !t.is_empty())
        .collect();
    let mut debian_like =
        short == "ubuntu" || DEBIAN_FAMILY.contains(&short.as_str()) || short == "eclipse-temurin";
    for (i, token) in tokens.iter().enumerate() {
        let named = |name: &str| {
            token.strip_prefix(name).is_some_and(|rest| {
                rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit())
            })
        };
        if token.contains("alpine") || named("wolfi") {
            return Some(ImageSh::Pipefail);
        }
        if BASH_SH.iter().any(|d| named(d)) || named("rhel") {
            return Some(ImageSh::Pipefail);
        }
        if DASH_WITH_PIPEFAIL.contains(token) {
            return Some(ImageSh::Pipefail);
        }
        if DASH_WITHOUT_PIPEFAIL.contains(token) {
            return Some(ImageSh::DashMaybeWithoutPipefail);
        }
        // `ubuntu24.04`, `ubuntu-25.04`, `debian13`.
        for (distro, first_with) in [("ubuntu", 25), ("debian", 13)] {
            if !named(distro) {
                continue;
            }
            debian_like = true;
            let version = match token.get(distro.len()..) {
                Some("") => tokens.get(i + 1).copied().unwrap_or(""),
                Some(rest) => rest,
                None => "",
            };
            let major = version
                .split('.')
                .next()
                .and_then(|v| v.parse::<u32>().ok());
            if major.is_some_and(|m| m >= first_with) {
                return Some(ImageSh::Pipefail);
            }
        }
    }
    debian_like.then_some(ImageSh::DashMaybeWithoutPipefail)
}

/// The value of a shell word with the variables of `id`'s state (ENV and ARG values).
pub fn resolve_word(ctx: &Context<'_>, id: InstructionId, word: &Word) -> Option<String> {
    let state = ctx.state(id)?;
    word.resolve(&|name| {
        if name == "HOME" {
            return Some(state.home.clone());
        }
        state.vars.get(name).map(str::to_string)
    })
}

/// Whether the command is a test (`[`, `test`, `[[`): a loop that breaks on a test is a
/// search, not a retry.
pub fn is_test(script: &Script, node: dockopt_shell::NodeId) -> bool {
    match script.kind(node) {
        NodeKind::Simple(c) => matches!(c.program(), Some("[" | "test")),
        NodeKind::ExtendedTest { .. } | NodeKind::Arithmetic { .. } => true,
        _ => false,
    }
}

/// The ids of the `RUN` instructions of the given stages, in file order.
pub fn run_ids_in_stages(ctx: &Context<'_>, stages: &[usize]) -> Vec<InstructionId> {
    let mut out: Vec<InstructionId> = stages
        .iter()
        .filter_map(|s| ctx.model.stage(*s))
        .flat_map(|s| s.instructions.iter().copied())
        .filter(|id| {
            ctx.model
                .instruction(*id)
                .is_some_and(|i| i.kind() == dockopt_syntax::InstructionKind::Run)
        })
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split() {
        let r = ImageRef::parse("localhost:5000/app");
        assert_eq!((r.repository, r.tag), ("localhost:5000/app", None));
        let r = ImageRef::parse("python:3.12-slim@sha256:abc");
        assert_eq!(r.tag, Some("3.12-slim"));
        assert_eq!(r.digest, Some("sha256:abc"));
        assert_eq!(
            ImageRef::parse("docker.io/library/node").short_name(),
            "node"
        );
    }

    #[test]
    fn libcs() {
        assert_eq!(image_libc("golang:1.22-alpine"), Some(Libc::Musl));
        assert_eq!(image_libc("golang:1.22"), Some(Libc::Glibc));
        assert_eq!(image_libc("scratch"), Some(Libc::NoLibc));
        assert_eq!(
            image_libc("gcr.io/distroless/static-debian12"),
            Some(Libc::NoLibc)
        );
        assert_eq!(image_libc("gcr.io/distroless/base"), Some(Libc::Glibc));
        assert_eq!(image_libc("example.com/custom"), None);
    }

    #[test]
    fn pipefail_shells() {
        assert_eq!(image_sh_has_pipefail("alpine:3.20"), Some(true));
        assert_eq!(image_sh_has_pipefail("debian:bookworm"), Some(false));
        assert_eq!(image_sh_has_pipefail("debian:13"), Some(true));
        assert_eq!(image_sh_has_pipefail("python:3.13-slim-trixie"), Some(true));
        assert_eq!(image_sh_has_pipefail("ubuntu:24.04"), Some(false));
        assert_eq!(image_sh_has_pipefail("fedora:40"), Some(true));
        assert_eq!(image_sh_has_pipefail("example.com/custom"), None);
    }

    #[test]
    fn default_shells() {
        use ImageSh::*;
        assert_eq!(image_sh("nginx:1.29.8-alpine-slim"), Some(Pipefail));
        assert_eq!(
            image_sh("rocm/dev-almalinux-8:7.2.1-complete"),
            Some(Pipefail)
        );
        assert_eq!(image_sh("buildpack-deps:trixie"), Some(Pipefail));
        assert_eq!(image_sh("ubuntu:26.04"), Some(Pipefail));
        assert_eq!(image_sh("ubuntu:24.04"), Some(DashMaybeWithoutPipefail));
        assert_eq!(image_sh("ubuntu:latest"), Some(DashMaybeWithoutPipefail));
        assert_eq!(
            image_sh("nvidia/cuda:12.9.1-devel-ubuntu24.04"),
            Some(DashMaybeWithoutPipefail)
        );
        assert_eq!(
            image_sh("rocm/dev-ubuntu-22.04"),
            Some(DashMaybeWithoutPipefail)
        );
        assert_eq!(
            image_sh("ghcr.io/astral-sh/uv:python3.12-bookworm-slim"),
            Some(DashMaybeWithoutPipefail)
        );
        assert_eq!(image_sh("python:3.12-slim"), Some(DashMaybeWithoutPipefail));
        assert_eq!(image_sh("scratch"), Some(NoPosixShell));
        assert_eq!(
            image_sh("gcr.io/distroless/base-debian12"),
            Some(NoPosixShell)
        );
        assert_eq!(
            image_sh("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled"),
            Some(NoPosixShell)
        );
        assert_eq!(
            image_sh("mcr.microsoft.com/windows/servercore:ltsc2022"),
            Some(NoPosixShell)
        );
        assert_eq!(
            image_sh("discourse/ruby:3.4.10-bookworm-slim"),
            Some(DashMaybeWithoutPipefail)
        );
        assert_eq!(image_sh("example.com/custom/base:1.0"), None);
    }
}
