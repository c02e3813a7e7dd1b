//! Recognition of each manager's command line: program name, subcommand, flags, packages.

use super::args::{package, scan, FlagRules, Syntax};
use super::cache::CacheKind;
use super::{Manager, Meaning, Operation, PkgOp};
use crate::span::Span;
use crate::tree::NodeId;
use crate::word::Word;

/// Identifies the manager from the program name (and `python -m pip`).
fn identify<'a>(program: &str, rest: &'a [&'a Word]) -> Option<(Manager, &'a [&'a Word])> {
    let m = match program {
        "apt-get" => Manager::AptGet,
        "apt" => Manager::Apt,
        "apk" => Manager::Apk,
        "dnf" | "dnf5" => Manager::Dnf,
        "yum" => Manager::Yum,
        "microdnf" => Manager::Microdnf,
        "zypper" => Manager::Zypper,
        "uv" => Manager::Uv,
        "poetry" => Manager::Poetry,
        "pipx" => Manager::Pipx,
        "npm" => Manager::Npm,
        "yarn" | "yarnpkg" => Manager::Yarn,
        "pnpm" => Manager::Pnpm,
        "bun" => Manager::Bun,
        "go" => Manager::Go,
        "cargo" => Manager::Cargo,
        "gem" => Manager::Gem,
        "bundle" | "bundler" => Manager::Bundle,
        "composer" | "composer.phar" => Manager::Composer,
        "mvn" | "mvnw" => Manager::Maven,
        "gradle" | "gradlew" => Manager::Gradle,
        "curl" => Manager::Curl,
        "wget" => Manager::Wget,
        "git" => Manager::Git,
        p if is_pip(p) => Manager::Pip,
        p if is_python(p) => {
            // `python -m pip ...` (options such as `-u` may come first).
            let mut i = 0;
            while let Some(w) = rest.get(i) {
                match w.literal() {
                    Some("-m") => {
                        return match rest.get(i + 1).and_then(|w| w.literal()) {
                            Some("pip") => Some((Manager::Pip, rest.get(i + 2..).unwrap_or(&[]))),
                            Some("uv") => Some((Manager::Uv, rest.get(i + 2..).unwrap_or(&[]))),
                            _ => None,
                        };
                    }
                    Some(o) if o.starts_with('-') => i += 1,
                    _ => return None,
                }
            }
            return None;
        }
        _ => return None,
    };
    Some((m, rest))
}

fn is_pip(p: &str) -> bool {
    p == "pip"
        || p.strip_prefix("pip")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

fn is_python(p: &str) -> bool {
    p == "python"
        || p.strip_prefix("python")
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
}

/// Recognises a manager command; `None` when the program is not one dockopt models.
pub(crate) fn recognise(
    program: &str,
    first: &Word,
    rest: &[&Word],
    node: NodeId,
    span: Span,
) -> Option<PkgOp> {
    let (manager, args) = identify(program, rest)?;
    let rules = flag_rules(manager);
    let scanned = scan(args, &rules);
    let pos = scanned.positionals;
    let sub = |i: usize| pos.get(i).and_then(|w| w.literal()).unwrap_or("");
    let (operation, depth, syntax, kinds): (Operation, usize, Syntax, Vec<CacheKind>) =
        match manager {
            Manager::AptGet | Manager::Apt => match sub(0) {
                "install" | "reinstall" | "build-dep" => {
                    (Operation::Install, 1, Syntax::Apt, vec![])
                }
                "remove" | "purge" | "autoremove" => (Operation::Remove, 1, Syntax::Apt, vec![]),
                "update" => (Operation::UpdateIndex, 1, Syntax::Apt, vec![]),
                "upgrade" | "dist-upgrade" | "full-upgrade" => {
                    (Operation::Upgrade, 1, Syntax::Apt, vec![])
                }
                "clean" | "autoclean" => (
                    Operation::CleanCache,
                    1,
                    Syntax::Apt,
                    vec![CacheKind::Packages],
                ),
                "download" | "source" => (Operation::Download, 1, Syntax::Apt, vec![]),
                _ => (Operation::Other, 1, Syntax::Apt, vec![]),
            },
            Manager::Apk => match (sub(0), sub(1)) {
                ("add", _) => (Operation::Install, 1, Syntax::Apk, vec![]),
                ("del", _) => (Operation::Remove, 1, Syntax::Apk, vec![]),
                ("update", _) => (Operation::UpdateIndex, 1, Syntax::Apk, vec![]),
                ("upgrade", _) => (Operation::Upgrade, 1, Syntax::Apk, vec![]),
                ("cache", "clean" | "purge") => (
                    Operation::CleanCache,
                    2,
                    Syntax::Apk,
                    vec![CacheKind::Packages],
                ),
                ("fetch", _) => (Operation::Download, 1, Syntax::Apk, vec![]),
                _ => (Operation::Other, 1, Syntax::Apk, vec![]),
            },
            Manager::Dnf | Manager::Yum | Manager::Microdnf => match (sub(0), sub(1)) {
                ("group" | "groups" | "module", "install") => {
                    (Operation::Install, 2, Syntax::Rpm, vec![])
                }
                ("install" | "reinstall" | "localinstall" | "groupinstall" | "in", _) => {
                    (Operation::Install, 1, Syntax::Rpm, vec![])
                }
                ("remove" | "erase" | "autoremove" | "rm", _) => {
                    (Operation::Remove, 1, Syntax::Rpm, vec![])
                }
                ("makecache", _) => (Operation::UpdateIndex, 1, Syntax::Rpm, vec![]),
                ("upgrade" | "update" | "distro-sync" | "upgrade-minimal", _) => {
                    (Operation::Upgrade, 1, Syntax::Rpm, vec![])
                }
                ("clean", what) => {
                    let kinds = match what {
                        "metadata" | "expire-cache" | "dbcache" => vec![CacheKind::Index],
                        "packages" => vec![CacheKind::Packages],
                        _ => vec![CacheKind::Packages, CacheKind::Index],
                    };
                    (Operation::CleanCache, 2, Syntax::Rpm, kinds)
                }
                ("download", _) => (Operation::Download, 1, Syntax::Rpm, vec![]),
                _ => (Operation::Other, 1, Syntax::Rpm, vec![]),
            },
            Manager::Zypper => match sub(0) {
                "install" | "in" => (Operation::Install, 1, Syntax::Rpm, vec![]),
                "remove" | "rm" => (Operation::Remove, 1, Syntax::Rpm, vec![]),
                "refresh" | "ref" => (Operation::UpdateIndex, 1, Syntax::Rpm, vec![]),
                "update" | "up" | "dist-upgrade" | "dup" | "patch" => {
                    (Operation::Upgrade, 1, Syntax::Rpm, vec![])
                }
                "clean" | "cc" => (
                    Operation::CleanCache,
                    1,
                    Syntax::Rpm,
                    vec![CacheKind::Packages, CacheKind::Index],
                ),
                "download" => (Operation::Download, 1, Syntax::Rpm, vec![]),
                _ => (Operation::Other, 1, Syntax::Rpm, vec![]),
            },
            Manager::Pip => pip_like(sub(0), sub(1), 0),
            Manager::Uv => match (sub(0), sub(1)) {
                ("pip", s) => {
                    let (op, d, syn, k) = pip_like(s, sub(2), 1);
                    let op = if s == "sync" { Operation::Install } else { op };
                    (op, d, syn, k)
                }
                ("sync" | "add", _) => (Operation::Install, 1, Syntax::Python, vec![]),
                ("remove", _) => (Operation::Remove, 1, Syntax::Python, vec![]),
                ("tool" | "python", "install") => (Operation::Install, 2, Syntax::Python, vec![]),
                ("tool" | "python", "uninstall") => (Operation::Remove, 2, Syntax::Python, vec![]),
                ("tool", "upgrade") => (Operation::Upgrade, 2, Syntax::Python, vec![]),
                ("cache", "clean" | "prune") => (
                    Operation::CleanCache,
                    2,
                    Syntax::Python,
                    vec![CacheKind::Packages],
                ),
                ("build", _) => (Operation::Build, 1, Syntax::Python, vec![]),
                _ => (Operation::Other, 1, Syntax::Python, vec![]),
            },
            Manager::Poetry => match (sub(0), sub(1)) {
                ("install" | "add" | "sync", _) => (Operation::Install, 1, Syntax::At, vec![]),
                ("remove", _) => (Operation::Remove, 1, Syntax::At, vec![]),
                ("update", _) => (Operation::Upgrade, 1, Syntax::At, vec![]),
                ("build", _) => (Operation::Build, 1, Syntax::At, vec![]),
                ("cache", "clear") => (
                    Operation::CleanCache,
                    2,
                    Syntax::At,
                    vec![CacheKind::Packages],
                ),
                _ => (Operation::Other, 1, Syntax::At, vec![]),
            },
            Manager::Pipx => match sub(0) {
                "install" | "inject" => (Operation::Install, 1, Syntax::Python, vec![]),
                "uninstall" => (Operation::Remove, 1, Syntax::Python, vec![]),
                "upgrade" | "upgrade-all" => (Operation::Upgrade, 1, Syntax::Python, vec![]),
                _ => (Operation::Other, 1, Syntax::Python, vec![]),
            },
            Manager::Npm | Manager::Pnpm | Manager::Bun | Manager::Yarn => {
                js_like(manager, sub(0), sub(1), sub(2))
            }
            Manager::Go => match (sub(0), sub(1)) {
                ("mod", "download") => (Operation::Download, 2, Syntax::At, vec![]),
                ("build" | "test" | "vet" | "generate", _) => {
                    (Operation::Build, 1, Syntax::At, vec![])
                }
                ("install" | "get", _) => (Operation::Install, 1, Syntax::At, vec![]),
                ("clean", _) => {
                    let mut kinds = Vec::new();
                    if scanned.flags.iter().any(|f| f.name == "-cache") {
                        kinds.push(CacheKind::Build);
                    }
                    if scanned.flags.iter().any(|f| f.name == "-modcache") {
                        kinds.push(CacheKind::Packages);
                    }
                    let op = if kinds.is_empty() {
                        Operation::Other
                    } else {
                        Operation::CleanCache
                    };
                    (op, 1, Syntax::At, kinds)
                }
                _ => (Operation::Other, 1, Syntax::At, vec![]),
            },
            Manager::Cargo => match sub(0) {
                "build" | "b" | "test" | "t" | "check" | "c" | "rustc" => {
                    (Operation::Build, 1, Syntax::At, vec![])
                }
                "install" => (Operation::Install, 1, Syntax::At, vec![]),
                "fetch" | "vendor" => (Operation::Download, 1, Syntax::At, vec![]),
                "uninstall" => (Operation::Remove, 1, Syntax::At, vec![]),
                "clean" => (Operation::CleanCache, 1, Syntax::At, vec![CacheKind::Build]),
                _ => (Operation::Other, 1, Syntax::At, vec![]),
            },
            Manager::Gem => match sub(0) {
                "install" | "i" => (Operation::Install, 1, Syntax::Colon, vec![]),
                "uninstall" => (Operation::Remove, 1, Syntax::Colon, vec![]),
                "update" => (Operation::Upgrade, 1, Syntax::Colon, vec![]),
                "cleanup" => (Operation::Remove, 1, Syntax::Colon, vec![]),
                "fetch" => (Operation::Download, 1, Syntax::Colon, vec![]),
                _ => (Operation::Other, 1, Syntax::Colon, vec![]),
            },
            Manager::Bundle => match sub(0) {
                "" | "install" => (Operation::Install, 1, Syntax::Colon, vec![]),
                "update" => (Operation::Upgrade, 1, Syntax::Colon, vec![]),
                "clean" => (
                    Operation::CleanCache,
                    1,
                    Syntax::Colon,
                    vec![CacheKind::Packages],
                ),
                "cache" | "package" => (Operation::Download, 1, Syntax::Colon, vec![]),
                _ => (Operation::Other, 1, Syntax::Colon, vec![]),
            },
            Manager::Composer => match sub(0) {
                "install" | "require" | "i" => (Operation::Install, 1, Syntax::Colon, vec![]),
                "remove" => (Operation::Remove, 1, Syntax::Colon, vec![]),
                "update" | "upgrade" | "u" => (Operation::Upgrade, 1, Syntax::Colon, vec![]),
                "clear-cache" | "clearcache" | "cc" => (
                    Operation::CleanCache,
                    1,
                    Syntax::Colon,
                    vec![CacheKind::Packages],
                ),
                _ => (Operation::Other, 1, Syntax::Colon, vec![]),
            },
            Manager::Maven | Manager::Gradle => {
                let goals: Vec<&str> = pos.iter().filter_map(|w| w.literal()).collect();
                let build = [
                    "package",
                    "install",
                    "verify",
                    "compile",
                    "build",
                    "assemble",
                    "jar",
                    "bootJar",
                    "shadowJar",
                    "deploy",
                    "installDist",
                ];
                let op = if goals.iter().any(|g| build.contains(g)) {
                    Operation::Build
                } else if goals.iter().any(|g| {
                    g.starts_with("dependency:") || *g == "dependencies" || *g == "resolve"
                }) {
                    Operation::Download
                } else if goals.contains(&"clean") {
                    Operation::CleanCache
                } else {
                    Operation::Other
                };
                (op, pos.len(), Syntax::Url, vec![CacheKind::Build])
            }
            Manager::Curl | Manager::Wget => (Operation::Download, 0, Syntax::Url, vec![]),
            Manager::Git => match sub(0) {
                "clone" | "fetch" | "pull" | "submodule" => {
                    (Operation::Download, 1, Syntax::Url, vec![])
                }
                _ => (Operation::Other, 1, Syntax::Url, vec![]),
            },
        };
    let depth = depth.min(pos.len());
    let (subwords, package_words) = pos.split_at(depth);
    let mut packages: Vec<_> = package_words.iter().map(|w| package(w, syntax)).collect();
    // Flags that carry the version for every package (`cargo install x --version 1`).
    if let Some(v) = scanned
        .flags
        .iter()
        .find(|f| matches!(f.name.as_str(), "--version" | "-v") && f.value.is_some())
        .and_then(|f| f.value.clone())
    {
        if matches!(manager, Manager::Cargo | Manager::Gem) {
            for p in packages.iter_mut().filter(|p| p.version.is_none()) {
                p.pin = super::args::classify("=", &v);
                p.operator = Some("--version".into());
                p.version = Some(v.clone());
            }
        }
    }
    if matches!(manager, Manager::Maven | Manager::Gradle) {
        packages.clear();
    }
    if manager == Manager::Git {
        if let Some(branch) = scanned
            .flags
            .iter()
            .find(|f| f.meaning == Some(Meaning::Branch))
            .and_then(|f| f.value.clone())
        {
            for p in packages.iter_mut().take(1) {
                p.pin = super::args::classify("=", &branch);
                p.operator = Some("--branch".into());
                p.version = Some(branch.clone());
            }
        }
    }
    // New flags go after the subcommand, or after the program (`pip` of `python -m pip`).
    let program_end = rest
        .len()
        .checked_sub(args.len() + 1)
        .and_then(|i| rest.get(i))
        .map_or(first.span.end, |w| w.span.end);
    let insert_at = subwords
        .last()
        .map_or(program_end, |w| w.span.end)
        .max(program_end);
    let cleared = if operation == Operation::CleanCache {
        super::cache::default_paths(manager, &kinds)
    } else {
        Vec::new()
    };
    Some(PkgOp {
        manager,
        operation,
        subcommand: subwords.iter().map(|w| w.raw_or_literal()).collect(),
        packages,
        flags: scanned.flags,
        cleared,
        cleared_kinds: if operation == Operation::CleanCache {
            kinds
        } else {
            Vec::new()
        },
        node,
        span,
        insert_at,
    })
}

/// pip's subcommands; `base` counts the words before them (`uv pip install` has one).
fn pip_like(s0: &str, s1: &str, base: usize) -> (Operation, usize, Syntax, Vec<CacheKind>) {
    match (s0, s1) {
        ("install" | "sync", _) => (Operation::Install, base + 1, Syntax::Python, vec![]),
        ("uninstall", _) => (Operation::Remove, base + 1, Syntax::Python, vec![]),
        ("download", _) => (Operation::Download, base + 1, Syntax::Python, vec![]),
        ("wheel", _) => (Operation::Build, base + 1, Syntax::Python, vec![]),
        ("cache", "purge" | "remove") => (
            Operation::CleanCache,
            base + 2,
            Syntax::Python,
            vec![CacheKind::Packages],
        ),
        _ => (Operation::Other, base + 1, Syntax::Python, vec![]),
    }
}

fn js_like(
    manager: Manager,
    s0: &str,
    s1: &str,
    s2: &str,
) -> (Operation, usize, Syntax, Vec<CacheKind>) {
    let clean = vec![CacheKind::Packages];
    match (manager, s0, s1, s2) {
        (Manager::Yarn, "", _, _) => (Operation::Install, 0, Syntax::At, vec![]),
        (Manager::Yarn, "global", "add", _) => (Operation::Install, 2, Syntax::At, vec![]),
        (Manager::Yarn, "global", "remove", _) => (Operation::Remove, 2, Syntax::At, vec![]),
        (Manager::Bun, "pm", "cache", "rm") => (Operation::CleanCache, 3, Syntax::At, clean),
        (Manager::Pnpm, "store", "prune", _) => (Operation::CleanCache, 2, Syntax::At, clean),
        (_, "cache", "clean" | "clear" | "rm", _) => (Operation::CleanCache, 2, Syntax::At, clean),
        (_, "install" | "i" | "ci" | "add" | "isntall" | "in", _, _) => {
            (Operation::Install, 1, Syntax::At, vec![])
        }
        (_, "uninstall" | "remove" | "rm" | "un" | "r" | "prune", _, _) => {
            (Operation::Remove, 1, Syntax::At, vec![])
        }
        (_, "update" | "up" | "upgrade", _, _) => (Operation::Upgrade, 1, Syntax::At, vec![]),
        (Manager::Pnpm, "fetch", _, _) => (Operation::Download, 1, Syntax::At, vec![]),
        (_, "run", "build", _) | (_, "build", _, _) => (Operation::Build, 2, Syntax::At, vec![]),
        _ => (Operation::Other, 1, Syntax::At, vec![]),
    }
}

fn flag_rules(manager: Manager) -> FlagRules {
    match manager {
        Manager::AptGet | Manager::Apt => FlagRules {
            with_value: &[
                "-o",
                "--option",
                "-t",
                "--target-release",
                "-c",
                "--config-file",
            ],
            meaning: apt_meaning,
        },
        Manager::Apk => FlagRules {
            with_value: &[
                "-X",
                "--repository",
                "-p",
                "--root",
                "--cache-dir",
                "-t",
                "--virtual",
            ],
            meaning: apk_meaning,
        },
        Manager::Dnf | Manager::Yum | Manager::Microdnf => FlagRules {
            with_value: &[
                "--setopt",
                "--enablerepo",
                "--disablerepo",
                "--installroot",
                "--releasever",
                "-x",
                "--exclude",
                "--repo",
                "--repofrompath",
                "--config",
                "-c",
            ],
            meaning: rpm_meaning,
        },
        Manager::Zypper => FlagRules {
            with_value: &["-r", "--repo", "--root", "-R"],
            meaning: rpm_meaning,
        },
        Manager::Pip | Manager::Uv | Manager::Pipx | Manager::Poetry => FlagRules {
            with_value: &[
                "-r",
                "--requirement",
                "-c",
                "--constraint",
                "-e",
                "--editable",
                "-i",
                "--index-url",
                "--extra-index-url",
                "--default-index",
                "--index",
                "--trusted-host",
                "--cache-dir",
                "-t",
                "--target",
                "--prefix",
                "--root",
                "--retries",
                "--timeout",
                "-f",
                "--find-links",
                "--python",
                "-p",
                "--only",
                "--with",
                "--without",
                "--extra",
                "--group",
                "--no-binary",
                "--only-binary",
                "--platform",
                "--python-version",
                "--implementation",
                "--abi",
                "--src",
                "-d",
                "--dest",
                "-w",
                "--wheel-dir",
                "--progress-bar",
                "--log",
                "--proxy",
                "--cert",
                "--directory",
                "--project",
                "--package",
                "--suffix",
                "--pip-args",
                "--spec",
                "--index-strategy",
                "--link-mode",
                "--compile-bytecode-flag",
                "--python-platform",
                "--exclude-newer",
                "--directory",
                "-C",
            ],
            meaning: python_meaning,
        },
        Manager::Npm | Manager::Yarn | Manager::Pnpm | Manager::Bun => FlagRules {
            with_value: &[
                "--registry",
                "--cache",
                "--prefix",
                "--omit",
                "--include",
                "--cache-folder",
                "--store-dir",
                "--filter",
                "-F",
                "--modules-folder",
                "--network-timeout",
                "--mutex",
                "--fetch-retries",
                "--loglevel",
                "-C",
                "--dir",
                "--cwd",
            ],
            meaning: js_meaning,
        },
        Manager::Go => FlagRules {
            with_value: &[
                "-o",
                "-ldflags",
                "-tags",
                "-gcflags",
                "-mod",
                "-C",
                "-p",
                "-trimpath=",
            ],
            meaning: go_meaning,
        },
        Manager::Cargo => FlagRules {
            with_value: &[
                "--version",
                "--root",
                "--target",
                "--target-dir",
                "--features",
                "-F",
                "-p",
                "--package",
                "--bin",
                "--git",
                "--branch",
                "--tag",
                "--rev",
                "--path",
                "--profile",
                "-j",
                "--jobs",
                "--manifest-path",
                "--registry",
                "--index",
                "--config",
                "-Z",
            ],
            meaning: cargo_meaning,
        },
        Manager::Gem | Manager::Bundle | Manager::Composer => FlagRules {
            with_value: &[
                "-v",
                "--version",
                "--source",
                "-i",
                "--install-dir",
                "--bindir",
                "--without",
                "--with",
                "--path",
                "--jobs",
                "-j",
                "--retry",
                "--working-dir",
                "-d",
                "--platform",
            ],
            meaning: ruby_php_meaning,
        },
        Manager::Maven | Manager::Gradle => FlagRules {
            with_value: &[
                "-f",
                "--file",
                "-s",
                "--settings",
                "-P",
                "-pl",
                "--projects",
                "-T",
                "-b",
                "-p",
                "--project-dir",
                "-x",
                "--exclude-task",
            ],
            meaning: jvm_meaning,
        },
        Manager::Curl => FlagRules {
            with_value: &[
                "-o",
                "--output",
                "--retry",
                "--retry-delay",
                "--retry-max-time",
                "-H",
                "--header",
                "-u",
                "--user",
                "-X",
                "--request",
                "-d",
                "--data",
                "--data-raw",
                "--data-binary",
                "-A",
                "--user-agent",
                "-m",
                "--max-time",
                "--connect-timeout",
                "-w",
                "--write-out",
                "--proto",
                "--cacert",
                "-e",
                "--referer",
                "-x",
                "--proxy",
                "-C",
                "--continue-at",
                "-T",
                "--upload-file",
                "--output-dir",
                "-b",
                "--cookie",
                "-c",
                "--cookie-jar",
                "-r",
                "--range",
                "-F",
                "--form",
                "--url",
                "-z",
                "--time-cond",
                "--limit-rate",
                "--tlsv1.2",
            ],
            meaning: curl_meaning,
        },
        Manager::Wget => FlagRules {
            with_value: &[
                "-O",
                "--output-document",
                "-t",
                "--tries",
                "-P",
                "--directory-prefix",
                "-T",
                "--timeout",
                "--header",
                "-U",
                "--user-agent",
                "-o",
                "--output-file",
                "-a",
                "--append-output",
                "-w",
                "--wait",
                "--user",
                "--password",
                "-e",
                "--execute",
            ],
            meaning: wget_meaning,
        },
        Manager::Git => FlagRules {
            with_value: &[
                "--depth",
                "-b",
                "--branch",
                "-c",
                "--config",
                "-C",
                "--origin",
                "-o",
                "--reference",
                "--filter",
                "-j",
                "--jobs",
                "--shallow-since",
                "--separate-git-dir",
            ],
            meaning: git_meaning,
        },
    }
}

fn common(name: &str) -> Option<Meaning> {
    Some(match name {
        "-y" | "--yes" | "--assume-yes" | "--assumeyes" => Meaning::Yes,
        "-q" | "--quiet" | "--silent" => Meaning::Quiet,
        _ => return None,
    })
}

fn apt_meaning(name: &str, value: Option<&str>) -> Option<Meaning> {
    Some(match (name, value) {
        ("--no-install-recommends", _) => Meaning::NoInstallRecommends,
        ("-qq" | "-q=2", _) => Meaning::Yes,
        ("--quiet", Some("2")) | ("-q", Some("2")) => Meaning::Yes,
        ("--force-yes" | "--allow-unauthenticated" | "--allow-insecure-repositories", _) => {
            Meaning::AllowUntrusted
        }
        ("-o" | "--option", Some(v)) => {
            let key = v.split('=').next().unwrap_or(v).to_ascii_lowercase();
            match key.as_str() {
                "acquire::retries" => Meaning::Retries,
                "apt::install-recommends" if v.ends_with("=false") || v.ends_with("=0") => {
                    Meaning::NoInstallRecommends
                }
                "apt::get::assume-yes" => Meaning::Yes,
                "acquire::allowinsecurerepositories" | "apt::get::allowunauthenticated" => {
                    Meaning::AllowUntrusted
                }
                "acquire::check-valid-until" => return None,
                _ => return None,
            }
        }
        ("-t" | "--target-release", _) => return None,
        _ => return common(name),
    })
}

fn apk_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "--no-cache" => Meaning::NoCache,
        "--allow-untrusted" => Meaning::AllowUntrusted,
        "--cache-dir" => Meaning::CacheDir,
        "-p" | "--root" => Meaning::Target,
        "-X" | "--repository" => Meaning::Index,
        "-q" | "--quiet" => Meaning::Quiet,
        "-U" | "--update-cache" => Meaning::Upgrade,
        _ => return None,
    })
}

