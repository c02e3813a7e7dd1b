//! Problems found while building the model: what BuildKit would stop the build for.

use dockopt_syntax::Range as TextRange;

/// A problem with one instruction (or the file) that BuildKit would fail the build on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelError {
    /// The instruction concerned, if any.
    pub instruction: Option<usize>,
    /// Where in the source.
    pub range: Option<TextRange>,
    /// What is wrong.
    pub message: String,
}
