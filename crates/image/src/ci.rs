//! `--ci` thresholds: dive's `.dive-ci` rules (same names, same defaults,
//! same comparisons) plus dockopt's own `[image]` table in `dockopt.toml`.
//!
//! Resolution, later wins: dive's defaults (`lowest-efficiency: 0.9`,
//! `highest-wasted-bytes: disabled`, `highest-user-wasted-percent: 0.1`), then
//! the `.dive-ci` file (`--ci-config FILE`, or `.dive-ci` in the current
//! directory), then `dockopt.toml`'s `[image]` table in the current directory.
//! Rule names may be kebab-case or dive's legacy camelCase; the value
//! `disabled` turns a rule off.

use std::path::{Path, PathBuf};

use crate::report::Report;

/// The thresholds in force.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    /// Fail when the dive efficiency is below this.
    pub lowest_efficiency: Option<f64>,
    /// Fail when dive's wasted bytes exceed this.
    pub highest_wasted_bytes: Option<u64>,
    /// Fail when wasted bytes / user bytes exceeds this.
    pub highest_user_wasted_percent: Option<f64>,
    /// Fail when removable bytes exceed this.
    pub max_removable_bytes: Option<u64>,
    /// Files the thresholds were read from.
    pub sources: Vec<PathBuf>,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            lowest_efficiency: Some(0.9),
            highest_wasted_bytes: None,
            highest_user_wasted_percent: Some(0.1),
            max_removable_bytes: None,
            sources: Vec::new(),
        }
    }
}

/// One threshold check.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CheckResult {
    /// Rule name (kebab-case).
    pub rule: String,
    /// Whether it passed.
    pub passed: bool,
    /// What was compared.
    pub message: String,
}

/// Parses a size like dive does (go-humanize): `20MB`, `20Mb`, `1.5 GiB`, `300`.
pub fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim().replace(',', "");
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid size {text:?}"))?;
    let unit = unit.trim().to_ascii_lowercase();
    let multiplier: f64 = match unit.as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "ki" | "kib" => 1024.0,
        "m" | "mb" => 1e6,
        "mi" | "mib" => 1024f64.powi(2),
        "g" | "gb" => 1e9,
        "gi" | "gib" => 1024f64.powi(3),
        "t" | "tb" => 1e12,
        "ti" | "tib" => 1024f64.powi(4),
        "p" | "pb" => 1e15,
        "pi" | "pib" => 1024f64.powi(5),
        _ => return Err(format!("invalid size {text:?}: unknown unit {unit:?}")),
    };
    let bytes = value * multiplier;
    if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
        return Err(format!("invalid size {text:?}: out of range"));
    }
    Ok(bytes as u64)
}

fn ratio(name: &str, text: &str) -> Result<f64, String> {
    let v: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{name}: invalid value {text:?}"))?;
    if !(0.0..=1.0).contains(&v) {
        return Err(format!(
            "{name}: value {text:?} is outside the allowed range (0-1)"
        ));
    }
    Ok(v)
}

