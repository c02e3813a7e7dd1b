//! Typed builder flags: `RUN --mount/--network/--security`, `COPY`/`ADD` flags and
//! `HEALTHCHECK` options, read as BuildKit's instruction parser reads them.

use rowan::{TextRange, TextSize};

use crate::ast::{Flag, InstructionKind};

/// `RUN --mount=type=...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountType {
    Bind,
    Cache,
    Tmpfs,
    Secret,
    Ssh,
    /// A type BuildKit does not support (an error).
    Other(String),
}

/// One `key[=value]` field of a `--mount` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountOption {
    /// Lower-cased key.
    pub key: String,
    /// Value, if any.
    pub value: Option<String>,
    /// Source range of the field.
    pub range: TextRange,
}

/// A parsed `RUN --mount` flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    /// `type=` (bind when absent).
    pub kind: MountType,
    /// `target`/`dst`/`destination`.
    pub target: Option<String>,
    /// `source`/`src`.
    pub source: Option<String>,
    /// `from` (stage or image).
    pub from: Option<String>,
    /// Effective read-only state: `ro`/`readonly`/`rw`/`readwrite`, else BuildKit's default
    /// (read-write for cache and tmpfs, read-only otherwise).
    pub readonly: bool,
    /// `id`.
    pub id: Option<String>,
    /// `sharing` (shared, private, locked).
    pub sharing: Option<String>,
    /// `mode` (octal, as written).
    pub mode: Option<String>,
    /// `uid`.
    pub uid: Option<String>,
    /// `gid`.
    pub gid: Option<String>,
    /// `size` (tmpfs).
    pub size: Option<String>,
    /// `required` (secret, ssh).
    pub required: bool,
    /// `env` (secret as environment variable).
    pub env: Option<String>,
    /// Every field in order.
    pub options: Vec<MountOption>,
    /// The whole flag.
    pub range: TextRange,
    /// Problems BuildKit would reject the mount for.
    pub errors: Vec<String>,
}

/// Typed RUN flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFlags {
    /// Every `--mount`, in order.
    pub mounts: Vec<Mount>,
    /// `--network` (default, none, host).
    pub network: Option<Flag>,
    /// `--security` (sandbox, insecure).
    pub security: Option<Flag>,
    /// `--device` flags.
    pub devices: Vec<Flag>,
}

impl RunFlags {
    pub(crate) fn from_flags(flags: &[Flag]) -> RunFlags {
        let mut out = RunFlags::default();
        for f in flags {
            match f.name.as_str() {
                "mount" => out.mounts.push(parse_mount(f)),
                "network" => out.network = Some(f.clone()),
                "security" => out.security = Some(f.clone()),
                "device" => out.devices.push(f.clone()),
                _ => {}
            }
        }
        out
    }
}

/// Typed COPY/ADD flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyFlags {
    pub from: Option<Flag>,
    pub chown: Option<Flag>,
    pub chmod: Option<Flag>,
    pub link: Option<Flag>,
    pub parents: Option<Flag>,
    pub exclude: Vec<Flag>,
    pub checksum: Option<Flag>,
    pub keep_git_dir: Option<Flag>,
    pub unpack: Option<Flag>,
}

impl CopyFlags {
    pub(crate) fn from_flags(flags: &[Flag]) -> CopyFlags {
        let mut out = CopyFlags::default();
        for f in flags {
            let slot = match f.name.as_str() {
                "from" => &mut out.from,
                "chown" => &mut out.chown,
                "chmod" => &mut out.chmod,
                "link" => &mut out.link,
                "parents" => &mut out.parents,
                "checksum" => &mut out.checksum,
                "keep-git-dir" => &mut out.keep_git_dir,
                "unpack" => &mut out.unpack,
                "exclude" => {
                    out.exclude.push(f.clone());
                    continue;
                }
                _ => continue,
            };
            *slot = Some(f.clone());
        }
        out
    }

    /// `--link` is on.
    pub fn link(&self) -> bool {
        self.link
            .as_ref()
            .is_some_and(|f| flag_bool(f) == Some(true))
    }

    /// `--parents` is on.
    pub fn parents(&self) -> bool {
        self.parents
            .as_ref()
            .is_some_and(|f| flag_bool(f) == Some(true))
    }
}

