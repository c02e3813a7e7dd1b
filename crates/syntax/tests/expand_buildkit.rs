//! BuildKit's own expectations for its shell lexer (envVarTest, wordsTest and the
//! matched/unmatched cases of lex_test.go), run against `dockopt_syntax::expand`.

use std::collections::HashMap;

use dockopt_syntax::expand::{expand_word, expand_words, Env, Lexer};

/// Source word and expected value (`None`: an error) with
/// PWD=/home, SHELL=bash, KOREAN=한국어 and NULL= set.
const ENV_VAR_CASES: &[(&str, Option<&str>)] = &[
    ("hello", Some("hello")),
    ("he'll'o", Some("hello")),
    ("he'llo", None),
    ("he\\'llo", Some("he'llo")),
    ("he\\\\'llo", None),
    ("abc\\tdef", Some("abctdef")),
    ("\"abc\\tdef\"", Some("abc\\tdef")),
    ("\"abc\\\\tdef\"", Some("abc\\tdef")),
    ("'abc\\tdef'", Some("abc\\tdef")),
    ("hello\\", Some("hello")),
    ("hello\\\\", Some("hello\\")),
    ("\"hello", None),
    ("\"hello\\\"", None),
    ("\"hel'lo\"", Some("hel'lo")),
    ("'hello", None),
    ("'hello\\'", Some("hello\\")),
    ("'hello\\there'", Some("hello\\there")),
    ("'hello\\\\there'", Some("hello\\\\there")),
    ("\"''\"", Some("''")),
    ("$.", Some("$.")),
    ("he$1x", Some("hex")),
    ("he$.x", Some("he$.x")),
    ("he$pwd.", Some("he.")),
    ("he$PWD", Some("he/home")),
    ("he\\$PWD", Some("he$PWD")),
    ("he\\\\$PWD", Some("he\\/home")),
    ("\"he\\$PWD\"", Some("he$PWD")),
    ("\"he\\\\$PWD\"", Some("he\\/home")),
    ("\\${}", Some("${}")),
    ("\\${}aaa", Some("${}aaa")),
    ("he\\${}", Some("he${}")),
    ("he\\${}xx", Some("he${}xx")),
    ("${}", None),
    ("${}aaa", None),
    ("he${}", None),
    ("he${}xx", None),
    ("he${hi}", Some("he")),
    ("he${hi}xx", Some("hexx")),
    ("he${PWD}", Some("he/home")),
    ("he${.}", None),
    ("he${XXX:-000}xx", Some("he000xx")),
    ("he${PWD:-000}xx", Some("he/homexx")),
    ("he${XXX:-$PWD}xx", Some("he/homexx")),
    ("he${XXX:-${PWD:-yyy}}xx", Some("he/homexx")),
    ("he${XXX:-${YYY:-yyy}}xx", Some("heyyyxx")),
    ("he${XXX:YYY}", None),
    ("he${XXX?}", None),
    ("he${XXX:?}", None),
    ("he${PWD?}", Some("he/home")),
    ("he${PWD:?}", Some("he/home")),
    ("he${NULL?}", Some("he")),
    ("he${NULL:?}", None),
    ("he${XXX:+${PWD}}xx", Some("hexx")),
    ("he${PWD:+${XXX}}xx", Some("hexx")),
    ("he${PWD:+${SHELL}}xx", Some("hebashxx")),
    ("he${XXX:+000}xx", Some("hexx")),
    ("he${PWD:+000}xx", Some("he000xx")),
    ("'he${XX}'", Some("he${XX}")),
    ("\"he${PWD}\"", Some("he/home")),
    ("\"he'$PWD'\"", Some("he'/home'")),
    ("\"$PWD\"", Some("/home")),
    ("'$PWD'", Some("$PWD")),
    ("'\\$PWD'", Some("\\$PWD")),
    ("'\"hello\"'", Some("\"hello\"")),
    ("he\\$PWD", Some("he$PWD")),
    ("\"he\\$PWD\"", Some("he$PWD")),
    ("'he\\$PWD'", Some("he\\$PWD")),
    ("he${PWD", None),
    ("he${PWD:=000}xx", None),
    ("he${PWD:+${PWD}:}xx", Some("he/home:xx")),
    ("he${XXX:-\\$PWD:}xx", Some("he$PWD:xx")),
    ("he${XXX:-\\${PWD}z}xx", Some("he${PWDz}xx")),
    ("안녕하세요", Some("안녕하세요")),
    ("안'녕'하세요", Some("안녕하세요")),
    ("안'녕하세요", None),
    ("안녕\\'하세요", Some("안녕'하세요")),
    ("안\\\\'녕하세요", None),
    ("안녕\\t하세요", Some("안녕t하세요")),
    ("\"안녕\\t하세요\"", Some("안녕\\t하세요")),
    ("'안녕\\t하세요", None),
    ("안녕하세요\\", Some("안녕하세요")),
    ("안녕하세요\\\\", Some("안녕하세요\\")),
    ("\"안녕하세요", None),
    ("\"안녕하세요\\\"", None),
    ("\"안녕'하세요\"", Some("안녕'하세요")),
    ("'안녕하세요", None),
    ("'안녕하세요\\'", Some("안녕하세요\\")),
    ("안녕$1x", Some("안녕x")),
    ("안녕$.x", Some("안녕$.x")),
    ("안녕$pwd.", Some("안녕.")),
    ("안녕$PWD", Some("안녕/home")),
    ("안녕\\$PWD", Some("안녕$PWD")),
    ("안녕\\\\$PWD", Some("안녕\\/home")),
    ("안녕\\${}", Some("안녕${}")),
    ("안녕\\${}xx", Some("안녕${}xx")),
    ("안녕${}", None),
    ("안녕${}xx", None),
    ("안녕${hi}", Some("안녕")),
    ("안녕${hi}xx", Some("안녕xx")),
    ("안녕${PWD}", Some("안녕/home")),
    ("안녕${.}", None),
    ("안녕${XXX:-000}xx", Some("안녕000xx")),
    ("안녕${PWD:-000}xx", Some("안녕/homexx")),
    ("안녕${XXX:-$PWD}xx", Some("안녕/homexx")),
    ("안녕${XXX:-${PWD:-yyy}}xx", Some("안녕/homexx")),
    ("안녕${XXX:-${YYY:-yyy}}xx", Some("안녕yyyxx")),
    ("안녕${XXX:YYY}", None),
    ("안녕${XXX:+${PWD}}xx", Some("안녕xx")),
    ("안녕${PWD:+${XXX}}xx", Some("안녕xx")),
    ("안녕${PWD:+${SHELL}}xx", Some("안녕bashxx")),
    ("안녕${XXX:+000}xx", Some("안녕xx")),
    ("안녕${PWD:+000}xx", Some("안녕000xx")),
    ("'안녕${XX}'", Some("안녕${XX}")),
    ("\"안녕${PWD}\"", Some("안녕/home")),
    ("\"안녕'$PWD'\"", Some("안녕'/home'")),
    ("'\"안녕\"'", Some("\"안녕\"")),
    ("안녕\\$PWD", Some("안녕$PWD")),
    ("\"안녕\\$PWD\"", Some("안녕$PWD")),
    ("'안녕\\$PWD'", Some("안녕\\$PWD")),
    ("안녕${PWD", None),
    ("안녕${PWD:=000}xx", None),
    ("안녕${PWD:+${PWD}:}xx", Some("안녕/home:xx")),
    ("안녕${XXX:-\\$PWD:}xx", Some("안녕$PWD:xx")),
    ("안녕${XXX:-\\${PWD}z}xx", Some("안녕${PWDz}xx")),
    ("$KOREAN", Some("한국어")),
    ("안녕$KOREAN", Some("안녕한국어")),
    ("${{aaa}", None),
    ("${aaa}}", Some("}")),
    ("${aaa", None),
    ("${{aaa:-bbb}", None),
    ("${aaa:-bbb}}", Some("bbb}")),
    ("${aaa:-bbb", None),
    ("${aaa:-bbb}", Some("bbb")),
    ("${aaa:-${bbb:-ccc}}", Some("ccc")),
    ("${aaa:-bbb ${foo}", None),
    ("${aaa:-bbb {foo}", Some("bbb {foo")),
    ("${:}", None),
    ("${:-bbb}", None),
    ("${:+bbb}", None),
    ("$1", Some("")),
    ("${1}", Some("")),
    ("${1:+bbb}", Some("")),
    ("${1:-bbb}", Some("bbb")),
    ("$2", Some("")),
    ("${2}", Some("")),
    ("${2:+bbb}", Some("")),
    ("${2:-bbb}", Some("bbb")),
    ("$3", Some("")),
    ("${3}", Some("")),
    ("${3:+bbb}", Some("")),
    ("${3:-bbb}", Some("bbb")),
    ("$4", Some("")),
    ("${4}", Some("")),
    ("${4:+bbb}", Some("")),
    ("${4:-bbb}", Some("bbb")),
    ("$5", Some("")),
    ("${5}", Some("")),
    ("${5:+bbb}", Some("")),
    ("${5:-bbb}", Some("bbb")),
    ("$6", Some("")),
    ("${6}", Some("")),
    ("${6:+bbb}", Some("")),
    ("${6:-bbb}", Some("bbb")),
    ("$7", Some("")),
    ("${7}", Some("")),
    ("${7:+bbb}", Some("")),
    ("${7:-bbb}", Some("bbb")),
    ("$8", Some("")),
    ("${8}", Some("")),
    ("${8:+bbb}", Some("")),
    ("${8:-bbb}", Some("bbb")),
    ("$9", Some("")),
    ("${9}", Some("")),
    ("${9:+bbb}", Some("")),
    ("${9:-bbb}", Some("bbb")),
    ("$999", Some("")),
    ("${999}", Some("")),
    ("${999:+bbb}", Some("")),
    ("${999:-bbb}", Some("bbb")),
    ("$999aaa", Some("aaa")),
    ("${999}aaa", Some("aaa")),
    ("${999:+bbb}aaa", Some("aaa")),
    ("${999:-bbb}aaa", Some("bbbaaa")),
    ("$001", Some("")),
    ("${001}", Some("")),
    ("${001:+bbb}", Some("")),
    ("${001:-bbb}", Some("bbb")),
    ("$001aaa", Some("aaa")),
    ("${001}aaa", Some("aaa")),
    ("${001:+bbb}aaa", Some("aaa")),
    ("${001:-bbb}aaa", Some("bbbaaa")),
    ("$@", Some("")),
    ("${@}", Some("")),
    ("${@:+bbb}", Some("")),
    ("${@:-bbb}", Some("bbb")),
    ("$@@@", Some("@@")),
    ("$@aaa", Some("aaa")),
    ("${@}aaa", Some("aaa")),
    ("${@:+bbb}aaa", Some("aaa")),
    ("${@:-bbb}aaa", Some("bbbaaa")),
    ("$*", Some("")),
    ("${*}", Some("")),
    ("${*:+bbb}", Some("")),
    ("${*:-bbb}", Some("bbb")),
    ("$#", Some("")),
    ("${#}", Some("")),
    ("${#:+bbb}", Some("")),
    ("${#:-bbb}", Some("bbb")),
    ("$?", Some("")),
    ("${?}", Some("")),
    ("${?:+bbb}", Some("")),
    ("${?:-bbb}", Some("bbb")),
    ("$-", Some("")),
    ("${-}", Some("")),
    ("${-:+bbb}", Some("")),
    ("${-:-bbb}", Some("bbb")),
    ("$$", Some("")),
    ("${$}", Some("")),
    ("${$:+bbb}", Some("")),
    ("${$:-bbb}", Some("bbb")),
    ("$!", Some("")),
    ("${!}", Some("")),
    ("${!:+bbb}", Some("")),
    ("${!:-bbb}", Some("bbb")),
    ("$0", Some("")),
    ("${0}", Some("")),
    ("${0:+bbb}", Some("")),
    ("${0:-bbb}", Some("bbb")),
];

