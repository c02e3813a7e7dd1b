//! The real-world corpus: every file parses without error, prints back byte for byte, and
//! its JSON spans point at the right places.

use std::path::PathBuf;

use dockopt_syntax::parse;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpus");

fn files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(CORPUS)
        .expect("corpus folder")
        .map(|e| e.expect("entry").path().join("Dockerfile"))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_parses_and_round_trips() {
    let files = files();
    assert_eq!(files.len(), 34);
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read");
        let p = parse(&text);
        assert!(
            p.errors().is_empty(),
            "{}: {:?}",
            path.display(),
            p.errors()
        );
        assert_eq!(p.to_string(), text, "{}", path.display());
        assert!(p.dockerfile().instructions().len() > 0);
    }
}

fn line_of(text: &str, line: u64) -> &str {
    text.split('\n').nth(line as usize - 1).unwrap_or("")
}

fn char_col(line: &str, col: u64) -> &str {
    let skip: usize = line
        .chars()
        .take(col as usize - 1)
        .map(char::len_utf8)
        .sum();
    &line[skip..]
}

#[test]
fn corpus_json_spans_point_at_the_source() {
    for path in files() {
        let text = std::fs::read_to_string(&path).expect("read");
        let p = parse(&text);
        let json = p.to_json();
        let name = path.display();
        for ins in json["instructions"].as_array().expect("instructions") {
            let keyword = ins["keyword"].as_str().expect("keyword");
            let start = &ins["span"]["start"];
            let line = line_of(&text, start["line"].as_u64().expect("line"));
            let at = char_col(line, start["col"].as_u64().expect("col"));
            assert!(at.starts_with(keyword), "{name}: {keyword} at {start}");
            assert_eq!(ins["start_line"], start["line"]);
            for flag in ins["flags"].as_array().expect("flags") {
                let s = &flag["span"]["start"];
                let l = line_of(&text, s["line"].as_u64().expect("line"));
                let at = char_col(l, s["col"].as_u64().expect("col"));
                let flag_name = flag["name"].as_str().expect("name");
                assert!(
                    at.starts_with(&format!("--{flag_name}")),
                    "{name}: flag {flag_name} at {s}"
                );
            }
            for h in ins["heredocs"].as_array().expect("heredocs") {
                let s = &h["marker_span"]["start"];
                let l = line_of(&text, s["line"].as_u64().expect("line"));
                let at = char_col(l, s["col"].as_u64().expect("col"));
                assert!(at.contains("<<"), "{name}: heredoc marker at {s}");
                if h["terminated"].as_bool() == Some(true) {
                    let e = &h["end_span"]["start"];
                    let l = line_of(&text, e["line"].as_u64().expect("line"));
                    let hname = h["name"].as_str().expect("name");
                    assert_eq!(l.trim_end_matches('\r').trim_start_matches('\t'), hname);
                }
            }
            // Offsets and line/col agree.
            let off = start["offset"].as_u64().expect("offset") as usize;
            assert!(
                text[off..].starts_with(keyword),
                "{name}: offset of {keyword}"
            );
        }
        let stages = json["stages"].as_array().expect("stages");
        assert!(!stages.is_empty(), "{name}: no stages");
        for st in stages {
            let l = line_of(&text, st["start_line"].as_u64().expect("line"));
            assert!(
                l.trim_start().to_ascii_uppercase().starts_with("FROM"),
                "{name}: stage {st}"
            );
        }
    }
}

#[test]
fn corpus_shell_maps_point_back() {
    for path in files() {
        let text = std::fs::read_to_string(&path).expect("read");
        let p = parse(&text);
        for ins in p.dockerfile().instructions() {
            if let Some(shell) = ins.shell_form() {
                let joined = shell.as_str();
                for (i, ch) in joined.char_indices() {
                    let off = usize::from(shell.text.source_offset(i).expect("mapped"));
                    assert!(text[off..].starts_with(ch), "{}: byte {i}", path.display());
                }
            }
        }
    }
}
