//! Security questions several rules ask of the shell model: what a command really runs
//! (through `sudo`, `env`...), where a `curl`/`wget` download goes, which later command
//! runs, installs or unpacks it, and whether a checksum or signature check is made.

use dockopt_model::InstructionId;
use dockopt_shell::pkg::{Manager, Meaning, Operation, PkgOp};
use dockopt_shell::{Command, CommandRef, NodeId, NodeKind, Script, Span, Word, WordPart};
use dockopt_syntax::InstructionKind;

use crate::context::{Context, RunScript};

/// Wrappers that run the command that follows them, with the options among theirs that take
/// a value in the next word.
fn wrapper_value_options(program: &str) -> Option<&'static [&'static str]> {
    Some(match program {
        "sudo" => &["-u", "-g", "-U", "-C", "-h", "-p", "-r", "-t", "-D"],
        "doas" => &["-u", "-C"],
        "env" => &["-u", "-C", "-S"],
        "nice" => &["-n"],
        "exec" => &["-a"],
        "command" | "nohup" | "time" | "builtin" => &[],
        _ => return None,
    })
}

/// The last path segment of a program name (`/usr/bin/sudo` gives `sudo`).
pub fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// The words of a command after the wrappers that run another command (`sudo -E bash`
/// gives `bash`; `env A=1 sh -s` gives `sh -s`).
pub fn unwrapped_words(cmd: &Command) -> Vec<&Word> {
    unwrap(cmd).1
}

/// The command names along the wrapper chain: each wrapper's name and then the program
/// (`sudo -u app env X=1 make` gives `sudo`, `env`, `make`).
pub fn program_words(cmd: &Command) -> Vec<&Word> {
    let (mut names, rest) = unwrap(cmd);
    names.extend(rest.first().copied());
    names
}

/// The wrapper names, and the words from the wrapped program on.
fn unwrap(cmd: &Command) -> (Vec<&Word>, Vec<&Word>) {
    let mut wrappers = Vec::new();
    let mut words: Vec<&Word> = cmd.words().collect();
    loop {
        let Some(first) = words.first().copied() else {
            return (wrappers, words);
        };
        let Some(program) = first.literal().map(base_name) else {
            return (wrappers, words);
        };
        let Some(with_value) = wrapper_value_options(program) else {
            return (wrappers, words);
        };
        wrappers.push(first);
        let mut i = 1;
        while let Some(word) = words.get(i) {
            let Some(lit) = word.literal() else { break };
            if with_value.contains(&lit) {
                i += 2;
            } else if lit.starts_with('-') || (program == "env" && lit.contains('=')) {
                i += 1;
            } else {
                break;
            }
        }
        words = words.split_off(i.min(words.len()));
    }
}

/// The program a command runs once wrappers are unwrapped, without its directory.
pub fn program(cmd: &Command) -> Option<&str> {
    unwrapped_words(cmd)
        .first()
        .and_then(|w| w.literal())
        .map(base_name)
}

/// POSIX-style shells that run a script read from stdin or a file.
pub fn is_shell(program: &str) -> bool {
    matches!(
        program,
        "sh" | "bash" | "ash" | "dash" | "ksh" | "mksh" | "zsh" | "busybox"
    )
}

/// Script interpreters other than shells, and the options that make them run a script
/// given on the command line instead of one read from stdin or a file.
fn interpreter_inline_options(program: &str) -> Option<&'static [&'static str]> {
    let is_versioned = |prefix: &str| {
        program
            .strip_prefix(prefix)
            .is_some_and(|v| v.chars().all(|c| c.is_ascii_digit() || c == '.'))
    };
    if is_versioned("python") || is_versioned("pypy") {
        return Some(&["-c", "-m"]);
    }
    Some(match program {
        "perl" => &["-e", "-E"],
        "ruby" => &["-e"],
        "node" | "nodejs" | "deno" | "bun" => &["-e", "--eval", "-p", "--print"],
        "php" => &["-r"],
        _ => return None,
    })
}

/// Whether the program runs code: a shell or a script interpreter.
pub fn runs_scripts(program: &str) -> bool {
    is_shell(program) || interpreter_inline_options(program).is_some() || program == "eval"
}

