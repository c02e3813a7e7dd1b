//! Questions the style and hygiene rules share: keyword casing, how a value must be quoted
//! to keep its meaning in `key=value` form, which `ADD` sources `ADD` really needs, the
//! shell commands of a `RUN` by program name, and the stages that make up the image.

use std::ops::Range;

use dockopt_model::InstructionId;
use dockopt_shell::{CommandRef, NodeKind, Word};
use dockopt_syntax::{Dockerfile, InstructionKind};

use crate::context::{Context, RunScript};
use crate::helpers::reliability::stage_lineage;
use crate::helpers::security::{base_name, program_words};

/// A byte range of the file as a `usize` range.
pub fn range(r: dockopt_syntax::Range) -> Range<usize> {
    usize::from(r.start())..usize::from(r.end())
}

/// Whether a word is written all in one case (`RUN`, `run`; not `Run`).
pub fn is_self_consistent(word: &str) -> bool {
    word == word.to_ascii_lowercase() || word == word.to_ascii_uppercase()
}

/// Whether most instruction keywords of the file are lower case, counted as BuildKit does:
/// only keywords written in one case count, and a tie means upper case.
pub fn majority_lower(file: &Dockerfile) -> bool {
    let (mut lower, mut upper) = (0usize, 0usize);
    for ins in file.instructions() {
        let keyword = ins.keyword();
        if !is_self_consistent(keyword) {
            continue;
        }
        if keyword == keyword.to_ascii_lowercase() {
            lower += 1;
        } else {
            upper += 1;
        }
    }
    lower > upper
}

/// `word` in the given case.
pub fn in_case(word: &str, lower: bool) -> String {
    if lower {
        word.to_ascii_lowercase()
    } else {
        word.to_ascii_uppercase()
    }
}

/// `replacement` written in the case of `original` (`ADD` gives `COPY`, `add` gives `copy`,
/// `Add` gives `Copy`).
pub fn like_case(original: &str, replacement: &str) -> String {
    if original == original.to_ascii_lowercase() {
        replacement.to_ascii_lowercase()
    } else if original == original.to_ascii_uppercase() {
        replacement.to_ascii_uppercase()
    } else {
        let mut out = String::with_capacity(replacement.len());
        for (i, c) in replacement.chars().enumerate() {
            if i == 0 {
                out.push(c.to_ascii_uppercase());
            } else {
                out.push(c.to_ascii_lowercase());
            }
        }
        out
    }
}

/// File extensions of the archives `ADD` unpacks (a tar, alone or compressed with gzip,
/// bzip2, xz or zstd), and of compressed files that may be such a tar under another name.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tbz2",
    ".tb2",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tzst",
    ".tar.lz",
    ".tar.lzma",
    ".tlz",
    ".tar.z",
    ".taz",
    ".gz",
    ".bz2",
    ".xz",
    ".zst",
    ".lzma",
    ".lz",
    ".z",
];

/// Whether a source path names an archive `ADD` would unpack (by its extension).
pub fn is_archive(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let lower = lower.trim_end_matches(['"', '\'']);
    ARCHIVE_EXTENSIONS.iter().any(|ext| lower.ends_with(ext))
}

/// Whether an `ADD` source is remote: a URL or a Git repository.
pub fn is_remote(source: &str) -> bool {
    let s = source.trim_matches(['"', '\'']);
    let lower = s.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("git://")
        || lower.starts_with("git@")
        || lower.starts_with("ssh://")
        || lower.starts_with("github.com/")
        || lower.contains(".git#")
        || lower.ends_with(".git")
}

/// How an `ADD` source relates to `COPY`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddSource {
    /// A local file or directory that `COPY` copies the same way.
    Plain,
    /// A wildcard that may match an archive, which `ADD` would unpack.
    MaybeArchive,
    /// Something only `ADD` does: a URL, a Git repository or an archive to unpack.
    NeedsAdd,
    /// Its value is not known (a variable without a known value).
    Unknown,
}

/// Classifies an expanded `ADD` source.
pub fn classify_add_source(source: &str) -> AddSource {
    if source.contains('$') {
        return AddSource::Unknown;
    }
    if is_remote(source) || is_archive(source) {
        return AddSource::NeedsAdd;
    }
    if source.starts_with("<<") {
        // A heredoc: `COPY` writes it the same way.
        return AddSource::Plain;
    }
    let last = source
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or(source);
    if last.contains(['*', '?', '[']) {
        // `*.txt` cannot match an archive; `*`, `data-*` or `*.t?z` can.
        let tail = last.rsplit_once('.').map(|(_, ext)| ext);
        return match tail {
            Some(ext) if !ext.contains(['*', '?', '[']) && !is_archive(&format!(".{ext}")) => {
                AddSource::Plain
            }
            _ => AddSource::MaybeArchive,
        };
    }
    AddSource::Plain
}

