//! The `dockopt` command line: wires the library crates together.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod allocator;
mod cmd_fix;
mod cmd_image;
mod cmd_lint;
mod cmd_parse;
mod cmd_rules;
mod discover;
mod rule_setup;

#[global_allocator]
static GLOBAL: allocator::SplitAllocator = allocator::SplitAllocator;

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
    /// Find Dockerfiles and report what makes builds slow, images big and builds flaky.
    Lint(cmd_lint::Args),
    /// Apply safe fixes in place (atomically); `--diff` shows them instead.
    Fix(cmd_fix::Args),
    /// List the rules.
    Rules(cmd_rules::RulesArgs),
    /// Show one rule's documentation.
    Explain(cmd_rules::ExplainArgs),
    /// Parse a Dockerfile and print its syntax tree.
    Parse(cmd_parse::Args),
    /// Read container images: where the bytes are, what changed.
    #[command(subcommand)]
    Image(cmd_image::ImageCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Lint(args) => cmd_lint::run(args),
        Command::Fix(args) => cmd_fix::run(args),
        Command::Rules(args) => cmd_rules::rules(args),
        Command::Explain(args) => cmd_rules::explain(args),
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
