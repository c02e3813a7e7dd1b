use dockopt_shell::{Command, Word};

use crate::helpers::security::program_words;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports switches that turn TLS certificate checks off for downloads made during the
    /// build or by the image: `curl -k`/`--insecure`, `wget --no-check-certificate`,
    /// `pip --trusted-host` (and `PIP_TRUSTED_HOST`, `pip config set global.trusted-host`),
    /// `uv --allow-insecure-host` (`UV_INSECURE_HOST`), `npm`/`yarn`/`pnpm config set
    /// strict-ssl false` (`npm_config_strict_ssl=false`, `--strict-ssl=false`),
    /// `NODE_TLS_REJECT_UNAUTHORIZED=0`, `GIT_SSL_NO_VERIFY`, `git config http.sslVerify
    /// false`, `PYTHONHTTPSVERIFY=0`, `GOINSECURE`, and `sslverify=0` for dnf/yum, whether
    /// set with `ENV`/`ARG`, on a command line, or written into a configuration file.
    ///
    /// ## Why it matters
    /// Without certificate checks anyone on the network path (a proxy, a hostile Wi-Fi, a
    /// poisoned DNS answer) can serve the build a different file or package, and it is
    /// installed as if it were genuine. Set with `ENV`, the switch also stays on in every
    /// container started from the image.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ENV NODE_TLS_REJECT_UNAUTHORIZED=0
    /// RUN pip install --trusted-host pypi.org -r requirements.txt
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// COPY corp-ca.crt /usr/local/share/ca-certificates/
    /// RUN update-ca-certificates && pip install -r requirements.txt
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: a certificate that does not verify usually needs a CA certificate
    /// added to the image, which only the author can supply.
    pub struct TlsVerificationDisabled {
        name: "tls-verification-disabled",
        group: Security,
        level: Error,
        aliases: [
            "CKV2_DOCKER_2", "CKV2_DOCKER_3", "CKV2_DOCKER_4", "CKV2_DOCKER_5", "CKV2_DOCKER_6",
            "CKV2_DOCKER_12", "CKV2_DOCKER_13", "CKV2_DOCKER_14", "CKV2_DOCKER_15", "CKV2_DOCKER_16",
        ],
        fix: None,
        summary: "TLS certificate verification is turned off",
    }
}

const HELP: &str =
    "keep certificate checks on; add the missing CA certificate to the image (update-ca-certificates) instead";

impl Check for TlsVerificationDisabled {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        check_variables(ctx, out);
        for (_, script) in ctx.all_scripts() {
            for op in &script.operations {
                for flag in &op.flags {
                    let what = match flag.meaning {
                        Some(Meaning::Insecure) => "skips the server certificate check",
                        Some(Meaning::TrustedHost) => {
                            "trusts a host without checking its certificate"
                        }
                        _ => continue,
                    };
                    let tool = tool_name(op.manager);
                    out.report(
                        script.file_range(flag.span),
                        format!("`{tool} {}` {what}", flag.name),
                    )
                    .help(HELP);
                }
            }
            for command in script.script.commands() {
                let cmd = command.command();
                for assignment in &cmd.assignments {
                    if let Some(what) =
                        insecure_variable(&assignment.name, assignment.value.literal())
                    {
                        out.report(
                            script.file_range(assignment.span),
                            format!("`{}` {what}", assignment.span.text(script.script.source())),
                        )
                        .help(HELP);
                    }
                }
                if let Some((word, what)) = insecure_command(cmd) {
                    out.report(script.file_range(word.span), what).help(HELP);
                }
            }
        }
    }
}

/// `ENV`/`ARG` that switch certificate checks off.
fn check_variables(ctx: &Context<'_>, out: &mut Findings) {
    for (id, instruction) in ctx.instructions() {
        let kind = instruction.kind();
        if !matches!(kind, InstructionKind::Env | InstructionKind::Arg) {
            continue;
        }
        let after = ctx.model.state_after_id(id);
        for pair in instruction.pairs() {
            // An ARG without a default sets nothing unless the build passes it.
            if kind == InstructionKind::Arg && pair.value.is_none() {
                continue;
            }
            let name = pair.key.value.as_str();
            let value = after.and_then(|s| s.vars.get(name));
            if let Some(what) = insecure_variable(name, value) {
                let range = usize::from(pair.range.start())..usize::from(pair.range.end());
                out.report(range, format!("{} `{name}` {what}", kind.as_str()))
                    .help(HELP);
            }
        }
    }
}

/// What setting `name` to `value` does, when it turns certificate checks off.
fn insecure_variable(name: &str, value: Option<&str>) -> Option<&'static str> {
    let value = value.map(|v| v.trim().trim_matches(['"', '\'']));
    let non_empty = value.is_some_and(|v| !v.is_empty());
    let is =
        |wanted: &[&str]| value.is_some_and(|v| wanted.iter().any(|w| v.eq_ignore_ascii_case(w)));
    let upper = name.to_ascii_uppercase();
    Some(match upper.as_str() {
        "PIP_TRUSTED_HOST" if non_empty => {
            "makes pip trust these hosts without checking certificates"
        }
        "UV_INSECURE_HOST" if non_empty => {
            "makes uv trust these hosts without checking certificates"
        }
        "NODE_TLS_REJECT_UNAUTHORIZED" if is(&["0"]) => "makes Node.js accept any TLS certificate",
        "GIT_SSL_NO_VERIFY" if value.is_some() => {
            "makes git skip certificate checks (any value does)"
        }
        "PYTHONHTTPSVERIFY" if is(&["0"]) => "makes Python's urllib skip certificate checks",
        "NPM_CONFIG_STRICT_SSL" | "YARN_STRICT_SSL" if is(&["false", "0", "no"]) => {
            "makes the package manager accept any TLS certificate"
        }
        "GOINSECURE" if non_empty => "makes go fetch these modules without certificate checks",
        _ => return None,
    })
}

