//! Questions rules ask about a command's context and about exit statuses.

use crate::options::ShellOptions;
use crate::script::{is_loop, Script};
use crate::span::Span;
use crate::tree::{Command, Connector, NodeId, NodeKind, Separator};

/// A simple command together with the script it belongs to, for context queries.
#[derive(Clone, Copy, Debug)]
pub struct CommandRef<'a> {
    script: &'a Script,
    id: NodeId,
}

/// Where a command sits in its pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PipelinePosition {
    /// The [`NodeKind::Pipeline`] node.
    pub pipeline: NodeId,
    /// 0-based position of the command in the pipeline.
    pub index: usize,
    /// Number of commands in the pipeline.
    pub len: usize,
    /// Whether the pipeline is negated with `!`.
    pub negated: bool,
}

impl PipelinePosition {
    /// Whether the command's output is piped into another command.
    pub fn feeds_pipe(&self) -> bool {
        self.index + 1 < self.len
    }
    /// Whether the command reads from a pipe.
    pub fn reads_pipe(&self) -> bool {
        self.index > 0
    }
}

/// Where a pipeline sits in its and-or chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainPosition {
    /// The [`NodeKind::AndOr`] node.
    pub and_or: NodeId,
    /// 0-based position of the pipeline in the chain.
    pub index: usize,
    /// The operator before the pipeline (`None` for the first).
    pub before: Option<Connector>,
    /// The operator after the pipeline (`None` for the last).
    pub after: Option<Connector>,
}

impl<'a> CommandRef<'a> {
    pub(crate) fn new(script: &'a Script, id: NodeId) -> Self {
        Self { script, id }
    }

