//! What `lint` and `fix` share: the rule-selection flags, config discovery, and printing
//! findings.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::Context as _;
use dockopt_report::{
    render, statistics, FileError, FileResult, Format, Level, RenderOptions, RuleInfo,
};
use dockopt_rules::config::Config;
use dockopt_rules::hadolint_config;
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{Diagnostic, FileLint, ALL};

/// The flags that choose rules.
#[derive(clap::Args, Clone)]
pub struct RuleArgs {
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
    /// Use this config file instead of the nearest dockopt.toml (a `.yaml`/`.yml` file is
    /// read as a hadolint config).
    #[arg(long, conflicts_with = "hadolint_config")]
    pub config: Option<PathBuf>,
    /// Use this hadolint config file (`.hadolint.yaml` format) instead of the nearest
    /// dockopt.toml or .hadolint.yaml.
    #[arg(long, value_name = "FILE")]
    pub hadolint_config: Option<PathBuf>,
}

/// Resolved rule choices, with the configs found so far.
pub struct RuleSetup {
    cli_spec: SelectionSpec,
    cli_level: Option<Level>,
    explicit: Option<Arc<Config>>,
    found: Mutex<HashMap<PathBuf, Arc<Config>>>,
}

/// What applies to one file.
pub struct FileSetup {
    pub config: Arc<Config>,
    pub selection: Selection,
    /// Findings at or above this level fail the run; `None`: nothing does.
    pub failure_level: Option<Level>,
}

impl RuleSetup {
    pub fn new(args: &RuleArgs) -> anyhow::Result<RuleSetup> {
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
        let explicit = match (&args.config, &args.hadolint_config) {
            (Some(path), _) => Some(Arc::new(loaded(Config::load_any(path, ALL)?))),
            (None, Some(path)) => Some(Arc::new(loaded(hadolint_config::load(path, ALL)?))),
            (None, None) => None,
        };
        Ok(RuleSetup {
            cli_spec,
            cli_level,
            explicit,
            found: Mutex::new(HashMap::new()),
        })
    }

    pub fn for_file(&self, path: &Path) -> anyhow::Result<FileSetup> {
        let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        let config = match &self.explicit {
            Some(config) => config.clone(),
            None => self.discover(&absolute)?,
        };
        let relative = config
            .path
            .as_deref()
            .and_then(Path::parent)
            .and_then(|dir| absolute.strip_prefix(dir).ok())
            .unwrap_or(path);
        let selection = Selection::resolve(&config.spec_for(relative, &self.cli_spec), ALL);
        let failure_level = match self.cli_level {
            Some(level) => Some(level),
            None if config.never_fail => None,
            None => Some(config.failure_level.unwrap_or(Level::Info)),
        };
        Ok(FileSetup {
            config,
            selection,
            failure_level,
        })
    }

    /// The nearest dockopt.toml (or, nearer, .hadolint.yaml) above `path`, each loaded once.
    fn discover(&self, path: &Path) -> anyhow::Result<Arc<Config>> {
        let dir = path.parent().unwrap_or(Path::new("."));
        let Some(found) = Config::discover_any(dir) else {
            return Ok(Arc::new(Config::default()));
        };
        let mut cache = self
            .found
            .lock()
            .map_err(|_| anyhow::anyhow!("config cache poisoned"))?;
        if let Some(config) = cache.get(&found) {
            return Ok(config.clone());
        }
        let config = Arc::new(loaded(Config::load_any(&found, ALL)?));
        cache.insert(found, config.clone());
        Ok(config)
    }
}

/// A config just loaded, after its warnings are shown (once: configs are loaded once).
fn loaded(config: Config) -> Config {
    for warning in &config.warnings {
        eprintln!("warning: {warning}");
    }
    config
}

/// One file's findings, ready to print.
pub struct Reported {
    pub path: String,
    pub text: String,
    pub lint: FileLint,
    /// `None`: no finding fails the run.
    pub failure_level: Option<Level>,
}

impl Reported {
    pub fn unreadable(path: String, message: String) -> Reported {
        Reported {
            path,
            text: String::new(),
            lint: FileLint {
                findings: Vec::new(),
                errors: vec![FileError {
                    message,
                    range: None,
                }],
            },
            failure_level: Some(Level::Info),
        }
    }

    pub fn fails(&self) -> bool {
        self.failure_level.is_some_and(|failure_level| {
            self.lint
                .findings
                .iter()
                .any(|f| f.diagnostic.level >= failure_level)
        })
    }
}

/// Prints the findings in `format` (statistics after them when asked) and returns the exit
/// code: 2 when a file could not be read or parsed, 1 when a finding is at or above its
/// failure level, else 0.
pub fn print_report(reported: &[Reported], format: Format, with_statistics: bool) -> u8 {
    let diagnostics: Vec<Vec<Diagnostic>> = reported
        .iter()
        .map(|r| {
            r.lint
                .findings
                .iter()
                .map(|f| f.diagnostic.clone())
                .collect()
        })
        .collect();
    let files: Vec<FileResult<'_>> = reported
        .iter()
        .zip(&diagnostics)
        .map(|(r, d)| FileResult {
            path: &r.path,
            source: &r.text,
            diagnostics: d,
            errors: &r.lint.errors,
        })
        .collect();
    let color = format == Format::Human
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    let mut out = render(format, &files, &rule_infos(), RenderOptions { color });
    if with_statistics {
        if format == Format::Human {
            out.push_str(&statistics(&files));
        } else {
            eprint!("{}", statistics(&files));
        }
    }
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`dockopt lint | head`) is not an error worth reporting.
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    if reported.iter().any(|r| !r.lint.errors.is_empty()) {
        2
    } else if reported.iter().any(Reported::fails) {
        1
    } else {
        0
    }
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

/// Reads a Dockerfile as text, or says why not.
pub fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    String::from_utf8(bytes).map_err(|_| "the file is not UTF-8 text".to_string())
}

pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}
