//! A `case` inside a command substitution parses as bash reads it, with spans into the
//! script as written.

use dockopt_shell::{NodeKind, Script};
use proptest::prelude::*;

const OLLAMA: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/corpus/ollama__ollama__Dockerfile/Dockerfile"
);

/// The texts of the script's simple commands, in execution order, checking on the way
/// that every span lies in the source and every word's raw text is its span's text.
fn command_texts(script: &Script) -> Vec<&str> {
    let src = script.source();
    script
        .commands()
        .map(|c| {
            for w in c.command().words() {
                assert_eq!(w.raw, w.span.text(src), "word span in {src:?}");
            }
            for a in &c.command().assignments {
                assert_eq!(a.value.raw, a.value.span.text(src), "assignment in {src:?}");
            }
            let text = c.span().text(src);
            assert!(!text.is_empty(), "empty command span in {src:?}");
            text
        })
        .collect()
}

/// The raw texts of the patterns of every `case` in the script, in tree order.
fn case_patterns(script: &Script) -> Vec<Vec<String>> {
    script
        .descendants(script.root())
        .into_iter()
        .filter_map(|id| match script.kind(id) {
            NodeKind::Case { arms, .. } => Some(
                arms.iter()
                    .flat_map(|a| &a.patterns)
                    .map(|p| {
                        assert_eq!(p.raw, p.span.text(script.source()));
                        p.raw.clone()
                    })
                    .collect(),
            ),
            _ => None,
        })
        .collect()
}

#[test]
fn ollama_go_download_parses_with_exact_spans() {
    let text = std::fs::read_to_string(OLLAMA).expect("ollama Dockerfile");
    let lines: Vec<&str> = text.lines().collect();
    for n in [220usize, 245] {
        let line = lines.get(n - 1).expect("line exists");
        let body = line.strip_prefix("RUN ").expect("a RUN line");
        let script = Script::parse(body).unwrap_or_else(|e| panic!("line {n}: {e}"));
        let at = |needle: &str| {
            let start = body.find(needle).expect(needle);
            (start, start + needle.len())
        };
        let spans: Vec<(Option<&str>, (usize, usize))> = script
            .commands()
            .map(|c| (c.command().name_literal(), (c.span().start, c.span().end)))
            .collect();
        let curl_end = body.find(" | tar").expect("pipe");
        assert_eq!(
            spans,
            vec![
                (Some("awk"), at("awk '/^go/ { print $2 }' go.mod")),
                (Some("uname"), at("uname -m")),
                (Some("echo"), at("echo amd64")),
                (Some("echo"), at("echo arm64")),
                (Some("curl"), (0, curl_end)),
                (Some("tar"), at("tar xz -C /usr/local")),
            ],
            "line {n}"
        );
        assert_eq!(case_patterns(&script), vec![vec!["x86_64", "aarch64"]]);
        let curl = script.commands().nth(4).expect("curl");
        assert!(curl
            .command()
            .args
            .iter()
            .any(|a| a.raw.contains("linux-$(case")));
        assert!(script
            .commands()
            .filter(|c| c.command().name_literal() == Some("echo"))
            .all(|c| c.in_substitution()));
    }
}

/// A script, the texts of its commands in execution order, and the patterns of each case.
type Variant = (
    &'static str,
    &'static [&'static str],
    &'static [&'static [&'static str]],
);

