//! What a rule sees of one Dockerfile: the syntax, the build model, and the shell scripts
//! of its `RUN` instructions, parsed once and shared by every rule.

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use dockopt_model::{EffectiveState, InstructionId, Model, Stage};
use dockopt_shell::pkg::{self, PkgOp};
use dockopt_shell::{Script, Span};
use dockopt_syntax::{Args, Argument, Dockerfile, Instruction, InstructionKind, Parse};

/// One Dockerfile, as the rules see it.
pub struct Context<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    pub parse: &'a Parse,
    pub model: &'a Model<'a>,
    /// Rule options from config (`[rules.NAME]` keys other than `level`).
    pub options: &'a BTreeMap<&'static str, toml::Table>,
    /// Names in suppression comments that no rule answers to: (where, the name).
    pub unknown_pragma_names: &'a [(Range<usize>, String)],
    scripts: Vec<OnceCell<Vec<RunScript>>>,
    /// Answers the helpers give about one instruction, kept because several rules ask
    /// them for every instruction of the file.
    pub(crate) memo: Memo,
}

/// Per-file answers of the helpers, filled on first use (one cell per instruction).
pub(crate) struct Memo {
    /// The stages whose layers make up the image.
    pub(crate) shipping_stages: OnceCell<Vec<usize>>,
    /// The instructions whose layers lie under each instruction's layer.
    pub(crate) layers_below: Vec<OnceCell<Vec<InstructionId>>>,
    /// What each instruction's own layer holds that a later `RUN` may delete.
    pub(crate) layer_content: Vec<OnceCell<Vec<crate::helpers::size::LayerContent>>>,
    /// Whether each instruction deletes the Debian images' apt `docker-clean` hook.
    pub(crate) removes_apt_hook: Vec<OnceCell<bool>>,
    /// Whether the hook is gone by each instruction (it or one below deletes it).
    pub(crate) apt_archives_kept: Vec<OnceCell<bool>>,
}

impl Memo {
    fn new(count: usize) -> Memo {
        fn cells<T>(count: usize) -> Vec<OnceCell<T>> {
            (0..count).map(|_| OnceCell::new()).collect()
        }
        Memo {
            shipping_stages: OnceCell::new(),
            layers_below: cells(count),
            layer_content: cells(count),
            removes_apt_hook: cells(count),
            apt_archives_kept: cells(count),
        }
    }
}

/// The answer for instruction `id` from its cell in `cells`, computed on first use; an
/// id without a cell is answered each time.
pub(crate) fn memoized<'c, T>(
    cells: &'c [OnceCell<T>],
    id: InstructionId,
    compute: impl FnOnce() -> T,
) -> std::borrow::Cow<'c, T>
where
    T: Clone,
{
    match cells.get(id) {
        Some(cell) => std::borrow::Cow::Borrowed(cell.get_or_init(compute)),
        None => std::borrow::Cow::Owned(compute()),
    }
}

/// Where a shell script of a `RUN` comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScriptOrigin {
    /// The shell-form command line (with any heredoc bodies it feeds appended, as the
    /// shell sees them).
    ShellForm,
    /// The `-c` argument of an exec-form shell (`["sh", "-c", "..."]`).
    ExecShell,
    /// A heredoc body run as a script (`RUN <<EOF`, or `RUN <<EOF bash`); the index of
    /// the heredoc on the instruction.
    Heredoc(usize),
}

/// A parsed shell script of a `RUN`, with the way back to the Dockerfile.
#[derive(Debug)]
pub struct RunScript {
    pub origin: ScriptOrigin,
    pub script: Script,
    /// The shell that runs it (`sh`, `bash`, `ash`...), from `SHELL` or a shebang.
    pub shell: String,
    /// Package-manager operations in it, in order.
    pub operations: Vec<PkgOp>,
    /// File offset of each byte of the script text, plus one past the end.
    offsets: Vec<usize>,
}

impl RunScript {
    /// The file range of a span of the script.
    pub fn file_range(&self, span: Span) -> Range<usize> {
        map_range(&self.offsets, span)
    }

