//! JSON arrays as BuildKit reads exec-form arguments: Go's `encoding/json` decoding a
//! whole text into `[]any`, then requiring every element to be a string.

/// Outcome of reading an exec-form argument list.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum JsonArray {
    /// A valid array of strings: each decoded string with its byte range in the input.
    Strings(Vec<(String, usize, usize)>),
    /// Valid JSON array with a non-string element (a hard error in BuildKit).
    NotStrings,
    /// Not a JSON array: BuildKit falls back to shell form.
    Invalid,
}

/// Reads `text` (already trimmed of leading whitespace) as BuildKit's `parseJSON` does.
pub(crate) fn parse_string_array(text: &str) -> JsonArray {
    let b = text.as_bytes();
    if b.first() != Some(&b'[') {
        return JsonArray::Invalid;
    }
    let mut pos = 1;
    let mut items = Vec::new();
    let mut all_strings = true;
    pos = skip_ws(b, pos);
    if b.get(pos) == Some(&b']') {
        pos += 1;
    } else {
        loop {
            pos = skip_ws(b, pos);
            if b.get(pos) == Some(&b'"') {
                match decode_string(text, pos) {
                    Some((s, end)) => {
                        items.push((s, pos, end));
                        pos = end;
                    }
                    None => return JsonArray::Invalid,
                }
            } else {
                match skip_value(b, pos) {
                    Some(end) => {
                        all_strings = false;
                        pos = end;
                    }
                    None => return JsonArray::Invalid,
                }
            }
            pos = skip_ws(b, pos);
            match b.get(pos) {
                Some(b',') => pos += 1,
                Some(b']') => {
                    pos += 1;
                    break;
                }
                _ => return JsonArray::Invalid,
            }
        }
    }
    if skip_ws(b, pos) != b.len() {
        return JsonArray::Invalid;
    }
    if all_strings {
        JsonArray::Strings(items)
    } else {
        JsonArray::NotStrings
    }
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while matches!(b.get(pos), Some(b' ' | b'\t' | b'\n' | b'\r')) {
        pos += 1;
    }
    pos
}

/// Decodes the string literal starting at `start` (a `"`), returning it and the offset
/// after the closing quote. Lone surrogates become U+FFFD, as in Go.
fn decode_string(text: &str, start: usize) -> Option<(String, usize)> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut pos = start + 1;
    loop {
        let rest = text.get(pos..)?;
        let ch = rest.chars().next()?;
        match ch {
            '"' => return Some((out, pos + 1)),
            '\\' => {
                let esc = *b.get(pos + 1)?;
                pos += 2;
                match esc {
                    b'"' => out.push('"'),
                    b'\\' => out.push('\\'),
                    b'/' => out.push('/'),
                    b'b' => out.push('\u{8}'),
                    b'f' => out.push('\u{c}'),
                    b'n' => out.push('\n'),
                    b'r' => out.push('\r'),
                    b't' => out.push('\t'),
                    b'u' => {
                        let first = hex4(b, pos)?;
                        pos += 4;
                        if (0xD800..0xE000).contains(&first) {
                            let pair = if b.get(pos) == Some(&b'\\')
                                && b.get(pos + 1) == Some(&b'u')
                            {
                                hex4(b, pos + 2)
                                    .filter(|lo| first < 0xDC00 && (0xDC00..0xE000).contains(lo))
                            } else {
                                None
                            };
                            match pair {
                                Some(lo) => {
                                    pos += 6;
                                    let c = 0x10000 + ((first - 0xD800) << 10) + (lo - 0xDC00);
                                    out.push(char::from_u32(c).unwrap_or('\u{fffd}'));
                                }
                                None => out.push('\u{fffd}'),
                            }
                        } else {
                            out.push(char::from_u32(first).unwrap_or('\u{fffd}'));
                        }
                    }
                    _ => return None,
                }
            }
            c if (c as u32) < 0x20 => return None,
            c => {
                out.push(c);
                pos += c.len_utf8();
            }
        }
    }
}

fn hex4(b: &[u8], pos: usize) -> Option<u32> {
    let digits = b.get(pos..pos + 4)?;
    let s = std::str::from_utf8(digits).ok()?;
    if !s.bytes().all(|d| d.is_ascii_hexdigit()) {
        return None;
    }
    u32::from_str_radix(s, 16).ok()
}

/// Go's decoder rejects input nested deeper than this (the outer array counts as one).
const MAX_DEPTH: usize = 10_000;

