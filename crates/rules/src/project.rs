//! Linting many Dockerfiles at once: each file's rules, and the rules that compare the
//! Dockerfiles of one repository (group `across-files`), over one parse of every file.

use std::collections::BTreeMap;
use std::path::Path;

use dockopt_model::Model;
use rayon::prelude::*;

use crate::lint::{check_file, parse_failure, ExternalFilter, FileLint, LintSettings};
use crate::pragma::Pragmas;
use crate::rule::ProjectFindings;
use crate::Context;

/// One Dockerfile of a lint run, with the settings that apply to it.
pub struct SourceFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub settings: LintSettings<'a>,
    /// The repository the file belongs to: the across-files rules compare the files of
    /// each group that has more than one.
    pub group: usize,
}

/// What linting one of the files of [`lint_sources`] gave: its [`FileLint`], and, unless it
/// did not parse, what `gather` returned for it with the filter for the findings that
/// come of that (see [`crate::lint_source_deferring`]).
pub type SourceLint<T> = (FileLint, Option<(T, ExternalFilter)>);

/// Parses and lints `files`, in parallel: each file's rules, then the across-files rules
/// over each group, both on the same parse, model and shell scripts. `gather(i, ctx)` runs
/// on each file that parses (`i` is its index in `files`). The result is in the order of
/// `files`; each file's own selection, levels and suppressions apply to all its findings.
pub fn lint_sources<T: Send>(
    files: &[SourceFile<'_>],
    gather: impl Fn(usize, &Context<'_>) -> T + Sync,
) -> Vec<SourceLint<T>> {
    // Files that parse, ordered by group so that each group's contexts are one slice.
    let parses: Vec<dockopt_syntax::Parse> = map(files, |f| dockopt_syntax::parse(f.text));
    let mut order: Vec<usize> = (0..files.len())
        .filter(|&i| parses[i].errors().is_empty())
        .collect();
    order.sort_by_key(|&i| files[i].group);
    let models: Vec<Model<'_>> = map(&order, |&i| Model::new(parses[i].dockerfile()));
    let pragmas: Vec<Pragmas> = map(&order, |&i| {
        Pragmas::collect(&parses[i], files[i].settings.rules)
    });
    let mut contexts: Vec<Context<'_>> = order
        .iter()
        .zip(&models)
        .zip(&pragmas)
        .map(|((&i, model), pragmas)| {
            let file = &files[i];
            Context::new(
                file.path,
                &parses[i],
                model,
                file.settings.options,
                &pragmas.unknown,
            )
        })
        .collect();
    let run = |(k, ctx): (usize, &mut Context<'_>)| {
        let settings = &files[order[k]].settings;
        let findings = check_file(ctx, &pragmas[k], settings);
        (findings, gather(order[k], ctx))
    };
    let mut linted: Vec<(Vec<crate::Finding>, T)> = if contexts.len() > 1 {
        contexts.par_iter_mut().enumerate().map(run).collect()
    } else {
        contexts.iter_mut().enumerate().map(run).collect()
    };
    let mut start = 0;
    while start < order.len() {
        let group = files[order[start]].group;
        let end = start
            + order[start..]
                .iter()
                .take_while(|&&i| files[i].group == group)
                .count();
        if end - start > 1 {
            let members = start..end;
            compare_files(&contexts[members.clone()], &pragmas[members.clone()], |k| {
                &files[order[start + k]].settings
            })
            .into_iter()
            .zip(&mut linted[members])
            .for_each(|(found, (findings, _))| {
                if !found.is_empty() {
                    findings.extend(found);
                    crate::lint::sort_findings(findings);
                }
            });
        }
        start = end;
    }
    let mut out: Vec<Option<SourceLint<T>>> = parses
        .iter()
        .map(|p| (!p.errors().is_empty()).then(|| (parse_failure(p), None)))
        .collect();
    for ((i, (findings, gathered)), pragmas) in order.iter().zip(linted).zip(pragmas) {
        let lint = FileLint {
            findings,
            errors: Vec::new(),
        };
        out[*i] = Some((lint, Some((gathered, ExternalFilter { pragmas }))));
    }
    out.into_iter().flatten().collect()
}

/// Runs the across-files rules over the contexts of one repository; each file's findings,
/// in the order of `contexts`, through its settings (`settings(k)`) and pragmas.
fn compare_files<'s>(
    contexts: &[Context<'_>],
    pragmas: &[Pragmas],
    settings: impl Fn(usize) -> &'s LintSettings<'s>,
) -> Vec<Vec<crate::Finding>> {
    let mut out: Vec<Vec<crate::Finding>> = contexts.iter().map(|_| Vec::new()).collect();
    let mut rules: Vec<_> = (0..contexts.len())
        .flat_map(|k| settings(k).rules.iter().copied())
        .collect();
    rules.sort_by_key(|r| r.meta().name);
    rules.dedup_by_key(|r| r.meta().name);
    for rule in rules {
        let meta = rule.meta();
        if !(0..contexts.len()).any(|k| settings(k).selection.is_enabled(meta.name)) {
            continue;
        }
        let mut found = ProjectFindings::new(meta, contexts.len());
        rule.check_project(contexts, &mut found);
        for (k, findings) in found.files.into_iter().enumerate() {
            let Some(level) = settings(k).selection.level(meta.name) else {
                continue;
            };
            for mut finding in findings.items {
                if pragmas[k].suppresses(meta.name, &finding.diagnostic.range) {
                    continue;
                }
                finding.diagnostic.level = level;
                out[k].push(finding);
            }
        }
    }
    out
}

/// `f` over `items`, in parallel when there is more than one.
fn map<I: Sync, O: Send>(items: &[I], f: impl Fn(&I) -> O + Sync + Send) -> Vec<O> {
    if items.len() > 1 {
        items.par_iter().map(f).collect()
    } else {
        items.iter().map(f).collect()
    }
}

/// Groups that [`lint_sources`] can take, one per distinct key, numbered in order of
/// first appearance.
pub fn group_numbers<K: Ord + Clone>(keys: &[K]) -> Vec<usize> {
    let mut seen: BTreeMap<K, usize> = BTreeMap::new();
    keys.iter()
        .map(|key| {
            let next = seen.len();
            *seen.entry(key.clone()).or_insert(next)
        })
        .collect()
}
