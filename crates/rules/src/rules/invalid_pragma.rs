use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a suppression comment (`# dockopt ignore=...`, `# hadolint ignore=...`,
    /// `# check=skip=...`) that names something that is not a rule, a group or an alias.
    ///
    /// ## Why it matters
    /// A misspelt name suppresses nothing, so the finding it was meant to silence keeps
    /// firing, or, worse, the comment looks like a deliberate exception that never took
    /// effect.
    ///
    /// ## Example
    /// ```dockerfile
    /// # dockopt ignore=runs-as-rot
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// # dockopt ignore=runs-as-root
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only the author knows which rule was meant.
    pub struct InvalidPragma {
        name: "invalid-pragma",
        group: Correctness,
        level: Warning,
        aliases: [],
        fix: None,
        summary: "A suppression comment names an unknown rule",
    }
}

impl Check for InvalidPragma {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (range, name) in ctx.unknown_pragma_names {
            out.report(range.clone(), format!("`{name}` is not a rule, group or alias dockopt knows"))
                .help("`dockopt rules --aliases` lists the names dockopt accepts");
        }
    }
}
