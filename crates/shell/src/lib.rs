//! The shell model of dockopt: the commands inside a Dockerfile `RUN` (shell form, heredoc
//! body, or the `-c` argument of an exec-form shell) as a tree of lists, and-or chains,
//! pipelines, simple and compound commands with byte spans into the script, plus the
//! package-manager operations those commands perform ([`pkg`]).
//!
//! Parsing is done by `brush-parser` rather than `yash-syntax`: brush-parser is MIT
//! licensed (yash-syntax is GPL-3.0, which dockopt's Apache-2.0 licence cannot take in),
//! has a plain synchronous API (yash-syntax's parser is `async`), records a source span on
//! every word and compound command, understands bash syntax (`[[ ]]`, `<<<`, process
//! substitution, arrays) beside POSIX, and is actively maintained as the parser of the
//! brush shell. Its positions count characters; [`Script`] converts them to byte offsets.
//!
//! ```
//! use dockopt_shell::{Script, Status};
//! let s = Script::parse("for i in 1 2 3; do apk add curl && break || sleep 5; done").unwrap();
//! let lp = s.loops()[0];
//! let last = s.exit_outcomes(s.loop_body(lp).unwrap());
//! let sleep = last.iter().find(|o| o.status == Status::Any).unwrap();
//! assert_eq!(s.command(sleep.node).unwrap().name_literal(), Some("sleep"));
//! ```

mod build;
mod case_parens;
mod error;
mod options;
mod outline;
pub mod pkg;
mod query;
mod script;
mod span;
mod tree;
mod word;

pub use error::ShellError;
pub use options::ShellOptions;
pub use query::{ChainPosition, CommandRef, Outcome, PipelinePosition, Status};
pub use script::{is_loop, Script};
pub use span::Span;
pub use tree::{
    AndOr, Assignment, CaseArm, Command, Connector, HereDoc, IfBranch, List, ListItem, Node,
    NodeId, NodeKind, Pipeline, Redirect, RedirectOp, Separator, SubstitutionKind,
};
pub use word::{Word, WordPart};
