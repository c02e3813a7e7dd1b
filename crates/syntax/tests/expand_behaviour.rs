//! Expansion behaviour beyond BuildKit's own tables: the backtick escape, lexer options,
//! reference spans, error offsets, which instructions expand, and that no input panics.
//! Expected values were checked against BuildKit's lexer.

use dockopt_syntax::expand::{
    expand_word, expand_words, instruction_expansion, ArgumentExpansion, Env, Lexer,
};
use proptest::prelude::*;

fn env(pairs: &[(&str, &str)]) -> Env {
    pairs.iter().copied().collect()
}

fn value(word: &str, vars: &Env, escape: char) -> Result<String, String> {
    expand_word(word, vars, escape)
        .map(|e| e.value)
        .map_err(|e| e.message)
}

#[test]
fn backtick_escape_character() {
    let vars = env(&[("X", "v")]);
    // With ` as the escape character a backslash is a plain character (Windows paths).
    assert_eq!(
        value("C:`Program` Files`$X\\$X", &vars, '`').as_deref(),
        Ok("C:Program Files$X\\v")
    );
    assert_eq!(value("\"a`\"b`$X\"", &vars, '`').as_deref(), Ok("a\"b$X"));
    assert_eq!(value("\"a\\b\"", &vars, '`').as_deref(), Ok("a\\b"));
}

#[test]
fn glob_modifiers() {
    let vars = env(&[("X", "a/b/c"), ("B", "banana"), ("P", "a(b(")]);
    assert_eq!(
        value("${X%/*}|${X%%/*}|${X#*/}|${X##*/}", &vars, '\\').as_deref(),
        Ok("a/b|a|b/c|c")
    );
    assert_eq!(value("${B/an/AN}", &vars, '\\').as_deref(), Ok("bANana"));
    assert_eq!(value("${B//an/AN}", &vars, '\\').as_deref(), Ok("bANANa"));
    assert_eq!(value("${B//*/-}", &vars, '\\').as_deref(), Ok("-"));
    assert_eq!(value("${P//?(/-}", &vars, '\\').as_deref(), Ok("--"));
    // `$0` in a replacement is a shell variable here, unset, so it expands to nothing.
    assert_eq!(
        value("${B//a/[$0]}", &vars, '\\').as_deref(),
        Ok("b[]n[]n[]")
    );
    // `*` and `?` never match a newline, as in the regexp BuildKit builds.
    let nl = env(&[("N", "ab\ncd")]);
    assert_eq!(value("${N#*}", &nl, '\\').as_deref(), Ok("ab\ncd"));
    assert_eq!(value("${N##*}", &nl, '\\').as_deref(), Ok("\ncd"));
    assert_eq!(value("${N%%*}", &nl, '\\').as_deref(), Ok("ab\n"));
}

#[test]
fn split_words_and_shared_buffer() {
    let vars = env(&[("X", "1 2")]);
    assert_eq!(
        expand_words("a $X \"b c\"", &vars, '\\'),
        Ok(vec!["a".into(), "1".into(), "2".into(), "b c".into()])
    );
    // BuildKit drops text before a `${NAME:-word}` from the split words (only there).
    let none = Env::new();
    let e = expand_word("a${X:-b}c d", &none, '\\').expect("expands");
    assert_eq!(e.value, "abc d");
    assert_eq!(e.words, vec!["bc".to_string(), "d".to_string()]);
    // `<<` keeps the blanks after it in the same word.
    assert_eq!(
        expand_words("<< EOF x", &none, '\\'),
        Ok(vec!["<< EOF".into(), "x".into()])
    );
}

#[test]
fn lexer_options() {
    let none = Env::new();
    let lexer = Lexer::new('\\').skip_unset(true);
    let e = lexer.expand("${X:-b} ${Y}z", &none).expect("expands");
    assert_eq!(e.value, "${X:-b} ${Y}z");
    assert_eq!(e.unset(), vec!["X", "Y"]);
    // BuildKit writes back one slash even for `//`.
    assert_eq!(
        lexer.expand("${X//a/b}", &none).map(|e| e.value).as_deref(),
        Ok("${X/a/b}")
    );
    let raw = Lexer::new('\\').raw_quotes(true).raw_escapes(true);
    let e = raw.expand("'a' \\b", &none).expect("expands");
    assert_eq!(e.words, vec!["'a'".to_string(), "\\b".to_string()]);
    let no_quotes = Lexer::new('\\').skip_process_quotes(true);
    assert_eq!(
        no_quotes
            .expand("'$Z' \"q\"", &env(&[("Z", "z")]))
            .map(|e| e.value)
            .as_deref(),
        Ok("'z' \"q\"")
    );
}

#[test]
fn references_have_spans() {
    let vars = env(&[("A", "1")]);
    let word = "x$A-${B:-$A}";
    let e = expand_word(word, &vars, '\\').expect("expands");
    let refs: Vec<(&str, &str, bool)> = e
        .references
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                word.get(r.span.clone()).unwrap_or("?"),
                r.set,
            )
        })
        .collect();
    assert_eq!(
        refs,
        vec![
            ("A", "$A", true),
            ("A", "$A", true),
            ("B", "${B:-$A}", false)
        ]
    );
    assert_eq!(e.matched(), vec!["A"]);
    assert_eq!(e.unset(), vec!["B"]);
}

