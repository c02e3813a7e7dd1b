//! Checks many scripts at once: identical files are checked once, cached results are
//! reused, and the rest is split by size over a few `shellcheck` processes that run side
//! by side.

use std::collections::HashMap;
use std::path::Path;

use crate::batch::{prepare, Comment, Found, Input, Prepared};
use crate::cache::Cache;
use crate::process;

/// Below this many bytes of scripts a second process costs more than it saves
/// (`shellcheck` starts in about 4 ms and checks roughly 60 bytes of script a millisecond).
const MIN_BYTES_PER_PROCESS: usize = 512;

/// How to run ShellCheck on a set of scripts.
pub(crate) struct Pool<'a> {
    pub program: &'a Path,
    /// At most this many processes at once.
    pub jobs: usize,
    pub cache: Option<&'a Cache>,
}

/// What ShellCheck said about one distinct file.
type Outcome = Result<Vec<Found>, String>;

/// The item numbers of a batch, and what its process said about each of them.
type BatchResult = (Vec<usize>, Result<Vec<Vec<Found>>, String>);

impl Pool<'_> {
    /// The findings on each of `inputs` (`Comment::script` is its index), or the error that
    /// kept it from being checked.
    pub(crate) fn check(&self, inputs: &[Input<'_>]) -> Vec<Result<Vec<Comment>, String>> {
        // Only blank scripts give ShellCheck nothing to say.
        let prepared: Vec<Option<Prepared>> = inputs
            .iter()
            .map(|input| (!input.text.trim().is_empty()).then(|| prepare(input)))
            .collect();
        let mut distinct: Vec<&str> = Vec::new();
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        let slots: Vec<Option<usize>> = prepared
            .iter()
            .map(|p| {
                let content = p.as_ref()?.content.as_str();
                Some(*index_of.entry(content).or_insert_with(|| {
                    distinct.push(content);
                    distinct.len() - 1
                }))
            })
            .collect();
        let outcomes = self.outcomes(&distinct);
        inputs
            .iter()
            .enumerate()
            .map(|(script, input)| {
                let (Some(Some(file)), Some(Some(slot))) =
                    (prepared.get(script), slots.get(script))
                else {
                    return Ok(Vec::new());
                };
                let found = match outcomes.get(*slot) {
                    Some(Ok(found)) => found,
                    Some(Err(message)) => return Err(message.clone()),
                    None => return Ok(Vec::new()),
                };
                Ok(found
                    .iter()
                    .filter_map(|f| file.comment(input.text, script, f))
                    .collect())
            })
            .collect()
    }

    /// What ShellCheck says about each of the distinct `files`, in their order.
    fn outcomes(&self, files: &[&str]) -> Vec<Outcome> {
        let mut outcomes: Vec<Option<Outcome>> = files
            .iter()
            .map(|content| self.cache.and_then(|c| c.get(content)).map(Ok))
            .collect();
        let missing: Vec<usize> = (0..files.len())
            .filter(|&i| outcomes.get(i).is_some_and(Option::is_none))
            .collect();
        if !missing.is_empty() {
            let checked = self.run(files, &missing);
            for (index, outcome) in missing.into_iter().zip(checked) {
                if let (Some(cache), Ok(found), Some(content)) =
                    (self.cache, &outcome, files.get(index))
                {
                    cache.put(content, found);
                }
                if let Some(slot) = outcomes.get_mut(index) {
                    *slot = Some(outcome);
                }
            }
        }
        outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| Ok(Vec::new())))
            .collect()
    }

    /// Checks the files numbered `which`, in as many processes as are worth it; the
    /// outcome of each, in the order of `which`.
    fn run(&self, files: &[&str], which: &[usize]) -> Vec<Outcome> {
        let fail = |message: String| vec![Err(message); which.len()];
        let dir = match tempfile::Builder::new()
            .prefix("dockopt-shellcheck")
            .tempdir()
        {
            Ok(dir) => dir,
            Err(e) => return fail(format!("shellcheck: cannot make a temporary folder: {e}")),
        };
        let mut names = Vec::with_capacity(which.len());
        for &index in which {
            let name = format!("script{index}.sh");
            let content = files.get(index).copied().unwrap_or("");
            if let Err(e) = std::fs::write(dir.path().join(&name), content) {
                return fail(format!("shellcheck: cannot write a temporary file: {e}"));
            }
            names.push(name);
        }
        let sizes: Vec<usize> = which
            .iter()
            .map(|&i| files.get(i).map_or(0, |c| c.len()))
            .collect();
        let batches = split(&sizes, self.jobs);
        let results: Vec<BatchResult> = std::thread::scope(|scope| {
            let running: Vec<_> = batches
                .into_iter()
                .map(|members| {
                    let batch_names: Vec<String> = members
                        .iter()
                        .filter_map(|&m| names.get(m).cloned())
                        .collect();
                    let dir = dir.path();
                    let handle = scope.spawn(move || process::run(self.program, dir, &batch_names));
                    (members, handle)
                })
                .collect();
            running
                .into_iter()
                .map(|(members, handle)| {
                    let result = handle
                        .join()
                        .unwrap_or_else(|_| Err("shellcheck: a worker thread failed".into()));
                    (members, result)
                })
                .collect()
        });
        let mut outcomes: Vec<Outcome> = vec![Ok(Vec::new()); which.len()];
        for (members, result) in results {
            match result {
                Ok(found) => {
                    for (member, found) in members.into_iter().zip(found) {
                        if let Some(slot) = outcomes.get_mut(member) {
                            *slot = Ok(found);
                        }
                    }
                }
                Err(message) => {
                    for member in members {
                        if let Some(slot) = outcomes.get_mut(member) {
                            *slot = Err(message.clone());
                        }
                    }
                }
            }
        }
        outcomes
    }
}

/// Splits items of the given sizes into at most `jobs` groups of about the same total size
/// (largest first, each to the lightest group), fewer when the groups would be small.
/// Each group lists item numbers in increasing order.
fn split(sizes: &[usize], jobs: usize) -> Vec<Vec<usize>> {
    let total: usize = sizes.iter().sum();
    let worth = (total / MIN_BYTES_PER_PROCESS).max(1);
    let count = jobs.clamp(1, worth).min(sizes.len());
    if count == 0 {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(sizes.get(i).copied().unwrap_or(0)));
    let mut groups: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); count];
    for item in order {
        if let Some(lightest) = groups.iter_mut().min_by_key(|(load, _)| *load) {
            lightest.0 += sizes.get(item).copied().unwrap_or(0);
            lightest.1.push(item);
        }
    }
    groups
        .into_iter()
        .map(|(_, mut members)| {
            members.sort_unstable();
            members
        })
        .filter(|members| !members.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_by_size_into_few_groups() {
        // Little work: one group, whatever the number of cores.
        assert_eq!(split(&[100, 200, 300], 4), vec![vec![0, 1, 2]]);
        assert_eq!(split(&[], 4), Vec::<Vec<usize>>::new());
        // Enough work for two: the big item alone, the rest together.
        let groups = split(&[600, 200, 200, 200], 2);
        assert_eq!(groups, vec![vec![0], vec![1, 2, 3]]);
        // Never more groups than items, nor than jobs.
        assert_eq!(split(&[9000, 9000], 8).len(), 2);
        assert_eq!(split(&[9000; 10], 3).len(), 3);
        assert_eq!(split(&[9000; 10], 0).len(), 1);
    }
}
