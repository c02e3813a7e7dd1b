use crate::helpers::speed::{chain_start, earlier_in_stage_chain, instruction_lines, short};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `apt-get update` (or `apk update`, `dnf`/`yum makecache`) in a `RUN` that
    /// installs nothing with it, and an `apt-get install` or `apk add` whose index was
    /// refreshed by an earlier `RUN` instead of its own.
    ///
    /// ## Why it matters
    /// The builder caches the `update` layer and reuses it for weeks while the install
    /// layer after it changes: the install then asks for package versions the mirrors no
    /// longer carry and fails (404), or installs old packages with known vulnerabilities.
    /// The index also stays in a layer of its own, tens of megabytes for Debian.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update
    /// RUN apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the `RUN` that only refreshed the index is removed and the refresh is put in
    /// front of the next install; an install that relied on an earlier refresh gets its own.
    /// Steps in between that needed the index would have to be changed by hand.
    pub struct AptUpdateSplit {
        name: "apt-update-split",
        group: Speed,
        level: Warning,
        aliases: [],
        fix: Unsafe,
        summary: "A package index refreshed in one layer and used in another",
    }
}

/// apt and apt-get share an index; dnf, yum and microdnf too.
fn family(m: Manager) -> Option<Manager> {
    match m {
        Manager::AptGet | Manager::Apt => Some(Manager::AptGet),
        Manager::Apk => Some(Manager::Apk),
        Manager::Dnf | Manager::Yum | Manager::Microdnf => Some(Manager::Dnf),
        _ => None,
    }
}

fn installs(op: &PkgOp) -> bool {
    matches!(op.operation, Operation::Install | Operation::Upgrade)
}

/// An install that refreshes the index itself (`apk add --update`, `apk add --no-cache`).
fn refreshes_itself(op: &PkgOp) -> bool {
    op.manager == Manager::Apk
        && (op.has(Meaning::NoCache)
            || op
                .flags
                .iter()
                .any(|f| matches!(f.name.as_str(), "-U" | "--update" | "--update-cache")))
}

struct Update<'a> {
    id: InstructionId,
    script: &'a RunScript,
    op: &'a PkgOp,
    /// Nothing is installed after it in its `RUN`.
    alone: bool,
}

fn updates<'c>(ctx: &'c Context<'_>, id: InstructionId) -> Vec<Update<'c>> {
    let mut out = Vec::new();
    for script in ctx.scripts(id) {
        for (i, op) in script.operations.iter().enumerate() {
            let Some(fam) = family(op.manager) else {
                continue;
            };
            if op.operation != Operation::UpdateIndex {
                continue;
            }
            let alone = !script
                .operations
                .iter()
                .skip(i + 1)
                .any(|o| family(o.manager) == Some(fam) && installs(o));
            out.push(Update {
                id,
                script,
                op,
                alone,
            });
        }
    }
    out
}

