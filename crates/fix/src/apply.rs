//! Applying edits to text.

use std::ops::Range;

use dockopt_rules::{Edit, Fix};

/// The line ending a file uses, so inserted lines match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEndings {
    Lf,
    CrLf,
}

impl LineEndings {
    /// CRLF when most line breaks of `text` are CRLF.
    pub fn of(text: &str) -> LineEndings {
        let crlf = text.matches("\r\n").count();
        let lf = text.matches('\n').count();
        if crlf > 0 && crlf * 2 >= lf {
            LineEndings::CrLf
        } else {
            LineEndings::Lf
        }
    }

    fn convert(self, text: &str) -> String {
        match self {
            LineEndings::Lf => text.to_string(),
            LineEndings::CrLf => {
                let mut out = String::with_capacity(text.len() + 8);
                let mut previous = '\0';
                for c in text.chars() {
                    if c == '\n' && previous != '\r' {
                        out.push('\r');
                    }
                    out.push(c);
                    previous = c;
                }
                out
            }
        }
    }
}

/// Fixes whose edits do not overlap, in order of their first edit; a fix that overlaps one
/// already chosen waits for the next pass. Two insertions at the same offset overlap too, so
/// their order never depends on chance.
pub fn choose_non_overlapping<'a>(fixes: &[(&'a str, &'a Fix)]) -> Vec<(&'a str, &'a Fix)> {
    let mut sorted: Vec<(&str, &Fix)> = fixes.to_vec();
    sorted.sort_by_key(|(_, fix)| fix.edits.iter().map(|e| (e.range.start, e.range.end)).min());
    let mut taken: Vec<Range<usize>> = Vec::new();
    let mut chosen = Vec::new();
    for (rule, fix) in sorted {
        let clashes = fix
            .edits
            .iter()
            .any(|e| taken.iter().any(|t| overlaps(&e.range, t)))
            || fix.edits.iter().enumerate().any(|(i, a)| {
                fix.edits
                    .iter()
                    .skip(i + 1)
                    .any(|b| overlaps(&a.range, &b.range))
            });
        if clashes {
            continue;
        }
        taken.extend(fix.edits.iter().map(|e| e.range.clone()));
        chosen.push((rule, fix));
    }
    chosen
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    (a.start < b.end && b.start < a.end) || (a.start == b.start && (a.is_empty() || b.is_empty()))
}

/// Applies non-overlapping `edits` to `text`; inserted line breaks follow `endings`. Edits
/// outside the text or not on character boundaries are ignored.
pub fn apply_edits<'e>(
    text: &str,
    edits: impl IntoIterator<Item = &'e Edit>,
    endings: LineEndings,
) -> String {
    let mut edits: Vec<&Edit> = edits
        .into_iter()
        .filter(|e| {
            e.range.start <= e.range.end
                && e.range.end <= text.len()
                && text.is_char_boundary(e.range.start)
                && text.is_char_boundary(e.range.end)
        })
        .collect();
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    for edit in edits {
        if edit.range.start < at {
            continue;
        }
        out.push_str(&text[at..edit.range.start]);
        out.push_str(&endings.convert(&edit.replacement));
        at = edit.range.end;
    }
    out.push_str(&text[at..]);
    out
}