fn rpm_meaning(name: &str, value: Option<&str>) -> Option<Meaning> {
    Some(match (name, value) {
        ("--nogpgcheck" | "--no-gpg-checks" | "--no-gpgcheck", _) => Meaning::NoGpgCheck,
        ("-n" | "--non-interactive" | "--no-confirm", _) => Meaning::Yes,
        ("--no-recommends", _) => Meaning::NoInstallRecommends,
        ("--setopt", Some(v)) => {
            let (k, val) = v.split_once('=').unwrap_or((v, ""));
            match k.trim() {
                "install_weak_deps"
                    if matches!(
                        val.trim().to_ascii_lowercase().as_str(),
                        "false" | "0" | "no"
                    ) =>
                {
                    Meaning::NoWeakDeps
                }
                "retries" => Meaning::Retries,
                "keepcache" => return None,
                "gpgcheck" | "localpkg_gpgcheck"
                    if matches!(val.trim(), "0" | "false" | "False") =>
                {
                    Meaning::NoGpgCheck
                }
                "tsflags" => return None,
                _ => return None,
            }
        }
        ("--installroot", _) => Meaning::Target,
        _ => return common(name),
    })
}

fn python_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "--no-cache-dir" => Meaning::NoCacheDir,
        "--no-cache" | "-n" => Meaning::NoCache,
        "--trusted-host" | "--allow-insecure-host" => Meaning::TrustedHost,
        "-r" | "--requirement" | "--requirements" => Meaning::Requirement,
        "-c" | "--constraint" => Meaning::Constraint,
        "-e" | "--editable" => Meaning::Editable,
        "--user" => Meaning::User,
        "--cache-dir" => Meaning::CacheDir,
        "-t" | "--target" | "--prefix" | "--root" => Meaning::Target,
        "-i" | "--index-url" | "--extra-index-url" | "--default-index" | "--index" => {
            Meaning::Index
        }
        "--frozen" | "--locked" | "--no-update" | "--require-hashes" => Meaning::Frozen,
        "--no-dev" | "--only" | "--without" | "--no-root" => Meaning::NoDev,
        "--retries" => Meaning::Retries,
        "--break-system-packages" => Meaning::BreakSystemPackages,
        "--no-deps" => Meaning::NoDeps,
        "-U" | "--upgrade" => Meaning::Upgrade,
        "--system" => Meaning::Global,
        "-q" | "--quiet" => Meaning::Quiet,
        "--no-interaction" => Meaning::Yes,
        _ => return None,
    })
}

