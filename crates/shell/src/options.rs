//! Which shell options (`set -e`, `set -o pipefail`) are in effect at each command.

use std::collections::HashMap;

use crate::script::Script;
use crate::tree::{Command, NodeId, NodeKind};

/// The shell options dockopt follows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ShellOptions {
    /// `set -e` / `set -o errexit`.
    pub errexit: bool,
    /// `set -o pipefail`.
    pub pipefail: bool,
}

impl ShellOptions {
    /// Applies the arguments of a `set` command.
    pub fn apply_set(&mut self, args: &[Option<&str>]) {
        let mut i = 0;
        while let Some(arg) = args.get(i) {
            let Some(arg) = arg else {
                i += 1;
                continue;
            };
            if *arg == "--" {
                break;
            }
            let on = arg.starts_with('-');
            if !(on || arg.starts_with('+')) || arg.len() < 2 {
                // Positional parameters follow.
                break;
            }
            let mut takes_name = 0;
            for c in arg.chars().skip(1) {
                match c {
                    'e' => self.errexit = on,
                    'o' => takes_name += 1,
                    _ => {}
                }
            }
            for _ in 0..takes_name {
                i += 1;
                match args.get(i).copied().flatten() {
                    Some("errexit") => self.errexit = on,
                    Some("pipefail") => self.pipefail = on,
                    _ => {}
                }
            }
            i += 1;
        }
    }

    /// Applies `cmd` when it is a `set` builtin; returns whether it was.
    pub fn apply_command(&mut self, cmd: &Command) -> bool {
        if cmd.name_literal() != Some("set") {
            return false;
        }
        self.apply_set(&cmd.arg_literals());
        true
    }
}

/// Walks the script in execution order and records the options before each simple command.
pub(crate) fn track(script: &Script, initial: ShellOptions) -> HashMap<NodeId, ShellOptions> {
    let mut out = HashMap::new();
    let mut state = initial;
    walk(script, script.root(), &mut state, &mut out);
    out
}

fn walk(
    script: &Script,
    id: NodeId,
    state: &mut ShellOptions,
    out: &mut HashMap<NodeId, ShellOptions>,
) {
    match script.kind(id) {
        NodeKind::Simple(cmd) => {
            for c in script.children(id) {
                walk(script, c, state, out);
            }
            out.insert(id, *state);
            state.apply_command(cmd);
        }
        // These run in a child shell: option changes inside stay inside.
        NodeKind::Subshell { .. } | NodeKind::Substitution { .. } | NodeKind::Coprocess { .. } => {
            let mut inner = *state;
            for c in script.children(id) {
                walk(script, c, &mut inner, out);
            }
        }
        // A function body runs when called; analyse it with the options at its definition.
        NodeKind::Function { .. } => {
            let mut inner = *state;
            for c in script.children(id) {
                walk(script, c, &mut inner, out);
            }
        }
        NodeKind::List(list) => {
            for item in &list.items {
                if item.separator == crate::tree::Separator::Async {
                    let mut inner = *state;
                    walk(script, item.and_or, &mut inner, out);
                } else {
                    walk(script, item.and_or, state, out);
                }
            }
        }
        NodeKind::Pipeline(p) if p.commands.len() > 1 => {
            // In bash every part of a multi-command pipeline runs in a subshell.
            for c in script.children(id) {
                let mut inner = *state;
                walk(script, c, &mut inner, out);
            }
        }
        _ => {
            for c in script.children(id) {
                walk(script, c, state, out);
            }
        }
    }
}
