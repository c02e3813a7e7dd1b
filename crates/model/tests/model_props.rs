//! No Dockerfile, however malformed, makes the model panic, and its answers stay coherent.

use dockopt_model::Model;
use dockopt_syntax::parse;
use proptest::prelude::*;

fn line() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "FROM alpine AS a",
        "FROM a AS b",
        "FROM $BASE",
        "FROM ${B:-scratch} AS c",
        "FROM scratch",
        "from B",
        "ARG BASE=alpine",
        "ARG B",
        "ARG X=${B:?}",
        "ENV A=1 B=$A",
        "ENV HOME /srv",
        "ENV K=\"${A//1/2}\"",
        "USER app:app",
        "USER $A",
        "WORKDIR rel/../x",
        "WORKDIR /abs",
        "WORKDIR",
        "SHELL [\"bash\", \"-c\"]",
        "SHELL bash",
        "COPY --from=a /x /y",
        "COPY --from=1 /x /y",
        "COPY --from=-3 /x /y",
        "COPY --from=c / /",
        "RUN --mount=from=b,target=/m true",
        "RUN --mount=type=cache,target=/c echo",
        "ONBUILD RUN x",
        "EXPOSE $A",
        "# comment",
        "RUN echo \\",
        "",
    ])
    .prop_map(str::to_string)
}

proptest! {
    #[test]
    fn any_file_models_without_panic(lines in prop::collection::vec(line(), 0..14), target in prop::option::of("[a-c]")) {
        let text = lines.join("\n");
        let parsed = parse(&text);
        let file = parsed.dockerfile();
        let model = Model::new(file);
        for (id, ins) in file.instructions().enumerate() {
            prop_assert_eq!(model.id_of(ins), Some(id));
            if let Some(stage) = model.stage_of_id(id) {
                prop_assert!(model.state_before_id(id).is_some());
                prop_assert!(stage.index < model.stages().len());
                let _ = model.expand_at(id, "$A ${B:-x}");
            }
        }
        for stage in model.stages() {
            for dep in model.depends_on(stage.index) {
                prop_assert!(dep < model.stages().len());
            }
        }
        if let Some(needed) = model.stages_needed_for(target.as_deref()) {
            prop_assert!(needed.windows(2).all(|w| w[0] < w[1]));
        }
    }
}
