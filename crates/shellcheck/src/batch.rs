//! One ShellCheck process for several scripts: each script becomes a file with a header
//! (the dialect's shebang and an `export` line declaring the variables the build defines),
//! and each finding is mapped back from the file's line and column to a byte of the script.

use std::ops::Range;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::dialect::{self, Dialect};

/// ShellCheck codes never reported: 2187 (ash is checked as dash, which is what dockopt
/// asks for), 1090 and 1091 (`source` of a file ShellCheck cannot see; a Dockerfile has no
/// way to say where it is).
const EXCLUDED: &str = "1090,1091,2187";

/// A script to check.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub text: &'a str,
    pub dialect: Dialect,
    /// Variables the script may use without assigning them (ARG and ENV names in scope).
    pub declared: Vec<String>,
}

/// How serious ShellCheck says a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Style,
}

/// One ShellCheck finding, placed in the script it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Index of the script in the batch.
    pub script: usize,
    /// Byte range in the script's text.
    pub range: Range<usize>,
    pub code: u32,
    pub severity: Severity,
    pub message: String,
}

/// The file ShellCheck reads for one script, and where each of its lines comes from.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub content: String,
    /// For each line of `content`, the byte offset in the script where that line starts;
    /// `None` for the header lines dockopt added.
    lines: Vec<Option<usize>>,
}

pub(crate) fn prepare(input: &Input<'_>) -> Prepared {
    let text = input.text;
    let mut content = String::with_capacity(text.len() + 64);
    let mut lines = Vec::new();
    let mut starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    if starts.len() > 1 && starts.last() == Some(&text.len()) {
        starts.pop();
    }
    let own_shebang = dialect::from_shebang(text).is_some();
    let mut body = starts.as_slice();
    if own_shebang {
        // The script's own shebang stays the first line (ShellCheck reads it there).
        if let Some((&first, rest)) = starts.split_first() {
            push_line(&mut content, line_at(text, first));
            lines.push(Some(first));
            body = rest;
        }
    } else {
        push_line(&mut content, input.dialect.shebang());
        lines.push(None);
    }
    let declared: Vec<&str> = input
        .declared
        .iter()
        .map(String::as_str)
        .filter(|name| is_identifier(name))
        .collect();
    if !declared.is_empty() {
        let mut export = String::from("export");
        for name in &declared {
            export.push(' ');
            export.push_str(name);
            export.push_str("=1");
        }
        push_line(&mut content, &export);
        lines.push(None);
    }
    for &start in body {
        push_line(&mut content, line_at(text, start));
        lines.push(Some(start));
    }
    Prepared { content, lines }
}

fn push_line(content: &mut String, line: &str) {
    content.push_str(line);
    content.push('\n');
}

/// The line of `text` starting at `start`, without its line ending (`\n` or `\r\n`).
fn line_at(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or("");
    let line = rest.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Prepared {
    /// The script byte at a 1-based line and column (columns count characters, a tab as
    /// one) of the file; `None` on a header line. A column past the end of its line gives
    /// the end of the line.
    pub(crate) fn locate(&self, text: &str, line: u32, column: u32) -> Option<usize> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = (*self.lines.get(index)?)?;
        let content = line_at(text, start);
        let skip = usize::try_from(column).ok()?.saturating_sub(1);
        let within = content
            .char_indices()
            .nth(skip)
            .map_or(content.len(), |(i, _)| i);
        Some(start + within)
    }
}

#[derive(Deserialize)]
struct Report {
    comments: Vec<RawComment>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawComment {
    file: String,
    line: u32,
    end_line: u32,
    column: u32,
    end_column: u32,
    level: Severity,
    code: u32,
    message: String,
}

/// Checks every script in one ShellCheck process (`program`); the findings, in the order
/// ShellCheck gives them. Findings on the header lines dockopt adds are dropped.
pub fn check(program: &Path, inputs: &[Input<'_>]) -> Result<Vec<Comment>, String> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let dir = tempfile::Builder::new()
        .prefix("dockopt-shellcheck")
        .tempdir()
        .map_err(|e| format!("shellcheck: cannot make a temporary folder: {e}"))?;
    let prepared: Vec<Prepared> = inputs.iter().map(prepare).collect();
    let mut names = Vec::with_capacity(inputs.len());
    for (index, file) in prepared.iter().enumerate() {
        let name = format!("script{index}.sh");
        std::fs::write(dir.path().join(&name), &file.content)
            .map_err(|e| format!("shellcheck: cannot write a temporary file: {e}"))?;
        names.push(name);
    }
    let output = Command::new(program)
        .current_dir(dir.path())
        .args(["--format=json1", "--norc", "--exclude", EXCLUDED, "--"])
        .args(&names)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    // 0: nothing found; 1: findings; anything else is a failure of ShellCheck itself.
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(format!(
            "{} failed ({}): {}",
            program.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let report: Report = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{}: unexpected output (not ShellCheck's json1 format): {e}",
            program.display()
        )
    })?;
    let mut comments = Vec::with_capacity(report.comments.len());
    for raw in report.comments {
        let Some(script) = names.iter().position(|n| *n == raw.file) else {
            continue;
        };
        let (Some(input), Some(file)) = (inputs.get(script), prepared.get(script)) else {
            continue;
        };
        let Some(start) = file.locate(input.text, raw.line, raw.column) else {
            continue;
        };
        let end = file
            .locate(input.text, raw.end_line, raw.end_column)
            .unwrap_or(start)
            .max(start);
        comments.push(Comment {
            script,
            range: start..end,
            code: raw.code,
            severity: raw.level,
            message: raw.message,
        });
    }
    Ok(comments)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str, declared: &[&str]) -> Input<'static> {
        Input {
            text: Box::leak(text.to_string().into_boxed_str()),
            dialect: Dialect::Sh,
            declared: declared.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn header_lines_map_to_nothing_and_script_lines_to_their_start() {
        let i = input("echo $a\nexport b\n", &["A", "B_2", "not-valid"]);
        let p = prepare(&i);
        assert_eq!(
            p.content,
            "#!/bin/sh\nexport A=1 B_2=1\necho $a\nexport b\n"
        );
        assert_eq!(p.locate(i.text, 1, 1), None);
        assert_eq!(p.locate(i.text, 2, 1), None);
        assert_eq!(p.locate(i.text, 3, 6), Some(5));
        assert_eq!(p.locate(i.text, 4, 1), Some(8));
        // Past the end of a line: the end of that line.
        assert_eq!(p.locate(i.text, 3, 99), Some(7));
        assert_eq!(p.locate(i.text, 9, 1), None);
    }

    #[test]
    fn own_shebang_stays_first_and_crlf_is_dropped() {
        let i = input("#!/bin/bash\r\necho \u{e9}$x\r\n", &[]);
        let p = prepare(&i);
        assert_eq!(p.content, "#!/bin/bash\necho \u{e9}$x\n");
        assert_eq!(p.locate(i.text, 1, 1), Some(0));
        // Columns count characters: `$` is the 7th character, at byte 7 of the line.
        assert_eq!(p.locate(i.text, 2, 7), Some(13 + 7));
    }
}
