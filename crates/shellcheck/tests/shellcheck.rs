//! ShellCheck on real Dockerfile text: findings land on the exact line and column (across
//! continuations, in heredocs, with CRLF line endings), with the build's variables declared
//! and the ignore comments honoured; the scripts of many Dockerfiles share a few processes,
//! each distinct script is checked once, and results can be cached.
//!
//! These tests need the `shellcheck` program (Debian package `shellcheck`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{
    lint_source_deferring, lint_source_with, ExternalLinter, FileLint, Level, LintSettings, ALL,
};
use dockopt_shellcheck::ShellCheck;

fn shellcheck() -> ShellCheck {
    ShellCheck::find().expect(
        "these tests run the `shellcheck` program, which is not on PATH: install it \
         (`apt-get install shellcheck`, or scripts/install-tools.sh)",
    )
}

fn lint_with(linter: &dyn ExternalLinter, text: &str, spec: &SelectionSpec) -> FileLint {
    let selection = Selection::resolve(spec, ALL);
    let options = BTreeMap::new();
    let settings = LintSettings {
        rules: ALL,
        selection: &selection,
        options: &options,
    };
    lint_source_with(Path::new("Dockerfile"), text, &settings, &[linter])
}

/// Only ShellCheck's findings: the correctness group with every rule left out.
fn only_shellcheck() -> SelectionSpec {
    SelectionSpec {
        select: vec![Selector::Group(dockopt_rules::Group::Correctness)],
        ignore: ALL
            .iter()
            .map(|r| Selector::Rules(vec![r.meta().name]))
            .collect(),
        ..SelectionSpec::default()
    }
}

/// `RULE line:column-line:column text` for each ShellCheck finding.
fn findings(text: &str) -> Vec<String> {
    let lint = lint_with(&shellcheck(), text, &only_shellcheck());
    assert!(lint.errors.is_empty(), "{:?}", lint.errors);
    lint.findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            let (l1, c1) = position(text, d.range.start);
            let (l2, c2) = position(text, d.range.end);
            format!(
                "{} {l1}:{c1}-{l2}:{c2} {}",
                d.rule,
                text.get(d.range.clone()).unwrap_or("?")
            )
        })
        .collect()
}

fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, column)
}

fn with_code<'a>(found: &'a [String], code: &str) -> Vec<&'a str> {
    found
        .iter()
        .filter(|f| f.starts_with(&format!("{code} ")))
        .map(String::as_str)
        .collect()
}

#[test]
fn findings_land_on_the_continuation_line_they_are_about() {
    let text = "\
FROM debian:12
RUN apt-get update \\
    && echo $missing_one \\
\t&& echo \"ok\" $missing_two
";
    let found = findings(text);
    assert_eq!(
        with_code(&found, "SC2154"),
        vec![
            "SC2154 3:13-3:25 $missing_one",
            "SC2154 4:15-4:27 $missing_two"
        ],
        "{found:?}"
    );
}

