//! The build model of small real-world Dockerfiles written inline.

use dockopt_model::{Base, BuildOptions, DependencyKind, DependencyTarget, Model, DEFAULT_PATH};
use dockopt_syntax::{parse, Dockerfile, Instruction};

fn file(text: &str) -> Dockerfile {
    parse(text).dockerfile().clone()
}

fn nth<'a>(file: &'a Dockerfile, keyword: &str, n: usize) -> &'a Instruction {
    file.instructions()
        .filter(|i| i.keyword().eq_ignore_ascii_case(keyword))
        .nth(n)
        .unwrap_or_else(|| panic!("no {keyword} #{n}"))
}

const MULTI: &str = r#"# syntax=docker/dockerfile:1
ARG GO_VERSION=1.22
ARG BASE=alpine
ARG VARIANT
FROM golang:${GO_VERSION}-${BASE} AS build
ARG GO_VERSION
ARG BASE=debian
ARG VARIANT
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
WORKDIR cmd/../app
ENV CGO_ENABLED=0 OUT=/out/$GO_VERSION
RUN go build -o $OUT/app .

FROM build AS test
RUN --mount=from=tools,target=/t go test ./...

FROM alpine:3.20 AS tools
RUN apk add --no-cache git

FROM scratch
COPY --from=build /out /usr/local/bin
COPY --from=busybox:1.36 /bin/busybox /bin/
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/app"]
"#;

#[test]
fn stages_bases_and_names() {
    let f = file(MULTI);
    let model = Model::new(&f);
    assert!(model.errors().is_empty(), "{:?}", model.errors());
    let stages = model.stages();
    assert_eq!(stages.len(), 4);
    assert_eq!(stages[0].name.as_deref(), Some("build"));
    assert_eq!(stages[0].base_text, "golang:${GO_VERSION}-${BASE}");
    assert_eq!(stages[0].base_name.as_deref(), Some("golang:1.22-alpine"));
    assert_eq!(stages[0].base, Base::Image("golang:1.22-alpine".into()));
    assert_eq!(stages[1].base, Base::Stage(0));
    assert_eq!(stages[3].base, Base::Scratch);
    assert_eq!(stages[3].display_name(), "stage-3");
    assert_eq!(model.final_stage().map(|s| s.index), Some(3));
    assert_eq!(
        model.global_declared_args(),
        ["GO_VERSION", "BASE", "VARIANT"]
    );
    assert_eq!(model.global_args().get("BASE"), Some("alpine"));
    assert_eq!(model.global_args().get("TARGETARCH"), Some("amd64"));
    assert!(!model.global_args().contains("VARIANT"));
}

#[test]
fn arg_scoping_follows_buildkit() {
    let f = file(MULTI);
    let model = Model::new(&f);
    // Before `ARG GO_VERSION` in the stage, the global value is not visible.
    let first_arg = nth(&f, "ARG", 3);
    let before = model.state_before(first_arg).expect("state");
    assert!(!before.is_set("GO_VERSION"));
    // After it, the global default is.
    let workdir = nth(&f, "WORKDIR", 0);
    let state = model.state_before(workdir).expect("state");
    assert_eq!(state.args.get("GO_VERSION"), Some("1.22"));
    // A stage default replaces the global one; an ARG with no value anywhere stays unset.
    assert_eq!(state.args.get("BASE"), Some("debian"));
    assert!(!state.is_set("VARIANT"));
    assert!(state.is_declared_arg("VARIANT"));
    assert_eq!(state.declared_args, ["GO_VERSION", "BASE", "VARIANT"]);
}

#[test]
fn env_workdir_and_expansion() {
    let f = file(MULTI);
    let model = Model::new(&f);
    let run = nth(&f, "RUN", 1);
    let state = model.state_before(run).expect("state");
    assert_eq!(state.workdir, "/src/app");
    assert!(state.workdir_set);
    assert_eq!(state.env.get("OUT"), Some("/out/1.22"));
    assert_eq!(state.env.get("CGO_ENABLED"), Some("0"));
    assert!(!state.base_env_known);
    let expanded = model
        .expand(run, "$OUT/app")
        .expect("known")
        .expect("expands");
    assert_eq!(expanded.value, "/out/1.22/app");
    // FROM lines expand with the global ARGs only.
    let from = nth(&f, "FROM", 0);
    let base = model
        .expand(from, "${BASE}")
        .expect("known")
        .expect("expands");
    assert_eq!(base.value, "alpine");
}

#[test]
fn stage_inherits_from_its_base_stage() {
    let f = file(MULTI);
    let model = Model::new(&f);
    let run = nth(&f, "RUN", 2);
    let state = model.state_before(run).expect("state");
    assert_eq!(state.workdir, "/src/app");
    assert_eq!(state.env.get("OUT"), Some("/out/1.22"));
    // ARG values travel with the stage's environment too.
    assert_eq!(state.vars.get("GO_VERSION"), Some("1.22"));
    assert_eq!(model.stage_of(run).map(|s| s.index), Some(1));
}

#[test]
fn user_home_and_scratch_defaults() {
    let f = file(MULTI);
    let model = Model::new(&f);
    let entry = nth(&f, "ENTRYPOINT", 0);
    let state = model.state_before(entry).expect("state");
    assert_eq!(state.user.as_deref(), Some("65532:65532"));
    assert_eq!(state.user_name(), Some("65532"));
    assert_eq!(state.home, "/");
    assert!(!state.is_root());
    assert_eq!(state.env.get("PATH"), Some(DEFAULT_PATH));
    assert!(state.base_env_known);
    assert_eq!(state.shell, ["/bin/sh", "-c"]);
    let copy = nth(&f, "COPY", 1);
    let before_user = model.state_before(copy).expect("state");
    assert_eq!(before_user.user, None);
    assert_eq!(before_user.home, "/root");
    assert!(before_user.is_root());
}

