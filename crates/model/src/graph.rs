//! Edges between stages (and to images) and the queries over them.

use crate::stage::Stage;

/// How a stage uses another stage or image.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DependencyKind {
    /// `FROM <stage>`.
    From,
    /// `COPY --from=<stage, index or image>`.
    CopyFrom,
    /// `RUN --mount=from=<stage or image>`.
    MountFrom,
}

/// What a dependency points at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DependencyTarget {
    /// A stage of this Dockerfile, by index.
    Stage(usize),
    /// An image reference.
    Image(String),
}

/// One use of a stage or image by a stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dependency {
    /// The stage that uses it.
    pub stage: usize,
    /// The instruction that uses it.
    pub instruction: usize,
    /// How.
    pub kind: DependencyKind,
    /// What.
    pub target: DependencyTarget,
}

/// The stages `stage` uses directly, each once, in index order.
pub(crate) fn direct_stage_deps(deps: &[Dependency], stage: usize) -> Vec<usize> {
    let mut out: Vec<usize> = deps
        .iter()
        .filter(|d| d.stage == stage)
        .filter_map(|d| match d.target {
            DependencyTarget::Stage(s) => Some(s),
            DependencyTarget::Image(_) => None,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// `root` and every stage it needs, directly or not, in index order.
pub(crate) fn closure(deps: &[Dependency], stage_count: usize, root: usize) -> Vec<usize> {
    let mut seen = vec![false; stage_count];
    let mut stack = vec![root];
    while let Some(stage) = stack.pop() {
        match seen.get_mut(stage) {
            Some(slot) if !*slot => *slot = true,
            _ => continue,
        }
        stack.extend(direct_stage_deps(deps, stage));
    }
    seen.iter()
        .enumerate()
        .filter_map(|(i, s)| s.then_some(i))
        .collect()
}

/// A cycle of stages, if there is one: BuildKit refuses such a build.
pub(crate) fn find_cycle(deps: &[Dependency], stages: &[Stage]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Active,
        Done,
    }
    let mut marks = vec![Mark::New; stages.len()];
    for start in 0..stages.len() {
        if marks.get(start) != Some(&Mark::New) {
            continue;
        }
        // Iterative depth-first search keeping the current path.
        let mut path: Vec<(usize, Vec<usize>)> = vec![(start, direct_stage_deps(deps, start))];
        if let Some(m) = marks.get_mut(start) {
            *m = Mark::Active;
        }
        while let Some((node, pending)) = path.last_mut() {
            let node = *node;
            match pending.pop() {
                Some(next) => match marks.get(next).copied() {
                    Some(Mark::New) => {
                        if let Some(m) = marks.get_mut(next) {
                            *m = Mark::Active;
                        }
                        path.push((next, direct_stage_deps(deps, next)));
                    }
                    Some(Mark::Active) => {
                        let from = path.iter().position(|(n, _)| *n == next).unwrap_or(0);
                        return Some(path.iter().skip(from).map(|(n, _)| *n).collect());
                    }
                    _ => {}
                },
                None => {
                    if let Some(m) = marks.get_mut(node) {
                        *m = Mark::Done;
                    }
                    path.pop();
                }
            }
        }
    }
    None
}
