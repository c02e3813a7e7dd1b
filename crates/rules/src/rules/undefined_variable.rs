use std::ops::Range;

use dockopt_syntax::expand::{instruction_expansion, ArgumentExpansion, Env, Lexer, VarRef};
use dockopt_model::PROXY_ARGS;
use dockopt_syntax::Argument;

use crate::helpers::correctness::{is_identifier, reference_range, span, suggest};
use crate::helpers::packages::base_image_env;
use crate::helpers::reliability::stage_lineage;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a variable that BuildKit expands (in `COPY`/`ADD` paths and flags, `ENV`,
    /// `LABEL`, `ARG` defaults, `EXPOSE`, `USER`, `WORKDIR`, `VOLUME`, `STOPSIGNAL`,
    /// `RUN --mount` options, `COPY` heredoc bodies) when no `ENV` or `ARG` in scope sets
    /// it. Shell-form `RUN`/`CMD`/`ENTRYPOINT` are left alone: the shell expands those.
    ///
    /// The base image's own variables are not known here, so in a stage built on an image
    /// a name is reported only when it is surely a mistake: a name with lower-case letters
    /// (images set upper-case ones), a near miss of a variable in scope (`$VERSOIN`), a
    /// global `ARG` not declared again after `FROM`, or a name set only later in the stage
    /// or in another stage. Names images commonly set (`PATH`, `JAVA_HOME`, `*_VERSION`...)
    /// are left alone there. In a stage built on `scratch`, every unset name is reported.
    ///
    /// ## Why it matters
    /// An unset variable expands to nothing without any error: files are copied to the
    /// wrong place, a label or `ENV` is silently empty. A global `ARG` is the usual
    /// culprit: it is visible to `FROM` only, each stage must declare it again.
    ///
    /// ## Example
    /// ```dockerfile
    /// ARG VERSION=1.2.3
    /// FROM alpine:3.20
    /// LABEL org.opencontainers.image.version=$VERSION
    /// COPY $foo .
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// ARG VERSION=1.2.3
    /// FROM alpine:3.20
    /// ARG VERSION
    /// ARG foo
    /// LABEL org.opencontainers.image.version=$VERSION
    /// COPY $foo .
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: whether to declare an `ARG`, fix a typo or set an `ENV` is the
    /// author's choice.
    pub struct UndefinedVariable {
        name: "undefined-variable",
        group: Correctness,
        level: Warning,
        aliases: ["UndefinedVar"],
        fix: None,
        summary: "A variable BuildKit expands is not set by any `ENV` or `ARG` in scope",
    }
}

/// Variables official images commonly set; in a stage built on an image they may well be
/// defined even though this file does not show it.
const COMMON_IMAGE_ENV: [&str; 16] = [
    "PATH", "HOME", "LANG", "LC_ALL", "HOSTNAME", "TERM", "JAVA_HOME", "GOPATH", "GOROOT",
    "CARGO_HOME", "RUSTUP_HOME", "GEM_HOME", "PGDATA", "PHP_INI_DIR", "APP_UID", "GPG_KEY",
];

/// ARGs that never become variables of the build.
const NON_ENV_ARGS: [&str; 2] = ["BUILDKIT_SBOM_SCAN_CONTEXT", "BUILDKIT_SBOM_SCAN_STAGE"];

/// One piece of an instruction that BuildKit expands.
struct Piece {
    arg: Argument,
    /// For heredoc bodies: the file offset of the body, exact when tabs are not stripped.
    body_at: Option<(usize, bool)>,
    lexer: Lexer,
    /// Names an earlier pair of the same `ARG` declares: they are set for this piece.
    earlier: Vec<String>,
}

