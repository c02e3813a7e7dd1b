use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports an `ARG` or `ENV` whose name says it holds a secret, or whose value looks
    /// like one.
    ///
    /// Names are read as BuildKit's `SecretsUsedInArgOrEnv` reads them: split at `_` (and
    /// here also `-` and `.`), a name is secret-looking when one of its words is `apikey`,
    /// `auth`, `credential(s)`, `key`, `password`, `passwd`, `pword`, `passphrase`, `secret`
    /// or `token`, and none is an allowed word. BuildKit allows `public`, `file` and
    /// `version`; dockopt also allows words that name where or what a secret is rather than
    /// the secret itself (`path`, `dir`, `url`, `uri`, `endpoint`, `host`, `server`, `port`,
    /// `name`, `type`, `mode`, `method`, `enabled`, `disabled`, `required`, `length`,
    /// `size`, `algorithm`, `format`, `header`, `fingerprint`, `pub`), so `API_KEY_FILE`,
    /// `AUTH_URL` and `SSH_KEY_PATH` are not reported. A name with `gpg`, `pgp` or `gnupg`
    /// whose value is a list of key ids or fingerprints (`ENV GPG_KEY 7169605F...` in the
    /// official images) names public keys, and a value that is an absolute path, a
    /// boolean or a number is not a secret either.
    ///
    /// Values are reported whatever the name when they have the shape of a credential: a
    /// private key block, an AWS access key id, GitHub (`ghp_`, `github_pat_`...), GitLab
    /// (`glpat-`), Slack (`xox?-`), Stripe live, Google API, npm, OpenAI/Anthropic project
    /// keys, or a URL with a password (`postgres://user:pass@db/...`) for a host other than
    /// `localhost` or an example domain.
    ///
    /// ## Why it matters
    /// `ENV` values are stored in the image configuration, and `ARG` values in the history
    /// of every layer whose `RUN` sees them (and in build provenance): anyone who can pull
    /// the image can read them with `docker history` or `docker inspect`, long after the
    /// build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM node:22-slim
    /// ARG NPM_TOKEN
    /// RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM node:22-slim
    /// RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \
    ///     echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the build command has to pass the secret (`docker build --secret
    /// id=npm_token,env=NPM_TOKEN`).
    pub struct SecretInArgOrEnv {
        name: "secret-in-arg-or-env",
        group: Security,
        level: Error,
        aliases: ["SecretsUsedInArgOrEnv", "DL3064", "DS-0031"],
        fix: None,
        summary: "A secret in an `ARG` or `ENV`",
    }
}

const HELP: &str =
    "pass secrets with `RUN --mount=type=secret,id=...` (`docker build --secret`), not ARG or ENV";

impl Check for SecretInArgOrEnv {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, instruction) in ctx.instructions() {
            let kind = instruction.kind();
            if !matches!(kind, InstructionKind::Env | InstructionKind::Arg) {
                continue;
            }
            let state = ctx.model.state_after_id(id);
            for pair in instruction.pairs() {
                let name = pair.key.value.as_str();
                // The value as the build sees it; for a global ARG there is no stage state.
                let value: Option<String> = state
                    .and_then(|s| s.vars.get(name).map(str::to_string))
                    .or_else(|| {
                        pair.value
                            .as_ref()
                            .map(|v| v.value.trim_matches(['"', '\'']).to_string())
                    });
                let stored = match kind {
                    InstructionKind::Env => "ENV values are stored in the image configuration",
                    _ => "build arguments are recorded in the image history",
                };
                if let Some(what) = secret_value(value.as_deref().unwrap_or("")) {
                    let at = pair.value.as_ref().map_or(pair.range, |v| v.range);
                    let range = usize::from(at.start())..usize::from(at.end());
                    out.report(
                        range,
                        format!("{} `{name}` holds {what}: {stored}", kind.as_str()),
                    )
                    .help(HELP);
                    continue;
                }
                let has_value = pair.value.is_some();
                if secret_name(name) && !harmless_value(name, value.as_deref(), has_value) {
                    let range =
                        usize::from(pair.key.range.start())..usize::from(pair.key.range.end());
                    out.report(
                        range,
                        format!("{} `{name}` looks like a secret: {stored}", kind.as_str()),
                    )
                    .help(HELP);
                }
            }
        }
    }
}

