//! ShellCheck for Dockerfiles: runs the `shellcheck` program on the shell scripts of every
//! `RUN` (shell form, and heredoc bodies run as scripts) and reports its findings as dockopt
//! findings named by their code (`SC2086`) at the exact place in the Dockerfile, across line
//! continuations and inside heredocs.
//!
//! The dialect comes from the `SHELL` in effect, a heredoc's shebang, or `sh`. The `ARG`
//! and `ENV` names in scope are declared to ShellCheck, so it does not report them as
//! referenced but not assigned (SC2154).
//!
//! The scripts of many Dockerfiles are checked together ([`ShellCheck::check_files`]): each
//! distinct script once, in as few processes as there are cores, with results optionally
//! kept in an on-disk cache ([`ShellCheck::with_cache`]).

mod batch;
mod cache;
mod declared;
mod dialect;
mod pool;
mod process;

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use dockopt_model::PROXY_ARGS;
use dockopt_rules::prelude::{InstructionId, InstructionKind};
use dockopt_rules::selection::Selection;
use dockopt_rules::{
    Context, Diagnostic, ExternalLinter, Finding, FixSafety, Group, Level, ScriptOrigin, ScriptText,
};
use dockopt_shell::Span;

use batch::{Comment, Input, Severity};
pub use cache::default_dir as default_cache_dir;
pub use dialect::Dialect;

/// The `shellcheck` program, and a linter that runs it.
#[derive(Debug, Clone)]
pub struct ShellCheck {
    program: PathBuf,
    /// At most this many `shellcheck` processes at once.
    jobs: usize,
    cache: Option<cache::Cache>,
}

impl ShellCheck {
    /// `shellcheck` from `PATH`, if it is there.
    pub fn find() -> Option<ShellCheck> {
        find_on_path(OsStr::new("shellcheck")).map(ShellCheck::at)
    }

    /// A ShellCheck at a known path, running as many processes at once as there are cores,
    /// without a cache.
    pub fn at(program: impl Into<PathBuf>) -> ShellCheck {
        ShellCheck {
            program: program.into(),
            jobs: std::thread::available_parallelism().map_or(1, usize::from),
            cache: None,
        }
    }

    /// At most `jobs` `shellcheck` processes at once (at least one).
    pub fn with_jobs(mut self, jobs: usize) -> ShellCheck {
        self.jobs = jobs.max(1);
        self
    }

    /// Keeps results in the folder `dir` (see [`default_cache_dir`]) and reuses them for
    /// the same program, dialect, declared names and script text. Without effect when the
    /// program's file cannot be examined.
    pub fn with_cache(mut self, dir: &Path) -> ShellCheck {
        self.cache = cache::Cache::open(dir, &self.program);
        self
    }

    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The scripts of the Dockerfile of `ctx` that ShellCheck can check, to be checked
    /// with [`ShellCheck::check_files`].
    pub fn scripts(&self, ctx: &Context<'_>) -> FileScripts {
        FileScripts {
            path: ctx.path.to_path_buf(),
            scripts: scripts(ctx),
        }
    }

    /// Checks the scripts of several Dockerfiles together; the findings for each file (in
    /// the order of `files`), or the error that kept its scripts from being checked.
    pub fn check_files(&self, files: &[&FileScripts]) -> Vec<Result<Vec<Finding>, String>> {
        let mut inputs = Vec::new();
        let mut owner = Vec::new();
        for (file_index, file) in files.iter().enumerate() {
            for (text, dialect, declared) in &file.scripts {
                inputs.push(Input {
                    text: &text.text,
                    dialect: *dialect,
                    declared: declared.clone(),
                });
                owner.push((file_index, text));
            }
        }
        let pool = pool::Pool {
            program: &self.program,
            jobs: self.jobs,
            cache: self.cache.as_ref(),
        };
        let mut results: Vec<Result<Vec<Finding>, String>> =
            files.iter().map(|_| Ok(Vec::new())).collect();
        for (outcome, (file_index, text)) in pool.check(&inputs).into_iter().zip(owner) {
            let Some(result) = results.get_mut(file_index) else {
                continue;
            };
            let Ok(findings) = result else {
                continue;
            };
            match outcome {
                Ok(comments) => findings.extend(comments.iter().map(|comment| {
                    let range = text.file_range(Span {
                        start: comment.range.start,
                        end: comment.range.end,
                    });
                    finding(comment, range)
                })),
                Err(message) => {
                    let path = files.get(file_index).map_or(Path::new(""), |f| &f.path);
                    *result = Err(format!("{}: {message}", path.display()));
                }
            }
        }
        results
    }
}

/// The shell scripts of one Dockerfile that ShellCheck can check.
#[derive(Debug, Clone)]
pub struct FileScripts {
    path: PathBuf,
    scripts: Vec<(ScriptText, Dialect, Vec<String>)>,
}

impl FileScripts {
    /// Whether there is nothing to check.
    pub fn is_empty(&self) -> bool {
        self.scripts.is_empty()
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
    // BuildKit passes the proxy settings to every `RUN` without an `ARG`.
    let mut names: Vec<String> = PROXY_ARGS.iter().map(|s| s.to_string()).collect();
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
        let scripts = self.scripts(ctx);
        self.check_files(&[&scripts])
            .pop()
            .unwrap_or_else(|| Ok(Vec::new()))
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
