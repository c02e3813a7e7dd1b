use crate::helpers::style::{image_stages, instructions_in_stages, range};
use crate::prelude::*;

/// The OCI annotation keys asked for by default (after `org.opencontainers.image.`).
const DEFAULT_REQUIRED: &[&str] = &["title", "source", "revision", "version", "licenses"];

const PREFIX: &str = "org.opencontainers.image.";

declare_rule! {
    /// ## What it does
    /// Opt-in. Reports a final image without the standard OCI labels
    /// `org.opencontainers.image.*`: by default `title`, `source`, `revision`, `version`
    /// and `licenses`, set by `LABEL` in the final stage or the stages it is built on. The
    /// list is configurable:
    ///
    /// ```toml
    /// [rules.missing-oci-labels]
    /// level = "warning"
    /// required = ["title", "source", "revision", "licenses", "authors"]
    /// ```
    ///
    /// Labels inherited from an external base image cannot be seen offline, and describe
    /// the base rather than this image anyway.
    ///
    /// ## Why it matters
    /// Registries, scanners and deployment tools read these labels to link an image to its
    /// repository and commit (`source`, `revision`), to show what it is (`title`,
    /// `version`) and to check its licence. Without them, finding the code behind a running
    /// image means guesswork.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// LABEL org.opencontainers.image.title="api"
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ARG VERSION=dev
    /// ARG REVISION=unknown
    /// LABEL org.opencontainers.image.title="api" \
    ///       org.opencontainers.image.source="https://github.com/example/api" \
    ///       org.opencontainers.image.version="${VERSION}" \
    ///       org.opencontainers.image.revision="${REVISION}" \
    ///       org.opencontainers.image.licenses="Apache-2.0"
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the values are the project's to give.
    pub struct MissingOciLabels {
        name: "missing-oci-labels",
        group: Style,
        level: Off,
        aliases: [],
        fix: None,
        summary: "The final image lacks `org.opencontainers.image.*` labels",
    }
}

impl Check for MissingOciLabels {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let required: Vec<String> = match ctx.option("missing-oci-labels", "required") {
            Some(toml::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str())
                .map(|s| s.strip_prefix(PREFIX).unwrap_or(s).to_string())
                .collect(),
            _ => DEFAULT_REQUIRED.iter().map(|s| s.to_string()).collect(),
        };
        let stages = image_stages(ctx);
        if stages.is_empty() || required.is_empty() {
            return;
        }
        let mut present: Vec<String> = Vec::new();
        for id in instructions_in_stages(ctx, &stages, InstructionKind::Label) {
            let Some(ins) = ctx.model.instruction(id) else {
                continue;
            };
            for pair in ins.pairs() {
                let key = pair.key.value.trim_matches(['"', '\'']);
                let key = match ctx.model.expand_at(id, key) {
                    Some(Ok(e)) => e.value,
                    _ => key.to_string(),
                };
                if let Some(name) = key.strip_prefix(PREFIX) {
                    present.push(name.to_string());
                }
            }
        }
        let missing: Vec<&String> = required.iter().filter(|r| !present.contains(r)).collect();
        if missing.is_empty() {
            return;
        }
        let Some(from) = ctx.final_from() else {
            return;
        };
        let list = missing
            .iter()
            .map(|m| format!("`{m}`"))
            .collect::<Vec<_>>()
            .join(", ");
        out.report(
            range(from.keyword_range()),
            format!("the image has no `{PREFIX}*` label for {list}"),
        )
        .help(format!(
            "add `LABEL {PREFIX}{}=...` (and the others) to the final stage",
            missing[0]
        ));
    }
}
