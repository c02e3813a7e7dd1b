//! Every format on the same findings, kept as snapshots.

use dockopt_report::{
    render, statistics, Diagnostic, FileError, FileResult, FixSafety, Format, Group, Level,
    RenderOptions, RuleInfo,
};

const SOURCE: &str = "FROM python:3.12\nRUN pip install -r requirements.txt\nRUN curl -k https://example.com/x \\\n  | sh\n";

fn diagnostics() -> Vec<Diagnostic> {
    let pip = SOURCE.find("pip install").unwrap();
    let curl = SOURCE.find("-k").unwrap();
    vec![
        Diagnostic {
            rule: "missing-cache-mount".into(),
            group: Group::Speed,
            level: Level::Warning,
            message: "pip downloads into /root/.cache/pip, which is thrown away".into(),
            help: Some("add `--mount=type=cache,target=/root/.cache/pip`".into()),
            range: pip..pip + "pip install -r requirements.txt".len(),
            fix: FixSafety::Safe,
        },
        Diagnostic {
            rule: "tls-verification-disabled".into(),
            group: Group::Security,
            level: Level::Error,
            message: "curl -k turns off certificate checks, \"insecure\" & <unsafe>".into(),
            help: None,
            range: curl..curl + 2,
            fix: FixSafety::None,
        },
    ]
}

fn files<'a>(diags: &'a [Diagnostic], errors: &'a [FileError]) -> Vec<FileResult<'a>> {
    vec![
        FileResult {
            path: "app/Dockerfile",
            source: SOURCE,
            diagnostics: diags,
            errors: &[],
        },
        FileResult {
            path: "bad/Dockerfile",
            source: "FROM a\nFOO bar\n",
            diagnostics: &[],
            errors,
        },
    ]
}

fn rules() -> Vec<RuleInfo<'static>> {
    vec![RuleInfo {
        name: "missing-cache-mount",
        group: Group::Speed,
        level: Level::Warning,
        summary: "A package manager downloads into a cache that is thrown away.",
        documentation: "## What it does\nFinds package caches that a cache mount would keep.",
    }]
}

fn render_all(format: Format) -> String {
    let diags = diagnostics();
    let errors = vec![FileError {
        message: "unknown instruction: FOO".into(),
        range: Some(7..10),
    }];
    render(
        format,
        &files(&diags, &errors),
        &rules(),
        RenderOptions::default(),
    )
}

#[test]
fn human() {
    insta::assert_snapshot!(render_all(Format::Human));
}

#[test]
fn json() {
    let text = render_all(Format::Json);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["schema_version"], 1);
    assert_eq!(value["diagnostics"][0]["start"]["line"], 2);
    assert_eq!(value["diagnostics"][1]["start"]["column"], 10);
    insta::assert_snapshot!(text);
}

#[test]
fn sarif() {
    let text = render_all(Format::Sarif);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["version"], "2.1.0");
    let run = &value["runs"][0];
    assert_eq!(run["results"].as_array().unwrap().len(), 2);
    // Each result's ruleIndex points at its rule.
    for result in run["results"].as_array().unwrap() {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(
            run["tool"]["driver"]["rules"][index]["id"],
            result["ruleId"]
        );
    }
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
    insta::assert_snapshot!(text);
}

#[test]
fn github() {
    insta::assert_snapshot!(render_all(Format::Github));
}

#[test]
fn checkstyle() {
    let text = render_all(Format::Checkstyle);
    assert!(text.contains("&quot;insecure&quot; &amp; &lt;unsafe&gt;"));
    insta::assert_snapshot!(text);
}

#[test]
fn junit() {
    insta::assert_snapshot!(render_all(Format::Junit));
}

#[test]
fn statistics_count_per_rule() {
    let diags = diagnostics();
    let errors = vec![FileError {
        message: "x".into(),
        range: None,
    }];
    insta::assert_snapshot!(statistics(&files(&diags, &errors)));
}

#[test]
fn formats_parse_from_their_names() {
    for name in ["human", "json", "sarif", "github", "checkstyle", "junit"] {
        assert!(name.parse::<Format>().is_ok());
    }
    assert!("xml"
        .parse::<Format>()
        .unwrap_err()
        .contains("unknown format"));
}
