//! Fuzz target: parsing never panics, the tree prints back the input byte for byte, and
//! the dumps can always be produced.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parse = dockopt_syntax::parse(text);
    assert_eq!(parse.to_string(), text);
    let _ = parse.buildkit_dump();
    let _ = parse.to_json();
    let _ = parse.tree_dump();
});