#[test]
fn findings_inside_heredocs_use_the_body_lines_and_its_shebang() {
    let text = "\
FROM debian:12
RUN <<EOF
#!/bin/bash
set -e
if [[ -d /srv ]]; then echo $from_heredoc; fi
EOF
RUN <<-EOT sh
\tif [[ -n \"$x\" ]]; then echo; fi
\tEOT
RUN cat <<EOF > /etc/motd
Welcome $user_name
EOF
";
    let found = findings(text);
    // Bash: `[[` is fine; the variable is unassigned.
    assert!(
        found.contains(&"SC2154 5:29-5:42 $from_heredoc".to_string()),
        "{found:?}"
    );
    // The `<<-` body runs in sh, where `[[` is undefined; tabs are stripped but the column
    // is the file's.
    assert!(
        found.iter().any(|f| f.starts_with("SC3010 8:5-")),
        "{found:?}"
    );
    // A heredoc fed to `cat` is data, but unquoted it still expands variables.
    assert!(
        found.contains(&"SC2154 11:9-11:19 $user_name".to_string()),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|f| f.starts_with("SC3010 5:")),
        "the bash shebang was not used: {found:?}"
    );
}

#[test]
fn crlf_files_map_like_lf_files() {
    let lf = "FROM debian:12\nRUN echo a \\\n  && echo $nope\nRUN <<EOF\necho $other\nEOF\n";
    let crlf = lf.replace('\n', "\r\n");
    let found_lf = findings(lf);
    let found_crlf = findings(&crlf);
    assert!(!found_lf.is_empty());
    assert_eq!(found_lf, found_crlf);
    // No "literal carriage return" complaints.
    assert!(
        with_code(&found_crlf, "SC1017").is_empty(),
        "{found_crlf:?}"
    );
}

#[test]
fn the_shell_comes_from_shell_instructions() {
    let text = "\
FROM debian:12
RUN [[ -d /tmp ]] && echo sh
SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]
RUN [[ -d /tmp ]] && echo bash
";
    let found = findings(text);
    let posix: Vec<&str> = with_code(&found, "SC3010");
    assert_eq!(posix.len(), 1, "{found:?}");
    assert!(posix[0].starts_with("SC3010 2:"), "{found:?}");
}

#[test]
fn arg_and_env_names_in_scope_are_declared() {
    let text = "\
ARG GLOBAL_ONLY=1
FROM debian:12 AS build
ARG VERSION
ARG lower_arg=x
ENV app_home=/app PATH=/app/bin:$PATH
RUN echo \"$VERSION\" \"$lower_arg\" \"$app_home\" \"$http_proxy\" \"$not_declared\"
FROM debian:12
RUN echo \"$lower_arg\" \"$app_home\"
";
    let found = findings(text);
    assert_eq!(
        with_code(&found, "SC2154"),
        vec![
            "SC2154 6:61-6:74 $not_declared",
            // Another stage: the ARG and ENV of `build` are not in scope.
            "SC2154 8:11-8:21 $lower_arg",
            "SC2154 8:24-8:33 $app_home",
        ],
        "{found:?}"
    );
}

#[test]
fn ignore_comments_and_selection_apply_to_shellcheck_codes() {
    let text = "\
FROM debian:12
# hadolint ignore=SC2154
RUN echo $a
# dockopt ignore=SC2086,SC2154
RUN echo $b
RUN echo $c
";
    let found = findings(text);
    assert_eq!(
        with_code(&found, "SC2154"),
        vec!["SC2154 6:10-6:12 $c"],
        "{found:?}"
    );
    assert_eq!(
        with_code(&found, "SC2086"),
        vec!["SC2086 3:10-3:12 $a", "SC2086 6:10-6:12 $c"],
        "{found:?}"
    );
    let global = format!("# hadolint global ignore=SC2154\n{text}");
    let found = findings(&global);
    assert!(with_code(&found, "SC2154").is_empty(), "{found:?}");
    let mut spec = only_shellcheck();
    spec.ignore.push(Selector::parse("SC2086", ALL).unwrap());
    spec.levels
        .push((Selector::parse("SC2154", ALL).unwrap(), Some(Level::Error)));
    let lint = lint_with(&shellcheck(), text, &spec);
    let levels: Vec<(String, Level)> = lint
        .findings
        .iter()
        .map(|f| (f.diagnostic.rule.clone(), f.diagnostic.level))
        .collect();
    assert_eq!(levels, vec![("SC2154".to_string(), Level::Error)]);
}

