//! `dockopt rules` (the catalogue) and `dockopt explain NAME` (one rule's documentation).

use std::process::ExitCode;

use anyhow::bail;
use dockopt_rules::selection::Selector;
use dockopt_rules::{Group, ALL};

#[derive(clap::Args)]
pub struct RulesArgs {
    /// Print the mapping from hadolint, BuildKit, Trivy and Checkov ids to dockopt rules.
    #[arg(long)]
    pub aliases: bool,
    /// Output format: human or json.
    #[arg(long, default_value = "human")]
    pub format: String,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    /// A rule name, or an alias such as DL3008.
    pub name: String,
}

pub fn rules(args: RulesArgs) -> anyhow::Result<ExitCode> {
    let mut rules: Vec<_> = ALL.iter().map(|r| r.meta()).collect();
    rules.sort_by_key(|m| (Group::ALL.iter().position(|g| *g == m.group), m.name));
    match (args.format.as_str(), args.aliases) {
        ("json", false) => {
            let list: Vec<_> = rules
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "name": m.name,
                        "group": m.group.as_str(),
                        "level": m.level.as_str(),
                        "fix": m.fix.as_str(),
                        "aliases": m.aliases,
                        "summary": m.summary,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&list)?);
        }
        ("json", true) => {
            let map: serde_json::Map<String, serde_json::Value> = alias_rows(&rules)
                .into_iter()
                .map(|(alias, names)| (alias.to_string(), serde_json::json!(names)))
                .collect();
            println!("{}", serde_json::to_string_pretty(&map)?);
        }
        ("human", false) => {
            let width = rules.iter().map(|m| m.name.len()).max().unwrap_or(4);
            let mut group = None;
            for m in &rules {
                if group != Some(m.group) {
                    println!("{}{}", if group.is_some() { "\n" } else { "" }, m.group);
                    group = Some(m.group);
                }
                println!(
                    "  {:<width$}  {:<7}  fix: {:<6}  {}",
                    m.name,
                    m.level.as_str(),
                    m.fix.as_str(),
                    m.summary
                );
            }
        }
        ("human", true) => {
            let rows = alias_rows(&rules);
            let width = rows.iter().map(|(a, _)| a.len()).max().unwrap_or(5);
            for (alias, names) in rows {
                println!("{alias:<width$}  {}", names.join(", "));
            }
        }
        (other, _) => bail!("--format: unknown format `{other}` (expected human or json)"),
    }
    Ok(ExitCode::SUCCESS)
}

/// Each alias with the rules it stands for, sorted by alias.
fn alias_rows(
    rules: &[&'static dockopt_rules::RuleMeta],
) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut rows: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for m in rules {
        for alias in m.aliases {
            match rows.iter_mut().find(|(a, _)| a == alias) {
                Some((_, names)) => names.push(m.name),
                None => rows.push((alias, vec![m.name])),
            }
        }
    }
    rows.sort();
    rows
}

pub fn explain(args: ExplainArgs) -> anyhow::Result<ExitCode> {
    let names = match Selector::parse(&args.name, ALL)? {
        Selector::Rules(names) => names,
        _ => bail!(
            "`{}` is a group; `dockopt rules` lists its rules",
            args.name
        ),
    };
    for (i, name) in names.iter().enumerate() {
        let Some(rule) = dockopt_rules::find(name) else {
            continue;
        };
        let m = rule.meta();
        if i > 0 {
            println!();
        }
        println!("# {}\n", m.name);
        println!("{}\n", m.summary);
        println!(
            "Group: {}. Default level: {}. Fix: {}.{}\n",
            m.group,
            m.level.as_str(),
            m.fix.as_str(),
            if m.aliases.is_empty() {
                String::new()
            } else {
                format!(" Aliases: {}.", m.aliases.join(", "))
            }
        );
        print!("{}", m.documentation());
    }
    Ok(ExitCode::SUCCESS)
}
