use crate::helpers::correctness::reference_range;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an `ENV` pair whose value uses a variable that another pair of the same
    /// `ENV` instruction defines, when nothing defined it before (`ENV A=1 B=$A`). A pair
    /// that extends its own variable (`ENV PATH=/opt/bin:$PATH`) is fine.
    ///
    /// ## Why it matters
    /// Every pair of one `ENV` is expanded with the variables from before the
    /// instruction: `$A` in `B=$A` is not the `1` written just before it, but empty (or
    /// whatever the base image set), so `B` silently gets the wrong value.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME=/opt/app \
    ///     PATH=$APP_HOME/bin:$PATH
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine:3.20
    /// ENV APP_HOME=/opt/app
    /// ENV PATH=$APP_HOME/bin:$PATH
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: splitting the instruction changes the value, which is the point,
    /// but only the author can confirm it is the value they meant.
    pub struct EnvSelfReference {
        name: "env-self-reference",
        group: Correctness,
        level: Error,
        aliases: ["DL3044"],
        fix: None,
        summary: "`ENV` uses a variable defined in the same instruction",
    }
}

impl Check for EnvSelfReference {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::Env) {
            let Some(state) = ctx.state(id) else {
                continue;
            };
            let pairs = ins.pairs();
            for (j, pair) in pairs.iter().enumerate() {
                let Some(value) = &pair.value else {
                    continue;
                };
                let Some(Ok(expansion)) = ctx.model.expand_at(id, &value.value) else {
                    continue;
                };
                let mut seen: Vec<&str> = Vec::new();
                for reference in &expansion.references {
                    let name = reference.name.as_str();
                    if seen.contains(&name)
                        || state.is_set(name)
                        || state.is_declared_arg(name)
                    {
                        continue;
                    }
                    let Some(definition) = pairs
                        .iter()
                        .enumerate()
                        .find(|(i, p)| *i != j && p.key.value == name)
                        .map(|(_, p)| p)
                    else {
                        continue;
                    };
                    seen.push(name);
                    let defined = definition
                        .value
                        .as_ref()
                        .map_or(String::new(), |v| v.value.clone());
                    out.report(
                        reference_range(value, reference),
                        format!(
                            "`${name}` does not see `{name}={defined}` from this same `ENV`: \
                             all pairs of one `ENV` are expanded with the values from before it"
                        ),
                    )
                    .help(format!(
                        "set `{name}` in an `ENV` of its own before this one"
                    ));
                }
            }
        }
    }
}
