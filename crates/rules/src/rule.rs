//! What a rule is: its metadata (declared with [`declare_rule!`]) and its check.

use std::ops::Range;

use dockopt_diagnostic::{Diagnostic, FixSafety, Group, Level};

use crate::Context;

/// A rule's level before configuration: a [`Level`], or off (opt-in).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultLevel {
    Error,
    Warning,
    Info,
    /// Opt-in: runs only when selected by name or alias, or given a level in config.
    Off,
}

impl DefaultLevel {
    pub fn level(self) -> Option<Level> {
        match self {
            DefaultLevel::Error => Some(Level::Error),
            DefaultLevel::Warning => Some(Level::Warning),
            DefaultLevel::Info => Some(Level::Info),
            DefaultLevel::Off => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DefaultLevel::Error => "error",
            DefaultLevel::Warning => "warning",
            DefaultLevel::Info => "info",
            DefaultLevel::Off => "off",
        }
    }
}

/// Everything about a rule except its check.
#[derive(Debug)]
pub struct RuleMeta {
    /// The public, kebab-case name users select, ignore and explain.
    pub name: &'static str,
    pub group: Group,
    pub level: DefaultLevel,
    /// Ids of the same check in hadolint, BuildKit, Trivy and Checkov.
    pub aliases: &'static [&'static str],
    /// The best fix the rule can offer.
    pub fix: FixSafety,
    /// One line: what the rule detects.
    pub summary: &'static str,
    /// The doc comment on the rule's type, as written (each line keeps a leading space).
    pub raw_documentation: &'static str,
}

impl RuleMeta {
    /// The rule's documentation as Markdown.
    pub fn documentation(&self) -> String {
        let mut out = String::new();
        for line in self.raw_documentation.lines() {
            out.push_str(line.strip_prefix(' ').unwrap_or(line));
            out.push('\n');
        }
        out.trim_end().to_string() + "\n"
    }

    /// The default level the rule reports at when it is enabled: opt-in rules report at
    /// warning unless configured.
    pub fn enabled_level(&self) -> Level {
        self.level.level().unwrap_or(Level::Warning)
    }
}

/// Declares a rule's type with its documentation and metadata.
///
/// ```ignore
/// declare_rule! {
///     /// ## What it does
///     /// ...
///     pub struct ExposeSsh {
///         name: "expose-ssh",
///         group: Security,
///         level: Warning,
///         aliases: ["DS-0004", "CKV_DOCKER_1"],
///         fix: None,
///         summary: "`EXPOSE 22`: an SSH server in a container",
///     }
/// }
/// ```
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])*
        pub struct $ty:ident {
            name: $name:literal,
            group: $group:ident,
            level: $level:ident,
            aliases: [$($alias:literal),* $(,)?],
            fix: $fix:ident,
            summary: $summary:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])*
        pub struct $ty;

        impl $crate::HasMeta for $ty {
            const META: &'static $crate::RuleMeta = &$crate::RuleMeta {
                name: $name,
                group: $crate::Group::$group,
                level: $crate::DefaultLevel::$level,
                aliases: &[$($alias),*],
                fix: $crate::FixSafety::$fix,
                summary: $summary,
                raw_documentation: concat!($($doc, "\n"),*),
            };
        }
    };
}

/// Implemented by [`declare_rule!`].
pub trait HasMeta {
    const META: &'static RuleMeta;
}

/// The check a rule file implements.
pub trait Check {
    /// Looks at one Dockerfile.
    fn check(&self, ctx: &Context<'_>, out: &mut Findings);

    /// Looks at every Dockerfile of one repository together; only rules that compare files
    /// (group `across-files`) implement it.
    fn check_project(&self, _files: &[Context<'_>], _out: &mut ProjectFindings) {}
}

/// A rule as the engine sees it.
pub trait Rule: Send + Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, ctx: &Context<'_>, out: &mut Findings);
    fn check_project(&self, files: &[Context<'_>], out: &mut ProjectFindings);
}

impl<T: HasMeta + Check + Send + Sync> Rule for T {
    fn meta(&self) -> &'static RuleMeta {
        T::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        Check::check(self, ctx, out)
    }

    fn check_project(&self, files: &[Context<'_>], out: &mut ProjectFindings) {
        Check::check_project(self, files, out)
    }
}

/// Collects the findings of one rule across the files of a repository.
pub struct ProjectFindings {
    /// One collector per file, in the order of the files given to `check_project`.
    pub(crate) files: Vec<Findings>,
}

impl ProjectFindings {
    pub(crate) fn new(meta: &'static RuleMeta, count: usize) -> ProjectFindings {
        ProjectFindings {
            files: (0..count).map(|_| Findings::new(meta)).collect(),
        }
    }

    /// Reports `message` at `range` of file `file` (an index into the files checked).
    /// A file index out of range is ignored rather than trusted.
    pub fn report(
        &mut self,
        file: usize,
        range: Range<usize>,
        message: impl Into<String>,
    ) -> Option<&mut Finding> {
        self.files.get_mut(file).map(|f| f.report(range, message))
    }
}

/// One text replacement: `range` of the original file becomes `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Edit {
        Edit {
            range: at..at,
            replacement: text.into(),
        }
    }

    pub fn replace(range: Range<usize>, text: impl Into<String>) -> Edit {
        Edit {
            range,
            replacement: text.into(),
        }
    }

    pub fn delete(range: Range<usize>) -> Edit {
        Edit {
            range,
            replacement: String::new(),
        }
    }
}

/// An automatic fix: edits applied together, or not at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub safety: FixSafety,
    /// What the fix does, in a few words ("add a cache mount for /root/.cache/pip").
    pub description: String,
    pub edits: Vec<Edit>,
}

/// A diagnostic and, when the rule can offer one, its fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub diagnostic: Diagnostic,
    pub fix: Option<Fix>,
}

/// Collects the findings of one rule on one file.
pub struct Findings {
    meta: &'static RuleMeta,
    pub(crate) items: Vec<Finding>,
}

impl Findings {
    pub(crate) fn new(meta: &'static RuleMeta) -> Findings {
        Findings {
            meta,
            items: Vec::new(),
        }
    }

    /// Reports `message` at `range`; returns the finding to add a help line or a fix.
    pub fn report(&mut self, range: Range<usize>, message: impl Into<String>) -> &mut Finding {
        self.items.push(Finding {
            diagnostic: Diagnostic {
                rule: self.meta.name.to_string(),
                group: self.meta.group,
                level: self.meta.enabled_level(),
                message: message.into(),
                help: None,
                range,
                fix: FixSafety::None,
            },
            fix: None,
        });
        let last = self.items.len() - 1;
        &mut self.items[last]
    }
}

impl Finding {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Finding {
        self.diagnostic.help = Some(help.into());
        self
    }

    pub fn fix(&mut self, fix: Fix) -> &mut Finding {
        self.diagnostic.fix = fix.safety;
        self.fix = Some(fix);
        self
    }
}