/// A value written so that `KEY=<value>` means what the legacy `KEY <value>` meant, when
/// that can be done by adding quotes: `None` when the value needs a rewrite dockopt does not
/// attempt (quotes or escapes mixed with blanks).
///
/// In the legacy form the whole rest of the line is the value, blanks included; in the
/// `key=value` form an unquoted blank ends the value, so a value with blanks is wrapped
/// in double quotes (which keep `$` expansion, as the legacy form does).
pub fn needs_quotes(value: &str, escape: char) -> Option<bool> {
    // Blanks outside quotes (`a "b c"` has one, `"hello world"` has none).
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut unquoted_blank = false;
    for c in value.chars() {
        if escaped {
            escaped = false;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == escape => escaped = true,
            Some(_) => {}
            None if c == escape => escaped = true,
            None if c == '"' || c == '\'' => quote = Some(c),
            None if c.is_whitespace() => unquoted_blank = true,
            None => {}
        }
    }
    if quote.is_some() {
        return None;
    }
    if !unquoted_blank {
        return Some(false);
    }
    if value.contains(['"', '\'', escape]) {
        return None;
    }
    Some(true)
}

/// Escapes text for a double-quoted Dockerfile value that must stay literal.
pub fn double_quoted_literal(text: &str, escape: char) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        if c == '"' || c == '$' || c == escape {
            out.push(escape);
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// The line ending the file uses (`\r\n` when its first line ends so).
pub fn line_ending(source: &str) -> &'static str {
    match source.find('\n') {
        Some(i) if i > 0 && source.as_bytes().get(i - 1) == Some(&b'\r') => "\r\n",
        _ => "\n",
    }
}

/// A shell command of a `RUN` whose program (behind wrappers such as `sudo` or `env`) is
/// one of `names`, with its program word.
pub struct NamedCommand<'s> {
    pub id: InstructionId,
    pub script: &'s RunScript,
    pub command: CommandRef<'s>,
    /// The word naming the program.
    pub program: &'s Word,
    /// The program's name without its directory.
    pub name: &'s str,
}

/// Every shell command of the file's `RUN`s that runs one of `names`.
pub fn commands_named<'c>(ctx: &'c Context<'_>, names: &[&str]) -> Vec<NamedCommand<'c>> {
    let mut out = Vec::new();
    for (id, script) in ctx.all_scripts() {
        for command in script.script.commands() {
            let cmd = command.command();
            let Some(word) = program_words(cmd).into_iter().last() else {
                continue;
            };
            let Some(name) = word.literal().map(base_name) else {
                continue;
            };
            if names.contains(&name) {
                out.push(NamedCommand {
                    id,
                    script,
                    command,
                    program: word,
                    name,
                });
            }
        }
    }
    out
}

/// The words after the program word of a command (its arguments, wrappers skipped).
pub fn args_after<'s>(command: &CommandRef<'s>, program: &Word) -> Vec<&'s Word> {
    command
        .command()
        .words()
        .skip_while(|w| w.span != program.span)
        .skip(1)
        .collect()
}

/// Whether a command runs only in some paths of its script: inside an `if`/`case`, a
/// loop, a `||` fallback, or a function body.
pub fn is_conditional(command: &CommandRef<'_>) -> bool {
    let script = command.script();
    command.in_condition()
        || command.in_function()
        || !command.enclosing_loops().is_empty()
        || command.in_or_fallback()
        || script
            .ancestors(command.id())
            .any(|a| matches!(script.kind(a), NodeKind::If { .. } | NodeKind::Case { .. }))
}

/// The stages whose instructions end up in the image the file builds: the final stage and
/// the stages it is built on (`FROM <stage>`).
pub fn image_stages(ctx: &Context<'_>) -> Vec<usize> {
    ctx.model
        .final_stage()
        .map(|s| stage_lineage(ctx, s.index))
        .unwrap_or_default()
}

/// The instructions of the given kind in the given stages.
pub fn instructions_in_stages(
    ctx: &Context<'_>,
    stages: &[usize],
    kind: InstructionKind,
) -> Vec<InstructionId> {
    ctx.instructions_of(kind)
        .filter(|(id, _)| ctx.stage_of(*id).is_some_and(|s| stages.contains(&s.index)))
        .map(|(id, _)| id)
        .collect()
}

