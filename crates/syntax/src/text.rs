//! Character classes and trimming as Go's standard library defines them, which is what
//! BuildKit's parser relies on.

/// Go's `unicode.IsSpace` (the Unicode White_Space property, same as Rust's).
pub(crate) fn is_go_space(ch: char) -> bool {
    ch.is_whitespace()
}

/// The class `[\t\v\f\r ]` BuildKit uses to split instruction words.
pub(crate) fn is_split_space(ch: char) -> bool {
    matches!(ch, '\t' | '\u{0b}' | '\u{0c}' | '\r' | ' ')
}

/// Byte length of the leading run of `unicode.IsSpace` characters.
pub(crate) fn leading_space_len(s: &str) -> usize {
    s.len() - s.trim_start_matches(is_go_space).len()
}

/// Go's `strings.TrimSpace`, returning the byte range of what remains.
pub(crate) fn trim_space_range(s: &str) -> (usize, usize) {
    let start = leading_space_len(s);
    let end = s.trim_end_matches(is_go_space).len().max(start);
    (start, end)
}

/// Go's `strconv.Quote`: a double-quoted Go string literal.
pub fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{07}' => out.push_str("\\a"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0b}' => out.push_str("\\v"),
            c if is_go_print(c) => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if (c as u32) < 0x10000 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push_str(&format!("\\U{:08x}", c as u32)),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII
/// space. Control, format, private-use, separator (other than U+0020) and noncharacter
/// code points are not printable.
fn is_go_print(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let u = c as u32;
    let format_or_private = matches!(u,
        0x00AD | 0x0600..=0x0605 | 0x061C | 0x06DD | 0x070F | 0x0890 | 0x0891 | 0x08E2
        | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F
        | 0xFEFF | 0xFFF9..=0xFFFB | 0x110BD | 0x110CD | 0x13430..=0x1343F
        | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F
        | 0xE000..=0xF8FF | 0xF0000..=0x10FFFF);
    let noncharacter = (0xFDD0..=0xFDEF).contains(&u) || (u & 0xFFFE) == 0xFFFE;
    !format_or_private && !noncharacter
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_matches_go() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(go_quote("\t\n\u{1}"), r#""\t\n\x01""#);
        assert_eq!(go_quote("é\u{a0}"), "\"é\\u00a0\"");
        assert_eq!(go_quote("\u{feff}"), r#""\ufeff""#);
    }

    #[test]
    fn trim_space() {
        assert_eq!(trim_space_range("  ab \t"), (2, 4));
        assert_eq!(trim_space_range("   "), (3, 3));
    }
}