/// Whether a shell or interpreter invocation (`words`, program first) runs the script it
/// reads on stdin: `sh`, `bash -s -- -y`, `python3 -`, but not `sh -c '...'` or
/// `python3 -c '...'`, which read stdin as data.
pub fn runs_stdin(words: &[&Word]) -> bool {
    let Some(name) = words.first().and_then(|w| w.literal()).map(base_name) else {
        return false;
    };
    let args = words.get(1..).unwrap_or(&[]);
    if is_shell(name) {
        // `busybox sh ...`: the applet comes first.
        let args = if name == "busybox" {
            match args.split_first() {
                Some((applet, rest))
                    if applet
                        .literal()
                        .is_some_and(|a| is_shell(a) && a != "busybox") =>
                {
                    rest
                }
                _ => return false,
            }
        } else {
            args
        };
        for arg in args {
            match arg.literal() {
                Some("-" | "--") => return true,
                Some(a) if a.starts_with("--") || a.starts_with('+') => {}
                Some(a) if a.starts_with('-') => {
                    if a.contains('c') {
                        return false;
                    }
                    if a.contains('s') {
                        return true;
                    }
                }
                // A script file operand.
                _ => return false,
            }
        }
        return true;
    }
    if let Some(inline) = interpreter_inline_options(name) {
        for arg in args {
            match arg.literal() {
                Some("-") => return true,
                Some(a) if inline.iter().any(|o| a == *o || a.starts_with(o)) => return false,
                Some(a) if a.starts_with('-') => {}
                _ => return false,
            }
        }
        return true;
    }
    false
}

/// A word reduced to what it names: its static text with `${NAME}` for each variable, so two
/// spellings of one path (`"$DIR/x.tgz"` and `${DIR}/x.tgz`) compare equal.
pub fn word_shape(word: &Word) -> String {
    let mut out = String::new();
    for part in &word.parts {
        match part {
            WordPart::Text { value, .. } => out.push_str(value),
            WordPart::Tilde { user } => {
                out.push('~');
                out.push_str(user.as_deref().unwrap_or(""));
            }
            WordPart::Parameter {
                name: Some(name),
                transformed: false,
                ..
            } => {
                out.push_str("${");
                out.push_str(name);
                out.push('}');
            }
            // Anything else compares by how it is written.
            _ => return word.raw.clone(),
        }
    }
    out
}

/// The file name at the end of a path or URL shape: the last segment, without a query or
/// fragment; `None` for a directory (`.../`) or nothing.
pub fn file_name_of(shape: &str) -> Option<&str> {
    let without_query = shape.split(['?', '#']).next().unwrap_or(shape);
    let name = without_query.rsplit('/').next().unwrap_or(without_query);
    (!name.is_empty() && name != "." && name != "..").then_some(name)
}

/// Where a download's bytes go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Output {
    /// Standard output (`curl URL`, `wget -qO- URL`).
    Stdout,
    /// A file, by its name (the last path segment).
    File(String),
    /// Nowhere that matters (`-o /dev/null`) or somewhere dockopt cannot tell.
    Unknown,
}

/// A `curl` or `wget` fetch in a script.
#[derive(Debug, Clone)]
pub struct Download<'s> {
    /// The downloading command.
    pub command: CommandRef<'s>,
    /// `curl` or `wget`.
    pub tool: &'static str,
    /// The URL as written, when one is given.
    pub url: Option<&'s Word>,
    /// Where the bytes go.
    pub output: Output,
}

/// The `curl`/`wget` downloads of a script, in execution order.
pub fn downloads(script: &RunScript) -> Vec<Download<'_>> {
    let mut out = Vec::new();
    for op in &script.operations {
        if !matches!(op.manager, Manager::Curl | Manager::Wget)
            || op.operation != Operation::Download
        {
            continue;
        }
        let Some(command) = script.script.command_ref(op.node) else {
            continue;
        };
        let cmd = command.command();
        let url = op
            .packages
            .first()
            .and_then(|p| cmd.args.iter().find(|w| w.span == p.span));
        let tool = if op.manager == Manager::Curl {
            "curl"
        } else {
            "wget"
        };
        let output = output_of(op, cmd, url);
        out.push(Download {
            command,
            tool,
            url,
            output,
        });
    }
    out
}

/// The file name a URL saves to with `curl -O` or plain `wget`.
fn remote_name(url: Option<&Word>) -> Output {
    url.map(word_shape)
        .as_deref()
        .and_then(file_name_of)
        .map_or(Output::Unknown, |n| Output::File(n.to_string()))
}