/// Typed HEALTHCHECK options (values as written, e.g. `30s`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthcheckFlags {
    pub interval: Option<Flag>,
    pub timeout: Option<Flag>,
    pub start_period: Option<Flag>,
    pub start_interval: Option<Flag>,
    pub retries: Option<Flag>,
}

impl HealthcheckFlags {
    pub(crate) fn from_flags(flags: &[Flag]) -> HealthcheckFlags {
        let mut out = HealthcheckFlags::default();
        for f in flags {
            let slot = match f.name.as_str() {
                "interval" => &mut out.interval,
                "timeout" => &mut out.timeout,
                "start-period" => &mut out.start_period,
                "start-interval" => &mut out.start_interval,
                "retries" => &mut out.retries,
                _ => continue,
            };
            *slot = Some(f.clone());
        }
        out
    }
}

/// Go's `strconv.ParseBool`; a bare flag is `true`.
pub fn flag_bool(flag: &Flag) -> Option<bool> {
    match flag.value.as_deref() {
        None => Some(true),
        Some("1" | "t" | "T" | "TRUE" | "true" | "True") => Some(true),
        Some("0" | "f" | "F" | "FALSE" | "false" | "False") => Some(false),
        Some(_) => None,
    }
}

enum FlagType {
    Str,
    Strings,
    Bool,
}

fn allowed_flags(kind: InstructionKind) -> &'static [(&'static str, FlagType)] {
    use FlagType::*;
    match kind {
        InstructionKind::From => &[("platform", Str)],
        InstructionKind::Run => &[
            ("mount", Strings),
            ("network", Str),
            ("security", Str),
            ("device", Strings),
        ],
        InstructionKind::Copy => &[
            ("chown", Str),
            ("from", Str),
            ("chmod", Str),
            ("link", Bool),
            ("exclude", Strings),
            ("parents", Bool),
        ],
        InstructionKind::Add => &[
            ("chown", Str),
            ("chmod", Str),
            ("link", Bool),
            ("keep-git-dir", Bool),
            ("checksum", Str),
            ("unpack", Bool),
            ("exclude", Strings),
        ],
        InstructionKind::Healthcheck => &[
            ("interval", Str),
            ("timeout", Str),
            ("start-period", Str),
            ("start-interval", Str),
            ("retries", Str),
        ],
        _ => &[],
    }
}

/// Flag problems BuildKit's instruction parser reports (unknown, repeated, missing or
/// malformed values, bad mounts), with the range they are about.
pub(crate) fn flag_problems(kind: InstructionKind, flags: &[Flag]) -> Vec<(String, TextRange)> {
    let mut out = Vec::new();
    let allowed = allowed_flags(kind);
    let mut seen: Vec<&str> = Vec::new();
    for f in flags {
        let Some((_, ty)) = allowed.iter().find(|(n, _)| *n == f.name) else {
            out.push((format!("unknown flag: {}", f.name), f.range));
            continue;
        };
        if !matches!(ty, FlagType::Strings) {
            if seen.contains(&f.name.as_str()) {
                out.push((format!("Duplicate flag specified: {}", f.name), f.range));
            }
            seen.push(&f.name);
        }
        match ty {
            FlagType::Bool => {
                if flag_bool(f).is_none() {
                    out.push((
                        format!(
                            "expecting boolean value for flag {}, not: {}",
                            f.name,
                            f.value.as_deref().unwrap_or("")
                        ),
                        f.value_range.unwrap_or(f.range),
                    ));
                }
            }
            FlagType::Str | FlagType::Strings => {
                if f.value.is_none() {
                    out.push((format!("Missing a value on flag: {}", f.name), f.range));
                }
            }
        }
    }
    if kind == InstructionKind::Run {
        let run = RunFlags::from_flags(flags);
        for m in &run.mounts {
            for e in &m.errors {
                out.push((e.clone(), m.range));
            }
        }
        if let Some(n) = run
            .network
            .as_ref()
            .and_then(|f| Some((f, f.value.as_deref()?)))
        {
            if !matches!(n.1, "default" | "none" | "host") {
                out.push((format!("invalid network mode {:?}", n.1), n.0.range));
            }
        }
        if let Some(s) = run
            .security
            .as_ref()
            .and_then(|f| Some((f, f.value.as_deref()?)))
        {
            if !matches!(s.1, "insecure" | "sandbox") {
                out.push((format!("security {:?} is not valid", s.1), s.0.range));
            }
        }
    }
    out
}

