//! `dockopt lint [PATH...]`: find Dockerfiles and report what makes their builds slow, their
//! images big and their builds flaky.

use std::path::PathBuf;
use std::process::ExitCode;

use dockopt_report::Format;
use dockopt_rules::{lint_project, lint_source, LintSettings, ProjectFile, ALL};
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
    let mut reported = reported;
    add_project_findings(&setup, &files, &mut reported)?;
    Ok(ExitCode::from(print_report(
        &reported,
        args.format,
        args.statistics,
    )))
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