/// The value word of an output flag, or the attached value as a shape.
fn flag_value_shape(op_flag: &dockopt_shell::pkg::Flag, cmd: &Command) -> Option<String> {
    let words: Vec<&Word> = cmd
        .args
        .iter()
        .filter(|w| op_flag.span.contains(w.span))
        .collect();
    match words.as_slice() {
        [_, .., value] => Some(word_shape(value)),
        _ => op_flag.value.clone(),
    }
}

fn output_of(op: &PkgOp, cmd: &Command, url: Option<&Word>) -> Output {
    let output_flag = op
        .flags
        .iter()
        .rev()
        .find(|f| f.meaning == Some(Meaning::Output));
    let redirect = cmd.redirects.iter().rev().find(|r| {
        matches!(
            r.op,
            dockopt_shell::RedirectOp::Write
                | dockopt_shell::RedirectOp::Clobber
                | dockopt_shell::RedirectOp::Append
        ) && r.fd.unwrap_or(1) == 1
    });
    let to_file = |shape: &str| {
        if shape == "/dev/null" {
            Output::Unknown
        } else {
            file_name_of(shape).map_or(Output::Unknown, |n| Output::File(n.to_string()))
        }
    };
    let is_curl = op.manager == Manager::Curl;
    match output_flag {
        Some(flag) => match flag.name.as_str() {
            // Save under the URL's own file name.
            "-O" | "--remote-name" if is_curl => remote_name(url),
            "-P" | "--directory-prefix" => remote_name(url),
            _ => match flag_value_shape(flag, cmd).as_deref() {
                Some("-") => match redirect.and_then(|r| r.target.as_ref()) {
                    Some(target) => to_file(&word_shape(target)),
                    None => Output::Stdout,
                },
                Some(path) => to_file(path),
                None => Output::Unknown,
            },
        },
        None if is_curl => match redirect.and_then(|r| r.target.as_ref()) {
            Some(target) => to_file(&word_shape(target)),
            None => Output::Stdout,
        },
        // wget saves under the URL's file name unless told otherwise.
        None => remote_name(url),
    }
}

/// How a later command uses a downloaded file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Runs it (`sh install.sh`, `./tool`, `java -jar x.jar`).
    Execute,
    /// Installs it (`dpkg -i`, `rpm -i`, `apt-get install ./x.deb`, `pip install x.whl`).
    Install,
    /// Unpacks it (`tar`, `unzip`...).
    Extract,
    /// Makes it executable (`chmod +x`).
    MakeExecutable,
}

impl Use {
    /// What the command does to the file, for messages ("extracts it").
    pub fn phrase(self) -> &'static str {
        match self {
            Use::Execute => "runs it",
            Use::Install => "installs it",
            Use::Extract => "extracts it",
            Use::MakeExecutable => "makes it executable",
        }
    }
}

/// Programs that unpack an archive given as an argument or on stdin.
pub fn is_extractor(program: &str) -> bool {
    matches!(
        program,
        "tar"
            | "bsdtar"
            | "gtar"
            | "unzip"
            | "funzip"
            | "gunzip"
            | "gzip"
            | "zcat"
            | "xz"
            | "unxz"
            | "xzcat"
            | "bzip2"
            | "bunzip2"
            | "bzcat"
            | "zstd"
            | "unzstd"
            | "zstdcat"
            | "lz4"
            | "7z"
            | "7za"
            | "7zr"
            | "cpio"
            | "rpm2cpio"
            | "unrar"
            | "ar"
    )
}

/// Whether an option word is `flag` or a bundle of short options holding it (`-ivh`
/// holds `-i`).
fn has_option(args: &[&Word], long: &[&str], short: &[char]) -> bool {
    args.iter().filter_map(|w| w.literal()).any(|a| {
        long.contains(&a)
            || (a.starts_with('-')
                && !a.starts_with("--")
                && a.chars().skip(1).any(|c| short.contains(&c)))
    })
}

/// Whether a command (`words`, program first) installs a package file it is given.
fn installs_files(words: &[&Word]) -> bool {
    let lit = |i: usize| words.get(i).and_then(|w| w.literal()).unwrap_or("");
    let args = words.get(1..).unwrap_or(&[]);
    match base_name(lit(0)) {
        "dpkg" => has_option(args, &["--install", "--unpack"], &['i']),
        "rpm" => has_option(
            args,
            &["--install", "--upgrade", "--freshen"],
            &['i', 'U', 'F'],
        ),
        "install" => true,
        "apt-get" | "apt" | "dnf" | "yum" | "microdnf" | "zypper" | "pip" | "pip3" | "npm"
        | "gem" | "pnpm" | "yarn" | "bun" => {
            matches!(lit(1), "install" | "add" | "localinstall" | "in" | "i")
        }
        "apk" => lit(1) == "add",
        "uv" => lit(1) == "pip" && lit(2) == "install",
        _ => false,
    }
}

