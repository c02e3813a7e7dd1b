//! `dockopt.toml`: selections, per-rule levels and options, per-path overrides.
//!
//! ```toml
//! select = ["speed", "security"]        # replaces the default set
//! extend-select = ["base-image-no-digest"]
//! ignore = ["copy-link", "DL3008"]      # names, groups and aliases
//! failure-level = "warning"             # exit 1 only for findings at or above this
//!
//! [rules]
//! missing-cache-mount = "error"         # a level, or "off"
//! invalid-label = { level = "warning", schema = { maintainer = "email" } }
//!
//! [[overrides]]
//! files = ["legacy/**"]
//! ignore = ["runs-as-root"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockopt_diagnostic::Level;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

use crate::selection::{SelectionSpec, Selector};
use crate::Rule;

/// The name of the config file found by walking up from a Dockerfile.
pub const CONFIG_FILE_NAME: &str = "dockopt.toml";

/// The names of hadolint's config file, read when no `dockopt.toml` is nearer.
pub const HADOLINT_FILE_NAMES: [&str; 2] = [".hadolint.yaml", ".hadolint.yml"];

/// A config that failed to load; the message names the file and the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawConfig {
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    extend_select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    failure_level: Option<String>,
    #[serde(default)]
    rules: BTreeMap<String, RawRule>,
    #[serde(default)]
    overrides: Vec<RawOverride>,
    /// Read by `dockopt image`; not a lint setting.
    #[allow(dead_code)]
    image: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum RawRule {
    Level(String),
    Table(toml::Table),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawOverride {
    files: Vec<String>,
    #[serde(default)]
    select: Vec<String>,
    #[serde(default)]
    extend_select: Vec<String>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    rules: BTreeMap<String, RawRule>,
}

/// A loaded, validated config.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    pub spec: SelectionSpec,
    pub failure_level: Option<Level>,
    /// No finding makes the run fail (hadolint's `failure-threshold: none`, `no-fail`).
    pub never_fail: bool,
    /// What the config asked for that dockopt does not do, one sentence each, naming the
    /// file and the key; shown once on stderr.
    pub warnings: Vec<String>,
    /// Per-rule options (the keys of a rule's table other than `level`), by rule name.
    pub options: BTreeMap<&'static str, toml::Table>,
    overrides: Vec<Override>,
}

#[derive(Debug, Clone)]
struct Override {
    files: GlobSet,
    spec: SelectionSpec,
}

impl Config {
    /// Finds `dockopt.toml` in `start` or the nearest folder above it.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        start
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Finds the nearest config in `start` or a folder above it: `dockopt.toml`, else
    /// hadolint's `.hadolint.yaml` / `.hadolint.yml`. In one folder, `dockopt.toml` wins.
    pub fn discover_any(start: &Path) -> Option<PathBuf> {
        start.ancestors().find_map(|dir| {
            std::iter::once(CONFIG_FILE_NAME)
                .chain(HADOLINT_FILE_NAMES)
                .map(|name| dir.join(name))
                .find(|candidate| candidate.is_file())
        })
    }

