//! `dockopt fix`: applies the rules' fixes to a Dockerfile as text edits on the original
//! bytes, pass after pass until nothing changes, checks every result, and writes atomically.
//!
//! Guarantees:
//! - a file with parse errors is never touched;
//! - the output is parsed again before it is written; if it does not parse, or if an
//!   instruction that no fix edited changed (say an edit joined two lines), nothing is
//!   written and the error names the rule;
//! - everything else about the file stays: line endings (LF or CRLF), a BOM, the presence or
//!   absence of a final newline, and its permissions ([`write_atomic`]).

mod apply;
mod verify;
mod write;

use std::path::Path;

use dockopt_diagnostic::{FileError, FixSafety};
use dockopt_rules::{lint_source, FileLint, Fix, LintSettings};

pub use apply::{apply_edits, LineEndings};
pub use verify::check_untouched_instructions;
pub use write::write_atomic;

/// How far fixing may go.
#[derive(Debug, Clone, Copy)]
pub struct FixOptions {
    /// Also apply fixes that may change behaviour.
    pub unsafe_fixes: bool,
    /// Fixing stops after this many passes even if more fixes keep appearing.
    pub max_passes: usize,
}

impl Default for FixOptions {
    fn default() -> FixOptions {
        FixOptions {
            unsafe_fixes: false,
            max_passes: 10,
        }
    }
}

/// A fix that was applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub rule: String,
    pub description: String,
    pub safety: FixSafety,
}

/// What fixing one file gave.
#[derive(Debug)]
pub struct FixOutcome {
    /// The fixed text (equal to the input when nothing applied).
    pub text: String,
    pub applied: Vec<Applied>,
    pub passes: usize,
    /// The findings left in the fixed text.
    pub remaining: FileLint,
}

impl FixOutcome {
    pub fn changed(&self) -> bool {
        !self.applied.is_empty()
    }
}

/// Why a file was not fixed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixError {
    /// The input does not parse: nothing is ever written for it.
    Unparseable(Vec<FileError>),
    /// A rule's fix produced text that does not parse, or that changed instructions it did
    /// not edit.
    BadFix { rule: String, message: String },
}

impl std::fmt::Display for FixError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FixError::Unparseable(errors) => {
                write!(f, "the file does not parse, so it is not fixed")?;
                if let Some(first) = errors.first() {
                    write!(f, ": {}", first.message)?;
                }
                Ok(())
            }
            FixError::BadFix { rule, message } => {
                write!(
                    f,
                    "the fix of `{rule}` would break the file ({message}); nothing was written"
                )
            }
        }
    }
}

impl std::error::Error for FixError {}

/// Fixes `text` (the content of `path`) and returns the result; writes nothing.
pub fn fix_source(
    path: &Path,
    text: &str,
    settings: &LintSettings<'_>,
    options: FixOptions,
) -> Result<FixOutcome, FixError> {
    let endings = LineEndings::of(text);
    let mut current = text.to_string();
    let mut applied = Vec::new();
    let mut passes = 0;
    loop {
        let lint = lint_source(path, &current, settings);
        if !lint.errors.is_empty() {
            if passes == 0 {
                return Err(FixError::Unparseable(lint.errors));
            }
            // Verified before, so this cannot happen; refuse rather than write.
            return Err(FixError::BadFix {
                rule: applied
                    .last()
                    .map_or_else(String::new, |a: &Applied| a.rule.clone()),
                message: "the fixed text no longer parses".into(),
            });
        }
        let fixes: Vec<(&str, &Fix)> = lint
            .findings
            .iter()
            .filter_map(|f| f.fix.as_ref().map(|fix| (f.diagnostic.rule.as_str(), fix)))
            .filter(|(_, fix)| match fix.safety {
                FixSafety::Safe => true,
                FixSafety::Unsafe => options.unsafe_fixes,
                FixSafety::None => false,
            })
            .filter(|(_, fix)| !fix.edits.is_empty())
            .collect();
        if fixes.is_empty() || passes >= options.max_passes {
            return Ok(FixOutcome {
                text: current,
                applied,
                passes,
                remaining: lint,
            });
        }
        let chosen = apply::choose_non_overlapping(&fixes);
        let next = apply_edits(
            &current,
            chosen.iter().flat_map(|(_, fix)| fix.edits.iter()),
            endings,
        );
        if let Err(message) = verify::verify(&current, &next, &chosen) {
            // Find which fix is to blame, to name it.
            let rule = chosen
                .iter()
                .find(|(_, fix)| {
                    let alone = apply_edits(&current, fix.edits.iter(), endings);
                    verify::verify(&current, &alone, &[("", fix)]).is_err()
                })
                .map_or_else(|| chosen[0].0.to_string(), |(rule, _)| rule.to_string());
            return Err(FixError::BadFix { rule, message });
        }
        if next == current {
            return Ok(FixOutcome {
                text: current,
                applied,
                passes,
                remaining: lint,
            });
        }
        applied.extend(chosen.iter().map(|(rule, fix)| Applied {
            rule: rule.to_string(),
            description: fix.description.clone(),
            safety: fix.safety,
        }));
        current = next;
        passes += 1;
    }
}

/// A unified diff between the original and the fixed text.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}
