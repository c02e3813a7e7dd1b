use crate::helpers::style::{args_after, commands_named};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `apt` (the interactive front end) in a `RUN`, where scripts should use
    /// `apt-get` (installing, removing, updating) or `apt-cache` (searching, showing).
    ///
    /// ## Why it matters
    /// `apt` is meant for people at a terminal: its command-line interface is not kept
    /// stable between releases (it warns so on every run), it draws progress bars into the
    /// build log, and its defaults may change with the base image's Debian or Ubuntu
    /// release. `apt-get` keeps its behaviour for scripts.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt install curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get install curl=7.88.1-10+deb12u5
    /// ```
    ///
    /// ## Fix safety
    /// Safe for the subcommands that mean the same in `apt-get` (`install`, `remove`,
    /// `purge`, `autoremove`, `update`, `clean`, `autoclean`, `source`, `build-dep`,
    /// `download`, `changelog`, `satisfy`, `reinstall`): `apt` becomes `apt-get`. Unsafe for
    /// `upgrade` (`apt upgrade` may install new packages, `apt-get upgrade` never does) and
    /// for `full-upgrade` (becomes `apt-get dist-upgrade`), and whenever the command uses
    /// an option `apt-get` may not have (`apt install --update`). No fix for the query
    /// subcommands (`search`, `show`, `list`...): `apt-cache` prints them differently.
    pub struct AptInsteadOfAptGet {
        name: "apt-instead-of-apt-get",
        group: Correctness,
        level: Warning,
        aliases: ["DL3027", "CKV_DOCKER_9"],
        fix: Safe,
        summary: "`apt` in a script, where `apt-get` is meant",
    }
}

/// `apt` options that take a value in the next word.
const VALUE_OPTIONS: &[&str] = &[
    "-o",
    "-c",
    "-t",
    "--option",
    "--config-file",
    "--target-release",
];

/// Options `apt-get` understands the same way; any other option (`apt install --update`,
/// `--snapshot`...) may be `apt`'s own, so the fix is then unsafe.
const APT_GET_OPTIONS: &[&str] = &[
    "-y",
    "--yes",
    "--assume-yes",
    "-q",
    "-qq",
    "--quiet",
    "-o",
    "--option",
    "-c",
    "--config-file",
    "-t",
    "--target-release",
    "--no-install-recommends",
    "--install-recommends",
    "--no-install-suggests",
    "--install-suggests",
    "-f",
    "--fix-broken",
    "-m",
    "--fix-missing",
    "--ignore-missing",
    "--allow-downgrades",
    "--allow-remove-essential",
    "--allow-change-held-packages",
    "--reinstall",
    "--purge",
    "--auto-remove",
    "--autoremove",
    "--no-upgrade",
    "--only-upgrade",
    "-d",
    "--download-only",
    "-s",
    "--simulate",
    "--dry-run",
    "--no-download",
    "-V",
    "--verbose-versions",
    "--print-uris",
    "--no-remove",
    "-u",
    "--show-upgraded",
    "--with-new-pkgs",
    "-yq",
    "-qy",
    "--allow-unauthenticated",
];

impl Check for AptInsteadOfAptGet {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for named in commands_named(ctx, &["apt"]) {
            let args = args_after(&named.command, named.program);
            let mut sub = None;
            let mut words = args.iter();
            while let Some(word) = words.next() {
                let Some(text) = word.literal() else {
                    break;
                };
                if VALUE_OPTIONS.contains(&text) {
                    words.next();
                    continue;
                }
                if text.starts_with('-') {
                    continue;
                }
                sub = Some((text, *word));
                break;
            }
            let Some((sub, sub_word)) = sub else {
                continue;
            };
            let own_options: Vec<&str> = args
                .iter()
                .filter_map(|w| w.literal())
                .filter(|l| l.starts_with('-'))
                .map(|l| l.split('=').next().unwrap_or(l))
                .filter(|l| !APT_GET_OPTIONS.contains(l))
                .collect();
            let script = named.script;
            let program_end = script.file_range(named.program.span).end;
            let fix = match sub {
                "install" | "remove" | "purge" | "autoremove" | "update" | "clean"
                | "autoclean" | "source" | "build-dep" | "download" | "changelog" | "satisfy"
                | "reinstall" => Some(Fix {
                    safety: FixSafety::Safe,
                    description: "use `apt-get`".to_string(),
                    edits: vec![Edit::insert(program_end, "-get")],
                }),
                "upgrade" => Some(Fix {
                    safety: FixSafety::Unsafe,
                    description: "use `apt-get upgrade` (it never installs new packages)"
                        .to_string(),
                    edits: vec![Edit::insert(program_end, "-get")],
                }),
                "full-upgrade" => Some(Fix {
                    safety: FixSafety::Unsafe,
                    description: "use `apt-get dist-upgrade`".to_string(),
                    edits: vec![
                        Edit::insert(program_end, "-get"),
                        Edit::replace(script.file_range(sub_word.span), "dist-upgrade"),
                    ],
                }),
                _ => None,
            };
            let fix = fix.map(|mut f| {
                if !own_options.is_empty() {
                    f.safety = FixSafety::Unsafe;
                    f.description = format!(
                        "{} (check that `apt-get` accepts {})",
                        f.description,
                        own_options
                            .iter()
                            .map(|o| format!("`{o}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                f
            });
            let tool = match sub {
                "search" | "show" | "showsrc" | "policy" | "depends" | "rdepends" => "apt-cache",
                "list" => "dpkg-query",
                _ => "apt-get",
            };
            let span = named.program.span.cover(sub_word.span);
            let finding = out.report(
                script.file_range(span),
                format!(
                    "`apt {sub}` in a script: `apt` is the interactive front end, without a stable \
                     command-line interface"
                ),
            );
            finding.help(format!("use `{tool}`"));
            if let Some(fix) = fix {
                finding.fix(fix);
            }
        }
    }
}
