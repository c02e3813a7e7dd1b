//! Parser behaviour on small inputs: directives, continuations, forms, flags, pairs,
//! errors and recovery, and insta snapshots of the tree and JSON dumps.

use dockopt_syntax::{parse, Args, Form, InstructionKind, MountType};

fn dump(text: &str) -> String {
    let p = parse(text);
    assert_eq!(p.to_string(), text);
    p.buildkit_dump()
}

#[test]
fn directives_only_at_the_top() {
    let p = parse("# syntax=docker/dockerfile:1\n#ESCAPE = `\nFROM a\nRUN x `\n y\n");
    let f = p.dockerfile();
    assert_eq!(f.escape(), '`');
    assert_eq!(f.directives().len(), 2);
    assert_eq!(
        dump("# escape=`\nFROM a\nRUN x `\n y\n"),
        "(from \"a\")\n(run \"x  y\")\n"
    );
    // After a blank line or an ordinary comment, it is just a comment.
    let p = parse("\n# escape=`\nFROM a\n");
    assert_eq!(p.dockerfile().escape(), '\\');
    assert!(p.dockerfile().directives().is_empty());
    let p = parse("# hello\n# escape=`\nFROM a\n");
    assert!(p.dockerfile().directives().is_empty());
    // Repeats and bad escapes are errors.
    assert!(!parse("# syntax=a\n# syntax=b\nFROM a\n")
        .errors()
        .is_empty());
    assert!(!parse("# escape=x\nFROM a\n").errors().is_empty());
}

#[test]
fn continuations_like_buildkit() {
    assert_eq!(
        dump("RUN a \\\n  # comment\n\n  b \\\n c\n"),
        "(run \"a   b  c\")\n"
    );
    let p = parse("FROM a\nRUN something \\\n\n    following\n");
    assert_eq!(p.warnings().len(), 1);
    // An escaped escape does not continue.
    assert_eq!(
        dump("RUN a \\\\\nRUN b\n"),
        "(run \"a \\\\\\\\\")\n(run \"b\")\n"
    );
    // Trailing escape at end of file.
    assert_eq!(dump("FROM a\nRUN x \\"), "(from \"a\")\n(run \"x\")\n");
}

#[test]
fn crlf_bom_and_no_final_newline_are_kept() {
    let text = "\u{feff}FROM a\r\nRUN b \\\r\n  c\r\nCMD d";
    let p = parse(text);
    assert!(p.errors().is_empty());
    assert!(p.dockerfile().has_bom());
    assert_eq!(p.to_string(), text);
    assert_eq!(
        p.buildkit_dump(),
        "(from \"a\")\n(run \"b   c\")\n(cmd \"d\")\n"
    );
}

#[test]
fn exec_versus_shell_form() {
    let p = parse("FROM a\nCMD [\"a\", \"b\"]\nCMD ['a']\nCMD [\"a\"\nENTRYPOINT []\n");
    let ins: Vec<_> = p.dockerfile().instructions().collect();
    assert!(matches!(ins[1].form(), Some(Form::Exec(ref e)) if e.args.len() == 2));
    assert!(matches!(ins[2].form(), Some(Form::Shell(_))));
    assert!(matches!(ins[3].form(), Some(Form::Shell(_))));
    assert!(matches!(ins[4].form(), Some(Form::Exec(ref e)) if e.args.is_empty()));
    // Non-string elements are a hard error.
    let p = parse("FROM a\nCMD [\"a\", 1]\nRUN b\n");
    assert_eq!(p.errors().len(), 1);
    assert_eq!(p.dockerfile().instructions().len(), 3);
}

