use crate::helpers::style::{double_quoted_literal, like_case, range};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports the deprecated `MAINTAINER` instruction.
    ///
    /// ## Why it matters
    /// `MAINTAINER` fills the image's legacy `Author` field, which registries, scanners
    /// and `docker inspect --format '{{ index .Config.Labels ...}}'` users do not look at;
    /// the OCI label `org.opencontainers.image.authors` is where tools expect the author.
    /// BuildKit warns about `MAINTAINER` on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM busybox
    /// MAINTAINER Lukas Martinelli <me@lukasmartinelli.ch>
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM busybox
    /// LABEL org.opencontainers.image.authors="Lukas Martinelli <me@lukasmartinelli.ch>"
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the instruction becomes a `LABEL` holding the same text (outer quotes dropped,
    /// `"`, `$` and the escape character escaped so the value stays literal, as
    /// `MAINTAINER` never expands variables). The image gets the label instead of the
    /// legacy `Author` field.
    pub struct MaintainerDeprecated {
        name: "maintainer-deprecated",
        group: Style,
        level: Warning,
        aliases: ["DL4000", "MaintainerDeprecated", "DS-0022", "CKV_DOCKER_6"],
        fix: Safe,
        summary: "The deprecated `MAINTAINER` instruction",
    }
}

impl Check for MaintainerDeprecated {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let escape = ctx.file().escape();
        for (_, ins) in ctx.instructions_of(InstructionKind::Maintainer) {
            let keyword = range(ins.keyword_range());
            let finding = out.report(
                keyword,
                "`MAINTAINER` is deprecated: the author belongs in the \
                 `org.opencontainers.image.authors` label",
            );
            finding.help("use `LABEL org.opencontainers.image.authors=\"...\"`");
            let Args::Single(arg) = ins.args() else {
                continue;
            };
            let author = strip_outer_quotes(arg.value.trim());
            if author.is_empty() || author.contains(['\n', '\r']) {
                continue;
            }
            let label = like_case(ins.keyword(), "LABEL");
            let value = double_quoted_literal(author, escape);
            finding.fix(Fix {
                safety: FixSafety::Safe,
                description: "replace with `LABEL org.opencontainers.image.authors=...`".into(),
                edits: vec![Edit::replace(
                    range(ins.range()),
                    format!("{label} org.opencontainers.image.authors={value}"),
                )],
            });
        }
    }
}

/// The text inside one pair of matching outer quotes, or the text itself.
fn strip_outer_quotes(text: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            if !inner.contains(q) {
                return inner;
            }
        }
    }
    text
}