#[test]
fn exec_form_and_non_shell_scripts_are_not_checked() {
    let text = "\
FROM python:3.12
RUN [\"sh\", \"-c\", \"echo $a\"]
RUN <<EOF
#!/usr/bin/env python3
print($b)
EOF
SHELL [\"pwsh\", \"-Command\"]
RUN echo $c
";
    assert_eq!(findings(text), Vec::<String>::new());
}

fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

/// A `shellcheck` that logs each time it runs, then runs the real one.
fn counting_shellcheck(dir: &Path) -> (ShellCheck, PathBuf) {
    let real = shellcheck();
    let log = dir.join("calls.log");
    let wrapper = dir.join("shellcheck");
    std::fs::write(
        &wrapper,
        format!(
            "#!/bin/sh\necho \"$#\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.program().display()
        ),
    )
    .unwrap();
    make_executable(&wrapper);
    (ShellCheck::at(wrapper), log)
}

#[test]
fn one_process_checks_every_script_of_a_dockerfile() {
    let dir = tempfile::tempdir().unwrap();
    let (counting, log) = counting_shellcheck(dir.path());
    let text = "\
FROM debian:12
RUN echo $one
RUN echo $two
RUN <<EOF
echo $three
EOF
FROM alpine:3.20
RUN echo $four
";
    let lint = lint_with(&counting, text, &only_shellcheck());
    let calls = std::fs::read_to_string(&log).unwrap();
    // One call, given the four options and the four script files.
    assert_eq!(calls.lines().collect::<Vec<_>>(), vec!["9"], "{calls}");
    let unassigned = lint
        .findings
        .iter()
        .filter(|f| f.diagnostic.rule == "SC2154")
        .count();
    assert_eq!(unassigned, 4);
    // A Dockerfile without RUN does not start ShellCheck at all.
    lint_with(
        &counting,
        "FROM debian:12\nCMD [\"true\"]\n",
        &only_shellcheck(),
    );
    assert_eq!(std::fs::read_to_string(&log).unwrap().lines().count(), 1);
}

#[test]
fn a_failing_shellcheck_is_an_error_for_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("shellcheck");
    std::fs::write(&broken, "#!/bin/sh\necho 'bad option' >&2\nexit 3\n").unwrap();
    make_executable(&broken);
    let lint = lint_with(
        &ShellCheck::at(&broken),
        "FROM debian:12\nRUN echo $x\n",
        &only_shellcheck(),
    );
    assert_eq!(lint.errors.len(), 1);
    assert!(
        lint.errors[0].message.contains("bad option"),
        "{:?}",
        lint.errors
    );
    let missing = lint_with(
        &ShellCheck::at(dir.path().join("nope")),
        "FROM debian:12\nRUN echo $x\n",
        &only_shellcheck(),
    );
    assert!(
        missing.errors[0].message.contains("cannot run"),
        "{:?}",
        missing.errors
    );
}

/// Lints Dockerfiles as `dockopt lint` does: the rules file by file, then ShellCheck on the
/// scripts of all of them at once.
fn lint_files(linter: &ShellCheck, texts: &[String]) -> Vec<FileLint> {
    let selection = Selection::resolve(&only_shellcheck(), ALL);
    let options = BTreeMap::new();
    let settings = LintSettings {
        rules: ALL,
        selection: &selection,
        options: &options,
    };
    let mut lints = Vec::new();
    let mut pending = Vec::new();
    for (i, text) in texts.iter().enumerate() {
        let path = PathBuf::from(format!("dir{i}/Dockerfile"));
        let (lint, deferred) =
            lint_source_deferring(&path, text, &settings, |ctx| linter.scripts(ctx));
        lints.push(lint);
        pending.push(deferred.unwrap());
    }
    let scripts: Vec<_> = pending.iter().map(|(s, _)| s).collect();
    let results = linter.check_files(&scripts);
    assert_eq!(results.len(), texts.len());
    for ((lint, (_, filter)), result) in lints.iter_mut().zip(&pending).zip(results) {
        filter.add(&selection, lint, result);
    }
    lints
}

/// `RULE line:column text` for each finding of `lint` on `text`.
fn described(text: &str, lint: &FileLint) -> Vec<String> {
    lint.findings
        .iter()
        .map(|f| {
            let (line, column) = position(text, f.diagnostic.range.start);
            format!(
                "{} {line}:{column} {}",
                f.diagnostic.rule,
                text.get(f.diagnostic.range.clone()).unwrap_or("?")
            )
        })
        .collect()
}

/// Dockerfiles with one script of their own (long enough to be worth a second process)
/// and one script they all share.
fn many_dockerfiles(count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            let padding = "# a comment that makes the script longer\n".repeat(30);
            format!(
                "FROM debian:12\nARG VERSION_{i}\nRUN echo \"$VERSION_{i}\" $own_{i}\nRUN <<EOF\n{padding}echo $shared\nEOF\n"
            )
        })
        .collect()
}