/// Whether the file builds a Windows image: the backtick escape, or a Windows base image.
pub fn is_windows(ctx: &Context<'_>) -> bool {
    if ctx.file().escape() == '`' {
        return true;
    }
    ctx.model.stages().iter().any(|s| {
        let base = s
            .base_name
            .as_deref()
            .unwrap_or(&s.base_text)
            .to_ascii_lowercase();
        base.contains("windows") || base.contains("nanoserver") || base.contains("servercore")
    })
}

/// Whether a command before `before` in `id` (or an earlier step of the stage's chain) writes
/// a package-manager configuration file under one of `config_paths` that turns `key` on
/// (`echo 'APT::Get::Assume-Yes "true";' > /etc/apt/apt.conf.d/90yes`,
/// `echo assumeyes=1 >> /etc/dnf/dnf.conf`).
pub fn config_turns_on(
    ctx: &Context<'_>,
    id: InstructionId,
    before: usize,
    config_paths: &[&str],
    key: &str,
) -> bool {
    let key = key.to_ascii_lowercase();
    let says_on = |text: &str| {
        let lower = text.to_ascii_lowercase();
        lower.split(&key).skip(1).any(|rest| {
            let value =
                rest.trim_start_matches(|c: char| c.is_whitespace() || c == '=' || c == '"');
            ["true", "1", "yes"].iter().any(|v| value.starts_with(v))
        })
    };
    let mut ids = crate::helpers::size::layers_below(ctx, id);
    ids.push(id);
    ids.into_iter().any(|other| {
        ctx.scripts(other).iter().any(|script| {
            script.script.commands().any(|cmd| {
                if other == id && cmd.span().start >= before {
                    return false;
                }
                let command = cmd.command();
                let is_config = |t: &str| config_paths.iter().any(|p| t.starts_with(p));
                let writes_config = command.redirects.iter().any(|r| {
                    r.target
                        .as_ref()
                        .and_then(|t| t.literal())
                        .is_some_and(is_config)
                }) || (command.program() == Some("tee")
                    && command
                        .args
                        .iter()
                        .any(|a| a.literal().is_some_and(is_config)));
                writes_config
                    && (command.args.iter().filter_map(|a| a.literal()).any(says_on)
                        || command
                            .redirects
                            .iter()
                            .filter_map(|r| r.here_doc.as_ref())
                            .any(|h| says_on(&h.body)))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn casing() {
        assert!(is_self_consistent("RUN"));
        assert!(is_self_consistent("run"));
        assert!(!is_self_consistent("Run"));
        assert_eq!(like_case("ADD", "copy"), "COPY");
        assert_eq!(like_case("add", "COPY"), "copy");
        assert_eq!(like_case("Add", "COPY"), "Copy");
    }

    #[test]
    fn add_sources() {
        assert_eq!(classify_add_source("requirements.txt"), AddSource::Plain);
        assert_eq!(classify_add_source("."), AddSource::Plain);
        assert_eq!(classify_add_source("src/"), AddSource::Plain);
        assert_eq!(classify_add_source("rootfs.tar.xz"), AddSource::NeedsAdd);
        assert_eq!(classify_add_source("app.TGZ"), AddSource::NeedsAdd);
        assert_eq!(classify_add_source("https://x/y.txt"), AddSource::NeedsAdd);
        assert_eq!(
            classify_add_source("git@github.com:moby/buildkit.git#v0.10.1"),
            AddSource::NeedsAdd
        );
        assert_eq!(classify_add_source("*.txt"), AddSource::Plain);
        assert_eq!(classify_add_source("conf/*"), AddSource::MaybeArchive);
        assert_eq!(classify_add_source("*.gz"), AddSource::NeedsAdd);
        assert_eq!(classify_add_source("$FILE"), AddSource::Unknown);
    }

    #[test]
    fn quoting() {
        assert_eq!(needs_quotes("/usr/bin:$PATH", '\\'), Some(false));
        assert_eq!(needs_quotes("a b", '\\'), Some(true));
        assert_eq!(needs_quotes("\"a b\"", '\\'), Some(false));
        assert_eq!(needs_quotes("a \"b c\" d", '\\'), None);
        assert_eq!(needs_quotes("a\\ b", '\\'), Some(false));
        assert_eq!(
            double_quoted_literal("A \"B\" $x", '\\'),
            "\"A \\\"B\\\" \\$x\""
        );
    }
}