/// Splits a mount value into CSV fields (double quotes group, `""` is a quote), returning
/// each field's text and byte range in the value.
fn csv_fields(value: &str) -> Result<Vec<(String, usize, usize)>, String> {
    let mut out = Vec::new();
    let b = value.as_bytes();
    let mut pos = 0;
    loop {
        let start = pos;
        let mut text = String::new();
        if b.get(pos) == Some(&b'"') {
            pos += 1;
            loop {
                match b.get(pos) {
                    None => return Err("extraneous or missing \" in quoted-field".into()),
                    Some(b'"') if b.get(pos + 1) == Some(&b'"') => {
                        text.push('"');
                        pos += 2;
                    }
                    Some(b'"') => {
                        pos += 1;
                        break;
                    }
                    Some(_) => {
                        let ch = value
                            .get(pos..)
                            .and_then(|s| s.chars().next())
                            .unwrap_or('"');
                        text.push(ch);
                        pos += ch.len_utf8();
                    }
                }
            }
            if !matches!(b.get(pos), None | Some(b',')) {
                return Err("extraneous or missing \" in quoted-field".into());
            }
        } else {
            let end = value[pos..].find(',').map_or(value.len(), |i| pos + i);
            text.push_str(&value[pos..end]);
            if text.contains('"') {
                return Err("bare \" in non-quoted-field".into());
            }
            pos = end;
        }
        out.push((text, start, pos));
        if b.get(pos) == Some(&b',') {
            pos += 1;
        } else {
            return Ok(out);
        }
    }
}

fn value_source_range(flag: &Flag, start: usize, end: usize) -> TextRange {
    let map = &flag.value_map;
    match (map.get(start), end.checked_sub(1).and_then(|e| map.get(e))) {
        (Some(&s), Some(&e)) if start < end => {
            TextRange::new(TextSize::from(s), TextSize::from(e + 1))
        }
        _ => flag.value_range.unwrap_or(flag.range),
    }
}

