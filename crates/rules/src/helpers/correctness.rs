//! Questions the correctness rules share: byte ranges, name suggestions, stage lookups,
//! image-reference validity, and where a variable reference inside an argument lies in the
//! file.

use std::ops::Range;

use dockopt_model::InstructionId;
use dockopt_syntax::expand::VarRef;
use dockopt_syntax::{Argument, Instruction, InstructionKind, Range as TextRange};

use crate::context::Context;

/// A syntax range as a byte range.
pub fn span(r: TextRange) -> Range<usize> {
    usize::from(r.start())..usize::from(r.end())
}

/// The file range of a reference found by expanding `arg.value`: exact when the argument is
/// written on one piece of a line (its text is its value), else the whole argument.
pub fn reference_range(arg: &Argument, reference: &VarRef) -> Range<usize> {
    let whole = span(arg.range);
    if whole.len() != arg.value.len() {
        return whole;
    }
    let start = whole.start + reference.span.start;
    let end = whole.start + reference.span.end;
    if end <= whole.end && start < end {
        start..end
    } else {
        whole
    }
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            current[j + 1] = (previous[j] + cost)
                .min(previous[j + 1] + 1)
                .min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// The option closest to `name` when it is close enough to be a likely typo: the same
/// name in another case, or a few edits away: none for names of one or two characters, one
/// up to five characters, two beyond. `None` when `name` itself is an option.
pub fn suggest<'o>(name: &str, options: impl IntoIterator<Item = &'o str>) -> Option<&'o str> {
    let lower = name.to_ascii_lowercase();
    let limit = match name.chars().count() {
        0..=2 => 0,
        3..=5 => 1,
        _ => 2,
    };
    let mut best: Option<(usize, &str)> = None;
    for option in options {
        if option == name {
            return None;
        }
        let distance = if option.eq_ignore_ascii_case(name) {
            0
        } else {
            edit_distance(&lower, &option.to_ascii_lowercase())
        };
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, option));
        }
    }
    best.map(|(_, o)| o)
}

/// Whether `name` is a shell-style variable name (`[A-Za-z_][A-Za-z0-9_]*`): positional
/// and special parameters are never set in a Dockerfile and are left alone.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The stage names declared before stage `index` (lower case, as BuildKit keeps them).
pub fn names_before<'c>(ctx: &'c Context<'_>, index: usize) -> Vec<&'c str> {
    ctx.model
        .stages()
        .iter()
        .take(index)
        .filter_map(|s| s.name.as_deref())
        .collect()
}

/// Every stage name of the file, lower case, in order.
pub fn stage_names<'c>(ctx: &'c Context<'_>) -> Vec<&'c str> {
    ctx.model
        .stages()
        .iter()
        .filter_map(|s| s.name.as_deref())
        .collect()
}

/// Whether a `SHELL` instruction is in effect at `id`: one earlier in its stage, or in a
/// stage it is built on (`FROM <stage>`).
pub fn shell_set(ctx: &Context<'_>, id: InstructionId) -> bool {
    let Some(stage) = ctx.stage_of(id) else {
        return false;
    };
    let lineage = crate::helpers::reliability::stage_lineage(ctx, stage.index);
    lineage.iter().any(|&index| {
        ctx.model.stage(index).is_some_and(|s| {
            s.instructions.iter().any(|&i| {
                (index != stage.index || i < id)
                    && ctx
                        .model
                        .instruction(i)
                        .is_some_and(|ins| ins.kind() == InstructionKind::Shell)
            })
        })
    })
}

/// How an instruction names another stage (or an image).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StageRefKind {
    /// `COPY --from=`.
    CopyFrom,
    /// `RUN --mount=from=`.
    MountFrom,
}

/// A `COPY --from=` or `RUN --mount=...,from=` in a stage.
#[derive(Debug, Clone)]
pub struct StageRef {
    pub instruction: InstructionId,
    /// The stage the instruction is in.
    pub stage: usize,
    /// The value as written (quotes removed).
    pub value: String,
    /// Where the flag (or the mount) is.
    pub range: Range<usize>,
    pub kind: StageRefKind,
}

