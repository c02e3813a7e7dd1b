use std::collections::BTreeSet;

use crate::helpers::reliability::is_test;
use crate::prelude::*;
use dockopt_shell::{Connector, NodeId, NodeKind, Outcome, Script, Status, WordPart};

declare_rule! {
    /// ## What it does
    /// Reports a retry loop (a loop that leaves with `break` once a command succeeds) whose
    /// exit status is 0 even when every attempt failed, because the last command an
    /// iteration runs is `sleep`, `echo` or another command that succeeds:
    /// `for i in 1 2 3; do apk add curl && break || sleep 5; done`. Loops that `exit` on
    /// the last attempt, or whose outcome is checked after the loop, are fine.
    ///
    /// ## Why it matters
    /// When the mirror is down for all three attempts, the `RUN` still "succeeds": the
    /// layer is cached with nothing installed and the build breaks several steps later
    /// with a confusing "command not found", or ships an image without the package.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN for i in 1 2 3; do apk add --no-cache curl && break || sleep 5; done
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// RUN for i in 1 2 3; do apk add --no-cache curl && break; [ $i = 3 ] && exit 1; sleep 5; done
    /// ```
    ///
    /// ## Fix safety
    /// Safe: every attempt runs as before; only the last failed attempt now fails the
    /// step instead of passing silently. Offered when the last attempt can be told (the
    /// last word of `for i in 1 2 3` or of `$(seq 1 5)`, or the test of a counting
    /// `while`/`until` loop whose counter is updated before the `sleep`).
    pub struct RetryLoopMasksFailure {
        name: "retry-loop-masks-failure",
        group: Reliability,
        level: Error,
        aliases: [],
        fix: Safe,
        summary: "A retry loop exits 0 even when every attempt failed",
    }
}

impl Check for RetryLoopMasksFailure {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, run) in ctx.all_scripts() {
            let script = &run.script;
            for lp in script.loops() {
                check_loop(run, script, lp, out);
            }
        }
    }
}

fn check_loop(run: &RunScript, script: &Script, lp: NodeId, out: &mut Findings) {
    let Some(body) = script.loop_body(lp) else {
        return;
    };
    let guards = retry_guards(script, lp, body);
    let Some(retried) = guards.first().copied() else {
        return;
    };
    if exits_or_checked(script, lp, body) {
        return;
    }
    let masking: Vec<Outcome> = script
        .exit_outcomes(body)
        .into_iter()
        .filter(|o| o.status != Status::Failure)
        .filter(|o| !guards.contains(&o.node) && !is_jump(script, o.node))
        .filter(|o| !guarded_by_test(script, o.node))
        .collect();
    let Some(mask) = masking.first() else {
        return;
    };
    let retried_name = name_of(script, retried);
    let mask_name = match script.kind(mask.node) {
        NodeKind::Simple(_) => format!("`{}`", name_of(script, mask.node)),
        NodeKind::If { .. } => "an `if` without `else` (0 when its test fails)".to_string(),
        _ => format!("`{}`", name_of(script, mask.node)),
    };
    let range = run.file_range(script.span(mask.node));
    let finding = out.report(
        range,
        format!(
            "this retry loop ends with the status of {mask_name}, so it succeeds even when \
             every `{retried_name}` attempt failed"
        ),
    );
    finding.help(
        "make the last failed attempt fail the step: `[ $i = N ] && exit 1` before the `sleep`",
    );
    if let Some(check) = last_attempt_check(script, lp, body, mask.node) {
        if let Some(edit) = fix_edit(run, script, lp, mask.node, &check) {
            finding.fix(Fix {
                safety: FixSafety::Safe,
                description: format!("fail the step after the last attempt (`{check}`)"),
                edits: vec![edit],
            });
        }
    }
}

