use crate::helpers::correctness::span;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM --platform=` flag that BuildKit warns about:
    /// - a constant (`--platform=linux/amd64`) in a stage whose name mentions neither the
    ///   OS nor the architecture (FromPlatformFlagConstDisallowed);
    /// - exactly `$TARGETPLATFORM` (RedundantTargetPlatform, DL3065): that is the default.
    ///
    /// `--platform=$BUILDPLATFORM` and other variable values are fine.
    ///
    /// ## Why it matters
    /// A constant platform pins the stage: a multi-platform build runs it under emulation
    /// (slow) or produces an image for the wrong architecture. `$TARGETPLATFORM` says
    /// what `FROM` does anyway and hides nothing but noise.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM --platform=linux/amd64 golang:1.23 AS build
    /// FROM --platform=$TARGETPLATFORM alpine:3.20
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM --platform=$BUILDPLATFORM golang:1.23 AS build
    /// FROM alpine:3.20
    /// ```
    ///
    /// ## Fix safety
    /// Safe for `$TARGETPLATFORM`: the flag is deleted, which is the default behaviour.
    /// No fix for a constant: whether the stage should run on the build or the target
    /// platform is the author's choice.
    pub struct FromPlatformConstant {
        name: "from-platform-constant",
        group: Correctness,
        level: Warning,
        aliases: [
            "DL3029",
            "FromPlatformFlagConstDisallowed",
            "RedundantTargetPlatform",
            "DL3065",
        ],
        fix: Safe,
        summary: "`FROM --platform` with a constant, or with the redundant `$TARGETPLATFORM`",
    }
}

const OPERATING_SYSTEMS: [&str; 8] = [
    "linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris", "illumos",
];

/// The OS and architecture of a platform string, as containerd's parser reads them:
/// `os/arch[/variant]`, or a lone OS or architecture (the other part then defaults).
fn os_and_arch(platform: &str) -> Option<(String, String)> {
    let lower = platform.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let normalize = |arch: &str| match arch {
        "x86_64" | "x86-64" => "amd64".to_string(),
        "aarch64" => "arm64".to_string(),
        "i386" | "i686" => "386".to_string(),
        other => other.to_string(),
    };
    match parts.as_slice() {
        [""] => None,
        [one] if OPERATING_SYSTEMS.contains(one) => Some((one.to_string(), "amd64".into())),
        [one] => Some(("linux".to_string(), normalize(one))),
        [os, arch] | [os, arch, _] if !os.is_empty() && !arch.is_empty() => {
            Some((os.to_string(), normalize(arch)))
        }
        _ => None,
    }
}

impl Check for FromPlatformConstant {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::From) {
            let Some(flag) = ins.flag("platform") else {
                continue;
            };
            let Some(value) = flag.value.as_deref() else {
                continue;
            };
            let Some(Ok(expansion)) = ctx.model.expand_at(id, value) else {
                continue;
            };
            let names: Vec<&str> = expansion
                .references
                .iter()
                .map(|r| r.name.as_str())
                .collect();
            if names.is_empty() {
                let Some((os, arch)) = os_and_arch(&expansion.value) else {
                    continue;
                };
                let stage = ins
                    .from_args()
                    .and_then(|a| a.name)
                    .map(|n| n.value.to_ascii_lowercase())
                    .unwrap_or_default();
                if stage.contains(&os) || stage.contains(&arch) {
                    continue;
                }
                out.report(
                    span(flag.range),
                    format!(
                        "`--platform={value}` pins this stage to one platform: a build for \
                         another platform emulates it or gets the wrong architecture"
                    ),
                )
                .help(
                    "use `--platform=$BUILDPLATFORM` for a stage that runs build tools, or drop \
                     the flag",
                );
                continue;
            }
            let only_target = expansion.matched() == ["TARGETPLATFORM"]
                && expansion.unset().is_empty()
                && ctx.model.global_args().get("TARGETPLATFORM") == Some(&expansion.value);
            if !only_target {
                continue;
            }
            // Delete the flag and the blanks after it.
            let range = span(flag.range);
            let rest = ctx.source.get(range.end..).unwrap_or("");
            let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
            out.report(
                range.clone(),
                format!(
                    "`--platform={value}` is redundant: `FROM` uses the target platform by \
                     default"
                ),
            )
            .help("drop the flag")
            .fix(Fix {
                safety: FixSafety::Safe,
                description: "drop the redundant `--platform` flag".to_string(),
                edits: vec![Edit::delete(range.start..range.end + blanks)],
            });
        }
    }
}