    /// The node id.
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// The script.
    pub fn script(&self) -> &'a Script {
        self.script
    }

    /// The command.
    pub fn command(&self) -> &'a Command {
        match self.script.kind(self.id) {
            NodeKind::Simple(c) => c,
            _ => empty_command(),
        }
    }

    /// The command's span.
    pub fn span(&self) -> Span {
        self.script.span(self.id)
    }

    /// The command's pipeline position (every simple command has one, possibly of length 1).
    pub fn pipeline(&self) -> Option<PipelinePosition> {
        let p = self.script.parent(self.id)?;
        match self.script.kind(p) {
            NodeKind::Pipeline(pl) => Some(PipelinePosition {
                pipeline: p,
                index: pl.commands.iter().position(|c| *c == self.id)?,
                len: pl.commands.len(),
                negated: pl.negated,
            }),
            _ => None,
        }
    }

    /// Where the command's pipeline sits in its and-or chain.
    pub fn chain(&self) -> Option<ChainPosition> {
        chain_position(self.script, self.pipeline()?.pipeline)
    }

    /// Whether the command runs only when what precedes it in its chain failed (`a || cmd`).
    pub fn after_or(&self) -> bool {
        self.chain()
            .is_some_and(|c| c.before == Some(Connector::Or))
    }

    /// Whether the command, or a compound command holding it, is on the right of `||`
    /// (so it runs as a fallback), up to the nearest loop or subshell boundary.
    pub fn in_or_fallback(&self) -> bool {
        let mut node = self.id;
        loop {
            if let NodeKind::Pipeline(_) = self.script.kind(node) {
                if chain_position(self.script, node)
                    .is_some_and(|c| c.before == Some(Connector::Or))
                {
                    return true;
                }
            }
            match self.script.parent(node) {
                Some(p) if !is_loop(self.script.kind(p)) => node = p,
                _ => return false,
            }
        }
    }

    /// The enclosing loops, innermost first.
    pub fn enclosing_loops(&self) -> Vec<NodeId> {
        self.script
            .ancestors(self.id)
            .filter(|a| is_loop(self.script.kind(*a)))
            .collect()
    }

    /// Whether the command runs in a subshell `( ... )` (not counting substitutions).
    pub fn in_subshell(&self) -> bool {
        self.script
            .ancestors(self.id)
            .any(|a| matches!(self.script.kind(a), NodeKind::Subshell { .. }))
    }

    /// Whether the command is inside a command or process substitution.
    pub fn in_substitution(&self) -> bool {
        self.script
            .ancestors(self.id)
            .any(|a| matches!(self.script.kind(a), NodeKind::Substitution { .. }))
    }

    /// Whether the command is inside a function body.
    pub fn in_function(&self) -> bool {
        self.script
            .ancestors(self.id)
            .any(|a| matches!(self.script.kind(a), NodeKind::Function { .. }))
    }

    /// Whether the command is in an `if`/`while`/`until` condition.
    pub fn in_condition(&self) -> bool {
        let mut child = self.id;
        for a in self.script.ancestors(self.id) {
            let is_condition = match self.script.kind(a) {
                NodeKind::If { branches } => branches.iter().any(|b| b.condition == Some(child)),
                NodeKind::While { condition, .. } | NodeKind::Until { condition, .. } => {
                    *condition == child
                }
                _ => false,
            };
            if is_condition {
                return true;
            }
            child = a;
        }
        false
    }

    /// Whether the command runs in the background (`cmd &`, or inside such an item).
    pub fn in_background(&self) -> bool {
        let mut child = self.id;
        for a in self.script.ancestors(self.id) {
            if let NodeKind::List(l) = self.script.kind(a) {
                if l.items
                    .iter()
                    .any(|i| i.and_or == child && i.separator == Separator::Async)
                {
                    return true;
                }
            }
            child = a;
        }
        false
    }

    /// The options (`errexit`, `pipefail`) in effect when the command starts.
    pub fn options(&self) -> ShellOptions {
        self.script.options_before(self.id)
    }

    /// Whether a failure of this command would stop the script under `set -e` in effect
    /// here: false in conditions, before `&&`/`||`, in negated pipelines, and for a
    /// non-last pipeline member without `pipefail`.
    pub fn failure_stops_script(&self) -> bool {
        let opts = self.options();
        if !opts.errexit || self.in_condition() || self.in_background() {
            return false;
        }
        if let Some(p) = self.pipeline() {
            if p.negated || (p.index + 1 < p.len && !opts.pipefail) {
                return false;
            }
        }
        // Any enclosing chain where our part is not last suppresses errexit.
        let mut node = self.id;
        loop {
            if let NodeKind::Pipeline(_) = self.script.kind(node) {
                if chain_position(self.script, node).is_some_and(|c| c.after.is_some()) {
                    return false;
                }
            }
            match self.script.parent(node) {
                Some(p) => node = p,
                None => return true,
            }
        }
    }

    /// The and-or items after this command's chain in the same list (what runs next).
    pub fn following_in_list(&self) -> Vec<NodeId> {
        let Some(chain) = self.chain() else {
            return Vec::new();
        };
        let Some(list) = self.script.parent(chain.and_or) else {
            return Vec::new();
        };
        match self.script.kind(list) {
            NodeKind::List(l) => l
                .items
                .iter()
                .skip_while(|i| i.and_or != chain.and_or)
                .skip(1)
                .map(|i| i.and_or)
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The pipelines after this command's pipeline in its and-or chain, with their
    /// operators.
    pub fn rest_of_chain(&self) -> Vec<(Connector, NodeId)> {
        let Some(chain) = self.chain() else {
            return Vec::new();
        };
        match self.script.kind(chain.and_or) {
            NodeKind::AndOr(a) => a.rest.iter().skip(chain.index).copied().collect(),
            _ => Vec::new(),
        }
    }
}

fn chain_position(script: &Script, pipeline: NodeId) -> Option<ChainPosition> {
    let a = script.parent(pipeline)?;
    let NodeKind::AndOr(chain) = script.kind(a) else {
        return None;
    };
    let all: Vec<(Option<Connector>, NodeId)> = chain.pipelines().collect();
    let index = all.iter().position(|(_, p)| *p == pipeline)?;
    Some(ChainPosition {
        and_or: a,
        index,
        before: all.get(index).and_then(|(c, _)| *c),
        after: all.get(index + 1).and_then(|(c, _)| *c),
    })
}

fn empty_command() -> &'static Command {
    static EMPTY: std::sync::OnceLock<Command> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Command {
        name: None,
        args: Vec::new(),
        assignments: Vec::new(),
        redirects: Vec::new(),
        span: Span::default(),
    })
}

/// What an exit status can be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Status {
    /// Whatever the command returned.
    Any,
    /// Zero.
    Success,
    /// Non-zero.
    Failure,
}

/// One way a construct's exit status can be decided: by `node` (a simple command, or the
/// construct itself when nothing ran, such as a loop with no iteration) with `status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Outcome {
    /// The node whose status becomes the construct's status.
    pub node: NodeId,
    /// The status it gives in this case.
    pub status: Status,
}

impl Script {
    /// The possible sources of `id`'s exit status: for a list, its last item; for
    /// `a && b || c`, `b` (succeeding) or `c`; for a loop, the last command its body runs
    /// (or the loop itself, status 0, when the body never runs); `!` flips statuses.
    /// `errexit` is not taken into account.
    pub fn exit_outcomes(&self, id: NodeId) -> Vec<Outcome> {
        let mut out = Vec::new();
        self.outcomes_into(id, &mut out);
        out.dedup();
        out
    }

