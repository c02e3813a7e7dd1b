use crate::helpers::size::{
    absolute, command_cwd, layers_below, line_of, resolve_word, rm_paths, run_env, ships,
};
use crate::helpers::speed::range;
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `ADD <url>` of an archive (`.tar.gz`, `.tgz`, `.tar.xz`, `.zip`...) when a
    /// later `RUN` of the image extracts it (`tar -x`, `unzip`) and deletes it: the
    /// archive was only a means to an end. Only stages whose layers end up in the image
    /// are checked.
    ///
    /// ## Why it matters
    /// `ADD` stores the archive in its own layer, and deleting it later does not remove
    /// those bytes: the image carries the archive and its extracted content.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// ADD https://example.com/tool-1.2.tar.gz /tmp/tool.tar.gz
    /// RUN tar -xzf /tmp/tool.tar.gz -C /opt && rm /tmp/tool.tar.gz
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN curl -fsSL https://example.com/tool-1.2.tar.gz | tar -xz -C /opt
    /// ```
    ///
    /// ## Fix safety
    /// No automatic fix: the download then needs a tool (curl, wget) in the image, or a
    /// builder stage.
    pub struct RemoteAddThenExtract {
        name: "remote-add-then-extract",
        group: Size,
        level: Info,
        aliases: [],
        fix: None,
        summary: "ADD of a remote archive that a later RUN extracts and deletes",
    }
}

const ARCHIVES: &[&str] = &[
    ".tar", ".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar.zst", ".zip",
];

fn is_archive(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ARCHIVES.iter().any(|e| lower.ends_with(e))
}

impl Check for RemoteAddThenExtract {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let adds: Vec<(InstructionId, String, std::ops::Range<usize>)> = ctx
            .instructions_of(InstructionKind::Add)
            .filter(|(id, _)| ships(ctx, *id))
            .filter_map(|(id, instruction)| {
                let args = instruction.copy_args()?;
                let [source] = args.sources.as_slice() else {
                    return None;
                };
                let url = match ctx.model.expand_at(id, &source.value) {
                    Some(Ok(e)) => e.value,
                    _ => return None,
                };
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return None;
                }
                let path_part = url.split(['?', '#']).next().unwrap_or(&url);
                let file = path_part.rsplit('/').next().unwrap_or(path_part);
                if !is_archive(file) || url.contains('#') {
                    return None;
                }
                let dest = ctx.model.expand_at(id, &args.dest?.value)?.ok()?.value;
                let workdir = ctx.state(id).map_or("/", |s| s.workdir.as_str());
                let dest = if dest.ends_with('/') {
                    absolute(&format!("{dest}{file}"), workdir)
                } else {
                    absolute(&dest, workdir)
                };
                Some((id, dest, range(instruction.range())))
            })
            .collect();
        for (add_id, archive, add_range) in adds {
            let later = ctx
                .instructions_of(InstructionKind::Run)
                .filter(|(id, _)| *id > add_id && layers_below(ctx, *id).contains(&add_id));
            for (run_id, run) in later {
                let mut extracted = false;
                let mut deleted = false;
                for script in ctx.scripts(run_id) {
                    for cmd in script.script.commands() {
                        let command = cmd.command();
                        let env = run_env(ctx, run_id, &cmd);
                        let workdir = env.workdir.clone().unwrap_or_else(|| "/".into());
                        let Some(cwd) = command_cwd(script, cmd.span().start, &env, &workdir)
                        else {
                            continue;
                        };
                        let names_archive = command.args.iter().any(|w| {
                            resolve_word(w, &env).is_some_and(|v| {
                                let v = v.strip_prefix("--file=").unwrap_or(&v);
                                absolute(v, &cwd) == archive
                            })
                        });
                        let extracts = match command.program() {
                            Some("tar" | "bsdtar") => command.args.iter().any(|w| {
                                w.literal().is_some_and(|l| {
                                    l == "--extract"
                                        || l.starts_with("--get")
                                        || (!l.starts_with("--")
                                            && l.trim_start_matches('-').contains('x'))
                                })
                            }),
                            Some("unzip" | "gunzip" | "7z" | "xz" | "unxz" | "bunzip2") => true,
                            _ => false,
                        };
                        if extracts && names_archive {
                            extracted = true;
                        }
                        if rm_paths(ctx, run_id, script, &cmd)
                            .iter()
                            .any(|d| d.path == archive)
                        {
                            deleted = true;
                        }
                    }
                }
                if extracted && deleted {
                    let line = line_of(ctx.source, usize::from(run.range().start()));
                    out.report(
                        add_range.clone(),
                        format!(
                            "`ADD` stores the archive {archive} in a layer; the RUN on line {line} extracts and deletes it, but its bytes stay in the image"
                        ),
                    )
                    .help("download and extract in one RUN (`curl -fsSL URL | tar -xz -C DIR`), or in a builder stage");
                    break;
                }
            }
        }
    }
}