/// Words that make a variable name secret-looking (BuildKit's list, plus `passphrase`).
const SECRET_WORDS: &[&str] = &[
    "apikey",
    "auth",
    "credential",
    "credentials",
    "key",
    "password",
    "pword",
    "passwd",
    "passphrase",
    "secret",
    "token",
];

/// Words that make a secret-looking name harmless: BuildKit's `public`, `file`, `version`,
/// and words that name where or what a secret is.
const ALLOWED_WORDS: &[&str] = &[
    "public",
    "pub",
    "file",
    "version",
    "path",
    "dir",
    "url",
    "uri",
    "endpoint",
    "host",
    "server",
    "port",
    "name",
    "type",
    "mode",
    "method",
    "enabled",
    "disabled",
    "required",
    "length",
    "size",
    "algorithm",
    "format",
    "header",
    "fingerprint",
];

/// Whether a variable name says it holds a secret.
fn secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(['_', '-', '.']).collect();
    words.iter().any(|w| SECRET_WORDS.contains(w))
        && !words.iter().any(|w| ALLOWED_WORDS.contains(w))
}

/// Whether a secret-looking name's value shows it is not a secret.
fn harmless_value(name: &str, value: Option<&str>, written: bool) -> bool {
    let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return false;
    };
    if !written {
        return false;
    }
    let lower = name.to_ascii_lowercase();
    let names_public_keys = lower
        .split(['_', '-', '.'])
        .any(|w| matches!(w, "gpg" | "pgp" | "gnupg"));
    if names_public_keys && value.split_whitespace().all(is_key_id) {
        return true;
    }
    let boolean = matches!(
        value.to_ascii_lowercase().as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off"
    );
    let number = value.chars().all(|c| c.is_ascii_digit());
    let path = value.starts_with('/') && !value.contains(char::is_whitespace);
    boolean || number || path
}

/// A GPG key id or fingerprint: 8, 16 or 40 hex digits, optionally `0x`-prefixed.
fn is_key_id(word: &str) -> bool {
    let hex = word.strip_prefix("0x").unwrap_or(word);
    matches!(hex.len(), 8 | 16 | 40) && hex.chars().all(|c| c.is_ascii_hexdigit())
}

/// What kind of credential a value is, when it has the shape of one.
fn secret_value(value: &str) -> Option<&'static str> {
    if value.contains("-----BEGIN") && value.contains("PRIVATE KEY") {
        return Some("a private key");
    }
    for word in
        value.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | ';' | '='))
    {
        if let Some(what) = token_kind(word) {
            return Some(what);
        }
        if url_with_password(word) {
            return Some("a URL with a password");
        }
    }
    None
}

fn alnum_run(s: &str, min: usize) -> bool {
    s.len() >= min
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The provider of a token-shaped word.
fn token_kind(word: &str) -> Option<&'static str> {
    let upper_alnum = |s: &str| {
        s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    };
    if word.len() == 20
        && (word.starts_with("AKIA") || word.starts_with("ASIA"))
        && upper_alnum(word)
    {
        return Some("an AWS access key id");
    }
    let prefixed: &[(&str, usize, &str)] = &[
        ("ghp_", 36, "a GitHub token"),
        ("gho_", 36, "a GitHub token"),
        ("ghu_", 36, "a GitHub token"),
        ("ghs_", 36, "a GitHub token"),
        ("ghr_", 36, "a GitHub token"),
        ("github_pat_", 40, "a GitHub token"),
        ("glpat-", 20, "a GitLab token"),
        ("xoxb-", 20, "a Slack token"),
        ("xoxp-", 20, "a Slack token"),
        ("xoxa-", 20, "a Slack token"),
        ("xoxr-", 20, "a Slack token"),
        ("xoxs-", 20, "a Slack token"),
        ("sk_live_", 20, "a Stripe live key"),
        ("rk_live_", 20, "a Stripe live key"),
        ("AIza", 35, "a Google API key"),
        ("npm_", 36, "an npm token"),
        ("sk-proj-", 20, "an OpenAI key"),
        ("sk-ant-", 20, "an Anthropic key"),
        ("hf_", 30, "a Hugging Face token"),
    ];
    prefixed.iter().find_map(|(prefix, min, what)| {
        word.strip_prefix(prefix)
            .filter(|rest| alnum_run(rest, *min))
            .map(|_| *what)
    })
}

