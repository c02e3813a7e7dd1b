//! The typed view of a Dockerfile: instructions, flags, arguments and heredocs, each with
//! its byte range in the source.

use rowan::TextRange;

use crate::flags::{CopyFlags, HealthcheckFlags, Mount, RunFlags};
use crate::joined::JoinedText;
use crate::kind::{SyntaxKind, SyntaxNode};

/// The typed root: parser directives and instructions, in file order.
#[derive(Debug, Clone, Default)]
pub struct Dockerfile {
    pub(crate) directives: Vec<Directive>,
    pub(crate) instructions: Vec<Instruction>,
    pub(crate) escape: char,
    pub(crate) bom: bool,
}

impl Dockerfile {
    /// The parser directives at the top of the file.
    pub fn directives(&self) -> &[Directive] {
        &self.directives
    }

    /// The directive named `name` (lower case: `syntax`, `escape`, `check`).
    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    /// The instructions, in file order.
    pub fn instructions(&self) -> impl ExactSizeIterator<Item = &Instruction> + '_ {
        self.instructions.iter()
    }

    /// The escape character in effect (`\` or `` ` ``).
    pub fn escape(&self) -> char {
        self.escape
    }

    /// Whether the file starts with a UTF-8 byte-order mark.
    pub fn has_bom(&self) -> bool {
        self.bom
    }

    /// The build stages, one per FROM instruction.
    pub fn stages(&self) -> Vec<Stage<'_>> {
        let mut stages: Vec<Stage<'_>> = Vec::new();
        for (i, ins) in self.instructions.iter().enumerate() {
            if ins.kind == InstructionKind::From {
                stages.push(Stage {
                    index: stages.len(),
                    from: ins,
                    instructions: Vec::new(),
                });
            } else if let Some(stage) = stages.last_mut() {
                stage.instructions.push(i);
            }
        }
        stages
    }
}

/// A build stage: a FROM instruction and the instructions up to the next FROM.
#[derive(Debug, Clone)]
pub struct Stage<'a> {
    /// 0-based stage index.
    pub index: usize,
    /// The FROM instruction.
    pub from: &'a Instruction,
    /// Indexes (into [`Dockerfile::instructions`]) of the instructions in this stage.
    pub instructions: Vec<usize>,
}

impl Stage<'_> {
    /// The stage name from `AS name`, as written.
    pub fn name(&self) -> Option<&str> {
        self.from
            .from_args()
            .and_then(|f| f.name)
            .map(|a| a.value.as_str())
    }

    /// The base image text (`ubuntu:22.04`, `$BASE`, or an earlier stage name).
    pub fn base(&self) -> Option<&str> {
        self.from.from_args().map(|f| f.image.value.as_str())
    }

    /// Source range from the FROM keyword to the end of the stage's last instruction.
    pub fn range(&self, file: &Dockerfile) -> TextRange {
        let end = self
            .instructions
            .last()
            .and_then(|&i| file.instructions.get(i))
            .map_or(self.from.range.end(), |ins| ins.range.end());
        TextRange::new(self.from.range.start(), end)
    }
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lower-cased name: `syntax`, `escape` or `check`.
    pub name: String,
    /// The value, blanks around it removed.
    pub value: String,
    /// The whole comment line (line ending excluded).
    pub range: TextRange,
    /// The name as written.
    pub name_range: TextRange,
    /// The value.
    pub value_range: TextRange,
}

/// Which instruction a line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InstructionKind {
    Add,
    Arg,
    Cmd,
    Copy,
    Entrypoint,
    Env,
    Expose,
    From,
    Healthcheck,
    Label,
    Maintainer,
    Onbuild,
    Run,
    Shell,
    Stopsignal,
    User,
    Volume,
    Workdir,
    /// Not a Dockerfile instruction (an error).
    Unknown,
}

impl InstructionKind {
    /// The kind for a keyword, case-insensitively.
    pub fn from_keyword(keyword: &str) -> InstructionKind {
        use InstructionKind::*;
        match keyword.to_ascii_lowercase().as_str() {
            "add" => Add,
            "arg" => Arg,
            "cmd" => Cmd,
            "copy" => Copy,
            "entrypoint" => Entrypoint,
            "env" => Env,
            "expose" => Expose,
            "from" => From,
            "healthcheck" => Healthcheck,
            "label" => Label,
            "maintainer" => Maintainer,
            "onbuild" => Onbuild,
            "run" => Run,
            "shell" => Shell,
            "stopsignal" => Stopsignal,
            "user" => User,
            "volume" => Volume,
            "workdir" => Workdir,
            _ => Unknown,
        }
    }

