//! Walks the instructions once, as BuildKit dispatches them, to build the model.

use std::collections::HashMap;
use std::sync::Arc;

use dockopt_syntax::expand::{Env, Lexer};
use dockopt_syntax::{
    Args, Argument, Dockerfile, Instruction, InstructionKind, Range as TextRange, TextSize,
};

use crate::args::{BuildOptions, NON_ENV_ARGS};
use crate::error::ModelError;
use crate::graph::{find_cycle, Dependency, DependencyKind, DependencyTarget};
use crate::stage::{Base, Stage};
use crate::state::EffectiveState;

/// Everything the walk computes.
pub(crate) struct Built {
    pub stages: Vec<Stage>,
    pub stage_of: Vec<Option<usize>>,
    /// States are shared between instructions that leave them unchanged (most do).
    pub before: Vec<Option<Arc<EffectiveState>>>,
    pub after: Vec<Option<Arc<EffectiveState>>>,
    pub final_states: Vec<EffectiveState>,
    pub global_args: Env,
    pub global_declared: Vec<String>,
    pub dependencies: Vec<Dependency>,
    pub errors: Vec<ModelError>,
}

/// A `--from` waiting for every stage name to be known.
struct PendingFrom {
    stage: usize,
    instruction: usize,
    kind: DependencyKind,
    value: String,
}

pub(crate) fn build(file: &Dockerfile, options: &BuildOptions) -> Built {
    let instructions: Vec<&Instruction> = file.instructions().collect();
    let lexer = Lexer::new(file.escape());
    let mut errors = Vec::new();

    let target_name = target_stage_name(&instructions, options);
    let mut global_args = options.platform_args(&target_name);
    let mut global_declared = Vec::new();

    let count = instructions.len();
    let mut built = Built {
        stages: Vec::new(),
        stage_of: vec![None; count],
        before: vec![None; count],
        after: vec![None; count],
        final_states: Vec::new(),
        global_args: Env::new(),
        global_declared: Vec::new(),
        dependencies: Vec::new(),
        errors: Vec::new(),
    };
    let mut pending: Vec<PendingFrom> = Vec::new();
    let mut state: Option<Arc<EffectiveState>> = None;

    for (id, ins) in instructions.iter().enumerate() {
        if ins.kind() == InstructionKind::From {
            if let Some(done) = state.take() {
                built.final_states.push(Arc::unwrap_or_clone(done));
            }
            let (stage, start) = start_stage(
                id,
                ins,
                &lexer,
                &global_args,
                &built.stages,
                &built.final_states,
                &mut errors,
            );
            if let Base::Stage(parent) = stage.base {
                built.dependencies.push(Dependency {
                    stage: stage.index,
                    instruction: id,
                    kind: DependencyKind::From,
                    target: DependencyTarget::Stage(parent),
                });
            }
            built.stage_of[id] = Some(stage.index);
            let start = Arc::new(start);
            built.before[id] = Some(Arc::clone(&start));
            built.after[id] = Some(Arc::clone(&start));
            built.stages.push(stage);
            state = Some(start);
            continue;
        }

        let Some(current) = state.as_mut() else {
            // Before the first FROM only ARG is allowed: global ARGs.
            if ins.kind() == InstructionKind::Arg {
                declare_global_args(
                    ins,
                    id,
                    &lexer,
                    options,
                    &mut global_args,
                    &mut global_declared,
                    &mut errors,
                );
            } else {
                errors.push(ModelError {
                    instruction: Some(id),
                    range: Some(ins.range()),
                    message: format!("{} instruction before the first FROM", ins.kind().as_str()),
                });
            }
            continue;
        };
        let stage_index = built.stages.len().saturating_sub(1);
        if let Some(stage) = built.stages.last_mut() {
            stage.instructions.push(id);
        }
        built.stage_of[id] = Some(stage_index);
        built.before[id] = Some(Arc::clone(current));
        if changes_state(ins.kind()) {
            // Copies the state only when an earlier instruction still shares it.
            apply(
                ins,
                id,
                &lexer,
                options,
                &global_args,
                Arc::make_mut(current),
                &mut errors,
            );
        }
        collect_from_flags(ins, id, stage_index, &mut pending);
        built.after[id] = Some(Arc::clone(current));
    }
    if let Some(done) = state.take() {
        built.final_states.push(Arc::unwrap_or_clone(done));
    }

    resolve_pending(&mut built, pending, &mut errors);
    if let Some(cycle) = find_cycle(&built.dependencies, &built.stages) {
        let names: Vec<String> = cycle
            .iter()
            .filter_map(|&i| built.stages.get(i))
            .map(Stage::display_name)
            .collect();
        let first = cycle.first().and_then(|&i| built.stages.get(i));
        errors.push(ModelError {
            instruction: first.map(|s| s.from),
            range: first
                .and_then(|s| instructions.get(s.from))
                .map(|i| i.range()),
            message: format!("circular dependency between stages: {}", names.join(" -> ")),
        });
    }

    built.global_args = global_args;
    built.global_declared = global_declared;
    built.errors = errors;
    built
}

