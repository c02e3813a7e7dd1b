//! `dockopt lint [PATH...]`: find Dockerfiles and report what makes their builds slow, their
//! images big and their builds flaky.

use std::path::PathBuf;
use std::process::ExitCode;

use dockopt_report::Format;
use dockopt_rules::{lint_source, LintSettings, ALL};
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
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let setup = RuleSetup::new(&args.rules)?;
    let files = find_dockerfiles_or_fail(&args.paths)?;
    let reported: Vec<Reported> = files
        .par_iter()
        .map(|path| {
            let file = setup.for_file(path)?;
            let text = match read_text(path) {
                Ok(text) => text,
                Err(message) => return Ok(Reported::unreadable(display_path(path), message)),
            };
            let settings = LintSettings {
                rules: ALL,
                selection: &file.selection,
                options: &file.config.options,
            };
            let lint = lint_source(path, &text, &settings);
            Ok(Reported {
                path: display_path(path),
                text,
                lint,
                failure_level: file.failure_level,
            })
        })
        .collect::<anyhow::Result<_>>()?;
    Ok(ExitCode::from(print_report(
        &reported,
        args.format,
        args.statistics,
    )))
}
