//! The JSON description of a parse (`dockopt parse --format json`); the format is
//! documented in `JSON.md` at the crate root.

use rowan::TextRange;
use serde_json::{json, Value};

use crate::ast::{Args, Argument, Flag, Form, Heredoc, Instruction, KeyValue};
use crate::line_index::LineIndex;
use crate::{Parse, SyntaxError};

/// Version of the JSON format; bumped on incompatible changes.
pub const JSON_FORMAT_VERSION: u32 = 1;

fn span(idx: &LineIndex, r: TextRange) -> Value {
    let s = idx.line_col(r.start());
    let e = idx.line_col(r.end());
    json!({
        "start": { "line": s.line, "col": s.col, "offset": u32::from(r.start()) },
        "end": { "line": e.line, "col": e.col, "offset": u32::from(r.end()) },
    })
}

fn argument(idx: &LineIndex, a: &Argument) -> Value {
    json!({ "value": a.value, "span": span(idx, a.range) })
}

fn flag(idx: &LineIndex, f: &Flag) -> Value {
    json!({
        "name": f.name,
        "value": f.value,
        "span": span(idx, f.range),
        "name_span": span(idx, f.name_range),
        "value_span": f.value_range.map(|r| span(idx, r)),
    })
}

fn pair(idx: &LineIndex, kv: &KeyValue) -> Value {
    json!({
        "key": kv.key.value,
        "value": kv.value.as_ref().map(|v| v.value.clone()),
        "equals": kv.equals,
        "span": span(idx, kv.range),
        "key_span": span(idx, kv.key.range),
        "value_span": kv.value.as_ref().map(|v| span(idx, v.range)),
    })
}

fn heredoc(idx: &LineIndex, h: &Heredoc) -> Value {
    json!({
        "name": h.name,
        "quoted": h.quoted,
        "strip_tabs": h.strip_tabs,
        "fd": h.fd,
        "terminated": h.terminated,
        "body": h.body(),
        "marker_span": span(idx, h.marker_range),
        "body_span": span(idx, h.body_range),
        "end_span": span(idx, h.end_range),
    })
}

fn form(idx: &LineIndex, f: Option<&Form>) -> (Value, Value) {
    match f {
        Some(Form::Exec(_)) => (json!("exec"), Value::Null),
        Some(Form::Shell(s)) => (
            json!("shell"),
            json!({ "text": s.as_str(), "span": span(idx, s.range) }),
        ),
        None => (Value::Null, Value::Null),
    }
}

fn instruction(idx: &LineIndex, ins: &Instruction) -> Value {
    let start = idx.line_col(ins.range().start()).line;
    let end = idx.line_col(ins.range().end()).line;
    let form_value = ins.form();
    let (form_name, shell) = form(idx, form_value.as_ref());
    let mut args: Vec<Value> = ins
        .arguments()
        .into_iter()
        .map(|a| argument(idx, a))
        .collect();
    let mut health_type = Value::Null;
    if let Args::Healthcheck { kind, cmd } = ins.args() {
        health_type = argument(idx, kind);
        if let Some(Form::Exec(e)) = cmd {
            args = e.args.iter().map(|a| argument(idx, a)).collect();
        }
    }
    json!({
        "keyword": ins.keyword(),
        "kind": ins.kind().as_str(),
        "span": span(idx, ins.range()),
        "start_line": start,
        "end_line": end,
        "keyword_span": span(idx, ins.keyword_range()),
        "flags": ins.flags().iter().map(|f| flag(idx, f)).collect::<Vec<_>>(),
        "form": form_name,
        "args": args,
        "shell": shell,
        "pairs": ins.pairs().iter().map(|kv| pair(idx, kv)).collect::<Vec<_>>(),
        "healthcheck_type": health_type,
        "heredocs": ins.heredocs().iter().map(|h| heredoc(idx, h)).collect::<Vec<_>>(),
        "onbuild": ins.onbuild().map(|i| instruction(idx, i)),
    })
}

fn diagnostics(idx: &LineIndex, list: &[SyntaxError]) -> Vec<Value> {
    list.iter()
        .map(|e| json!({ "message": e.message(), "span": span(idx, e.range()) }))
        .collect()
}

/// The JSON value for a parse.
pub fn to_json(parse: &Parse) -> Value {
    let idx = parse.line_index();
    let file = parse.dockerfile();
    let stages: Vec<Value> = file
        .stages()
        .iter()
        .map(|st| {
            let r = st.range(file);
            json!({
                "index": st.index,
                "name": st.name(),
                "base": st.base(),
                "platform": st.from.flag("platform").and_then(|f| f.value.clone()),
                "start_line": idx.line_col(r.start()).line,
                "end_line": idx.line_col(r.end()).line,
                "instructions": st.instructions,
            })
        })
        .collect();
    json!({
        "version": JSON_FORMAT_VERSION,
        "escape": file.escape().to_string(),
        "bom": file.has_bom(),
        "directives": file.directives().iter().map(|d| json!({
            "name": d.name,
            "value": d.value,
            "span": span(&idx, d.range),
            "value_span": span(&idx, d.value_range),
        })).collect::<Vec<_>>(),
        "instructions": file.instructions().map(|i| instruction(&idx, i)).collect::<Vec<_>>(),
        "stages": stages,
        "errors": diagnostics(&idx, parse.errors()),
        "warnings": diagnostics(&idx, parse.warnings()),
    })
}