#[test]
fn run_flags_and_mounts() {
    let p = parse(
        "FROM a\nRUN --mount=type=cache,target=/root/.cache,sharing=locked,id=pip \\\n    \
         --mount=type=secret,id=tok,env=TOKEN,required \\\n    --mount=target=/src,ro=false \\\n    \
         --mount=type=tmpfs,dst=/tmp,size=10m --mount=type=ssh \\\n    \
         --network=none --security=insecure pip install .\n",
    );
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    assert!(p.warnings().is_empty(), "{:?}", p.warnings());
    let run = p.dockerfile().instructions().nth(1).expect("run");
    let m = run.mounts();
    assert_eq!(m.len(), 5);
    assert_eq!(m[0].kind, MountType::Cache);
    assert_eq!(m[0].target.as_deref(), Some("/root/.cache"));
    assert_eq!(m[0].sharing.as_deref(), Some("locked"));
    assert!(!m[0].readonly);
    assert_eq!(m[1].kind, MountType::Secret);
    assert_eq!(m[1].env.as_deref(), Some("TOKEN"));
    assert!(m[1].required);
    assert_eq!(m[2].kind, MountType::Bind);
    assert!(!m[2].readonly);
    assert_eq!(m[3].size.as_deref(), Some("10m"));
    assert_eq!(m[4].kind, MountType::Ssh);
    assert!(m[4].readonly);
    let flags = run.run_flags().expect("run flags");
    assert_eq!(flags.network.and_then(|f| f.value).as_deref(), Some("none"));
    assert_eq!(
        flags.security.and_then(|f| f.value).as_deref(),
        Some("insecure")
    );
    let text = p.text();
    let opt = &m[0].options[1];
    assert_eq!(
        &text[usize::from(opt.range.start())..usize::from(opt.range.end())],
        "target=/root/.cache"
    );
    assert_eq!(run.shell_form().map(|s| s.as_str()), Some("pip install ."));
}

#[test]
fn bad_flags_are_warnings() {
    let p = parse("FROM a\nRUN --mount=type=nope,foo=1 --network=wifi x\nCOPY --bogus a b\n");
    let msgs: Vec<_> = p
        .warnings()
        .iter()
        .map(|w| w.message().to_owned())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("unsupported mount type")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("unexpected key 'foo'")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter().any(|m| m.contains("invalid network mode")),
        "{msgs:?}"
    );
    assert!(msgs.iter().any(|m| m == "unknown flag: bogus"), "{msgs:?}");
}

#[test]
fn copy_add_from_and_healthcheck() {
    let p = parse(
        "FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n\
         COPY --from=build --chown=1000:1000 --chmod=755 --link --parents --exclude=*.md a b /dst/\n\
         ADD --checksum=sha256:abc --keep-git-dir=true https://x/y.git /src\n\
         HEALTHCHECK --interval=30s --retries=3 CMD curl -f http://localhost/\n\
         HEALTHCHECK NONE\n",
    );
    assert!(
        p.errors().is_empty() && p.warnings().is_empty(),
        "{:?} {:?}",
        p.errors(),
        p.warnings()
    );
    let ins: Vec<_> = p.dockerfile().instructions().collect();
    let from = ins[0].from_args().expect("from");
    assert_eq!(from.image.value, "golang:1.22");
    assert_eq!(from.name.map(|n| n.value.as_str()), Some("build"));
    assert_eq!(
        from.platform.and_then(|f| f.value.clone()).as_deref(),
        Some("$BUILDPLATFORM")
    );
    let copy = ins[1].copy_args().expect("copy");
    assert_eq!(copy.sources.len(), 2);
    assert_eq!(copy.dest.map(|d| d.value.as_str()), Some("/dst/"));
    assert!(copy.flags.link() && copy.flags.parents());
    assert_eq!(copy.flags.exclude.len(), 1);
    let add = ins[2].copy_args().expect("add");
    assert!(add.flags.checksum.is_some() && add.flags.keep_git_dir.is_some());
    let hc = ins[3].healthcheck().expect("healthcheck");
    assert_eq!(
        hc.flags.interval.and_then(|f| f.value).as_deref(),
        Some("30s")
    );
    assert!(matches!(hc.cmd, Some(Form::Shell(s)) if s.as_str() == "curl -f http://localhost/"));
    assert!(ins[4].healthcheck().is_some_and(|h| h.is_none()));
    let stages = p.dockerfile().stages();
    assert_eq!(stages.len(), 1);
    assert_eq!(stages[0].name(), Some("build"));
}