impl Thresholds {
    fn set(&mut self, key: &str, value: &str, origin: &str) -> Result<(), String> {
        let disabled = value.trim() == "disabled";
        let key_norm: String = key
            .chars()
            .flat_map(|c| {
                if c.is_ascii_uppercase() {
                    vec!['-', c.to_ascii_lowercase()]
                } else {
                    vec![c]
                }
            })
            .collect();
        let name = format!("{origin}: {key}");
        match key_norm.as_str() {
            "lowest-efficiency" => {
                self.lowest_efficiency = if disabled {
                    None
                } else {
                    Some(ratio(&name, value)?)
                }
            }
            "highest-wasted-bytes" => {
                self.highest_wasted_bytes = if disabled {
                    None
                } else {
                    Some(parse_bytes(value).map_err(|e| format!("{name}: {e}"))?)
                }
            }
            "highest-user-wasted-percent" => {
                self.highest_user_wasted_percent = if disabled {
                    None
                } else {
                    Some(ratio(&name, value)?)
                }
            }
            "max-removable-bytes" => {
                self.max_removable_bytes = if disabled {
                    None
                } else {
                    Some(parse_bytes(value).map_err(|e| format!("{name}: {e}"))?)
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies the `rules:` of a `.dive-ci` YAML document.
    pub fn apply_dive_ci(&mut self, text: &str, origin: &str) -> Result<(), String> {
        use yaml_rust2::{Yaml, YamlLoader};
        let docs = YamlLoader::load_from_str(text).map_err(|e| {
            let m = e.marker();
            format!("{origin}:{}:{}: {}", m.line(), m.col() + 1, e.info())
        })?;
        let Some(doc) = docs.first() else {
            return Ok(());
        };
        let rules = &doc["rules"];
        let Yaml::Hash(map) = rules else {
            return Ok(());
        };
        for (k, v) in map {
            let Some(key) = k.as_str() else { continue };
            let value = match v {
                Yaml::Real(s) | Yaml::String(s) => s.clone(),
                Yaml::Integer(i) => i.to_string(),
                Yaml::Boolean(b) => b.to_string(),
                _ => continue,
            };
            self.set(key, &value, origin)?;
        }
        Ok(())
    }

    /// Applies the `[image]` table of a `dockopt.toml` document.
    pub fn apply_dockopt_toml(&mut self, text: &str, origin: &str) -> Result<(), String> {
        let doc: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("{origin}: {}", e.to_string().trim_end()))?;
        let Some(toml::Value::Table(image)) = doc.get("image") else {
            return Ok(());
        };
        for (k, v) in image {
            let value = match v {
                toml::Value::String(s) => s.clone(),
                toml::Value::Integer(i) => i.to_string(),
                toml::Value::Float(f) => f.to_string(),
                _ => continue,
            };
            self.set(k, &value, origin)?;
        }
        Ok(())
    }

    /// Resolves the thresholds from `dir` (usually the current directory) and
    /// an explicit `.dive-ci` path.
    pub fn load(dir: &Path, ci_config: Option<&Path>) -> Result<Thresholds, String> {
        let mut t = Thresholds::default();
        let dive_ci = match ci_config {
            Some(p) => {
                if !p.is_file() {
                    return Err(format!("{}: no such CI config file", p.display()));
                }
                Some(p.to_path_buf())
            }
            None => Some(dir.join(".dive-ci")).filter(|p| p.is_file()),
        };
        if let Some(p) = dive_ci {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("{}: {e}", p.display()))?;
            t.apply_dive_ci(&text, &p.display().to_string())?;
            t.sources.push(p);
        }
        let toml_path = dir.join("dockopt.toml");
        if toml_path.is_file() {
            let text = std::fs::read_to_string(&toml_path)
                .map_err(|e| format!("{}: {e}", toml_path.display()))?;
            t.apply_dockopt_toml(&text, &toml_path.display().to_string())?;
            t.sources.push(toml_path);
        }
        Ok(t)
    }

    /// Checks `report` against the thresholds, with dive's comparisons.
    pub fn evaluate(&self, report: &Report) -> Vec<CheckResult> {
        let d = &report.dive_compat;
        let mut out = Vec::new();
        if let Some(min) = self.lowest_efficiency {
            out.push(CheckResult {
                rule: "lowest-efficiency".into(),
                // dive fails only when threshold > efficiency.
                passed: min.partial_cmp(&d.efficiency) != Some(std::cmp::Ordering::Greater),
                message: format!("efficiency {} (threshold {min})", d.efficiency),
            });
        }
        if let Some(max) = self.highest_wasted_bytes {
            out.push(CheckResult {
                rule: "highest-wasted-bytes".into(),
                passed: d.wasted_bytes <= max,
                message: format!("wasted bytes {} (threshold {max})", d.wasted_bytes),
            });
        }
        if let Some(max) = self.highest_user_wasted_percent {
            let raw = d.wasted_user_ratio_raw;
            out.push(CheckResult {
                rule: "highest-user-wasted-percent".into(),
                // dive fails only when threshold < ratio (NaN passes).
                passed: max.partial_cmp(&raw) != Some(std::cmp::Ordering::Less),
                message: format!("user wasted ratio {raw} (threshold {max})"),
            });
        }
        if let Some(max) = self.max_removable_bytes {
            out.push(CheckResult {
                rule: "max-removable-bytes".into(),
                passed: report.removable_bytes <= max,
                message: format!(
                    "removable bytes {} (threshold {max})",
                    report.removable_bytes
                ),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sizes_like_humanize() {
        assert_eq!(parse_bytes("20Mb").unwrap(), 20_000_000);
        assert_eq!(parse_bytes("1 KiB").unwrap(), 1024);
        assert_eq!(parse_bytes("300").unwrap(), 300);
        assert_eq!(parse_bytes("1.5GB").unwrap(), 1_500_000_000);
        assert!(parse_bytes("lots").is_err());
        assert!(parse_bytes("5 furlongs").is_err());
    }

    #[test]
    fn reads_dive_ci_in_both_spellings() {
        let mut t = Thresholds::default();
        t.apply_dive_ci(
            "rules:\n  lowestEfficiency: 0.95\n  highest-wasted-bytes: 20MB\n  highestUserWastedPercent: disabled\n",
            ".dive-ci",
        )
        .unwrap();
        assert_eq!(t.lowest_efficiency, Some(0.95));
        assert_eq!(t.highest_wasted_bytes, Some(20_000_000));
        assert_eq!(t.highest_user_wasted_percent, None);
        let err = t
            .apply_dive_ci("rules:\n  lowest-efficiency: 2\n", ".dive-ci")
            .unwrap_err();
        assert!(err.contains("outside the allowed range"), "{err}");
    }

    #[test]
    fn reads_dockopt_toml() {
        let mut t = Thresholds::default();
        t.apply_dockopt_toml(
            "[lint]\nx = 1\n[image]\nmax-removable-bytes = \"1MB\"\nlowest-efficiency = 0.5\n",
            "dockopt.toml",
        )
        .unwrap();
        assert_eq!(t.max_removable_bytes, Some(1_000_000));
        assert_eq!(t.lowest_efficiency, Some(0.5));
        assert!(t.apply_dockopt_toml("[image\n", "dockopt.toml").is_err());
    }
}
