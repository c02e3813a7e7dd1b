//! Checking a fixed text before it may be written.

use std::ops::Range;

use dockopt_rules::Fix;

/// The fixed text must parse, keep the BOM and final-newline state of the original, and
/// every instruction no edit touched must still be there, unchanged and in order.
pub fn verify(before: &str, after: &str, fixes: &[(&str, &Fix)]) -> Result<(), String> {
    let parse = dockopt_syntax::parse(after);
    if let Some(error) = parse.errors().first() {
        return Err(format!("the result does not parse: {}", error.message()));
    }
    if before.starts_with('\u{feff}') != after.starts_with('\u{feff}') {
        return Err("the byte order mark would change".into());
    }
    if before.ends_with('\n') != after.ends_with('\n') {
        return Err("the final newline would change".into());
    }
    let edited: Vec<Range<usize>> = fixes
        .iter()
        .flat_map(|(_, fix)| fix.edits.iter().map(|e| e.range.clone()))
        .collect();
    check_untouched_instructions(before, after, &edited)
}

/// Every instruction of `before` that no range of `edited` touches appears in `after` with the
/// same text, in the same order.
pub fn check_untouched_instructions(
    before: &str,
    after: &str,
    edited: &[Range<usize>],
) -> Result<(), String> {
    let old = dockopt_syntax::parse(before);
    let new = dockopt_syntax::parse(after);
    let new_texts: Vec<&str> = new
        .dockerfile()
        .instructions()
        .filter_map(|i| after.get(usize::from(i.range().start())..usize::from(i.range().end())))
        .collect();
    let mut cursor = 0;
    for instruction in old.dockerfile().instructions() {
        let range =
            usize::from(instruction.range().start())..usize::from(instruction.range().end());
        let touched = edited.iter().any(|e| {
            e.start <= range.end
                && range.start <= e.end
                && !(e.is_empty() && (e.start == range.start))
        });
        if touched {
            continue;
        }
        let Some(text) = before.get(range) else {
            continue;
        };
        match new_texts[cursor..].iter().position(|t| *t == text) {
            Some(found) => cursor += found + 1,
            None => {
                let line = before[..usize::from(instruction.range().start())]
                    .matches('\n')
                    .count()
                    + 1;
                return Err(format!(
                    "the instruction on line {line} would change although no fix edited it"
                ));
            }
        }
    }
    Ok(())
}