#[test]
fn env_label_arg_pairs() {
    let p = parse(
        "FROM a\nENV A=1 B=\"x y\" C=\nENV OLD value with spaces\nLABEL a=b c=d\nARG X Y=2 Z=\n",
    );
    let ins: Vec<_> = p.dockerfile().instructions().collect();
    let env: Vec<_> = ins[1]
        .pairs()
        .iter()
        .map(|kv| {
            (
                kv.key.value.as_str(),
                kv.value.as_ref().map(|v| v.value.as_str()),
            )
        })
        .collect();
    assert_eq!(
        env,
        [("A", Some("1")), ("B", Some("\"x y\"")), ("C", Some(""))]
    );
    assert!(!ins[2].pairs()[0].equals);
    assert_eq!(
        ins[2].pairs()[0].value.as_ref().map(|v| v.value.as_str()),
        Some("value with spaces")
    );
    assert_eq!(ins[3].pairs().len(), 2);
    let args: Vec<_> = ins[4]
        .pairs()
        .iter()
        .map(|kv| {
            (
                kv.key.value.as_str(),
                kv.value.as_ref().map(|v| v.value.as_str()),
            )
        })
        .collect();
    assert_eq!(args, [("X", None), ("Y", Some("2")), ("Z", Some(""))]);
    assert!(!parse("FROM a\nENV a=1 b\n").errors().is_empty());
}

#[test]
fn other_instructions() {
    let p = parse(
        "FROM a\nSHELL [\"/bin/bash\", \"-c\"]\nSTOPSIGNAL SIGTERM\nVOLUME [\"/a\", \"/b\"]\nVOLUME /c /d\n\
         EXPOSE 80/tcp 443\nUSER app:app\nWORKDIR /srv\nENTRYPOINT [\"x\"]\nMAINTAINER me\n\
         ONBUILD COPY . /app\n",
    );
    assert!(p.errors().is_empty(), "{:?}", p.errors());
    let kinds: Vec<_> = p.dockerfile().instructions().map(|i| i.kind()).collect();
    use InstructionKind::*;
    assert_eq!(
        kinds,
        [
            From, Shell, Stopsignal, Volume, Volume, Expose, User, Workdir, Entrypoint, Maintainer,
            Onbuild
        ]
    );
    let ins: Vec<_> = p.dockerfile().instructions().collect();
    assert!(ins[3].is_exec_form());
    assert_eq!(ins[4].arguments().len(), 2);
    assert_eq!(ins[5].arguments().len(), 2);
    assert!(matches!(ins[6].args(), Args::Single(a) if a.value == "app:app"));
    let trigger = ins[10].onbuild().expect("trigger");
    assert_eq!(trigger.kind(), Copy);
    let t = p.text();
    assert_eq!(
        &t[usize::from(trigger.range().start())..usize::from(trigger.range().end())],
        "COPY . /app"
    );
}

#[test]
fn unknown_instructions_are_errors_and_parsing_goes_on() {
    let p = parse("FROM a\nFOO bar\nRUN ok\n");
    assert_eq!(p.errors().len(), 1);
    let idx = p.line_index();
    let lc = idx.line_col(p.errors()[0].range().start());
    assert_eq!((lc.line, lc.col), (2, 1));
    assert_eq!(p.dockerfile().instructions().len(), 3);
    assert!(!parse("").errors().is_empty());
    assert!(!parse("# only\n\n").errors().is_empty());
}

#[test]
fn snapshots() {
    let text = "# syntax=docker/dockerfile:1\nFROM alpine:3.20 AS base\n\
                RUN --mount=type=cache,target=/var/cache/apk \\\n    apk add \\\n    # tools\n    curl\n\
                COPY --chmod=644 <<-EOF /etc/motd\n\thello\n\tEOF\n\
                ENV A=1 B=\"two words\"\nCMD [\"sh\", \"-c\", \"echo hi\"]\n";
    let p = parse(text);
    insta::assert_snapshot!("sample_tree", p.tree_dump());
    insta::assert_snapshot!(
        "sample_json",
        serde_json::to_string_pretty(&p.to_json()).unwrap_or_default()
    );
    let health = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/conformance/buildkit-parser/testfiles/escape-with-syntax/Dockerfile"
    ))
    .expect("read");
    insta::assert_snapshot!("escape_with_syntax_tree", parse(&health).tree_dump());
    let uv = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpus/astral-sh__uv-docker-example__Dockerfile/Dockerfile"
    ))
    .expect("read");
    insta::assert_snapshot!(
        "uv_example_json",
        serde_json::to_string_pretty(&parse(&uv).to_json()).unwrap_or_default()
    );
}
