//! Platforms (`os/arch[/variant]`) and choosing one from a multi-platform index.

use std::fmt;

/// An image platform.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    /// Operating system, e.g. `linux`.
    pub os: String,
    /// CPU architecture in OCI spelling, e.g. `amd64`.
    pub architecture: String,
    /// CPU variant, e.g. `v8`.
    pub variant: Option<String>,
}

impl Platform {
    /// Parses `os/arch[/variant]`.
    pub fn parse(text: &str) -> Result<Platform, String> {
        let parts: Vec<&str> = text.split('/').collect();
        match parts.as_slice() {
            [os, arch] if !os.is_empty() && !arch.is_empty() => Ok(Platform {
                os: os.to_string(),
                architecture: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] if !os.is_empty() && !arch.is_empty() && !variant.is_empty() => {
                Ok(Platform {
                    os: os.to_string(),
                    architecture: arch.to_string(),
                    variant: Some(variant.to_string()),
                })
            }
            _ => Err(format!(
                "invalid platform {text:?}: expected os/arch or os/arch/variant"
            )),
        }
    }

    /// The platform this program runs on, in OCI spelling. Images are Linux
    /// images whatever the host's kernel, so the OS is `linux` unless the host
    /// is Windows.
    pub fn host() -> Platform {
        let architecture = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "x86" => "386",
            "aarch64" => "arm64",
            "arm" => "arm",
            "powerpc64" => "ppc64le",
            "s390x" => "s390x",
            "riscv64" => "riscv64",
            other => other,
        };
        let os = if cfg!(windows) { "windows" } else { "linux" };
        let variant = match architecture {
            "arm64" => Some("v8".to_string()),
            _ => None,
        };
        Platform {
            os: os.to_string(),
            architecture: architecture.to_string(),
            variant,
        }
    }

    /// Whether an index entry's platform satisfies this request. A request
    /// without a variant accepts any variant; `arm64` treats a missing variant
    /// as `v8`.
    pub fn matches(&self, os: &str, architecture: &str, variant: Option<&str>) -> bool {
        if self.os != os || self.architecture != architecture {
            return false;
        }
        let normalise = |v: Option<&str>| -> Option<String> {
            match (architecture, v) {
                ("arm64", None) => Some("v8".to_string()),
                (_, v) => v.map(str::to_string),
            }
        };
        match &self.variant {
            None => true,
            Some(want) => normalise(variant).as_deref() == normalise(Some(want)).as_deref(),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        let p = Platform::parse("linux/arm64/v8").unwrap();
        assert_eq!(p.to_string(), "linux/arm64/v8");
        assert!(Platform::parse("linux").is_err());
        assert!(Platform::parse("linux//").is_err());
    }

    #[test]
    fn variant_matching() {
        let any_arm = Platform::parse("linux/arm").unwrap();
        assert!(any_arm.matches("linux", "arm", Some("v7")));
        let v7 = Platform::parse("linux/arm/v7").unwrap();
        assert!(!v7.matches("linux", "arm", Some("v6")));
        let arm64 = Platform::parse("linux/arm64/v8").unwrap();
        assert!(arm64.matches("linux", "arm64", None));
        assert!(!arm64.matches("linux", "amd64", None));
    }
}
