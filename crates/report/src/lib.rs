//! Renders dockopt findings for people and for machines.
//!
//! Every format takes the same input, a list of [`FileResult`]s, and returns text:
//! - [`Format::Human`]: rustc-style, with the source lines, a caret under the exact span, the
//!   rule name and a one-line help;
//! - [`Format::Json`]: the versioned schema documented in `SCHEMA.md` beside this crate;
//! - [`Format::Sarif`]: SARIF 2.1.0 as GitHub code scanning accepts it;
//! - [`Format::Github`]: GitHub Actions workflow commands;
//! - [`Format::Checkstyle`] and [`Format::Junit`]: XML for CI dashboards.

mod human;
mod json;
mod sarif;
mod statistics;
mod text;
mod xml;

use std::str::FromStr;

pub use dockopt_diagnostic::{Diagnostic, FileError, FixSafety, Group, Level, LineIndex};
pub use statistics::statistics;

/// The version of the JSON report schema; bumped on any incompatible change.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// What was found in one file.
#[derive(Debug, Clone, Copy)]
pub struct FileResult<'a> {
    /// The path as the user should see it (relative where possible, `/`-separated).
    pub path: &'a str,
    /// The file's text, for snippets and line numbers.
    pub source: &'a str,
    pub diagnostics: &'a [Diagnostic],
    /// Errors that stopped the file from being linted (it could not be read or parsed).
    pub errors: &'a [FileError],
}

/// What a report says about a rule (SARIF carries this as rule metadata).
#[derive(Debug, Clone, Copy)]
pub struct RuleInfo<'a> {
    pub name: &'a str,
    pub group: Group,
    pub level: Level,
    /// One line: what the rule detects.
    pub summary: &'a str,
    /// The full documentation, Markdown.
    pub documentation: &'a str,
}

/// The output formats `--format` accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Sarif,
    Github,
    Checkstyle,
    Junit,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(text: &str) -> Result<Format, String> {
        Ok(match text {
            "human" => Format::Human,
            "json" => Format::Json,
            "sarif" => Format::Sarif,
            "github" => Format::Github,
            "checkstyle" => Format::Checkstyle,
            "junit" => Format::Junit,
            other => {
                return Err(format!(
                    "unknown format `{other}` (expected human, json, sarif, github, checkstyle or junit)"
                ))
            }
        })
    }
}

/// Settings that change how a report looks, not what it says.
#[derive(Debug, Clone, Copy, Default)]
pub struct RenderOptions {
    /// ANSI colour in the human format.
    pub color: bool,
}

/// Renders `files` in `format`. `rules` supplies metadata for the rules that appear (SARIF
/// lists them); rules missing from it are still reported, with less metadata.
pub fn render(
    format: Format,
    files: &[FileResult<'_>],
    rules: &[RuleInfo<'_>],
    options: RenderOptions,
) -> String {
    match format {
        Format::Human => human::render(files, options),
        Format::Json => json::render(files),
        Format::Sarif => sarif::render(files, rules),
        Format::Github => text::github(files),
        Format::Checkstyle => xml::checkstyle(files),
        Format::Junit => xml::junit(files),
    }
}

/// A diagnostic or error with its line and column resolved, shared by the formats.
pub(crate) struct Located<'a> {
    pub start: dockopt_diagnostic::Position,
    pub end: dockopt_diagnostic::Position,
    pub item: Item<'a>,
}

pub(crate) enum Item<'a> {
    Diagnostic(&'a Diagnostic),
    Error(&'a FileError),
}

/// Every diagnostic and error of a file, in source order, with positions.
pub(crate) fn locate<'a>(file: &FileResult<'a>) -> Vec<Located<'a>> {
    let index = LineIndex::new(file.source);
    let mut out: Vec<Located<'a>> = file
        .errors
        .iter()
        .map(|error| {
            let range = error.range.clone().unwrap_or(0..0);
            Located {
                start: index.position(file.source, range.start),
                end: index.position(file.source, range.end),
                item: Item::Error(error),
            }
        })
        .chain(file.diagnostics.iter().map(|d| Located {
            start: index.position(file.source, d.range.start),
            end: index.position(file.source, d.range.end),
            item: Item::Diagnostic(d),
        }))
        .collect();
    out.sort_by_key(|l| (l.start, l.end));
    out
}