/// The target stage's name for `TARGETSTAGE`: `--target`, else the last stage's name.
fn target_stage_name(instructions: &[&Instruction], options: &BuildOptions) -> String {
    if let Some(target) = &options.target {
        return target.clone();
    }
    instructions
        .iter()
        .rev()
        .find(|i| i.kind() == InstructionKind::From)
        .and_then(|i| i.from_args())
        .and_then(|f| f.name)
        .map(|n| n.value.to_ascii_lowercase())
        .unwrap_or_default()
}

/// Expands one argument, mapping an error to the source.
fn expand_argument(
    lexer: &Lexer,
    arg: &Argument,
    vars: &Env,
    id: usize,
) -> Result<String, ModelError> {
    lexer
        .expand(&arg.value, vars)
        .map(|e| e.value)
        .map_err(|err| {
            // The offset is exact only when the argument is written on one piece of a line.
            let exact = usize::from(arg.range.len()) == arg.value.len();
            let at = u32::try_from(err.offset)
                .ok()
                .filter(|_| exact)
                .map(|off| arg.range.start() + TextSize::from(off));
            let range = match at {
                Some(at) => TextRange::new(at.min(arg.range.end()), arg.range.end()),
                None => arg.range,
            };
            ModelError {
                instruction: Some(id),
                range: Some(range),
                message: format!("failed to expand {:?}: {}", arg.value, err.message),
            }
        })
}

/// Expands one argument, recording a failure and giving `None` for it.
fn try_expand(
    lexer: &Lexer,
    arg: &Argument,
    vars: &Env,
    id: usize,
    errors: &mut Vec<ModelError>,
) -> Option<String> {
    match expand_argument(lexer, arg, vars, id) {
        Ok(v) => Some(v),
        Err(err) => {
            errors.push(err);
            None
        }
    }
}

fn declare_global_args(
    ins: &Instruction,
    id: usize,
    lexer: &Lexer,
    options: &BuildOptions,
    global_args: &mut Env,
    declared: &mut Vec<String>,
    errors: &mut Vec<ModelError>,
) {
    for pair in ins.pairs() {
        let name = pair.key.value.clone();
        let value = match (options.build_args.get(&name), &pair.value) {
            (Some(given), _) => Some(given.clone()),
            (None, Some(default)) => match expand_argument(lexer, default, global_args, id) {
                Ok(v) => Some(v),
                Err(err) => {
                    errors.push(err);
                    None
                }
            },
            (None, None) => None,
        };
        if let Some(value) = value {
            global_args.set(name.clone(), value);
        }
        if !declared.contains(&name) {
            declared.push(name);
        }
    }
}

