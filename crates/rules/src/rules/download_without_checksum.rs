use dockopt_shell::CommandRef;

use crate::helpers::security::{
    base_name, downloads, is_extractor, piped_into, runs_from, runs_stdin, unwrapped_words, use_of,
    verifies, Download, Output, Use,
};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a file fetched with `curl` or `wget` and then run, installed, made
    /// executable or unpacked (`| tar x`, `tar xf`, `unzip`, `dpkg -i`, `sh ./install.sh`,
    /// `chmod +x`, running it by its path) with no checksum or signature check
    /// (`sha256sum -c`, `gpg --verify`, `cosign verify-blob`, `minisign -V`...) in the same
    /// `RUN`; also a download whose file is used by a later `RUN` of the stage with no check
    /// in between, and `ADD <url>` without `--checksum` (unless a later `RUN` of the stage
    /// checks it). Piping a download into a shell is `curl-pipe-shell`'s finding, not this
    /// one's; `ADD` of a git repository is not reported.
    ///
    /// ## Why it matters
    /// Without a pinned digest the build trusts whatever the server sends on that day: a
    /// compromised release page, a re-tagged version or a corrupted transfer goes into the
    /// image unnoticed, and two builds of the same Dockerfile can hold different binaries.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN curl -fsSL -o /tmp/tool.tar.gz https://example.com/tool-1.2.3.tar.gz \
    ///     && tar -xzf /tmp/tool.tar.gz -C /usr/local/bin
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// ADD --checksum=sha256:0f3c9a3e2b7d4c1e8f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e \
    ///     https://example.com/tool-1.2.3.tar.gz /tmp/tool.tar.gz
    /// RUN tar -xzf /tmp/tool.tar.gz -C /usr/local/bin && rm /tmp/tool.tar.gz
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the digest has to come from the publisher, not from whatever the
    /// server returns today.
    pub struct DownloadWithoutChecksum {
        name: "download-without-checksum",
        group: Security,
        level: Warning,
        aliases: [],
        fix: None,
        summary: "A download is run, installed or unpacked without a checksum check",
    }
}

const HELP: &str = "pin the digest: `ADD --checksum=sha256:<digest> <url> <dest>`, or check the file with `sha256sum -c` (or `gpg --verify`) before using it";

impl Check for DownloadWithoutChecksum {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        check_add(ctx, out);
        for (id, _) in ctx.instructions_of(InstructionKind::Run) {
            let scripts = ctx.scripts(id);
            if scripts.iter().any(|s| verifies(&s.script)) {
                continue;
            }
            for (index, script) in scripts.iter().enumerate() {
                for download in downloads(script) {
                    let Some(found) = first_use(ctx, id, index, &download) else {
                        continue;
                    };
                    let what = match &download.output {
                        Output::File(name) => format!("`{}` downloads `{name}`", download.tool),
                        _ => format!(
                            "`{}` pipes a download into `{}`, which",
                            download.tool, found.program
                        ),
                    };
                    let place = if found.later_run {
                        "with no checksum or signature check in between"
                    } else {
                        "with no checksum or signature check in the same RUN"
                    };
                    out.report(
                        script.file_range(download.command.span()),
                        match &download.output {
                            Output::File(_) => format!(
                                "{what} and `{}` {} {place}",
                                found.program,
                                found.usage.phrase()
                            ),
                            _ => format!("{what} {} {place}", found.usage.phrase()),
                        },
                    )
                    .help(HELP);
                }
            }
        }
    }
}

/// The first use of a download.
struct Found {
    usage: Use,
    program: String,
    /// Used by a later `RUN` than the one that downloads.
    later_run: bool,
}

fn program_of(command: &CommandRef<'_>) -> String {
    unwrapped_words(command.command())
        .first()
        .map(|w| {
            w.literal()
                .map_or_else(|| w.raw.clone(), |l| base_name(l).to_string())
        })
        .unwrap_or_default()
}

/// How the download is first used: by the command it is piped into, or by a later command
/// naming the file it was saved as (in this script, a later script of the `RUN`, or a later
/// `RUN` of the stage until one of them checks a checksum).
fn first_use(
    ctx: &Context<'_>,
    id: InstructionId,
    script_index: usize,
    download: &Download<'_>,
) -> Option<Found> {
    match &download.output {
        Output::Stdout => {
            let piped = piped_into(download.command.script(), &download.command);
            // A pipe into a shell is `curl-pipe-shell`'s finding.
            if piped
                .iter()
                .any(|c| runs_stdin(&unwrapped_words(c.command())))
            {
                return None;
            }
            piped.iter().find_map(|c| {
                let program = program_of(c);
                is_extractor(&program).then_some(Found {
                    usage: Use::Extract,
                    program,
                    later_run: false,
                })
            })
        }
        Output::File(name) => {
            let scripts = ctx.scripts(id);
            let this = scripts.get(script_index)?;
            // Commands after the download in this script, then in the RUN's later scripts.
            let in_run = this
                .script
                .commands()
                .skip_while(|c| c.id() != download.command.id())
                .skip(1)
                .chain(
                    scripts
                        .iter()
                        .skip(script_index + 1)
                        .flat_map(|s| s.script.commands()),
                )
                .find_map(|c| found(&c, name, false));
            if in_run.is_some() {
                return in_run;
            }
            for later in runs_from(ctx, id).into_iter().skip(1) {
                let scripts = ctx.scripts(later);
                if scripts.iter().any(|s| verifies(&s.script)) {
                    return None;
                }
                let used = scripts
                    .iter()
                    .flat_map(|s| s.script.commands())
                    .find_map(|c| found(&c, name, true));
                if used.is_some() {
                    return used;
                }
            }
            None
        }
        Output::Unknown => None,
    }
}

fn found(command: &CommandRef<'_>, name: &str, later_run: bool) -> Option<Found> {
    let usage = use_of(command.command(), name)?;
    Some(Found {
        usage,
        program: program_of(command),
        later_run,
    })
}

/// `ADD <url>` without `--checksum`, unless a later `RUN` of the stage checks a checksum.
fn check_add(ctx: &Context<'_>, out: &mut Findings) {
    for (id, instruction) in ctx.instructions_of(InstructionKind::Add) {
        let Some(args) = instruction.copy_args() else {
            continue;
        };
        if args.flags.checksum.is_some() {
            continue;
        }
        for source in &args.sources {
            let value = source.value.trim_matches(['"', '\'']);
            let lower = value.to_ascii_lowercase();
            let is_http = lower.starts_with("http://") || lower.starts_with("https://");
            let path = lower.split(['?', '#']).next().unwrap_or(&lower);
            let is_git = path.ends_with(".git") || lower.starts_with("git@");
            if !is_http || is_git {
                continue;
            }
            let checked_later = runs_from(ctx, id)
                .into_iter()
                .any(|run| ctx.scripts(run).iter().any(|s| verifies(&s.script)));
            if checked_later {
                continue;
            }
            let range = usize::from(source.range.start())..usize::from(source.range.end());
            let name = crate::helpers::security::file_name_of(value)
                .map_or_else(|| value.to_string(), str::to_string);
            out.report(
                range,
                format!(
                    "`ADD` fetches `{name}` without `--checksum`: the download is not verified"
                ),
            )
            .help("add `--checksum=sha256:<digest>` with the digest the publisher gives");
        }
    }
}