    /// The body list of a loop node (pass it to [`Script::exit_outcomes`] for the last
    /// command an iteration runs).
    pub fn loop_body(&self, loop_node: NodeId) -> Option<NodeId> {
        match self.kind(loop_node) {
            NodeKind::For { body, .. }
            | NodeKind::ArithmeticFor { body }
            | NodeKind::While { body, .. }
            | NodeKind::Until { body, .. } => Some(*body),
            _ => None,
        }
    }

    fn outcomes_into(&self, id: NodeId, out: &mut Vec<Outcome>) {
        let here = |status| Outcome { node: id, status };
        match self.kind(id) {
            NodeKind::Simple(c) => {
                let status = match c.name_literal() {
                    Some("true" | ":" | "break" | "continue") => Status::Success,
                    Some("false") => Status::Failure,
                    None if c.name.is_none() => Status::Success,
                    _ => Status::Any,
                };
                out.push(here(status));
            }
            NodeKind::List(l) => match l.items.last() {
                Some(last) if last.separator == Separator::Async => {
                    out.push(Outcome {
                        node: last.and_or,
                        status: Status::Success,
                    });
                }
                Some(last) => self.outcomes_into(last.and_or, out),
                None => out.push(here(Status::Success)),
            },
            NodeKind::AndOr(a) => {
                let all: Vec<(Option<Connector>, NodeId)> = a.pipelines().collect();
                for (i, (_, p)) in all.iter().enumerate() {
                    let later: Vec<Connector> =
                        all.iter().skip(i + 1).filter_map(|(c, _)| *c).collect();
                    let mut inner = Vec::new();
                    self.outcomes_into(*p, &mut inner);
                    if later.is_empty() {
                        out.extend(inner);
                    } else if later.iter().all(|c| *c == Connector::Or) {
                        out.extend(restrict(inner, Status::Success));
                    } else if later.iter().all(|c| *c == Connector::And) {
                        out.extend(restrict(inner, Status::Failure));
                    }
                }
            }
            NodeKind::Pipeline(p) => {
                let mut inner = Vec::new();
                if let Some(last) = p.commands.last() {
                    self.outcomes_into(*last, &mut inner);
                }
                if p.negated {
                    inner = inner
                        .into_iter()
                        .map(|o| Outcome {
                            node: o.node,
                            status: match o.status {
                                Status::Any => Status::Any,
                                Status::Success => Status::Failure,
                                Status::Failure => Status::Success,
                            },
                        })
                        .collect();
                }
                out.extend(inner);
            }
            NodeKind::Subshell { body }
            | NodeKind::BraceGroup { body }
            | NodeKind::Substitution { body, .. } => self.outcomes_into(*body, out),
            NodeKind::For { body, values, .. } => {
                self.outcomes_into(*body, out);
                // `for i in 1 2 3` always runs its body; other lists may be empty.
                let always_runs = values.as_ref().is_some_and(|v| {
                    !v.is_empty() && v.iter().all(|w| w.literal().is_some() && !w.has_glob())
                });
                if !always_runs {
                    out.push(here(Status::Success));
                }
            }
            NodeKind::ArithmeticFor { body }
            | NodeKind::While { body, .. }
            | NodeKind::Until { body, .. } => {
                self.outcomes_into(*body, out);
                out.push(here(Status::Success));
            }
            NodeKind::If { branches } => {
                for b in branches {
                    self.outcomes_into(b.body, out);
                }
                if branches.iter().all(|b| b.condition.is_some()) {
                    out.push(here(Status::Success));
                }
            }
            NodeKind::Case { arms, .. } => {
                for arm in arms {
                    match arm.body {
                        Some(b) => self.outcomes_into(b, out),
                        None => out.push(here(Status::Success)),
                    }
                }
                out.push(here(Status::Success));
            }
            NodeKind::Function { .. } => out.push(here(Status::Success)),
            NodeKind::Coprocess { .. } => out.push(here(Status::Success)),
            NodeKind::Arithmetic { .. } | NodeKind::ExtendedTest { .. } => {
                out.push(here(Status::Any));
            }
        }
    }
}

/// Keeps the outcomes that can have `status`, narrowed to it.
fn restrict(outcomes: Vec<Outcome>, status: Status) -> Vec<Outcome> {
    outcomes
        .into_iter()
        .filter(|o| o.status == Status::Any || o.status == status)
        .map(|o| Outcome {
            node: o.node,
            status,
        })
        .collect()
}
