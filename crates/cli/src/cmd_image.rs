//! `dockopt image ...`: read container images.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ImageCommand {
    /// Where the bytes are: layers, wasted bytes, leftovers, packages.
    Inspect {
        /// An OCI layout directory, an oci-archive tar or a docker-archive tar.
        image: PathBuf,
    },
}

pub fn run(cmd: ImageCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImageCommand::Inspect { image } => anyhow::bail!("cannot read {} yet", image.display()),
    }
}
