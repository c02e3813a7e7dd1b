//! Generates the rule registry from the files in `src/rules/`: adding a rule means adding
//! one file there (`foo_bar.rs` declaring `pub struct FooBar`), and nothing else.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
    println!("cargo::rerun-if-changed={}", dir.display());
    let mut modules: Vec<String> = std::fs::read_dir(&dir)
        .expect("src/rules is readable")
        .filter_map(|entry| {
            let path = entry.ok()?.path();
            (path.extension()? == "rs").then(|| path.file_stem()?.to_str().map(str::to_owned))?
        })
        .collect();
    modules.sort();
    let mut code = String::new();
    for module in &modules {
        let path = dir.join(format!("{module}.rs"));
        writeln!(
            code,
            "#[path = {:?}]\nmod {module};",
            path.display().to_string()
        )
        .unwrap();
    }
    code.push_str("\n/// Every rule dockopt has, in name order of their files.\npub static ALL: &[&dyn crate::Rule] = &[\n");
    for module in &modules {
        let ty: String = module
            .split('_')
            .map(|part| {
                let mut chars = part.chars();
                chars.next().map_or(String::new(), |first| {
                    first.to_uppercase().chain(chars).collect()
                })
            })
            .collect();
        writeln!(code, "    &{module}::{ty},").unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("registry.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