impl StageRef {
    /// How the reference is written, for messages.
    pub fn describe(&self) -> String {
        match self.kind {
            StageRefKind::CopyFrom => format!("--from={}", self.value),
            StageRefKind::MountFrom => format!("--mount=...,from={}", self.value),
        }
    }
}

/// Every `COPY --from=` and `RUN --mount=from=` of the file, in order.
pub fn stage_refs(ctx: &Context<'_>) -> Vec<StageRef> {
    let mut out = Vec::new();
    for (id, ins) in ctx.instructions() {
        let Some(stage) = ctx.stage_of(id).map(|s| s.index) else {
            continue;
        };
        match ins.kind() {
            InstructionKind::Copy | InstructionKind::Add => {
                if let Some(flag) = ins.flag("from") {
                    if let Some(value) = flag.value.clone() {
                        out.push(StageRef {
                            instruction: id,
                            stage,
                            value,
                            range: span(flag.range),
                            kind: StageRefKind::CopyFrom,
                        });
                    }
                }
            }
            InstructionKind::Run => {
                for mount in ins.mounts() {
                    if let Some(value) = mount.from.clone().filter(|v| !v.is_empty()) {
                        let field = mount.options.iter().find(|o| o.key == "from");
                        out.push(StageRef {
                            instruction: id,
                            stage,
                            value,
                            range: span(field.map_or(mount.range, |o| o.range)),
                            kind: StageRefKind::MountFrom,
                        });
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// One word of an `EXPOSE`, expanded, with where it is in the file.
#[derive(Debug, Clone)]
pub struct ExposeWord {
    /// The port spec after expansion.
    pub text: String,
    /// The file range of the argument the word came from.
    pub range: Range<usize>,
    /// The file offset of the word's first byte when the word is the argument exactly as
    /// written (no quotes, no variables), so parts of it can be edited.
    pub exact_start: Option<usize>,
}

/// The port specs of an `EXPOSE`, expanded as BuildKit expands them; words whose value
/// depends on a variable the base image may set are left out.
pub fn expose_words(ctx: &Context<'_>, id: InstructionId, ins: &Instruction) -> Vec<ExposeWord> {
    let Some(state) = ctx.state(id) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for arg in ins.arguments() {
        let Some(Ok(expansion)) = ctx.model.expand_at(id, &arg.value) else {
            continue;
        };
        if !state.base_env_known && !expansion.unset().is_empty() {
            continue;
        }
        let range = span(arg.range);
        let exact = expansion.words.len() == 1
            && expansion.words.first() == Some(&arg.value)
            && range.len() == arg.value.len();
        for word in expansion.words {
            out.push(ExposeWord {
                text: word,
                range: range.clone(),
                exact_start: exact.then_some(range.start),
            });
        }
    }
    out
}

/// An `EXPOSE` port spec split as BuildKit splits it: `[[ip:]host:]port[-end][/proto]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec<'a> {
    /// Everything before the container port (`127.0.0.1:8080:`), empty when none.
    pub host_part: &'a str,
    /// The container port or range (`80`, `8000-8010`).
    pub ports: &'a str,
    /// The protocol after `/`, as written; `None` when there is no `/`.
    pub proto: Option<&'a str>,
}

impl<'a> PortSpec<'a> {
    pub fn parse(spec: &'a str) -> PortSpec<'a> {
        let (host_part, container) = match spec.rfind(':') {
            Some(i) => (&spec[..=i], &spec[i + 1..]),
            None => ("", spec),
        };
        let (ports, proto) = match container.split_once('/') {
            Some((p, proto)) => (p, Some(proto)),
            None => (container, None),
        };
        PortSpec {
            host_part,
            ports,
            proto,
        }
    }

    /// The start and end of the port range as numbers (end = start for one port); `None`
    /// when either is not a decimal number.
    pub fn numbers(&self) -> Option<(u64, u64)> {
        let number = |s: &str| -> Option<u64> {
            let digits = s.strip_prefix('+').unwrap_or(s);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            // Saturate: anything this long is out of range anyway.
            Some(digits.parse::<u64>().unwrap_or(u64::MAX))
        };
        match self.ports.split_once('-') {
            Some((start, end)) if start != end => Some((number(start)?, number(end)?)),
            Some((start, _)) => number(start).map(|n| (n, n)),
            None => number(self.ports).map(|n| (n, n)),
        }
    }
}

/// The range of an instruction's whole lines, line ending included, for deleting it.
pub fn line_range(source: &str, instruction: &Instruction) -> Range<usize> {
    let r = span(instruction.range());
    let start = source
        .get(..r.start)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1);
    let end = match source.get(r.end..) {
        Some(after) => match after.find('\n') {
            Some(i) => r.end + i + 1,
            None => source.len(),
        },
        None => r.end,
    };
    start..end
}

/// Whether `reference` is a valid image reference as the distribution reference grammar
/// (and so `docker pull`) accepts it: `[domain[:port]/]path[:tag][@algo:hex]`, path
/// components lower case.
pub fn is_valid_image_reference(reference: &str) -> bool {
    if reference.is_empty() || reference.len() > 255 + 200 {
        return false;
    }
    let (rest, digest) = match reference.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (reference, None),
    };
    if let Some(digest) = digest {
        let Some((algo, hex)) = digest.split_once(':') else {
            return false;
        };
        let algo_ok = !algo.is_empty()
            && algo
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+._-".contains(c));
        if !algo_ok || hex.len() < 32 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
            return false;
        }
    }
    let last_slash = rest.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match rest.get(last_slash..).and_then(|t| t.rfind(':')) {
        Some(i) => {
            let at = last_slash + i;
            (rest.get(..at).unwrap_or(""), rest.get(at + 1..))
        }
        None => (rest, None),
    };
    if let Some(tag) = tag {
        let mut chars = tag.chars();
        let first_ok = matches!(chars.next(), Some(c) if c.is_ascii_alphanumeric() || c == '_');
        if !first_ok
            || tag.len() > 128
            || !chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            return false;
        }
    }
    if name.is_empty() {
        return false;
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    // The first component is a domain when it looks like one.
    if parts.len() > 1 {
        let first = parts.first().copied().unwrap_or("");
        if first.contains('.') || first.contains(':') || first == "localhost" {
            if !is_domain(first) {
                return false;
            }
            parts.remove(0);
        }
    }
    !parts.is_empty() && parts.iter().all(|p| is_path_component(p))
}

fn is_domain(domain: &str) -> bool {
    let (host, port) = match domain.rsplit_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (domain, None),
    };
    if let Some(port) = port {
        if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
            return false;
        }
    }
    !host.is_empty()
        && host.split('.').all(|label| {
            !label.is_empty()
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                && !label.starts_with('-')
                && !label.ends_with('-')
        })
}

/// `[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*`
fn is_path_component(part: &str) -> bool {
    let bytes = part.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() || !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        // A separator run: `.`, `_`, `__`, or one or more `-`.
        let start = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let sep = &part[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|c| c == b'-');
        if !ok {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("PAHT", "PATH"), 2);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("VERSOIN", ["VERSION", "HOME"]), Some("VERSION"));
        assert_eq!(suggest("version", ["VERSION"]), Some("VERSION"));
        assert_eq!(suggest("A", ["B"]), None);
        assert_eq!(suggest("AB", ["AC"]), None);
        assert_eq!(suggest("ab", ["AB"]), Some("AB"));
        assert_eq!(suggest("ABCD", ["ABCE"]), Some("ABCE"));
        assert_eq!(suggest("HOME", ["HOME", "HOMER"]), None);
    }

    #[test]
    fn references() {
        for good in [
            "alpine",
            "alpine:3.20",
            "docker.io/library/alpine:3.20",
            "localhost:5000/app",
            "ghcr.io/a/b-c__d:v1.2",
            "python@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
        ] {
            assert!(is_valid_image_reference(good), "{good}");
        }
        for bad in [
            "",
            "alpine:",
            "Alpine",
            "-x",
            "a//b",
            "a:b:c",
            "a@sha256:xyz",
            ":tag",
        ] {
            assert!(!is_valid_image_reference(bad), "{bad}");
        }
    }

    #[test]
    fn identifiers() {
        assert!(is_identifier("_A1"));
        assert!(!is_identifier("1"));
        assert!(!is_identifier("@"));
    }
}
