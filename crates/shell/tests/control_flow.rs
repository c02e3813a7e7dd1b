//! The tree and the context queries for each control-flow construct.

use dockopt_shell::{Connector, NodeKind, Script, ShellOptions, Status};

fn parse(s: &str) -> Script {
    match Script::parse(s) {
        Ok(s) => s,
        Err(e) => panic!("{s:?}: {e}"),
    }
}

fn names(script: &Script) -> Vec<String> {
    script
        .commands()
        .map(|c| {
            c.command()
                .name
                .as_ref()
                .map_or("-".into(), |w| w.raw.clone())
        })
        .collect()
}

#[test]
fn outlines() {
    let cases = [
        "a && b || c",
        "(cd /src && make) ; { a; b; } > log 2>&1",
        "for i in 1 2 3; do apk add X && break || sleep 5; done",
        "while true; do x; done; until y; do z; done",
        "if [ -f x ]; then a; elif b; then c; else d; fi",
        "case $x in a|b) echo 1;; *) echo 2;; esac",
        "f() { echo hi; }; set -eux; ! a | b &",
        "VAR=x cmd \"a b\" $(ls `pwd`) >/dev/null 2>&1",
        "cat <<EOF > /x\nhello $HOME\nEOF\necho done",
        "apt-get update \\\n  && apt-get install -y x",
        "[[ -f x ]] && echo \"é\" || (( n++ ))",
        "diff <(sort a) <(sort b) | tee out",
    ];
    let mut out = String::new();
    for c in cases {
        out.push_str(&format!("### {c:?}\n{}\n", parse(c).outline()));
    }
    insta::assert_snapshot!(out);
}

#[test]
fn spans_are_bytes() {
    let src = "echo é && ls ~/x";
    let s = parse(src);
    let ls = s.commands().nth(1).expect("two commands");
    assert_eq!(ls.span().text(src), "ls ~/x");
    assert_eq!(ls.span().start, 11);
}

