//! Build stages: one per `FROM`.

/// What a stage starts from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    /// An earlier stage, by index.
    Stage(usize),
    /// The empty image.
    Scratch,
    /// An image reference, as expanded.
    Image(String),
    /// The base could not be worked out (expansion failed or gave nothing).
    Unresolved,
}

/// One build stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// 0-based position among the stages.
    pub index: usize,
    /// The name after `AS`, lower-cased as BuildKit keeps it.
    pub name: Option<String>,
    /// The `FROM` instruction's id.
    pub from: usize,
    /// Ids of the instructions after `FROM`, up to the next `FROM`.
    pub instructions: Vec<usize>,
    /// The base as written (`ubuntu:${VERSION}`).
    pub base_text: String,
    /// The base after expansion with the global ARGs; `None` when expansion failed.
    pub base_name: Option<String>,
    /// What the base is.
    pub base: Base,
    /// `--platform`, expanded with the global ARGs.
    pub platform: Option<String>,
}

impl Stage {
    /// The name BuildKit shows: the stage name, or `stage-N`.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => format!("stage-{}", self.index),
        }
    }

    /// Whether the stage starts from another stage of this Dockerfile.
    pub fn base_stage(&self) -> Option<usize> {
        match self.base {
            Base::Stage(index) => Some(index),
            _ => None,
        }
    }
}