/// The commands whose success makes the loop `break` (`cmd && break`, `if cmd; then
/// break; fi`), excluding tests: a loop that breaks on `[ -f x ]` searches, it does not
/// retry.
fn retry_guards(script: &Script, lp: NodeId, body: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    for cmd in script.commands_in(body) {
        if cmd.command().name_literal() != Some("break") {
            continue;
        }
        if cmd.enclosing_loops().first() != Some(&lp) {
            continue;
        }
        if let Some(chain) = cmd.chain() {
            if chain.before == Some(Connector::And) && chain.index > 0 {
                if let NodeKind::AndOr(a) = script.kind(chain.and_or) {
                    let all: Vec<(Option<Connector>, NodeId)> = a.pipelines().collect();
                    if let Some((_, previous)) = all.get(chain.index - 1) {
                        collect_guards(script, *previous, &mut out);
                    }
                }
            }
        }
        // `if cmd; then ...; break; fi`
        let mut child = cmd.id();
        for a in script.ancestors(cmd.id()) {
            if a == lp {
                break;
            }
            if let NodeKind::If { branches } = script.kind(a) {
                for b in branches {
                    if b.body == child {
                        if let Some(cond) = b.condition {
                            collect_guards(script, cond, &mut out);
                        }
                    }
                }
            }
            child = a;
        }
    }
    out.retain(|n| !is_test(script, *n));
    out
}

fn collect_guards(script: &Script, node: NodeId, out: &mut Vec<NodeId>) {
    for o in script.exit_outcomes(node) {
        if matches!(script.kind(o.node), NodeKind::Simple(_)) && !out.contains(&o.node) {
            out.push(o.node);
        }
    }
}

fn is_jump(script: &Script, node: NodeId) -> bool {
    script
        .command(node)
        .and_then(|c| c.name_literal())
        .is_some_and(|n| matches!(n, "break" | "continue" | "exit" | "return"))
}

/// Whether the command only runs after a test succeeded in its chain
/// (`[ $i -lt 3 ] && sleep 5`): on the last attempt the test fails, and so does the loop.
fn guarded_by_test(script: &Script, node: NodeId) -> bool {
    let Some(cmd) = script.command_ref(node) else {
        return false;
    };
    let Some(chain) = cmd.chain() else {
        return false;
    };
    let NodeKind::AndOr(a) = script.kind(chain.and_or) else {
        return false;
    };
    let all: Vec<(Option<Connector>, NodeId)> = a.pipelines().collect();
    all.iter().take(chain.index).enumerate().any(|(i, (_, p))| {
        let next_is_and = all
            .get(i + 1)
            .is_some_and(|(c, _)| *c == Some(Connector::And));
        next_is_and
            && script
                .exit_outcomes(*p)
                .iter()
                .any(|o| is_test(script, o.node))
    })
}

/// Whether the loop already fails on its own (`exit`, `return` or `false` in the body) or
/// its outcome is checked afterwards (a variable set in the body, or the counter, is read
/// after the loop).
fn exits_or_checked(script: &Script, lp: NodeId, body: NodeId) -> bool {
    let mut assigned: BTreeSet<String> = BTreeSet::new();
    for cmd in script.commands_in(body) {
        let c = cmd.command();
        if matches!(c.name_literal(), Some("exit" | "return" | "false")) {
            return true;
        }
        for a in &c.assignments {
            assigned.insert(a.name.clone());
        }
    }
    match script.kind(lp) {
        NodeKind::For { variable, .. } => {
            assigned.insert(variable.clone());
        }
        NodeKind::While { condition, .. } | NodeKind::Until { condition, .. } => {
            for cmd in script.commands_in(*condition) {
                for w in cmd.command().words() {
                    assigned.extend(w.variables().map(str::to_string));
                }
            }
        }
        _ => {}
    }
    if assigned.is_empty() {
        return false;
    }
    let after = nodes_after(script, lp);
    after.iter().any(|n| {
        script.commands_in(*n).any(|c| {
            c.command()
                .words()
                .chain(c.command().assignments.iter().map(|a| &a.value))
                .any(|w| w.variables().any(|v| assigned.contains(v)))
        })
    })
}

