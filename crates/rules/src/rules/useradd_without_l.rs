use crate::helpers::reliability::resolve_word;
use crate::helpers::style::{args_after, commands_named};
use crate::prelude::*;

/// UIDs from here on (six digits and more, as hadolint counts them) make the sparse
/// `lastlog`/`faillog` files large.
const HIGH_UID: u64 = 100_000;

declare_rule! {
    /// ## What it does
    /// Reports `useradd` with a high UID (`-u`/`--uid` of 100000 or more, after `ARG`/`ENV`
    /// values are substituted) and without `-l`/`--no-log-init`.
    ///
    /// ## Why it matters
    /// Without `-l`, `useradd` writes the new user's record into `/var/log/lastlog` and
    /// `/var/log/faillog` at an offset proportional to the UID. Those files are sparse on
    /// disk, but image layers store them in full: a UID of 123456789 adds gigabytes of
    /// zeros to the layer, and the build can run out of disk.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN useradd -u 123456 foobar
    /// ```
    ///
    /// ## Fixed
    /// ```dockerfile
    /// FROM debian:bookworm-slim
    /// RUN useradd -l -u 123456 foobar
    /// ```
    ///
    /// ## Fix safety
    /// Safe: `-l` is added right after `useradd`. It only skips the login records of a
    /// user that has never logged in.
    pub struct UseraddWithoutL {
        name: "useradd-without-l",
        group: Correctness,
        level: Warning,
        aliases: ["DL3046"],
        fix: Safe,
        summary: "`useradd` with a high UID and without `-l`",
    }
}

/// Short options of `useradd` that take no value, so they can share a word with `-l`.
const NO_VALUE_SHORT: &str = "lmMNrUDo";

impl Check for UseraddWithoutL {
    fn check(&self, ctx: &Context<'_>, out: &mut Findings) {
        for named in commands_named(ctx, &["useradd"]) {
            let args = args_after(&named.command, named.program);
            let mut uid_word = None;
            let mut no_log_init = false;
            let mut words = args.iter().peekable();
            while let Some(word) = words.next() {
                let Some(text) = word.literal() else {
                    continue;
                };
                if text == "--" {
                    break;
                }
                if text == "--no-log-init" {
                    no_log_init = true;
                } else if text == "--uid" || text == "-u" {
                    uid_word = words.next().map(|w| (*w, None));
                } else if let Some(v) = text.strip_prefix("--uid=") {
                    uid_word = Some((*word, Some(v.to_string())));
                } else if let Some(bundle) = text.strip_prefix('-').filter(|b| !b.starts_with('-'))
                {
                    // `-l`, `-ml`, `-u1000`, `-lu 1000`.
                    for (i, c) in bundle.char_indices() {
                        if c == 'l' {
                            no_log_init = true;
                        } else if c == 'u' {
                            let rest = bundle.get(i + 1..).unwrap_or("");
                            uid_word = if rest.is_empty() {
                                words.next().map(|w| (*w, None))
                            } else {
                                Some((*word, Some(rest.to_string())))
                            };
                            break;
                        } else if !NO_VALUE_SHORT.contains(c) {
                            break;
                        }
                    }
                }
            }
            if no_log_init {
                continue;
            }
            let Some((word, inline)) = uid_word else {
                continue;
            };
            let uid = match inline {
                Some(v) => Some(v),
                None => resolve_word(ctx, named.id, word),
            };
            let Some(uid) = uid.and_then(|u| u.trim().parse::<u64>().ok()) else {
                continue;
            };
            if uid < HIGH_UID {
                continue;
            }
            let script = named.script;
            let span = named.program.span.cover(word.span);
            let at = script.file_range(named.program.span).end;
            out.report(
                script.file_range(span),
                format!(
                    "`useradd` with UID {uid} and without `-l` writes lastlog/faillog records \
                     that take about {} of zeros in the layer",
                    approx_size(uid)
                ),
            )
            .help("add `-l` (`--no-log-init`)")
            .fix(Fix {
                safety: FixSafety::Safe,
                description: "add `-l` to `useradd`".to_string(),
                edits: vec![Edit::insert(at, " -l")],
            });
        }
    }
}

/// The bytes `lastlog` (292 bytes per UID on 64-bit glibc) grows to, for a message.
fn approx_size(uid: u64) -> String {
    let bytes = uid.saturating_mul(292);
    if bytes >= 1 << 30 {
        format!("{:.1} GiB", bytes as f64 / f64::from(1u32 << 30))
    } else {
        format!("{} MiB", bytes >> 20)
    }
}