fn start_stage(
    id: usize,
    ins: &Instruction,
    lexer: &Lexer,
    global_args: &Env,
    stages: &[Stage],
    final_states: &[EffectiveState],
    errors: &mut Vec<ModelError>,
) -> (Stage, EffectiveState) {
    let index = stages.len();
    let from = ins.from_args();
    let base_text = from.map(|f| f.image.value.clone()).unwrap_or_default();
    let name = from
        .and_then(|f| f.name)
        .map(|n| n.value.to_ascii_lowercase());

    let base_name = match from {
        Some(f) => match expand_argument(lexer, f.image, global_args, id) {
            Ok(v) if v.is_empty() => {
                errors.push(ModelError {
                    instruction: Some(id),
                    range: Some(f.image.range),
                    message: format!("base name ({}) should not be blank", f.image.value),
                });
                None
            }
            Ok(v) => Some(v),
            Err(err) => {
                errors.push(err);
                None
            }
        },
        None => {
            errors.push(ModelError {
                instruction: Some(id),
                range: Some(ins.range()),
                message: "FROM requires an image".to_string(),
            });
            None
        }
    };

    let platform = from.and_then(|f| f.platform).and_then(|flag| {
        let value = flag.value.clone()?;
        let arg = Argument {
            value,
            range: flag.value_range.unwrap_or(flag.range),
        };
        match expand_argument(lexer, &arg, global_args, id) {
            Ok(v) => Some(v),
            Err(err) => {
                errors.push(err);
                None
            }
        }
    });

    // BuildKit looks the base up among the stages registered so far, by exact name.
    let base = match &base_name {
        None => Base::Unresolved,
        Some(b) => match stages.iter().rev().find(|s| s.name.as_deref() == Some(b)) {
            Some(parent) => Base::Stage(parent.index),
            None if b == "scratch" => Base::Scratch,
            None => Base::Image(b.clone()),
        },
    };
    let start = match &base {
        Base::Stage(parent) => final_states
            .get(*parent)
            .cloned()
            .unwrap_or_else(|| EffectiveState::new_base(false)),
        Base::Scratch => EffectiveState::new_base(true),
        Base::Image(_) | Base::Unresolved => EffectiveState::new_base(false),
    };
    let stage = Stage {
        index,
        name,
        from: id,
        instructions: Vec::new(),
        base_text,
        base_name,
        base,
        platform,
    };
    (stage, start)
}

/// Applies one stage instruction to the state, as BuildKit's dispatch does.
/// Whether [`apply`] has anything to do for an instruction of `kind`.
fn changes_state(kind: InstructionKind) -> bool {
    matches!(
        kind,
        InstructionKind::Arg
            | InstructionKind::Env
            | InstructionKind::User
            | InstructionKind::Workdir
            | InstructionKind::Shell
    )
}

