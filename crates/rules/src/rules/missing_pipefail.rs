use std::collections::BTreeMap;

use crate::helpers::reliability::{image_sh, stage_image, ImageSh};
use crate::helpers::speed::line_start;
use crate::prelude::*;
use dockopt_shell::{NodeId, NodeKind, Script, ShellOptions};

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` with a pipe (`curl ... | tar x`) when `pipefail` is not set,
    /// neither by `SHELL` (`SHELL ["/bin/bash", "-o", "pipefail", "-c"]`) nor by
    /// `set -o pipefail` in the script (DL4006).
    ///
    /// The remedy depends on the shell, worked out from `SHELL` and the base image: bash,
    /// zsh, ksh and busybox ash understand `set -o pipefail`, and so does `/bin/sh` on
    /// Alpine and Wolfi (busybox), on Fedora and RHEL-like images (bash) and on Debian 13
    /// (trixie) and Ubuntu 25.04 on (dash 0.5.12-7 and later). Older Debian and Ubuntu
    /// `/bin/sh` is a dash without `pipefail`, where `set -o pipefail` would fail the
    /// build: there the remedy is to run the step with bash (always installed on Debian
    /// and Ubuntu) through `SHELL`. When the image's shell cannot be told, the finding
    /// names both remedies and offers no fix. Windows and shell-less images are not
    /// checked. Pipes fed only by commands that cannot really fail (`echo`, `printf`,
    /// `uname`...) are ignored, since `pipefail` changes nothing there, and so are pipes
    /// in an `if`/`while` condition, whose status is a test.
    ///
    /// ## Why it matters
    /// A pipeline's status is its last command's: when `curl` fails (a 404, a network
    /// error) `tar` reads nothing, may still exit 0, and the layer is cached without the
    /// tool. The build breaks later, or the image ships broken.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN wget -qO- https://example.com/tool.tar.gz | tar xz -C /usr/local/bin
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN set -o pipefail && wget -qO- https://example.com/tool.tar.gz | tar xz -C /usr/local/bin
    /// ```
    ///
    /// On a Debian or Ubuntu image whose dash may lack `pipefail`, the fix inserts
    /// `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the stage's first reported
    /// `RUN`.
    ///
    /// ## Fix safety
    /// Safe: `set -o pipefail &&` is put in front of the script (or as the first line of
    /// a heredoc body). When a pipe ends in a reader that may stop early (`head`,
    /// `grep -q`) or starts with `yes`, the writer can die of SIGPIPE and `pipefail`
    /// would turn that into a failure, so the fix is offered as unsafe there. The `SHELL`
    /// fix is unsafe: every later step of the stage (and of the stages built on it) then
    /// runs under bash instead of dash, which reads some scripts differently.
    pub struct MissingPipefail {
        name: "missing-pipefail",
        group: Reliability,
        level: Warning,
        aliases: ["DL4006"],
        fix: Safe,
        summary: "A pipe in a `RUN` without `set -o pipefail`",
    }
}

impl Check for MissingPipefail {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let mut shell_lines: BTreeMap<usize, Option<(usize, String)>> = BTreeMap::new();
        for (id, instruction) in ctx.instructions_of(InstructionKind::Run) {
            let Some(state) = ctx.state(id) else {
                continue;
            };
            let shell_program = state
                .shell
                .first()
                .map(|s| s.rsplit('/').next().unwrap_or(s).to_string())
                .unwrap_or_else(|| "sh".to_string());
            let mut shell_options = ShellOptions::default();
            let shell_args: Vec<Option<&str>> = state
                .shell
                .iter()
                .skip(1)
                .map(|s| Some(s.as_str()))
                .collect();
            shell_options.apply_set(&shell_args);
            let stage = ctx.stage_of(id).map(|s| s.index);
            let image = stage.and_then(|s| stage_image(ctx, s));
            for run in ctx.scripts(id) {
                // A heredoc with its own shebang is run by that program, not by SHELL.
                let shebang = matches!(run.origin, ScriptOrigin::Heredoc(_))
                    && run.script.source().starts_with("#!");
                let run_by_shell = run.shell == shell_program && !shebang;
                let initial = if run_by_shell {
                    shell_options
                } else {
                    ShellOptions::default()
                };
                if initial.pipefail {
                    continue;
                }
                let remedy = match remedy(&run.shell, image.as_deref()) {
                    Some(Remedy::BashShell)
                        if !run_by_shell || run.origin == ScriptOrigin::ExecShell =>
                    {
                        Remedy::Unknown
                    }
                    Some(remedy) => remedy,
                    None => continue,
                };
                let Some(pipe) = unchecked_pipe(run) else {
                    continue;
                };
                // One `SHELL` line per stage, before its first reported `RUN`: the
                // fixes of a stage's findings all make the same edit.
                let shell_at = match (remedy, stage) {
                    (Remedy::BashShell, Some(stage)) => shell_lines
                        .entry(stage)
                        .or_insert_with(|| shell_line(ctx, instruction))
                        .clone(),
                    _ => None,
                };
                report(run, &pipe, remedy, shell_at.as_ref(), out);
            }
        }
    }
}

