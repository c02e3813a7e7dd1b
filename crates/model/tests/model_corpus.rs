//! Every real-world Dockerfile of the shared corpus gets a model, and a few known facts
//! about them hold.

use std::fs;
use std::path::{Path, PathBuf};

use dockopt_model::{Base, Model};
use dockopt_syntax::{parse, Dockerfile};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

fn load(folder: &str) -> Dockerfile {
    let path = corpus_dir().join(folder).join("Dockerfile");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(&text).dockerfile().clone()
}

#[test]
fn every_corpus_file_builds_a_model() {
    let mut folders: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .expect("corpus folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    folders.sort();
    assert_eq!(folders.len(), 34);
    for folder in folders {
        let name = folder
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let file = load(name);
        let model = Model::new(&file);
        let froms = file
            .instructions()
            .filter(|i| i.keyword().eq_ignore_ascii_case("FROM"))
            .count();
        assert_eq!(model.stages().len(), froms, "{name}");
        assert!(froms > 0, "{name}");
        // Every stage instruction has a state and a stage; the target closure is sane.
        for (id, _) in file.instructions().enumerate() {
            if model.stage_of_id(id).is_some() {
                let state = model.state_before_id(id).expect("state");
                assert!(
                    state.workdir.starts_with('/') || state.workdir.contains(':'),
                    "{name}"
                );
            }
        }
        let needed = model.stages_needed_for(None).expect("final stage");
        assert_eq!(needed.last().copied(), Some(froms - 1), "{name}");
        assert!(
            model
                .errors()
                .iter()
                .all(|e| !e.message.contains("circular")),
            "{name}"
        );
    }
}

#[test]
fn buildkit_final_stage_is_chosen_by_platform_args() {
    let file = load("moby__buildkit__Dockerfile");
    let model = Model::new(&file);
    assert_eq!(model.stages().len(), 49);
    let last = model.final_stage().expect("stages");
    assert_eq!(last.name.as_deref(), Some("buildkit"));
    // `FROM buildkit-$TARGETOS${BUILDKIT_DEBUG:+-debug}` with linux and no debug.
    assert_eq!(last.base_name.as_deref(), Some("buildkit-linux"));
    let parent = model.stage_by_name("buildkit-linux").expect("stage");
    assert_eq!(last.base, Base::Stage(parent.index));
    assert!(model.stages_needed_for(None).expect("target").len() > 5);
}

#[test]
fn qdrant_picks_the_cpu_stage() {
    let file = load("qdrant__qdrant__Dockerfile");
    let model = Model::new(&file);
    assert_eq!(model.stages().len(), 8);
    let last = model.final_stage().expect("stages");
    assert_eq!(last.name.as_deref(), Some("qdrant"));
    assert_eq!(last.base_name.as_deref(), Some("qdrant-cpu"));
    assert!(matches!(last.base, Base::Stage(_)));
}

#[test]
fn jenkins_bases_expand_quoted_global_args() {
    let file = load("jenkinsci__docker__debian-Dockerfile");
    let model = Model::new(&file);
    let names: Vec<Option<&str>> = model.stages().iter().map(|s| s.name.as_deref()).collect();
    assert_eq!(names, [Some("jre-and-war"), Some("controller")]);
    for stage in model.stages() {
        assert_eq!(
            stage.base_name.as_deref(),
            Some("debian:trixie-20260803-slim")
        );
    }
}

#[test]
fn umami_and_hadolint_facts() {
    let file = load("umami-software__umami__Dockerfile");
    let model = Model::new(&file);
    assert_eq!(model.stages().len(), 3);
    assert_eq!(
        model.final_stage().and_then(|s| s.name.as_deref()),
        Some("runner")
    );
    assert_eq!(
        model.stages()[0].base_name.as_deref(),
        Some("node:22-alpine")
    );

    let file = load("hadolint__hadolint__docker-Dockerfile");
    let model = Model::new(&file);
    assert_eq!(model.stages()[0].base, Base::Scratch);
    assert_eq!(
        model.final_stage().and_then(|s| s.name.as_deref()),
        Some("alpine")
    );
}

#[test]
fn only_sentry_needs_a_build_argument() {
    for folder in [
        "moby__buildkit__Dockerfile",
        "docker__buildx__Dockerfile",
        "ollama__ollama__Dockerfile",
    ] {
        let file = load(folder);
        assert!(Model::new(&file).errors().is_empty(), "{folder}");
    }
    // `ARG SENTRY_IMAGE` has no default: BuildKit refuses the build without --build-arg.
    let file = load("getsentry__self-hosted__sentry-Dockerfile");
    let model = Model::new(&file);
    let messages: Vec<&str> = model.errors().iter().map(|e| e.message.as_str()).collect();
    assert_eq!(
        messages,
        ["base name (${SENTRY_IMAGE}) should not be blank"]
    );
    let mut options = dockopt_model::BuildOptions::default();
    options
        .build_args
        .insert("SENTRY_IMAGE".into(), "getsentry/sentry:nightly".into());
    let model = Model::with_options(&file, options);
    assert!(model.errors().is_empty());
    assert_eq!(
        model.stages()[0].base,
        Base::Image("getsentry/sentry:nightly".into())
    );
}

#[test]
fn variables_of_an_unknown_base_image_stay_as_written() {
    let file = load("dotnet__dotnet-docker__samples-aspnetapp-Dockerfile");
    let model = Model::new(&file);
    let last = model.final_stage().expect("stages");
    let state = model.final_state(last.index).expect("state");
    assert_eq!(state.user.as_deref(), Some("$APP_UID"));
    assert_eq!(state.workdir, "/app");
}
