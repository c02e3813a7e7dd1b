//! Which instructions and flags BuildKit expands variables in.

/// How BuildKit expands an instruction's arguments (not its flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgumentExpansion {
    /// Arguments are used as written (`RUN`, `CMD`, `ENTRYPOINT`, `SHELL`, `HEALTHCHECK`,
    /// `ONBUILD`, `MAINTAINER`): a shell or the trigger's build expands them, not BuildKit.
    None,
    /// Each argument is expanded as one word with the stage's variables: the sources and
    /// destination of `ADD`/`COPY`, each `VOLUME`, the `USER`, `WORKDIR` and `STOPSIGNAL`.
    EachWord,
    /// Each argument is expanded and then split into words (`EXPOSE`).
    SplitWords,
    /// Both the key and the value of each `key=value` pair are expanded (`ENV`, `LABEL`).
    KeysAndValues,
    /// Only default values are expanded, never the names (`ARG`).
    Values,
    /// The base image is expanded with the global ARGs (those declared before the first
    /// `FROM`) and nothing else; the stage name after `AS` is not expanded (`FROM`).
    GlobalArgs,
}

/// What BuildKit expands in one instruction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InstructionExpansion {
    /// How the arguments are expanded.
    pub arguments: ArgumentExpansion,
    /// Flags (without `--`, lower case) whose values are expanded. `--from` of `COPY` is
    /// not: BuildKit refuses variables there. For `RUN --mount`, each `key=value` field's
    /// value is expanded.
    pub flags: &'static [&'static str],
    /// Whether the bodies of heredocs with an unquoted delimiter are expanded (by
    /// [`Lexer::heredoc_body`]). `RUN` heredocs are left to the shell.
    pub heredoc_bodies: bool,
}

/// What BuildKit expands in an instruction, by keyword (any case). Unknown keywords expand
/// nothing.
pub fn instruction_expansion(keyword: &str) -> InstructionExpansion {
    let (arguments, flags, heredoc_bodies): (_, &'static [&'static str], _) = match keyword
        .to_ascii_uppercase()
        .as_str()
    {
        "ADD" => (
            ArgumentExpansion::EachWord,
            &["chown", "chmod", "checksum"],
            true,
        ),
        "COPY" => (ArgumentExpansion::EachWord, &["chown", "chmod"], true),
        "ARG" => (ArgumentExpansion::Values, &[], false),
        "ENV" | "LABEL" => (ArgumentExpansion::KeysAndValues, &[], false),
        "EXPOSE" => (ArgumentExpansion::SplitWords, &[], false),
        "FROM" => (ArgumentExpansion::GlobalArgs, &["platform"], false),
        "STOPSIGNAL" | "USER" | "VOLUME" | "WORKDIR" => (ArgumentExpansion::EachWord, &[], false),
        "RUN" => (ArgumentExpansion::None, &["mount"], false),
        _ => (ArgumentExpansion::None, &[], false),
    };
    InstructionExpansion {
        arguments,
        flags,
        heredoc_bodies,
    }
}
