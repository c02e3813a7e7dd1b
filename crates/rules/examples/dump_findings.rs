use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{lint_project, lint_source, LintSettings, ProjectFile, ALL};
use std::collections::BTreeMap;
use std::path::Path;

fn main() {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let options = BTreeMap::new();
    let every = Selection::resolve(
        &SelectionSpec {
            select: vec![Selector::All],
            ..Default::default()
        },
        ALL,
    );
    let settings = LintSettings {
        rules: ALL,
        selection: &every,
        options: &options,
    };
    let texts: Vec<String> = paths
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap_or_default())
        .collect();
    for (p, text) in paths.iter().zip(&texts) {
        let lint = lint_source(Path::new(p), text, &settings);
        println!("== {p}");
        for f in &lint.findings {
            println!("{:?}", f);
        }
        for e in &lint.errors {
            println!("{:?}", e);
        }
    }
    let files: Vec<ProjectFile> = paths
        .iter()
        .zip(&texts)
        .map(|(p, t)| ProjectFile {
            path: Path::new(p),
            text: t,
            selection: &every,
            options: &options,
        })
        .collect();
    for (p, found) in paths.iter().zip(lint_project(&files, ALL)) {
        println!("== project {p}");
        for f in &found {
            println!("{:?}", f);
        }
    }
}
