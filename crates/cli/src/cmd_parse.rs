//! `dockopt parse FILE`: print the syntax tree, BuildKit's AST dump, or JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use dockopt_syntax::{LineIndex, SyntaxError};

/// Output formats of `dockopt parse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Indented dump of the lossless syntax tree.
    Tree,
    /// BuildKit's AST dump (`Node.Dump()`), as in BuildKit's parser test results.
    Buildkit,
    /// Instructions, flags, arguments, heredocs and stages with line/column spans
    /// (documented in crates/syntax/JSON.md).
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    /// The Dockerfile to parse.
    pub file: PathBuf,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Format::Tree)]
    pub format: Format,
}

fn report(file: &str, idx: &LineIndex, level: &str, diags: &[SyntaxError]) {
    for d in diags {
        let lc = idx.line_col(d.range().start());
        eprintln!("{file}:{}:{}: {level}: {}", lc.line, lc.col, d.message());
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let name = args.file.display().to_string();
    let bytes =
        std::fs::read(&args.file).map_err(|err| anyhow::anyhow!("{name}: cannot read: {err}"))?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let prefix =
                String::from_utf8_lossy(err.as_bytes().get(..valid).unwrap_or(&[])).into_owned();
            let lc = LineIndex::new(&prefix).line_col((valid as u32).into());
            eprintln!(
                "{name}:{}:{}: error: file is not valid UTF-8 (byte offset {valid})",
                lc.line, lc.col
            );
            return Ok(ExitCode::from(2));
        }
    };
    let parse = dockopt_syntax::parse(&text);
    let idx = parse.line_index();
    report(&name, &idx, "warning", parse.warnings());
    report(&name, &idx, "error", parse.errors());
    let failed = !parse.errors().is_empty();
    match args.format {
        Format::Tree => print!("{}", parse.tree_dump()),
        Format::Buildkit if !failed => print!("{}", parse.buildkit_dump()),
        Format::Buildkit => {}
        Format::Json => println!("{}", serde_json::to_string_pretty(&parse.to_json())?),
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