#[test]
fn errors_carry_offsets() {
    let none = Env::new();
    let err = expand_word("ab ${}", &none, '\\').expect_err("bad substitution");
    assert_eq!(
        (err.message.as_str(), err.offset),
        ("syntax error: bad substitution", 3)
    );
    let err = expand_word("ab 'cd", &none, '\\').expect_err("open quote");
    assert_eq!(err.offset, 3);
    assert!(err.message.contains("single-quote"));
    let err = expand_word("${X:-a", &none, '\\').expect_err("unclosed");
    assert_eq!(
        (err.message.as_str(), err.offset),
        ("syntax error: missing '}'", 6)
    );
    let err = expand_word("x${X=a}", &none, '\\').expect_err("unsupported");
    assert_eq!(err.message, "unsupported modifier (=) in substitution");
    assert_eq!(err.offset, 4);
    let err = expand_word("${X#\\x}", &env(&[("X", "v")]), '\\').expect_err("escape");
    assert_eq!(
        err.message,
        "invalid pattern (\\x) in substitution: invalid escape '\\x'"
    );
}

#[test]
fn which_instructions_expand() {
    let from = instruction_expansion("from");
    assert_eq!(from.arguments, ArgumentExpansion::GlobalArgs);
    assert_eq!(from.flags, ["platform"]);
    let copy = instruction_expansion("COPY");
    assert_eq!(copy.arguments, ArgumentExpansion::EachWord);
    assert!(!copy.flags.contains(&"from"));
    assert!(copy.heredoc_bodies);
    assert_eq!(
        instruction_expansion("ADD").flags,
        ["chown", "chmod", "checksum"]
    );
    assert_eq!(
        instruction_expansion("ENV").arguments,
        ArgumentExpansion::KeysAndValues
    );
    assert_eq!(
        instruction_expansion("LABEL").arguments,
        ArgumentExpansion::KeysAndValues
    );
    assert_eq!(
        instruction_expansion("ARG").arguments,
        ArgumentExpansion::Values
    );
    assert_eq!(
        instruction_expansion("EXPOSE").arguments,
        ArgumentExpansion::SplitWords
    );
    for keyword in ["USER", "WORKDIR", "VOLUME", "STOPSIGNAL"] {
        assert_eq!(
            instruction_expansion(keyword).arguments,
            ArgumentExpansion::EachWord
        );
    }
    let run = instruction_expansion("RUN");
    assert_eq!(
        (run.arguments, run.flags),
        (ArgumentExpansion::None, &["mount"][..])
    );
    for keyword in [
        "CMD",
        "ENTRYPOINT",
        "SHELL",
        "HEALTHCHECK",
        "ONBUILD",
        "MAINTAINER",
        "NOPE",
    ] {
        let e = instruction_expansion(keyword);
        assert_eq!(
            (e.arguments, e.flags.len()),
            (ArgumentExpansion::None, 0),
            "{keyword}"
        );
    }
}

fn shell_word() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "$", "{", "}", ":", "-", "+", "?", "#", "%", "/", "*", "\\", "`", "'", "\"", " ", "\n",
        "a", "X", "1", "@", "<<", "${X", "${X:-", "${X#", "${X%%", "${X//", "$X", "é", "\u{feff}",
    ]);
    prop::collection::vec(pieces, 0..24).prop_map(|p| p.concat())
}

proptest! {
    #[test]
    fn never_panics_on_shell_like_words(word in shell_word(), value in ".{0,12}", backtick in any::<bool>()) {
        let vars = env(&[("X", value.as_str())]);
        let escape = if backtick { '`' } else { '\\' };
        if let Err(err) = expand_word(&word, &vars, escape) {
            prop_assert!(err.offset <= word.len());
            prop_assert!(!err.message.is_empty());
        }
        let _ = Lexer::new(escape).raw_quotes(true).raw_escapes(true).skip_unset(true).expand(&word, &vars);
        let _ = Lexer::heredoc_body().expand(&word, &vars);
    }

    #[test]
    fn never_panics_on_any_text(word in any::<String>(), value in any::<String>()) {
        let vars = env(&[("X", value.as_str())]);
        let _ = expand_word(&word, &vars, '\\');
    }

    #[test]
    fn plain_text_splits_like_whitespace(word in "[a-z \t]{0,30}") {
        let e = expand_word(&word, &Env::new(), '\\').expect("plain text expands");
        prop_assert_eq!(&e.value, &word);
        let want: Vec<String> = word.split_whitespace().map(str::to_string).collect();
        prop_assert_eq!(e.words, want);
    }

    #[test]
    fn references_point_into_the_word(word in shell_word()) {
        if let Ok(e) = expand_word(&word, &env(&[("X", "1")]), '\\') {
            for r in e.references {
                prop_assert!(word.get(r.span.clone()).is_some_and(|s| s.starts_with('$')));
            }
        }
    }
}
