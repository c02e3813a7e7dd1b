//! One `shellcheck` process for several files.

use std::collections::HashMap;
use std::path::Path;
use std::process::Command;

use serde::Deserialize;

use crate::batch::Found;

/// ShellCheck codes never reported: 2187 (ash is checked as dash, which is what dockopt
/// asks for), 1090 and 1091 (`source` of a file ShellCheck cannot see; a Dockerfile has no
/// way to say where it is).
const EXCLUDED: &str = "1090,1091,2187";

/// The options dockopt gives ShellCheck before the files; part of a cached result's key.
pub(crate) const OPTIONS: [&str; 5] = ["--format=json1", "--norc", "--exclude", EXCLUDED, "--"];

#[derive(Deserialize)]
struct Report {
    comments: Vec<RawComment>,
}

#[derive(Deserialize)]
struct RawComment {
    file: String,
    #[serde(flatten)]
    found: Found,
}

/// Runs `program` once on the files `names` of `dir`; the findings of each file, in the
/// order of `names` and, for one file, in the order ShellCheck gives them.
pub(crate) fn run(program: &Path, dir: &Path, names: &[String]) -> Result<Vec<Vec<Found>>, String> {
    let output = Command::new(program)
        .current_dir(dir)
        .args(OPTIONS)
        .args(names)
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    // 0: nothing found; 1: findings; anything else is a failure of ShellCheck itself.
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(format!(
            "{} failed ({}): {}",
            program.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let report: Report = serde_json::from_slice(&output.stdout).map_err(|e| {
        format!(
            "{}: unexpected output (not ShellCheck's json1 format): {e}",
            program.display()
        )
    })?;
    let index: HashMap<&str, usize> = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.as_str(), i))
        .collect();
    let mut found = vec![Vec::new(); names.len()];
    for raw in report.comments {
        if let Some(list) = index.get(raw.file.as_str()).and_then(|&i| found.get_mut(i)) {
            list.push(raw.found);
        }
    }
    Ok(found)
}
