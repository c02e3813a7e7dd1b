use dockopt_shell::Command;

use crate::helpers::security::program_words;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports package installs that skip the package manager's signature check:
    /// `apk add --allow-untrusted`, `apt-get --allow-unauthenticated`, `--force-yes`,
    /// `--allow-insecure-repositories`, `-o APT::Get::AllowUnauthenticated=true`,
    /// dnf/yum/microdnf `--nogpgcheck` or `--setopt=gpgcheck=0`, zypper `--no-gpg-checks`,
    /// `rpm --nosignature`/`--nodigest`, and the same switches written into configuration
    /// (`deb [trusted=yes] ...`, `gpgcheck=0` in a `.repo` file, `APT::Get::AllowUnauthenticated
    /// "true"`).
    ///
    /// ## Why it matters
    /// Package signatures are what stops a compromised mirror, proxy or DNS answer from
    /// handing the build a tampered package. With the check off, whatever the network
    /// returns is installed as root into the image, and every container started from it
    /// runs it.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY vendor.apk /tmp/
    /// RUN apk add --no-cache --allow-untrusted /tmp/vendor.apk
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM alpine:3.20
    /// COPY vendor.rsa.pub /etc/apk/keys/
    /// COPY vendor.apk /tmp/
    /// RUN apk add --no-cache /tmp/vendor.apk
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the repository's signing key has to be installed instead.
    pub struct SignatureVerificationDisabled {
        name: "signature-verification-disabled",
        group: Security,
        level: Error,
        aliases: ["CKV2_DOCKER_7", "CKV2_DOCKER_8", "CKV2_DOCKER_9", "CKV2_DOCKER_10", "CKV2_DOCKER_11"],
        fix: None,
        summary: "A package install skips the signature check",
    }
}

const HELP: &str =
    "install the repository's signing key (or verify the package file) instead of turning the check off";

impl Check for SignatureVerificationDisabled {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, script) in ctx.all_scripts() {
            for op in &script.operations {
                // `apk index --allow-untrusted` builds an index of local packages (which is
                // then signed); it installs nothing.
                if op.manager == Manager::Apk && op.subcommand.first().is_some_and(|s| s == "index")
                {
                    continue;
                }
                for flag in &op.flags {
                    if !matches!(
                        flag.meaning,
                        Some(Meaning::AllowUntrusted | Meaning::NoGpgCheck)
                    ) {
                        continue;
                    }
                    // `-o APT::Get::AllowUnauthenticated=false` turns the check back on.
                    if flag.value.as_deref().is_some_and(is_false_setting) {
                        continue;
                    }
                    let tool = crate::helpers::size::program_name(op.manager);
                    let written = flag.span.text(script.script.source());
                    out.report(
                        script.file_range(flag.span),
                        format!("`{tool} {written}` installs packages without checking their signatures"),
                    )
                    .help(HELP);
                }
            }
            for command in script.script.commands() {
                let cmd = command.command();
                if let Some((word, what)) = rpm_without_signature(cmd) {
                    out.report(
                        script.file_range(word.span),
                        format!("`rpm {what}` installs packages without checking their signatures"),
                    )
                    .help(HELP);
                }
                // Flags (and their values) were handled above; these are values written
                // into configuration.
                let flag_spans: Vec<_> = script
                    .operations
                    .iter()
                    .filter(|op| op.node == command.id())
                    .flat_map(|op| op.flags.iter().map(|f| f.span))
                    .collect();
                for word in cmd.args.iter() {
                    if flag_spans.iter().any(|s| s.contains(word.span)) {
                        continue;
                    }
                    let text = word.literal().filter(|l| !l.starts_with('-'));
                    if let Some(setting) = text.and_then(disabling_setting) {
                        out.report(
                            script.file_range(word.span),
                            format!("`{setting}` turns off the package signature check for a repository"),
                        )
                        .help(HELP);
                    }
                }
            }
        }
    }
}

fn is_false_setting(value: &str) -> bool {
    let setting = value
        .rsplit('=')
        .next()
        .unwrap_or(value)
        .trim()
        .trim_matches('"');
    value.contains('=')
        && matches!(
            setting.to_ascii_lowercase().as_str(),
            "false" | "0" | "no" | "off"
        )
        && !value.to_ascii_lowercase().contains("gpgcheck")
}

/// `rpm -i --nosignature`: the flag word and what it says.
fn rpm_without_signature(cmd: &Command) -> Option<(&dockopt_shell::Word, &str)> {
    let program = program_words(cmd).last().and_then(|w| w.literal())?;
    if program.rsplit('/').next() != Some("rpm") {
        return None;
    }
    cmd.args.iter().find_map(|w| {
        let lit = w.literal()?;
        matches!(lit, "--nosignature" | "--nodigest" | "--nosig").then_some((w, lit))
    })
}

/// A configuration line that turns signature checks off: `deb [trusted=yes] ...`,
/// `gpgcheck=0`, `APT::Get::AllowUnauthenticated "true";`.
fn disabling_setting(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    let compact: String = lower.chars().filter(|c| !c.is_whitespace()).collect();
    let trusted_source = lower.contains('[') && compact.contains("trusted=yes");
    let repo_file = ["gpgcheck=0", "gpgcheck=false", "gpgcheck=no"]
        .iter()
        .any(|s| compact.contains(s));
    let apt_conf = (compact.contains("apt::get::allowunauthenticated")
        || compact.contains("acquire::allowinsecurerepositories"))
        && (compact.contains("\"true\"") || compact.contains("=true") || compact.contains("\"1\""));
    (trusted_source || repo_file || apt_conf).then_some(text.trim())
}

#[cfg(test)]
mod tests {
    use super::disabling_setting;

    #[test]
    fn configuration_lines() {
        assert!(disabling_setting("deb [trusted=yes] http://repo/ ./").is_some());
        assert!(disabling_setting("deb [arch=amd64 trusted=yes] http://r/ x main").is_some());
        assert!(disabling_setting("gpgcheck=0").is_some());
        assert!(disabling_setting("s/gpgcheck=1/gpgcheck=0/").is_some());
        assert!(disabling_setting("APT::Get::AllowUnauthenticated \"true\";").is_some());
        assert!(disabling_setting("gpgcheck=1").is_none());
        assert!(disabling_setting("deb [signed-by=/k.gpg] http://r/ x main").is_none());
        assert!(disabling_setting("trusted=yes").is_none());
    }
}
