//! The build model of a Dockerfile, computed as BuildKit computes it: stages and their
//! bases, the graph of stages (`FROM <stage>`, `COPY --from`, `RUN --mount=from=`), and for
//! every instruction the effective USER, home directory, WORKDIR, ENV, ARGs and SHELL.
//!
//! Rules ask the model instead of reading text: [`Model::state_before`] tells what an
//! instruction runs with, [`Model::expand`] expands a word as BuildKit would there.

mod args;
mod build;
mod error;
mod graph;
mod stage;
mod state;

use std::collections::HashMap;

use dockopt_syntax::expand::{Env, ExpandError, Expansion, Lexer};
use dockopt_syntax::{Dockerfile, Instruction, InstructionKind};

pub use args::{is_predefined_arg, BuildOptions, Platform, PLATFORM_ARGS, PROXY_ARGS};
pub use error::ModelError;
pub use graph::{Dependency, DependencyKind, DependencyTarget};
pub use stage::{Base, Stage};
pub use state::{normalize_workdir, EffectiveState, DEFAULT_PATH, DEFAULT_SHELL};

/// Instructions are named by their position in [`Dockerfile::instructions`].
pub type InstructionId = usize;

/// The build model of one Dockerfile.
#[derive(Debug)]
pub struct Model<'a> {
    file: &'a Dockerfile,
    options: BuildOptions,
    instructions: Vec<&'a Instruction>,
    /// Instruction start offset to id, to find an instruction given by reference.
    ids: HashMap<u32, InstructionId>,
    stages: Vec<Stage>,
    stage_of: Vec<Option<usize>>,
    before: Vec<Option<std::sync::Arc<EffectiveState>>>,
    after: Vec<Option<std::sync::Arc<EffectiveState>>>,
    final_states: Vec<EffectiveState>,
    global_args: Env,
    global_declared: Vec<String>,
    dependencies: Vec<Dependency>,
    errors: Vec<ModelError>,
}

impl<'a> Model<'a> {
    /// The model of a default build: no build arguments, the last stage as target,
    /// linux/amd64.
    pub fn new(file: &'a Dockerfile) -> Self {
        Self::with_options(file, BuildOptions::default())
    }

    /// The model of a build with the given options.
    pub fn with_options(file: &'a Dockerfile, options: BuildOptions) -> Self {
        let built = build::build(file, &options);
        let instructions: Vec<&Instruction> = file.instructions().collect();
        let ids = instructions
            .iter()
            .enumerate()
            .map(|(id, ins)| (u32::from(ins.range().start()), id))
            .collect();
        Self {
            file,
            options,
            instructions,
            ids,
            stages: built.stages,
            stage_of: built.stage_of,
            before: built.before,
            after: built.after,
            final_states: built.final_states,
            global_args: built.global_args,
            global_declared: built.global_declared,
            dependencies: built.dependencies,
            errors: built.errors,
        }
    }

