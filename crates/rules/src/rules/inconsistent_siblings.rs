use std::collections::BTreeSet;
use std::ops::Range;
use std::path::{Path, PathBuf};

use dockopt_model::{Base, Stage};
use dockopt_shell::pkg::cache_dirs;

use super::network_install_without_retry::NetworkInstallWithoutRetry;
use super::runs_as_root::RunsAsRoot;
use crate::helpers::reliability::{stage_lineage, ImageRef};
use crate::helpers::size::{manager_name, same_family};
use crate::helpers::speed::{
    cache_mount_covering, command_env, is_language_manager, range, run_mounts, used_caches,
};
use crate::prelude::*;
use crate::HasMeta;

declare_rule! {
    /// ## What it does
    /// Compares the Dockerfiles of one repository and reports, on a file, a hardening that a
    /// sibling Dockerfile has and this one lacks:
    /// - a **retry**: the sibling retries the install (`apt-get` with `-o
    ///   Acquire::Retries=N` or apt configured to retry, `apk` or any other manager inside a
    ///   retry loop) and this one gives up at the first network error, as
    ///   `network-install-without-retry` judges it;
    /// - a **cache mount**: a `--mount=type=cache` covers the sibling's package cache and
    ///   nothing covers this one's (the cache directories are those of the effective user,
    ///   home and `ENV`, as `missing-cache-mount` and `missing-os-cache-mount` find them);
    /// - a **pinned base**: the sibling pins the same base image with a tag (or a digest)
    ///   and this one uses no tag or `latest` (or a tag without the digest);
    /// - a **non-root user**: the sibling's final stage ends with a non-root `USER` and this
    ///   one's runs as root, as `runs-as-root` judges it.
    ///
    /// Two files are siblings only when they install the same packages the same way: an
    /// install operation (`apt-get install`, `apk add`, `pip install`...) in each, with the
    /// same package manager (`apt` and `apt-get` count as one), that have at least half of
    /// all the package names the two give in common, and among the common names at least
    /// two distinctive ones: names nearly every Dockerfile installs (`curl`, `git`,
    /// `ca-certificates`, `gnupg`, `build-essential`, `jq`, `pip`, `setuptools`...) say
    /// nothing about two files being variants of one another and do not count. Packages
    /// given by path, URL or a variable take no part, so `npm ci` or `pip install -r
    /// requirements.txt` never make files siblings. The retry and cache-mount
    /// comparisons are made between two such matching installs; the base-image one
    /// between siblings that start a stage from the same image repository; the user one
    /// between siblings whose matching installs are both in the image they ship (the
    /// final stage or a stage it is built on).
    ///
    /// Files are compared within one repository: `dockopt lint` groups them by the nearest
    /// folder holding `.git`, or takes all files of the run as one group when none has
    /// one. The strict definition of siblings is what keeps unrelated projects linted
    /// together from being compared: installing `ca-certificates curl gnupg` like many
    /// other projects is not enough. Sibling files are named relative to the folder the
    /// compared files share.
    ///
    /// ## Why it matters
    /// A fix applied to one Dockerfile of a repository (the retry added after a flaky CI
    /// run, the cache mount that made builds fast, the pinned base, the unprivileged user)
    /// is easily forgotten in its siblings: the Alpine variant keeps failing on mirror
    /// hiccups while the Debian one was fixed months ago.
    ///
    /// ## Example
    /// `docker/Dockerfile.alpine`:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN for i in 1 2 3; do apk add --no-cache curl postgresql-client redis && break; [ $i = 3 ] && exit 1; sleep 5; done
    /// ```
    /// `Dockerfile`, at the root of the same repository:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk add --no-cache curl postgresql-client redis
    /// ```
    /// reports on `Dockerfile`: "docker/Dockerfile.alpine retries this `apk add` (in a
    /// retry loop); this one does not".
    ///
    /// ## Fixed
    /// `Dockerfile`:
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN for i in 1 2 3; do apk add --no-cache curl postgresql-client redis && break; [ $i = 3 ] && exit 1; sleep 5; done
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the difference may be deliberate (a development image that runs
    /// as root, a CI image without BuildKit), and only the author knows which file is
    /// right.
    pub struct InconsistentSiblings {
        name: "inconsistent-siblings",
        group: AcrossFiles,
        level: Info,
        aliases: [],
        fix: None,
        summary: "A sibling Dockerfile has a hardening this one lacks",
    }
}

/// Distinctive package names two installs must share at least, to be the same install.
const MIN_DISTINCTIVE: usize = 2;

/// Packages so many Dockerfiles install (download and build tools, certificates, shells,
/// editors, the Python packaging tools) that sharing them says nothing about two files
/// being variants of one another.
const UBIQUITOUS: &[&str] = &[
    "apt-transport-https",
    "bash",
    "build-base",
    "build-essential",
    "bzip2",
    "ca-certificates",
    "coreutils",
    "curl",
    "dirmngr",
    "dumb-init",
    "file",
    "findutils",
    "g++",
    "gcc",
    "git",
    "gnupg",
    "gnupg2",
    "gosu",
    "gzip",
    "iproute2",
    "jq",
    "less",
    "libc6-dev",
    "linux-headers",
    "locales",
    "lsb-release",
    "make",
    "musl-dev",
    "nano",
    "netcat",
    "net-tools",
    "openssh",
    "openssh-client",
    "openssl",
    "packaging",
    "pip",
    "pkg-config",
    "procps",
    "python3",
    "python3-pip",
    "setuptools",
    "shadow",
    "software-properties-common",
    "ssh-client",
    "su-exec",
    "sudo",
    "tar",
    "tini",
    "tzdata",
    "unzip",
    "vim",
    "wget",
    "wheel",
    "xz",
    "xz-utils",
    "zip",
];

/// How many of the names are not [`UBIQUITOUS`].
fn distinctive<'p>(names: impl IntoIterator<Item = &'p String>) -> usize {
    names
        .into_iter()
        .filter(|n| !UBIQUITOUS.contains(&n.as_str()))
        .count()
}

