//! `dockopt lint [PATH...]`: find Dockerfiles and report what makes their builds slow, their
//! images big and their builds flaky.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::anyhow;
use dockopt_report::Format;
use dockopt_rules::selection::Selection;
use dockopt_rules::{group_numbers, lint_sources, ExternalFilter, LintSettings, SourceFile, ALL};
use dockopt_shellcheck::{FileScripts, ShellCheck};
use rayon::prelude::*;

use crate::discover::find_dockerfiles_or_fail;
use crate::rule_setup::{
    display_path, print_report, read_text, FileSetup, Reported, RuleArgs, RuleSetup,
};

#[derive(clap::Args)]
pub struct Args {
    /// Dockerfiles, or directories to search for them (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format: human, json, sarif, github, checkstyle or junit.
    #[arg(long, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// Print how many findings each rule produced, after the report.
    #[arg(long)]
    pub statistics: bool,
    /// Run ShellCheck on the shell scripts of RUN instructions (findings named SC####):
    /// `always` (the bare flag) requires the `shellcheck` program, `auto` runs it when it is
    /// on PATH, `never` does not.
    #[arg(
        long,
        value_enum,
        value_name = "WHEN",
        num_args = 0..=1,
        default_value = "auto",
        default_missing_value = "always",
        require_equals = true
    )]
    pub shellcheck: ShellCheckMode,
    /// Neither read nor write the cache of ShellCheck results
    /// (`$XDG_CACHE_HOME/dockopt/shellcheck`).
    #[arg(long)]
    pub no_cache: bool,
}

/// When `dockopt lint` runs ShellCheck.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellCheckMode {
    /// When the `shellcheck` program is on PATH; a notice otherwise.
    Auto,
    /// Always; an error when the program is missing.
    Always,
    /// Never.
    Never,
}

/// The ShellCheck to run, if any: `always` without the program is an error.
fn shellcheck(mode: ShellCheckMode) -> anyhow::Result<Option<ShellCheck>> {
    match mode {
        ShellCheckMode::Never => Ok(None),
        ShellCheckMode::Always => ShellCheck::find().map(Some).ok_or_else(|| {
            anyhow!(
                "--shellcheck: the `shellcheck` program is not on PATH; install it (Debian and \
                 Ubuntu: `apt-get install shellcheck`) or leave out --shellcheck"
            )
        }),
        ShellCheckMode::Auto => Ok(ShellCheck::find()),
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let setup = RuleSetup::new(&args.rules)?;
    let files = find_dockerfiles_or_fail(&args.paths)?;
    let shellcheck = shellcheck(args.shellcheck)?.map(|found| {
        match dockopt_shellcheck::default_cache_dir().filter(|_| !args.no_cache) {
            Some(dir) => found.with_cache(&dir),
            None => found,
        }
    });
    // Each file's settings and text, then the rules over all of them at once (one parse of
    // each file serves its own rules and the across-files ones); the scripts ShellCheck is
    // to check are gathered on the way and checked afterwards, all files together, in a
    // few processes.
    let loaded: Vec<(FileSetup, Result<String, String>, Option<PathBuf>)> = files
        .par_iter()
        .map(|path| Ok((setup.for_file(path)?, read_text(path), repository_of(path))))
        .collect::<anyhow::Result<_>>()?;
    if shellcheck.is_none()
        && args.shellcheck == ShellCheckMode::Auto
        && loaded
            .iter()
            .any(|(file, text, _)| text.is_ok() && file.selection.shellcheck_may_report())
    {
        eprintln!(
            "note: `shellcheck` is not on PATH, so ShellCheck's checks (SC codes) are \
             skipped; install it, or pass --shellcheck=never"
        );
    }
    let groups = group_numbers(&loaded.iter().map(|(_, _, repo)| repo).collect::<Vec<_>>());
    let readable: Vec<usize> = (0..files.len()).filter(|&i| loaded[i].1.is_ok()).collect();
    let sources: Vec<SourceFile<'_>> = readable
        .iter()
        .map(|&i| {
            let (file, text, _) = &loaded[i];
            SourceFile {
                path: &files[i],
                text: text.as_deref().unwrap_or_default(),
                settings: LintSettings {
                    rules: ALL,
                    selection: &file.selection,
                    options: &file.config.options,
                },
                group: groups[i],
            }
        })
        .collect();
    let checker_for = |k: usize| {
        shellcheck
            .as_ref()
            .filter(|_| sources[k].settings.selection.shellcheck_may_report())
    };
    let mut linted =
        lint_sources(&sources, |k, ctx| checker_for(k).map(|c| c.scripts(ctx))).into_iter();
    let mut reported = Vec::with_capacity(files.len());
    let mut pending = Vec::new();
    for ((path, (file, text, _)), index) in files.iter().zip(loaded).zip(0..) {
        let text = match text {
            Ok(text) => text,
            Err(message) => {
                reported.push(Reported::unreadable(display_path(path), message));
                continue;
            }
        };
        let Some((lint, deferred)) = linted.next() else {
            unreachable!("lint_sources gives one result per file");
        };
        if let Some((Some(scripts), filter)) = deferred {
            if !scripts.is_empty() {
                pending.push((
                    index,
                    Pending {
                        scripts,
                        filter,
                        selection: file.selection.clone(),
                    },
                ));
            }
        }
        reported.push(Reported {
            path: display_path(path),
            text,
            lint,
            failure_level: file.failure_level,
        });
    }
    if let Some(checker) = &shellcheck {
        let scripts: Vec<&FileScripts> = pending.iter().map(|(_, p)| &p.scripts).collect();
        let results = checker.check_files(&scripts);
        for ((index, waiting), result) in pending.iter().zip(results) {
            if let Some(file) = reported.get_mut(*index) {
                waiting
                    .filter
                    .add(&waiting.selection, &mut file.lint, result);
            }
        }
    }
    Ok(ExitCode::from(print_report(
        &reported,
        args.format,
        args.statistics,
    )))
}

/// A linted file's scripts waiting for ShellCheck, and what its findings go through.
struct Pending {
    scripts: FileScripts,
    filter: ExternalFilter,
    selection: Selection,
}

/// The repository a Dockerfile belongs to, whose Dockerfiles the across-files rules
/// compare: the nearest folder above it that holds `.git`; `None` (one group of its own)
/// outside any repository.
fn repository_of(path: &std::path::Path) -> Option<PathBuf> {
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    absolute
        .ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists())
        .map(PathBuf::from)
}