    /// Loads `path` as a hadolint config when its name ends in `.yaml` or `.yml`, else as
    /// a `dockopt.toml`.
    pub fn load_any(path: &Path, rules: &[&'static dyn Rule]) -> Result<Config, ConfigError> {
        let is_yaml = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
        if is_yaml {
            crate::hadolint_config::load(path, rules)
        } else {
            Config::load(path, rules)
        }
    }

    pub fn load(path: &Path, rules: &[&'static dyn Rule]) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("{}: cannot read: {e}", path.display())))?;
        let mut config = Config::parse(&text, rules)
            .map_err(|e| ConfigError(format!("{}: {}", path.display(), e.0)))?;
        config.path = Some(path.to_path_buf());
        Ok(config)
    }

    pub fn parse(text: &str, rules: &[&'static dyn Rule]) -> Result<Config, ConfigError> {
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| ConfigError(e.to_string().trim_end().to_string()))?;
        let mut config = Config::default();
        config.spec.select = selectors("select", &raw.select, rules)?;
        config.spec.extend_select = selectors("extend-select", &raw.extend_select, rules)?;
        config.spec.ignore = selectors("ignore", &raw.ignore, rules)?;
        config.failure_level = match raw.failure_level.as_deref() {
            None => None,
            Some(text) => Some(Level::parse(text).ok_or_else(|| {
                ConfigError(format!(
                    "`failure-level`: unknown level `{text}` (expected error, warning or info)"
                ))
            })?),
        };
        config.spec.levels = rule_levels("rules", &raw.rules, rules, &mut config.options)?;
        for (index, raw_override) in raw.overrides.iter().enumerate() {
            let key = format!("overrides[{index}]");
            let mut builder = GlobSetBuilder::new();
            for pattern in &raw_override.files {
                let glob = Glob::new(pattern).map_err(|e| {
                    ConfigError(format!("`{key}.files`: bad pattern `{pattern}`: {e}"))
                })?;
                builder.add(glob);
            }
            let files = builder
                .build()
                .map_err(|e| ConfigError(format!("`{key}.files`: {e}")))?;
            let mut ignored_options = BTreeMap::new();
            let spec = SelectionSpec {
                select: selectors(&format!("{key}.select"), &raw_override.select, rules)?,
                extend_select: selectors(
                    &format!("{key}.extend-select"),
                    &raw_override.extend_select,
                    rules,
                )?,
                ignore: selectors(&format!("{key}.ignore"), &raw_override.ignore, rules)?,
                levels: rule_levels(
                    &format!("{key}.rules"),
                    &raw_override.rules,
                    rules,
                    &mut ignored_options,
                )?,
            };
            config.overrides.push(Override { files, spec });
        }
        Ok(config)
    }

    /// The selection for a file at `relative` (relative to the config's folder), with the
    /// command line's choices applied last: `--select` replaces, `--ignore` adds.
    pub fn spec_for(&self, relative: &Path, cli: &SelectionSpec) -> SelectionSpec {
        let mut spec = self.spec.clone();
        for o in self.overrides.iter().filter(|o| o.files.is_match(relative)) {
            if !o.spec.select.is_empty() {
                spec.select = o.spec.select.clone();
            }
            spec.extend_select
                .extend(o.spec.extend_select.iter().cloned());
            spec.ignore.extend(o.spec.ignore.iter().cloned());
            spec.levels.extend(o.spec.levels.iter().cloned());
        }
        if !cli.select.is_empty() {
            spec.select = cli.select.clone();
            spec.extend_select.clear();
        }
        spec.extend_select.extend(cli.extend_select.iter().cloned());
        spec.ignore.extend(cli.ignore.iter().cloned());
        spec.levels.extend(cli.levels.iter().cloned());
        spec
    }
}

fn selectors(
    key: &str,
    names: &[String],
    rules: &[&'static dyn Rule],
) -> Result<Vec<Selector>, ConfigError> {
    names
        .iter()
        .map(|name| Selector::parse(name, rules).map_err(|e| ConfigError(format!("`{key}`: {e}"))))
        .collect()
}

/// `Some(None)` is "off".
fn parse_level(key: &str, text: &str) -> Result<Option<Option<Level>>, ConfigError> {
    if text.eq_ignore_ascii_case("off") || text.eq_ignore_ascii_case("ignore") {
        return Ok(Some(None));
    }
    Level::parse(text)
        .map(|level| Some(Some(level)))
        .ok_or_else(|| {
            ConfigError(format!(
                "`{key}`: unknown level `{text}` (expected error, warning, info or off)"
            ))
        })
}

fn rule_levels(
    key: &str,
    raw: &BTreeMap<String, RawRule>,
    rules: &[&'static dyn Rule],
    options: &mut BTreeMap<&'static str, toml::Table>,
) -> Result<Vec<(Selector, Option<Level>)>, ConfigError> {
    let mut out = Vec::new();
    for (name, value) in raw {
        let entry_key = format!("{key}.{name}");
        let selector =
            Selector::parse(name, rules).map_err(|e| ConfigError(format!("`{entry_key}`: {e}")))?;
        let level_text = match value {
            RawRule::Level(text) => Some(text.clone()),
            RawRule::Table(table) => {
                let mut table = table.clone();
                let level = match table.remove("level") {
                    None => None,
                    Some(toml::Value::String(text)) => Some(text),
                    Some(other) => {
                        return Err(ConfigError(format!(
                            "`{entry_key}.level`: expected a string, found {}",
                            other.type_str()
                        )))
                    }
                };
                if !table.is_empty() {
                    let Selector::Rules(names) = &selector else {
                        return Err(ConfigError(format!(
                            "`{entry_key}`: options can be given to one rule, not to a group"
                        )));
                    };
                    for rule_name in names {
                        options.insert(rule_name, table.clone());
                    }
                }
                level
            }
        };
        if let Some(text) = level_text {
            if let Some(level) = parse_level(&entry_key, &text)? {
                out.push((selector, level));
            }
        }
    }
    Ok(out)
}
