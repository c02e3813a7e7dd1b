//! [`Script`]: a parsed shell script and the navigation of its tree.

use std::collections::HashMap;

use crate::build::Builder;
use crate::error::ShellError;
use crate::options::{self, ShellOptions};
use crate::query::CommandRef;
use crate::span::Span;
use crate::tree::{Command, IfBranch, Node, NodeId, NodeKind};

/// A parsed shell script.
#[derive(Clone, Debug)]
pub struct Script {
    src: String,
    nodes: Vec<Node>,
    root: NodeId,
    /// Shell options in effect before each simple command runs.
    options_at: HashMap<NodeId, ShellOptions>,
    /// Every node under the root, in execution order (see [`Script::descendants`]),
    /// computed once: rules walk the same script many times.
    order: Vec<NodeId>,
    /// For each node (by arena index), the part of `order` that holds it and the nodes
    /// below it; `None` for a node the walk from the root does not reach.
    extent: Vec<Option<(u32, u32)>>,
}

impl Script {
    /// Parses `src` as a bash script, with `errexit` and `pipefail` off at the start
    /// (as `/bin/sh -c` runs a Dockerfile `RUN`).
    pub fn parse(src: &str) -> Result<Script, ShellError> {
        Self::parse_with(src, ShellOptions::default())
    }

    /// Parses `src` with the given shell options in effect at the start (for example
    /// `pipefail` from `SHELL ["/bin/bash", "-o", "pipefail", "-c"]`).
    pub fn parse_with(src: &str, initial: ShellOptions) -> Result<Script, ShellError> {
        let first = Self::parse_as(src, src, initial);
        // A `case` inside `$(...)` ends the substitution early in brush-parser (the script
        // fails, or the substitution is left unparsed inside double quotes): retry with the
        // patterns' optional `(` written in, and keep whichever reads more of the script.
        let unparsed = match &first {
            Ok((_, failed)) if *failed == 0 => return first.map(|(script, _)| script),
            Ok((_, failed)) => Some(*failed),
            Err(_) => None,
        };
        let retry = crate::case_parens::balance(src)
            .and_then(|balanced| Self::parse_as(src, &balanced, initial).ok())
            .filter(|(_, failed)| unparsed.is_none_or(|before| *failed < before));
        match retry {
            Some((script, _)) => Ok(script),
            None => first.map(|(script, _)| script),
        }
    }

    /// Parses `parse_text`, `src` or a same-length rewrite of it, as the script `src`;
    /// also returns how many command substitutions did not parse.
    pub(crate) fn parse_as(
        src: &str,
        parse_text: &str,
        initial: ShellOptions,
    ) -> Result<(Script, usize), ShellError> {
        let mut builder = Builder::with_parse_text(src, parse_text);
        let root = builder.build_top()?;
        let failed = builder.failed_substitutions;
        let mut script = Script {
            src: src.to_string(),
            nodes: builder.nodes,
            root,
            options_at: HashMap::new(),
            order: Vec::new(),
            extent: Vec::new(),
        };
        script.index_order();
        script.options_at = options::track(&script, initial);
        Ok((script, failed))
    }

    /// The script text.
    pub fn source(&self) -> &str {
        &self.src
    }

    /// The top-level list.
    pub fn root(&self) -> NodeId {
        self.root
    }

    /// The node `id` (ids come from this script).
    pub fn node(&self, id: NodeId) -> &Node {
        match self.nodes.get(id.index()) {
            Some(n) => n,
            // Ids are only minted by the builder; fall back to the root rather than panic.
            None => self
                .nodes
                .get(self.root.index())
                .unwrap_or_else(|| unreachable_root()),
        }
    }

    /// The kind of node `id`.
    pub fn kind(&self, id: NodeId) -> &NodeKind {
        &self.node(id).kind
    }

    /// The span of node `id`.
    pub fn span(&self, id: NodeId) -> Span {
        self.node(id).span
    }

    /// The source text of node `id`.
    pub fn text(&self, id: NodeId) -> &str {
        self.span(id).text(&self.src)
    }

    /// The parent of `id`.
    pub fn parent(&self, id: NodeId) -> Option<NodeId> {
        self.node(id).parent
    }

    /// The enclosing nodes of `id`, innermost first.
    pub fn ancestors(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        std::iter::successors(self.parent(id), move |n| self.parent(*n))
    }

    /// The simple command of node `id`, when it is one.
    pub fn command(&self, id: NodeId) -> Option<&Command> {
        match self.kind(id) {
            NodeKind::Simple(c) => Some(c),
            _ => None,
        }
    }

