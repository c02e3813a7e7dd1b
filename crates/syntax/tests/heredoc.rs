//! Heredocs, following BuildKit's parser_heredoc_test.go and the Dockerfile reference.

use dockopt_syntax::{parse, Heredoc};

/// (name, body as BuildKit's Content, expand, chomp, fd)
type Expect = (String, String, bool, bool, Option<u32>);

fn heredocs_of(text: &str) -> Vec<Vec<Heredoc>> {
    let p = parse(text);
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert_eq!(p.to_string(), text);
    p.dockerfile()
        .instructions()
        .map(|i| i.heredocs().to_vec())
        .collect()
}

fn e(name: &str, body: &str, expand: bool, chomp: bool, fd: Option<u32>) -> Expect {
    (name.to_owned(), body.to_owned(), expand, chomp, fd)
}

#[test]
fn buildkit_heredoc_cases() {
    // The text of TestParseExtractsHeredoc, without its `USER <<INVALID` lines (there the
    // line after USER is an unknown instruction, which is an error here).
    let text = r#"
FROM alpine:3.6

ENV NAME=me

RUN ls

RUN <<EMPTY
EMPTY

RUN 3<<EMPTY2
EMPTY2

RUN "<<NOHEREDOC"

RUN <<INDENT
	foo
	bar
INDENT

RUN <<-UNINDENT
	baz
	quux
UNINDENT

RUN <<-UNINDENT2
	baz
	quux
	UNINDENT2

RUN <<-EXPAND
	expand $NAME
EXPAND

RUN <<-'NOEXPAND'
	don't expand $NAME
NOEXPAND

RUN <<COPY
echo hello world
echo foo bar
COPY

RUN <<COMMENT
# internal comment
echo hello world
echo foo bar # trailing comment
COMMENT

RUN --mount=type=cache,target=/foo <<MOUNT
echo hello
MOUNT

COPY <<FILE1 <<FILE2 /dest
content 1
FILE1
content 2
FILE2

COPY <<EOF /quotes
"foo"
'bar'
EOF

COPY <<X <<Y /dest
Y
X
X
Y

RUN <<COMPLEX python3
print('hello world')
COMPLEX

COPY <<file.txt /dest
hello world
file.txt

RUN <<eo'f'
echo foo
eof

RUN <<eo\'f
echo foo
eo'f

RUN <<'e'o\'f
echo foo
eo'f

RUN <<'one two'
echo bar
one two

RUN <<$EOF
$EOF

RUN <<  EOF
EOF

RUN <<  EOF  > foo
EOF
	"#;
    let expected: Vec<Vec<Expect>> = vec![
        vec![],
        vec![],
        vec![],
        vec![e("EMPTY", "", true, false, None)],
        vec![e("EMPTY2", "", true, false, Some(3))],
        vec![],
        vec![e("INDENT", "\tfoo\n\tbar\n", true, false, None)],
        vec![e("UNINDENT", "\tbaz\n\tquux\n", true, true, None)],
        vec![e("UNINDENT2", "\tbaz\n\tquux\n", true, true, None)],
        vec![e("EXPAND", "\texpand $NAME\n", true, true, None)],
        vec![e("NOEXPAND", "\tdon't expand $NAME\n", false, true, None)],
        vec![e(
            "COPY",
            "echo hello world\necho foo bar\n",
            true,
            false,
            None,
        )],
        vec![e(
            "COMMENT",
            "# internal comment\necho hello world\necho foo bar # trailing comment\n",
            true,
            false,
            None,
        )],
        vec![e("MOUNT", "echo hello\n", true, false, None)],
        vec![
            e("FILE1", "content 1\n", true, false, None),
            e("FILE2", "content 2\n", true, false, None),
        ],
        vec![e("EOF", "\"foo\"\n'bar'\n", true, false, None)],
        vec![
            e("X", "Y\n", true, false, None),
            e("Y", "X\n", true, false, None),
        ],
        vec![e("COMPLEX", "print('hello world')\n", true, false, None)],
        vec![e("file.txt", "hello world\n", true, false, None)],
        vec![e("eof", "echo foo\n", false, false, None)],
        vec![e("eo'f", "echo foo\n", true, false, None)],
        vec![e("eo'f", "echo foo\n", false, false, None)],
        vec![e("one two", "echo bar\n", false, false, None)],
        vec![e("$EOF", "", true, false, None)],
        vec![e("EOF", "", true, false, None)],
        vec![e("EOF", "", true, false, None)],
    ];
    let got = heredocs_of(text);
    assert_eq!(got.len(), expected.len());
    for (i, (g, want)) in got.iter().zip(&expected).enumerate() {
        let g: Vec<Expect> = g
            .iter()
            .map(|h| e(&h.name, &h.raw_body, !h.quoted, h.strip_tabs, h.fd))
            .collect();
        assert_eq!(&g, want, "instruction {i}");
    }
}