    /// The canonical upper-case keyword (`UNKNOWN` for unknown instructions).
    pub fn as_str(self) -> &'static str {
        use InstructionKind::*;
        match self {
            Add => "ADD",
            Arg => "ARG",
            Cmd => "CMD",
            Copy => "COPY",
            Entrypoint => "ENTRYPOINT",
            Env => "ENV",
            Expose => "EXPOSE",
            From => "FROM",
            Healthcheck => "HEALTHCHECK",
            Label => "LABEL",
            Maintainer => "MAINTAINER",
            Onbuild => "ONBUILD",
            Run => "RUN",
            Shell => "SHELL",
            Stopsignal => "STOPSIGNAL",
            User => "USER",
            Volume => "VOLUME",
            Workdir => "WORKDIR",
            Unknown => "UNKNOWN",
        }
    }
}

/// A builder flag (`--name=value` or `--name`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// The name without the leading dashes (`mount`).
    pub name: String,
    /// The value after `=`, with quotes and escapes removed as BuildKit does; `None` for
    /// a bare `--name`.
    pub value: Option<String>,
    /// The whole flag word.
    pub range: TextRange,
    /// `--name`.
    pub name_range: TextRange,
    /// The value as written (quotes included).
    pub value_range: Option<TextRange>,
    /// The flag word as BuildKit's parser returns it (`--mount=type=cache`).
    pub raw: String,
    /// Source offset of every byte of `value`.
    pub(crate) value_map: Vec<u32>,
}

/// One argument value with its source range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    /// The value as BuildKit's parser gives it: decoded for JSON strings, as written
    /// (quotes kept, continuations joined) for other forms.
    pub value: String,
    /// Where it is in the source (may span line continuations).
    pub range: TextRange,
}

/// Exec form: a JSON array of strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecForm {
    /// The decoded strings.
    pub args: Vec<Argument>,
    /// The array text, brackets included.
    pub range: TextRange,
}

/// Shell form: a command line handed to the shell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellForm {
    /// The command text with continuations joined exactly as BuildKit joins them, and the
    /// source offset of every byte.
    pub text: JoinedText,
    /// From the first to the last byte of the command in the source.
    pub range: TextRange,
}

impl ShellForm {
    /// The joined command text.
    pub fn as_str(&self) -> &str {
        self.text.as_str()
    }
}

/// The command of RUN, CMD, ENTRYPOINT, SHELL or HEALTHCHECK CMD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Form {
    Exec(ExecForm),
    Shell(ShellForm),
}

impl Form {
    /// Source range of the command.
    pub fn range(&self) -> TextRange {
        match self {
            Form::Exec(e) => e.range,
            Form::Shell(s) => s.range,
        }
    }
}

/// A `key=value` (or legacy `key value`) pair of ENV or LABEL, or a declaration of ARG.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyValue {
    /// The key as written.
    pub key: Argument,
    /// The value as written (quotes kept); `None` for an ARG without default.
    pub value: Option<Argument>,
    /// `true` for `key=value`, `false` for legacy `key value` and bare ARG names.
    pub equals: bool,
    /// The whole pair.
    pub range: TextRange,
}

/// A heredoc attached to RUN, COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The terminator word, quotes removed.
    pub name: String,
    /// Whether any part of the word was quoted (then the body is not expanded).
    pub quoted: bool,
    /// `<<-`: leading tabs are stripped from body lines and the terminator.
    pub strip_tabs: bool,
    /// File descriptor before `<<` (`3<<EOF`), if any.
    pub fd: Option<u32>,
    /// The marker word in the instruction line.
    pub marker_range: TextRange,
    /// The body lines, line endings included, terminator line excluded.
    pub body_range: TextRange,
    /// The terminator line (line ending excluded); empty at end of file if unterminated.
    pub end_range: TextRange,
    /// The body exactly as in the file (BuildKit's `Content`).
    pub raw_body: String,
    /// Whether the terminator was found.
    pub terminated: bool,
}

