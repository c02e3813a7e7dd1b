//! Finding Dockerfiles: `Dockerfile`, `*.Dockerfile`, `Dockerfile.*`, `Containerfile`
//! (and `Containerfile.*`), respecting `.gitignore`.

use std::path::PathBuf;

use anyhow::bail;

/// Whether a file name is one dockopt lints when searching a directory.
pub fn is_dockerfile_name(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
        || (name.starts_with("Dockerfile.") && name.len() > "Dockerfile.".len())
        || (name.starts_with("Containerfile.") && name.len() > "Containerfile.".len())
}

/// Files given are taken as they are; directories are searched. The result is sorted and
/// without duplicates.
pub fn find_dockerfiles(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_file() {
            out.push(path.clone());
            continue;
        }
        if !path.is_dir() {
            bail!("{}: no such file or directory", path.display());
        }
        let walker = ignore::WalkBuilder::new(path)
            .hidden(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker {
            let entry = entry?;
            if entry.file_type().is_some_and(|t| t.is_file())
                && entry.file_name().to_str().is_some_and(is_dockerfile_name)
            {
                out.push(entry.into_path());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// [`find_dockerfiles`], defaulting to the current directory, and an error when nothing is
/// found.
pub fn find_dockerfiles_or_fail(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let paths = if paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        paths.to_vec()
    };
    let files = find_dockerfiles(&paths)?;
    if files.is_empty() {
        let list: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        bail!("no Dockerfiles found in {}", list.join(", "));
    }
    Ok(files)
}
