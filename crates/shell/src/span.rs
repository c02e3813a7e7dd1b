//! Byte spans into the parsed script, and the translation from the parser's character
//! positions to byte offsets.

use std::ops::Range;

/// A half-open byte range `start..end` into the script text given to [`crate::Script::parse`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// A span from `start` to `end`; a reversed pair is normalised to an empty span at `start`.
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start,
            end: end.max(start),
        }
    }

    /// The byte range, for slicing the source.
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }

    /// Whether `other` lies entirely inside this span.
    pub fn contains(self, other: Span) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// The smallest span covering both.
    pub fn cover(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// The text of this span in `src` (empty when the span does not fall on char boundaries).
    pub fn text(self, src: &str) -> &str {
        src.get(self.range()).unwrap_or("")
    }
}

/// Maps character indices of a (possibly nested, rewritten) text to byte offsets of the
/// top-level script. The parser reports character positions, and nested command
/// substitutions are parsed from extracted strings, so every position goes through this.
#[derive(Clone, Debug)]
pub(crate) struct OffsetMap {
    /// `table[i]` is the absolute byte offset of character `i`; one extra entry for the end.
    table: Vec<usize>,
}

impl OffsetMap {
    /// The identity map for the top-level source.
    pub(crate) fn for_source(src: &str) -> Self {
        let mut table: Vec<usize> = src.char_indices().map(|(i, _)| i).collect();
        table.push(src.len());
        Self { table }
    }

    /// Byte offset of character index `i`, clamped to the end.
    pub(crate) fn at(&self, i: usize) -> usize {
        match self.table.get(i) {
            Some(b) => *b,
            None => self.table.last().copied().unwrap_or(0),
        }
    }

    /// Span for the character range `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.at(start), self.at(end))
    }

    /// A map for `inner`, a string the parser derived from the bytes `within` of `src`:
    /// the characters of `inner` are matched in order against that text, skipping what the
    /// parser removed (line continuations, quoting backslashes). When `inner` is not a
    /// subsequence of it, every position falls back to the start of `within`.
    pub(crate) fn align(src: &str, within: Span, inner: &str) -> Self {
        let raw = within.text(src);
        let mut raw_chars = raw.char_indices().peekable();
        let mut table = Vec::with_capacity(inner.len() + 1);
        for c in inner.chars() {
            let mut found = None;
            for (i, rc) in raw_chars.by_ref() {
                if rc == c {
                    found = Some(i);
                    break;
                }
            }
            match found {
                Some(i) => table.push(within.start + i),
                None => {
                    let n = inner.chars().count();
                    let mut table = vec![within.start; n];
                    table.push(within.end);
                    return Self { table };
                }
            }
        }
        let end = raw_chars
            .peek()
            .map_or(within.end, |(i, _)| within.start + i);
        // Trailing characters the parser dropped (a closing quote) still belong to the text.
        table.push(if table.is_empty() {
            within.start
        } else {
            end.max(within.start)
        });
        Self { table }
    }

    /// Number of characters mapped.
    pub(crate) fn char_len(&self) -> usize {
        self.table.len().saturating_sub(1)
    }
}

/// Converts a byte offset within `s` to a character index (clamped).
pub(crate) fn byte_to_char(s: &str, byte: usize) -> usize {
    s.char_indices().take_while(|(i, _)| *i < byte).count()
}
