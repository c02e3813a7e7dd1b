//! `dockopt rules` (the catalogue) and `dockopt explain NAME` (one rule's documentation).

use std::process::ExitCode;

use anyhow::bail;
use dockopt_rules::foreign_ids::{self, ForeignId};
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
            let table = AliasTable::new(&rules);
            let mapped: Vec<_> = table
                .mapped
                .iter()
                .map(|row| {
                    serde_json::json!({
                        "tool": row.tool,
                        "id": row.id,
                        "rules": row.rules,
                    })
                })
                .collect();
            let unmapped: Vec<_> = table
                .unmapped
                .iter()
                .map(|f| {
                    serde_json::json!({
                        "tool": f.tool.as_str(),
                        "id": f.id,
                        "summary": f.summary,
                        "retired": f.retired,
                    })
                })
                .collect();
            let out = serde_json::json!({ "aliases": mapped, "no_equivalent": unmapped });
            println!("{}", serde_json::to_string_pretty(&out)?);
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
            let table = AliasTable::new(&rules);
            let width = table
                .mapped
                .iter()
                .map(|r| r.id.len())
                .chain(table.unmapped.iter().map(|f| f.id.len()))
                .max()
                .unwrap_or(6);
            println!("Ids of other tools that dockopt rules answer to:");
            let mut tool = None;
            for row in &table.mapped {
                if tool != Some(row.tool) {
                    println!("\n{}", row.tool);
                    tool = Some(row.tool);
                }
                println!("  {:<width$}  {}", row.id, row.rules.join(", "));
            }
            println!(
                "\nShellCheck codes (SC1000-SC9999) name ShellCheck's own findings \
                 (`dockopt lint --shellcheck`)."
            );
            println!(
                "\nIds with no dockopt equivalent (accepted in ignore comments and config, \
                 they have no effect):"
            );
            let mut tool = None;
            for f in &table.unmapped {
                if tool != Some(f.tool) {
                    println!("\n{}", f.tool);
                    tool = Some(f.tool);
                }
                println!(
                    "  {:<width$}  {}{}",
                    f.id,
                    f.summary,
                    if f.retired { " (retired)" } else { "" }
                );
            }
        }
        (other, _) => bail!("--format: unknown format `{other}` (expected human or json)"),
    }
    Ok(ExitCode::SUCCESS)
}

/// One id of another tool and the dockopt rules that answer to it.
struct AliasRow {
    /// `hadolint`, `buildkit`, `trivy`, `checkov`, or `other` for an id the table of
    /// known ids does not hold.
    tool: &'static str,
    id: &'static str,
    rules: Vec<&'static str>,
}

/// The ids of other tools: those dockopt's rules answer to, and those none does.
struct AliasTable {
    /// By tool (in [`Tool::ALL`] order), then in each tool's id order.
    mapped: Vec<AliasRow>,
    unmapped: Vec<&'static ForeignId>,
}

impl AliasTable {
    fn new(rules: &[&'static dockopt_rules::RuleMeta]) -> AliasTable {
        let mut mapped: Vec<AliasRow> = Vec::new();
        for m in rules {
            for alias in m.aliases {
                match mapped.iter_mut().find(|r| r.id.eq_ignore_ascii_case(alias)) {
                    Some(row) => row.rules.push(m.name),
                    None => mapped.push(AliasRow {
                        tool: foreign_ids::lookup(alias).map_or("other", |f| f.tool.as_str()),
                        id: alias,
                        rules: vec![m.name],
                    }),
                }
            }
        }
        // Known ids in table order, then any other id by name.
        let order = |id: &str| {
            foreign_ids::FOREIGN_IDS
                .iter()
                .position(|f| f.id.eq_ignore_ascii_case(id))
                .unwrap_or(usize::MAX)
        };
        mapped.sort_by(|a, b| (order(a.id), a.id).cmp(&(order(b.id), b.id)));
        let unmapped = foreign_ids::FOREIGN_IDS
            .iter()
            .filter(|f| !mapped.iter().any(|r| r.id.eq_ignore_ascii_case(f.id)))
            .collect();
        AliasTable { mapped, unmapped }
    }
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
