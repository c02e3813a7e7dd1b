//! Byte offsets to 1-based line and column numbers.

use rowan::TextSize;

/// Maps byte offsets to 1-based lines and columns (columns count characters, not bytes).
///
/// Lines end at `\n`; a `\r` before it belongs to the line's ending, as in BuildKit's line
/// numbering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset where each line starts.
    starts: Vec<u32>,
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
        let mut starts = vec![0];
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| (i + 1) as u32),
        );
        LineIndex {
            starts,
            text: text.to_owned(),
        }
    }

    /// Number of lines (a final line ending starts an empty last line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// Line and column of `offset`. Offsets past the end map to the end; an offset inside a
    /// multi-byte character maps to that character.
    pub fn line_col(&self, offset: TextSize) -> LineCol {
        let offset = u32::from(offset).min(self.text.len() as u32);
        let line = self.starts.partition_point(|&s| s <= offset).max(1);
        let start = self.starts.get(line - 1).copied().unwrap_or(0) as usize;
        let mut end = offset as usize;
        while end > start && !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let col = self.text.get(start..end).map_or(0, |s| s.chars().count());
        LineCol {
            line: line as u32,
            col: col as u32 + 1,
        }
    }

    /// Byte offset where 1-based `line` starts.
    pub fn line_start(&self, line: u32) -> Option<TextSize> {
        let i = usize::try_from(line).ok()?.checked_sub(1)?;
        self.starts.get(i).map(|&s| TextSize::from(s))
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
