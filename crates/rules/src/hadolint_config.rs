//! hadolint's `.hadolint.yaml`, read as a dockopt config so a project that switches keeps its
//! settings:
//!
//! ```yaml
//! ignored: [DL3008, SC2086]          # rules ignored, by hadolint or ShellCheck id
//! override:                          # levels; hadolint's `style` is dockopt's `info`
//!   error: [DL3001]
//!   info: [DL3032]
//! failure-threshold: warning         # error | warning | info | style | ignore | none
//! label-schema:                      # feeds the `invalid-label` rule
//!   maintainer: email
//! strict-labels: true
//! ```
//!
//! An id of a hadolint check dockopt has no rule for is accepted and has no effect. A key
//! dockopt does not act on (`trustedRegistries`, `format`, ...) is named in
//! [`Config::warnings`], never dropped silently.

use std::path::Path;

use dockopt_diagnostic::Level;
use serde_yaml_ng::Value;

use crate::config::{Config, ConfigError};
use crate::foreign_ids;
use crate::selection::Selector;
use crate::Rule;

/// The rule that checks labels against a schema.
const LABEL_RULE: &str = "invalid-label";

/// Reads the hadolint config at `path`.
pub fn load(path: &Path, rules: &[&'static dyn Rule]) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError(format!("{}: cannot read: {e}", path.display())))?;
    let mut config =
        parse(&text, rules).map_err(|e| ConfigError(format!("{}: {}", path.display(), e.0)))?;
    for warning in &mut config.warnings {
        *warning = format!("{}: {warning}", path.display());
    }
    config.path = Some(path.to_path_buf());
    Ok(config)
}

/// Reads a hadolint config from its text. Warnings do not name the file; [`load`] adds it.
pub fn parse(text: &str, rules: &[&'static dyn Rule]) -> Result<Config, ConfigError> {
    let value: Value =
        serde_yaml_ng::from_str(text).map_err(|e| ConfigError(format!("not valid YAML: {e}")))?;
    let mut config = Config::default();
    let map = match value {
        Value::Null => return Ok(config),
        Value::Mapping(map) => map,
        other => {
            return Err(ConfigError(format!(
                "expected a mapping of settings at the top, found {}",
                kind(&other)
            )))
        }
    };
    let mut label_schema: Option<toml::Table> = None;
    let mut strict_labels: Option<bool> = None;
    let mut level_overrides = Vec::new();
    for (key, value) in &map {
        let Some(key) = key.as_str() else {
            return Err(ConfigError(format!(
                "expected a string key at the top, found {}",
                kind(key)
            )));
        };
        match key {
            "ignored" => {
                for id in string_list(key, value)? {
                    if let Some(selector) = selector(&id, key, rules, &mut config.warnings) {
                        config.spec.ignore.push(selector);
                    }
                }
            }
            "override" => {
                let Value::Mapping(levels) = value else {
                    return Err(ConfigError(format!(
                        "`override`: expected a mapping of levels to lists of rule ids, found {}",
                        kind(value)
                    )));
                };
                for (name, ids) in levels {
                    let name = name.as_str().unwrap_or_default();
                    let entry = format!("override.{name}");
                    let Some(level) = Level::parse(name) else {
                        config.warnings.push(format!(
                            "`{entry}`: unknown level (expected error, warning, info or style); \
                             skipped"
                        ));
                        continue;
                    };
                    for id in string_list(&entry, ids)? {
                        if let Some(selector) = selector(&id, &entry, rules, &mut config.warnings) {
                            level_overrides.push((selector, Some(level)));
                        }
                    }
                }
            }
            "failure-threshold" => {
                let text = value.as_str().ok_or_else(|| {
                    ConfigError(format!(
                        "`failure-threshold`: expected a string, found {}",
                        kind(value)
                    ))
                })?;
                match text.to_ascii_lowercase().as_str() {
                    "none" | "ignore" => config.never_fail = true,
                    _ => {
                        config.failure_level = Some(Level::parse(text).ok_or_else(|| {
                            ConfigError(format!(
                                "`failure-threshold`: unknown level `{text}` (expected error, \
                                 warning, info, style, ignore or none)"
                            ))
                        })?)
                    }
                }
            }
            "no-fail" => {
                if bool_value(key, value)? {
                    config.never_fail = true;
                }
            }
            "label-schema" => {
                let Value::Mapping(entries) = value else {
                    return Err(ConfigError(format!(
                        "`label-schema`: expected a mapping of label names to types, found {}",
                        kind(value)
                    )));
                };
                let mut table = toml::Table::new();
                for (label, kind_value) in entries {
                    let (Some(label), Some(label_type)) = (scalar(label), scalar(kind_value))
                    else {
                        return Err(ConfigError(
                            "`label-schema`: each entry must be `label: type`".to_string(),
                        ));
                    };
                    table.insert(label, toml::Value::String(label_type));
                }
                label_schema = Some(table);
            }
            "strict-labels" => strict_labels = Some(bool_value(key, value)?),
            "trustedRegistries" => config.warnings.push(
                "`trustedRegistries` is not supported: dockopt has no rule for hadolint's \
                 DL3026 (allowed registries); it is ignored"
                    .to_string(),
            ),
            "format" => config.warnings.push(
                "`format` is not read from the config file; pass `--format` to dockopt".to_string(),
            ),
            "no-color" => config.warnings.push(
                "`no-color` is not read from the config file; dockopt colours only a terminal \
                 and honours NO_COLOR"
                    .to_string(),
            ),
            "disable-ignore-pragma" => config.warnings.push(
                "`disable-ignore-pragma` is not supported: inline ignore comments stay in effect"
                    .to_string(),
            ),
            other => config.warnings.push(format!(
                "`{other}` is not a setting dockopt knows in a hadolint config; it is ignored"
            )),
        }
    }
    if label_schema.is_some() || strict_labels == Some(true) {
        match rules.iter().find(|r| r.meta().name == LABEL_RULE) {
            Some(rule) => {
                let meta = rule.meta();
                let mut options = toml::Table::new();
                options.insert(
                    "schema".to_string(),
                    toml::Value::Table(label_schema.unwrap_or_default()),
                );
                options.insert(
                    "strict".to_string(),
                    toml::Value::Boolean(strict_labels.unwrap_or(false)),
                );
                config.options.insert(meta.name, options);
                // A schema turns the label checks on, as in hadolint; `override` may still
                // change their level.
                config
                    .spec
                    .levels
                    .push((Selector::Rules(vec![meta.name]), Some(meta.enabled_level())));
            }
            None => config.warnings.push(format!(
                "`label-schema` and `strict-labels` need the `{LABEL_RULE}` rule, which this \
                 build of dockopt does not have; they are ignored"
            )),
        }
    }
    config.spec.levels.extend(level_overrides);
    Ok(config)
}

/// The selector for an id in `key`, or `None` (with a warning when the id is unknown) when
/// there is nothing to select: a check of another tool that dockopt does not make.
fn selector(
    id: &str,
    key: &str,
    rules: &[&'static dyn Rule],
    warnings: &mut Vec<String>,
) -> Option<Selector> {
    match Selector::parse(id, rules) {
        Ok(selector) => Some(selector),
        Err(_) if foreign_ids::is_known(id) => None,
        Err(_) => {
            warnings.push(format!(
                "`{key}`: `{id}` is not a hadolint, ShellCheck or dockopt rule id; skipped"
            ));
            None
        }
    }
}

/// A list of strings; hadolint also accepts one string where a list is expected.
fn string_list(key: &str, value: &Value) -> Result<Vec<String>, ConfigError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::Sequence(items) => items
            .iter()
            .map(|item| {
                scalar(item).ok_or_else(|| {
                    ConfigError(format!(
                        "`{key}`: expected a list of rule ids, found an entry that is {}",
                        kind(item)
                    ))
                })
            })
            .collect(),
        Value::String(text) => Ok(vec![text.clone()]),
        other => Err(ConfigError(format!(
            "`{key}`: expected a list of rule ids, found {}",
            kind(other)
        ))),
    }
}

fn bool_value(key: &str, value: &Value) -> Result<bool, ConfigError> {
    value.as_bool().ok_or_else(|| {
        ConfigError(format!(
            "`{key}`: expected true or false, found {}",
            kind(value)
        ))
    })
}

/// A string, number or boolean as text (`DL3008`, `text`).
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a mapping",
        Value::Tagged(_) => "a tagged value",
    }
}
