//! `dockopt image ...`: read container images.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use dockopt_image::ci::Thresholds;
use dockopt_image::{InspectOptions, Platform};

/// Output format of `image inspect`.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Format {
    /// Aligned tables.
    Human,
    /// The versioned JSON report (see crates/image/SCHEMA.md).
    Json,
}

#[derive(clap::Subcommand)]
pub enum ImageCommand {
    /// Where the bytes are: layers, wasted bytes, leftovers, packages.
    Inspect {
        /// An OCI layout directory, an oci-archive tar or a docker-archive tar.
        image: PathBuf,
        /// Platform to read from a multi-platform image: os/arch[/variant].
        #[arg(long)]
        platform: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value = "human")]
        format: Format,
        /// Fail (exit 1) when a threshold is crossed (.dive-ci, dockopt.toml [image]).
        #[arg(long)]
        ci: bool,
        /// dive-style CI rules file (default: .dive-ci in the current directory).
        #[arg(long, value_name = "FILE")]
        ci_config: Option<PathBuf>,
        /// How many duplicates, largest files and directories to list.
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
}

pub fn run(cmd: ImageCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ImageCommand::Inspect {
            image,
            platform,
            format,
            ci,
            ci_config,
            top,
        } => inspect(image, platform, format, ci, ci_config, top),
    }
}

fn inspect(
    image: PathBuf,
    platform: Option<String>,
    format: Format,
    ci: bool,
    ci_config: Option<PathBuf>,
    top: usize,
) -> anyhow::Result<ExitCode> {
    let platform = platform
        .map(|p| Platform::parse(&p))
        .transpose()
        .map_err(anyhow::Error::msg)?;
    // Read the thresholds first: a bad config should fail before a long read.
    let thresholds = if ci {
        let cwd = std::env::current_dir()?;
        Some(Thresholds::load(&cwd, ci_config.as_deref()).map_err(anyhow::Error::msg)?)
    } else {
        None
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = indicatif::ProgressBar::new(0);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} reading layers {pos}/{len} {wide_bar}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar
    });
    let mut options = InspectOptions {
        platform,
        top,
        ..InspectOptions::default()
    };
    if let Some(bar) = &bar {
        let bar = bar.clone();
        options.progress = Some(Arc::new(move |done, total| {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
        }));
    }
    let report = dockopt_image::inspect(&image, &options);
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let report = report?;
    let checks = thresholds.as_ref().map(|t| t.evaluate(&report));
    match format {
        Format::Json => {
            let mut value = serde_json::to_value(&report)?;
            if let (Some(checks), Some(map)) = (&checks, value.as_object_mut()) {
                map.insert("ci".into(), serde_json::to_value(checks)?);
            }
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        Format::Human => {
            print!("{}", report.to_human());
            if let Some(checks) = &checks {
                println!("\nCI");
                for c in checks {
                    println!(
                        "  {}: {}: {}",
                        if c.passed { "PASS" } else { "FAIL" },
                        c.rule,
                        c.message
                    );
                }
            }
        }
    }
    let failed = checks.is_some_and(|c| c.iter().any(|c| !c.passed));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
