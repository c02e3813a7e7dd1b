use crate::helpers::speed::{copies_source, instruction_lines, line_start, range, reads_variable};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` whose value changes on every build (a commit, a build date or
    /// number, a CI variable: `GIT_COMMIT`, `GIT_SHA`, `COMMIT`, `REVISION`, `VCS_REF`,
    /// `BUILD_DATE`, `BUILD_NUMBER`, `BUILD_ID`, `VERSION`, `SOURCE_DATE_EPOCH`, `CI_*`,
    /// `GITHUB_SHA`..., or a default that holds `$(...)`) declared before `RUN` steps that
    /// do not use it and come before the source tree is copied. An `ENV` that takes such a
    /// value early is reported the same way.
    ///
    /// ## Why it matters
    /// Every `RUN` after an `ARG` gets the value in its environment, and so in its cache
    /// key: a new commit makes every one of those steps run again (package installs,
    /// toolchain downloads) although none of them reads it. Declared just before its first
    /// use, the `ARG` costs only the steps that need it. An `ARG` declared after the source
    /// is copied costs nothing extra, since those steps rerun anyway.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// ARG GIT_COMMIT
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// LABEL org.opencontainers.image.revision=$GIT_COMMIT
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ARG GIT_COMMIT
    /// LABEL org.opencontainers.image.revision=$GIT_COMMIT
    /// ```
    ///
    /// ## Fix safety
    /// Safe when nothing between the declaration and the first use reads the variable
    /// (which is how the first use is found): the `ARG` line moves down to just before it.
    /// A script that reads the variable from its environment without naming it (a build
    /// script run by `make`) cannot be seen; such a step is the first use and should name
    /// the variable. No fix is offered when the stage never uses the `ARG`, or when the
    /// instruction declares several.
    pub struct VolatileArgEarly {
        name: "volatile-arg-early",
        group: Speed,
        level: Warning,
        aliases: [],
        fix: Safe,
        summary: "A per-build ARG declared before steps it needlessly invalidates",
    }
}

/// Names whose value is different for every build.
fn is_volatile_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    const EXACT: &[&str] = &[
        "VERSION",
        "COMMIT",
        "SHA",
        "REVISION",
        "VCS_REF",
        "SOURCE_DATE_EPOCH",
        "BUILD_DATE",
        "BUILD_TIME",
        "BUILD_TIMESTAMP",
        "BUILD_NUMBER",
        "BUILD_ID",
        "BUILDTIME",
        "BUILD_VERSION",
    ];
    const SUFFIXES: &[&str] = &[
        "GIT_COMMIT",
        "GIT_SHA",
        "GIT_HASH",
        "GIT_REV",
        "GIT_REVISION",
        "COMMIT_SHA",
        "COMMIT_HASH",
        "COMMIT_ID",
        "BUILD_DATE",
        "BUILD_NUMBER",
        "BUILD_ID",
        "BUILD_TIMESTAMP",
        "VCS_REF",
    ];
    EXACT.contains(&upper.as_str())
        || SUFFIXES
            .iter()
            .any(|s| upper == *s || upper.ends_with(&format!("_{s}")))
        || upper.starts_with("CI_")
        || matches!(
            upper.as_str(),
            "GITHUB_SHA" | "GITHUB_RUN_ID" | "GITHUB_RUN_NUMBER" | "GITHUB_REF"
        )
}

