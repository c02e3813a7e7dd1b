use crate::helpers::style::{classify_add_source, like_case, range, AddSource};
use crate::prelude::*;

declare_rule! {
    /// ## What it does
    /// Reports `ADD` of local files or directories, which `COPY` copies the same way. `ADD`
    /// is left alone when it does something `COPY` cannot: fetch a URL, clone a Git
    /// repository, or unpack a local tar archive (`.tar`, `.tar.gz`/`.tgz`, `.tar.xz`,
    /// `.tar.bz2`, `.tar.zst`...). Sources are expanded with the step's `ARG`/`ENV` values
    /// first; a source whose value is unknown is not judged.
    ///
    /// ## Why it matters
    /// `ADD` quietly unpacks anything that looks like a tar archive and fetches anything
    /// that looks like a URL, so a renamed file or a new wildcard match changes what lands
    /// in the image. `COPY` only copies: a reader knows what the step does, and so does the
    /// build.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.4
    /// ADD requirements.txt /usr/src/app/
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM python:3.4
    /// COPY requirements.txt /usr/src/app/
    /// ```
    ///
    /// ## Fix safety
    /// Safe when every source is plainly a local non-archive path: the keyword becomes
    /// `COPY` (in the same case), flags and paths are kept. When a wildcard could match an
    /// archive (`ADD conf/* /etc/app/`), `ADD` would unpack that archive and `COPY` would
    /// not, so the fix is unsafe.
    pub struct AddInsteadOfCopy {
        name: "add-instead-of-copy",
        group: Correctness,
        level: Warning,
        aliases: ["DL3020", "DS-0005", "CKV_DOCKER_4"],
        fix: Safe,
        summary: "`ADD` of local files, where `COPY` is meant",
    }
}

impl Check for AddInsteadOfCopy {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (id, ins) in ctx.instructions_of(InstructionKind::Add) {
            let Some(args) = ins.copy_args() else {
                continue;
            };
            if args.sources.is_empty()
                || args.flags.checksum.is_some()
                || args.flags.keep_git_dir.is_some()
            {
                continue;
            }
            let mut worst = AddSource::Plain;
            for source in &args.sources {
                let value = if source.value.starts_with("<<") {
                    Some(source.value.clone())
                } else {
                    match ctx.model.expand_at(id, &source.value) {
                        Some(Ok(e)) if e.unset().is_empty() => Some(e.value),
                        _ => None,
                    }
                };
                let class = value.map_or(AddSource::Unknown, |v| classify_add_source(&v));
                worst = match (worst, class) {
                    (AddSource::NeedsAdd, _) | (_, AddSource::NeedsAdd) => AddSource::NeedsAdd,
                    (AddSource::Unknown, _) | (_, AddSource::Unknown) => AddSource::Unknown,
                    (AddSource::MaybeArchive, _) | (_, AddSource::MaybeArchive) => {
                        AddSource::MaybeArchive
                    }
                    _ => AddSource::Plain,
                };
            }
            let safety = match worst {
                AddSource::Plain => FixSafety::Safe,
                AddSource::MaybeArchive => FixSafety::Unsafe,
                AddSource::NeedsAdd | AddSource::Unknown => continue,
            };
            let keyword = range(ins.keyword_range());
            let copy = like_case(ins.keyword(), "COPY");
            let what = match args.sources.as_slice() {
                [one] => format!("`{}`", one.value),
                many => format!("{} local sources", many.len()),
            };
            let message = match worst {
                AddSource::MaybeArchive => format!(
                    "`ADD` of {what} copies local files, as `COPY` does, except that a wildcard \
                     match that is a tar archive would be unpacked"
                ),
                _ => format!(
                    "`ADD` of {what} copies local files: `COPY` does the same without `ADD`'s \
                     archive unpacking and URL fetching"
                ),
            };
            out.report(keyword.clone(), message)
                .help("use `COPY`; keep `ADD` for URLs, Git repositories and archives to unpack")
                .fix(Fix {
                    safety,
                    description: format!("replace `{}` with `{copy}`", ins.keyword()),
                    edits: vec![Edit::replace(keyword, copy)],
                });
        }
    }
}