/// `scheme://user:password@host...` with a literal password, for a real host.
fn url_with_password(word: &str) -> bool {
    let Some((_, rest)) = word.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return false;
    };
    let Some((_, password)) = userinfo.split_once(':') else {
        return false;
    };
    let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
    let local = matches!(
        host.as_str(),
        "localhost" | "127.0.0.1" | "[::1]" | "0.0.0.0"
    ) || host.ends_with(".localhost")
        || host.ends_with(".example")
        || host.ends_with(".invalid")
        || host.ends_with(".test")
        || ["example.com", "example.org", "example.net"]
            .iter()
            .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    !password.is_empty() && !password.contains('$') && !local
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_buildkit_reads_them() {
        for name in [
            "API_KEY",
            "apikey",
            "DATABASE_PASSWORD",
            "GITHUB_TOKEN",
            "secret_MESSAGE",
            "AUTH",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_ACCESS_KEY_ID",
            "NPM_TOKEN",
            "GPG_KEY",
        ] {
            assert!(secret_name(name), "{name}");
        }
        for name in [
            "MONKEY",
            "KEYSERVER",
            "PUBLIC_KEY",
            "API_KEY_FILE",
            "PASSWORD_FILE",
            "TOKEN_VERSION",
            "AUTH_URL",
            "SSH_KEY_PATH",
            "TOKENIZERS_PARALLELISM",
            "PATH",
        ] {
            assert!(!secret_name(name), "{name}");
        }
    }

    #[test]
    fn harmless_values() {
        assert!(harmless_value(
            "GPG_KEY",
            Some("7169605F62C751356D054A26A821E680E5FA6305"),
            true
        ));
        assert!(harmless_value(
            "GPG_KEYS",
            Some("A1B2C3D4 0x1234567890ABCDEF"),
            true
        ));
        assert!(!harmless_value(
            "API_KEY",
            Some("7169605F62C751356D054A26A821E680E5FA6305"),
            true
        ));
        assert!(harmless_value(
            "SSL_KEY",
            Some("/etc/ssl/private/key.pem"),
            true
        ));
        assert!(harmless_value("AUTH", Some("false"), true));
        assert!(!harmless_value("TOKEN", None, false));
        assert!(!harmless_value("TOKEN", Some(""), true));
    }

    #[test]
    fn values() {
        assert_eq!(
            secret_value("AKIAIOSFODNN7EXAMPLE"),
            Some("an AWS access key id")
        );
        assert!(secret_value("ghp_0123456789abcdefghijklmnopqrstuvwxyz").is_some());
        assert!(secret_value("postgres://app:s3cr3t@db.internal:5432/app").is_some());
        assert!(secret_value("postgresql://user:pass@localhost:5432/dummy").is_none());
        assert!(secret_value("postgres://app:${DB_PASSWORD}@db/app").is_none());
        assert!(secret_value("https://user@example.org/").is_none());
        assert!(secret_value("-----BEGIN OPENSSH PRIVATE KEY-----\nabc").is_some());
        assert!(secret_value("ghp_short").is_none());
        assert!(secret_value("1.2.3").is_none());
    }
}