#[test]
fn case_in_substitution_variants() {
    let table: &[Variant] = &[
        (
            "echo $(case $v in a) echo 1;; esac)",
            &["echo 1", "echo $(case $v in a) echo 1;; esac)"],
            &[&["a"]],
        ),
        // Nested: a case inside a case arm inside a substitution.
        (
            "x=$(case $a in a) echo $(case $b in b) echo in;; c) echo c;; esac);; esac) && f $x",
            &[
                "echo in",
                "echo c",
                "echo $(case $b in b) echo in;; c) echo c;; esac)",
                "x=$(case $a in a) echo $(case $b in b) echo in;; c) echo c;; esac);; esac)",
                "f $x",
            ],
            &[&["a"], &["b", "c"]],
        ),
        // Quoted patterns, with blanks and parentheses inside the quotes.
        (
            "y=$(case \"$v\" in \"a b\") echo 1;; 'c)d') echo 2;; \\)) echo 3;; esac)",
            &[
                "echo 1",
                "echo 2",
                "echo 3",
                "y=$(case \"$v\" in \"a b\") echo 1;; 'c)d') echo 2;; \\)) echo 3;; esac)",
            ],
            &[&["\"a b\"", "'c)d'", "\\)"]],
        ),
        // `|` alternatives, with and without blanks.
        (
            "echo $(case $v in a|b) echo 1;; c | d ) echo 2;; *) echo 3;; esac)",
            &[
                "echo 1",
                "echo 2",
                "echo 3",
                "echo $(case $v in a|b) echo 1;; c | d ) echo 2;; *) echo 3;; esac)",
            ],
            &[&["a", "b", "c", "d", "*"]],
        ),
        // Some patterns already open with `(`.
        (
            "echo $(case $v in (a) echo 1;; b) echo 2;; (c) echo 3;; esac)",
            &[
                "echo 1",
                "echo 2",
                "echo 3",
                "echo $(case $v in (a) echo 1;; b) echo 2;; (c) echo 3;; esac)",
            ],
            &[&["a", "b", "c"]],
        ),
        // `esac`, terminators and patterns on their own lines, with comments.
        (
            "arch=$(case $(uname -m) in\n  # the usual\n  x86_64)\n    echo amd64\n    ;;\n  aarch64) echo arm64 # arm\n    ;;\nesac)\necho $arch",
            &[
                "uname -m",
                "echo amd64",
                "echo arm64",
                "arch=$(case $(uname -m) in\n  # the usual\n  x86_64)\n    echo amd64\n    ;;\n  aarch64) echo arm64 # arm\n    ;;\nesac)",
                "echo $arch",
            ],
            &[&["x86_64", "aarch64"]],
        ),
        // No blank between `;;` and the pattern.
        (
            "echo $(case $v in a) echo 1 ;;b) echo 2;; esac)",
            &[
                "echo 1",
                "echo 2",
                "echo $(case $v in a) echo 1 ;;b) echo 2;; esac)",
            ],
            &[&["a", "b"]],
        ),
        // Fall-through terminators and a subshell in an arm.
        (
            "echo \"$(case $v in a) (echo 1) ;& b) echo 2 ;;& *) echo 3 ;; esac)\"",
            &[
                "echo 1",
                "echo 2",
                "echo 3",
                "echo \"$(case $v in a) (echo 1) ;& b) echo 2 ;;& *) echo 3 ;; esac)\"",
            ],
            &[&["a", "b", "*"]],
        ),
        // A case outside any substitution, with one inside an arm.
        (
            "case $v in a) echo $(case $w in b) echo 2;; esac);; c) true;; esac",
            &["echo 2", "echo $(case $w in b) echo 2;; esac)", "true"],
            &[&["a", "c"], &["b"]],
        ),
        // A case word that is an argument, and quoted text that looks like a case.
        (
            "echo case in a b esac $(case $v in a) echo '$(case x in y) z;; esac)';; esac)",
            &[
                "echo '$(case x in y) z;; esac)'",
                "echo case in a b esac $(case $v in a) echo '$(case x in y) z;; esac)';; esac)",
            ],
            &[&["a"]],
        ),
    ];
    for (src, commands, patterns) in table {
        let script = Script::parse(src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        assert_eq!(command_texts(&script), *commands, "{src:?}");
        let want: Vec<Vec<String>> = patterns
            .iter()
            .map(|ps| ps.iter().map(|p| p.to_string()).collect())
            .collect();
        assert_eq!(case_patterns(&script), want, "{src:?}");
    }
}

#[test]
fn case_outside_substitutions_is_untouched() {
    let src = "case $(uname -m) in x86_64) a=amd64 ;; aarch64) a=arm64 ;; esac; echo $a";
    let script = Script::parse(src).expect("parses");
    assert_eq!(case_patterns(&script), vec![vec!["x86_64", "aarch64"]]);
    assert_eq!(
        command_texts(&script),
        vec!["uname -m", "a=amd64", "a=arm64", "echo $a"]
    );
}

#[test]
fn still_invalid_scripts_report_the_first_error() {
    // The case inside the substitution is balanced, but the script stays invalid.
    let src = "echo $(case $v in a) echo 1;; esac) ;; fi";
    let err = Script::parse(src).expect_err("invalid");
    assert!(err.offset < src.len(), "{err}");
    let plain = "echo $(case $v in a) echo 1;; esac)";
    assert!(Script::parse(plain).is_ok());
}

/// Fragments from which case-heavy scripts are drawn.
fn fragment() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "case ",
        "$v ",
        " in ",
        "a) ",
        "b|c) ",
        "(d) ",
        "*) ",
        ";; ",
        ";;",
        ";& ",
        "esac",
        " esac",
        "$(",
        ")",
        "(",
        "echo x",
        " ",
        "\n",
        "'q) '",
        "\"$(",
        "\"",
        "`",
        "\\",
        "# c\n",
        "<<E\nx) y\nE\n",
        "$((1))",
        "${v:-)}",
        "x=(",
        "|",
        "&&",
        "; ",
        "é",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    /// Scripts built from case fragments never panic, and whatever parses has spans and
    /// word texts from the script as written.
    #[test]
    fn case_fragments_never_panic(parts in prop::collection::vec(fragment(), 0..24)) {
        let src: String = parts.concat();
        if let Ok(script) = Script::parse(&src) {
            for c in script.commands() {
                prop_assert!(src.get(c.span().range()).is_some());
                for w in c.command().words() {
                    prop_assert_eq!(&w.raw, w.span.text(&src));
                }
            }
            let _ = script.outline();
        }
    }

    /// A working substitution around a case, with any patterns, always parses.
    #[test]
    fn generated_case_substitutions_parse(
        arms in prop::collection::vec(
            (prop::collection::vec("[a-z0-9_*?.-]{1,6}", 1..3), any::<bool>(), "[ \\n]{0,2}"),
            1..4,
        ),
        quoted in any::<bool>(),
    ) {
        let mut case = String::from("case $(uname -m) in");
        for (i, (patterns, paren, gap)) in arms.iter().enumerate() {
            case.push_str(if gap.is_empty() { " " } else { gap });
            if *paren {
                case.push('(');
            }
            case.push_str(&patterns.join("|"));
            case.push_str(&format!(") echo {i} ;;"));
        }
        case.push_str(" esac");
        let src = if quoted {
            format!("curl \"x-$({case}).tgz\" | tar xz")
        } else {
            format!("curl x-$({case}).tgz | tar xz")
        };
        let script = Script::parse(&src).map_err(|e| TestCaseError::fail(format!("{src:?}: {e}")))?;
        let texts = command_texts(&script);
        prop_assert_eq!(texts.len(), arms.len() + 3, "{:?}", texts);
        prop_assert_eq!(texts.last().copied(), Some("tar xz"));
        for (i, text) in texts.iter().skip(1).take(arms.len()).enumerate() {
            prop_assert_eq!(*text, format!("echo {i}"));
        }
    }
}
