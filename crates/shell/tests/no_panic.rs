//! Arbitrary input never panics the parser or the package model.

use proptest::prelude::*;

fn exercise(src: &str) {
    if let Ok(script) = dockopt_shell::Script::parse(src) {
        for c in script.commands() {
            let _ = c.span().text(src);
            let _ = c.failure_stops_script();
            let _ = c.following_in_list();
        }
        for l in script.loops() {
            let _ = script.exit_outcomes(l);
        }
        let _ = script.outline();
        let _ = dockopt_shell::pkg::operations(&script);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings(src in "\\PC{0,80}") {
        exercise(&src);
    }

    #[test]
    fn shell_like_strings(src in "([a-z]{1,4}|[ \\t\\n;&|()<>{}$`'\"\\\\=*~#!-]|\\$\\(|<<EOF\n|é|0-9){0,40}") {
        exercise(&src);
    }
}

#[test]
fn known_tricky_inputs() {
    for s in [
        "",
        " ",
        "\\",
        "$(",
        "`",
        "'",
        "\"",
        "<<",
        "<<EOF",
        "(((",
        ")))",
        "{ ; }",
        "case",
        "for",
        "if then fi",
        "a |",
        "| a",
        "&&",
        "$((1+",
        "${",
        "${x",
        "a=(",
        "!",
        "! !",
        "x\\\n",
        "cat <<'E'\nb\nE",
        "echo $(echo $(echo `echo \\`x\\``))",
        "\0",
        "é$(é)",
        "f() { f; }",
        "coproc x",
        "time a | b",
        "a >&",
        "2>&1",
        "< f",
        "[[ ]]",
    ] {
        exercise(s);
    }
}
