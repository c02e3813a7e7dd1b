//! The JSON report (schema in SCHEMA.md).

use serde::Serialize;

use crate::{locate, FileResult, Item, JSON_SCHEMA_VERSION};

#[derive(Serialize)]
struct Report<'a> {
    schema_version: u32,
    tool: &'static str,
    tool_version: &'static str,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    errors: Vec<JsonError<'a>>,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    rule: &'a str,
    group: &'a str,
    level: &'a str,
    file: &'a str,
    start: Position,
    end: Position,
    message: &'a str,
    help: Option<&'a str>,
    fix: &'a str,
}

#[derive(Serialize)]
struct JsonError<'a> {
    file: &'a str,
    start: Option<Position>,
    message: &'a str,
}

#[derive(Serialize)]
struct Position {
    line: u32,
    column: u32,
}

impl From<dockopt_diagnostic::Position> for Position {
    fn from(p: dockopt_diagnostic::Position) -> Position {
        Position {
            line: p.line,
            column: p.column,
        }
    }
}

pub fn render(files: &[FileResult<'_>]) -> String {
    let mut report = Report {
        schema_version: JSON_SCHEMA_VERSION,
        tool: "dockopt",
        tool_version: env!("CARGO_PKG_VERSION"),
        diagnostics: Vec::new(),
        errors: Vec::new(),
    };
    for file in files {
        for located in locate(file) {
            match located.item {
                Item::Diagnostic(d) => report.diagnostics.push(JsonDiagnostic {
                    rule: &d.rule,
                    group: d.group.as_str(),
                    level: d.level.as_str(),
                    file: file.path,
                    start: located.start.into(),
                    end: located.end.into(),
                    message: &d.message,
                    help: d.help.as_deref(),
                    fix: d.fix.as_str(),
                }),
                Item::Error(e) => report.errors.push(JsonError {
                    file: file.path,
                    start: e.range.as_ref().map(|_| located.start.into()),
                    message: &e.message,
                }),
            }
        }
    }
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}