/// How `cmd` uses the file called `name` (a shape from [`word_shape`]), if it does.
pub fn use_of(cmd: &Command, name: &str) -> Option<Use> {
    let words = unwrapped_words(cmd);
    let first = words.first()?;
    let names_file = |w: &&Word| file_name_of(&word_shape(w)) == Some(name);
    if names_file(first) {
        return Some(Use::Execute);
    }
    let program = base_name(first.literal()?);
    let args = words.get(1..).unwrap_or(&[]);
    let mentions = args.iter().any(names_file);
    if !mentions {
        return None;
    }
    if is_extractor(program) {
        return Some(Use::Extract);
    }
    if installs_files(&words) {
        return Some(Use::Install);
    }
    if program == "chmod" {
        let makes_executable = args.iter().filter_map(|w| w.literal()).any(|mode| {
            (mode.contains('x') && !mode.starts_with('-') && !mode.contains('/'))
                || (mode.len() >= 3
                    && mode.chars().all(|c| c.is_digit(8))
                    && mode
                        .chars()
                        .any(|c| c.to_digit(8).is_some_and(|d| d % 2 == 1)))
        });
        return makes_executable.then_some(Use::MakeExecutable);
    }
    if runs_scripts(program) || program == "source" || program == "." {
        // The file must be the script operand, not data passed to an inline script.
        let operand = args
            .iter()
            .find(|w| w.literal().is_none_or(|l| !l.starts_with('-') || l == "-"));
        return operand.filter(|w| names_file(w)).map(|_| Use::Execute);
    }
    if program == "java" {
        return Some(Use::Execute);
    }
    None
}

/// Whether a command checks a checksum or a signature: `sha256sum -c`, `gpg --verify`,
/// `cosign verify-blob`, `minisign -V`...
pub fn is_verification(cmd: &Command) -> bool {
    let words = unwrapped_words(cmd);
    let Some(program) = words.first().and_then(|w| w.literal()).map(base_name) else {
        return false;
    };
    let args: Vec<&str> = words.iter().skip(1).filter_map(|w| w.literal()).collect();
    let has = |flag: &str| args.contains(&flag);
    match program {
        "sha1sum" | "sha224sum" | "sha256sum" | "sha384sum" | "sha512sum" | "md5sum" | "shasum"
        | "b2sum" | "b3sum" | "cksum" | "gpgv" | "gpgv2" | "slsa-verifier" | "sigstore"
        | "pgpv" => true,
        "gpg" | "gpg2" => has("--verify") || has("--verify-files"),
        "cosign" => args.first().is_some_and(|a| a.starts_with("verify")),
        "minisign" | "signify" | "signify-openbsd" => has("-V"),
        "openssl" => matches!(
            args.first().copied(),
            Some("dgst" | "sha256" | "sha512" | "sha1" | "md5")
        ),
        "rpm" => has("-K") || has("--checksig"),
        "gh" => args.first() == Some(&"attestation"),
        _ => false,
    }
}

/// Whether any command of the script checks a checksum or a signature.
pub fn verifies(script: &Script) -> bool {
    script.commands().any(|c| is_verification(c.command()))
}

/// The `RUN` instructions of the stage of `id`, from `id` on, in order.
pub fn runs_from(ctx: &Context<'_>, id: InstructionId) -> Vec<InstructionId> {
    let Some(stage) = ctx.stage_of(id) else {
        return vec![id];
    };
    stage
        .instructions
        .iter()
        .copied()
        .filter(|i| *i >= id)
        .filter(|i| {
            ctx.model
                .instruction(*i)
                .is_some_and(|ins| ins.kind() == InstructionKind::Run)
        })
        .collect()
}

/// The simple commands that follow `node` in a pipeline, in order.
pub fn piped_into<'s>(script: &'s Script, command: &CommandRef<'s>) -> Vec<CommandRef<'s>> {
    let Some(position) = command.pipeline() else {
        return Vec::new();
    };
    let NodeKind::Pipeline(pipeline) = script.kind(position.pipeline) else {
        return Vec::new();
    };
    pipeline
        .commands
        .iter()
        .skip(position.index + 1)
        .flat_map(|c| script.commands_in(*c).collect::<Vec<_>>())
        .collect()
}

