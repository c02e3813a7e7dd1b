//! Every leftover kind on paths as real images lay them out, with the root
//! that groups them, and paths that look close but are not leftovers.

use dockopt_image::leftovers::{classify, DirectoryFilter, LeftoverKind};
use proptest::prelude::*;

fn check(path: &str, kind: LeftoverKind, root: &str) {
    assert_eq!(
        classify(path),
        Some((kind, root.to_string())),
        "classify({path:?})"
    );
}

#[test]
fn python_caches() {
    use LeftoverKind::*;
    check(
        "root/.cache/pip/http-v2/a/b/c/d/e/abcdef.body",
        PipCache,
        "root/.cache/pip",
    );
    check(
        "home/app/.cache/pip/wheels/ab/cd/x.whl",
        PipCache,
        "home/app/.cache/pip",
    );
    check("root/.cache/pip", PipCache, "root/.cache/pip");
    check(
        "root/.cache/uv/archive-v0/x/foo.py",
        UvCache,
        "root/.cache/uv",
    );
    check(
        "root/.cache/pypoetry/cache/repositories/PyPI/_http/a",
        PoetryCache,
        "root/.cache/pypoetry",
    );
    check(
        "home/dev/.cache/pypoetry/artifacts/aa/bb/six-1.16.0.whl",
        PoetryCache,
        "home/dev/.cache/pypoetry",
    );
    // Poetry's virtualenvs may be what the image runs.
    assert_eq!(
        classify("root/.cache/pypoetry/virtualenvs/app-x-py3.12/bin/python"),
        None
    );
}

#[test]
fn javascript_caches() {
    use LeftoverKind::*;
    check(
        "root/.npm/_cacache/content-v2/sha512/ab/cd/ef",
        NpmCache,
        "root/.npm/_cacache",
    );
    check(
        "home/node/.npm/_cacache/index-v5/00/11/x",
        NpmCache,
        "home/node/.npm/_cacache",
    );
    check(
        "usr/local/share/.cache/yarn/v6/npm-ms-2.1.3/package.json",
        YarnCache,
        "usr/local/share/.cache/yarn",
    );
    check("root/.cache/yarn/v6/.tmp/x", YarnCache, "root/.cache/yarn");
    check(
        "root/.yarn/berry/cache/ms-npm-2.1.3-abc.zip",
        YarnCache,
        "root/.yarn/berry/cache",
    );
    check(
        "root/.local/share/pnpm/store/v3/files/00/abc",
        PnpmStore,
        "root/.local/share/pnpm/store",
    );
    check(
        "app/.pnpm-store/v3/files/ff/123",
        PnpmStore,
        "app/.pnpm-store",
    );
}

#[test]
fn go_and_rust_caches() {
    use LeftoverKind::*;
    check(
        "root/.cache/go-build/3f/3fabc-d",
        GoBuildCache,
        "root/.cache/go-build",
    );
    check(
        "go/pkg/mod/github.com/spf13/cobra@v1.8.0/command.go",
        GoModuleCache,
        "go/pkg/mod",
    );
    check(
        "root/go/pkg/mod/cache/download/golang.org/x/sys/@v/list",
        GoModuleCache,
        "root/go/pkg/mod",
    );
    check(
        "root/.cargo/registry/cache/index.crates.io-6f17d22bba15001f/serde-1.0.0.crate",
        CargoRegistry,
        "root/.cargo/registry",
    );
    check(
        "root/.cargo/git/checkouts/x/y/src/lib.rs",
        CargoRegistry,
        "root/.cargo/git",
    );
    check(
        "usr/local/cargo/registry/index/index.crates.io-6f17d22bba15001f/.cache/se/rd/serde",
        CargoRegistry,
        "usr/local/cargo/registry",
    );
    check(
        "app/target/release/deps/libserde-0a1b2c3d.rlib",
        CargoTarget,
        "app/target",
    );
    check(
        "usr/src/app/target/debug/.fingerprint/app-123/lib-app",
        CargoTarget,
        "usr/src/app/target",
    );
    check(
        "build/target/x86_64-unknown-linux-musl/release/build/ring-1/out/x.o",
        CargoTarget,
        "build/target",
    );
}