#[test]
fn env_var_cases() {
    let env: Env = [
        ("PWD", "/home"),
        ("SHELL", "bash"),
        ("KOREAN", "한국어"),
        ("NULL", ""),
    ]
    .into_iter()
    .collect();
    let mut failures = Vec::new();
    for (source, expected) in ENV_VAR_CASES {
        let got = expand_word(source, &env, '\\').map(|e| e.value);
        let ok = match (expected, &got) {
            (None, Err(_)) => true,
            (Some(want), Ok(value)) => want == value,
            _ => false,
        };
        if !ok {
            failures.push(format!("{source:?}: expected {expected:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(ENV_VAR_CASES.len() > 200);
}

enum Step {
    Env(&'static str, &'static str),
    Case(&'static str, &'static [&'static str]),
}

/// ENV steps add to the environment; cases expect the split words (`["error"]`: an error).
const WORD_STEPS: &[Step] = &[
    Step::Case("hello", &["hello"]),
    Step::Case("hello${hi}bye", &["hellobye"]),
    Step::Env("hi", "hi"),
    Step::Case("hello${hi}bye", &["hellohibye"]),
    Step::Env("space", "abc  def"),
    Step::Case("hello${space}bye", &["helloabc", "defbye"]),
    Step::Case("hello\"${space}\"bye", &["helloabc  defbye"]),
    Step::Case("hello \"${space}\"bye", &["hello", "abc  defbye"]),
    Step::Env("leading", "  ab c"),
    Step::Case("hello${leading}def", &["hello", "ab", "cdef"]),
    Step::Case("hello\"${leading}\" def", &["hello  ab c", "def"]),
    Step::Case("hello\"${leading}\"", &["hello  ab c"]),
    Step::Case("hello${leading}", &["hello", "ab", "c"]),
    Step::Env("trailing", "ab c   "),
    Step::Case("hello${trailing}", &["helloab", "c"]),
    Step::Case("hello${trailing}d", &["helloab", "c", "d"]),
    Step::Case("hello\"${trailing}\"d", &["helloab c   d"]),
    Step::Case("hel\"lo${trailing}\"", &["helloab c   "]),
    Step::Case("hello\" there  \"", &["hello there  "]),
    Step::Case("hello there", &["hello", "there"]),
    Step::Case("hello\\ there", &["hello there"]),
    Step::Case("hello\" there", &["error"]),
    Step::Case("hello\\\" there", &["hello\"", "there"]),
    Step::Case("hello\"\\\\there\"", &["hello\\there"]),
    Step::Case("hello\"\\there\"", &["hello\\there"]),
    Step::Case("hello'\\\\there'", &["hello\\\\there"]),
    Step::Case("hello'\\there'", &["hello\\there"]),
    Step::Case("hello'$there'", &["hello$there"]),
];

#[test]
fn words_cases() {
    let mut env = Env::new();
    let mut cases = 0;
    for step in WORD_STEPS {
        match step {
            Step::Env(name, value) => env.set(*name, *value),
            Step::Case(source, expected) => {
                cases += 1;
                let got =
                    expand_words(source, &env, '\\').unwrap_or_else(|_| vec!["error".to_string()]);
                assert_eq!(&got, expected, "words of {source:?}");
            }
        }
    }
    assert_eq!(cases, 24);
}

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

struct MatchCase {
    input: &'static str,
    env: &'static [(&'static str, &'static str)],
    /// `None`: an error.
    expected: Option<&'static str>,
    matched: &'static [&'static str],
    unmatched: &'static [&'static str],
}

const FX: &[(&str, &str)] = &[("FOO", "xxx"), ("BAR", "")];

const MATCH_CASES: &[MatchCase] = &[
    MatchCase {
        input: "x",
        env: &[("DUMMY", "dummy")],
        expected: Some("x"),
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "x ${UNUSED}",
        env: &[("DUMMY", "dummy")],
        expected: Some("x "),
        matched: &[],
        unmatched: &["UNUSED"],
    },
    MatchCase {
        input: "x ${FOO}",
        env: &[("FOO", "y")],
        expected: Some("x y"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}",
        env: FX,
        expected: Some("xxx  ccc"),
        matched: &["BAR", "FOO"],
        unmatched: &["BAZ"],
    },
    MatchCase {
        input: "${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}",
        env: FX,
        expected: Some("xxx bbb ccc"),
        matched: &["BAR", "FOO"],
        unmatched: &["BAZ"],
    },
    MatchCase {
        input: "${FOO:-}",
        env: FX,
        expected: Some("xxx"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO:-}",
        env: &[],
        expected: Some(""),
        matched: &[],
        unmatched: &["FOO"],
    },
    MatchCase {
        input: "${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}",
        env: FX,
        expected: Some("aaa bbb "),
        matched: &["BAR", "FOO"],
        unmatched: &["BAZ"],
    },
    MatchCase {
        input: "${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}",
        env: FX,
        expected: Some("aaa  "),
        matched: &["BAR", "FOO"],
        unmatched: &["BAZ"],
    },
    MatchCase {
        input: "${FOO?aaa}",
        env: FX,
        expected: Some("xxx"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${BAR?bbb}",
        env: FX,
        expected: Some(""),
        matched: &["BAR"],
        unmatched: &[],
    },
    MatchCase {
        input: "${BAZ?ccc}",
        env: FX,
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO:?aaa}",
        env: FX,
        expected: Some("xxx"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${BAR:?bbb}",
        env: FX,
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${BAZ:?ccc}",
        env: FX,
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${BAZ:?}",
        env: FX,
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO=aaa}",
        env: FX,
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO=:aaa}",
        env: FX,
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO=}",
        env: &[],
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO#()[]{\\}^$.\\*\\?|\\\\}",
        env: &[("FOO", "()[]{}^$.*?|\\x")],
        expected: Some("x"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO%%\\**}",
        env: &[("FOO", "xx**")],
        expected: Some("xx"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO#*x*y}",
        env: &[("FOO", "xxyy")],
        expected: Some("y"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO#*}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO#$BAR}",
        env: &[("FOO", "xxyy"), ("BAR", "x")],
        expected: Some("xyy"),
        matched: &["BAR", "FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO#$BAR}",
        env: &[("FOO", "xxyy"), ("BAR", "")],
        expected: Some("xxyy"),
        matched: &["BAR", "FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO#}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO##*x}",
        env: &[("FOO", "xxyy")],
        expected: Some("yy"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO##}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO#?\\?}",
        env: &[("FOO", "???y")],
        expected: Some("?y"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${ABC:-.}${FOO%x}${ABC:-.}",
        env: &[("FOO", "xxyy")],
        expected: Some(".xxyy."),
        matched: &["FOO"],
        unmatched: &["ABC"],
    },
    MatchCase {
        input: "${FOO%%\\**\\*}",
        env: &[("FOO", "a***yy*")],
        expected: Some("a"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO%}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO%%$BAR}",
        env: &[("FOO", "xxyy"), ("BAR", "")],
        expected: Some("xxyy"),
        matched: &["BAR", "FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO:#}",
        env: &[],
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO:##}",
        env: &[],
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO:%}",
        env: &[],
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO:%%}",
        env: &[],
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}",
        env: &[("FOO", "/foo*/*/*.txt"), ("NEEDLE", "\\*/")],
        expected: Some("/foo.*/*.txt - /foo..*.txt"),
        matched: &["FOO", "NEEDLE"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}",
        env: &[("FOO", "/tmp/tmp/bar.txt"), ("NEEDLE", "/tmp")],
        expected: Some("/tmp/bar.txt - /bar.txt"),
        matched: &["FOO", "NEEDLE"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}",
        env: &[
            ("FOO", "/a/foo/b/c.txt"),
            ("NEEDLE", "/?/"),
            ("REPLACEMENT", "/"),
        ],
        expected: Some("/foo/b/c.txt - /foo/c.txt"),
        matched: &["FOO", "NEEDLE", "REPLACEMENT"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO/$NEEDLE/$REPLACEMENT}",
        env: &[
            ("FOO", "http://google.de"),
            ("NEEDLE", "http://"),
            ("REPLACEMENT", "https://"),
        ],
        expected: Some("https://google.de"),
        matched: &["FOO", "NEEDLE", "REPLACEMENT"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO//\\//\\/}",
        env: &[("FOO", "/tmp/foo.txt")],
        expected: Some("\\/tmp\\/foo.txt"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO/$BAR/ww}",
        env: &[("FOO", "xxyy"), ("BAR", "")],
        expected: Some("wwxxyy"),
        matched: &["BAR", "FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO//ww}",
        env: &[("FOO", "xxyy")],
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO//}",
        env: &[("FOO", "xxyy")],
        expected: None,
        matched: &[],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO///}",
        env: &[("FOO", "xxyy")],
        expected: Some("xxyy"),
        matched: &["FOO"],
        unmatched: &[],
    },
    MatchCase {
        input: "${FOO///}",
        env: &[],
        expected: Some(""),
        matched: &[],
        unmatched: &["FOO"],
    },
];

#[test]
fn matched_and_unmatched_cases() {
    for case in MATCH_CASES {
        let env = map(case.env);
        let got = expand_word(case.input, &env, '\\');
        match (case.expected, got) {
            (None, Err(_)) => {}
            (Some(want), Ok(expansion)) => {
                assert_eq!(expansion.value, want, "value of {:?}", case.input);
                let mut matched = expansion.matched();
                matched.sort_unstable();
                assert_eq!(matched, case.matched, "matched of {:?}", case.input);
                let mut unset = expansion.unset();
                unset.sort_unstable();
                assert_eq!(unset, case.unmatched, "unmatched of {:?}", case.input);
            }
            (want, got) => panic!("{:?}: expected {want:?}, got {got:?}", case.input),
        }
    }
}

#[test]
fn required_variable_messages() {
    let set = map(&[("VAR", "plain"), ("ARG", "x")]);
    let empty = map(&[("VAR", ""), ("ARG", "x")]);
    let unset = map(&[("ARG", "x")]);
    let no_empty = "${VAR:?message here$ARG}";
    let no_unset = "${VAR?message here$ARG}";

    assert_eq!(
        expand_word(no_empty, &set, '\\')
            .map(|e| e.value)
            .as_deref(),
        Ok("plain")
    );
    for env in [&empty, &unset] {
        let err = expand_word(no_empty, env, '\\').expect_err("must fail");
        assert_eq!(err.message, "VAR: message herex");
        assert_eq!(err.offset, 0);
    }
    assert_eq!(
        expand_word(no_unset, &set, '\\')
            .map(|e| e.value)
            .as_deref(),
        Ok("plain")
    );
    assert_eq!(
        expand_word(no_unset, &empty, '\\')
            .map(|e| e.value)
            .as_deref(),
        Ok("")
    );
    let err = expand_word(no_unset, &unset, '\\').expect_err("must fail");
    assert_eq!(err.to_string(), "VAR: message herex");
    let err = expand_word("a ${VAR:?}", &unset, '\\').expect_err("must fail");
    assert_eq!(err.message, "VAR: is not allowed to be unset");
    assert_eq!(err.offset, 2);
}

#[test]
fn platform_release_names() {
    let word =
        "something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz";
    let base = [("VERSION", "v1.2.3"), ("TARGETOS", "linux")];
    let arm: Env = base
        .iter()
        .copied()
        .chain([("TARGETARCH", "arm"), ("TARGETVARIANT", "v7")])
        .collect();
    assert_eq!(
        expand_word(word, &arm, '\\').map(|e| e.value).as_deref(),
        Ok("something-v1.2.3.linux-arm-v7.tar.gz")
    );
    let empty_variant: Env = base
        .iter()
        .copied()
        .chain([("TARGETARCH", "arm64"), ("TARGETVARIANT", "")])
        .collect();
    assert_eq!(
        expand_word(word, &empty_variant, '\\')
            .map(|e| e.value)
            .as_deref(),
        Ok("something-v1.2.3.linux-arm64.tar.gz")
    );
    let no_variant: Env = base
        .iter()
        .copied()
        .chain([("TARGETARCH", "arm64")])
        .collect();
    assert_eq!(
        expand_word(word, &no_variant, '\\')
            .map(|e| e.value)
            .as_deref(),
        Ok("something-v1.2.3.linux-arm64.tar.gz")
    );
}

#[test]
fn heredoc_lexer_keeps_quotes() {
    let env = map(&[("NAME", "world")]);
    let got = Lexer::heredoc_body().expand("echo 'hi $NAME' \"x\"", &env);
    assert_eq!(got.map(|e| e.value).as_deref(), Ok("echo 'hi world' \"x\""));
}