fn tool_name(manager: Manager) -> &'static str {
    match manager {
        Manager::Curl => "curl",
        Manager::Wget => "wget",
        Manager::Pip => "pip",
        Manager::Uv => "uv",
        Manager::Go => "go",
        Manager::Npm => "npm",
        Manager::Poetry => "poetry",
        _ => "the tool",
    }
}

/// Commands that switch certificate checks off by configuration or by a flag the package
/// model does not know: `npm config set strict-ssl false`, `git config http.sslVerify
/// false`, `git -c http.sslVerify=false`, `pip config set global.trusted-host`,
/// `--strict-ssl=false`, `export GIT_SSL_NO_VERIFY=1`, `sslverify=0`.
fn insecure_command(cmd: &Command) -> Option<(&Word, String)> {
    let program_word = *program_words(cmd).last()?;
    let program = program_word.literal()?.rsplit('/').next()?;
    let args: Vec<&Word> = cmd
        .args
        .iter()
        .filter(|w| w.span.start >= program_word.span.end)
        .collect();
    let lit = |i: usize| args.get(i).and_then(|w| w.literal()).unwrap_or("");
    // `npm config set strict-ssl false`, `npm set strict-ssl=false`.
    if matches!(program, "npm" | "yarn" | "pnpm") {
        let start = match (lit(0), lit(1)) {
            ("config", "set") => 2,
            ("set", _) => 1,
            _ => usize::MAX,
        };
        if start != usize::MAX {
            let key = lit(start);
            let (key, value) = match key.split_once('=') {
                Some((k, v)) => (k, v),
                None => (key, lit(start + 1)),
            };
            let key = key.trim_start_matches("--");
            if (key.eq_ignore_ascii_case("strict-ssl")
                || key.eq_ignore_ascii_case("enableStrictSsl"))
                && matches!(value, "false" | "0")
            {
                let word = args.get(start).copied().unwrap_or(program_word);
                return Some((word, format!("`{program} config set {key} false` makes {program} accept any TLS certificate")));
            }
        }
        for w in &args {
            if matches!(w.literal(), Some("--strict-ssl=false" | "--no-strict-ssl")) {
                return Some((
                    w,
                    format!(
                        "`{program} {}` accepts any TLS certificate",
                        w.literal().unwrap_or("")
                    ),
                ));
            }
        }
    }
    if program == "git" {
        for (i, w) in args.iter().enumerate() {
            let text = w.literal().unwrap_or("");
            let (key, value, written) = match text.split_once('=') {
                Some((k, v)) => (k, v, text.to_string()),
                None => (text, lit(i + 1), format!("{text} {}", lit(i + 1))),
            };
            let key = key.to_ascii_lowercase();
            let is_ssl_verify = key.starts_with("http.") && key.ends_with(".sslverify");
            if is_ssl_verify
                && matches!(
                    value.to_ascii_lowercase().as_str(),
                    "false" | "0" | "no" | "off"
                )
            {
                return Some((w, format!("`{written}` makes git skip certificate checks")));
            }
        }
    }
    if matches!(program, "pip" | "pip3") && lit(0) == "config" && lit(1) == "set" {
        let key = lit(2).to_ascii_lowercase();
        if key.ends_with(".trusted-host") {
            let word = args.get(2).copied().unwrap_or(program_word);
            return Some((
                word,
                format!(
                    "`pip config set {}` makes pip trust hosts without checking certificates",
                    lit(2)
                ),
            ));
        }
    }
    if matches!(program, "export" | "declare" | "typeset" | "readonly") {
        for w in &args {
            let Some((name, value)) = w.literal().and_then(|t| t.split_once('=')) else {
                continue;
            };
            if let Some(what) = insecure_variable(name, Some(value)) {
                return Some((w, format!("`{}` {what}", w.literal().unwrap_or(""))));
            }
        }
    }
    // `sslverify=0` given to dnf/yum or written into a repository file; `check_certificate =
    // off` written into a wgetrc.
    for w in &args {
        let Some(text) = w.literal() else { continue };
        let compact: String = text
            .to_ascii_lowercase()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let sslverify_off = ["sslverify=0", "sslverify=false", "sslverify=no"]
            .iter()
            .any(|s| compact.contains(s));
        if sslverify_off {
            return Some((
                w,
                format!(
                    "`{}` makes dnf/yum skip repository certificate checks",
                    text.trim()
                ),
            ));
        }
        if compact.contains("check_certificate=off") {
            return Some((
                w,
                format!("`{}` makes wget skip certificate checks", text.trim()),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::insecure_variable;

    #[test]
    fn variables() {
        assert!(insecure_variable("NODE_TLS_REJECT_UNAUTHORIZED", Some("0")).is_some());
        assert!(insecure_variable("NODE_TLS_REJECT_UNAUTHORIZED", Some("1")).is_none());
        assert!(insecure_variable("PIP_TRUSTED_HOST", Some("pypi.org")).is_some());
        assert!(insecure_variable("PIP_TRUSTED_HOST", Some("")).is_none());
        assert!(insecure_variable("GIT_SSL_NO_VERIFY", Some("")).is_some());
        assert!(insecure_variable("PYTHONHTTPSVERIFY", Some("1")).is_none());
        assert!(insecure_variable("npm_config_strict_ssl", Some("false")).is_some());
        assert!(insecure_variable("PATH", Some("/bin")).is_none());
    }
}
