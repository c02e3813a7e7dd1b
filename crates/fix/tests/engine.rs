//! The fix engine on rules declared here, so its guarantees are tested apart from which
//! rules ship.

use std::collections::BTreeMap;
use std::path::Path;

use dockopt_fix::{fix_source, unified_diff, write_atomic, FixError, FixOptions};
use dockopt_rules::prelude::InstructionKind;
use dockopt_rules::selection::{Selection, SelectionSpec, Selector};
use dockopt_rules::{declare_rule, Check, Context, Edit, Findings, Fix, FixSafety, Rule};

declare_rule! {
    /// Marks every RUN with a comment line above it (safe).
    pub struct MarkRuns {
        name: "mark-runs",
        group: Style,
        level: Info,
        aliases: [],
        fix: Safe,
        summary: "mark runs",
    }
}

impl Check for MarkRuns {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for (_, run) in ctx.instructions_of(InstructionKind::Run) {
            let start = usize::from(run.range().start());
            let line_start = ctx.source[..start].rfind('\n').map_or(0, |i| i + 1);
            let previous = ctx.source[..line_start.saturating_sub(1)]
                .rsplit('\n')
                .next()
                .unwrap_or("");
            if previous.trim_end_matches('\r') == "# checked" {
                continue;
            }
            out.report(start..start + 3, "unmarked RUN").fix(Fix {
                safety: FixSafety::Safe,
                description: "mark it".into(),
                edits: vec![Edit::insert(line_start, "# checked\n")],
            });
        }
    }
}

declare_rule! {
    /// Renames the first stage, unsafely.
    pub struct NameStage {
        name: "name-stage",
        group: Style,
        level: Info,
        aliases: [],
        fix: Unsafe,
        summary: "name stage",
    }
}

impl Check for NameStage {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        if let Some((_, from)) = ctx.instructions_of(InstructionKind::From).next() {
            if from.from_args().is_some_and(|f| f.name.is_none()) {
                let end = usize::from(from.range().end());
                out.report(0..4, "unnamed").fix(Fix {
                    safety: FixSafety::Unsafe,
                    description: "name it".into(),
                    edits: vec![Edit::insert(end, " AS base")],
                });
            }
        }
    }
}

declare_rule! {
    /// Never satisfied: appends a comment each pass.
    pub struct Endless {
        name: "endless",
        group: Style,
        level: Info,
        aliases: [],
        fix: Safe,
        summary: "endless",
    }
}

impl Check for Endless {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        let end = ctx.source.len();
        out.report(0..0, "again").fix(Fix {
            safety: FixSafety::Safe,
            description: "once more".into(),
            edits: vec![Edit::insert(end, "# again\n")],
        });
    }
}

declare_rule! {
    /// Breaks the file: a trailing escape joins the next instruction onto FROM.
    pub struct Breaker {
        name: "breaker",
        group: Style,
        level: Info,
        aliases: [],
        fix: Safe,
        summary: "breaker",
    }
}

impl Check for Breaker {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        if let Some((_, from)) = ctx.instructions_of(InstructionKind::From).next() {
            let end = usize::from(from.range().end());
            out.report(0..4, "break").fix(Fix {
                safety: FixSafety::Safe,
                description: "join".into(),
                edits: vec![Edit::insert(end, " \\")],
            });
        }
    }
}

static RULES: &[&dyn Rule] = &[&MarkRuns, &NameStage, &Endless, &Breaker];

fn run(
    text: &str,
    names: &[&'static str],
    options: FixOptions,
) -> Result<dockopt_fix::FixOutcome, FixError> {
    let spec = SelectionSpec {
        select: vec![Selector::Rules(names.to_vec())],
        ..Default::default()
    };
    let selection = Selection::resolve(&spec, RULES);
    let options_map = BTreeMap::new();
    let settings = dockopt_rules::LintSettings {
        rules: RULES,
        selection: &selection,
        options: &options_map,
    };
    fix_source(Path::new("Dockerfile"), text, &settings, options)
}

#[test]
fn safe_fixes_apply_and_converge() {
    let out = run(
        "FROM a\nRUN x\nRUN y\n",
        &["mark-runs"],
        FixOptions::default(),
    )
    .unwrap();
    assert_eq!(out.text, "FROM a\n# checked\nRUN x\n# checked\nRUN y\n");
    assert_eq!(out.applied.len(), 2);
    assert_eq!(out.passes, 1);
    assert!(out.remaining.findings.is_empty());
}

#[test]
fn unsafe_fixes_need_the_option() {
    let text = "FROM a\nRUN x\n";
    let out = run(text, &["name-stage"], FixOptions::default()).unwrap();
    assert_eq!(out.text, text);
    assert_eq!(out.remaining.findings.len(), 1);
    let out = run(
        text,
        &["name-stage"],
        FixOptions {
            unsafe_fixes: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(out.text, "FROM a AS base\nRUN x\n");
}

#[test]
fn crlf_bom_and_missing_final_newline_are_kept() {
    let text = "\u{feff}FROM a\r\nRUN x";
    let out = run(text, &["mark-runs"], FixOptions::default()).unwrap();
    assert_eq!(out.text, "\u{feff}FROM a\r\n# checked\r\nRUN x");
}

#[test]
fn passes_are_bounded() {
    let out = run(
        "FROM a\n",
        &["endless"],
        FixOptions {
            max_passes: 4,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(out.passes, 4);
    assert_eq!(out.text.matches("# again").count(), 4);
}

#[test]
fn a_fix_that_breaks_the_file_is_refused_and_named() {
    let err = run(
        "FROM a\nRUN x\n",
        &["breaker", "mark-runs"],
        FixOptions::default(),
    )
    .unwrap_err();
    match err {
        FixError::BadFix { rule, message } => {
            assert_eq!(rule, "breaker");
            assert!(message.contains("line 2"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unparseable_input_is_refused() {
    let err = run(
        "FROM a\nFROBNICATE x\n",
        &["mark-runs"],
        FixOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(err, FixError::Unparseable(_)), "{err:?}");
}

#[test]
fn the_diff_is_unified() {
    let diff = unified_diff(
        "Dockerfile",
        "FROM a\nRUN x\n",
        "FROM a\n# checked\nRUN x\n",
    );
    assert!(
        diff.starts_with("--- a/Dockerfile\n+++ b/Dockerfile\n"),
        "{diff}"
    );
    assert!(diff.contains("+# checked\n"));
}

#[cfg(unix)]
#[test]
fn atomic_writes_keep_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("Dockerfile");
    std::fs::write(&path, "FROM a\n").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_atomic(&path, "FROM b\n").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "FROM b\n");
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o640
    );
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(300))]
    #[test]
    fn fixing_never_panics_and_never_returns_unparseable_text(
        text in "(FROM [a-z]{1,5}( AS [a-z]{1,3})?\r?\n|RUN [a-z \\\\]{0,12}\r?\n|# [a-z=]{0,8}\n|\n| {0,3}){0,8}"
    ) {
        match run(&text, &["mark-runs", "name-stage"], FixOptions { unsafe_fixes: true, ..Default::default() }) {
            Ok(out) => proptest::prop_assert!(dockopt_syntax::parse(&out.text).errors().is_empty()),
            Err(FixError::Unparseable(_)) => proptest::prop_assert!(!dockopt_syntax::parse(&text).errors().is_empty()),
            Err(FixError::BadFix { .. }) => {}
        }
    }
}
