use crate::helpers::correctness::{expose_words, PortSpec};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` port spec that BuildKit rejects or warns about: a host IP or
    /// host port (`EXPOSE 8080:80`, `EXPOSE 127.0.0.1:80:80`), a protocol other than
    /// `tcp`, `udp` or `sctp`, a protocol not in lower case (`80/TCP`), or a port that is
    /// not a number or a range (`EXPOSE http`, `EXPOSE 90-80`). Out-of-range numbers are
    /// `port-out-of-range`'s.
    ///
    /// ## Why it matters
    /// `EXPOSE` only documents the container's ports: publishing to a host port is done at
    /// `docker run -p`. A host mapping here is ignored (and BuildKit says it will become an
    /// error), an unknown protocol or a non-numeric port fails the build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 8080:80 443/TCP
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM nginx:1.27
    /// EXPOSE 80 443/tcp
    /// ```
    ///
    /// ## Fix safety
    /// Safe for the host mapping (only the container port was ever exposed) and the
    /// protocol's case (BuildKit lower-cases it); no fix for the other problems.
    pub struct InvalidExpose {
        name: "invalid-expose",
        group: Correctness,
        level: Error,
        aliases: ["DL3011", "ExposeInvalidFormat", "ExposeProtoCasing", "DS-0008"],
        fix: Safe,
        summary: "`EXPOSE` with a host mapping, a bad protocol or a port that is not a number",
    }
}

impl Check for InvalidExpose {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::Expose) {
            for word in expose_words(ctx, id, ins) {
                let spec = PortSpec::parse(&word.text);
                let at = word.exact_start;
                let whole = word.range.clone();
                if !spec.host_part.is_empty() {
                    let range = at.map_or(whole.clone(), |a| a..a + spec.host_part.len());
                    let finding = out.report(
                        range.clone(),
                        format!(
                            "`EXPOSE {}` maps a host address or port: `EXPOSE` declares only \
                             the container port, publishing is `docker run -p`'s job",
                            word.text
                        ),
                    );
                    finding.help(format!("expose only the container port `{}`", spec.ports));
                    if at.is_some() && !spec.ports.is_empty() {
                        finding.fix(Fix {
                            safety: FixSafety::Safe,
                            description: format!("drop the host part `{}`", spec.host_part),
                            edits: vec![Edit::delete(range)],
                        });
                    }
                }
                if spec.ports.is_empty() {
                    out.report(whole, format!("`EXPOSE {}` names no port", word.text))
                        .help("write the container port, e.g. `EXPOSE 8080/tcp`");
                    continue;
                }
                match spec.numbers() {
                    None => {
                        out.report(
                            whole.clone(),
                            format!(
                                "`{}` is not a port number or range: the build fails",
                                spec.ports
                            ),
                        )
                        .help("write a number (`8080`) or a range (`8000-8010`)");
                    }
                    Some((start, end)) if end < start => {
                        out.report(
                            whole.clone(),
                            format!("port range `{}` ends before it starts", spec.ports),
                        )
                        .help("write the lower port first");
                    }
                    Some(_) => {}
                }
                let Some(proto) = spec.proto else {
                    continue;
                };
                let lower = proto.to_ascii_lowercase();
                if !matches!(lower.as_str(), "" | "tcp" | "udp" | "sctp") {
                    out.report(
                        whole,
                        format!("`{proto}` is not a protocol `EXPOSE` accepts: the build fails"),
                    )
                    .help("use `tcp`, `udp` or `sctp`");
                } else if lower != proto {
                    let start = at.map(|a| a + spec.host_part.len() + spec.ports.len() + 1);
                    let range = start.map_or(whole, |s| s..s + proto.len());
                    let finding = out.report(
                        range.clone(),
                        format!("protocol `{proto}` should be lower case"),
                    );
                    finding.help(format!("write `{lower}`"));
                    if start.is_some() {
                        finding.fix(Fix {
                            safety: FixSafety::Safe,
                            description: format!("write `{lower}`"),
                            edits: vec![Edit::replace(range, lower.clone())],
                        });
                    }
                }
            }
        }
    }
}