fn apply(
    ins: &Instruction,
    id: usize,
    lexer: &Lexer,
    options: &BuildOptions,
    global_args: &Env,
    state: &mut EffectiveState,
    errors: &mut Vec<ModelError>,
) {
    // Over an image whose variables are unknown, a reference to an unset variable may be
    // one the image sets: keep it as written rather than expanding it to nothing.
    let lexer = lexer.skip_unset(!state.base_env_known);
    let expand = |arg: &Argument, vars: &Env, errors: &mut Vec<ModelError>| {
        try_expand(&lexer, arg, vars, id, errors)
    };
    match ins.kind() {
        InstructionKind::Arg => {
            for pair in ins.pairs() {
                let name = pair.key.value.clone();
                let value = match (options.build_args.get(&name), &pair.value) {
                    (Some(given), _) => Some(given.clone()),
                    (None, Some(default)) => expand(default, &state.vars, errors),
                    (None, None) => global_args.get(&name).map(str::to_string),
                };
                if let Some(value) = value {
                    if !NON_ENV_ARGS.contains(&name.as_str()) {
                        state.vars.set(name.clone(), value.clone());
                    }
                    state.args.set(name.clone(), value);
                }
                if !state.declared_args.contains(&name) {
                    state.declared_args.push(name);
                }
            }
        }
        InstructionKind::Env => {
            // Every pair is expanded with the variables from before the instruction.
            let vars = state.vars.clone();
            let mut values = Vec::new();
            for pair in ins.pairs() {
                let key = expand(&pair.key, &vars, errors);
                let value = match &pair.value {
                    Some(v) => expand(v, &vars, errors),
                    None => Some(String::new()),
                };
                if let (Some(key), Some(value)) = (key, value) {
                    values.push((key, value));
                }
            }
            for (key, value) in values {
                state.set_env(&key, &value);
            }
        }
        InstructionKind::User => {
            if let Some(user) = ins
                .arguments()
                .first()
                .and_then(|a| expand(a, &state.vars, errors))
            {
                state.set_user(user);
            }
        }
        InstructionKind::Workdir => {
            if let Some(dir) = ins
                .arguments()
                .first()
                .and_then(|a| expand(a, &state.vars, errors))
            {
                if dir.is_empty() {
                    errors.push(ModelError {
                        instruction: Some(id),
                        range: Some(ins.range()),
                        message: "WORKDIR cannot be empty".to_string(),
                    });
                } else {
                    state.set_workdir(&dir);
                }
            }
        }
        InstructionKind::Shell => match ins.args() {
            Args::Exec(exec) => {
                state.shell = exec.args.iter().map(|a| a.value.clone()).collect();
            }
            _ => errors.push(ModelError {
                instruction: Some(id),
                range: Some(ins.args_range()),
                message: "SHELL requires the arguments to be in JSON form".to_string(),
            }),
        },
        _ => {}
    }
}

/// Records `COPY --from` and `RUN --mount=from=` for resolution once all stages are known.
fn collect_from_flags(ins: &Instruction, id: usize, stage: usize, pending: &mut Vec<PendingFrom>) {
    match ins.kind() {
        InstructionKind::Copy => {
            if let Some(value) = ins.flag("from").and_then(|f| f.value.clone()) {
                pending.push(PendingFrom {
                    stage,
                    instruction: id,
                    kind: DependencyKind::CopyFrom,
                    value,
                });
            }
        }
        InstructionKind::Run => {
            for mount in ins.mounts() {
                if let Some(value) = mount.from.filter(|v| !v.is_empty()) {
                    pending.push(PendingFrom {
                        stage,
                        instruction: id,
                        kind: DependencyKind::MountFrom,
                        value,
                    });
                }
            }
        }
        _ => {}
    }
}

/// Go's `strconv.Atoi` for the stage-index form of `--from`.
fn parse_index(value: &str) -> Option<i64> {
    let digits = value.strip_prefix(['+', '-']).unwrap_or(value);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

fn resolve_pending(built: &mut Built, pending: Vec<PendingFrom>, errors: &mut Vec<ModelError>) {
    // Names map to the last stage that has them, as in BuildKit's name table.
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for stage in &built.stages {
        if let Some(name) = &stage.name {
            by_name.insert(name, stage.index);
        }
    }
    let mut resolved = Vec::new();
    for p in pending {
        let index = if p.kind == DependencyKind::CopyFrom {
            parse_index(&p.value)
        } else {
            None
        };
        let target = match index {
            Some(i) => match usize::try_from(i).ok().filter(|&i| i < built.stages.len()) {
                Some(i) => DependencyTarget::Stage(i),
                None => {
                    errors.push(ModelError {
                        instruction: Some(p.instruction),
                        range: None,
                        message: format!("invalid stage index {i}"),
                    });
                    continue;
                }
            },
            None => match by_name.get(p.value.to_ascii_lowercase().as_str()) {
                Some(&i) => DependencyTarget::Stage(i),
                None => DependencyTarget::Image(p.value.clone()),
            },
        };
        resolved.push(Dependency {
            stage: p.stage,
            instruction: p.instruction,
            kind: p.kind,
            target,
        });
    }
    built.dependencies.extend(resolved);
    built.dependencies.sort_by_key(|d| (d.instruction, d.stage));
}
