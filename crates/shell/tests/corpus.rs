//! Every RUN body of the real-world corpus parses.

use std::path::Path;

use dockopt_shell::Script;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

/// RUN bodies of a Dockerfile with continuations joined; heredoc RUNs and files with an
/// escape directive are skipped (the Dockerfile parser handles those).
fn run_bodies(text: &str) -> Vec<(usize, String)> {
    let mut lines = text.lines().enumerate().peekable();
    let mut out = Vec::new();
    if text.lines().take_while(|l| l.starts_with('#')).any(|l| {
        l.to_ascii_lowercase()
            .replace(' ', "")
            .starts_with("#escape=")
    }) {
        return out;
    }
    let mut posix_shell = true;
    while let Some((n, line)) = lines.next() {
        let t = line.trim_start();
        // After `SHELL ["powershell", ...]` RUN bodies are not shell scripts.
        if t.len() > 6 && t.get(..6).is_some_and(|k| k.eq_ignore_ascii_case("shell ")) {
            let lower = t.to_ascii_lowercase();
            posix_shell = !["powershell", "pwsh", "cmd"]
                .iter()
                .any(|s| lower.contains(&format!("\"{s}")));
            continue;
        }
        if !posix_shell {
            continue;
        }
        if t.len() < 4 || !t.get(..4).is_some_and(|k| k.eq_ignore_ascii_case("run ")) {
            continue;
        }
        let mut body = t.get(4..).unwrap_or("").to_string();
        while body.trim_end().ends_with('\\') {
            let trimmed = body.trim_end();
            body = trimmed.get(..trimmed.len() - 1).unwrap_or("").to_string();
            // Comment lines inside a continuation are dropped by the Dockerfile parser.
            let next = loop {
                match lines.next() {
                    Some((_, l)) if l.trim_start().starts_with('#') => continue,
                    other => break other,
                }
            };
            match next {
                Some((_, l)) => body.push_str(l),
                None => break,
            }
        }
        // Strip RUN flags (`--mount=...`, `--network=...`).
        let mut rest = body.trim_start();
        while rest.starts_with("--") {
            rest = rest
                .split_once(char::is_whitespace)
                .map_or("", |(_, r)| r)
                .trim_start();
        }
        if rest.contains("<<") && rest.lines().count() == 1 && rest.contains("<<EOF")
            || rest.starts_with('[')
        {
            continue;
        }
        if rest.contains("<<") {
            continue;
        }
        out.push((n + 1, rest.to_string()));
    }
    out
}

#[test]
fn corpus_run_bodies_parse() {
    let mut dirs: Vec<_> = std::fs::read_dir(Path::new(CORPUS))
        .expect("corpus directory")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("Dockerfile").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 30, "corpus has {} Dockerfiles", dirs.len());
    let mut total = 0;
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = std::fs::read_to_string(dir.join("Dockerfile")).expect("readable");
        for (line, body) in run_bodies(&text) {
            total += 1;
            match Script::parse(&body) {
                Ok(script) => {
                    // Spans must lie inside the body and on char boundaries.
                    for c in script.commands() {
                        let s = c.span();
                        assert!(body.get(s.range()).is_some(), "{}:{line}", dir.display());
                    }
                }
                Err(e) => failures.push(format!("{}:{line}: {e}", dir.display())),
            }
        }
    }
    eprintln!("corpus: {total} RUN bodies, {} failed", failures.len());
    assert!(total > 100, "only {total} RUN bodies found");
    assert!(failures.is_empty(), "unparsed RUN bodies:\n{failures:#?}");
}
