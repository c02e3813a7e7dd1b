//! Text assembled from pieces of the source (a logical line with its continuations
//! removed), remembering where each byte came from.

use rowan::{TextRange, TextSize};

/// Text built from pieces of the source file, with the source offset of every byte.
///
/// BuildKit joins the physical lines of an instruction into one logical line: the escape
/// character ending a line and the blanks after it are dropped, comment lines and empty
/// lines inside the continuation are skipped, and nothing is inserted between lines. The
/// joined text is what BuildKit (and a shell) sees; [`JoinedText::source_offset`] maps any
/// byte of it back to the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JoinedText {
    text: String,
    /// `map[i]` is the source offset of `text` byte `i`.
    map: Vec<u32>,
}

impl JoinedText {
    /// The joined text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Source offset of every byte of the joined text (`len() == as_str().len()`).
    pub fn offsets(&self) -> &[u32] {
        &self.map
    }

    /// Source offset of joined byte `index`; `index == len` maps to just after the last byte.
    pub fn source_offset(&self, index: usize) -> Option<TextSize> {
        if let Some(&off) = self.map.get(index) {
            return Some(TextSize::from(off));
        }
        if index == self.map.len() {
            return self.map.last().map(|&off| TextSize::from(off + 1));
        }
        None
    }

    /// Source range covering joined bytes `start..end` (from the first byte's offset to just
    /// after the last byte). An empty range maps to an empty range at `start`.
    pub fn source_range(&self, start: usize, end: usize) -> Option<TextRange> {
        if start >= end {
            let at = self.source_offset(start)?;
            return Some(TextRange::empty(at));
        }
        let first = *self.map.get(start)?;
        let last = *self.map.get(end - 1)?;
        Some(TextRange::new(
            TextSize::from(first),
            TextSize::from(last + 1),
        ))
    }

    /// The part `start..end` of this text, keeping its source offsets.
    pub fn slice(&self, start: usize, end: usize) -> JoinedText {
        let end = end.min(self.text.len());
        let start = start.min(end);
        match (self.text.get(start..end), self.map.get(start..end)) {
            (Some(text), Some(map)) => JoinedText {
                text: text.to_owned(),
                map: map.to_vec(),
            },
            _ => JoinedText::default(),
        }
    }

    pub(crate) fn push(&mut self, piece: &str, source_start: usize) {
        self.text.push_str(piece);
        let start = source_start as u32;
        self.map.extend((0..piece.len() as u32).map(|i| start + i));
    }
}
