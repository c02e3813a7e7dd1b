//! Text dumps of a parse: BuildKit's AST dump format and an indented tree dump.

use std::fmt::Write;

use crate::ast::{Args, Dockerfile, Instruction};
use crate::kind::{SyntaxElement, SyntaxNode};
use crate::text::go_quote;

/// BuildKit's `Node.Dump()` of the whole file, plus a final newline (the format of the
/// `result` files of BuildKit's parser tests).
pub fn buildkit_dump(file: &Dockerfile) -> String {
    let mut out = String::new();
    for ins in file.instructions() {
        out.push('(');
        out.push_str(&instruction_dump(ins));
        out.push_str(")\n");
    }
    out
}

/// BuildKit's dump of one instruction: `run ["--flag"] "arg"`.
pub fn instruction_dump(ins: &Instruction) -> String {
    let mut s = ins.keyword().to_lowercase();
    if !ins.flags().is_empty() {
        let flags: Vec<String> = ins
            .flags()
            .iter()
            .map(|f| go_quote(&go_byte_runes(&f.raw)))
            .collect();
        let _ = write!(s, " [{}]", flags.join(" "));
    }
    if let Args::Onbuild(inner) = ins.args() {
        let _ = write!(s, " ({})", instruction_dump(inner));
    } else {
        for v in ins.buildkit_values() {
            s.push(' ');
            s.push_str(&go_quote(v));
        }
    }
    s.trim_matches(char::is_whitespace).to_owned()
}

/// BuildKit builds flag words byte by byte, turning each byte into a rune: bytes above
/// 0x7f come out as the Latin-1 character of the same value.
fn go_byte_runes(s: &str) -> String {
    s.bytes().map(char::from).collect()
}

/// An indented dump of the lossless tree: `KIND@start..end` per node, and the text of
/// each token.
pub fn tree_dump(root: &SyntaxNode) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for event in root.preorder_with_tokens() {
        match event {
            rowan::WalkEvent::Enter(el) => {
                let indent = "  ".repeat(depth);
                match &el {
                    SyntaxElement::Node(n) => {
                        let _ = writeln!(out, "{indent}{:?}@{:?}", n.kind(), n.text_range());
                        depth += 1;
                    }
                    SyntaxElement::Token(t) => {
                        let _ = writeln!(
                            out,
                            "{indent}{:?}@{:?} {:?}",
                            t.kind(),
                            t.text_range(),
                            t.text()
                        );
                    }
                }
            }
            rowan::WalkEvent::Leave(SyntaxElement::Node(_)) => depth = depth.saturating_sub(1),
            rowan::WalkEvent::Leave(_) => {}
        }
    }
    out
}
