//! The rustc-style report for people.

use annotate_snippets::renderer::DecorStyle;
use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};

use crate::{locate, FileResult, Item, Level, RenderOptions};

pub fn render(files: &[FileResult<'_>], options: RenderOptions) -> String {
    let renderer = if options.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
    .decor_style(DecorStyle::Ascii);
    let mut out = String::new();
    for file in files {
        for located in locate(file) {
            let text = match located.item {
                Item::Error(error) => {
                    let title = SnippetLevel::ERROR.primary_title(error.message.as_str());
                    match &error.range {
                        Some(range) => {
                            let (excerpt, span) = excerpt(file.source, range);
                            renderer.render(&[title.element(
                                Snippet::source(excerpt)
                                    .line_start(located.start.line as usize)
                                    .path(file.path)
                                    .annotation(AnnotationKind::Primary.span(span)),
                            )])
                        }
                        None => renderer.render(&[Group::with_title(
                            SnippetLevel::ERROR
                                .primary_title(format!("{}: {}", file.path, error.message)),
                        )]),
                    }
                }
                Item::Diagnostic(diagnostic) => {
                    let level = match diagnostic.level {
                        Level::Error => SnippetLevel::ERROR,
                        Level::Warning => SnippetLevel::WARNING,
                        Level::Info => SnippetLevel::INFO,
                    };
                    let (excerpt, span) = excerpt(file.source, &diagnostic.range);
                    let mut report = vec![level
                        .primary_title(diagnostic.message.as_str())
                        .id(diagnostic.rule.as_str())
                        .element(
                            Snippet::source(excerpt)
                                .line_start(located.start.line as usize)
                                .path(file.path)
                                .annotation(AnnotationKind::Primary.span(span)),
                        )];
                    if let Some(help) = &diagnostic.help {
                        report.push(Group::with_title(
                            SnippetLevel::HELP.secondary_title(help.as_str()),
                        ));
                    }
                    renderer.render(&report)
                }
            };
            out.push_str(&text);
            out.push_str("\n\n");
        }
    }
    out
}

/// The whole lines a range covers, and the range relative to them: the renderer then only
/// looks at those lines, however long the file is.
fn excerpt<'s>(
    source: &'s str,
    range: &std::ops::Range<usize>,
) -> (&'s str, std::ops::Range<usize>) {
    let span = clamp(source, range);
    let first = source[..span.start].rfind('\n').map_or(0, |i| i + 1);
    let last_byte = if span.end > span.start {
        span.end - 1
    } else {
        span.start
    };
    let end = source[last_byte.min(source.len())..]
        .find('\n')
        .map_or(source.len(), |i| last_byte + i);
    let end = end.max(span.end).min(source.len());
    (&source[first..end], span.start - first..span.end - first)
}

/// A byte range that is inside `source` and on character boundaries.
fn clamp(source: &str, range: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let mut start = range.start.min(source.len());
    while !source.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = range.end.clamp(start, source.len());
    while !source.is_char_boundary(end) {
        end += 1;
    }
    start..end
}
