//! `dockopt lint [PATH...]`: find Dockerfiles and report what makes their builds slow, their
//! images big and their builds flaky.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

use anyhow::{bail, Context as _};
use dockopt_report::{
    render, statistics, FileError, FileResult, Format, Level, RenderOptions, RuleInfo,
};
use dockopt_rules::config::Config;
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{lint_source, Diagnostic, FileLint, LintSettings, ALL};
use rayon::prelude::*;

use crate::discover::find_dockerfiles;

#[derive(clap::Args)]
pub struct Args {
    /// Dockerfiles, or directories to search for them (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format: human, json, sarif, github, checkstyle or junit.
    #[arg(long, default_value = "human")]
    pub format: Format,
    /// Only these rules, groups or aliases (comma-separated; replaces the default set).
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Add these rules, groups or aliases to the set.
    #[arg(long, value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Leave out these rules, groups or aliases.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Exit 1 only for findings at or above this level: error, warning or info.
    #[arg(long)]
    pub level: Option<String>,
    /// Use this config file instead of the nearest dockopt.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Print how many findings each rule produced, after the report.
    #[arg(long)]
    pub statistics: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let selectors = |names: &[String]| -> anyhow::Result<Vec<Selector>> {
        names
            .iter()
            .filter(|n| !n.trim().is_empty())
            .map(|n| Selector::parse(n, ALL).map_err(anyhow::Error::from))
            .collect()
    };
    let cli_spec = SelectionSpec {
        select: selectors(&args.select)?,
        extend_select: selectors(&args.extend_select)?,
        ignore: selectors(&args.ignore)?,
        levels: Vec::new(),
    };
    let cli_level = match &args.level {
        Some(text) => Some(Level::parse(text).with_context(|| {
            format!("--level: unknown level `{text}` (expected error, warning or info)")
        })?),
        None => None,
    };
    let explicit_config = match &args.config {
        Some(path) => Some(Config::load(path, ALL)?),
        None => None,
    };

    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let files = find_dockerfiles(&paths)?;
    if files.is_empty() {
        bail!("no Dockerfiles found in {}", display_list(&paths));
    }

    let configs: Mutex<HashMap<PathBuf, std::sync::Arc<Config>>> = Mutex::new(HashMap::new());
    let results: Vec<anyhow::Result<Linted>> = files
        .par_iter()
        .map(|path| {
            let config = match &explicit_config {
                Some(config) => std::sync::Arc::new(config.clone()),
                None => load_config_for(path, &configs)?,
            };
            let relative = config
                .path
                .as_deref()
                .and_then(Path::parent)
                .and_then(|dir| path.strip_prefix(dir).ok())
                .unwrap_or(path);
            let selection = Selection::resolve(&config.spec_for(relative, &cli_spec), ALL);
            let settings = LintSettings {
                rules: ALL,
                selection: &selection,
                options: &config.options,
            };
            let (text, lint) = match std::fs::read(path) {
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(text) => {
                        let lint = lint_source(path, &text, &settings);
                        (text, lint)
                    }
                    Err(_) => (String::new(), unreadable("the file is not UTF-8 text")),
                },
                Err(e) => (String::new(), unreadable(&format!("cannot read: {e}"))),
            };
            Ok(Linted {
                path: display_path(path),
                text,
                lint,
                failure_level: cli_level.or(config.failure_level).unwrap_or(Level::Info),
            })
        })
        .collect();
    let linted: Vec<Linted> = results.into_iter().collect::<anyhow::Result<_>>()?;

    let diagnostics: Vec<Vec<Diagnostic>> = linted
        .iter()
        .map(|l| {
            l.lint
                .findings
                .iter()
                .map(|f| f.diagnostic.clone())
                .collect()
        })
        .collect();
    let file_results: Vec<FileResult<'_>> = linted
        .iter()
        .zip(&diagnostics)
        .map(|(l, d)| FileResult {
            path: &l.path,
            source: &l.text,
            diagnostics: d,
            errors: &l.lint.errors,
        })
        .collect();
    let rule_infos: Vec<RuleInfo<'_>> = rule_infos();
    let color = args.format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut out = render(
        args.format,
        &file_results,
        &rule_infos,
        RenderOptions { color },
    );
    if args.statistics {
        if args.format == Format::Human {
            out.push_str(&statistics(&file_results));
        } else {
            eprint!("{}", statistics(&file_results));
        }
    }
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`dockopt lint | head`) is not an error worth reporting.
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();

    let code = if linted.iter().any(|l| !l.lint.errors.is_empty()) {
        2
    } else if linted
        .iter()
        .zip(&diagnostics)
        .any(|(l, d)| d.iter().any(|d| d.level >= l.failure_level))
    {
        1
    } else {
        0
    };
    Ok(ExitCode::from(code))
}

struct Linted {
    path: String,
    text: String,
    lint: FileLint,
    failure_level: Level,
}

fn unreadable(message: &str) -> FileLint {
    FileLint {
        findings: Vec::new(),
        errors: vec![FileError {
            message: message.to_string(),
            range: None,
        }],
    }
}

/// The nearest dockopt.toml above `path`, loaded once per file found.
fn load_config_for(
    path: &Path,
    cache: &Mutex<HashMap<PathBuf, std::sync::Arc<Config>>>,
) -> anyhow::Result<std::sync::Arc<Config>> {
    let dir = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."));
    let dir = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let Some(found) = Config::discover(&dir) else {
        return Ok(std::sync::Arc::new(Config::default()));
    };
    if let Some(config) = cache
        .lock()
        .map_err(|_| anyhow::anyhow!("config cache poisoned"))?
        .get(&found)
    {
        return Ok(config.clone());
    }
    let config = std::sync::Arc::new(Config::load(&found, ALL)?);
    cache
        .lock()
        .map_err(|_| anyhow::anyhow!("config cache poisoned"))?
        .insert(found, config.clone());
    Ok(config)
}

pub fn rule_infos() -> Vec<RuleInfo<'static>> {
    ALL.iter()
        .map(|r| {
            let meta = r.meta();
            RuleInfo {
                name: meta.name,
                group: meta.group,
                level: meta.enabled_level(),
                summary: meta.summary,
                documentation: meta.raw_documentation,
            }
        })
        .collect()
}

fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

fn display_list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}
