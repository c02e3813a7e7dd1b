use std::ops::Range;

use crate::helpers::size::line_of;
use crate::helpers::style::range;
use crate::prelude::*;
use dockopt_syntax::{SyntaxElement, SyntaxKind};

declare_rule! {
    /// ## What it does
    /// Reports empty lines inside an instruction continued with the escape character
    /// (`\`, or `` ` `` with `# escape=` `` ` ``). Comment lines there are fine; empty
    /// lines of a heredoc body are content, not continuation lines.
    ///
    /// ## Why it matters
    /// The builder skips the empty line and goes on with the same instruction, while a
    /// reader takes the next line for a new one. BuildKit deprecates the syntax, warns on
    /// every build, and will reject it in a future release.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// EXPOSE \
    ///
    /// 80
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine
    /// EXPOSE \
    /// 80
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the empty lines are deleted; the builder already ignored them.
    pub struct EmptyContinuation {
        name: "empty-continuation",
        group: Style,
        level: Info,
        aliases: ["NoEmptyContinuation"],
        fix: Safe,
        summary: "An empty line inside a continued instruction",
    }
}

impl Check for EmptyContinuation {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let root = ctx.parse.syntax();
        for warning in ctx.parse.warnings() {
            if warning.message() != "empty continuation line" {
                continue;
            }
            let at = range(warning.range());
            let Some((_, ins)) = ctx
                .instructions()
                .find(|(_, i)| range(i.range()).contains(&at.start))
            else {
                continue;
            };
            let lines = ins
                .syntax(&root)
                .map(|node| empty_lines(&node))
                .unwrap_or_default();
            let count = lines.len().max(1);
            let keyword = ins.keyword();
            let line = line_of(ctx.source, at.start);
            let finding = out.report(
                range(ins.keyword_range()),
                format!(
                    "empty continuation line at line {line}{}: the builder joins what follows \
                     to this `{keyword}`",
                    if count > 1 {
                        format!(" (and {} more)", count - 1)
                    } else {
                        String::new()
                    }
                ),
            );
            finding.help("delete the empty line, or turn it into a comment");
            if !lines.is_empty() {
                finding.fix(Fix {
                    safety: FixSafety::Safe,
                    description: format!(
                        "delete {count} empty line{}",
                        if count == 1 { "" } else { "s" }
                    ),
                    edits: lines.into_iter().map(Edit::delete).collect(),
                });
            }
        }
    }
}

/// The whole empty lines (blanks and line ending) of an instruction's continuation lines:
/// a line ending followed by nothing but blanks and another line ending, outside heredoc
/// bodies.
fn empty_lines(node: &dockopt_syntax::SyntaxNode) -> Vec<Range<usize>> {
    let tokens: Vec<_> = node
        .descendants_with_tokens()
        .filter_map(|e| match e {
            SyntaxElement::Token(t) => Some(t),
            SyntaxElement::Node(_) => None,
        })
        .filter(|t| {
            !t.parent_ancestors()
                .any(|p| matches!(p.kind(), SyntaxKind::HEREDOC_BODY | SyntaxKind::HEREDOC_END))
        })
        .collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        if tokens[i].kind() != SyntaxKind::NEWLINE {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        if tokens
            .get(j)
            .is_some_and(|t| t.kind() == SyntaxKind::WHITESPACE)
        {
            j += 1;
        }
        match tokens.get(j) {
            Some(t) if t.kind() == SyntaxKind::NEWLINE => {
                let start = usize::from(tokens[i].text_range().end());
                let end = usize::from(t.text_range().end());
                out.push(start..end);
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}