impl Heredoc {
    /// The body after tab stripping (for `<<-`), as BuildKit hands it to the build.
    pub fn body(&self) -> String {
        if !self.strip_tabs {
            return self.raw_body.clone();
        }
        let mut out = String::with_capacity(self.raw_body.len());
        for line in self.raw_body.split_inclusive('\n') {
            out.push_str(line.trim_start_matches('\t'));
        }
        out
    }
}

/// What an instruction's arguments parsed into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Args {
    /// No arguments.
    None,
    /// JSON array (RUN/CMD/ENTRYPOINT/SHELL, and COPY/ADD/VOLUME).
    Exec(ExecForm),
    /// Shell form (RUN/CMD/ENTRYPOINT/SHELL).
    Shell(ShellForm),
    /// Whitespace-delimited words (FROM, EXPOSE, COPY/ADD/VOLUME shell form).
    Words(Vec<Argument>),
    /// One string (USER, WORKDIR, MAINTAINER, STOPSIGNAL).
    Single(Argument),
    /// Pairs (ENV, LABEL, ARG).
    Pairs(Vec<KeyValue>),
    /// HEALTHCHECK: the type word (`CMD`, `NONE`...) and its command.
    Healthcheck { kind: Argument, cmd: Option<Form> },
    /// ONBUILD: the trigger instruction.
    Onbuild(Box<Instruction>),
    /// An unknown instruction: arguments not interpreted.
    Ignored,
}

/// One instruction with everything BuildKit's parser knows about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    pub(crate) keyword: String,
    pub(crate) kind: InstructionKind,
    pub(crate) range: TextRange,
    pub(crate) keyword_range: TextRange,
    pub(crate) flags: Vec<Flag>,
    pub(crate) line: JoinedText,
    pub(crate) args_range: TextRange,
    pub(crate) args: Args,
    pub(crate) heredocs: Vec<Heredoc>,
    /// BuildKit's node values after the keyword (its AST `Next` chain), for the dump.
    pub(crate) values: Vec<String>,
}

impl Instruction {
    /// The keyword as written (`run`, `RUN`...).
    pub fn keyword(&self) -> &str {
        &self.keyword
    }

    /// Which instruction this is.
    pub fn kind(&self) -> InstructionKind {
        self.kind
    }

    /// From the keyword to the end of the last line (heredoc terminators included, final
    /// line ending excluded).
    pub fn range(&self) -> TextRange {
        self.range
    }

    /// The keyword.
    pub fn keyword_range(&self) -> TextRange {
        self.keyword_range
    }

    /// The builder flags, in order.
    pub fn flags(&self) -> &[Flag] {
        &self.flags
    }

