//! The command and control-flow tree of a script: lists, and-or chains, pipelines, simple
//! commands and compound commands, stored in one arena and linked to their parents.

use crate::span::Span;
use crate::word::Word;

/// Index of a node in [`crate::Script`]'s arena.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

impl NodeId {
    /// The arena index.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One node of the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// What the node is.
    pub kind: NodeKind,
    /// Where it is (for a simple command: its words and redirects, not here-doc bodies).
    pub span: Span,
    /// The enclosing node; `None` for the script's top list.
    pub parent: Option<NodeId>,
    /// Redirects applied to a compound command (`{ ...; } > log`); simple commands keep
    /// theirs in [`Command::redirects`].
    pub redirects: Vec<Redirect>,
}

/// The kinds of node.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// Commands run one after the other (`;`, newline) or in the background (`&`).
    List(List),
    /// Pipelines joined by `&&` / `||`.
    AndOr(AndOr),
    /// Commands joined by `|`, optionally negated with `!`.
    Pipeline(Pipeline),
    /// A simple command.
    Simple(Command),
    /// `( list )`.
    Subshell {
        /// The list run in the subshell.
        body: NodeId,
    },
    /// `{ list; }`.
    BraceGroup {
        /// The grouped list.
        body: NodeId,
    },
    /// `for NAME [in WORDS]; do list; done`.
    For {
        /// The loop variable.
        variable: String,
        /// The words iterated over; `None` for `for NAME; do` (the positional parameters).
        values: Option<Vec<Word>>,
        /// The loop body list.
        body: NodeId,
    },
    /// `for ((init; cond; step)); do list; done`.
    ArithmeticFor {
        /// The loop body list.
        body: NodeId,
    },
    /// `while list; do list; done`.
    While {
        /// The condition list.
        condition: NodeId,
        /// The loop body list.
        body: NodeId,
    },
    /// `until list; do list; done`.
    Until {
        /// The condition list.
        condition: NodeId,
        /// The loop body list.
        body: NodeId,
    },
    /// `if list; then list; [elif list; then list;]... [else list;] fi`.
    If {
        /// The branches in order; the `else` branch has no condition.
        branches: Vec<IfBranch>,
    },
    /// `case WORD in PATTERN) list;; ... esac`.
    Case {
        /// The word matched.
        subject: Word,
        /// The arms in order.
        arms: Vec<CaseArm>,
    },
    /// `name() compound-command`.
    Function {
        /// The function name.
        name: Word,
        /// The body (a compound command node).
        body: NodeId,
    },
    /// `(( expression ))`.
    Arithmetic {
        /// The expression text.
        expression: String,
    },
    /// `[[ expression ]]`.
    ExtendedTest {
        /// The expression as written.
        text: String,
    },
    /// `coproc [NAME] command`.
    Coprocess {
        /// The command run as a coprocess.
        body: NodeId,
    },
    /// The inner script of a command substitution or process substitution; its parent is the
    /// node whose word holds it.
    Substitution {
        /// Which substitution.
        kind: SubstitutionKind,
        /// The inner list.
        body: NodeId,
    },
}

/// How a list item ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Separator {
    /// `;` or newline (or the end of the list).
    Sequence,
    /// `&`: run in the background, status 0.
    Async,
}

/// A list of and-or chains.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct List {
    /// The items in order.
    pub items: Vec<ListItem>,
}

/// One item of a [`List`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListItem {
    /// The [`NodeKind::AndOr`] node.
    pub and_or: NodeId,
    /// How it is terminated.
    pub separator: Separator,
}

/// `&&` or `||`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connector {
    /// `&&`: run the next pipeline when this one succeeded.
    And,
    /// `||`: run the next pipeline when this one failed.
    Or,
}

/// An and-or chain: `first (op pipeline)*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AndOr {
    /// The first [`NodeKind::Pipeline`].
    pub first: NodeId,
    /// The following pipelines with the operator before each.
    pub rest: Vec<(Connector, NodeId)>,
}

impl AndOr {
    /// All pipelines with the operator before each (`None` for the first).
    pub fn pipelines(&self) -> impl Iterator<Item = (Option<Connector>, NodeId)> + '_ {
        std::iter::once((None, self.first)).chain(self.rest.iter().map(|(c, p)| (Some(*c), *p)))
    }
}

/// A pipeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pipeline {
    /// `! pipeline`.
    pub negated: bool,
    /// `time pipeline`.
    pub timed: bool,
    /// The commands joined by `|`, in order.
    pub commands: Vec<NodeId>,
}

/// One branch of an `if`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IfBranch {
    /// The condition list (`None` for `else`).
    pub condition: Option<NodeId>,
    /// The list run when the condition holds.
    pub body: NodeId,
}