#[test]
fn os_package_manager_caches_and_indexes() {
    use LeftoverKind::*;
    check(
        "var/lib/apt/lists/deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4",
        AptLists,
        "var/lib/apt/lists",
    );
    assert_eq!(classify("var/lib/apt/lists/lock"), None);
    assert_eq!(classify("var/lib/apt/lists/partial/x"), None);
    assert_eq!(classify("var/lib/apt/lists"), None);
    check(
        "var/cache/apt/archives/curl_7.88.1-10+deb12u5_amd64.deb",
        AptArchives,
        "var/cache/apt/archives",
    );
    assert_eq!(classify("var/cache/apt/archives/lock"), None);
    check("var/cache/apt/pkgcache.bin", AptPkgcache, "var/cache/apt");
    check(
        "var/cache/apt/srcpkgcache.bin",
        AptPkgcache,
        "var/cache/apt",
    );
    check(
        "var/cache/apk/APKINDEX.5022a8a2.tar.gz",
        ApkCache,
        "var/cache/apk",
    );
    check("etc/apk/cache/curl-8.5.0-r0.apk", ApkCache, "etc/apk/cache");
    check(
        "var/cache/dnf/fedora-a1b2c3/repodata/primary.xml.zst",
        DnfCache,
        "var/cache/dnf",
    );
    check(
        "var/cache/libdnf5/fedora-3f1e5a9c2b7d4e60/repodata/primary.xml.zst",
        DnfCache,
        "var/cache/libdnf5",
    );
    check(
        "var/cache/yum/x86_64/7/base/packages/x.rpm",
        YumCache,
        "var/cache/yum",
    );
    check(
        "root/.m2/repository/org/slf4j/slf4j-api/2.0.9/slf4j-api-2.0.9.jar",
        MavenRepository,
        "root/.m2/repository",
    );
    check(
        "home/gradle/.gradle/caches/modules-2/files-2.1/x.jar",
        GradleCache,
        "home/gradle/.gradle/caches",
    );
}

#[test]
fn git_and_temporary_files() {
    use LeftoverKind::*;
    check("app/.git/objects/pack/pack-abc.pack", GitDir, "app/.git");
    check(
        "srv/site/vendor/lib/.git/HEAD",
        GitDir,
        "srv/site/vendor/lib/.git",
    );
    check("app/.git", GitDir, "app/.git");
    assert_eq!(classify("app/.gitignore"), None);
    assert_eq!(classify("app/.github/workflows/ci.yml"), None);
    check("tmp/build-123/foo.o", TempFiles, "tmp");
    check("tmp/get-pip.py", TempFiles, "tmp");
    check("var/tmp/rpm-tmp.abc", TempFiles, "var/tmp");
    assert_eq!(classify("tmp"), None);
    assert_eq!(classify("app/tmp/x"), None);
    // A pip cache under tmp is a pip cache first.
    check("tmp/.cache/pip/x", PipCache, "tmp/.cache/pip");
}

#[test]
fn toolchains_and_headers() {
    use LeftoverKind::*;
    check(
        "usr/lib/gcc/x86_64-linux-gnu/12/cc1",
        Toolchain,
        "usr/lib/gcc",
    );
    check(
        "usr/libexec/gcc/x86_64-alpine-linux-musl/13.2.1/cc1",
        Toolchain,
        "usr/libexec/gcc",
    );
    for bin in [
        "gcc",
        "gcc-12",
        "g++",
        "g++-12",
        "cc",
        "c++",
        "cpp",
        "cpp-12",
        "clang",
        "clang-16",
        "clang++",
        "ld",
        "ld.bfd",
        "ld.gold",
        "as",
        "x86_64-linux-gnu-gcc-12",
        "x86_64-linux-gnu-g++-12",
        "x86_64-linux-gnu-ld.bfd",
        "aarch64-linux-gnu-as",
        "x86_64-alpine-linux-musl-gcc",
        "gcc-ar-12",
    ] {
        let path = format!("usr/bin/{bin}");
        check(&path, Toolchain, &path);
    }
    for not_a_compiler in [
        "ccache",
        "cat",
        "ldd",
        "asn1parse",
        "x86_64-linux-gnu-objdump",
        "gccgo-doc",
        "ld.so",
    ] {
        let path = format!("usr/bin/{not_a_compiler}");
        assert_eq!(classify(&path), None, "{path}");
    }
    check("usr/lib/llvm-16/bin/clang", Toolchain, "usr/lib/llvm-16");
    check(
        "usr/local/go/pkg/tool/linux_amd64/compile",
        Toolchain,
        "usr/local/go",
    );
    check("usr/lib/go-1.19/bin/go", Toolchain, "usr/lib/go-1.19");
    check(
        "usr/local/cargo/bin/cargo",
        Toolchain,
        "usr/local/cargo/bin",
    );
    check(
        "usr/local/rustup/toolchains/1.75.0-x86_64-unknown-linux-gnu/bin/rustc",
        Toolchain,
        "usr/local/rustup",
    );
    check(
        "root/.rustup/toolchains/stable/lib/librustc_driver.so",
        Toolchain,
        "root/.rustup",
    );
    check(
        "home/rust/.cargo/bin/rustc",
        Toolchain,
        "home/rust/.cargo/bin",
    );
    check("usr/include/stdio.h", Headers, "usr/include");
    check(
        "usr/include/x86_64-linux-gnu/bits/types.h",
        Headers,
        "usr/include",
    );
    check(
        "usr/local/include/openssl/ssl.h",
        Headers,
        "usr/local/include",
    );
}

