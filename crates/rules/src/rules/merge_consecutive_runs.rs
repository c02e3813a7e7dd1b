use crate::helpers::speed::range;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports two consecutive `RUN` instructions of the final stage that both install
    /// packages with the same package manager (apt and apt-get count as one).
    ///
    /// ## Why it matters
    /// Each `RUN` is a layer with its own copy of what the manager writes besides the
    /// packages (index, logs, status database), and each is downloaded separately by every
    /// user who pulls the image. Builder stages are not reported: there, separate layers
    /// let a change to one install keep the cache of the other, and their layers are not
    /// shipped.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// RUN apt-get update && apt-get install -y --no-install-recommends git
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl \
    ///     && apt-get update && apt-get install -y --no-install-recommends git
    /// ```
    ///
    /// ## Fix safety
    /// Unsafe: the commands now share one layer and one cache key, so a change to either
    /// reruns both. The fix is offered only for shell-form `RUN`s whose script is one
    /// `&&`/`||` chain and whose builder flags allow it (the second has none, or the same
    /// as the first), so joining with `&&` keeps what fails and what runs.
    pub struct MergeConsecutiveRuns {
        name: "merge-consecutive-runs",
        group: Speed,
        level: Info,
        aliases: [],
        fix: Unsafe,
        summary: "Consecutive RUNs of the final stage install with the same package manager",
    }
}

fn family(m: Manager) -> Manager {
    match m {
        Manager::Apt => Manager::AptGet,
        Manager::Bundle => Manager::Gem,
        other => other,
    }
}

fn installers(ctx: &Context<'_>, id: InstructionId) -> Vec<Manager> {
    let mut out: Vec<Manager> = ctx
        .scripts(id)
        .iter()
        .flat_map(|s| s.operations.iter())
        .filter(|o| o.operation == Operation::Install && !o.manager.is_downloader())
        .map(|o| family(o.manager))
        .collect();
    out.sort();
    out.dedup();
    out
}

impl Check for MergeConsecutiveRuns {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let Some(last) = ctx.model.final_stage() else {
            return;
        };
        for pair in last.instructions.windows(2) {
            let [first, second] = pair else { continue };
            let (Some(a), Some(b)) = (
                ctx.model.instruction(*first),
                ctx.model.instruction(*second),
            ) else {
                continue;
            };
            if a.kind() != InstructionKind::Run || b.kind() != InstructionKind::Run {
                continue;
            }
            let before = installers(ctx, *first);
            let Some(shared) = installers(ctx, *second)
                .into_iter()
                .find(|m| before.contains(m))
            else {
                continue;
            };
            let line = ctx.parse.line_index().line_col(a.range().start()).line;
            let name = crate::helpers::size::program_name(shared);
            let r = out.report(
                range(b.keyword_range()),
                format!(
                    "this `RUN` installs with {name} like the `RUN` on line {line}: two layers, each with its own {name} metadata"
                ),
            );
            r.help("join the two commands with `&&` in one `RUN`");
            if let Some(fix) = join_fix(ctx, *first, a, *second, b) {
                r.fix(fix);
            }
        }
    }
}

/// Whether the script is a single and-or chain, so `&&` after it or before it keeps the
/// meaning.
fn single_chain(ctx: &Context<'_>, id: InstructionId) -> bool {
    let scripts = ctx.scripts(id);
    let [script] = scripts else {
        return false;
    };
    let s = &script.script;
    let root = s.root();
    let one_item = match s.kind(root) {
        dockopt_shell::NodeKind::List(l) => {
            l.items.len() == 1 && l.items[0].separator == dockopt_shell::Separator::Sequence
        }
        _ => false,
    };
    // Nothing after the chain (a trailing comment would swallow what is appended).
    let end = s.span(root).end;
    one_item
        && s.source()
            .get(end..)
            .is_some_and(|rest| rest.trim().is_empty())
}

fn join_fix(
    ctx: &Context<'_>,
    first: InstructionId,
    a: &Instruction,
    second: InstructionId,
    b: &Instruction,
) -> Option<Fix> {
    let (Some(fa), Some(_)) = (a.shell_form(), b.shell_form()) else {
        return None;
    };
    if !a.heredocs().is_empty() || !b.heredocs().is_empty() {
        return None;
    }
    let flags_of =
        |i: &Instruction| -> Vec<String> { i.flags().iter().map(|f| f.raw.clone()).collect() };
    if !b.flags().is_empty() && flags_of(a) != flags_of(b) {
        return None;
    }
    if !single_chain(ctx, first) || !single_chain(ctx, second) {
        return None;
    }
    let gap_start = usize::from(fa.range.end());
    let gap_end = usize::from(b.args_range().start());
    let gap = ctx.source.get(gap_start..usize::from(b.range().start()))?;
    if !gap.trim().is_empty() {
        // Comments between the two would be lost.
        return None;
    }
    let escape = ctx.file().escape();
    let text_a = ctx.source.get(range(a.range()))?;
    // Follow the first RUN's continuation style: its indentation, and `&&` leading or
    // trailing the lines.
    let continuation: Vec<&str> = text_a.lines().skip(1).collect();
    let indent = continuation
        .first()
        .and_then(|l| l.get(..l.len() - l.trim_start().len()))
        .filter(|i| !i.is_empty())
        .unwrap_or("    ");
    let leading = continuation
        .iter()
        .any(|l| l.trim_start().starts_with("&&"));
    let newline = if ctx.source.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let joint = if leading {
        format!(" {escape}{newline}{indent}&& ")
    } else {
        format!(" && {escape}{newline}{indent}")
    };
    Some(Fix {
        safety: FixSafety::Unsafe,
        description: "join the two RUNs with `&&`".to_string(),
        edits: vec![Edit::replace(gap_start..gap_end, joint)],
    })
}