fn pieces(ctx: &Context<'_>, ins: &Instruction) -> Vec<Piece> {
    let escape = ctx.file().escape();
    let plain = Lexer::new(escape);
    let expansion = instruction_expansion(ins.keyword());
    let mut out: Vec<Piece> = Vec::new();
    let mut push = |arg: Argument, earlier: Vec<String>| {
        out.push(Piece {
            arg,
            body_at: None,
            lexer: plain,
            earlier,
        })
    };
    match expansion.arguments {
        ArgumentExpansion::EachWord | ArgumentExpansion::SplitWords => {
            for a in ins.arguments() {
                // Heredoc markers (`<<EOF`) are not paths.
                if !a.value.starts_with("<<") {
                    push(a.clone(), Vec::new());
                }
            }
        }
        ArgumentExpansion::KeysAndValues => {
            for pair in ins.pairs() {
                push(pair.key.clone(), Vec::new());
                if let Some(v) = &pair.value {
                    push(v.clone(), Vec::new());
                }
            }
        }
        ArgumentExpansion::Values => {
            let mut earlier: Vec<String> = Vec::new();
            for pair in ins.pairs() {
                if let Some(v) = &pair.value {
                    push(v.clone(), earlier.clone());
                }
                earlier.push(pair.key.value.clone());
            }
        }
        ArgumentExpansion::None | ArgumentExpansion::GlobalArgs => {}
    }
    for name in expansion.flags {
        if *name == "mount" {
            for mount in ins.mounts() {
                for option in &mount.options {
                    let Some(value) = option.value.clone() else {
                        continue;
                    };
                    let field = span(option.range);
                    // `key=value` written as is: the value starts after `key=`.
                    let value_start = field.start + option.key.len() + 1;
                    let range = if field.len() == option.key.len() + 1 + value.len() {
                        dockopt_syntax::Range::new(
                            (value_start as u32).into(),
                            (field.end as u32).into(),
                        )
                    } else {
                        option.range
                    };
                    push(Argument { value, range }, Vec::new());
                }
            }
            continue;
        }
        for flag in ins.flags().iter().filter(|f| f.name == *name) {
            if let Some(value) = flag.value.clone() {
                let range = flag.value_range.unwrap_or(flag.range);
                push(Argument { value, range }, Vec::new());
            }
        }
    }
    if expansion.heredoc_bodies {
        for heredoc in ins.heredocs().iter().filter(|h| !h.quoted) {
            out.push(Piece {
                arg: Argument {
                    value: heredoc.body(),
                    range: heredoc.body_range,
                },
                body_at: Some((usize::from(heredoc.body_range.start()), !heredoc.strip_tabs)),
                lexer: Lexer::heredoc_body(),
                earlier: Vec::new(),
            });
        }
    }
    out
}

fn range_of(piece: &Piece, reference: &VarRef) -> Range<usize> {
    match piece.body_at {
        Some((at, true)) => at + reference.span.start..at + reference.span.end,
        Some((_, false)) => span(piece.arg.range),
        None => reference_range(&piece.arg, reference),
    }
}

/// Whether the `FROM` of the first stage of `lineage` (the one built on an image) uses
/// the variable `name`.
fn root_from_uses(ctx: &Context<'_>, lineage: &[usize], name: &str) -> bool {
    let Some(root) = lineage.last().and_then(|&i| ctx.model.stage(i)) else {
        return false;
    };
    matches!(
        ctx.model.expand_at(root.from, &root.base_text),
        Some(Ok(e)) if e.references.iter().any(|r| r.name == name)
    )
}

/// Where a name is set by an `ARG` or `ENV` of the file: (instruction id, stage index).
fn definitions(ctx: &Context<'_>, name: &str) -> Vec<(InstructionId, Option<usize>)> {
    ctx.instructions()
        .filter(|(_, i)| matches!(i.kind(), InstructionKind::Arg | InstructionKind::Env))
        .filter(|(_, i)| i.pairs().iter().any(|p| p.key.value == name))
        .map(|(id, _)| (id, ctx.stage_of(id).map(|s| s.index)))
        .collect()
}