#[test]
fn ordinary_files_are_not_leftovers() {
    for path in [
        "usr/lib/python3.11/__pycache__/os.cpython-311.pyc",
        "app/__pycache__/main.cpython-312.pyc",
        "usr/local/lib/python3.12/site-packages/pip/_internal/cache.py",
        "usr/lib/x86_64-linux-gnu/libc.so.6",
        "usr/bin/python3",
        "usr/local/bin/app",
        "etc/apt/sources.list",
        "var/cache/debconf/config.dat",
        "var/lib/dpkg/status",
        "app/node_modules/ms/index.js",
        "app/target/release/app",
        "srv/go/src/app/main.go",
        "",
        "/",
    ] {
        assert_eq!(classify(path), None, "{path}");
    }
}

#[test]
fn kinds_display_and_serialize_as_kebab_case() {
    assert_eq!(LeftoverKind::PipCache.to_string(), "pip-cache");
    assert_eq!(LeftoverKind::GoModuleCache.to_string(), "go-module-cache");
    assert_eq!(LeftoverKind::AptLists.to_string(), "apt-lists");
    assert_eq!(
        serde_json::to_string(&LeftoverKind::GitDir).ok().as_deref(),
        Some("\"git-dir\"")
    );
    assert!(LeftoverKind::AptArchives.is_cache());
    assert!(!LeftoverKind::Toolchain.is_cache());
}

#[test]
fn directories_that_cannot_hold_leftovers() {
    let never = |dir: &str, name: &str| !DirectoryFilter::new(dir).may_classify(name);
    for dir in [
        "data/small",
        "usr/share/doc/x",
        "etc",
        "opt/app/lib",
        "usr/lib/x86_64-linux-gnu",
    ] {
        assert!(never(dir, "raaab"), "{dir}");
        // A file may itself be a leftover by its name alone.
        assert!(!never(dir, ".git"), "{dir}/.git");
    }
    for (dir, name) in [
        ("", ".git"),
        ("usr/bin", "x"),
        ("var/lib/apt/lists", "x"),
        ("var/cache/apt", "x"),
        ("home/app/.cache/pip/wheels", "x"),
        ("srv/x/.git", "x"),
        ("tmp", "x"),
        ("app/target/release", "deps"),
    ] {
        assert!(!never(dir, name), "{dir}/{name}");
    }
}

/// Names the leftover patterns look for, and a few they do not.
const SEGMENTS: &[&str] = &[
    "usr",
    "local",
    "lib",
    "bin",
    "var",
    "cache",
    "apt",
    "lists",
    "archives",
    "x.deb",
    "pkgcache.bin",
    "lock",
    ".cache",
    "pip",
    "uv",
    "pypoetry",
    "artifacts",
    ".npm",
    "_cacache",
    ".yarn",
    "berry",
    "yarn",
    ".local",
    "share",
    "pnpm",
    "store",
    ".pnpm-store",
    "go",
    "go-build",
    "pkg",
    "mod",
    ".cargo",
    "registry",
    "git",
    "cargo",
    "target",
    "release",
    "deps",
    "x86_64",
    "apk",
    "etc",
    "dnf",
    "libdnf5",
    "yum",
    ".m2",
    "repository",
    ".gradle",
    "caches",
    ".git",
    "tmp",
    "gcc",
    "libexec",
    "llvm-15",
    "go-1.21",
    "rustup",
    ".rustup",
    "gcc-12",
    "x86_64-linux-gnu-g++",
    "ld.so",
    "include",
    "data",
    "app",
    "x",
];

proptest! {
    /// Skipping a directory's files is only ever skipping non-leftovers.
    #[test]
    fn skipped_directories_hold_no_leftovers(
        dir in proptest::collection::vec(proptest::sample::select(SEGMENTS), 0..7),
        name in proptest::sample::select(SEGMENTS),
    ) {
        let dir = dir.join("/");
        let path = if dir.is_empty() { name.to_string() } else { format!("{dir}/{name}") };
        if classify(&path).is_some() {
            prop_assert!(
                DirectoryFilter::new(&dir).may_classify(name),
                "{path} is a leftover but the filter ruled it out"
            );
        }
    }

    /// Any path: no panic, and a root is always a whole-segment prefix of it.
    #[test]
    fn root_is_a_prefix_of_the_path(path in "[a-z./_-]{0,12}(/[a-z.+_-]{0,10}){0,12}") {
        if let Some((_, root)) = classify(&path) {
            let trimmed = path.trim_start_matches('/');
            prop_assert!(trimmed.starts_with(&root), "{root} not a prefix of {path}");
            prop_assert!(!root.is_empty());
            let rest = &trimmed[root.len()..];
            prop_assert!(rest.is_empty() || rest.starts_with('/'), "{root} splits a segment of {path}");
        }
    }

    #[test]
    fn arbitrary_strings_never_panic(path in any::<String>()) {
        let _ = classify(&path);
    }
}