/// How a missing `pipefail` can be set for a script.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Remedy {
    /// The shell understands `set -o pipefail`.
    SetPipefail,
    /// `/bin/sh` is a dash that may not: run the step with bash instead.
    BashShell,
    /// The image's `/bin/sh` cannot be told.
    Unknown,
}

/// The remedy for a script run by `shell` in `image`; `None` when there is no POSIX shell
/// to speak of (a Windows or shell-less image, PowerShell, cmd).
fn remedy(shell: &str, image: Option<&str>) -> Option<Remedy> {
    match shell {
        "bash" | "zsh" | "ksh" | "mksh" | "ash" | "busybox" => Some(Remedy::SetPipefail),
        "sh" | "dash" => match image.map(image_sh) {
            Some(Some(ImageSh::Pipefail)) => Some(Remedy::SetPipefail),
            Some(Some(ImageSh::DashMaybeWithoutPipefail)) => Some(Remedy::BashShell),
            Some(Some(ImageSh::NoPosixShell)) => None,
            Some(None) | None => Some(Remedy::Unknown),
        },
        _ => None,
    }
}

/// The `SHELL` fix's insertion: a line of its own before the instruction, indented alike;
/// `None` when something else starts that line.
fn shell_line(ctx: &Context<'_>, instruction: &Instruction) -> Option<(usize, String)> {
    let keyword = usize::from(instruction.keyword_range().start());
    let start = line_start(ctx.source, keyword);
    let indent = ctx
        .source
        .get(start..keyword)
        .filter(|s| s.chars().all(|c| c == ' ' || c == '\t'))?;
    Some((start, format!("{indent}{BASH_PIPEFAIL}\n")))
}

const BASH_PIPEFAIL: &str = r#"SHELL ["/bin/bash", "-o", "pipefail", "-c"]"#;

/// Commands whose failure in front of a pipe is not worth a report.
fn harmless_writer(name: Option<&str>) -> bool {
    matches!(
        name,
        Some(
            "echo"
                | "printf"
                | "true"
                | ":"
                | "yes"
                | "tee"
                | "uname"
                | "arch"
                | "nproc"
                | "id"
                | "whoami"
                | "pwd"
                | "date"
                | "hostname"
                | "env"
                | "printenv"
        )
    )
}

/// The first pipe of a script whose writer can fail unnoticed.
#[derive(Debug, Clone, Copy)]
struct UncheckedPipe {
    pipe: NodeId,
    writer: NodeId,
    reader: NodeId,
    /// Whether some pipe of the script may end its writer early with SIGPIPE.
    sigpipe_risk: bool,
}

fn unchecked_pipe(run: &RunScript) -> Option<UncheckedPipe> {
    let script = &run.script;
    let mut first = None;
    let mut sigpipe_risk = false;
    for pipe in script.pipes() {
        let NodeKind::Pipeline(p) = script.kind(pipe) else {
            continue;
        };
        let Some((last, writers)) = p.commands.split_last() else {
            continue;
        };
        if writers.iter().any(|w| name(script, *w) == Some("yes")) || stops_early(script, *last) {
            sigpipe_risk = true;
        }
        // In a condition the pipe's status is a test: pipefail would change its meaning.
        let in_condition = p
            .commands
            .first()
            .and_then(|c| script.command_ref(*c))
            .is_some_and(|c| c.in_condition());
        if in_condition {
            continue;
        }
        let pipefail_on = p
            .commands
            .first()
            .and_then(|c| first_command(script, *c))
            .is_some_and(|c| script.command_ref(c).is_some_and(|c| c.options().pipefail));
        if pipefail_on {
            continue;
        }
        let risky_writer = writers.iter().find(|w| !harmless_writer(name(script, **w)));
        if let (None, Some(writer)) = (first, risky_writer) {
            first = Some((pipe, *writer, *last));
        }
    }
    let (pipe, writer, reader) = first?;
    Some(UncheckedPipe {
        pipe,
        writer,
        reader,
        sigpipe_risk,
    })
}