impl Check for VolatileArgEarly {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for stage in ctx.model.stages() {
            let ids = &stage.instructions;
            for (p, &id) in ids.iter().enumerate() {
                let Some(ins) = ctx.model.instruction(id) else {
                    continue;
                };
                if !matches!(ins.kind(), InstructionKind::Arg | InstructionKind::Env) {
                    continue;
                }
                for pair in ins.pairs() {
                    let name = pair.key.value.as_str();
                    let volatile = match ins.kind() {
                        InstructionKind::Arg => {
                            is_volatile_name(name)
                                || pair.value.as_ref().is_some_and(|v| v.value.contains("$("))
                        }
                        // `ENV X=$GIT_COMMIT`: takes a volatile ARG's value.
                        _ => pair.value.as_ref().is_some_and(|v| {
                            ctx.state(id).is_some_and(|s| {
                                s.declared_args
                                    .iter()
                                    .any(|a| is_volatile_name(a) && mentions_var(&v.value, a))
                            })
                        }),
                    };
                    if !volatile {
                        continue;
                    }
                    check_one(ctx, out, ids, p, ins, pair, name);
                }
            }
        }
    }
}

/// Whether `$name`/`${name...}` appears in a value as written.
fn mentions_var(value: &str, name: &str) -> bool {
    let lexer = dockopt_syntax::expand::Lexer::new('\\');
    let empty = dockopt_syntax::expand::Env::new();
    lexer
        .expand(value, &empty)
        .is_ok_and(|e| e.references.iter().any(|r| r.name == name))
}

fn check_one(
    ctx: &Context<'_>,
    out: &mut Findings,
    ids: &[InstructionId],
    p: usize,
    ins: &Instruction,
    pair: &dockopt_syntax::KeyValue,
    name: &str,
) {
    let is_source = |i: &InstructionId| ctx.model.instruction(*i).is_some_and(copies_source);
    // Declared once the source is in, it costs nothing extra.
    if ids.iter().take(p).any(is_source) {
        return;
    }
    let later = ids.get(p + 1..).unwrap_or(&[]);
    let source_at = later.iter().position(is_source);
    let first_use = later.iter().position(|i| reads_variable(ctx, *i, name));
    let limit = match (source_at, first_use) {
        (Some(a), Some(b)) => a.min(b),
        (Some(a), None) => a,
        (None, Some(b)) => b,
        (None, None) => later.len(),
    };
    let wasted: Vec<InstructionId> = later
        .iter()
        .take(limit)
        .copied()
        .filter(|i| {
            ctx.model
                .instruction(*i)
                .is_some_and(|x| x.kind() == InstructionKind::Run)
        })
        .collect();
    let Some(&first_wasted) = wasted.first() else {
        return;
    };
    let line_of = |id: InstructionId| {
        ctx.model.instruction(id).map_or(0, |x| {
            ctx.parse.line_index().line_col(x.range().start()).line
        })
    };
    let keyword = ins.kind().as_str();
    let steps = if wasted.len() == 1 {
        format!(
            "the `RUN` on line {}, which does not use it",
            line_of(first_wasted)
        )
    } else {
        format!(
            "{} `RUN` steps from line {}, which do not use it",
            wasted.len(),
            line_of(first_wasted)
        )
    };
    let r = out.report(
        range(pair.key.range),
        format!(
            "`{keyword} {name}` changes on every build and comes before {steps}: each new value reruns them"
        ),
    );
    let target = first_use.and_then(|u| later.get(u)).copied();
    match target {
        Some(t) => r.help(format!(
            "declare `{name}` just before its first use (line {})",
            line_of(t)
        )),
        None => r.help(format!(
            "nothing in the stage names `{name}`: declare it just before the step that reads it from its environment, after the source is copied"
        )),
    };
    let movable = ins.kind() == InstructionKind::Arg && ins.pairs().len() == 1;
    let (Some(t), true) = (target, movable) else {
        return;
    };
    let (Some(lines), Some(target_ins)) =
        (instruction_lines(ctx.source, ins), ctx.model.instruction(t))
    else {
        return;
    };
    let Some(text) = ctx.source.get(lines.clone()) else {
        return;
    };
    let mut text = text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let at = line_start(ctx.source, usize::from(target_ins.range().start()));
    r.fix(Fix {
        safety: FixSafety::Safe,
        description: format!("move `ARG {name}` down to its first use"),
        edits: vec![Edit::delete(lines), Edit::insert(at, text)],
    });
}