fn parse_mount(flag: &Flag) -> Mount {
    let mut m = Mount {
        kind: MountType::Bind,
        target: None,
        source: None,
        from: None,
        readonly: false,
        id: None,
        sharing: None,
        mode: None,
        uid: None,
        gid: None,
        size: None,
        required: false,
        env: None,
        options: Vec::new(),
        range: flag.range,
        errors: Vec::new(),
    };
    let value = flag.value.as_deref().unwrap_or("");
    let fields = match csv_fields(value) {
        Ok(f) => f,
        Err(e) => {
            m.errors.push(format!("failed to parse csv mounts: {e}"));
            return m;
        }
    };
    let mut ro_auto = true;
    for (field, start, end) in fields {
        let (key, val) = match field.split_once('=') {
            Some((k, v)) => (k.to_ascii_lowercase(), Some(v.to_owned())),
            None => (field.to_ascii_lowercase(), None),
        };
        m.options.push(MountOption {
            key: key.clone(),
            value: val.clone(),
            range: value_source_range(flag, start, end),
        });
        let is_secret_like = matches!(m.kind, MountType::Secret | MountType::Ssh);
        let Some(val) = val else {
            match key.as_str() {
                "readonly" | "ro" => {
                    m.readonly = true;
                    ro_auto = false;
                }
                "readwrite" | "rw" => {
                    m.readonly = false;
                    ro_auto = false;
                }
                "required" if is_secret_like => m.required = true,
                "required" => m.errors.push(format!(
                    "unexpected key 'required' for mount type '{}'",
                    mount_type_name(&m.kind)
                )),
                _ => m
                    .errors
                    .push(format!("invalid field '{field}' must be a key=value pair")),
            }
            continue;
        };
        let parse_bool = |v: &str| match v {
            "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
            "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
            _ => None,
        };
        match key.as_str() {
            "type" => {
                m.kind = match val.to_ascii_lowercase().as_str() {
                    "bind" => MountType::Bind,
                    "cache" => MountType::Cache,
                    "tmpfs" => MountType::Tmpfs,
                    "secret" => MountType::Secret,
                    "ssh" => MountType::Ssh,
                    _ => {
                        m.errors.push(format!("unsupported mount type {val:?}"));
                        MountType::Other(val)
                    }
                }
            }
            "from" => m.from = Some(val),
            "source" | "src" => m.source = Some(val),
            "target" | "dst" | "destination" => m.target = Some(val),
            "readonly" | "ro" | "readwrite" | "rw" => {
                ro_auto = false;
                match parse_bool(&val) {
                    Some(b) => {
                        m.readonly = if matches!(key.as_str(), "rw" | "readwrite") {
                            !b
                        } else {
                            b
                        }
                    }
                    None => m.errors.push(format!("invalid value for {key}: {val}")),
                }
            }
            "required" => {
                if is_secret_like {
                    match parse_bool(&val) {
                        Some(b) => m.required = b,
                        None => m.errors.push(format!("invalid value for {key}: {val}")),
                    }
                } else {
                    m.errors.push(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        mount_type_name(&m.kind)
                    ));
                }
            }
            "size" => {
                if m.kind == MountType::Tmpfs {
                    m.size = Some(val);
                } else {
                    m.errors.push(format!(
                        "unexpected key '{key}' for mount type '{}'",
                        mount_type_name(&m.kind)
                    ));
                }
            }
            "id" => m.id = Some(val),
            "sharing" => {
                if !matches!(
                    val.to_ascii_lowercase().as_str(),
                    "shared" | "private" | "locked"
                ) {
                    m.errors.push(format!("unsupported sharing value {val:?}"));
                }
                m.sharing = Some(val);
            }
            "mode" => {
                if !val.contains('$') && u32::from_str_radix(&val, 8).is_err() {
                    m.errors.push(format!("invalid value {val} for mode"));
                }
                m.mode = Some(val);
            }
            "uid" | "gid" => {
                if !val.contains('$') && val.parse::<u32>().is_err() {
                    m.errors.push(format!("invalid value {val} for {key}"));
                }
                if key == "uid" {
                    m.uid = Some(val);
                } else {
                    m.gid = Some(val);
                }
            }
            "env" => m.env = Some(val),
            _ => m
                .errors
                .push(format!("unexpected key '{key}' in '{field}'")),
        }
    }
    let file_info_allowed = matches!(
        m.kind,
        MountType::Secret | MountType::Ssh | MountType::Cache
    );
    if !file_info_allowed {
        for (name, set) in [
            ("mode", m.mode.is_some()),
            ("uid", m.uid.is_some()),
            ("gid", m.gid.is_some()),
        ] {
            if set {
                m.errors.push(format!(
                    "{name} not allowed for {:?} type mounts",
                    mount_type_name(&m.kind)
                ));
            }
        }
    }
    if ro_auto {
        m.readonly = !matches!(m.kind, MountType::Cache | MountType::Tmpfs);
    }
    if m.kind == MountType::Secret {
        if m.from.is_some() {
            m.errors.push("secret mount should not have a from".into());
        }
        if m.sharing.is_some() {
            m.errors
                .push("secret mount should not define sharing".into());
        }
        if m.source.is_none() && m.target.is_none() && m.id.is_none() {
            m.errors
                .push("invalid secret mount. one of source, target required".into());
        }
        if m.source.is_some() && m.id.is_some() {
            m.errors.push("both source and id can't be set".into());
        }
    }
    if m.sharing.is_some() && m.kind != MountType::Cache {
        m.errors.push(format!(
            "invalid cache sharing set for {} mount",
            mount_type_name(&m.kind)
        ));
    }
    m
}

/// The `type=` word for a mount type.
pub fn mount_type_name(kind: &MountType) -> &str {
    match kind {
        MountType::Bind => "bind",
        MountType::Cache => "cache",
        MountType::Tmpfs => "tmpfs",
        MountType::Secret => "secret",
        MountType::Ssh => "ssh",
        MountType::Other(s) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv() {
        let f = csv_fields("type=cache,\"target=/a,b\",ro").unwrap_or_default();
        let t: Vec<_> = f.iter().map(|x| x.0.as_str()).collect();
        assert_eq!(t, ["type=cache", "target=/a,b", "ro"]);
        assert!(csv_fields("a\"b").is_err());
        assert!(csv_fields("\"ab").is_err());
    }
}