/// What runs after the loop: the rest of its and-or chain and the following list items,
/// at every level up to the script.
fn nodes_after(script: &Script, lp: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut child = lp;
    for a in script.ancestors(lp) {
        match script.kind(a) {
            NodeKind::AndOr(chain) => {
                let all: Vec<NodeId> = chain.pipelines().map(|(_, p)| p).collect();
                if let Some(i) = all.iter().position(|p| *p == child) {
                    out.extend(all.iter().skip(i + 1));
                }
            }
            NodeKind::List(list) => {
                if let Some(i) = list.items.iter().position(|it| it.and_or == child) {
                    out.extend(list.items.iter().skip(i + 1).map(|it| it.and_or));
                }
            }
            _ => {}
        }
        child = a;
    }
    out
}

fn name_of(script: &Script, node: NodeId) -> String {
    match script.kind(node) {
        NodeKind::Simple(c) => {
            let program = c.program().unwrap_or("command");
            // Name a package manager's subcommand too (`apk add`): it says what was retried.
            let op = dockopt_shell::pkg::command_operations(c, node);
            match op.first().and_then(|op| op.subcommand.first()) {
                Some(sub) => format!("{program} {sub}"),
                None => program.to_string(),
            }
        }
        NodeKind::If { .. } => "if".to_string(),
        NodeKind::Case { .. } => "case".to_string(),
        _ => "the last command".to_string(),
    }
}

/// The shell test that fails the step on the last attempt, when it can be told.
fn last_attempt_check(script: &Script, lp: NodeId, body: NodeId, mask: NodeId) -> Option<String> {
    match script.kind(lp) {
        NodeKind::For {
            variable,
            values: Some(values),
            ..
        } => {
            let last = match values.as_slice() {
                [only] if only.literal().is_none() => seq_last(script, only)?,
                [.., last] => simple_value(last)?,
                [] => return None,
            };
            Some(format!("[ ${variable} = {last} ] && exit 1"))
        }
        NodeKind::While { condition, .. } | NodeKind::Until { condition, .. } => {
            let test = single_test(script, *condition)?;
            let counters: Vec<String> = script
                .command(test)?
                .words()
                .flat_map(|w| w.variables().map(str::to_string))
                .collect();
            if counters.is_empty() || !updated_before(script, body, mask, &counters) {
                return None;
            }
            let text = script.text(test).trim();
            if text.contains('\n') || text.contains('\\') {
                return None;
            }
            // The loop goes round again only if the condition still lets it.
            let connector = if matches!(script.kind(lp), NodeKind::While { .. }) {
                "||"
            } else {
                "&&"
            };
            Some(format!("{text} {connector} exit 1"))
        }
        _ => None,
    }
}

/// The last number of `$(seq [FIRST [STEP]] LAST)`.
fn seq_last(script: &Script, word: &dockopt_shell::Word) -> Option<String> {
    let [WordPart::CommandSubstitution { node: Some(sub) }] = word.parts.as_slice() else {
        return None;
    };
    let mut cmds = script.commands_in(*sub);
    let seq = cmds.next()?;
    if cmds.next().is_some() || seq.command().program() != Some("seq") {
        return None;
    }
    let last = seq.command().args.last()?;
    simple_value(last)
}

/// A word usable as written in a test: digits or a plain word, or `$NAME`/`${NAME}`.
fn simple_value(word: &dockopt_shell::Word) -> Option<String> {
    if let Some(lit) = word.literal() {
        let plain = !lit.is_empty()
            && lit
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
        return plain.then(|| lit.to_string());
    }
    match word.parts.as_slice() {
        [WordPart::Parameter {
            name: Some(name),
            default: None,
            transformed: false,
            ..
        }] => Some(format!("${name}")),
        _ => None,
    }
}

/// The condition list when it is one `[ ... ]`/`test ...` command.
fn single_test(script: &Script, condition: NodeId) -> Option<NodeId> {
    let mut cmds = script.commands_in(condition);
    let first = cmds.next()?;
    if cmds.next().is_some() || !is_test(script, first.id()) {
        return None;
    }
    let outcomes = script.exit_outcomes(condition);
    (outcomes.len() == 1 && outcomes.first()?.node == first.id()).then(|| first.id())
}