    /// The file offset of a byte of the script.
    pub fn file_offset(&self, offset: usize) -> usize {
        map_offset(&self.offsets, offset)
    }
}

/// The text of a shell script of a `RUN`, whether or not dockopt's shell parser accepts it
/// (a tool that reports syntax errors wants those too), with the way back to the file.
#[derive(Debug, Clone)]
pub struct ScriptText {
    pub origin: ScriptOrigin,
    /// The script as the shell reads it: continuations joined, heredoc bodies included.
    pub text: String,
    /// The shell that runs it (`sh`, `bash`, `ash`...), from `SHELL` or a shebang.
    pub shell: String,
    /// File offset of each byte of `text`, plus one past the end.
    offsets: Vec<usize>,
}

impl ScriptText {
    /// The file range of a span of the script.
    pub fn file_range(&self, span: Span) -> Range<usize> {
        map_range(&self.offsets, span)
    }

    /// The file offset of a byte of the script.
    pub fn file_offset(&self, offset: usize) -> usize {
        map_offset(&self.offsets, offset)
    }
}

fn map_offset(offsets: &[usize], offset: usize) -> usize {
    offsets.get(offset).or(offsets.last()).copied().unwrap_or(0)
}

fn map_range(offsets: &[usize], span: Span) -> Range<usize> {
    let start = map_offset(offsets, span.start);
    if span.end <= span.start {
        return start..start;
    }
    // The end maps from the last byte of the span, so a span that ends at a joined
    // continuation does not stretch over it.
    let end = map_offset(offsets, span.end - 1) + 1;
    start..end.max(start)
}

impl<'a> Context<'a> {
    pub fn new(
        path: &'a Path,
        parse: &'a Parse,
        model: &'a Model<'a>,
        options: &'a BTreeMap<&'static str, toml::Table>,
        unknown_pragma_names: &'a [(Range<usize>, String)],
    ) -> Context<'a> {
        let count = parse.dockerfile().instructions().len();
        Context {
            path,
            source: parse.text(),
            parse,
            model,
            options,
            unknown_pragma_names,
            scripts: (0..count).map(|_| OnceCell::new()).collect(),
            memo: Memo::new(count),
        }
    }

    pub fn file(&self) -> &'a Dockerfile {
        self.parse.dockerfile()
    }

    /// Top-level instructions with their ids, in file order.
    pub fn instructions(&self) -> impl Iterator<Item = (InstructionId, &'a Instruction)> + '_ {
        self.file().instructions().enumerate()
    }

    /// Top-level instructions of one kind, with their ids.
    pub fn instructions_of(
        &self,
        kind: InstructionKind,
    ) -> impl Iterator<Item = (InstructionId, &'a Instruction)> + '_ {
        self.instructions().filter(move |(_, i)| i.kind() == kind)
    }

    pub fn state(&self, id: InstructionId) -> Option<&EffectiveState> {
        self.model.state_before_id(id)
    }

    pub fn stage_of(&self, id: InstructionId) -> Option<&Stage> {
        self.model.stage_of_id(id)
    }

    /// The `FROM` of the stage the build produces (the final stage).
    pub fn final_from(&self) -> Option<&'a Instruction> {
        self.model
            .final_stage()
            .and_then(|s| self.model.instruction(s.from))
    }

    /// A stage's name as written after `AS` in its `FROM`.
    pub fn stage_name_as_written(&self, stage: &Stage) -> Option<&'a Argument> {
        self.model.instruction(stage.from)?.from_args()?.name
    }

    /// Whether the instruction is in the stage the build produces (the final stage).
    pub fn in_final_stage(&self, id: InstructionId) -> bool {
        match (self.model.stage_of_id(id), self.model.final_stage()) {
            (Some(stage), Some(last)) => stage.index == last.index,
            _ => false,
        }
    }

    /// The option `key` of rule `rule` from config.
    pub fn option(&self, rule: &str, key: &str) -> Option<&toml::Value> {
        self.options.get(rule)?.get(key)
    }

    /// The shell scripts of a `RUN` (empty for other instructions, and for scripts that do
    /// not parse as shell).
    pub fn scripts(&self, id: InstructionId) -> &[RunScript] {
        let Some(cell) = self.scripts.get(id) else {
            return &[];
        };
        cell.get_or_init(|| {
            self.script_texts(id)
                .into_iter()
                .filter_map(|text| {
                    let script = Script::parse(&text.text).ok()?;
                    let operations = pkg::operations(&script);
                    Some(RunScript {
                        origin: text.origin,
                        script,
                        shell: text.shell,
                        operations,
                        offsets: text.offsets,
                    })
                })
                .collect()
        })
    }

    /// The texts of the shell scripts of a `RUN` (empty for other instructions), including
    /// those dockopt's shell parser does not accept. Computed on each call.
    pub fn script_texts(&self, id: InstructionId) -> Vec<ScriptText> {
        match self.model.instruction(id) {
            Some(instruction) if instruction.kind() == InstructionKind::Run => {
                let shell = self.state(id).map(|s| s.shell.clone()).unwrap_or_default();
                run_script_texts(instruction, &shell)
            }
            _ => Vec::new(),
        }
    }

    /// Every script of every `RUN`, with the instruction's id.
    pub fn all_scripts(&self) -> impl Iterator<Item = (InstructionId, &RunScript)> + '_ {
        self.instructions_of(InstructionKind::Run)
            .flat_map(move |(id, _)| self.scripts(id).iter().map(move |s| (id, s)))
    }
}

