//! Lossless Dockerfile syntax: every byte of the input is kept, so printing the tree gives
//! back the input exactly and fixes can be plain text edits on byte ranges.
//!
//! The file is read exactly as BuildKit's Dockerfile parser reads it: parser directives
//! (`# syntax=`, `# escape=`, `# check=`) only in the leading comment lines, line
//! continuations with the current escape character (comment and empty lines inside a
//! continuation are skipped), heredocs on RUN/COPY/ADD, exec (JSON) versus shell form,
//! builder flags, and the per-instruction argument rules.
//!
//! [`parse`] never fails and never panics: it returns a [`Parse`] holding
//!
//! * the lossless tree ([`Parse::syntax`], a [rowan] tree of [`SyntaxKind`] nodes and
//!   tokens; `parse.syntax().to_string() == input` for every input),
//! * the typed model ([`Parse::dockerfile`]): directives, instructions with their flags,
//!   arguments, key/value pairs, heredocs and build stages, each with its byte range,
//! * errors ([`Parse::errors`]: what makes BuildKit's parser fail, plus unknown
//!   instructions) and warnings ([`Parse::warnings`]: empty continuation lines and flag
//!   problems BuildKit reports when it builds). Parsing always goes on after an error.
//!
//! Byte ranges become 1-based line and column numbers through [`LineIndex`].
//!
//! ```
//! use dockopt_syntax::{parse, Args, InstructionKind};
//!
//! let text = "# syntax=docker/dockerfile:1\nFROM alpine AS base\n\
//!             RUN --mount=type=cache,target=/var/cache/apk \\\n    apk add curl\n\
//!             COPY <<EOF /etc/motd\nhello\nEOF\n";
//! let parse = parse(text);
//! assert!(parse.errors().is_empty());
//! assert_eq!(parse.to_string(), text); // lossless
//!
//! let file = parse.dockerfile();
//! assert_eq!(file.directive("syntax").map(|d| d.value.as_str()), Some("docker/dockerfile:1"));
//! let ins: Vec<_> = file.instructions().collect();
//! assert_eq!(ins[0].from_args().and_then(|f| f.name).map(|a| a.value.as_str()), Some("base"));
//!
//! // Shell form: the joined command and where each byte came from.
//! let run = ins[1];
//! assert_eq!(run.kind(), InstructionKind::Run);
//! let shell = run.shell_form().expect("shell form");
//! assert_eq!(shell.as_str(), "apk add curl");
//! let at = shell.text.source_offset(0).expect("mapped");
//! let lc = parse.line_index().line_col(at);
//! assert_eq!((lc.line, lc.col), (4, 5));
//! assert_eq!(run.mounts()[0].target.as_deref(), Some("/var/cache/apk"));
//!
//! // Heredocs.
//! let h = &ins[2].heredocs()[0];
//! assert_eq!((h.name.as_str(), h.body().as_str()), ("EOF", "hello\n"));
//! assert!(matches!(ins[2].args(), Args::Words(_)));
//! ```

mod ast;
mod directives;
mod dump;
pub mod expand;
mod flags;
mod heredoc_lex;
mod joined;
mod json;
mod json_out;
mod kind;
mod line_index;
mod line_parse;
mod parser;
mod text;
mod tree;

use std::fmt;

use rowan::{GreenNode, TextRange};

pub use ast::{
    Args, Argument, CopyArgs, Directive, Dockerfile, ExecForm, Flag, Form, FromArgs, Healthcheck,
    Heredoc, Instruction, InstructionKind, KeyValue, ShellForm, Stage,
};
pub use dump::{buildkit_dump, instruction_dump, tree_dump};
pub use flags::{
    flag_bool, mount_type_name, CopyFlags, HealthcheckFlags, Mount, MountOption, MountType,
    RunFlags,
};
pub use joined::JoinedText;
pub use json_out::{to_json, JSON_FORMAT_VERSION};
pub use kind::{DockerfileLanguage, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};
pub use line_index::{LineCol, LineIndex};
pub use rowan::{TextRange as Range, TextSize};
pub use text::go_quote;

/// A problem found while parsing: a plain message and the byte range it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    message: String,
    range: TextRange,
}

impl SyntaxError {
    pub(crate) fn new(message: impl Into<String>, range: TextRange) -> SyntaxError {
        SyntaxError {
            message: message.into(),
            range,
        }
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The byte range the problem is about.
    pub fn range(&self) -> TextRange {
        self.range
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The result of parsing a Dockerfile: lossless tree, typed model, errors and warnings.
#[derive(Debug, Clone)]
pub struct Parse {
    green: GreenNode,
    text: String,
    file: Dockerfile,
    errors: Vec<SyntaxError>,
    warnings: Vec<SyntaxError>,
}

/// Parses Dockerfile text. Never fails; problems are in [`Parse::errors`].
pub fn parse(text: &str) -> Parse {
    let out = parser::parse(text);
    Parse {
        green: out.green,
        text: text.to_owned(),
        file: out.file,
        errors: out.errors,
        warnings: out.warnings,
    }
}

impl Parse {
    /// The root node of the lossless tree.
    pub fn syntax(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    /// The green (immutable, thread-safe) tree.
    pub fn green(&self) -> &GreenNode {
        &self.green
    }

    /// The typed model.
    pub fn dockerfile(&self) -> &Dockerfile {
        &self.file
    }

    /// Errors: what makes BuildKit's parser reject the file, and unknown instructions.
    pub fn errors(&self) -> &[SyntaxError] {
        &self.errors
    }

    /// Warnings: empty continuation lines, and flag problems (unknown or repeated flags,
    /// bad `--mount` options, bad `--network`/`--security` values, FROM argument count)
    /// that BuildKit reports when it builds.
    pub fn warnings(&self) -> &[SyntaxError] {
        &self.warnings
    }

    /// The parsed text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// A line index over the parsed text.
    pub fn line_index(&self) -> LineIndex {
        LineIndex::new(&self.text)
    }

    /// BuildKit's AST dump (`--format buildkit`).
    pub fn buildkit_dump(&self) -> String {
        buildkit_dump(&self.file)
    }

    /// Indented dump of the lossless tree.
    pub fn tree_dump(&self) -> String {
        tree_dump(&self.syntax())
    }

    /// The documented JSON description (see `JSON.md`).
    pub fn to_json(&self) -> serde_json::Value {
        to_json(self)
    }
}

/// Prints the tree's text, which is the input byte for byte.
impl fmt::Display for Parse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.syntax(), f)
    }
}