/// One arm of a `case`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseArm {
    /// The patterns (`a|b)` has two).
    pub patterns: Vec<Word>,
    /// The list run on a match (`None` when empty).
    pub body: Option<NodeId>,
}

/// Kind of substitution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubstitutionKind {
    /// `$(...)`.
    Command,
    /// `` `...` ``.
    Backquote,
    /// `<(...)`.
    ProcessInput,
    /// `>(...)`.
    ProcessOutput,
}

/// A simple command: assignments, a name, arguments and redirects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    /// The command name; `None` for a bare assignment or redirect (`X=1`, `> file`).
    pub name: Option<Word>,
    /// The arguments after the name.
    pub args: Vec<Word>,
    /// `NAME=value` words before the name.
    pub assignments: Vec<Assignment>,
    /// The redirects, in order.
    pub redirects: Vec<Redirect>,
    /// The words and redirects of the command (here-doc bodies excluded).
    pub span: Span,
}

impl Command {
    /// The static command name (`apt-get`), if the name has no expansion.
    pub fn name_literal(&self) -> Option<&str> {
        self.name.as_ref().and_then(Word::literal)
    }

    /// The static command name without its directory (`/usr/bin/pip3` gives `pip3`).
    pub fn program(&self) -> Option<&str> {
        let name = self.name_literal()?;
        Some(name.rsplit('/').next().unwrap_or(name))
    }

    /// The static values of the arguments (`None` for arguments with expansions).
    pub fn arg_literals(&self) -> Vec<Option<&str>> {
        self.args.iter().map(Word::literal).collect()
    }

    /// The name followed by the arguments.
    pub fn words(&self) -> impl Iterator<Item = &Word> + '_ {
        self.name.iter().chain(self.args.iter())
    }

    /// Whether both stdout and stderr end in `/dev/null` after the redirects are applied
    /// (`> /dev/null 2>&1`, `&> /dev/null`, `>/dev/null 2>/dev/null`).
    pub fn output_discarded(&self) -> bool {
        // Track where fd 1 and fd 2 point, in redirect order.
        #[derive(Clone, PartialEq)]
        enum Target {
            Inherited,
            Null,
            Other,
        }
        let mut out = Target::Inherited;
        let mut err = Target::Inherited;
        for r in &self.redirects {
            let to_null = r.target.as_ref().is_some_and(|t| t.is("/dev/null"));
            let dest = if to_null { Target::Null } else { Target::Other };
            match r.op {
                RedirectOp::Write | RedirectOp::Append | RedirectOp::Clobber => {
                    match r.fd.unwrap_or(1) {
                        1 => out = dest,
                        2 => err = dest,
                        _ => {}
                    }
                }
                RedirectOp::OutputAndError | RedirectOp::AppendOutputAndError => {
                    out = dest.clone();
                    err = dest;
                }
                RedirectOp::DupOutput => {
                    let src = match r.target.as_ref().and_then(Word::literal) {
                        Some("1") => out.clone(),
                        Some("2") => err.clone(),
                        _ => Target::Other,
                    };
                    match r.fd.unwrap_or(1) {
                        1 => out = src,
                        2 => err = src,
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        out == Target::Null && err == Target::Null
    }
}

/// `NAME=value` before a command (or alone).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// The value (an empty word for `NAME=`); for arrays, the whole `(...)` text.
    pub value: Word,
    /// `NAME+=value`.
    pub append: bool,
    /// The whole assignment word.
    pub span: Span,
}

/// Redirect operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedirectOp {
    /// `<`
    Read,
    /// `>`
    Write,
    /// `>>`
    Append,
    /// `<>`
    ReadWrite,
    /// `>|`
    Clobber,
    /// `<&`
    DupInput,
    /// `>&`
    DupOutput,
    /// `<<` / `<<-`
    HereDoc,
    /// `<<<`
    HereString,
    /// `&>`
    OutputAndError,
    /// `&>>`
    AppendOutputAndError,
}

/// One redirect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    /// The explicit file descriptor (`2>`), if written.
    pub fd: Option<i32>,
    /// The operator.
    pub op: RedirectOp,
    /// The file, descriptor (`2>&1` gives `1`) or here-string word; for a here-doc, the
    /// delimiter word.
    pub target: Option<Word>,
    /// The here-document, for `<<`.
    pub here_doc: Option<HereDoc>,
    /// Operator and target (not the here-doc body).
    pub span: Span,
}

/// A here-document attached to a redirect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HereDoc {
    /// The body text (without the closing delimiter line).
    pub body: String,
    /// The body and its closing delimiter line.
    pub span: Span,
    /// `<<-`: leading tabs are stripped.
    pub strip_tabs: bool,
    /// The delimiter was unquoted, so the body is expanded.
    pub expands: bool,
}