/// Skips one JSON value starting at `pos` (no leading whitespace), without recursion so
/// deeply nested input cannot exhaust the stack.
fn skip_value(b: &[u8], start: usize) -> Option<usize> {
    // Each open container: true for an object, false for an array.
    let mut stack: Vec<bool> = Vec::new();
    let mut pos = start;
    loop {
        pos = skip_ws(b, pos);
        // A value is expected at `pos`.
        let opens = matches!(b.get(pos), Some(b'[' | b'{'));
        if opens && stack.len() + 1 >= MAX_DEPTH {
            return None;
        }
        match *b.get(pos)? {
            b'[' => {
                pos = skip_ws(b, pos + 1);
                if b.get(pos) == Some(&b']') {
                    pos += 1;
                } else {
                    stack.push(false);
                    continue;
                }
            }
            b'{' => {
                pos = skip_ws(b, pos + 1);
                if b.get(pos) == Some(&b'}') {
                    pos += 1;
                } else {
                    pos = object_key(b, pos)?;
                    stack.push(true);
                    continue;
                }
            }
            b'"' => pos = skip_string(b, pos)?,
            b't' => pos = literal(b, pos, b"true")?,
            b'f' => pos = literal(b, pos, b"false")?,
            b'n' => pos = literal(b, pos, b"null")?,
            b'-' | b'0'..=b'9' => pos = number(b, pos)?,
            _ => return None,
        }
        // After a value: close containers or move to the next element.
        loop {
            let Some(&is_object) = stack.last() else {
                return Some(pos);
            };
            pos = skip_ws(b, pos);
            match (*b.get(pos)?, is_object) {
                (b',', false) => {
                    pos += 1;
                    break;
                }
                (b',', true) => {
                    pos = object_key(b, skip_ws(b, pos + 1))?;
                    break;
                }
                (b']', false) | (b'}', true) => {
                    pos += 1;
                    stack.pop();
                }
                _ => return None,
            }
        }
    }
}

/// Skips `"key" :` and returns the offset after the colon.
fn object_key(b: &[u8], pos: usize) -> Option<usize> {
    if b.get(pos) != Some(&b'"') {
        return None;
    }
    let pos = skip_ws(b, skip_string(b, pos)?);
    (b.get(pos) == Some(&b':')).then_some(pos + 1)
}

fn skip_string(b: &[u8], start: usize) -> Option<usize> {
    let mut pos = start + 1;
    loop {
        match *b.get(pos)? {
            b'"' => return Some(pos + 1),
            b'\\' => match *b.get(pos + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => pos += 2,
                b'u' => {
                    hex4(b, pos + 2)?;
                    pos += 6;
                }
                _ => return None,
            },
            c if c < 0x20 => return None,
            _ => pos += 1,
        }
    }
}

fn literal(b: &[u8], pos: usize, word: &[u8]) -> Option<usize> {
    (b.get(pos..pos + word.len())? == word).then_some(pos + word.len())
}

fn number(b: &[u8], mut pos: usize) -> Option<usize> {
    if b.get(pos) == Some(&b'-') {
        pos += 1;
    }
    match *b.get(pos)? {
        b'0' => pos += 1,
        b'1'..=b'9' => {
            while b.get(pos).is_some_and(u8::is_ascii_digit) {
                pos += 1;
            }
        }
        _ => return None,
    }
    if b.get(pos) == Some(&b'.') {
        pos += 1;
        if !b.get(pos).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
    }
    if matches!(b.get(pos), Some(b'e' | b'E')) {
        pos += 1;
        if matches!(b.get(pos), Some(b'+' | b'-')) {
            pos += 1;
        }
        if !b.get(pos).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        while b.get(pos).is_some_and(u8::is_ascii_digit) {
            pos += 1;
        }
    }
    Some(pos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(text: &str) -> Vec<String> {
        match parse_string_array(text) {
            JsonArray::Strings(v) => v.into_iter().map(|(s, _, _)| s).collect(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn arrays() {
        assert_eq!(strings(r#"["a", "b c"]"#), ["a", "b c"]);
        assert_eq!(strings("[]"), Vec::<String>::new());
        assert_eq!(
            strings(r#"[ "\u00e9\n\ud83d\ude00\ud800" ]"#),
            ["é\n😀\u{fffd}"]
        );
        assert_eq!(parse_string_array(r#"["a", ["b"]]"#), JsonArray::NotStrings);
        assert_eq!(
            parse_string_array(r#"["a", {"k": [1, 2e5, null]}]"#),
            JsonArray::NotStrings
        );
        assert_eq!(parse_string_array(r#"['a']"#), JsonArray::Invalid);
        assert_eq!(parse_string_array(r#"["a""#), JsonArray::Invalid);
        assert_eq!(parse_string_array(r#"["a"] x"#), JsonArray::Invalid);
        assert_eq!(parse_string_array("[\"a\tb\"]"), JsonArray::Invalid);
        assert_eq!(parse_string_array("[01]"), JsonArray::Invalid);
        assert_eq!(parse_string_array("[1,]"), JsonArray::Invalid);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let deep = format!("[{}{}]", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(parse_string_array(&deep), JsonArray::Invalid);
        let ok = format!("[{}{}]", "[".repeat(9_999), "]".repeat(9_999));
        assert_eq!(parse_string_array(&ok), JsonArray::NotStrings);
        let too_deep = format!("[{}{}]", "[".repeat(10_000), "]".repeat(10_000));
        assert_eq!(parse_string_array(&too_deep), JsonArray::Invalid);
    }
}
