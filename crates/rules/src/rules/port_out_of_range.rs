use crate::helpers::correctness::{expose_words, PortSpec};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port (or either end of a port range) above 65535, after
    /// expanding variables.
    ///
    /// ## Why it matters
    /// TCP, UDP and SCTP ports are 16-bit numbers: BuildKit rejects the instruction and
    /// the build fails, usually because of a typo (`80800` for `8080`).
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM busybox:1.36
    /// EXPOSE 80000
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM busybox:1.36
    /// EXPOSE 65535
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the intended port is the author's to say.
    pub struct PortOutOfRange {
        name: "port-out-of-range",
        group: Correctness,
        level: Error,
        aliases: ["DL3011"],
        fix: None,
        summary: "`EXPOSE` of a port above 65535",
    }
}

impl Check for PortOutOfRange {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::Expose) {
            for word in expose_words(ctx, id, ins) {
                let spec = PortSpec::parse(&word.text);
                let Some((start, end)) = spec.numbers() else {
                    continue;
                };
                if start <= 65535 && end <= 65535 {
                    continue;
                }
                let range = match word.exact_start {
                    Some(at) => {
                        let from = at + spec.host_part.len();
                        from..from + spec.ports.len()
                    }
                    None => word.range.clone(),
                };
                out.report(
                    range,
                    format!(
                        "port{} `{}` is out of range: ports go from 0 to 65535",
                        if start == end { "" } else { " range" },
                        spec.ports
                    ),
                )
                .help("check the port number for a typo");
            }
        }
    }
}