/// The shells dockopt models; a script for another interpreter (python, node...) is not
/// parsed as shell.
fn is_shell(program: &str) -> bool {
    let name = program.rsplit('/').next().unwrap_or(program);
    matches!(
        name,
        "sh" | "bash" | "ash" | "dash" | "ksh" | "mksh" | "zsh" | "busybox"
    )
}

fn program_name(program: &str) -> String {
    program.rsplit('/').next().unwrap_or(program).to_string()
}

/// The interpreter a heredoc body names in its shebang, if any.
fn shebang(body: &str) -> Option<String> {
    let line = body.strip_prefix("#!")?.lines().next()?;
    let mut words = line.split_whitespace();
    let first = words.next()?;
    if first.ends_with("/env") {
        words.find(|w| !w.starts_with('-')).map(program_name)
    } else {
        Some(program_name(first))
    }
}

fn run_script_texts(instruction: &Instruction, shell: &[String]) -> Vec<ScriptText> {
    let shell_name = shell
        .first()
        .map(|s| program_name(s))
        .unwrap_or_else(|| "sh".to_string());
    let mut out = Vec::new();
    match instruction.args() {
        Args::Shell(form) if is_shell(&shell_name) || shell.is_empty() => {
            let heredocs = instruction.heredocs();
            let line = form.as_str();
            let command_is_only_heredoc =
                !heredocs.is_empty() && line.trim().starts_with("<<") && {
                    // `RUN <<EOF` (nothing else): BuildKit runs the body as the script.
                    let rest = line.trim();
                    heredocs.len() == 1 && rest.split_whitespace().count() == 1
                };
            if command_is_only_heredoc {
                let body = heredocs[0].body();
                let interpreter = shebang(&body).unwrap_or_else(|| shell_name.clone());
                if is_shell(&interpreter) {
                    push(
                        &mut out,
                        ScriptOrigin::Heredoc(0),
                        body_with_offsets(&heredocs[0]),
                        interpreter,
                    );
                }
            } else {
                // The command line, then each heredoc body and terminator, as the shell
                // reads them.
                let mut text = line.to_string();
                let mut offsets: Vec<usize> = (0..line.len())
                    .map(|i| {
                        form.text
                            .source_offset(i)
                            .map_or(0, |o| u32::from(o) as usize)
                    })
                    .collect();
                let line_end = offsets
                    .last()
                    .map_or(usize::from(form.range.end()), |o| o + 1);
                for heredoc in heredocs {
                    text.push('\n');
                    offsets.push(line_end);
                    let (body, body_offsets) = body_with_offsets(heredoc);
                    text.push_str(&body);
                    offsets.extend(body_offsets.iter().take(body.len()));
                    if !body.is_empty() && !body.ends_with('\n') {
                        text.push('\n');
                        offsets.push(usize::from(heredoc.end_range.start()));
                    }
                    text.push_str(&heredoc.name);
                    let end = usize::from(heredoc.end_range.start());
                    offsets.extend((0..heredoc.name.len()).map(|i| end + i));
                    text.push('\n');
                    offsets.push(usize::from(heredoc.end_range.end()));
                }
                offsets.push(offsets.last().map_or(0, |o| o + 1));
                push(
                    &mut out,
                    ScriptOrigin::ShellForm,
                    (text, offsets),
                    shell_name.clone(),
                );
                // `RUN <<EOF bash`: a shell reading a heredoc on stdin runs it as a script.
                // Only one heredoc can be that script, so only then is the line parsed.
                let command_line = out
                    .first()
                    .filter(|_| heredocs.len() == 1)
                    .and_then(|first| Script::parse(&first.text).ok());
                if let Some(first) = command_line {
                    let feeds_shell = first.commands().any(|c| {
                        c.command().name_literal().is_some_and(is_shell)
                            && c.command().args.is_empty()
                    });
                    if feeds_shell && heredocs.len() == 1 {
                        let interpreter = first.commands().find_map(|c| {
                            c.command()
                                .name_literal()
                                .filter(|n| is_shell(n))
                                .map(program_name)
                        });
                        push(
                            &mut out,
                            ScriptOrigin::Heredoc(0),
                            body_with_offsets(&heredocs[0]),
                            interpreter.unwrap_or(shell_name),
                        );
                    }
                }
            }
        }
        Args::Exec(exec) => {
            // ["sh", "-c", "script"] (also `bash -ec`, `sh -xc`...).
            let values: Vec<&str> = exec.args.iter().map(|a| a.value.as_str()).collect();
            if let [program, flag, script_arg, ..] = values.as_slice() {
                if is_shell(program) && flag.starts_with('-') && flag.ends_with('c') {
                    let arg = &exec.args[2];
                    let start = usize::from(arg.range.start()) + 1;
                    let end = usize::from(arg.range.end()).saturating_sub(1).max(start);
                    // JSON escapes make the text shorter than the source: clamp into it.
                    let offsets: Vec<usize> = (0..=script_arg.len())
                        .map(|i| (start + i).min(end))
                        .collect();
                    push(
                        &mut out,
                        ScriptOrigin::ExecShell,
                        (script_arg.to_string(), offsets),
                        program_name(program),
                    );
                }
            }
        }
        _ => {}
    }
    out
}

/// A heredoc body (tabs stripped for `<<-`) and the file offset of each of its bytes.
fn body_with_offsets(heredoc: &dockopt_syntax::Heredoc) -> (String, Vec<usize>) {
    let start = usize::from(heredoc.body_range.start());
    let mut text = String::with_capacity(heredoc.raw_body.len());
    let mut offsets = Vec::with_capacity(heredoc.raw_body.len() + 1);
    let mut at = start;
    for line in heredoc.raw_body.split_inclusive('\n') {
        let kept = if heredoc.strip_tabs {
            line.trim_start_matches('\t')
        } else {
            line
        };
        let skipped = line.len() - kept.len();
        text.push_str(kept);
        offsets.extend((0..kept.len()).map(|i| at + skipped + i));
        at += line.len();
    }
    offsets.push(at);
    (text, offsets)
}

fn push(
    out: &mut Vec<ScriptText>,
    origin: ScriptOrigin,
    (text, offsets): (String, Vec<usize>),
    shell: String,
) {
    out.push(ScriptText {
        origin,
        text,
        shell,
        offsets,
    });
}
