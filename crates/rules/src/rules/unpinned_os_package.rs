use crate::helpers::size::manager_name;
use crate::prelude::*;
use dockopt_shell::pkg::{Package, Pin};
use dockopt_shell::Span;

declare_rule! {
    /// ## What it does
    /// Opt-in. Reports OS package installs that name packages without a version:
    /// `apt-get install curl` instead of `curl=7.88.1-10+deb12u5` (DL3008), `apk add curl`
    /// instead of `curl=8.5.0-r0` or `curl~8.5` (DL3018), `yum`/`dnf`/`microdnf install
    /// httpd` instead of `httpd-2.4.57` (DL3033, DL3041), `zypper install httpd` instead of
    /// `httpd=2.4.51` (DL3037). Local package files and URLs, apt release pins
    /// (`pkg/bookworm-backports`), module streams (`nodejs:20`), groups, `apt-get build-dep`
    /// (it names source packages) and package names or lists built from variables
    /// (`postgresql-${PG_MAJOR}`, most often a package whose name carries its version) are
    /// not reported: dockopt does not judge a name it cannot read.
    ///
    /// ## Why it matters
    /// Without a version, each build installs whatever the mirror has that day: two builds
    /// of the same commit can differ, and an upstream change reaches the image without a
    /// change to the Dockerfile. Pinning trades that for maintenance (distributions remove
    /// old versions from their mirrors, so pins must be bumped), which is why the rule is
    /// off by default.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk --no-cache add foo
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine:3.20
    /// RUN apk --no-cache add foo=~1.23
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: only the author knows which version the image was tested with.
    pub struct UnpinnedOsPackage {
        name: "unpinned-os-package",
        group: Reliability,
        level: Off,
        aliases: ["DL3008", "DL3018", "DL3033", "DL3037", "DL3041"],
        fix: None,
        summary: "OS packages installed without a version pin",
    }
}

/// How many package names a message lists before "and N more".
const LISTED: usize = 4;

impl Check for UnpinnedOsPackage {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, _) in ctx.instructions_of(InstructionKind::Run) {
            for script in ctx.scripts(id) {
                for op in &script.operations {
                    if !op.manager.is_os() || op.operation != Operation::Install {
                        continue;
                    }
                    let sub: Vec<&str> = op.subcommand.iter().map(String::as_str).collect();
                    if matches!(
                        sub.first().copied(),
                        Some(
                            "group"
                                | "groups"
                                | "groupinstall"
                                | "module"
                                | "build-dep"
                                | "satisfy"
                        )
                    ) {
                        continue;
                    }
                    let unpinned: Vec<&Package> = op
                        .packages
                        .iter()
                        .filter(|p| is_unpinned(op.manager, p))
                        .collect();
                    let (Some(first), Some(last)) = (unpinned.first(), unpinned.last()) else {
                        continue;
                    };
                    let label = manager_name(op);
                    let mut names: Vec<&str> = unpinned
                        .iter()
                        .take(LISTED)
                        .map(|p| p.name.as_str())
                        .collect();
                    let more = unpinned.len().saturating_sub(LISTED);
                    let listed = names
                        .drain(..)
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    let listed = if more > 0 {
                        format!("{listed} and {more} more")
                    } else {
                        listed
                    };
                    let example = match op.manager {
                        Manager::AptGet | Manager::Apt => "`name=version`",
                        Manager::Apk => "`name=version` or `name~major.minor`",
                        Manager::Zypper => "`name=version`",
                        _ => "`name-version`",
                    };
                    out.report(
                        script.file_range(Span::new(first.span.start, last.span.end)),
                        format!("`{label}` without version pins: {listed}"),
                    )
                    .help(format!("pin each package as {example}"));
                }
            }
        }
    }
}

fn is_unpinned(manager: Manager, package: &Package) -> bool {
    let Some(literal) = package.literal.as_deref() else {
        return false;
    };
    if package.is_path_or_url || package.pin != Pin::None || literal.starts_with('@') {
        return false;
    }
    match manager {
        // `pkg/bookworm-backports` picks the release; hadolint accepts it as a pin.
        Manager::AptGet | Manager::Apt => !literal.contains(['/', '=']),
        Manager::Apk => !literal.contains(['=', '~', '<', '>']),
        Manager::Dnf | Manager::Yum | Manager::Microdnf | Manager::Zypper => {
            !literal.contains(['=', '<', '>', ':'])
        }
        _ => false,
    }
}