    /// The direct children of `id` in execution order; a simple command's children are the
    /// command substitutions in its words (they run before the command itself).
    pub fn children(&self, id: NodeId) -> Vec<NodeId> {
        let mut out = Vec::new();
        let subs_of = |out: &mut Vec<NodeId>, w: &crate::Word| out.extend(w.substitutions());
        match self.kind(id) {
            NodeKind::List(l) => out.extend(l.items.iter().map(|i| i.and_or)),
            NodeKind::AndOr(a) => out.extend(a.pipelines().map(|(_, p)| p)),
            NodeKind::Pipeline(p) => out.extend(p.commands.iter().copied()),
            NodeKind::Simple(c) => {
                for a in &c.assignments {
                    subs_of(&mut out, &a.value);
                }
                for w in c.words() {
                    subs_of(&mut out, w);
                }
                for r in &c.redirects {
                    if let Some(t) = &r.target {
                        subs_of(&mut out, t);
                    }
                }
            }
            NodeKind::Subshell { body }
            | NodeKind::BraceGroup { body }
            | NodeKind::ArithmeticFor { body }
            | NodeKind::Coprocess { body }
            | NodeKind::Substitution { body, .. } => out.push(*body),
            NodeKind::For { values, body, .. } => {
                for w in values.iter().flatten() {
                    subs_of(&mut out, w);
                }
                out.push(*body);
            }
            NodeKind::While { condition, body } | NodeKind::Until { condition, body } => {
                out.push(*condition);
                out.push(*body);
            }
            NodeKind::If { branches } => {
                for IfBranch { condition, body } in branches {
                    out.extend(condition.iter().copied());
                    out.push(*body);
                }
            }
            NodeKind::Case { subject, arms } => {
                subs_of(&mut out, subject);
                for arm in arms {
                    for p in &arm.patterns {
                        subs_of(&mut out, p);
                    }
                    out.extend(arm.body.iter().copied());
                }
            }
            NodeKind::Function { body, .. } => out.push(*body),
            NodeKind::Arithmetic { .. } | NodeKind::ExtendedTest { .. } => {}
        }
        for r in &self.node(id).redirects {
            if let Some(t) = &r.target {
                subs_of(&mut out, t);
            }
        }
        out
    }

    /// `id` and every node below it, in execution order (a simple command's substitutions
    /// before the command itself).
    pub fn descendants(&self, id: NodeId) -> Vec<NodeId> {
        self.subtree(id).into_owned()
    }

    /// [`Script::descendants`], borrowed from the order computed at parse time when `id` is
    /// in the tree.
    fn subtree(&self, id: NodeId) -> std::borrow::Cow<'_, [NodeId]> {
        let indexed = self
            .extent
            .get(id.index())
            .copied()
            .flatten()
            .and_then(|(start, end)| self.order.get(start as usize..end as usize));
        match indexed {
            Some(nodes) => std::borrow::Cow::Borrowed(nodes),
            None => {
                let mut out = Vec::new();
                self.walk(id, &mut out, &mut |_, _| {});
                std::borrow::Cow::Owned(out)
            }
        }
    }

    /// Pushes `id` and the nodes below it onto `out` in execution order, and reports each
    /// node with the part of `out` its subtree took.
    fn walk(
        &self,
        id: NodeId,
        out: &mut Vec<NodeId>,
        extent: &mut dyn FnMut(NodeId, (usize, usize)),
    ) {
        let start = out.len();
        let is_simple = matches!(self.kind(id), NodeKind::Simple(_));
        if !is_simple {
            out.push(id);
        }
        for c in self.children(id) {
            self.walk(c, out, extent);
        }
        if is_simple {
            out.push(id);
        }
        extent(id, (start, out.len()));
    }

    /// Computes `order` and `extent`. A node reached twice (the builder never links one
    /// node under two parents) leaves the extents off, so queries walk the tree instead.
    fn index_order(&mut self) {
        let mut order = Vec::with_capacity(self.nodes.len());
        let mut extent: Vec<Option<(u32, u32)>> = vec![None; self.nodes.len()];
        let mut shared = false;
        self.walk(self.root, &mut order, &mut |id, (start, end)| {
            let (Ok(start), Ok(end)) = (u32::try_from(start), u32::try_from(end)) else {
                shared = true;
                return;
            };
            match extent.get_mut(id.index()) {
                Some(slot @ None) => *slot = Some((start, end)),
                _ => shared = true,
            }
        });
        self.order = order;
        if !shared {
            self.extent = extent;
        }
    }

    /// Every simple command in the script, in execution order, with its context.
    pub fn commands(&self) -> impl Iterator<Item = CommandRef<'_>> + '_ {
        self.commands_in(self.root)
    }

    /// The simple commands under `id`, in execution order.
    pub fn commands_in(&self, id: NodeId) -> impl Iterator<Item = CommandRef<'_>> + '_ {
        let nodes = self.subtree(id);
        (0..nodes.len())
            .filter_map(move |i| nodes.get(i).copied())
            .filter(|id| matches!(self.kind(*id), NodeKind::Simple(_)))
            .map(move |id| CommandRef::new(self, id))
    }

    /// The context of simple command `id`, when `id` is one.
    pub fn command_ref(&self, id: NodeId) -> Option<CommandRef<'_>> {
        self.command(id).map(|_| CommandRef::new(self, id))
    }

    /// Every loop (`for`, `while`, `until`, arithmetic `for`) in the script.
    pub fn loops(&self) -> Vec<NodeId> {
        self.subtree(self.root)
            .iter()
            .copied()
            .filter(|id| is_loop(self.kind(*id)))
            .collect()
    }

    /// Pipelines with more than one command.
    pub fn pipes(&self) -> Vec<NodeId> {
        self.subtree(self.root)
            .iter()
            .copied()
            .filter(|id| matches!(self.kind(*id), NodeKind::Pipeline(p) if p.commands.len() > 1))
            .collect()
    }

    /// Whether the script contains a `|` pipe.
    pub fn has_pipes(&self) -> bool {
        !self.pipes().is_empty()
    }

    pub(crate) fn options_before(&self, id: NodeId) -> ShellOptions {
        self.options_at.get(&id).copied().unwrap_or_default()
    }
}

/// Whether the node kind is a loop.
pub fn is_loop(kind: &NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::For { .. }
            | NodeKind::While { .. }
            | NodeKind::Until { .. }
            | NodeKind::ArithmeticFor { .. }
    )
}

#[cold]
fn unreachable_root() -> &'static Node {
    static EMPTY: std::sync::OnceLock<Node> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| Node {
        kind: NodeKind::List(crate::tree::List { items: Vec::new() }),
        span: Span::default(),
        parent: None,
        redirects: Vec::new(),
    })
}
