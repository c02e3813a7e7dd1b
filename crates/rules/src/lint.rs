//! Runs the selected rules on one Dockerfile.

use std::collections::BTreeMap;
use std::path::Path;

use dockopt_diagnostic::FileError;
use dockopt_model::Model;

use crate::pragma::Pragmas;
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
pub struct LintSettings<'a> {
    pub rules: &'a [&'static dyn Rule],
    pub selection: &'a Selection,
    pub options: &'a BTreeMap<&'static str, toml::Table>,
}

/// Parses and lints `text`, the content of the Dockerfile at `path`.
pub fn lint_source(path: &Path, text: &str, settings: &LintSettings<'_>) -> FileLint {
    let parse = dockopt_syntax::parse(text);
    if !parse.errors().is_empty() {
        return FileLint {
            findings: Vec::new(),
            errors: parse
                .errors()
                .iter()
                .map(|e| FileError {
                    message: e.message().to_string(),
                    range: Some(usize::from(e.range().start())..usize::from(e.range().end())),
                })
                .collect(),
        };
    }
    let model = Model::new(parse.dockerfile());
    let pragmas = Pragmas::collect(&parse, settings.rules);
    let ctx = Context::new(path, &parse, &model, settings.options, &pragmas.unknown);
    let mut findings = Vec::new();
    for rule in settings.rules {
        let meta = rule.meta();
        let Some(level) = settings.selection.level(meta.name) else {
            continue;
        };
        let mut out = Findings::new(meta);
        rule.check(&ctx, &mut out);
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
    FileLint {
        findings,
        errors: Vec::new(),
    }
}