impl Check for InconsistentSiblings {
    fn check(&self, _ctx: &Context<'_>, _out: &mut Findings) {}

    fn check_project(&self, files: &[Context<'_>], out: &mut ProjectFindings) {
        let names = display_names(files);
        let installs: Vec<Install<'_>> = files
            .iter()
            .enumerate()
            .flat_map(|(i, ctx)| installs_of(i, ctx))
            .collect();
        let mut siblings: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut shipping_siblings: BTreeSet<(usize, usize)> = BTreeSet::new();
        for a in &installs {
            let matching: Vec<&Install<'_>> =
                installs.iter().filter(|b| same_install(a, b)).collect();
            for b in &matching {
                siblings.insert((a.file, b.file));
                if a.ships && b.ships {
                    shipping_siblings.insert((a.file, b.file));
                }
            }
            compare_retries(a, &matching, &names, out);
            compare_cache_mounts(a, &matching, &names, out);
        }
        // Who runs as root (where `runs-as-root` reports it) and who drops root (the last
        // `USER`), for the files that ship the same install as another.
        let users: Vec<Option<UserVerdict>> = files
            .iter()
            .enumerate()
            .map(|(i, ctx)| {
                shipping_siblings
                    .iter()
                    .any(|(a, _)| *a == i)
                    .then(|| user_verdict(ctx))
            })
            .collect();
        for (i, ctx) in files.iter().enumerate() {
            let of = |set: &BTreeSet<(usize, usize)>| -> Vec<usize> {
                set.range((i, 0)..(i + 1, 0)).map(|(_, j)| *j).collect()
            };
            compare_bases(i, ctx, files, &of(&siblings), &names, out);
            compare_users(i, &users, &of(&shipping_siblings), &names, out);
        }
    }
}

/// An install operation with named packages, and the hardenings it has.
struct Install<'c> {
    file: usize,
    run: &'c RunScript,
    op: &'c PkgOp,
    packages: BTreeSet<String>,
    /// Whether it is in the image the file ships (the final stage or a stage below it).
    ships: bool,
    /// How it is retried (`in a retry loop`, `with \`-o Acquire::Retries=3\``).
    retry: Option<String>,
    /// The cache directories it fills.
    caches: Vec<String>,
    /// The target of the cache mount that holds one of them.
    cache_mount: Option<String>,
}

fn installs_of<'c>(file: usize, ctx: &'c Context<'_>) -> Vec<Install<'c>> {
    let shipped: Vec<usize> = crate::helpers::style::image_stages(ctx);
    let unretried = findings_of(ctx, |c, out| {
        Check::check(&NetworkInstallWithoutRetry, c, out)
    });
    let mut out = Vec::new();
    for (id, _) in ctx.instructions_of(InstructionKind::Run) {
        let mounts = run_mounts(ctx, id);
        let ships = ctx.stage_of(id).is_some_and(|s| shipped.contains(&s.index));
        for run in ctx.scripts(id) {
            for op in &run.operations {
                if op.operation != Operation::Install {
                    continue;
                }
                let packages: BTreeSet<String> = op
                    .packages
                    .iter()
                    .filter(|p| !p.is_path_or_url && p.literal.is_some())
                    .map(|p| p.name.to_ascii_lowercase())
                    .collect();
                if distinctive(&packages) < MIN_DISTINCTIVE {
                    continue;
                }
                let env = command_env(ctx, id, run, op);
                let caches: Vec<String> = if op.manager.is_os() {
                    cache_dirs(op.manager, &env)
                        .dirs
                        .into_iter()
                        .map(|d| d.path)
                        .collect()
                } else if is_language_manager(op.manager) {
                    used_caches(op, &env).into_iter().map(|d| d.path).collect()
                } else {
                    Vec::new()
                };
                let cache_mount = caches.iter().find_map(|dir| {
                    cache_mount_covering(&mounts, dir).and_then(|m| m.target.clone())
                });
                let range = run.file_range(op.span);
                out.push(Install {
                    file,
                    run,
                    op,
                    packages,
                    ships,
                    retry: retry_of(run, op, unretried.contains(&range)),
                    caches,
                    cache_mount,
                });
            }
        }
    }
    out
}

/// How an install is retried, if it is.
fn retry_of(run: &RunScript, op: &PkgOp, reported_unretried: bool) -> Option<String> {
    let in_loop = run
        .script
        .command_ref(op.node)
        .is_some_and(|c| !c.enclosing_loops().is_empty());
    if in_loop {
        return Some("in a retry loop".to_string());
    }
    match op.manager {
        // The managers `network-install-without-retry` knows: its verdict decides.
        Manager::AptGet | Manager::Apt | Manager::Apk => {
            if reported_unretried {
                return None;
            }
            match op.flag(Meaning::Retries) {
                Some(flag) => {
                    let text = run
                        .script
                        .source()
                        .get(flag.span.start..flag.span.end)
                        .unwrap_or(&flag.name);
                    Some(format!("with `{text}`"))
                }
                None => Some("through apt's `Acquire::Retries` setting".to_string()),
            }
        }
        _ => None,
    }
}

/// The ranges another rule reports on the file.
fn findings_of(
    ctx: &Context<'_>,
    check: impl Fn(&Context<'_>, &mut Findings),
) -> Vec<Range<usize>> {
    let mut out = Findings::new(InconsistentSiblings::META);
    check(ctx, &mut out);
    out.items.into_iter().map(|f| f.diagnostic.range).collect()
}

/// Whether two installs in different files install the same packages the same way.
fn same_install(a: &Install<'_>, b: &Install<'_>) -> bool {
    if a.file == b.file || !same_family(a.op.manager, b.op.manager) {
        return false;
    }
    let shared: Vec<&String> = a.packages.intersection(&b.packages).collect();
    let all = a.packages.union(&b.packages).count();
    distinctive(shared.iter().copied()) >= MIN_DISTINCTIVE && shared.len() * 2 >= all
}

fn compare_retries(
    a: &Install<'_>,
    matching: &[&Install<'_>],
    names: &[String],
    out: &mut ProjectFindings,
) {
    if a.retry.is_some() {
        return;
    }
    report_what_a_sibling_does(a, matching, names, out, |b| b.retry.as_ref(), |sibling, how| {
        let command = manager_name(a.op);
        (
            format!("{sibling} retries this `{command}` ({how}); this one does not"),
            format!("retry it as {sibling} does, so a mirror hiccup does not fail the build"),
        )
    });
}

fn compare_cache_mounts(
    a: &Install<'_>,
    matching: &[&Install<'_>],
    names: &[String],
    out: &mut ProjectFindings,
) {
    if a.cache_mount.is_some() || a.caches.is_empty() {
        return;
    }
    report_what_a_sibling_does(a, matching, names, out, |b| b.cache_mount.as_ref(), |sibling, target| {
        let command = manager_name(a.op);
        let dir = a.caches.first().map_or(target, String::as_str);
        (
            format!(
                "{sibling} keeps this `{command}`'s downloads in a cache mount (`{target}`); this one does not"
            ),
            format!("add `--mount=type=cache,target={dir}` to the `RUN`, as {sibling} does"),
        )
    });
}

/// Reports `a` against the first sibling install for which `what` is something `a` lacks;
/// `words` gives the message and the help from the sibling's name and that something.
fn report_what_a_sibling_does<'i>(
    a: &Install<'_>,
    matching: &[&'i Install<'_>],
    names: &[String],
    out: &mut ProjectFindings,
    what: impl Fn(&'i Install<'_>) -> Option<&'i String>,
    words: impl FnOnce(&str, &str) -> (String, String),
) {
    let Some((b, detail)) = matching.iter().find_map(|b| what(b).map(|d| (b, d))) else {
        return;
    };
    let (message, help) = words(name(names, b.file), detail);
    if let Some(finding) = out.report(a.file, a.run.file_range(a.op.span), message) {
        finding.help(help);
    }
}

/// How firmly an image reference is pinned: 0 for no tag or `latest`, 1 for a tag, 2 for
/// a digest.
fn pin_level(image: &ImageRef<'_>) -> u8 {
    if image.digest.is_some() {
        2
    } else if image.tag.is_some_and(|t| !t.eq_ignore_ascii_case("latest")) {
        1
    } else {
        0
    }
}

/// The repository of an image, the way Docker Hub names it (`python` for
/// `docker.io/library/python`), lower-cased.
fn repository_key(image: &ImageRef<'_>) -> String {
    let lower = image.repository.to_ascii_lowercase();
    let name = lower
        .strip_prefix("docker.io/")
        .or_else(|| lower.strip_prefix("index.docker.io/"))
        .unwrap_or(&lower);
    name.strip_prefix("library/").unwrap_or(name).to_string()
}

fn image_stages<'c>(ctx: &'c Context<'_>) -> impl Iterator<Item = (&'c Stage, &'c str)> + 'c {
    ctx.model.stages().iter().filter_map(|s| match &s.base {
        Base::Image(name) => Some((s, name.as_str())),
        _ => None,
    })
}

fn compare_bases(
    i: usize,
    ctx: &Context<'_>,
    files: &[Context<'_>],
    siblings: &[usize],
    names: &[String],
    out: &mut ProjectFindings,
) {
    for (stage, name_here) in image_stages(ctx) {
        let here = ImageRef::parse(name_here);
        let level = pin_level(&here);
        let key = repository_key(&here);
        let better = siblings
            .iter()
            .filter_map(|j| files.get(*j).map(|c| (*j, c)))
            .flat_map(|(j, c)| image_stages(c).map(move |(_, n)| (j, n)))
            .filter(|(_, n)| {
                let there = ImageRef::parse(n);
                repository_key(&there) == key && pin_level(&there) > level
            })
            .max_by_key(|(j, n)| (pin_level(&ImageRef::parse(n)), std::cmp::Reverse(*j)));
        let Some((j, name_there)) = better else {
            continue;
        };
        let Some(from) = ctx.model.instruction(stage.from) else {
            continue;
        };
        let at = from
            .from_args()
            .map_or_else(|| range(from.range()), |a| range(a.image.range));
        let shown = if stage.base_text == name_here {
            format!("`{name_here}`")
        } else {
            format!("`{}` (`{name_here}`)", stage.base_text)
        };
        let this = if level == 0 {
            format!("this one uses {shown}, which follows `latest`")
        } else {
            format!("this one pins {shown} by tag only")
        };
        let how = if pin_level(&ImageRef::parse(name_there)) == 2 {
            "by digest"
        } else {
            "to a version"
        };
        if let Some(finding) = out.report(
            i,
            at,
            format!(
                "{} pins `{key}` {how} (`{}`); {this}",
                name(names, j),
                shorten_digest(name_there)
            ),
        ) {
            finding.help(format!(
                "pin the base as {} does, so both build from the same image",
                name(names, j)
            ));
        }
    }
}

/// An image reference with its digest cut to 12 hex digits, for messages.
fn shorten_digest(reference: &str) -> String {
    match reference.split_once("@sha256:") {
        Some((name, hex)) if hex.len() > 12 => {
            format!("{name}@sha256:{}…", hex.get(..12).unwrap_or(hex))
        }
        _ => reference.to_string(),
    }
}

/// Whether a file's final stage runs as root, and the `USER` it ends with.
struct UserVerdict {
    /// Where `runs-as-root` reports the file, if it does.
    as_root: Option<Range<usize>>,
    /// The value of the last `USER` of the final stage.
    user: Option<String>,
}

fn user_verdict(ctx: &Context<'_>) -> UserVerdict {
    UserVerdict {
        as_root: findings_of(ctx, |c, o| Check::check(&RunsAsRoot, c, o))
            .into_iter()
            .next(),
        user: final_user(ctx),
    }
}

fn compare_users(
    i: usize,
    users: &[Option<UserVerdict>],
    siblings: &[usize],
    names: &[String],
    out: &mut ProjectFindings,
) {
    let Some(at) = users
        .get(i)
        .and_then(Option::as_ref)
        .and_then(|v| v.as_root.clone())
    else {
        return;
    };
    let non_root = siblings.iter().find_map(|j| {
        let verdict = users.get(*j)?.as_ref()?;
        if verdict.as_root.is_some() {
            return None;
        }
        verdict.user.as_ref().map(|user| (*j, user))
    });
    let Some((j, user)) = non_root else {
        return;
    };
    if let Some(finding) = out.report(
        i,
        at,
        format!(
            "{} drops root in its final stage (`USER {user}`); this one runs as root",
            name(names, j)
        ),
    ) {
        finding.help(format!(
            "end the final stage with a non-root `USER`, as {} does",
            name(names, j)
        ));
    }
}

/// The value of the last `USER` of the final stage (or of the stages it is built on).
fn final_user(ctx: &Context<'_>) -> Option<String> {
    let last = ctx.model.final_stage()?;
    stage_lineage(ctx, last.index).into_iter().find_map(|s| {
        let stage = ctx.model.stage(s)?;
        stage.instructions.iter().rev().find_map(|id| {
            let ins = ctx.model.instruction(*id)?;
            if ins.kind() != InstructionKind::User {
                return None;
            }
            ins.arguments().first().map(|a| a.value.clone())
        })
    })
}

/// Each file's path relative to the folder all the files share.
fn display_names(files: &[Context<'_>]) -> Vec<String> {
    let parents: Vec<&Path> = files
        .iter()
        .map(|c| c.path.parent().unwrap_or(Path::new("")))
        .collect();
    let mut common: Option<PathBuf> = parents.first().map(|p| p.to_path_buf());
    for parent in &parents {
        while let Some(dir) = common.as_ref() {
            if parent.starts_with(dir) {
                break;
            }
            common = dir.parent().map(Path::to_path_buf);
        }
    }
    files
        .iter()
        .map(|c| {
            let shown = common
                .as_deref()
                .and_then(|dir| c.path.strip_prefix(dir).ok())
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(c.path);
            shown.to_string_lossy().replace('\\', "/")
        })
        .collect()
}

fn name(names: &[String], file: usize) -> &str {
    names
        .get(file)
        .map_or("a sibling Dockerfile", String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_levels() {
        assert_eq!(pin_level(&ImageRef::parse("node")), 0);
        assert_eq!(pin_level(&ImageRef::parse("node:LATEST")), 0);
        assert_eq!(pin_level(&ImageRef::parse("localhost:5000/node")), 0);
        assert_eq!(pin_level(&ImageRef::parse("node:22")), 1);
        assert_eq!(pin_level(&ImageRef::parse("node@sha256:abc")), 2);
    }

    #[test]
    fn repositories_compare_as_docker_hub_names_them() {
        let key = |r: &str| repository_key(&ImageRef::parse(r));
        assert_eq!(key("docker.io/library/Python:3.12"), "python");
        assert_eq!(key("python"), "python");
        assert_eq!(key("ghcr.io/org/python:1"), "ghcr.io/org/python");
    }

    #[test]
    fn digests_are_shortened_in_messages() {
        assert_eq!(
            shorten_digest("node:22@sha256:0123456789abcdef0123"),
            "node:22@sha256:0123456789ab…"
        );
        assert_eq!(shorten_digest("node:22@sha256:abc"), "node:22@sha256:abc");
        assert_eq!(shorten_digest("node:22"), "node:22");
    }

    #[test]
    fn everyday_tools_are_not_distinctive() {
        let names: Vec<String> = ["curl", "git", "libpq-dev", "redis"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        assert_eq!(distinctive(&names), 2);
    }
}
