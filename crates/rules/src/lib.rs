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
mod rule;
pub mod selection;

pub use context::Context;
pub use dockopt_diagnostic::{Diagnostic, FixSafety, Group, Level};
pub use rule::{Check, DefaultLevel, Edit, Finding, Findings, Fix, HasMeta, Rule, RuleMeta};

mod registry {
    include!(concat!(env!("OUT_DIR"), "/registry.rs"));
}

pub use registry::ALL;

/// The rule called `name`.
pub fn find(name: &str) -> Option<&'static dyn Rule> {
    ALL.iter().copied().find(|r| r.meta().name == name)
}
