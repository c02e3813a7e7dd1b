use dockopt_shell::pkg::{cache_dirs, CacheDir, CacheKind};

use crate::helpers::speed::{
    any_mount_covering, cache_mount_covering, cache_mount_flag, command_env, delete_command,
    delete_word, fills_cache, insert_flag, run_mounts, short, used_caches, user_info,
};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a language package manager or compiler (pip, uv, poetry, npm, yarn, pnpm,
    /// bun, go, cargo, maven, gradle, gem, bundle, composer) that downloads or builds into
    /// a cache no `RUN --mount=type=cache` keeps: the cache is thrown away (`--no-cache-dir`,
    /// `PIP_NO_CACHE_DIR`, `rm -rf ~/.cache/pip`, `npm cache clean`, `go clean -cache`) or
    /// stays in the layer, and the next build starts cold. The cache directory is worked out
    /// from the step's effective user and home directory and the tool's variables
    /// (`PIP_CACHE_DIR`, `UV_CACHE_DIR`, `npm_config_cache`, `GOMODCACHE`, `GOCACHE`,
    /// `CARGO_HOME`...). A cache mount on that directory (or above it) silences the rule.
    ///
    /// ## Why it matters
    /// Whenever the step's cache key changes (a new requirement, a base image update), every
    /// package is downloaded again and every module compiled again: minutes per build for a
    /// large project. A cache mount keeps the downloads on the builder between builds and
    /// out of the image, so it is both faster than a cold cache and as small as
    /// `--no-cache-dir`: there is no size-versus-speed trade-off to make, which is why a
    /// `pip install --no-cache-dir` in the final stage of a released image is reported too.
    /// Cache mounts need BuildKit (the default builder since Docker 23).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt .
    /// RUN pip install --no-cache-dir -r requirements.txt
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY requirements.txt .
    /// RUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix safety
    /// Adding the mount is safe: the cache lands on the mount instead of the layer. When the
    /// step runs as another user, the mount gets that user's `uid`/`gid` (read from `USER`
    /// and the `useradd`/`adduser`/`groupadd` that created it); when they cannot be found,
    /// no fix is offered, since a root-owned cache would not be writable. Maven's and
    /// Yarn's caches are not safe for concurrent writers and get `sharing=locked`. When the
    /// same `RUN` also throws the cache away (a flag, an assignment, a cache-deleting
    /// command), the fix also removes that, and is unsafe: review it. The cargo target
    /// directory holds the built binaries and is never mounted automatically. A cache turned
    /// off by an `ENV` (`PIP_NO_CACHE_DIR`, `UV_NO_CACHE`) gets no fix: remove the `ENV`.
    pub struct MissingCacheMount {
        name: "missing-cache-mount",
        group: Speed,
        level: Warning,
        aliases: [],
        fix: Safe,
        summary: "A package manager's download or build cache is not kept in a cache mount",
    }
}

impl Check for MissingCacheMount {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::Run) {
            let mounts = run_mounts(ctx, id);
            let mut reported: Vec<Manager> = Vec::new();
            for script in ctx.scripts(id) {
                for op in script.operations.iter().filter(|op| fills_cache(op)) {
                    if reported.contains(&family(op.manager)) {
                        continue;
                    }
                    if let Some(finding) = examine(ctx, id, ins, script, op, &mounts) {
                        reported.push(family(op.manager));
                        let r = out.report(finding.range, finding.message);
                        r.help(finding.help);
                        if let Some(fix) = finding.fix {
                            r.fix(fix);
                        }
                    }
                }
            }
        }
    }
}

/// `bundle` and `gem` share a cache; the others are their own.
fn family(m: Manager) -> Manager {
    match m {
        Manager::Bundle => Manager::Gem,
        other => other,
    }
}

struct Problem {
    range: std::ops::Range<usize>,
    message: String,
    help: String,
    fix: Option<Fix>,
}