fn js_meaning(name: &str, value: Option<&str>) -> Option<Meaning> {
    Some(match (name, value) {
        ("-g" | "--global", _) => Meaning::Global,
        ("--frozen-lockfile" | "--immutable" | "--frozen" | "--pure-lockfile", _) => {
            Meaning::Frozen
        }
        ("--production" | "--prod" | "-P", _) => Meaning::NoDev,
        ("--omit", Some("dev")) | ("--only", Some("prod" | "production")) => Meaning::NoDev,
        ("--registry", _) => Meaning::Index,
        ("--cache" | "--cache-folder" | "--store-dir", _) => Meaning::CacheDir,
        ("--prefix", _) => Meaning::Target,
        ("--fetch-retries", _) => Meaning::Retries,
        ("--no-cache", _) => Meaning::NoCache,
        ("-y" | "--yes", _) => Meaning::Yes,
        ("-s" | "--silent" | "-q" | "--quiet", _) => Meaning::Quiet,
        _ => return None,
    })
}

fn go_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "-insecure" => Meaning::Insecure,
        "-o" => Meaning::Output,
        "-cache" | "-modcache" | "-testcache" | "-fuzzcache" => Meaning::CacheDir,
        _ => return None,
    })
}

fn cargo_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "--locked" | "--frozen" => Meaning::Frozen,
        "--offline" => Meaning::Frozen,
        "-r" | "--release" => Meaning::Release,
        "--root" => Meaning::Target,
        "--target-dir" => Meaning::Output,
        "--registry" | "--index" => Meaning::Index,
        "-q" | "--quiet" => Meaning::Quiet,
        _ => return None,
    })
}

