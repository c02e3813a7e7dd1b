//! The finding type shared by dockopt's rules, its fixer and its reports.
//!
//! A [`Diagnostic`] points at a byte range of one file. Line and column numbers are computed
//! from the file's text when a report is rendered ([`LineIndex`]), so producers only deal in
//! byte offsets, which is also what fixes edit.

use std::fmt;
use std::ops::Range;

use serde::{Deserialize, Serialize};

/// How serious a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Info => "info",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }

    /// Parses `error`, `warning`, `info`, and hadolint's `style` (which maps to `info`).
    pub fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warning" | "warn" => Some(Level::Warning),
            "info" | "style" => Some(Level::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a rule is about; users select and ignore whole groups by these names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    Speed,
    Size,
    Reliability,
    Security,
    Correctness,
    Style,
    AcrossFiles,
}

impl Group {
    pub const ALL: [Group; 7] = [
        Group::Speed,
        Group::Size,
        Group::Reliability,
        Group::Security,
        Group::Correctness,
        Group::Style,
        Group::AcrossFiles,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Speed => "speed",
            Group::Size => "size",
            Group::Reliability => "reliability",
            Group::Security => "security",
            Group::Correctness => "correctness",
            Group::Style => "style",
            Group::AcrossFiles => "across-files",
        }
    }

    pub fn parse(text: &str) -> Option<Group> {
        Group::ALL
            .into_iter()
            .find(|g| g.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a finding comes with an automatic fix, and how safe it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FixSafety {
    /// No automatic fix.
    None,
    /// The fix keeps the build's meaning exactly; `dockopt fix` applies it by default.
    Safe,
    /// The fix may change behaviour; applied only with `--unsafe-fixes`.
    Unsafe,
}

impl FixSafety {
    pub fn as_str(self) -> &'static str {
        match self {
            FixSafety::None => "none",
            FixSafety::Safe => "safe",
            FixSafety::Unsafe => "unsafe",
        }
    }
}

/// One finding in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The rule's public name (kebab-case), or a ShellCheck code such as `SC2086`.
    pub rule: String,
    pub group: Group,
    pub level: Level,
    pub message: String,
    /// One line saying what to do about it.
    pub help: Option<String>,
    /// Byte range in the file's text.
    pub range: Range<usize>,
    pub fix: FixSafety,
}

/// A file that could not be read as a Dockerfile: these make the command exit 2.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    pub message: String,
    /// Byte range in the file's text, when the error has a place.
    pub range: Option<Range<usize>>,
}

/// A 1-based line and column; columns count characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

/// Maps byte offsets of one text to lines and columns.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset at which each line starts.
    line_starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex { line_starts }
    }

    /// The position of `offset` in `text` (the text this index was built from). Offsets past
    /// the end map to the end; an offset inside a multi-byte character maps to that character.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        let line = self
            .line_starts
            .partition_point(|&start| start <= offset)
            .saturating_sub(1);
        let start = self.line_starts.get(line).copied().unwrap_or(0);
        while offset > start && !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let column = text.get(start..offset).map_or(0, |s| s.chars().count());
        Position {
            line: u32::try_from(line + 1).unwrap_or(u32::MAX),
            column: u32::try_from(column + 1).unwrap_or(u32::MAX),
        }
    }

    /// The number of lines (a final line without a newline counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset where 1-based line `line` starts.
    pub fn line_start(&self, line: usize) -> Option<usize> {
        self.line_starts.get(line.checked_sub(1)?).copied()
    }

    /// The byte range of 1-based line `line`, without its line terminator.
    pub fn line_range(&self, text: &str, line: usize) -> Option<Range<usize>> {
        let start = *self.line_starts.get(line.checked_sub(1)?)?;
        let end = self
            .line_starts
            .get(line)
            .map_or(text.len(), |&next| next - 1);
        let end = if text.as_bytes().get(end.wrapping_sub(1)) == Some(&b'\r') && end > start {
            end - 1
        } else {
            end
        };
        Some(start..end.max(start))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_characters_and_lines() {
        let text = "FROM a\nRUN é x\r\nCMD";
        let index = LineIndex::new(text);
        assert_eq!(index.position(text, 0), Position { line: 1, column: 1 });
        assert_eq!(index.position(text, 7), Position { line: 2, column: 1 });
        // 'x' comes after a two-byte character.
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position { line: 2, column: 7 });
        assert_eq!(
            index.position(text, text.len()),
            Position { line: 3, column: 4 }
        );
        assert_eq!(index.position(text, 999), Position { line: 3, column: 4 });
        // Inside the two-byte 'é': that character.
        let e = text.find('é').unwrap();
        assert_eq!(index.position(text, e + 1), index.position(text, e));
        assert_eq!(index.line_start(2), Some(7));
        assert_eq!(index.line_start(0), None);
        assert_eq!(index.line_range(text, 2), Some(7..15));
        assert_eq!(index.line_range(text, 3), Some(17..20));
        assert_eq!(index.line_range(text, 4), None);
        assert_eq!(index.line_count(), 3);
    }

    #[test]
    fn levels_order_and_parse() {
        assert!(Level::Info < Level::Warning && Level::Warning < Level::Error);
        assert_eq!(Level::parse("STYLE"), Some(Level::Info));
        assert_eq!(Level::parse("bogus"), None);
        assert_eq!(Group::parse("across-files"), Some(Group::AcrossFiles));
    }
}
