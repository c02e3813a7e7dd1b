//! Scripts as ShellCheck reads them: each script becomes a file with a header (the
//! dialect's shebang and an `export` line declaring the variables the build defines), and
//! each finding is mapped back from the file's line and column to a byte of the script.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::declared;
use crate::dialect::{self, Dialect};

/// A script to check.
#[derive(Debug, Clone)]
pub struct Input<'a> {
    pub text: &'a str,
    pub dialect: Dialect,
    /// Variables the script may use without assigning them (ARG and ENV names in scope).
    pub declared: Vec<String>,
}

/// How serious ShellCheck says a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
    Style,
}

/// One ShellCheck finding, placed in the script it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    /// Index of the script in the batch.
    pub script: usize,
    /// Byte range in the script's text.
    pub range: Range<usize>,
    pub code: u32,
    pub severity: Severity,
    pub message: String,
}

/// One finding as ShellCheck reports it, placed in the file it read (1-based lines,
/// columns in characters).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Found {
    pub line: u32,
    pub end_line: u32,
    pub column: u32,
    pub end_column: u32,
    pub level: Severity,
    pub code: u32,
    pub message: String,
}

/// The file ShellCheck reads for one script, and where each of its lines comes from.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub content: String,
    /// For each line of `content`, the byte offset in the script where that line starts;
    /// `None` for the header lines dockopt added.
    lines: Vec<Option<usize>>,
}

pub(crate) fn prepare(input: &Input<'_>) -> Prepared {
    prepare_declaring(input, declared::relevant)
}

/// [`prepare`], declaring the names `select` picks among the valid declared ones.
fn prepare_declaring(
    input: &Input<'_>,
    select: impl for<'n> FnOnce(&str, &'n [String]) -> Vec<&'n str>,
) -> Prepared {
    let text = input.text;
    let mut content = String::with_capacity(text.len() + 64);
    let mut lines = Vec::new();
    let mut starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    if starts.len() > 1 && starts.last() == Some(&text.len()) {
        starts.pop();
    }
    let own_shebang = dialect::from_shebang(text).is_some();
    let mut body = starts.as_slice();
    if own_shebang {
        // The script's own shebang stays the first line (ShellCheck reads it there).
        if let Some((&first, rest)) = starts.split_first() {
            push_line(&mut content, line_at(text, first));
            lines.push(Some(first));
            body = rest;
        }
    } else {
        push_line(&mut content, input.dialect.shebang());
        lines.push(None);
    }
    let valid: Vec<String> = input
        .declared
        .iter()
        .filter(|name| is_identifier(name))
        .cloned()
        .collect();
    let declared = select(text, &valid);
    if !declared.is_empty() {
        let mut export = String::from("export");
        for name in &declared {
            export.push(' ');
            export.push_str(name);
            export.push_str("=1");
        }
        push_line(&mut content, &export);
        lines.push(None);
    }
    for &start in body {
        push_line(&mut content, line_at(text, start));
        lines.push(Some(start));
    }
    Prepared { content, lines }
}

fn push_line(content: &mut String, line: &str) {
    content.push_str(line);
    content.push('\n');
}