#[test]
fn scripts_of_many_dockerfiles_share_few_processes_and_return_to_their_file() {
    let dir = tempfile::tempdir().unwrap();
    let (counting, log) = counting_shellcheck(dir.path());
    let texts = many_dockerfiles(6);
    let lints = lint_files(&counting.with_jobs(2), &texts);
    let calls: Vec<usize> = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    // Two processes for six files; the shared script is checked once: 6 + 1 files, after
    // the five options of each call.
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(calls.iter().map(|n| n - 5).sum::<usize>(), 7, "{calls:?}");
    for (i, (text, lint)) in texts.iter().zip(&lints).enumerate() {
        assert!(lint.errors.is_empty(), "{:?}", lint.errors);
        let found = described(text, lint);
        let unassigned = with_code(&found, "SC2154");
        // Each file gets its own finding, at its own place, and the shared one.
        assert_eq!(
            unassigned,
            vec![
                format!("SC2154 3:23 $own_{i}").as_str(),
                "SC2154 35:6 $shared"
            ],
            "{found:?}"
        );
    }
    // The same files linted one at a time give the same findings.
    for (text, lint) in texts.iter().zip(&lints) {
        let alone = lint_with(&shellcheck(), text, &only_shellcheck());
        assert_eq!(described(text, &alone), described(text, lint));
    }
}

#[test]
fn cached_results_are_reused_and_equal_to_fresh_ones() {
    let dir = tempfile::tempdir().unwrap();
    let (counting, log) = counting_shellcheck(dir.path());
    let cached = counting.with_cache(&dir.path().join("cache"));
    let calls = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .count()
    };
    let texts = many_dockerfiles(3);
    let fresh = lint_files(&cached, &texts);
    let first = calls();
    assert!(first >= 1);
    let again = lint_files(&cached, &texts);
    assert_eq!(calls(), first, "a warm cache starts no process");
    for ((text, a), b) in texts.iter().zip(&fresh).zip(&again) {
        assert!(!a.findings.is_empty());
        assert_eq!(described(text, a), described(text, b));
    }
    // A script not seen before is checked, alone.
    let changed = vec![texts[0].replace("$own_0", "$other")];
    let found = described(&changed[0], &lint_files(&cached, &changed)[0]);
    assert_eq!(calls(), first + 1);
    assert!(
        found.contains(&"SC2154 3:23 $other".to_string()),
        "{found:?}"
    );
}

#[test]
fn a_failing_batch_is_an_error_for_each_of_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("shellcheck");
    std::fs::write(&broken, "#!/bin/sh\necho 'bad option' >&2\nexit 3\n").unwrap();
    make_executable(&broken);
    let cached = ShellCheck::at(&broken).with_cache(&dir.path().join("cache"));
    let texts = many_dockerfiles(2);
    for _ in 0..2 {
        // Failures are not cached: the second run fails the same way.
        let lints = lint_files(&cached, &texts);
        for (i, lint) in lints.iter().enumerate() {
            assert_eq!(lint.errors.len(), 1, "{:?}", lint.errors);
            let message = &lint.errors[0].message;
            assert!(
                message.starts_with(&format!("dir{i}/Dockerfile: ")),
                "{message}"
            );
            assert!(message.contains("bad option"), "{message}");
        }
    }
}
