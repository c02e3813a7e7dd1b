use crate::helpers::style::{like_case, needs_quotes, range};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `ENV` and `LABEL` written in the legacy `KEY value` form instead of
    /// `KEY=value`.
    ///
    /// ## Why it matters
    /// In the legacy form everything after the key is one value, spaces included, so
    /// `ENV A 1 B 2` sets `A` to `1 B 2`, a surprise to anyone who reads it as two
    /// variables. The form is deprecated and BuildKit warns about it on every build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine
    /// ENV DEPS \
    ///     curl \
    ///     git \
    ///     make
    /// LABEL maintainer Moby
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine
    /// ENV DEPS="\
    ///     curl \
    ///     git \
    ///     make"
    /// LABEL maintainer=Moby
    /// ```
    ///
    /// ## Fix safety
    /// Safe: the blank between key and value becomes `=`, and a value with blanks is
    /// wrapped in double quotes, which keep the blanks (continuation lines' indentation
    /// included, as the legacy form does) and `$` expansion. A value that already mixes
    /// quotes or escapes with blanks gets no automatic fix.
    pub struct LegacyEnvFormat {
        name: "legacy-env-format",
        group: Style,
        level: Info,
        aliases: ["LegacyKeyValueFormat"],
        fix: Safe,
        summary: "`ENV key value` instead of `ENV key=value`",
    }
}

impl Check for LegacyEnvFormat {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let escape = ctx.file().escape();
        for (_, ins) in ctx.instructions() {
            if !matches!(ins.kind(), InstructionKind::Env | InstructionKind::Label) {
                continue;
            }
            let Some(pair) = ins.pairs().iter().find(|p| !p.equals && p.value.is_some()) else {
                continue;
            };
            let Some(value) = &pair.value else {
                continue;
            };
            let keyword = like_case(ins.keyword(), ins.kind().as_str());
            let key = &pair.key.value;
            let finding = out.report(
                range(pair.range),
                format!(
                    "`{keyword} {key} <value>` is the legacy form: write `{keyword} {key}=<value>`"
                ),
            );
            finding.help(format!(
                "write `{key}=<value>`, quoting a value that holds blanks"
            ));
            let separator = usize::from(pair.key.range.end())..usize::from(value.range.start());
            let value_range = range(value.range);
            let Some(quote) = needs_quotes(&value.value, escape) else {
                continue;
            };
            let mut edits = vec![Edit::replace(separator, "=")];
            if quote {
                edits.push(Edit::insert(value_range.start, "\""));
                edits.push(Edit::insert(value_range.end, "\""));
            }
            finding.fix(Fix {
                safety: FixSafety::Safe,
                description: format!("write `{key}={}`", if quote { "\"...\"" } else { "..." }),
                edits,
            });
        }
    }
}