/// What throws a cache away in the step, and how to remove it.
struct Discard {
    what: String,
    edit: Option<std::ops::Range<usize>>,
}

fn examine(
    ctx: &Context<'_>,
    id: InstructionId,
    ins: &Instruction,
    script: &RunScript,
    op: &PkgOp,
    mounts: &[crate::helpers::speed::RunMount],
) -> Option<Problem> {
    let env = command_env(ctx, id, script, op);
    let mut dirs = used_caches(op, &env);
    // `--cache-dir DIR` (pip, uv, poetry) moves the download cache.
    if let Some(dir) = op
        .flag(Meaning::CacheDir)
        .and_then(|f| f.value.as_deref())
        .filter(|v| v.starts_with('/'))
    {
        if let Some(first) = dirs.iter_mut().find(|d| d.kind == CacheKind::Packages) {
            first.path = dir.trim_end_matches('/').to_string();
        }
    }
    if dirs.is_empty() {
        return None;
    }
    let name = crate::helpers::size::program_name(op.manager);
    let discards = discards(script, op, &dirs);
    let env_disabled = cache_dirs(op.manager, &env).disabled_by.filter(|var| {
        // Set by `ENV`/`ARG`, not by an assignment before the command (that one is a
        // discard the fix can remove).
        !discards.iter().any(|d| d.what.starts_with(var))
    });
    let missing: Vec<&CacheDir> = dirs
        .iter()
        .filter(|d| cache_mount_covering(mounts, &d.path).is_none())
        .collect();
    if missing.is_empty() && discards.is_empty() && env_disabled.is_none() {
        return None;
    }
    let range = script.file_range(op.span);
    let paths: Vec<&str> = missing.iter().map(|d| d.path.as_str()).collect();
    let thrown: Vec<&str> = discards
        .iter()
        .map(|d| d.what.as_str())
        .chain(env_disabled)
        .collect();
    let message = match (paths.is_empty(), thrown.is_empty()) {
        (false, true) => format!(
            "{name} fills {} but no cache mount keeps it between builds",
            join(&paths)
        ),
        (false, false) => format!(
            "{name} fills {}, which {} throws away and no cache mount keeps",
            join(&paths),
            join(&thrown)
        ),
        _ => format!(
            "{name}'s cache is mounted, but {} throws it away on every build",
            join(&thrown)
        ),
    };
    let state = ctx.state(id);
    let root = state.is_none_or(|s| s.is_root());
    let owner = (!root).then(|| user_info(ctx, id));
    let owner_known = owner.as_ref().is_none_or(|o| o.uid.is_some());
    let locked = matches!(op.manager, Manager::Maven | Manager::Yarn);
    let flags: Vec<String> = missing
        .iter()
        .map(|d| cache_mount_flag(&d.path, locked, owner.as_ref()))
        .collect();
    let help = match (flags.first(), &owner) {
        (_, _) if env_disabled.is_some() => format!(
            "remove `ENV {}`{}",
            env_disabled.unwrap_or_default(),
            if flags.is_empty() {
                String::new()
            } else {
                format!(" and add `{}` to the `RUN`", flags.join(" "))
            }
        ),
        (Some(_), Some(o)) if o.uid.is_none() => format!(
            "add `RUN {}` with `uid=`/`gid=` of the user `{}`",
            flags.join(" "),
            state.and_then(|s| s.user.as_deref()).unwrap_or("")
        ),
        (Some(_), _) => format!("add `{}` to the `RUN`", flags.join(" ")),
        (None, _) => format!("stop {} so the mounted cache is reused", join(&thrown)),
    };
    let clash = missing.iter().any(|d| any_mount_covering(mounts, &d.path));
    let removable = discards.iter().all(|d| d.edit.is_some());
    let fix = (owner_known && !clash && env_disabled.is_none() && removable).then(|| {
        let mut edits: Vec<Edit> = flags.iter().map(|f| insert_flag(ctx, ins, f)).collect();
        if edits.len() > 1 {
            // One insertion holding every flag keeps the edits apart.
            let text: String = edits.iter().map(|e| e.replacement.as_str()).collect();
            let at = edits[0].range.start;
            edits = vec![Edit::insert(at, text)];
        }
        edits.extend(
            discards
                .iter()
                .filter_map(|d| d.edit.clone())
                .map(Edit::delete),
        );
        let safety = if discards.is_empty() {
            FixSafety::Safe
        } else {
            FixSafety::Unsafe
        };
        let mut description = if paths.is_empty() {
            String::new()
        } else {
            format!("add a cache mount for {}", join(&paths))
        };
        if !discards.is_empty() {
            if !description.is_empty() {
                description.push_str(" and ");
            }
            description.push_str(&format!("remove {}", join(&thrown)));
        }
        Fix {
            safety,
            description,
            edits,
        }
    });
    Some(Problem {
        range,
        message,
        help,
        fix: fix.filter(|f| !f.edits.is_empty()),
    })
}

