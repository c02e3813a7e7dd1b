//! `dockopt parse FILE`: print the syntax tree.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The Dockerfile to parse.
    pub file: PathBuf,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)?;
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}
