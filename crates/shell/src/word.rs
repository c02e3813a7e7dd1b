//! Words: the arguments, names and values of shell commands, with their static value when
//! they have one.

use crate::span::Span;
use crate::tree::NodeId;

/// One shell word as written in the script.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The source text of the word (quotes and expansions included).
    pub raw: String,
    /// Where the word is in the script.
    pub span: Span,
    /// The value after quote removal when the word has no expansion at all (no `$`, no
    /// backquote, no leading `~`); `None` otherwise. Glob characters are kept as written.
    pub literal: Option<String>,
    /// The pieces of the word, in order.
    pub parts: Vec<WordPart>,
}

/// A piece of a [`Word`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WordPart {
    /// Static text; `quoted` when it came from inside quotes or an escape (so it is not
    /// subject to globbing or field splitting).
    Text {
        /// The text after quote removal.
        value: String,
        /// Whether the text was quoted.
        quoted: bool,
    },
    /// A tilde prefix: `~` (user `None`) or `~name`.
    Tilde {
        /// The user named after the tilde.
        user: Option<String>,
    },
    /// A parameter expansion `$NAME`, `${NAME}`, `${NAME:-default}`...
    Parameter {
        /// The variable name when the parameter is a named variable.
        name: Option<String>,
        /// The default of `${NAME:-default}` / `${NAME-default}` / `${NAME:=default}`.
        default: Option<String>,
        /// Whether another operator than plain or default expansion is applied.
        transformed: bool,
        /// Whether the expansion is inside double quotes.
        quoted: bool,
    },
    /// A command substitution `$(...)` or `` `...` ``; its commands are the node given.
    CommandSubstitution {
        /// The [`crate::NodeKind::Substitution`] node holding the inner script, when it
        /// parsed.
        node: Option<NodeId>,
    },
    /// An arithmetic expansion `$((...))`.
    Arithmetic,
}

impl Word {
    /// The static value, if any (see [`Word::literal`]).
    pub fn literal(&self) -> Option<&str> {
        self.literal.as_deref()
    }

    /// Whether the word is exactly the static string `s`.
    pub fn is(&self, s: &str) -> bool {
        self.literal() == Some(s)
    }

    /// Whether the word contains unquoted glob characters (`*`, `?`, `[`).
    pub fn has_glob(&self) -> bool {
        self.parts.iter().any(|p| match p {
            WordPart::Text {
                value,
                quoted: false,
            } => value.contains(['*', '?', '[']),
            _ => false,
        })
    }

    /// Whether the word contains any expansion (parameter, command, arithmetic, tilde).
    pub fn has_expansion(&self) -> bool {
        self.literal.is_none()
    }

    /// The command substitutions inside the word.
    pub fn substitutions(&self) -> impl Iterator<Item = NodeId> + '_ {
        self.parts.iter().filter_map(|p| match p {
            WordPart::CommandSubstitution { node } => *node,
            _ => None,
        })
    }

    /// The value of the word with variables looked up in `vars` (`~` is `HOME`); `None`
    /// when the word holds a command substitution, arithmetic, or an unknown variable with
    /// no default.
    pub fn resolve(&self, vars: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        let mut out = String::new();
        for part in &self.parts {
            match part {
                WordPart::Text { value, .. } => out.push_str(value),
                WordPart::Tilde { user: None } => out.push_str(&vars("HOME")?),
                WordPart::Tilde { user: Some(u) } if u == "root" => out.push_str("/root"),
                WordPart::Tilde { user: Some(_) } => return None,
                WordPart::Parameter {
                    name,
                    default,
                    transformed,
                    ..
                } => {
                    if *transformed {
                        return None;
                    }
                    let value = name.as_deref().and_then(vars).filter(|v| !v.is_empty());
                    match (value, default) {
                        (Some(v), _) => out.push_str(&v),
                        (None, Some(d)) => out.push_str(d),
                        (None, None) => return None,
                    }
                }
                WordPart::CommandSubstitution { .. } | WordPart::Arithmetic => return None,
            }
        }
        Some(out)
    }

    /// The names of the variables the word expands.
    pub fn variables(&self) -> impl Iterator<Item = &str> + '_ {
        self.parts.iter().filter_map(|p| match p {
            WordPart::Parameter { name, .. } => name.as_deref(),
            _ => None,
        })
    }
}
