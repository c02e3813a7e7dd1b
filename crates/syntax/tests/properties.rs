//! Property tests: no input panics, and printing the tree gives back the input.

use dockopt_syntax::parse;
use proptest::prelude::*;

fn check(text: &str) {
    let p = parse(text);
    assert_eq!(p.to_string(), text);
    let root = p.syntax();
    assert_eq!(usize::from(root.text_range().len()), text.len());
    // Every typed range lies inside the text on character boundaries.
    let idx = p.line_index();
    for ins in p.dockerfile().instructions() {
        for r in [ins.range(), ins.keyword_range(), ins.args_range()]
            .into_iter()
            .chain(ins.flags().iter().map(|f| f.range))
            .chain(
                ins.heredocs()
                    .iter()
                    .flat_map(|h| [h.marker_range, h.body_range, h.end_range]),
            )
        {
            let (s, e) = (usize::from(r.start()), usize::from(r.end()));
            assert!(s <= e && e <= text.len(), "{r:?} in {text:?}");
            assert!(
                text.is_char_boundary(s) && text.is_char_boundary(e),
                "{r:?} in {text:?}"
            );
            let _ = idx.line_col(r.start());
        }
        if let Some(shell) = ins.shell_form() {
            for (i, ch) in shell.as_str().char_indices() {
                let off = shell.text.source_offset(i).map(usize::from);
                assert!(off.is_some_and(|o| text[o..].starts_with(ch)), "{text:?}");
            }
        }
    }
    for e in p.errors().iter().chain(p.warnings()) {
        assert!(usize::from(e.range().end()) <= text.len());
    }
    // Token kinds are tokens, node kinds are nodes.
    for el in root.descendants_with_tokens() {
        match el {
            rowan::NodeOrToken::Node(n) => assert!(!n.kind().is_token()),
            rowan::NodeOrToken::Token(t) => assert!(t.kind().is_token()),
        }
    }
    let _ = p.buildkit_dump();
    let _ = p.to_json();
    let _ = p.tree_dump();
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("FROM alpine AS b".to_owned()),
        Just("RUN ".to_owned()),
        Just("run".to_owned()),
        Just("COPY --from=b ".to_owned()),
        Just("ADD ".to_owned()),
        Just("ONBUILD ".to_owned()),
        Just("ENV a=1 b".to_owned()),
        Just("LABEL \"x y\"=z".to_owned()),
        Just("ARG V=1".to_owned()),
        Just("HEALTHCHECK --interval=5s CMD ".to_owned()),
        Just("CMD [\"a\", \"b\"]".to_owned()),
        Just("[\"x\"".to_owned()),
        Just("--mount=type=cache,target=/x ".to_owned()),
        Just("<<EOF".to_owned()),
        Just("<<-'EOF'".to_owned()),
        Just("EOF".to_owned()),
        Just("\tEOF".to_owned()),
        Just("\\".to_owned()),
        Just("`".to_owned()),
        Just("# escape=`".to_owned()),
        Just("# syntax=x".to_owned()),
        Just("#".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("é".to_owned()),
        Just("'".to_owned()),
        Just("\"".to_owned()),
        Just("$".to_owned()),
        Just("${a:-b}".to_owned()),
        Just("=".to_owned()),
        "[a-z ]{0,6}".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_strings_round_trip(text in any::<String>()) {
        check(&text);
    }

    #[test]
    fn dockerfile_like_strings_round_trip(pieces in prop::collection::vec(piece(), 0..40)) {
        check(&pieces.concat());
    }
}

#[test]
fn tricky_inputs() {
    for text in [
        "",
        "\\",
        "\\\n",
        "\u{feff}",
        "\u{feff}FROM a",
        "RUN a \\",
        "RUN a \\\n",
        "RUN a \\\n\n# c\n  b",
        "# escape=`\nRUN a `\n b",
        "RUN <<EOF",
        "RUN <<EOF\n",
        "ONBUILD",
        "ONBUILD ONBUILD ONBUILD RUN <<EOF\nx\nEOF",
        "ENV a=",
        "ENV a= b=",
        "LABEL =",
        "HEALTHCHECK",
        "COPY <<  EOF /x\nEOF",
        "RUN --mount=\"type=bind\" x",
        "FROM a\r\r\n",
    ] {
        check(text);
    }
    let deep = "ONBUILD ".repeat(10_000) + "RUN x";
    check(&deep);
    let long = format!("FROM a\nLABEL x={}\n", "a".repeat(70_000));
    let p = parse(&long);
    assert!(p
        .errors()
        .iter()
        .any(|e| e.message().contains("max allowed size")));
}