/// The simple command whose word holds the substitution that `node` is in (`sh -c
/// "$(curl ...)"` gives `sh`), with the kind of substitution.
pub fn substituted_into(script: &Script, node: NodeId) -> Option<(NodeId, bool)> {
    for ancestor in script.ancestors(node) {
        if let NodeKind::Substitution { kind, .. } = script.kind(ancestor) {
            let holder = script.parent(ancestor)?;
            let is_process = matches!(
                kind,
                dockopt_shell::SubstitutionKind::ProcessInput
                    | dockopt_shell::SubstitutionKind::ProcessOutput
            );
            return script.command(holder).map(|_| (holder, is_process));
        }
    }
    None
}

/// The file range of a shell span covering two commands.
pub fn cover(script: &RunScript, a: Span, b: Span) -> std::ops::Range<usize> {
    script.file_range(a.cover(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_command(src: &str) -> Command {
        let script = Script::parse(src).expect("test script parses");
        let command = script
            .commands()
            .next()
            .expect("a command")
            .command()
            .clone();
        command
    }

    fn nth_command(src: &str, n: usize) -> Command {
        let script = Script::parse(src).expect("test script parses");
        let command = script
            .commands()
            .nth(n)
            .expect("a command")
            .command()
            .clone();
        command
    }

    #[test]
    fn wrappers_are_unwrapped() {
        let cmd = first_command("sudo -u app -E env A=1 nice -n 5 sh -s -- -y");
        assert_eq!(program(&cmd), Some("sh"));
        let names: Vec<_> = program_words(&cmd)
            .iter()
            .filter_map(|w| w.literal())
            .collect();
        assert_eq!(names, ["sudo", "env", "nice", "sh"]);
    }

    #[test]
    fn what_reads_a_script_on_stdin() {
        let reads = |src: &str| runs_stdin(&unwrapped_words(&first_command(src)));
        assert!(reads("sh"));
        assert!(reads("bash -s -- -y"));
        assert!(reads("sudo -E bash -"));
        assert!(reads("python3 -"));
        assert!(reads("busybox sh"));
        assert!(!reads("sh -c 'cat > x'"));
        assert!(!reads("bash -ec 'echo'"));
        assert!(!reads("python3 -c 'import sys'"));
        assert!(!reads("sh ./script.sh"));
        assert!(!reads("tar -xz"));
    }

    #[test]
    fn shapes_and_names() {
        let cmd = first_command(r#"tar -xf "node-v$V-linux-${ARCH}.tar.xz" ~/x"#);
        assert_eq!(word_shape(&cmd.args[1]), "node-v${V}-linux-${ARCH}.tar.xz");
        assert_eq!(file_name_of("https://x.org/a/b.tgz?raw=1"), Some("b.tgz"));
        assert_eq!(file_name_of("https://x.org/a/"), None);
    }

    #[test]
    fn uses_of_a_file() {
        let src = "tar xzf /tmp/t.tgz; dpkg -i ./p.deb; chmod 0755 bin/tool; ./tool --version; \
                   sh -c 'echo t.tgz'; chmod 0644 t.tgz; cp t.tgz /x";
        assert_eq!(use_of(&nth_command(src, 0), "t.tgz"), Some(Use::Extract));
        assert_eq!(use_of(&nth_command(src, 1), "p.deb"), Some(Use::Install));
        assert_eq!(
            use_of(&nth_command(src, 2), "tool"),
            Some(Use::MakeExecutable)
        );
        assert_eq!(use_of(&nth_command(src, 3), "tool"), Some(Use::Execute));
        assert_eq!(use_of(&nth_command(src, 4), "t.tgz"), None);
        assert_eq!(use_of(&nth_command(src, 5), "t.tgz"), None);
        assert_eq!(use_of(&nth_command(src, 6), "t.tgz"), None);
    }

    #[test]
    fn verifications() {
        let verifies_src = |src: &str| verifies(&Script::parse(src).expect("parses"));
        assert!(verifies_src("echo \"$SHA  f\" | sha256sum -c -"));
        assert!(verifies_src("gpg --batch --verify f.asc f"));
        assert!(verifies_src("cosign verify-blob --key k f"));
        assert!(!verifies_src("gpg --batch --recv-keys ABC"));
        assert!(!verifies_src("tar xf f"));
    }
}