    /// The Dockerfile modelled.
    pub fn file(&self) -> &'a Dockerfile {
        self.file
    }

    /// The options the model was built with.
    pub fn options(&self) -> &BuildOptions {
        &self.options
    }

    /// The instruction with this id.
    pub fn instruction(&self, id: InstructionId) -> Option<&'a Instruction> {
        self.instructions.get(id).copied()
    }

    /// The id of a top-level instruction of [`Self::file`].
    pub fn id_of(&self, instruction: &Instruction) -> Option<InstructionId> {
        let id = *self.ids.get(&u32::from(instruction.range().start()))?;
        let found = self.instructions.get(id)?;
        (found.range() == instruction.range()).then_some(id)
    }

    /// The stages, in file order.
    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The stage at `index`.
    pub fn stage(&self, index: usize) -> Option<&Stage> {
        self.stages.get(index)
    }

    /// The stage named `name` (any case); the last one when several share it.
    pub fn stage_by_name(&self, name: &str) -> Option<&Stage> {
        let name = name.to_ascii_lowercase();
        self.stages
            .iter()
            .rev()
            .find(|s| s.name.as_deref() == Some(name.as_str()))
    }

    /// The stage an instruction belongs to (its own stage for `FROM`); `None` for global
    /// ARGs and instructions not in the file.
    pub fn stage_of(&self, instruction: &Instruction) -> Option<&Stage> {
        self.stage_of_id(self.id_of(instruction)?)
    }

    /// [`Self::stage_of`] by id.
    pub fn stage_of_id(&self, id: InstructionId) -> Option<&Stage> {
        let index = (*self.stage_of.get(id)?)?;
        self.stages.get(index)
    }

    /// What is in effect when the instruction runs. For `FROM`, the state the stage starts
    /// with.
    pub fn state_before(&self, instruction: &Instruction) -> Option<&EffectiveState> {
        self.state_before_id(self.id_of(instruction)?)
    }

    /// [`Self::state_before`] by id.
    pub fn state_before_id(&self, id: InstructionId) -> Option<&EffectiveState> {
        self.before.get(id)?.as_deref()
    }

    /// What is in effect after the instruction.
    pub fn state_after(&self, instruction: &Instruction) -> Option<&EffectiveState> {
        self.state_after_id(self.id_of(instruction)?)
    }

    /// [`Self::state_after`] by id.
    pub fn state_after_id(&self, id: InstructionId) -> Option<&EffectiveState> {
        self.after.get(id)?.as_deref()
    }

    /// The state at the end of a stage: what the image of that stage is configured with.
    pub fn final_state(&self, stage: usize) -> Option<&EffectiveState> {
        self.final_states.get(stage)
    }

    /// The global ARGs (declared before the first `FROM`) with a value, after the platform
    /// ARGs BuildKit predefines: what `FROM` lines are expanded with.
    pub fn global_args(&self) -> &Env {
        &self.global_args
    }

    /// Every ARG declared before the first `FROM`, in order.
    pub fn global_declared_args(&self) -> &[String] {
        &self.global_declared
    }

    /// Expands `word` as BuildKit would in `instruction`: with the global ARGs for `FROM`,
    /// with the instruction's variables otherwise (those in effect before it runs).
    pub fn expand(
        &self,
        instruction: &Instruction,
        word: &str,
    ) -> Option<Result<Expansion, ExpandError>> {
        self.expand_at(self.id_of(instruction)?, word)
    }

    /// [`Self::expand`] by id; `None` for an unknown id.
    pub fn expand_at(
        &self,
        id: InstructionId,
        word: &str,
    ) -> Option<Result<Expansion, ExpandError>> {
        let ins = self.instruction(id)?;
        let lexer = Lexer::new(self.file.escape());
        let vars = if ins.kind() == InstructionKind::From {
            &self.global_args
        } else {
            &self.state_before_id(id)?.vars
        };
        Some(lexer.expand(word, vars))
    }

    /// Every use of a stage or image by a stage, in instruction order.
    pub fn dependencies(&self) -> &[Dependency] {
        &self.dependencies
    }

    /// The stages `stage` uses directly, each once, in index order.
    pub fn depends_on(&self, stage: usize) -> Vec<usize> {
        graph::direct_stage_deps(&self.dependencies, stage)
    }

    /// The stages that use `stage` directly, in index order.
    pub fn dependents(&self, stage: usize) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .dependencies
            .iter()
            .filter(|d| d.target == DependencyTarget::Stage(stage))
            .map(|d| d.stage)
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The last stage: what a build without `--target` produces.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The stage a build targets: `target` by name (any case), or the last stage.
    pub fn target_stage(&self, target: Option<&str>) -> Option<&Stage> {
        match target {
            Some(name) => self.stage_by_name(name),
            None => self.final_stage(),
        }
    }

    /// The stages BuildKit builds for `target` (see [`Self::target_stage`]): the target and
    /// everything it needs, in index order. `None` when there is no such stage.
    pub fn stages_needed_for(&self, target: Option<&str>) -> Option<Vec<usize>> {
        let root = self.target_stage(target)?.index;
        Some(graph::closure(&self.dependencies, self.stages.len(), root))
    }

    /// Stages no build of the target needs (dead code for a default build).
    pub fn unused_stages(&self, target: Option<&str>) -> Vec<usize> {
        let needed = self.stages_needed_for(target).unwrap_or_default();
        (0..self.stages.len())
            .filter(|i| !needed.contains(i))
            .collect()
    }

    /// What BuildKit would stop the build for: expansion failures, a blank base, a cycle
    /// of stages, a bad stage index...
    pub fn errors(&self) -> &[ModelError] {
        &self.errors
    }
}
