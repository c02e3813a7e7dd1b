use crate::helpers::style::{in_case, is_self_consistent, majority_lower, range};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports instruction keywords that are not written in the file's majority casing
    /// (all upper case or all lower case; a tie counts as upper case, as in BuildKit), and
    /// mixed-case keywords such as `Run` or `EntryPoint` whatever the majority. Also reports
    /// the `AS` of `FROM ... AS name` when its case differs from the `FROM` keyword or from
    /// the file's casing (BuildKit's FromAsCasing).
    ///
    /// ## Why it matters
    /// Keywords are case-insensitive to the builder, but consistent casing is how readers
    /// tell instructions from their arguments at a glance; BuildKit prints a warning for
    /// each inconsistent keyword on every build, which buries the warnings that matter.
    ///
    /// ## Example
    /// ```dockerfile
    /// From alpine
    /// Run echo hello > /greeting.txt
    /// EntRYpOiNT ["cat", "/greeting.txt"]
    /// FROM debian:latest as builder
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine
    /// RUN echo hello > /greeting.txt
    /// ENTRYPOINT ["cat", "/greeting.txt"]
    /// FROM debian:latest AS builder
    /// ```
    ///
    /// ## Fix safety
    /// Safe: only the case of keywords changes, which the builder ignores.
    pub struct InstructionCasing {
        name: "instruction-casing",
        group: Style,
        level: Info,
        aliases: ["ConsistentInstructionCasing", "FromAsCasing"],
        fix: Safe,
        summary: "Instruction keywords in inconsistent case",
    }
}

impl Check for InstructionCasing {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let lower = majority_lower(ctx.file());
        let casing = if lower { "lower case" } else { "upper case" };
        for (_, ins) in ctx.instructions() {
            let keyword = ins.keyword();
            let wanted = in_case(keyword, lower);
            if keyword != wanted {
                let why = if is_self_consistent(keyword) {
                    format!("most keywords of this file are {casing}")
                } else {
                    "it mixes upper and lower case".to_string()
                };
                let at = range(ins.keyword_range());
                out.report(
                    at.clone(),
                    format!("`{keyword}` should be `{wanted}`: {why}"),
                )
                .help(format!("write instruction keywords in {casing}"))
                .fix(Fix {
                    safety: FixSafety::Safe,
                    description: format!("write `{wanted}`"),
                    edits: vec![Edit::replace(at, wanted.clone())],
                });
            }
            if ins.kind() == InstructionKind::From {
                check_as(ins, lower, out);
            }
        }
    }
}

/// The `AS` of `FROM image AS name`: reported when its case differs from the `FROM`
/// keyword's (BuildKit's FromAsCasing) or from the file's casing.
fn check_as(ins: &Instruction, lower: bool, out: &mut Findings) {
    let Args::Words(words) = ins.args() else {
        return;
    };
    let [_, as_word, _] = words.as_slice() else {
        return;
    };
    let written = as_word.value.as_str();
    if !written.eq_ignore_ascii_case("as") {
        return;
    }
    let keyword = ins.keyword();
    let wanted = in_case(written, lower);
    if written == wanted {
        // Matches the file's casing; if `FROM` itself is the odd one out, its own finding
        // fixes it.
        return;
    }
    let at = range(as_word.range);
    out.report(
        at.clone(),
        format!("`{written}` and `{keyword}` should be written in the same case: `{wanted}`"),
    )
    .help("write `AS` in the same case as `FROM` and the other keywords")
    .fix(Fix {
        safety: FixSafety::Safe,
        description: format!("write `{wanted}`"),
        edits: vec![Edit::replace(at, wanted)],
    });
}