#[test]
fn words_literal_and_resolution() {
    let s = parse(r#"echo 'a b' "c$HOME" ~/.cache/pip ${PIP:-/tmp/p} x\ y /var/lib/apt/lists/*"#);
    let c = s.commands().next().expect("command");
    let args = &c.command().args;
    assert_eq!(args[0].literal(), Some("a b"));
    assert_eq!(args[1].literal(), None);
    let home = |n: &str| (n == "HOME").then(|| "/home/u".to_string());
    assert_eq!(args[1].resolve(&home).as_deref(), Some("c/home/u"));
    assert_eq!(
        args[2].resolve(&home).as_deref(),
        Some("/home/u/.cache/pip")
    );
    assert_eq!(args[3].resolve(&home).as_deref(), Some("/tmp/p"));
    assert_eq!(args[4].literal(), Some("x y"));
    assert!(args[5].has_glob());
    assert_eq!(args[5].literal(), Some("/var/lib/apt/lists/*"));
}

#[test]
fn assignments_and_redirects() {
    let s = parse("DEBIAN_FRONTEND=noninteractive apt-get install -y x > /dev/null 2>&1");
    let c = s.commands().next().expect("command").command();
    assert_eq!(c.assignments[0].name, "DEBIAN_FRONTEND");
    assert_eq!(c.assignments[0].value.literal(), Some("noninteractive"));
    assert_eq!(c.name_literal(), Some("apt-get"));
    assert_eq!(c.args.len(), 3);
    assert!(c.output_discarded());
    let s = parse("cmd 2>&1 >/dev/null");
    assert!(!s
        .commands()
        .next()
        .expect("cmd")
        .command()
        .output_discarded());
    let s = parse("cmd &>/dev/null");
    assert!(s
        .commands()
        .next()
        .expect("cmd")
        .command()
        .output_discarded());
}

#[test]
fn retry_loop_exit_status_comes_from_sleep() {
    let s = parse("for i in 1 2 3; do apk add X && break || sleep 5; done");
    let lp = s.loops()[0];
    let body = s.loop_body(lp).expect("loop body");
    let outcomes = s.exit_outcomes(body);
    let by_name: Vec<(String, Status)> = outcomes
        .iter()
        .map(|o| {
            let name = s
                .command(o.node)
                .and_then(|c| c.name_literal())
                .unwrap_or("?");
            (name.to_string(), o.status)
        })
        .collect();
    assert_eq!(
        by_name,
        vec![
            ("break".into(), Status::Success),
            ("sleep".into(), Status::Any)
        ]
    );
    // The loop itself: static word list, so the body always runs.
    let loop_outcomes = s.exit_outcomes(lp);
    assert_eq!(loop_outcomes.len(), 2);
    let apk = s.commands().next().expect("apk");
    assert_eq!(apk.enclosing_loops(), vec![lp]);
    let sleep = s.commands().nth(2).expect("sleep");
    assert!(sleep.after_or());
    assert!(!apk.after_or());
}

#[test]
fn and_or_outcomes() {
    let s = parse("a && b || c");
    let o = s.exit_outcomes(s.root());
    let names: Vec<_> = o
        .iter()
        .map(|o| (s.command(o.node).and_then(|c| c.name_literal()), o.status))
        .collect();
    assert_eq!(
        names,
        vec![(Some("b"), Status::Success), (Some("c"), Status::Any)]
    );
    let s = parse("! false");
    assert_eq!(s.exit_outcomes(s.root())[0].status, Status::Success);
    let s = parse("a || true");
    let o = s.exit_outcomes(s.root());
    assert!(o.iter().all(|o| o.status == Status::Success));
    let s = parse("long &");
    assert_eq!(s.exit_outcomes(s.root())[0].status, Status::Success);
}

#[test]
fn contexts() {
    let s = parse("(cd x && make) ; echo $(date) ; f() { g; } ; if t; then u | v; fi ; w &");
    let cmds: Vec<_> = s.commands().collect();
    let find = |n: &str| {
        cmds.iter()
            .find(|c| c.command().name_literal() == Some(n))
            .copied()
            .expect(n)
    };
    assert!(find("cd").in_subshell());
    assert!(!find("echo").in_subshell());
    assert!(find("date").in_substitution());
    assert!(find("g").in_function());
    assert!(find("t").in_condition());
    assert!(!find("u").in_condition());
    let u = find("u").pipeline().expect("pipeline");
    assert_eq!((u.index, u.len), (0, 2));
    assert!(u.feeds_pipe());
    assert!(find("w").in_background());
    // Substitutions run before their command.
    let order = names(&s);
    let date = order.iter().position(|n| n == "date");
    let echo = order.iter().position(|n| n == "echo");
    assert!(date < echo);
    // What follows `cd x && make` in the top list.
    let make = find("make");
    assert!(make.following_in_list().is_empty());
    assert_eq!(find("cd").rest_of_chain()[0].0, Connector::And);
    assert!(s.has_pipes());
}

#[test]
fn shell_options_tracking() {
    let s = parse("a; set -eux; b; (set +e; c); d; set -o pipefail; e | f; set +o errexit; g");
    let opts: Vec<(String, ShellOptions)> = s
        .commands()
        .filter(|c| c.command().name_literal() != Some("set"))
        .map(|c| {
            (
                c.command().name_literal().unwrap_or("").to_string(),
                c.options(),
            )
        })
        .collect();
    let get = |n: &str| opts.iter().find(|(m, _)| m == n).map(|(_, o)| *o).expect(n);
    assert!(!get("a").errexit);
    assert!(get("b").errexit && !get("b").pipefail);
    assert!(!get("c").errexit);
    assert!(get("d").errexit, "set +e in a subshell stays there");
    assert!(get("e").pipefail && get("f").pipefail);
    assert!(!get("g").errexit && get("g").pipefail);
    let s = parse("set -euo pipefail; x");
    let x = s.commands().nth(1).expect("x");
    assert_eq!(
        x.options(),
        ShellOptions {
            errexit: true,
            pipefail: true
        }
    );
    assert!(x.failure_stops_script());
    let s = Script::parse_with(
        "a | b",
        ShellOptions {
            errexit: false,
            pipefail: true,
        },
    )
    .expect("parses");
    assert!(s.commands().all(|c| c.options().pipefail));
}

#[test]
fn failure_stops_script_follows_errexit_rules() {
    let s = parse("set -e; a || b; if c; then d; fi; e | f; ! g");
    let stops: Vec<(String, bool)> = s
        .commands()
        .skip(1)
        .map(|c| {
            (
                c.command().name_literal().unwrap_or("").to_string(),
                c.failure_stops_script(),
            )
        })
        .collect();
    let expected = [
        ("a", false),
        ("b", true),
        ("c", false),
        ("d", true),
        ("e", false),
        ("f", true),
        ("g", false),
    ];
    let expected: Vec<(String, bool)> = expected.iter().map(|(n, b)| (n.to_string(), *b)).collect();
    assert_eq!(stops, expected);
}

#[test]
fn compound_kinds() {
    let s = parse("while read l; do echo $l; done < f");
    let w = s.loops()[0];
    assert!(matches!(s.kind(w), NodeKind::While { .. }));
    assert_eq!(s.node(w).redirects.len(), 1);
    assert_eq!(
        s.node(w).redirects[0]
            .target
            .as_ref()
            .and_then(|t| t.literal()),
        Some("f")
    );
    let s = parse("for f in *.txt; do rm $f; done");
    // A glob list may be empty, so the loop itself can decide the status.
    assert!(s
        .exit_outcomes(s.loops()[0])
        .iter()
        .any(|o| o.node == s.loops()[0]));
}

#[test]
fn errors_have_offsets() {
    let e = Script::parse("echo ok && ").expect_err("incomplete");
    assert_eq!(e.offset, 11);
    let e = Script::parse("echo \"unterminated").expect_err("unterminated");
    assert!(e.message.contains("quote"), "{e}");
    let e = Script::parse("if true; then\n  echo x\nfx").expect_err("no fi");
    assert!(e.line >= 1);
    let deep = "(".repeat(500);
    assert!(Script::parse(&deep).is_err());
}