impl Check for AptUpdateSplit {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let runs: Vec<InstructionId> = ctx
            .instructions_of(InstructionKind::Run)
            .map(|(id, _)| id)
            .collect();
        for &id in &runs {
            for update in updates(ctx, id).into_iter().filter(|u| u.alone) {
                let fam = family(update.op.manager);
                let text = update.op.span.text(update.script.script.source()).trim();
                let next_install = runs
                    .iter()
                    .filter(|r| {
                        **r > id
                            && ctx.stage_of(**r).map(|s| s.index)
                                == ctx.stage_of(id).map(|s| s.index)
                    })
                    .find_map(|r| {
                        ctx.scripts(*r).iter().find_map(|s| {
                            s.operations
                                .iter()
                                .find(|o| family(o.manager) == fam && installs(o))
                                .map(|o| (*r, s, o))
                        })
                    });
                let r = out.report(
                    update.script.file_range(update.op.span),
                    format!(
                        "`{}` runs in a layer of its own: the cached index goes stale while later installs change",
                        short(text)
                    ),
                );
                r.help("refresh the index in the same `RUN` as the install that needs it");
                if let Some((_, script, op)) = next_install {
                    if let Some(fix) = merge_fix(ctx, &update, script, op, text) {
                        r.fix(fix);
                    }
                }
            }
        }
        // Installs that rely on an index refreshed in an earlier layer.
        for &id in &runs {
            for script in ctx.scripts(id) {
                for (i, op) in script.operations.iter().enumerate() {
                    let Some(fam) = family(op.manager) else {
                        continue;
                    };
                    if fam == Manager::Dnf
                        || op.operation != Operation::Install
                        || refreshes_itself(op)
                    {
                        continue;
                    }
                    let refreshed_here = script.operations.iter().take(i).any(|o| {
                        family(o.manager) == Some(fam) && o.operation == Operation::UpdateIndex
                    });
                    if refreshed_here {
                        continue;
                    }
                    let earlier = earlier_in_stage_chain(ctx, id);
                    let Some(previous) = earlier.iter().find_map(|e| {
                        let mut u = updates(ctx, *e);
                        u.retain(|u| family(u.op.manager) == Some(fam));
                        u.pop()
                    }) else {
                        continue;
                    };
                    // The first install after a refresh of its own is reported on the refresh.
                    if previous.alone
                        && first_install_after(ctx, &runs, previous.id, fam) == Some(id)
                    {
                        continue;
                    }
                    // A later install in a RUN that installed with its own refresh is fine.
                    let line = ctx
                        .parse
                        .line_index()
                        .line_col(dockopt_syntax::TextSize::from(
                            u32::try_from(previous.script.file_range(previous.op.span).start)
                                .unwrap_or(0),
                        ))
                        .line;
                    let text = previous
                        .op
                        .span
                        .text(previous.script.script.source())
                        .trim()
                        .to_string();
                    let r = out.report(
                        script.file_range(op.span),
                        format!(
                            "this install uses the package index of an earlier layer (`{}` on line {line}), which the build cache keeps stale",
                            short(&text)
                        ),
                    );
                    r.help(format!(
                        "run `{}` in this `RUN`, before the install",
                        short(&text)
                    ));
                    if let Some(at) = chain_start(script, op) {
                        r.fix(Fix {
                            safety: FixSafety::Unsafe,
                            description: format!(
                                "refresh the index with `{}` before the install",
                                short(&text)
                            ),
                            edits: vec![Edit::insert(at, format!("{text} && "))],
                        });
                    }
                }
            }
        }
    }
}

fn first_install_after(
    ctx: &Context<'_>,
    runs: &[InstructionId],
    after: InstructionId,
    fam: Manager,
) -> Option<InstructionId> {
    let stage = ctx.stage_of(after).map(|s| s.index);
    runs.iter()
        .copied()
        .filter(|r| *r > after && ctx.stage_of(*r).map(|s| s.index) == stage)
        .find(|r| {
            ctx.scripts(*r).iter().any(|s| {
                s.operations
                    .iter()
                    .any(|o| family(o.manager) == Some(fam) && installs(o))
            })
        })
}

/// Removes the `RUN` that only refreshes the index and refreshes it before the install.
fn merge_fix(
    ctx: &Context<'_>,
    update: &Update<'_>,
    script: &RunScript,
    op: &PkgOp,
    text: &str,
) -> Option<Fix> {
    let ins = ctx.model.instruction(update.id)?;
    // Only a RUN that does nothing but refresh (one or more `update` commands).
    let only_updates = ctx.scripts(update.id).len() == 1
        && update.script.script.commands().all(|c| {
            update
                .script
                .operations
                .iter()
                .any(|o| o.node == c.id() && o.operation == Operation::UpdateIndex)
        });
    if !only_updates || !ins.flags().is_empty() || !ins.heredocs().is_empty() {
        return None;
    }
    let lines = instruction_lines(ctx.source, ins)?;
    let at = chain_start(script, op)?;
    Some(Fix {
        safety: FixSafety::Unsafe,
        description: "merge the index refresh into the RUN that installs".to_string(),
        edits: vec![Edit::delete(lines), Edit::insert(at, format!("{text} && "))],
    })
}