/// What in this `RUN` throws the manager's cache away: flags, assignments before the
/// command, and cache-deleting commands of the same script.
fn discards(script: &RunScript, op: &PkgOp, dirs: &[CacheDir]) -> Vec<Discard> {
    let mut out = Vec::new();
    if matches!(op.manager, Manager::Pip | Manager::Uv | Manager::Poetry) {
        for flag in op
            .flags
            .iter()
            .filter(|f| matches!(f.meaning, Some(Meaning::NoCacheDir | Meaning::NoCache)))
        {
            out.push(Discard {
                what: format!("`{}`", flag.name),
                edit: Some(delete_word(script, flag.span)),
            });
        }
    }
    if let Some(cmd) = script.script.command(op.node) {
        for a in &cmd.assignments {
            if matches!(a.name.as_str(), "PIP_NO_CACHE_DIR" | "UV_NO_CACHE") {
                out.push(Discard {
                    what: format!("{}=", a.name),
                    edit: Some(delete_word(script, a.span)),
                });
            }
        }
    }
    for clean in script.operations.iter().filter(|c| {
        c.operation == Operation::CleanCache
            && family(c.manager) == family(op.manager)
            && c.span.start > op.span.start
    }) {
        let clears_ours = clean
            .cleared_kinds
            .iter()
            .any(|k| dirs.iter().any(|d| d.kind == *k));
        if !clears_ours {
            continue;
        }
        let text = clean.span.text(script.script.source()).to_string();
        let what = format!("`{}`", short(&text));
        // An `rm` of other paths too keeps the other paths.
        let edit = match script.script.command(clean.node) {
            Some(cmd) if cmd.program() == Some("rm") => {
                let paths: Vec<&dockopt_shell::Word> = cmd
                    .args
                    .iter()
                    .filter(|w| !w.literal().is_some_and(|l| l.starts_with('-')))
                    .collect();
                let ours: Vec<&&dockopt_shell::Word> = paths
                    .iter()
                    .filter(|w| clean.cleared.contains(&w.raw))
                    .collect();
                if ours.len() < paths.len() {
                    // Only when every word is removable as one contiguous deletion each.
                    let edits: Vec<std::ops::Range<usize>> =
                        ours.iter().map(|w| delete_word(script, w.span)).collect();
                    for e in edits.iter().skip(1) {
                        out.push(Discard {
                            what: what.clone(),
                            edit: Some(e.clone()),
                        });
                    }
                    edits.into_iter().next()
                } else {
                    delete_command(script, clean.node)
                }
            }
            _ => delete_command(script, clean.node),
        };
        out.push(Discard { what, edit });
    }
    out.dedup_by(|a, b| a.edit == b.edit && a.what == b.what);
    out
}

fn join(items: &[&str]) -> String {
    let mut unique: Vec<&str> = Vec::new();
    for i in items {
        if !unique.contains(i) {
            unique.push(i);
        }
    }
    match unique.as_slice() {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
