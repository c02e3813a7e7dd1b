//! Runs the selected rules on one Dockerfile.

use std::collections::BTreeMap;
use std::path::Path;

use dockopt_diagnostic::FileError;

use crate::pragma::Pragmas;
use crate::project::{lint_sources, SourceFile, SourceLint};
use crate::selection::Selection;
use crate::{Context, Finding, Findings, Rule};

/// What linting one file gave.
#[derive(Debug, Default)]
pub struct FileLint {
    /// Findings in source order, levels as configured, suppressions applied.
    pub findings: Vec<Finding>,
    /// Parse errors: when there are any, the file is not linted.
    pub errors: Vec<FileError>,
}

/// Everything that shapes a lint run besides the file.
#[derive(Clone, Copy)]
pub struct LintSettings<'a> {
    pub rules: &'a [&'static dyn Rule],
    pub selection: &'a Selection,
    pub options: &'a BTreeMap<&'static str, toml::Table>,
}

/// A linter outside dockopt's rules (ShellCheck) whose findings go through the same
/// suppressions, selection and levels. Its findings' rule names are the tool's codes
/// (`SC2086`); they are kept when [`Selection::shellcheck_level`] selects the code.
pub trait ExternalLinter: Sync {
    /// Whether it has something to do for a file linted with `selection`.
    fn wanted(&self, selection: &Selection) -> bool;
    /// The findings for one file, at the tool's own levels; an error message when the tool
    /// failed.
    fn lint(&self, ctx: &Context<'_>) -> Result<Vec<Finding>, String>;
}

/// Parses and lints `text`, the content of the Dockerfile at `path`.
pub fn lint_source(path: &Path, text: &str, settings: &LintSettings<'_>) -> FileLint {
    lint_source_with(path, text, settings, &[])
}

/// [`lint_source`], plus the findings of `external` linters.
pub fn lint_source_with(
    path: &Path,
    text: &str,
    settings: &LintSettings<'_>,
    external: &[&dyn ExternalLinter],
) -> FileLint {
    let (mut lint, deferred) = lint_source_deferring(path, text, settings, |ctx| {
        external
            .iter()
            .filter(|linter| linter.wanted(settings.selection))
            .map(|linter| linter.lint(ctx))
            .collect::<Vec<_>>()
    });
    if let Some((results, filter)) = deferred {
        for result in results {
            filter.add(settings.selection, &mut lint, result);
        }
    }
    lint
}

/// What a file's suppressions say about findings that come after its rules ran: those of
/// an external linter that checks many files at once.
#[derive(Debug)]
pub struct ExternalFilter {
    pub(crate) pragmas: Pragmas,
}

impl ExternalFilter {
    /// Adds an external linter's result for the file to `lint` as [`lint_source_with`]
    /// would: findings through the suppressions and `selection` (the file's), in source
    /// order; a failure as a file error.
    pub fn add(
        &self,
        selection: &Selection,
        lint: &mut FileLint,
        result: Result<Vec<Finding>, String>,
    ) {
        match result {
            Ok(found) => {
                for mut finding in found {
                    let diagnostic = &mut finding.diagnostic;
                    if self.pragmas.suppresses(&diagnostic.rule, &diagnostic.range) {
                        continue;
                    }
                    let Some(level) =
                        selection.shellcheck_level(&diagnostic.rule, diagnostic.level)
                    else {
                        continue;
                    };
                    diagnostic.level = level;
                    lint.findings.push(finding);
                }
                sort_findings(&mut lint.findings);
            }
            Err(message) => lint.errors.push(FileError {
                message,
                range: None,
            }),
        }
    }
}

/// [`lint_source`], and `gather` run on the parsed file (to collect what an external
/// linter will check later, with other files); with what it gave and the filter for the
/// findings that come of it, unless the file did not parse.
pub fn lint_source_deferring<T: Send>(
    path: &Path,
    text: &str,
    settings: &LintSettings<'_>,
    gather: impl Fn(&Context<'_>) -> T + Sync,
) -> SourceLint<T> {
    let file = SourceFile {
        path,
        text,
        settings: *settings,
        group: 0,
    };
    // One file, one result.
    lint_sources(std::slice::from_ref(&file), |_, ctx| gather(ctx))
        .pop()
        .unwrap_or_default()
}

/// What a file that does not parse gives: its parse errors.
pub(crate) fn parse_failure(parse: &dockopt_syntax::Parse) -> FileLint {
    FileLint {
        findings: Vec::new(),
        errors: parse
            .errors()
            .iter()
            .map(|e| FileError {
                message: e.message().to_string(),
                range: Some(usize::from(e.range().start())..usize::from(e.range().end())),
            })
            .collect(),
    }
}

/// Runs the selected rules on one parsed file: findings in source order, levels as
/// configured, suppressions applied.
pub(crate) fn check_file(
    ctx: &Context<'_>,
    pragmas: &Pragmas,
    settings: &LintSettings<'_>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in settings.rules {
        let meta = rule.meta();
        let Some(level) = settings.selection.level(meta.name) else {
            continue;
        };
        let mut out = Findings::new(meta);
        rule.check(ctx, &mut out);
        for mut finding in out.items {
            if pragmas.suppresses(meta.name, &finding.diagnostic.range) {
                continue;
            }
            // A rule may report some cases below its default level; they keep that level
            // unless configuration gives the rule another one.
            if finding.diagnostic.level == meta.enabled_level() || level != meta.enabled_level() {
                finding.diagnostic.level = level;
            }
            findings.push(finding);
        }
    }
    sort_findings(&mut findings);
    findings
}

/// Source order: by range, then rule name.
pub(crate) fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        (
            a.diagnostic.range.start,
            a.diagnostic.range.end,
            &a.diagnostic.rule,
        )
            .cmp(&(
                b.diagnostic.range.start,
                b.diagnostic.range.end,
                &b.diagnostic.rule,
            ))
    });
}
