//! Builds an instruction's subtree from its tokens and the (nested) ranges of its parts.

use rowan::GreenNodeBuilder;

use crate::kind::SyntaxKind;

/// A lexical token: kind and byte range in the source.
pub(crate) type Tok = (SyntaxKind, usize, usize);

/// A node to create over `start..end`; `depth` orders nodes with equal ranges (outer
/// first).
#[derive(Debug, Clone, Copy)]
pub(crate) struct SpanNode {
    pub kind: SyntaxKind,
    pub start: usize,
    pub end: usize,
    pub depth: u32,
}

/// Emits `toks` (contiguous) into `builder`, wrapping them in the nodes of `spans`.
/// Tokens are split where a node starts or ends inside them. A span that crosses another
/// span's boundary is clipped (it starts where the earlier one ended), so the tree is
/// always well-formed and always covers exactly the tokens' text, in order.
pub(crate) fn emit(
    builder: &mut GreenNodeBuilder<'static>,
    text: &str,
    toks: &[Tok],
    spans: &[SpanNode],
) {
    let mut sorted: Vec<SpanNode> = spans.iter().copied().filter(|s| s.start <= s.end).collect();
    sorted.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.end.cmp(&a.end))
            .then(a.depth.cmp(&b.depth))
    });
    // Keep only spans that nest properly, recording each one's parent.
    let mut kept: Vec<SpanNode> = Vec::new();
    let mut children: Vec<Vec<usize>> = Vec::new();
    let mut roots: Vec<usize> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    for s in sorted {
        while let Some(&top) = stack.last() {
            let t = kept[top];
            if t.start <= s.start && s.end <= t.end {
                break;
            }
            stack.pop();
        }
        let id = kept.len();
        kept.push(s);
        children.push(Vec::new());
        match stack.last() {
            Some(&top) => children[top].push(id),
            None => roots.push(id),
        }
        stack.push(id);
    }
    let mut cursor = Cursor {
        text,
        toks,
        index: 0,
        pos: toks.first().map_or(0, |t| t.1),
    };
    // Iterative walk so deep nesting cannot exhaust the stack.
    enum Step {
        Open(usize),
        Close(usize),
    }
    let mut work: Vec<Step> = roots.iter().rev().map(|&r| Step::Open(r)).collect();
    while let Some(step) = work.pop() {
        match step {
            Step::Open(id) => {
                let s = kept[id];
                cursor.emit_until(builder, s.start);
                builder.start_node(s.kind.into());
                work.push(Step::Close(id));
                for &c in children[id].iter().rev() {
                    work.push(Step::Open(c));
                }
            }
            Step::Close(id) => {
                cursor.emit_until(builder, kept[id].end);
                builder.finish_node();
            }
        }
    }
    cursor.emit_until(builder, usize::MAX);
}

struct Cursor<'a> {
    text: &'a str,
    toks: &'a [Tok],
    index: usize,
    pos: usize,
}

impl Cursor<'_> {
    fn emit_until(&mut self, builder: &mut GreenNodeBuilder<'static>, limit: usize) {
        while let Some(&(kind, _, end)) = self.toks.get(self.index) {
            if self.pos >= limit {
                return;
            }
            let stop = end.min(limit);
            if let Some(piece) = self.text.get(self.pos..stop) {
                if !piece.is_empty() {
                    builder.token(kind.into(), piece);
                }
            }
            self.pos = stop;
            if stop >= end {
                self.index += 1;
            }
        }
    }
}
