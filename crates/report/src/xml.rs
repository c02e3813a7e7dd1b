//! XML formats for CI dashboards: Checkstyle and JUnit.

use crate::{locate, FileResult, Item, Level};

pub fn checkstyle(files: &[FileResult<'_>]) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    for file in files {
        out.push_str(&format!("  <file name=\"{}\">\n", escape(file.path)));
        for located in locate(file) {
            let (severity, source, message) = match located.item {
                Item::Diagnostic(d) => (
                    match d.level {
                        Level::Error => "error",
                        Level::Warning => "warning",
                        Level::Info => "info",
                    },
                    format!("dockopt.{}", d.rule),
                    d.message.as_str(),
                ),
                Item::Error(e) => (
                    "error",
                    "dockopt.parse-error".to_string(),
                    e.message.as_str(),
                ),
            };
            out.push_str(&format!(
                "    <error line=\"{}\" column=\"{}\" severity=\"{severity}\" message=\"{}\" source=\"{}\"/>\n",
                located.start.line,
                located.start.column,
                escape(message),
                escape(&source),
            ));
        }
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

/// One test case per file; each finding is a failure of it.
pub fn junit(files: &[FileResult<'_>]) -> String {
    let failed = files
        .iter()
        .filter(|f| !f.diagnostics.is_empty() || !f.errors.is_empty())
        .count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"dockopt\" tests=\"{}\" failures=\"{failed}\">\n  <testsuite name=\"dockopt\" tests=\"{}\" failures=\"{failed}\">\n",
        files.len(),
        files.len()
    );
    for file in files {
        let located = locate(file);
        out.push_str(&format!(
            "    <testcase classname=\"dockopt\" name=\"{}\"",
            escape(file.path)
        ));
        if located.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for l in located {
            let (kind, rule, message) = match l.item {
                Item::Diagnostic(d) => (d.level.as_str(), d.rule.as_str(), d.message.as_str()),
                Item::Error(e) => ("error", "parse-error", e.message.as_str()),
            };
            out.push_str(&format!(
                "      <failure type=\"{kind}\" message=\"{}\">{}:{}:{}: {rule}: {}</failure>\n",
                escape(message),
                escape(file.path),
                l.start.line,
                l.start.column,
                escape(message),
            ));
        }
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && c != '\t' && c != '\r' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}