fn ruby_php_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "--no-document" | "--no-doc" | "--no-ri" | "--no-rdoc" => return None,
        "--frozen" | "--deployment" | "--locked" => Meaning::Frozen,
        "--without" | "--no-dev" => Meaning::NoDev,
        "--retry" => Meaning::Retries,
        "-i" | "--install-dir" | "--path" => Meaning::Target,
        "--source" => Meaning::Index,
        "-n" | "--no-interaction" => Meaning::Yes,
        "--user-install" => Meaning::User,
        "-q" | "--quiet" => Meaning::Quiet,
        _ => return None,
    })
}

fn jvm_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "-o" | "--offline" => Meaning::Frozen,
        "-q" | "--quiet" | "-B" | "--batch-mode" => Meaning::Quiet,
        _ => return None,
    })
}

fn curl_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "-k" | "--insecure" => Meaning::Insecure,
        "--retry" | "--retry-all-errors" | "--retry-connrefused" => Meaning::Retries,
        "-o" | "--output" | "-O" | "--remote-name" => Meaning::Output,
        "-f" | "--fail" | "--fail-with-body" => Meaning::Fail,
        "-L" | "--location" => Meaning::FollowRedirects,
        "-s" | "--silent" => Meaning::Quiet,
        _ => return None,
    })
}

fn wget_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "--no-check-certificate" => Meaning::Insecure,
        "-t" | "--tries" | "--retry-connrefused" => Meaning::Retries,
        "-O" | "--output-document" | "-P" | "--directory-prefix" => Meaning::Output,
        "-q" | "--quiet" | "-nv" | "--no-verbose" => Meaning::Quiet,
        _ => return None,
    })
}

fn git_meaning(name: &str, _value: Option<&str>) -> Option<Meaning> {
    Some(match name {
        "--depth" => Meaning::Depth,
        "-b" | "--branch" => Meaning::Branch,
        "-q" | "--quiet" => Meaning::Quiet,
        _ => return None,
    })
}
