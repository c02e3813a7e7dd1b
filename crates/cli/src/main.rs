//! The `dockopt` command line: wires the library crates together.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd_image;
mod cmd_parse;

#[derive(Parser)]
#[command(
    name = "dockopt",
    version,
    about = "Find and fix what makes container builds slow, images big and builds flaky"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Parse a Dockerfile and print its syntax tree.
    Parse(cmd_parse::Args),
    /// Read container images: where the bytes are, what changed.
    #[command(subcommand)]
    Image(cmd_image::ImageCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Parse(args) => cmd_parse::run(args),
        Command::Image(cmd) => cmd_image::run(cmd),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}
