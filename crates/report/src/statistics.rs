//! `--statistics`: how many findings each rule produced.

use std::collections::BTreeMap;

use crate::{FileResult, Level};

/// A table of counts per rule, most frequent first, then by name.
pub fn statistics(files: &[FileResult<'_>]) -> String {
    let mut counts: BTreeMap<&str, (usize, Level)> = BTreeMap::new();
    for d in files.iter().flat_map(|f| f.diagnostics) {
        let entry = counts.entry(d.rule.as_str()).or_insert((0, d.level));
        entry.0 += 1;
        entry.1 = entry.1.max(d.level);
    }
    let errors: usize = files.iter().map(|f| f.errors.len()).sum();
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let width = rows
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut out = format!("{:>6}  {:<width$}  level\n", "count", "rule");
    for (name, (count, level)) in &rows {
        out.push_str(&format!("{count:>6}  {name:<width$}  {level}\n"));
    }
    if errors > 0 {
        out.push_str(&format!("{errors:>6}  {:<width$}  error\n", "parse-error"));
    }
    let total: usize = rows.iter().map(|(_, (c, _))| c).sum();
    out.push_str(&format!("{total:>6}  {:<width$}\n", "total"));
    out
}
