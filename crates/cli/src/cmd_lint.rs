//! `dockopt lint [PATH...]`: find Dockerfiles and report what makes their builds slow, their
//! images big and their builds flaky.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Once;

use anyhow::anyhow;
use dockopt_report::Format;
use dockopt_rules::selection::Selection;
use dockopt_rules::{
    lint_project, lint_source_deferring, ExternalFilter, LintSettings, ProjectFile, ALL,
};
use dockopt_shellcheck::{FileScripts, ShellCheck};
use rayon::prelude::*;

use crate::discover::find_dockerfiles_or_fail;
use crate::rule_setup::{display_path, print_report, read_text, Reported, RuleArgs, RuleSetup};

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
    let missing_notice = Once::new();
    // The rules run file by file; the scripts ShellCheck is to check are gathered on the
    // way and checked afterwards, all files together, in a few processes.
    let lint_one = |path: &PathBuf| -> anyhow::Result<(Reported, Option<Pending>)> {
        let file = setup.for_file(path)?;
        let text = match read_text(path) {
            Ok(text) => text,
            Err(message) => return Ok((Reported::unreadable(display_path(path), message), None)),
        };
        let settings = LintSettings {
            rules: ALL,
            selection: &file.selection,
            options: &file.config.options,
        };
        if shellcheck.is_none()
            && args.shellcheck == ShellCheckMode::Auto
            && file.selection.shellcheck_may_report()
        {
            missing_notice.call_once(|| {
                eprintln!(
                    "note: `shellcheck` is not on PATH, so ShellCheck's checks (SC codes) \
                         are skipped; install it, or pass --shellcheck=never"
                );
            });
        }
        let checker = shellcheck
            .as_ref()
            .filter(|_| file.selection.shellcheck_may_report());
        let (lint, deferred) = lint_source_deferring(path, &text, &settings, |ctx| {
            checker.map(|c| c.scripts(ctx))
        });
        let pending = deferred.and_then(|(scripts, filter)| {
            Some(Pending {
                scripts: scripts.filter(|s| !s.is_empty())?,
                filter,
                selection: file.selection.clone(),
            })
        });
        let reported = Reported {
            path: display_path(path),
            text,
            lint,
            failure_level: file.failure_level,
        };
        Ok((reported, pending))
    };
    // One file needs no thread pool: starting one costs more than the lint.
    let linted: Vec<(Reported, Option<Pending>)> = if files.len() == 1 {
        files.iter().map(lint_one).collect::<anyhow::Result<_>>()?
    } else {
        files
            .par_iter()
            .map(lint_one)
            .collect::<anyhow::Result<_>>()?
    };
    let mut reported = Vec::with_capacity(linted.len());
    let mut pending = Vec::new();
    for (index, (file, waiting)) in linted.into_iter().enumerate() {
        reported.push(file);
        if let Some(waiting) = waiting {
            pending.push((index, waiting));
        }
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
    add_project_findings(&setup, &files, &mut reported)?;
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

/// Runs the rules that compare Dockerfiles, once per repository (the nearest folder above
/// a file that holds `.git`; files outside any repository form one group), and merges
/// their findings into each file's report.
fn add_project_findings(
    setup: &RuleSetup,
    files: &[PathBuf],
    reported: &mut [Reported],
) -> anyhow::Result<()> {
    let mut groups: std::collections::BTreeMap<Option<PathBuf>, Vec<usize>> = Default::default();
    for (i, path) in files.iter().enumerate() {
        let absolute = path.canonicalize().unwrap_or_else(|_| path.clone());
        let root = absolute
            .ancestors()
            .skip(1)
            .find(|dir| dir.join(".git").exists())
            .map(PathBuf::from);
        groups.entry(root).or_default().push(i);
    }
    for members in groups.values().filter(|m| m.len() > 1) {
        let setups = members
            .iter()
            .map(|&i| setup.for_file(&files[i]))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let inputs: Vec<ProjectFile<'_>> = members
            .iter()
            .zip(&setups)
            .map(|(&i, file)| ProjectFile {
                path: &files[i],
                text: &reported[i].text,
                selection: &file.selection,
                options: &file.config.options,
            })
            .collect();
        let found = lint_project(&inputs, ALL);
        for (&i, findings) in members.iter().zip(found) {
            let lint = &mut reported[i].lint;
            if !lint.errors.is_empty() || findings.is_empty() {
                continue;
            }
            lint.findings.extend(findings);
            lint.findings
                .sort_by_key(|f| (f.diagnostic.range.start, f.diagnostic.range.end));
        }
    }
    Ok(())
}
