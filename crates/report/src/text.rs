//! Line-oriented formats.

use crate::{locate, FileResult, Item, Level};

/// GitHub Actions workflow commands: `::warning file=...,line=...,col=...,title=...::message`.
pub fn github(files: &[FileResult<'_>]) -> String {
    let mut out = String::new();
    for file in files {
        for located in locate(file) {
            let (command, title, message) = match located.item {
                Item::Diagnostic(d) => {
                    let command = match d.level {
                        Level::Error => "error",
                        Level::Warning => "warning",
                        Level::Info => "notice",
                    };
                    let mut message = d.message.clone();
                    if let Some(help) = &d.help {
                        message.push_str("\nhelp: ");
                        message.push_str(help);
                    }
                    (command, d.rule.as_str(), message)
                }
                Item::Error(e) => ("error", "parse-error", e.message.clone()),
            };
            out.push_str(&format!(
                "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
                escape_property(file.path),
                located.start.line,
                located.start.column,
                located.end.line,
                located.end.column,
                escape_property(title),
                escape_data(&message),
            ));
        }
    }
    out
}

fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_command_values_are_escaped() {
        assert_eq!(escape_data("50%\nnext"), "50%25%0Anext");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }
}