fn report(
    run: &RunScript,
    unchecked: &UncheckedPipe,
    remedy: Remedy,
    shell_at: Option<&(usize, String)>,
    out: &mut Findings,
) {
    let script = &run.script;
    let UncheckedPipe {
        pipe,
        writer,
        reader,
        sigpipe_risk,
    } = *unchecked;
    let writer_name = name(script, writer).unwrap_or("a command");
    let reader_name = name(script, reader).unwrap_or("the last command");
    let finding = out.report(
        run.file_range(script.span(pipe)),
        format!(
            "`{writer_name}` can fail unnoticed: the pipe's status is that of `{reader_name}`, \
             and `pipefail` is not set for this `{}`",
            run.shell
        ),
    );
    match remedy {
        Remedy::SetPipefail => finding.help("start the command with `set -o pipefail &&`"),
        Remedy::BashShell => finding.help(format!(
            "this image's `/bin/sh` is dash, which may lack `pipefail`: run the step with \
             `{BASH_PIPEFAIL}`"
        )),
        Remedy::Unknown => finding.help(format!(
            "start the command with `set -o pipefail &&` if this image's `{}` supports it, \
             else run the step with `{BASH_PIPEFAIL}`",
            run.shell
        )),
    };
    if remedy == Remedy::BashShell {
        if let Some((at, line)) = shell_at {
            finding.fix(Fix {
                safety: FixSafety::Unsafe,
                description: "run the stage's steps from here on with bash and pipefail \
                              (bash differs from dash in places)"
                    .to_string(),
                edits: vec![Edit::insert(*at, line.clone())],
            });
        }
        return;
    }
    if remedy != Remedy::SetPipefail {
        return;
    }
    if let Some(edit) = insert_pipefail(run) {
        let (safety, description) = if sigpipe_risk {
            (
                FixSafety::Unsafe,
                "set pipefail (a pipe here may stop its writer early, and SIGPIPE would then fail the step)",
            )
        } else {
            (FixSafety::Safe, "set pipefail before the command")
        };
        finding.fix(Fix {
            safety,
            description: description.to_string(),
            edits: vec![edit],
        });
    }
}

fn name(script: &Script, node: NodeId) -> Option<&str> {
    script.command(node).and_then(|c| c.program())
}

/// The first simple command run by a pipeline member (the member itself when simple).
fn first_command(script: &Script, node: NodeId) -> Option<NodeId> {
    script.commands_in(node).next().map(|c| c.id())
}

/// Whether a reader may exit before reading all its input.
fn stops_early(script: &Script, node: NodeId) -> bool {
    let Some(cmd) = script.command(node) else {
        return false;
    };
    let args: Vec<&str> = cmd.args.iter().filter_map(|w| w.literal()).collect();
    match cmd.program() {
        Some("head") => true,
        Some("grep" | "egrep" | "fgrep") => args.iter().any(|a| {
            a.starts_with('-')
                && !a.starts_with("--")
                && (a.contains('q') || a.contains('m') || a.contains('l'))
                || matches!(
                    *a,
                    "--quiet" | "--silent" | "--max-count" | "--files-with-matches"
                )
                || a.starts_with("--max-count=")
        }),
        Some("sed" | "awk") => args.iter().any(|a| a.contains("exit") || a.ends_with('q')),
        _ => false,
    }
}

/// The edit that turns `pipefail` on at the start of the script.
fn insert_pipefail(run: &RunScript) -> Option<Edit> {
    let script = &run.script;
    match run.origin {
        ScriptOrigin::Heredoc(_) => {
            let src = script.source();
            let at = if src.starts_with("#!") {
                src.find('\n').map(|i| i + 1)?
            } else {
                0
            };
            Some(Edit::insert(run.file_offset(at), "set -o pipefail\n"))
        }
        ScriptOrigin::ShellForm | ScriptOrigin::ExecShell => {
            let NodeKind::List(list) = script.kind(script.root()) else {
                return None;
            };
            let first = list.items.first()?;
            let at = run.file_offset(script.span(first.and_or).start);
            Some(Edit::insert(at, "set -o pipefail && "))
        }
    }
}
