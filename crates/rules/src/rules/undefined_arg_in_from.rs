use dockopt_model::{Base, PLATFORM_ARGS};
use dockopt_syntax::Argument;

use crate::helpers::correctness::{is_identifier, is_valid_image_reference, reference_range, span, suggest};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` that uses a build argument no `ARG` before the first `FROM`
    /// declares (UndefinedArgInFrom), and a `FROM` whose image is not a valid reference
    /// when the build arguments keep their defaults (InvalidDefaultArgInFrom), e.g.
    /// `ARG TAG` without a default and `FROM alpine:${TAG}`, which gives `alpine:`.
    ///
    /// ## Why it matters
    /// `FROM` sees only the global `ARG`s. An undeclared name (often a typo, or an `ARG`
    /// declared after the `FROM`) expands to nothing: the build pulls another image than
    /// intended, or fails unless every caller passes `--build-arg`.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22${VARIANT} AS jsbuilder
    /// ARG TAG
    /// FROM alpine:${TAG}
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// ARG VARIANT="-alpine3.20"
    /// ARG TAG=3.20
    /// FROM node:22${VARIANT} AS jsbuilder
    /// FROM alpine:${TAG}
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the default value is the author's to choose.
    pub struct UndefinedArgInFrom {
        name: "undefined-arg-in-from",
        group: Correctness,
        level: Warning,
        aliases: ["UndefinedArgInFrom", "InvalidDefaultArgInFrom"],
        fix: None,
        summary: "`FROM` uses an undeclared build argument, or is invalid with the defaults",
    }
}

impl Check for UndefinedArgInFrom {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let declared = ctx.model.global_declared_args();
        let options: Vec<&str> = declared
            .iter()
            .map(String::as_str)
            .chain(PLATFORM_ARGS)
            .collect();
        for stage in ctx.model.stages() {
            let Some(from) = ctx.model.instruction(stage.from) else {
                continue;
            };
            let Some(args) = from.from_args() else {
                continue;
            };
            let platform = args.platform.and_then(|f| {
                Some(Argument {
                    value: f.value.clone()?,
                    range: f.value_range.unwrap_or(f.range),
                })
            });
            let mut undefined = false;
            for arg in std::iter::once(args.image).chain(platform.as_ref()) {
                let Some(Ok(expansion)) = ctx.model.expand_at(stage.from, &arg.value) else {
                    continue;
                };
                let mut seen: Vec<&str> = Vec::new();
                for reference in expansion.references.iter().filter(|r| !r.set) {
                    let name = reference.name.as_str();
                    if seen.contains(&name)
                        || !is_identifier(name)
                        || declared.iter().any(|d| d == name)
                    {
                        continue;
                    }
                    seen.push(name);
                    undefined = true;
                    let finding = out.report(
                        reference_range(arg, reference),
                        format!(
                            "`FROM` uses `${name}`, which no `ARG` before the first `FROM` \
                             declares: it expands to nothing"
                        ),
                    );
                    match suggest(name, options.iter().copied()) {
                        Some(near) => finding.help(format!("did you mean `${near}`?")),
                        None => finding.help(format!(
                            "declare `ARG {name}=<default>` at the top of the file"
                        )),
                    };
                }
            }
            if undefined || !stage.base_text.contains('$') {
                continue;
            }
            let invalid = match &stage.base {
                Base::Image(name) => !is_valid_image_reference(name),
                Base::Unresolved => true,
                Base::Stage(_) | Base::Scratch => false,
            };
            if !invalid {
                continue;
            }
            let got = match stage.base_name.as_deref() {
                None | Some("") => "nothing".to_string(),
                Some(name) => format!("`{name}`, which is not a valid image reference"),
            };
            out.report(
                span(args.image.range),
                format!(
                    "with the default build arguments `{}` expands to {got}: the build fails \
                     unless `--build-arg` is passed",
                    stage.base_text
                ),
            )
            .help("give the `ARG`s it uses a default that makes a valid image reference");
        }
    }
}
