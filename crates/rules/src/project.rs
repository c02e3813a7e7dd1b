//! Rules that compare the Dockerfiles of one repository (group `across-files`).

use std::collections::BTreeMap;
use std::path::Path;

use dockopt_model::Model;
use rayon::prelude::*;

use crate::pragma::Pragmas;
use crate::rule::ProjectFindings;
use crate::selection::Selection;
use crate::{Context, Finding, Rule};

/// One Dockerfile of a repository, with the settings that apply to it.
pub struct ProjectFile<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub selection: &'a Selection,
    pub options: &'a BTreeMap<&'static str, toml::Table>,
}

/// Runs the cross-file checks of `rules` over `files` (the Dockerfiles of one repository)
/// and returns each file's findings, in the order of `files`. Files that do not parse take
/// no part; each file's own selection, levels and suppressions apply to its findings.
pub fn lint_project(files: &[ProjectFile<'_>], rules: &[&'static dyn Rule]) -> Vec<Vec<Finding>> {
    let mut out: Vec<Vec<Finding>> = files.iter().map(|_| Vec::new()).collect();
    let enabled: Vec<&'static dyn Rule> = rules
        .iter()
        .copied()
        .filter(|r| files.iter().any(|f| f.selection.is_enabled(r.meta().name)))
        .collect();
    if enabled.is_empty() || files.len() < 2 {
        return out;
    }
    // Parsing, the models and the shell scripts are most of the work: done in parallel,
    // before the rules compare the files.
    let parses: Vec<(usize, dockopt_syntax::Parse)> = files
        .par_iter()
        .enumerate()
        .map(|(i, f)| (i, dockopt_syntax::parse(f.text)))
        .filter(|(_, p)| p.errors().is_empty())
        .collect();
    let models: Vec<Model<'_>> = parses
        .par_iter()
        .map(|(_, p)| Model::new(p.dockerfile()))
        .collect();
    let pragmas: Vec<Pragmas> = parses
        .iter()
        .map(|(_, p)| Pragmas::collect(p, rules))
        .collect();
    let mut contexts: Vec<Context<'_>> = parses
        .iter()
        .zip(&models)
        .zip(&pragmas)
        .map(|(((i, parse), model), pragmas)| {
            let file = &files[*i];
            Context::new(file.path, parse, model, file.options, &pragmas.unknown)
        })
        .collect();
    contexts.par_iter_mut().for_each(|ctx| {
        for (id, _) in ctx.instructions_of(dockopt_syntax::InstructionKind::Run) {
            ctx.scripts(id);
        }
    });
    for rule in enabled {
        let meta = rule.meta();
        let mut found = ProjectFindings::new(meta, contexts.len());
        rule.check_project(&contexts, &mut found);
        for (k, findings) in found.files.into_iter().enumerate() {
            let index = parses[k].0;
            let Some(level) = files[index].selection.level(meta.name) else {
                continue;
            };
            for mut finding in findings.items {
                if pragmas[k].suppresses(meta.name, &finding.diagnostic.range) {
                    continue;
                }
                finding.diagnostic.level = level;
                out[index].push(finding);
            }
        }
    }
    out
}
