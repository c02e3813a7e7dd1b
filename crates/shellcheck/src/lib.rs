//! ShellCheck for Dockerfiles: runs the `shellcheck` program on the shell scripts of every
//! `RUN` (shell form, and heredoc bodies run as scripts), in one process per Dockerfile, and
//! reports its findings as dockopt findings named by their code (`SC2086`) at the exact
//! place in the Dockerfile, across line continuations and inside heredocs.
//!
//! The dialect comes from the `SHELL` in effect, a heredoc's shebang, or `sh`. The `ARG`
//! and `ENV` names in scope are declared to ShellCheck, so it does not report them as
//! referenced but not assigned (SC2154).

mod batch;
mod dialect;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use dockopt_rules::prelude::{InstructionId, InstructionKind};
use dockopt_rules::selection::Selection;
use dockopt_rules::{
    Context, Diagnostic, ExternalLinter, Finding, FixSafety, Group, Level, ScriptOrigin, ScriptText,
};
use dockopt_shell::Span;

pub use batch::{check, Comment, Input, Severity};
pub use dialect::Dialect;

/// Variables BuildKit passes to every `RUN` without an `ARG` (the proxy settings).
const PREDEFINED: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "FTP_PROXY",
    "ftp_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// The `shellcheck` program, and a linter that runs it.
#[derive(Debug, Clone)]
pub struct ShellCheck {
    program: PathBuf,
}

impl ShellCheck {
    /// `shellcheck` from `PATH`, if it is there.
    pub fn find() -> Option<ShellCheck> {
        find_on_path(OsStr::new("shellcheck")).map(|program| ShellCheck { program })
    }

    /// A ShellCheck at a known path.
    pub fn at(program: impl Into<PathBuf>) -> ShellCheck {
        ShellCheck {
            program: program.into(),
        }
    }

    pub fn program(&self) -> &Path {
        &self.program
    }
}

/// The shell scripts of one Dockerfile that ShellCheck can check, each with the variables
/// declared for it.
fn scripts(ctx: &Context<'_>) -> Vec<(ScriptText, Dialect, Vec<String>)> {
    let mut out = Vec::new();
    for (id, _) in ctx.instructions_of(InstructionKind::Run) {
        let texts = ctx.script_texts(id);
        if texts.is_empty() {
            continue;
        }
        let declared = declared_names(ctx, id);
        for text in texts {
            // Exec-form scripts are JSON strings: their escapes make the places ShellCheck
            // gives imprecise, and hadolint does not check them either.
            if text.origin == ScriptOrigin::ExecShell {
                continue;
            }
            if let Some(dialect) = Dialect::from_shell(&text.shell) {
                out.push((text, dialect, declared.clone()));
            }
        }
    }
    out
}

/// The ARG and ENV names in scope before instruction `id`, and the predefined ones.
fn declared_names(ctx: &Context<'_>, id: InstructionId) -> Vec<String> {
    let mut names: Vec<String> = PREDEFINED.iter().map(|s| s.to_string()).collect();
    if let Some(state) = ctx.state(id) {
        names.extend(state.env.names().map(str::to_string));
        names.extend(state.declared_args.iter().cloned());
        names.extend(state.vars.names().map(str::to_string));
    }
    names.sort();
    names.dedup();
    names
}

impl ExternalLinter for ShellCheck {
    fn wanted(&self, selection: &Selection) -> bool {
        selection.shellcheck_may_report()
    }

    fn lint(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, String> {
        let scripts = scripts(ctx);
        let inputs: Vec<Input<'_>> = scripts
            .iter()
            .map(|(text, dialect, declared)| Input {
                text: &text.text,
                dialect: *dialect,
                declared: declared.clone(),
            })
            .collect();
        let comments =
            check(&self.program, &inputs).map_err(|e| format!("{}: {e}", ctx.path.display()))?;
        let mut findings = Vec::with_capacity(comments.len());
        for comment in comments {
            let Some((text, _, _)) = scripts.get(comment.script) else {
                continue;
            };
            let range = text.file_range(Span {
                start: comment.range.start,
                end: comment.range.end,
            });
            findings.push(finding(&comment, range));
        }
        Ok(findings)
    }
}

fn finding(comment: &Comment, range: std::ops::Range<usize>) -> Finding {
    let code = format!("SC{}", comment.code);
    let level = match comment.severity {
        Severity::Error => Level::Error,
        Severity::Warning => Level::Warning,
        Severity::Info | Severity::Style => Level::Info,
    };
    Finding {
        diagnostic: Diagnostic {
            help: Some(format!("see https://www.shellcheck.net/wiki/{code}")),
            rule: code,
            group: Group::Correctness,
            level,
            message: comment.message.clone(),
            range,
            fix: FixSafety::None,
        },
        fix: None,
    }
}

/// The first executable file called `name` in a folder of `PATH`.
fn find_on_path(name: &OsStr) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| is_executable(candidate))
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}