/// The line of `text` starting at `start`, without its line ending (`\n` or `\r\n`).
fn line_at(text: &str, start: usize) -> &str {
    let rest = text.get(start..).unwrap_or("");
    let line = rest.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Prepared {
    /// The script byte at a 1-based line and column (columns count characters, a tab as
    /// one) of the file; `None` on a header line. A column past the end of its line gives
    /// the end of the line.
    pub(crate) fn locate(&self, text: &str, line: u32, column: u32) -> Option<usize> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = (*self.lines.get(index)?)?;
        let content = line_at(text, start);
        let skip = usize::try_from(column).ok()?.saturating_sub(1);
        let within = content
            .char_indices()
            .nth(skip)
            .map_or(content.len(), |(i, _)| i);
        Some(start + within)
    }

    /// `found` placed in the script `text` (script number `script`); `None` for a finding
    /// on a header line dockopt added.
    pub(crate) fn comment(&self, text: &str, script: usize, found: &Found) -> Option<Comment> {
        let start = self.locate(text, found.line, found.column)?;
        let end = self
            .locate(text, found.end_line, found.end_column)
            .unwrap_or(start)
            .max(start);
        Some(Comment {
            script,
            range: start..end,
            code: found.code,
            severity: found.level,
            message: found.message.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(text: &str, declared: &[&str]) -> Input<'static> {
        Input {
            text: Box::leak(text.to_string().into_boxed_str()),
            dialect: Dialect::Sh,
            declared: declared.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn header_lines_map_to_nothing_and_script_lines_to_their_start() {
        let i = input("echo $a\nexport b\n", &["A", "B_2", "not-valid"]);
        let p = prepare(&i);
        assert_eq!(
            p.content,
            "#!/bin/sh\nexport A=1 B_2=1\necho $a\nexport b\n"
        );
        assert_eq!(p.locate(i.text, 1, 1), None);
        assert_eq!(p.locate(i.text, 2, 1), None);
        assert_eq!(p.locate(i.text, 3, 6), Some(5));
        assert_eq!(p.locate(i.text, 4, 1), Some(8));
        // Past the end of a line: the end of that line.
        assert_eq!(p.locate(i.text, 3, 99), Some(7));
        assert_eq!(p.locate(i.text, 9, 1), None);
    }

    #[test]
    fn names_the_script_cannot_see_are_not_declared() {
        let i = input("apt-get update\n", &["VERSION", "HTTP_PROXY"]);
        let p = prepare(&i);
        assert_eq!(p.content, "#!/bin/sh\napt-get update\n");
        assert_eq!(p.locate(i.text, 2, 1), Some(0));
    }

    /// Leaving out the declared names a script cannot see changes none of ShellCheck's
    /// findings: not the unassigned references, not the misspelling suggestions (which
    /// pick among the assigned names), not the quoting advice (declared values are known).
    #[test]
    fn declaring_only_relevant_names_changes_no_finding() {
        let declared = [
            "PG_MAJOR_VERSION",
            "PG_MAJOR",
            "app_home_dir",
            "LANG",
            "VERSION",
            "TARGETARCH",
            "HTTP_PROXY",
            "http_proxy",
            "no_proxy",
        ];
        let scripts = [
            "echo $PG_MAJOR_VERSON $PG_MAJR $LANG\n",
            "echo $app_home_dri ${VERSIN}\ncd $app_home_dir && ls $VERSION\n",
            "set -eux; apt-get update && apt-get install -y curl; rm -rf /var/lib/apt/lists/*\n",
            "case $TARGETARC in amd64) a=x86_64;; esac; echo $a $LANGS $lang\n",
            "for v in 1 2; do echo $v $http_prox $NO_PROXY; done\n",
            "name=VERSION; echo ${!name} $VERSION_X\n",
        ];
        let program = crate::find_on_path(std::ffi::OsStr::new("shellcheck"))
            .expect("this test runs the `shellcheck` program, which is not on PATH");
        let dir = tempfile::tempdir().unwrap();
        let mut misspellings = 0;
        for (i, script) in scripts.iter().enumerate() {
            let i_input = input(script, &declared);
            let files = [
                prepare(&i_input),
                prepare_declaring(&i_input, |_, all| all.iter().map(String::as_str).collect()),
            ];
            let mut names = Vec::new();
            for (j, file) in files.iter().enumerate() {
                let name = format!("s{i}_{j}.sh");
                std::fs::write(dir.path().join(&name), &file.content).unwrap();
                names.push(name);
            }
            let found = crate::process::run(&program, dir.path(), &names).unwrap();
            let comments: Vec<Vec<Comment>> = files
                .iter()
                .zip(&found)
                .map(|(file, found)| {
                    found
                        .iter()
                        .filter_map(|f| file.comment(i_input.text, i, f))
                        .collect()
                })
                .collect();
            assert_eq!(comments[0], comments[1], "{script}");
            misspellings += comments[0].iter().filter(|c| c.code == 2153).count();
            // Indirect expansion keeps every name.
            if !script.contains("${!") {
                assert!(
                    files[0].content.len() < files[1].content.len(),
                    "{}",
                    files[0].content
                );
            }
        }
        assert!(misspellings >= 2, "the suggestions were not exercised");
    }

    #[test]
    fn own_shebang_stays_first_and_crlf_is_dropped() {
        let i = input("#!/bin/bash\r\necho \u{e9}$x\r\n", &[]);
        let p = prepare(&i);
        assert_eq!(p.content, "#!/bin/bash\necho \u{e9}$x\n");
        assert_eq!(p.locate(i.text, 1, 1), Some(0));
        // Columns count characters: `$` is the 7th character, at byte 7 of the line.
        assert_eq!(p.locate(i.text, 2, 7), Some(13 + 7));
    }
}