    /// The first flag named `name` (without dashes).
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }

    /// The whole logical line as BuildKit joins it (keyword included), with source offsets.
    pub fn joined_line(&self) -> &JoinedText {
        &self.line
    }

    /// The arguments after the flags (empty range at the keyword's end when there are none).
    pub fn args_range(&self) -> TextRange {
        self.args_range
    }

    /// The parsed arguments.
    pub fn args(&self) -> &Args {
        &self.args
    }

    /// Heredocs, in marker order.
    pub fn heredocs(&self) -> &[Heredoc] {
        &self.heredocs
    }

    /// The trigger of an ONBUILD instruction.
    pub fn onbuild(&self) -> Option<&Instruction> {
        match &self.args {
            Args::Onbuild(inner) => Some(inner),
            _ => None,
        }
    }

    /// The command form of RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK, and the exec form
    /// of COPY, ADD and VOLUME.
    pub fn form(&self) -> Option<Form> {
        match &self.args {
            Args::Exec(e) => Some(Form::Exec(e.clone())),
            Args::Shell(s) => Some(Form::Shell(s.clone())),
            Args::Healthcheck { cmd, .. } => cmd.clone(),
            _ => None,
        }
    }

    /// Whether the arguments are a JSON array.
    pub fn is_exec_form(&self) -> bool {
        matches!(self.form(), Some(Form::Exec(_)))
    }

    /// The shell-form command (joined text with its source map), if any.
    pub fn shell_form(&self) -> Option<&ShellForm> {
        match &self.args {
            Args::Shell(s) => Some(s),
            Args::Healthcheck {
                cmd: Some(Form::Shell(s)),
                ..
            } => Some(s),
            _ => None,
        }
    }

    /// Plain argument values: JSON strings, words, the single string, or the HEALTHCHECK
    /// type followed by its exec-form strings.
    pub fn arguments(&self) -> Vec<&Argument> {
        match &self.args {
            Args::Exec(e) => e.args.iter().collect(),
            Args::Words(w) => w.iter().collect(),
            Args::Single(a) => vec![a],
            _ => Vec::new(),
        }
    }

    /// ENV/LABEL pairs and ARG declarations.
    pub fn pairs(&self) -> &[KeyValue] {
        match &self.args {
            Args::Pairs(p) => p,
            _ => &[],
        }
    }

    /// FROM: image, `AS name`, `--platform`.
    pub fn from_args(&self) -> Option<FromArgs<'_>> {
        if self.kind != InstructionKind::From {
            return None;
        }
        let words = match &self.args {
            Args::Words(w) => w,
            _ => return None,
        };
        let image = words.first()?;
        let name = match words.as_slice() {
            [_, as_kw, name] if as_kw.value.eq_ignore_ascii_case("as") => Some(name),
            _ => None,
        };
        Some(FromArgs {
            image,
            name,
            platform: self.flag("platform"),
        })
    }

    /// COPY/ADD: sources and destination plus typed flags.
    pub fn copy_args(&self) -> Option<CopyArgs<'_>> {
        if !matches!(self.kind, InstructionKind::Copy | InstructionKind::Add) {
            return None;
        }
        let args = self.arguments();
        let (dest, sources) = match args.split_last() {
            Some((d, s)) => (Some(*d), s.to_vec()),
            None => (None, Vec::new()),
        };
        Some(CopyArgs {
            sources,
            dest,
            flags: CopyFlags::from_flags(&self.flags),
        })
    }

    /// RUN: typed `--mount`, `--network`, `--security` flags.
    pub fn run_flags(&self) -> Option<RunFlags> {
        (self.kind == InstructionKind::Run).then(|| RunFlags::from_flags(&self.flags))
    }

    /// RUN: the `--mount` flags, parsed.
    pub fn mounts(&self) -> Vec<Mount> {
        self.run_flags().map(|f| f.mounts).unwrap_or_default()
    }

    /// HEALTHCHECK: options, type and command.
    pub fn healthcheck(&self) -> Option<Healthcheck<'_>> {
        match &self.args {
            Args::Healthcheck { kind, cmd } => Some(Healthcheck {
                kind,
                cmd: cmd.as_ref(),
                flags: HealthcheckFlags::from_flags(&self.flags),
            }),
            _ if self.kind == InstructionKind::Healthcheck => None,
            _ => None,
        }
    }

    /// The INSTRUCTION node of this instruction in the tree rooted at `root`.
    pub fn syntax(&self, root: &SyntaxNode) -> Option<SyntaxNode> {
        root.descendants()
            .find(|n| n.kind() == SyntaxKind::INSTRUCTION && n.text_range() == self.range)
    }

    /// BuildKit's AST values after the keyword (the `Next` chain), as its dump shows them.
    pub fn buildkit_values(&self) -> &[String] {
        &self.values
    }
}

/// The parts of a FROM instruction.
#[derive(Debug, Clone, Copy)]
pub struct FromArgs<'a> {
    /// The image reference (or stage name) as written.
    pub image: &'a Argument,
    /// The stage name after `AS`.
    pub name: Option<&'a Argument>,
    /// `--platform`.
    pub platform: Option<&'a Flag>,
}

/// The parts of a COPY or ADD instruction.
#[derive(Debug, Clone)]
pub struct CopyArgs<'a> {
    /// Source paths (heredoc markers included as written).
    pub sources: Vec<&'a Argument>,
    /// Destination.
    pub dest: Option<&'a Argument>,
    /// Typed flags.
    pub flags: CopyFlags,
}

/// The parts of a HEALTHCHECK instruction.
#[derive(Debug, Clone)]
pub struct Healthcheck<'a> {
    /// `CMD`, `NONE` (any case), or another word BuildKit would reject.
    pub kind: &'a Argument,
    /// The command after CMD.
    pub cmd: Option<&'a Form>,
    /// `--interval`, `--timeout`, ...
    pub flags: HealthcheckFlags,
}

impl Healthcheck<'_> {
    /// `HEALTHCHECK NONE`.
    pub fn is_none(&self) -> bool {
        self.kind.value.eq_ignore_ascii_case("none")
    }
}
