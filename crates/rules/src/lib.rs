//! dockopt's lint rules and the engine that runs them.
//!
//! Each rule lives in its own file under `src/rules/`, declared with [`declare_rule!`]: its
//! doc comment is the documentation `dockopt explain` shows (what it detects, why it
//! matters, an example, the fix and its safety), and its [`Check`] asks the build model
//! questions; no rule parses text itself. The registry ([`ALL`]) is generated from the file
//! names, so a new rule needs one new file and its fixtures under
//! `tests/fixtures/<rule-name>/`, nothing else.

pub mod config;
mod context;
pub mod foreign_ids;
pub mod hadolint_config;
pub mod helpers;
mod lint;
mod pragma;
mod project;
mod rule;
pub mod selection;

pub use context::{Context, RunScript, ScriptOrigin, ScriptText};
pub use dockopt_diagnostic::{Diagnostic, FixSafety, Group, Level};
pub use lint::{
    lint_source, lint_source_deferring, lint_source_with, ExternalFilter, ExternalLinter, FileLint,
    LintSettings,
};
pub use pragma::is_shellcheck_code;
pub use project::{group_numbers, lint_sources, SourceFile, SourceLint};
pub use rule::{
    Check, DefaultLevel, Edit, Finding, Findings, Fix, HasMeta, ProjectFindings, Rule, RuleMeta,
};

mod registry {
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

pub use registry::ALL;

/// The rule called `name`.
pub fn find(name: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().name == name)
}

/// What a rule file needs, in one import.
pub mod prelude {
    pub use crate::context::{Context, RunScript, ScriptOrigin};
    pub use crate::declare_rule;
    pub use crate::rule::{Check, Edit, Findings, Fix, ProjectFindings};
    pub use dockopt_diagnostic::FixSafety;
    pub use dockopt_model::{EffectiveState, InstructionId};
    pub use dockopt_shell::pkg::{Manager, Meaning, Operation, PkgOp};
    pub use dockopt_syntax::{Args, Instruction, InstructionKind};
}