impl Check for UndefinedVariable {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let globals = ctx.model.global_declared_args();
        let lines = ctx.parse.line_index();
        for (id, ins) in ctx.instructions() {
            if ins.kind() == InstructionKind::From {
                continue;
            }
            let (Some(state), Some(stage)) = (ctx.state(id), ctx.stage_of(id)) else {
                continue;
            };
            let lineage = stage_lineage(ctx, stage.index);
            let image_env = base_image_env(ctx, id);
            // ENV pairs that use a sibling are `env-self-reference`'s.
            let siblings: Vec<&str> = if ins.kind() == InstructionKind::Env {
                ins.pairs().iter().map(|p| p.key.value.as_str()).collect()
            } else {
                Vec::new()
            };
            // Names to suggest: what is in scope, and what an image commonly sets.
            let mut known: Vec<&str> = state
                .vars
                .names()
                .chain(state.declared_args.iter().map(String::as_str))
                .collect();
            if !state.base_env_known {
                known.extend(COMMON_IMAGE_ENV);
                known.extend(image_env.iter().map(|(k, _)| *k));
            }
            let mut reported: Vec<String> = Vec::new();
            for piece in pieces(ctx, ins) {
                let mut vars: Env = state.vars.clone();
                for name in &piece.earlier {
                    if !vars.contains(name) {
                        vars.set(name.clone(), String::new());
                    }
                }
                let Ok(expansion) = piece.lexer.expand(&piece.arg.value, &vars) else {
                    continue;
                };
                for reference in expansion.references.iter().filter(|r| !r.set) {
                    let name = reference.name.as_str();
                    if !is_identifier(name)
                        || reported.iter().any(|r| r == name)
                        || state.is_declared_arg(name)
                        || piece.earlier.iter().any(|a| a == name)
                        || siblings.contains(&name)
                        || NON_ENV_ARGS.contains(&name)
                    {
                        continue;
                    }
                    let near = suggest(name, known.iter().copied());
                    let elsewhere = definitions(ctx, name);
                    let later = elsewhere
                        .iter()
                        .find(|(i, s)| *s == Some(stage.index) && *i > id);
                    let other_stage = elsewhere
                        .iter()
                        .find(|(_, s)| s.is_some_and(|s| !lineage.contains(&s)));
                    let global = globals.iter().any(|g| g == name);
                    let line_of = |i: InstructionId| {
                        ctx.model
                            .instruction(i)
                            .map_or(0, |x| lines.line_col(x.range().start()).line)
                    };
                    let may_come_from_image = !state.base_env_known
                        && (COMMON_IMAGE_ENV.contains(&name)
                            || name.ends_with("_VERSION")
                            || image_env.iter().any(|(k, _)| *k == name));
                    // `FROM node:${NODE_VERSION}` over an image that likely exports it.
                    let versions_base = root_from_uses(ctx, &lineage, name);
                    let (why, help) = if PROXY_ARGS.contains(&name) {
                        continue;
                    } else if let Some(near) = near.filter(|_| !may_come_from_image) {
                        (String::new(), format!("did you mean `${near}`?"))
                    } else if global && !versions_base {
                        (
                            format!(
                                ": the `ARG {name}` before the first `FROM` is visible to `FROM` \
                                 only"
                            ),
                            format!("declare `ARG {name}` again in this stage"),
                        )
                    } else if may_come_from_image || versions_base {
                        continue;
                    } else if name.bytes().any(|b| b.is_ascii_lowercase()) {
                        // Images set upper-case variables; a lower-case one is this file's.
                        (
                            String::new(),
                            format!("declare `ARG {name}` or set `ENV {name}` before this line"),
                        )
                    } else if let Some((at, _)) = later {
                        (
                            format!(": it is set only later, on line {}", line_of(*at)),
                            format!("move the definition of `{name}` above this line"),
                        )
                    } else if let Some((at, Some(s))) = other_stage {
                        let owner = ctx
                            .model
                            .stage(*s)
                            .map_or_else(String::new, |s| s.display_name());
                        (
                            format!(
                                ": it is set on line {} in the stage `{owner}`, which this stage \
                                 does not build on",
                                line_of(*at)
                            ),
                            format!("declare `ARG {name}` (or set `ENV {name}`) in this stage"),
                        )
                    } else if state.base_env_known {
                        (
                            String::new(),
                            format!("declare `ARG {name}` or set `ENV {name}` before this line"),
                        )
                    } else {
                        continue;
                    };
                    reported.push(name.to_string());
                    out.report(
                        range_of(&piece, reference),
                        format!("`${name}` is not set here and expands to nothing{why}"),
                    )
                    .help(help);
                }
            }
        }
    }
}
