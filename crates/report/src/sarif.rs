//! SARIF 2.1.0, as GitHub code scanning accepts it.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::{locate, FileResult, Item, Level, RuleInfo};

fn sarif_level(level: Level) -> &'static str {
    match level {
        Level::Error => "error",
        Level::Warning => "warning",
        Level::Info => "note",
    }
}

pub fn render(files: &[FileResult<'_>], rules: &[RuleInfo<'_>]) -> String {
    // Only the rules that appear, in a stable order; results point at them by index.
    let mut used: BTreeMap<&str, usize> = BTreeMap::new();
    for file in files {
        for d in file.diagnostics {
            used.insert(&d.rule, 0);
        }
    }
    let mut driver_rules = Vec::new();
    for (index, (name, slot)) in used.iter_mut().enumerate() {
        *slot = index;
        let info = rules.iter().find(|r| r.name == *name);
        let mut rule = json!({ "id": name, "name": name });
        if let Some(info) = info {
            rule["shortDescription"] = json!({ "text": info.summary });
            rule["fullDescription"] = json!({ "text": info.summary });
            rule["help"] = json!({ "text": info.documentation, "markdown": info.documentation });
            rule["defaultConfiguration"] = json!({ "level": sarif_level(info.level) });
            rule["properties"] = json!({ "tags": [info.group.as_str()] });
        }
        driver_rules.push(rule);
    }

    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for file in files {
        for located in locate(file) {
            let region = json!({
                "startLine": located.start.line,
                "startColumn": located.start.column,
                "endLine": located.end.line,
                "endColumn": located.end.column,
            });
            let location = json!({
                "physicalLocation": {
                    "artifactLocation": { "uri": file.path },
                    "region": region,
                }
            });
            match located.item {
                Item::Diagnostic(d) => {
                    let mut text = d.message.clone();
                    if let Some(help) = &d.help {
                        text.push_str("\nhelp: ");
                        text.push_str(help);
                    }
                    results.push(json!({
                        "ruleId": d.rule,
                        "ruleIndex": used.get(d.rule.as_str()).copied().unwrap_or(0),
                        "level": sarif_level(d.level),
                        "message": { "text": text },
                        "locations": [location],
                    }));
                }
                Item::Error(e) => notifications.push(json!({
                    "level": "error",
                    "message": { "text": e.message },
                    "locations": [location],
                })),
            }
        }
    }

    let sarif: Value = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "dockopt",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": driver_rules,
                }
            },
            "invocations": [{
                "executionSuccessful": notifications.is_empty(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
        }]
    });
    let mut text = serde_json::to_string_pretty(&sarif).unwrap_or_default();
    text.push('\n');
    text
}
