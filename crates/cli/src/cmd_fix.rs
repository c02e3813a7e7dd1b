//! `dockopt fix [PATH...]`: apply the rules' fixes in place (atomically), or show them as a
//! diff, then report what is left.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use dockopt_fix::{fix_source, unified_diff, write_atomic, FixError, FixOptions};
use dockopt_report::Format;
use dockopt_rules::{LintSettings, ALL};
use rayon::prelude::*;

use crate::discover::find_dockerfiles_or_fail;
use crate::rule_setup::{display_path, print_report, read_text, Reported, RuleArgs, RuleSetup};

#[derive(clap::Args)]
pub struct Args {
    /// Dockerfiles, or directories to search for them (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Also apply fixes that may change behaviour.
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what would change; write nothing.
    #[arg(long)]
    pub diff: bool,
    /// Write nothing; exit 1 when something would change.
    #[arg(long)]
    pub check: bool,
    /// Format of the remaining findings: human, json, sarif, github, checkstyle or junit.
    #[arg(long, default_value = "human")]
    pub format: Format,
    #[command(flatten)]
    pub rules: RuleArgs,
}

struct Fixed {
    reported: Reported,
    /// The diff, when something changed.
    diff: Option<String>,
    summary: Vec<String>,
    error: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let setup = RuleSetup::new(&args.rules)?;
    let files = find_dockerfiles_or_fail(&args.paths)?;
    let options = FixOptions {
        unsafe_fixes: args.unsafe_fixes,
        ..FixOptions::default()
    };
    let write = !args.diff && !args.check;
    let results: Vec<Fixed> = files
        .par_iter()
        .map(|path| -> anyhow::Result<Fixed> {
            let shown = display_path(path);
            let file = setup.for_file(path)?;
            let text = match read_text(path) {
                Ok(text) => text,
                Err(message) => {
                    return Ok(Fixed {
                        reported: Reported::unreadable(shown, message),
                        diff: None,
                        summary: vec![],
                        error: None,
                    })
                }
            };
            let settings = LintSettings {
                rules: ALL,
                selection: &file.selection,
                options: &file.config.options,
            };
            match fix_source(path, &text, &settings, options) {
                Ok(outcome) => {
                    let diff = outcome
                        .changed()
                        .then(|| unified_diff(&shown, &text, &outcome.text));
                    let mut error = None;
                    if write && outcome.changed() {
                        if let Err(e) = write_atomic(path, &outcome.text) {
                            error = Some(format!("{shown}: cannot write: {e}"));
                        }
                    }
                    let summary = outcome
                        .applied
                        .iter()
                        .map(|a| format!("{shown}: fixed {} ({})", a.rule, a.description))
                        .collect();
                    let failure_level = file.failure_level;
                    Ok(Fixed {
                        reported: Reported {
                            path: shown,
                            text: outcome.text,
                            lint: outcome.remaining,
                            failure_level,
                        },
                        diff,
                        summary,
                        error,
                    })
                }
                Err(FixError::Unparseable(errors)) => Ok(Fixed {
                    reported: Reported {
                        path: shown,
                        text,
                        lint: dockopt_rules::FileLint {
                            findings: Vec::new(),
                            errors,
                        },
                        failure_level: file.failure_level,
                    },
                    diff: None,
                    summary: vec![],
                    error: None,
                }),
                Err(bad @ FixError::BadFix { .. }) => Ok(Fixed {
                    reported: Reported::unreadable(shown.clone(), bad.to_string()),
                    diff: None,
                    summary: vec![],
                    error: Some(format!("{shown}: {bad}")),
                }),
            }
        })
        .collect::<anyhow::Result<_>>()?;

    let would_change = results.iter().any(|r| r.diff.is_some());
    let mut stderr = std::io::stderr().lock();
    if args.diff {
        let mut stdout = std::io::stdout().lock();
        for diff in results.iter().filter_map(|r| r.diff.as_ref()) {
            let _ = stdout.write_all(diff.as_bytes());
        }
        let _ = stdout.flush();
    } else {
        for line in results.iter().flat_map(|r| &r.summary) {
            let verb = if args.check { "would fix" } else { "fixed" };
            let _ = writeln!(stderr, "{}", line.replacen("fixed", verb, 1));
        }
    }
    let mut failed = false;
    for error in results.iter().filter_map(|r| r.error.as_ref()) {
        let _ = writeln!(stderr, "error: {error}");
        failed = true;
    }
    drop(stderr);
    let reported: Vec<Reported> = results.into_iter().map(|r| r.reported).collect();
    let code = if args.diff {
        if reported.iter().any(|r| !r.lint.errors.is_empty()) {
            2
        } else {
            u8::from(would_change)
        }
    } else {
        let code = print_report(&reported, args.format, false);
        if args.check && code == 0 && would_change {
            1
        } else {
            code
        }
    };
    Ok(ExitCode::from(if failed { 2 } else { code }))
}