/// Whether one of `vars` is assigned in the body before the item that holds `mask`.
fn updated_before(script: &Script, body: NodeId, mask: NodeId, vars: &[String]) -> bool {
    let NodeKind::List(list) = script.kind(body) else {
        return false;
    };
    let holder = script
        .ancestors(mask)
        .chain(std::iter::once(mask))
        .find(|n| list.items.iter().any(|it| it.and_or == *n));
    let Some(holder) = holder else {
        return false;
    };
    list.items
        .iter()
        .take_while(|it| it.and_or != holder)
        .any(|it| {
            script
                .descendants(it.and_or)
                .into_iter()
                .any(|n| match script.kind(n) {
                    NodeKind::Simple(c) => {
                        c.assignments.iter().any(|a| vars.contains(&a.name))
                            || (c.name_literal() == Some("let")
                                && c.args.iter().any(|w| {
                                    w.literal().is_some_and(|l| {
                                        vars.iter().any(|v| l.contains(v.as_str()))
                                    })
                                }))
                    }
                    NodeKind::Arithmetic { expression } => {
                        vars.iter().any(|v| expression.contains(v.as_str()))
                    }
                    _ => false,
                })
        })
}

/// The edit that puts `check` right before the masking command, splitting
/// `cmd && break || sleep 5` into `cmd && break; CHECK; sleep 5`.
fn fix_edit(
    run: &RunScript,
    script: &Script,
    lp: NodeId,
    mask: NodeId,
    check: &str,
) -> Option<Edit> {
    // `exit` inside a subshell would only leave the subshell.
    let path: Vec<NodeId> = script.ancestors(mask).take_while(|a| *a != lp).collect();
    if path.iter().any(|a| {
        matches!(
            script.kind(*a),
            NodeKind::Subshell { .. } | NodeKind::Substitution { .. }
        )
    }) {
        return None;
    }
    // The pipeline holding the masking command, and the chain holding that pipeline.
    let mut pipeline = None;
    let mut chain = None;
    let mut child = mask;
    for a in script.ancestors(mask) {
        if let NodeKind::AndOr(_) = script.kind(a) {
            pipeline = Some(child);
            chain = Some(a);
            break;
        }
        child = a;
    }
    let (pipeline, chain) = (pipeline?, chain?);
    let NodeKind::AndOr(and_or) = script.kind(chain) else {
        return None;
    };
    let all: Vec<(Option<Connector>, NodeId)> = and_or.pipelines().collect();
    let index = all.iter().position(|(_, p)| *p == pipeline)?;
    let is_simple = matches!(script.kind(mask), NodeKind::Simple(_));
    if index == 0 {
        if is_simple {
            let at = run.file_offset(script.span(chain).start);
            return Some(Edit::insert(at, format!("{check}; ")));
        }
        // `if cmd; then break; fi` as the last thing: check after it, when the span of
        // the compound command is known to reach its end.
        let span = script.span(chain);
        let covers = script
            .descendants(chain)
            .iter()
            .all(|d| script.span(*d).end <= span.end);
        if all.len() == 1 && covers {
            let at = run.file_range(span).end;
            return Some(Edit::insert(at, format!("; {check}")));
        }
        return None;
    }
    // `... && break || sleep 5`
    let (connector, _) = all.get(index)?;
    let (_, previous) = all.get(index - 1)?;
    let previous_is_break = matches!(script.kind(*previous), NodeKind::Pipeline(p)
        if p.commands.len() == 1
            && p.commands.first().and_then(|c| script.command(*c)).and_then(|c| c.name_literal()) == Some("break"));
    let only_and_before = all
        .iter()
        .take(index)
        .skip(1)
        .all(|(c, _)| *c == Some(Connector::And));
    if *connector != Some(Connector::Or) || !previous_is_break || !only_and_before {
        return None;
    }
    let start = run.file_range(script.span(*previous)).end;
    let end = run.file_offset(script.span(pipeline).start);
    (start < end).then(|| Edit::replace(start..end, format!("; {check}; ")))
}