#[test]
fn graph_edges_and_targets() {
    let f = file(MULTI);
    let model = Model::new(&f);
    let kinds: Vec<(usize, DependencyKind, DependencyTarget)> = model
        .dependencies()
        .iter()
        .map(|d| (d.stage, d.kind, d.target.clone()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            (1, DependencyKind::From, DependencyTarget::Stage(0)),
            (1, DependencyKind::MountFrom, DependencyTarget::Stage(2)),
            (3, DependencyKind::CopyFrom, DependencyTarget::Stage(0)),
            (
                3,
                DependencyKind::CopyFrom,
                DependencyTarget::Image("busybox:1.36".into())
            ),
        ]
    );
    assert_eq!(model.depends_on(1), vec![0, 2]);
    assert_eq!(model.dependents(0), vec![1, 3]);
    assert_eq!(model.stages_needed_for(None), Some(vec![0, 3]));
    assert_eq!(model.stages_needed_for(Some("TEST")), Some(vec![0, 1, 2]));
    assert_eq!(model.stages_needed_for(Some("nope")), None);
    assert_eq!(model.unused_stages(None), vec![1, 2]);
}

#[test]
fn build_options_change_the_model() {
    let f = file(MULTI);
    let mut options = BuildOptions::default();
    options.build_args.insert("BASE".into(), "bookworm".into());
    options.build_args.insert("VARIANT".into(), "x".into());
    options.target = Some("test".into());
    let model = Model::with_options(&f, options);
    assert_eq!(
        model.stages()[0].base_name.as_deref(),
        Some("golang:1.22-bookworm")
    );
    let workdir = nth(&f, "WORKDIR", 0);
    let state = model.state_before(workdir).expect("state");
    // A build argument beats both defaults.
    assert_eq!(state.args.get("BASE"), Some("bookworm"));
    assert_eq!(state.args.get("VARIANT"), Some("x"));
    assert_eq!(model.global_args().get("TARGETSTAGE"), Some("test"));
}

#[test]
fn copy_from_index_and_shell() {
    let text = "FROM alpine\nRUN echo\nFROM debian\nSHELL [\"/bin/bash\", \"-eo\", \"pipefail\", \"-c\"]\nCOPY --from=0 /a /b\nFROM 1\nRUN x\n";
    let f = file(text);
    let model = Model::new(&f);
    assert!(model.errors().is_empty(), "{:?}", model.errors());
    assert_eq!(model.depends_on(1), vec![0]);
    let copy = nth(&f, "COPY", 0);
    assert_eq!(
        model.state_before(copy).map(|s| s.shell.clone()),
        Some(vec![
            "/bin/bash".into(),
            "-eo".into(),
            "pipefail".into(),
            "-c".into()
        ])
    );
    // `FROM 1` is an image named "1", not stage 1 (indexes are for --from only).
    assert_eq!(model.stages()[2].base, Base::Image("1".into()));
}

#[test]
fn env_pairs_expand_with_the_previous_values() {
    let text = "FROM scratch\nENV A=1\nENV A=2 B=$A\nARG A=3\nENV C=$A\nUSER app\nENV HOME=/srv\nRUN true\n";
    let f = file(text);
    let model = Model::new(&f);
    let run = nth(&f, "RUN", 0);
    let state = model.state_before(run).expect("state");
    assert_eq!(state.env.get("B"), Some("1"));
    // An ARG value replaces an ENV value in the build's variables, not in ENV.
    assert_eq!(state.env.get("A"), Some("2"));
    assert_eq!(state.vars.get("A"), Some("3"));
    assert_eq!(state.env.get("C"), Some("3"));
    assert_eq!(state.home, "/srv");
    let user = nth(&f, "ENV", 3);
    assert_eq!(
        model.state_before(user).map(|s| s.home.as_str()),
        Some("/home/app")
    );
}

#[test]
fn problems_are_recorded_not_fatal() {
    let text = "ARG X\nRUN echo before\nFROM ${X}\nFROM scratch\nENV Y=\"${Z:?must be set}\"\nCOPY --from=7 /a /b\nFROM a AS a2\nCOPY --from=b / /\nFROM a2 AS b\n";
    let f = file(text);
    let model = Model::new(&f);
    let messages: Vec<&str> = model.errors().iter().map(|e| e.message.as_str()).collect();
    assert!(
        messages.iter().any(|m| m.contains("before the first FROM")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("should not be blank")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("Z: must be set")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("invalid stage index 7")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("circular dependency")),
        "{messages:?}"
    );
    assert_eq!(model.stages()[0].base, Base::Unresolved);
}

#[test]
fn windows_escape_and_workdir() {
    let text = "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nWORKDIR C:\\app\nWORKDIR src\nENV P=C:\\app`\\x\nRUN dir\n";
    let f = file(text);
    let model = Model::new(&f);
    let run = nth(&f, "RUN", 0);
    let state = model.state_before(run).expect("state");
    assert_eq!(state.workdir, "C:\\app\\src");
    assert_eq!(state.env.get("P"), Some("C:\\app\\x"));
}
