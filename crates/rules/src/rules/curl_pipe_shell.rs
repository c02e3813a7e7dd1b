use dockopt_shell::{CommandRef, Script};

use crate::helpers::security::{
    downloads, is_shell, piped_into, runs_stdin, substituted_into, unwrapped_words, Output,
};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a script downloaded with `curl` or `wget` and run straight away by a shell or
    /// an interpreter: `curl -fsSL URL | sh`, `wget -qO- URL | sudo bash -s -- -y`,
    /// `curl URL | python3 -`, `sh -c "$(curl -fsSL URL)"`, `bash <(curl -s URL)`.
    /// A pipe into a command that reads the download as data (`| tar x`, `| gpg --dearmor`,
    /// `| python3 -c '...'`) is not reported here.
    ///
    /// ## Why it matters
    /// The build runs, usually as root, whatever the server returns at that moment: a
    /// compromised or hijacked host, a changed installer, or a truncated download (the
    /// shell runs the half it got) all end up in the image, and the next build may run
    /// something else. Nothing records which script ran.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN curl -fsSL https://sh.rustup.rs | sh -s -- -y
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// ADD --checksum=sha256:6aeece6993e902708983b209d04c0d1dbb14ebb405ddb87def578d41f920f56d \
    ///     https://static.rust-lang.org/rustup/archive/1.27.1/x86_64-unknown-linux-gnu/rustup-init /tmp/rustup-init
    /// RUN chmod +x /tmp/rustup-init && /tmp/rustup-init -y --default-toolchain 1.83.0
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the pinned URL and its digest have to come from the publisher.
    pub struct CurlPipeShell {
        name: "curl-pipe-shell",
        group: Security,
        level: Warning,
        aliases: [],
        fix: None,
        summary: "A downloaded script is piped straight into a shell",
    }
}

const HELP: &str = "download a pinned version to a file, check it (`ADD --checksum=sha256:...` or `sha256sum -c`), then run it";

impl Check for CurlPipeShell {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, script) in ctx.all_scripts() {
            for download in downloads(script) {
                if download.output != Output::Stdout {
                    continue;
                }
                let tree = &script.script;
                let piped_shell = piped_into(tree, &download.command)
                    .into_iter()
                    .find(|c| runs_stdin(&unwrapped_words(c.command())));
                if let Some(shell) = piped_shell {
                    let name = program_name(&shell);
                    out.report(
                        script.file_range(download.command.span().cover(shell.span())),
                        format!(
                            "`{}` output is piped into `{name}`: a script from the network runs unchecked",
                            download.tool
                        ),
                    )
                    .help(HELP);
                    continue;
                }
                if let Some(holder) = runs_substitution(tree, &download.command) {
                    let name = program_name(&holder);
                    out.report(
                        script.file_range(holder.span()),
                        format!(
                            "`{name}` runs the output of `{}`: a script from the network runs unchecked",
                            download.tool
                        ),
                    )
                    .help(HELP);
                }
            }
        }
    }
}

fn program_name<'a>(command: &CommandRef<'a>) -> &'a str {
    unwrapped_words(command.command())
        .first()
        .and_then(|w| w.literal())
        .map_or("sh", |n| n.rsplit('/').next().unwrap_or(n))
}

/// The command that runs a download given to it by substitution: `sh -c "$(curl ...)"`,
/// `eval "$(curl ...)"`, `bash <(curl ...)`, `source <(curl ...)`.
fn runs_substitution<'s>(script: &'s Script, download: &CommandRef<'s>) -> Option<CommandRef<'s>> {
    let (holder, is_process) = substituted_into(script, download.id())?;
    let holder = script.command_ref(holder)?;
    let words = unwrapped_words(holder.command());
    let program = words.first()?.literal()?.rsplit('/').next()?;
    let index = words
        .iter()
        .position(|w| w.span.contains(download.span()))?;
    let previous = index
        .checked_sub(1)
        .and_then(|i| words.get(i))
        .and_then(|w| w.literal())
        .unwrap_or("");
    let runs = match program {
        "eval" => true,
        "source" | "." => is_process,
        _ if is_process => {
            // `bash <(curl ...)`: the substitution is the script operand.
            crate::helpers::security::runs_scripts(program)
                && words
                    .iter()
                    .skip(1)
                    .find(|w| w.literal().is_none_or(|l| !l.starts_with('-')))
                    .is_some_and(|w| w.span.contains(download.span()))
        }
        // `sh -c "$(curl ...)"`, `python3 -c "$(curl ...)"`.
        _ if is_shell(program) => previous.starts_with('-') && previous.contains('c'),
        _ => {
            crate::helpers::security::runs_scripts(program)
                && matches!(previous, "-c" | "-e" | "-E" | "--eval" | "-r")
        }
    };
    runs.then_some(holder)
}
