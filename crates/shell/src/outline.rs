//! A readable, indented rendering of the tree, for debugging and snapshot tests.

use std::fmt::Write;

use crate::script::Script;
use crate::tree::{Connector, NodeId, NodeKind, Separator};

impl Script {
    /// Renders the tree under the root, one node per line, with each node's source text.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        self.outline_node(self.root(), 0, "", &mut out);
        out
    }

    fn outline_node(&self, id: NodeId, depth: usize, label: &str, out: &mut String) {
        let pad = "  ".repeat(depth);
        let kind = match self.kind(id) {
            NodeKind::List(_) => "list".to_string(),
            NodeKind::AndOr(_) => "and-or".to_string(),
            NodeKind::Pipeline(p) => format!(
                "pipeline{}{}",
                if p.negated { " !" } else { "" },
                if p.timed { " time" } else { "" }
            ),
            NodeKind::Simple(c) => {
                let name = c.name.as_ref().map_or("-", |w| w.raw.as_str());
                let args: Vec<&str> = c.args.iter().map(|w| w.raw.as_str()).collect();
                let assigns: Vec<String> = c
                    .assignments
                    .iter()
                    .map(|a| format!("{}={}", a.name, a.value.raw))
                    .collect();
                let reds: Vec<String> = c
                    .redirects
                    .iter()
                    .map(|r| format!("{:?}@{}", r.op, r.span.text(self.source())))
                    .collect();
                format!("simple name={name} args={args:?} assign={assigns:?} redirects={reds:?}")
            }
            NodeKind::Subshell { .. } => "subshell".into(),
            NodeKind::BraceGroup { .. } => "brace-group".into(),
            NodeKind::For {
                variable, values, ..
            } => format!(
                "for {variable} in {:?}",
                values
                    .as_ref()
                    .map(|v| v.iter().map(|w| w.raw.as_str()).collect::<Vec<_>>())
            ),
            NodeKind::ArithmeticFor { .. } => "arith-for".into(),
            NodeKind::While { .. } => "while".into(),
            NodeKind::Until { .. } => "until".into(),
            NodeKind::If { .. } => "if".into(),
            NodeKind::Case { subject, .. } => format!("case {}", subject.raw),
            NodeKind::Function { name, .. } => format!("function {}", name.raw),
            NodeKind::Arithmetic { expression } => format!("arith {expression}"),
            NodeKind::ExtendedTest { text } => format!("test {text}"),
            NodeKind::Coprocess { .. } => "coproc".into(),
            NodeKind::Substitution { kind, .. } => format!("substitution {kind:?}"),
        };
        let span = self.span(id);
        let _ = writeln!(
            out,
            "{pad}{label}{kind} [{}..{}] {:?}",
            span.start,
            span.end,
            span.text(self.source())
        );
        // Label children with their role where the kind gives one.
        let labels: Vec<(NodeId, String)> = match self.kind(id) {
            NodeKind::List(l) => l
                .items
                .iter()
                .map(|i| {
                    let sep = if i.separator == Separator::Async {
                        "& "
                    } else {
                        ""
                    };
                    (i.and_or, sep.to_string())
                })
                .collect(),
            NodeKind::AndOr(a) => a
                .pipelines()
                .map(|(c, p)| {
                    let l = match c {
                        None => "",
                        Some(Connector::And) => "&& ",
                        Some(Connector::Or) => "|| ",
                    };
                    (p, l.to_string())
                })
                .collect(),
            NodeKind::While { condition, body } | NodeKind::Until { condition, body } => {
                vec![(*condition, "cond: ".into()), (*body, "body: ".into())]
            }
            NodeKind::If { branches } => branches
                .iter()
                .flat_map(|b| {
                    b.condition
                        .map(|c| (c, "cond: ".to_string()))
                        .into_iter()
                        .chain(std::iter::once((b.body, "then: ".to_string())))
                })
                .collect(),
            _ => self
                .children(id)
                .into_iter()
                .map(|c| (c, String::new()))
                .collect(),
        };
        let mut listed: Vec<NodeId> = labels.iter().map(|(c, _)| *c).collect();
        for (c, l) in labels {
            self.outline_node(c, depth + 1, &l, out);
        }
        // Substitutions and other children not labelled above.
        for c in self.children(id) {
            if !listed.contains(&c) {
                listed.push(c);
                self.outline_node(c, depth + 1, "", out);
            }
        }
    }
}
