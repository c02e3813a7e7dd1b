//! Byte offsets to 1-based line and column numbers.

use rowan::TextSize;

/// Maps byte offsets to 1-based lines and columns (columns count characters, not bytes).
///
/// Lines end at `\n`; a `\r` before it belongs to the line's ending, as in BuildKit's line
/// numbering. The text is kept, so that a syntax tree's offsets can be mapped alone; the line
/// arithmetic is [`dockopt_diagnostic::LineIndex`]'s.
#[derive(Debug, Clone)]
pub struct LineIndex {
    lines: dockopt_diagnostic::LineIndex,
    text: String,
}

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> LineIndex {
        LineIndex {
            lines: dockopt_diagnostic::LineIndex::new(text),
            text: text.to_owned(),
        }
    }

    /// Number of lines (a final line ending starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.lines.line_count()
    }

    /// Line and column of `offset`. Offsets past the end map to the end; an offset inside a
    /// multi-byte character maps to that character.
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let p = self.lines.position(&self.text, u32::from(offset) as usize);
        LineCol {
            line: p.line,
            col: p.column,
        }
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: u32) -> Option<TextSize> {
        let start = self.lines.line_start(usize::try_from(line).ok()?)?;
        u32::try_from(start).ok().map(TextSize::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_char_columns() {
        let idx = LineIndex::new("ab\r\nçd\nx");
        assert_eq!(idx.line_col(TextSize::from(0)), LineCol { line: 1, col: 1 });
        assert_eq!(idx.line_col(TextSize::from(4)), LineCol { line: 2, col: 1 });
        assert_eq!(idx.line_col(TextSize::from(6)), LineCol { line: 2, col: 2 });
        assert_eq!(idx.line_col(TextSize::from(5)), LineCol { line: 2, col: 1 });
        assert_eq!(idx.line_col(TextSize::from(9)), LineCol { line: 3, col: 2 });
        assert_eq!(
            idx.line_col(TextSize::from(99)),
            LineCol { line: 3, col: 2 }
        );
        assert_eq!(idx.line_start(3), Some(TextSize::from(8)));
    }
}