#[test]
fn user_is_not_a_heredoc_instruction() {
    let p = parse("FROM a\nUSER <<INVALID\nINVALID\n");
    let ins: Vec<_> = p.dockerfile().instructions().collect();
    assert_eq!(ins.len(), 3);
    assert!(ins[1].heredocs().is_empty());
    assert_eq!(p.errors().len(), 1, "{:?}", p.errors());
    assert_eq!(p.errors()[0].message(), "unknown instruction: INVALID");
}

#[test]
fn strip_tabs_body() {
    let text = "FROM a\nRUN <<-EOF\n\tif true; then\n\t\techo hi\n\tfi\n\tEOF\n";
    let h = &heredocs_of(text)[1][0];
    assert_eq!(h.body(), "if true; then\necho hi\nfi\n");
    assert_eq!(h.raw_body, "\tif true; then\n\t\techo hi\n\tfi\n");
    assert!(h.strip_tabs);
}

#[test]
fn json_form_has_no_heredocs() {
    let text = "FROM alpine:3.6\n\nRUN [\"whoami\"]\nRUN [\"<<EOF\"]\nRUN [\"<<'EOF'\"]\n\t";
    for h in heredocs_of(text) {
        assert!(h.is_empty());
    }
}

#[test]
fn ranges_of_marker_body_and_terminator() {
    let text = "FROM a\nRUN <<A cat > /a && <<B cat > /b\nx\nA\ny\nB\nRUN true\n";
    let p = parse(text);
    let ins: Vec<_> = p.dockerfile().instructions().collect();
    let hs = ins[1].heredocs();
    assert_eq!(hs.len(), 2);
    let at = |r: dockopt_syntax::Range| &text[usize::from(r.start())..usize::from(r.end())];
    assert_eq!(at(hs[0].marker_range), "<<A");
    assert_eq!(at(hs[1].marker_range), "<<B");
    assert_eq!(at(hs[0].body_range), "x\n");
    assert_eq!(at(hs[0].end_range), "A");
    assert_eq!(at(hs[1].body_range), "y\n");
    assert_eq!(at(hs[1].end_range), "B");
    // The instruction spans its heredocs; the next one is still seen.
    assert_eq!(
        at(ins[1].range()),
        "RUN <<A cat > /a && <<B cat > /b\nx\nA\ny\nB"
    );
    assert_eq!(ins[2].keyword(), "RUN");
    // The shell text keeps the markers, as BuildKit does.
    assert_eq!(
        ins[1].shell_form().map(|s| s.as_str()),
        Some("<<A cat > /a && <<B cat > /b")
    );
}

#[test]
fn command_after_marker_and_shebang() {
    let text = "FROM a\nRUN <<EOF bash\n#!/usr/bin/env bash\nset -e\necho hi\nEOF\n";
    let h = &heredocs_of(text)[1][0];
    assert_eq!(h.name, "EOF");
    assert_eq!(h.body(), "#!/usr/bin/env bash\nset -e\necho hi\n");
}

#[test]
fn quoted_delimiters() {
    let text = "FROM a\nCOPY <<\"EOF\" /x\n$HOME\nEOF\nADD <<'EOF' /y\n$HOME\nEOF\n";
    let hs = heredocs_of(text);
    assert!(hs[1][0].quoted && hs[2][0].quoted);
    assert_eq!(hs[1][0].body(), "$HOME\n");
}

#[test]
fn onbuild_heredoc() {
    let text = "FROM a\nONBUILD RUN <<EOF\necho hi\nEOF\n";
    let p = parse(text);
    assert!(p.errors().is_empty());
    let ins: Vec<_> = p.dockerfile().instructions().collect();
    assert_eq!(ins[1].heredocs().len(), 1);
    assert_eq!(ins[1].onbuild().map(|i| i.heredocs().len()), Some(1));
}

#[test]
fn unterminated_heredoc_is_an_error_that_keeps_the_text() {
    let text = "FROM a\nRUN <<EOF\necho hi\n";
    let p = parse(text);
    assert_eq!(p.errors().len(), 1);
    assert_eq!(p.errors()[0].message(), "unterminated heredoc");
    assert_eq!(p.to_string(), text);
}

#[test]
fn crlf_heredoc_terminator() {
    let text = "FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\nRUN true\r\n";
    let hs = heredocs_of(text);
    assert_eq!(hs[1][0].raw_body, "echo hi\r\n");
    assert_eq!(hs.len(), 3);
}
