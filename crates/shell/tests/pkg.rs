//! Package-manager operations: managers, operations, pins, flags and cache directories.

use dockopt_shell::pkg::{
    cache_dirs, operations, CacheKind, Env, Manager, Meaning, Operation, Pin,
};
use dockopt_shell::Script;

fn ops(src: &str) -> Vec<dockopt_shell::pkg::PkgOp> {
    operations(&Script::parse(src).unwrap_or_else(|e| panic!("{src}: {e}")))
}

fn one(src: &str) -> dockopt_shell::pkg::PkgOp {
    let mut v = ops(src);
    assert_eq!(v.len(), 1, "{src}: {v:#?}");
    v.remove(0)
}

#[test]
fn manager_and_operation_table() {
    let table: &[(&str, Manager, Operation)] = &[
        (
            "apt-get install -y curl",
            Manager::AptGet,
            Operation::Install,
        ),
        ("apt install curl", Manager::Apt, Operation::Install),
        ("apt-get update", Manager::AptGet, Operation::UpdateIndex),
        ("apt-get purge -y gcc", Manager::AptGet, Operation::Remove),
        (
            "apt-get dist-upgrade -y",
            Manager::AptGet,
            Operation::Upgrade,
        ),
        ("apt-get clean", Manager::AptGet, Operation::CleanCache),
        ("apk add --no-cache curl", Manager::Apk, Operation::Install),
        ("apk update", Manager::Apk, Operation::UpdateIndex),
        ("apk del build-deps", Manager::Apk, Operation::Remove),
        ("apk cache clean", Manager::Apk, Operation::CleanCache),
        ("dnf install -y gcc", Manager::Dnf, Operation::Install),
        ("dnf makecache", Manager::Dnf, Operation::UpdateIndex),
        ("dnf clean all", Manager::Dnf, Operation::CleanCache),
        ("yum clean all", Manager::Yum, Operation::CleanCache),
        ("yum update -y", Manager::Yum, Operation::Upgrade),
        (
            "microdnf install -y tar",
            Manager::Microdnf,
            Operation::Install,
        ),
        (
            "zypper -n install curl",
            Manager::Zypper,
            Operation::Install,
        ),
        ("zypper refresh", Manager::Zypper, Operation::UpdateIndex),
        ("pip install flask", Manager::Pip, Operation::Install),
        ("pip3 install flask", Manager::Pip, Operation::Install),
        (
            "python -m pip install flask",
            Manager::Pip,
            Operation::Install,
        ),
        (
            "python3.12 -m pip install -U pip",
            Manager::Pip,
            Operation::Install,
        ),
        ("pip cache purge", Manager::Pip, Operation::CleanCache),
        ("pip uninstall -y x", Manager::Pip, Operation::Remove),
        ("uv pip install flask", Manager::Uv, Operation::Install),
        ("uv sync --frozen", Manager::Uv, Operation::Install),
        ("uv add httpx", Manager::Uv, Operation::Install),
        ("uv cache clean", Manager::Uv, Operation::CleanCache),
        (
            "poetry install --no-root",
            Manager::Poetry,
            Operation::Install,
        ),
        ("pipx install black", Manager::Pipx, Operation::Install),
        ("npm ci", Manager::Npm, Operation::Install),
        (
            "npm install -g typescript",
            Manager::Npm,
            Operation::Install,
        ),
        (
            "npm cache clean --force",
            Manager::Npm,
            Operation::CleanCache,
        ),
        ("npm run build", Manager::Npm, Operation::Build),
        ("yarn", Manager::Yarn, Operation::Install),
        (
            "yarn install --frozen-lockfile",
            Manager::Yarn,
            Operation::Install,
        ),
        ("yarn cache clean", Manager::Yarn, Operation::CleanCache),
        (
            "pnpm install --frozen-lockfile",
            Manager::Pnpm,
            Operation::Install,
        ),
        ("pnpm store prune", Manager::Pnpm, Operation::CleanCache),
        ("bun install", Manager::Bun, Operation::Install),
        ("go mod download", Manager::Go, Operation::Download),
        ("go build -o /app .", Manager::Go, Operation::Build),
        (
            "go install golang.org/x/tools/gopls@latest",
            Manager::Go,
            Operation::Install,
        ),
        (
            "go clean -cache -modcache",
            Manager::Go,
            Operation::CleanCache,
        ),
        ("cargo build --release", Manager::Cargo, Operation::Build),
        ("cargo install ripgrep", Manager::Cargo, Operation::Install),
        ("cargo fetch", Manager::Cargo, Operation::Download),
        ("gem install bundler", Manager::Gem, Operation::Install),
        ("bundle install", Manager::Bundle, Operation::Install),
        (
            "composer install --no-dev",
            Manager::Composer,
            Operation::Install,
        ),
        (
            "mvn -B package -DskipTests",
            Manager::Maven,
            Operation::Build,
        ),
        (
            "mvn dependency:go-offline",
            Manager::Maven,
            Operation::Download,
        ),
        ("./gradlew build", Manager::Gradle, Operation::Build),
        ("gradle dependencies", Manager::Gradle, Operation::Download),
        (
            "curl -fsSL https://x/y.tgz",
            Manager::Curl,
            Operation::Download,
        ),
        ("wget -q https://x/y", Manager::Wget, Operation::Download),
        (
            "git clone --depth 1 https://github.com/a/b",
            Manager::Git,
            Operation::Download,
        ),
        (
            "sudo -E apt-get install -y x",
            Manager::AptGet,
            Operation::Install,
        ),
        ("env A=1 pip install x", Manager::Pip, Operation::Install),
        (
            "/usr/local/bin/pip install x",
            Manager::Pip,
            Operation::Install,
        ),
    ];
    for (src, manager, operation) in table {
        let op = one(src);
        assert_eq!((op.manager, op.operation), (*manager, *operation), "{src}");
    }
    assert!(ops("echo apt-get install").is_empty());
    assert!(ops("python app.py").is_empty());
}

#[test]
fn pins_table() {
    let table: &[(&str, &str, Option<&str>, Pin)] = &[
        (
            "apt-get install -y curl=7.88.1-10",
            "curl",
            Some("7.88.1-10"),
            Pin::Exact,
        ),
        ("apt-get install -y curl", "curl", None, Pin::None),
        (
            "apk add curl=8.5.0-r0",
            "curl",
            Some("8.5.0-r0"),
            Pin::Exact,
        ),
        ("apk add curl~8.5", "curl", Some("8.5"), Pin::Range),
        (
            "dnf install -y gcc-11.3.1",
            "gcc",
            Some("11.3.1"),
            Pin::Exact,
        ),
        ("zypper install 'curl>=8'", "curl", Some("8"), Pin::Range),
        (
            "pip install flask==3.0.0",
            "flask",
            Some("3.0.0"),
            Pin::Exact,
        ),
        (
            "pip install 'uvicorn[standard]>=0.20'",
            "uvicorn",
            Some("0.20"),
            Pin::Range,
        ),
        (
            "pip install requests~=2.31",
            "requests",
            Some("2.31"),
            Pin::Range,
        ),
        ("pip install flask", "flask", None, Pin::None),
        (
            "npm install -g typescript@5.4.2",
            "typescript",
            Some("5.4.2"),
            Pin::Exact,
        ),
        (
            "npm install -g @angular/cli@^17",
            "@angular/cli",
            Some("^17"),
            Pin::Range,
        ),
        (
            "npm install -g pnpm@latest",
            "pnpm",
            Some("latest"),
            Pin::Tag,
        ),
        ("npm install -g @scope/pkg", "@scope/pkg", None, Pin::None),
        (
            "go install golang.org/x/tools/gopls@v0.15.0",
            "golang.org/x/tools/gopls",
            Some("v0.15.0"),
            Pin::Exact,
        ),
        (
            "go install example.com/cmd@latest",
            "example.com/cmd",
            Some("latest"),
            Pin::Tag,
        ),
        (
            "cargo install ripgrep --version 14.1.0",
            "ripgrep",
            Some("14.1.0"),
            Pin::Exact,
        ),
        (
            "cargo install ripgrep@14.1.0",
            "ripgrep",
            Some("14.1.0"),
            Pin::Exact,
        ),
        (
            "gem install bundler -v 2.5.6",
            "bundler",
            Some("2.5.6"),
            Pin::Exact,
        ),
        (
            "gem install rails:7.1.0",
            "rails",
            Some("7.1.0"),
            Pin::Exact,
        ),
        (
            "composer require monolog/monolog:^3.0",
            "monolog/monolog",
            Some("^3.0"),
            Pin::Range,
        ),
        ("poetry add httpx@^0.27", "httpx", Some("^0.27"), Pin::Range),
        (
            "uv pip install ruff==0.4.1",
            "ruff",
            Some("0.4.1"),
            Pin::Exact,
        ),
        (
            "pipx install black==24.3.0",
            "black",
            Some("24.3.0"),
            Pin::Exact,
        ),
        (
            "git clone -b v1.2.3 https://github.com/a/b",
            "https://github.com/a/b",
            Some("v1.2.3"),
            Pin::Exact,
        ),
    ];
    for (src, name, version, pin) in table {
        let op = one(src);
        let p = op
            .packages
            .first()
            .unwrap_or_else(|| panic!("{src}: no package"));
        assert_eq!(
            (p.name.as_str(), p.version.as_deref(), p.pin),
            (*name, *version, *pin),
            "{src}"
        );
    }
}

#[test]
fn flags_table() {
    let table: &[(&str, Meaning, Option<&str>)] = &[
        ("apt-get install -y x", Meaning::Yes, None),
        ("apt-get install --yes x", Meaning::Yes, None),
        ("apt-get -qq install x", Meaning::Yes, None),
        (
            "apt-get install --no-install-recommends x",
            Meaning::NoInstallRecommends,
            None,
        ),
        (
            "apt-get -o Acquire::Retries=5 install x",
            Meaning::Retries,
            Some("Acquire::Retries=5"),
        ),
        (
            "apt-get install --allow-unauthenticated x",
            Meaning::AllowUntrusted,
            None,
        ),
        ("apk add --no-cache x", Meaning::NoCache, None),
        (
            "apk add --allow-untrusted x.apk",
            Meaning::AllowUntrusted,
            None,
        ),
        ("dnf install --assumeyes x", Meaning::Yes, None),
        (
            "dnf install -y --setopt=install_weak_deps=False x",
            Meaning::NoWeakDeps,
            Some("install_weak_deps=False"),
        ),
        ("yum install --nogpgcheck x", Meaning::NoGpgCheck, None),
        (
            "microdnf install -y --setopt install_weak_deps=0 x",
            Meaning::NoWeakDeps,
            Some("install_weak_deps=0"),
        ),
        ("zypper --non-interactive install x", Meaning::Yes, None),
        ("pip install --no-cache-dir x", Meaning::NoCacheDir, None),
        (
            "pip install --trusted-host pypi.org x",
            Meaning::TrustedHost,
            Some("pypi.org"),
        ),
        (
            "pip install -r requirements.txt",
            Meaning::Requirement,
            Some("requirements.txt"),
        ),
        (
            "pip install -rrequirements.txt",
            Meaning::Requirement,
            Some("requirements.txt"),
        ),
        ("pip install --retries=10 x", Meaning::Retries, Some("10")),
        ("uv sync --frozen", Meaning::Frozen, None),
        ("uv pip install --system x", Meaning::Global, None),
        ("npm install -g x", Meaning::Global, None),
        ("npm ci --omit=dev", Meaning::NoDev, Some("dev")),
        ("yarn install --frozen-lockfile", Meaning::Frozen, None),
        (
            "pnpm install --frozen-lockfile --prod",
            Meaning::NoDev,
            None,
        ),
        ("cargo build --release --locked", Meaning::Release, None),
        ("cargo install --locked x", Meaning::Frozen, None),
        ("curl -k https://x", Meaning::Insecure, None),
        ("curl -fsSLk https://x", Meaning::Insecure, None),
        ("curl --insecure https://x", Meaning::Insecure, None),
        ("curl --retry 5 -o f https://x", Meaning::Retries, Some("5")),
        (
            "curl -o out.tgz https://x",
            Meaning::Output,
            Some("out.tgz"),
        ),
        (
            "wget --no-check-certificate https://x",
            Meaning::Insecure,
            None,
        ),
        ("wget --tries=3 https://x", Meaning::Retries, Some("3")),
        ("git clone --depth 1 https://x", Meaning::Depth, Some("1")),
        ("composer install --no-dev", Meaning::NoDev, None),
        ("bundle install --retry 3", Meaning::Retries, Some("3")),
    ];
    for (src, meaning, value) in table {
        let op = one(src);
        let f = op
            .flag(*meaning)
            .unwrap_or_else(|| panic!("{src}: no {meaning:?} in {:#?}", op.flags));
        assert_eq!(f.value.as_deref(), *value, "{src}");
        assert!(src.get(f.span.range()).is_some(), "{src}");
    }
    // Absent flags are absent, and values are not mistaken for packages.
    let op = one("apt-get -o Acquire::Retries=3 install -t bookworm-backports x y");
    assert!(!op.has(Meaning::Yes));
    let names: Vec<_> = op.packages.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["x", "y"]);
    let op = one("curl --retry 5 -o /tmp/a https://example.com/a");
    assert_eq!(op.packages.len(), 1);
    assert_eq!(op.packages[0].name, "https://example.com/a");
}

#[test]
fn spans_for_fixes() {
    let src = "apt-get update && apt-get install -y curl git";
    let v = ops(src);
    assert_eq!(v.len(), 2);
    let install = &v[1];
    assert_eq!(&src[install.span.range()], "apt-get install -y curl git");
    assert_eq!(
        &src[..install.insert_at],
        "apt-get update && apt-get install"
    );
    assert_eq!(&src[install.packages[1].span.range()], "git");
    assert_eq!(
        &src[install.flag(Meaning::Yes).expect("y").span.range()],
        "-y"
    );
    let src = "python3 -m pip install x";
    let op = one(src);
    assert_eq!(&src[..op.insert_at], "python3 -m pip install");
}

#[test]
fn cache_cleaning_commands() {
    let op = one("rm -rf /var/lib/apt/lists/*");
    assert_eq!(
        (op.manager, op.operation),
        (Manager::AptGet, Operation::CleanCache)
    );
    assert_eq!(op.cleared, ["/var/lib/apt/lists/*"]);
    assert_eq!(op.cleared_kinds, [CacheKind::Index]);
    let op = one("rm -rf ~/.cache/pip");
    assert_eq!(op.manager, Manager::Pip);
    let op = one("rm -rf /root/.cache/uv");
    assert_eq!(op.manager, Manager::Uv);
    let op = one("rm -rf $HOME/.npm");
    assert_eq!(op.manager, Manager::Npm);
    let v = ops("rm -rf /root/.cache");
    let managers: Vec<_> = v.iter().map(|o| o.manager).collect();
    assert!(managers.contains(&Manager::Pip) && managers.contains(&Manager::Go));
    assert!(ops("rm -rf /tmp/* /app/build").is_empty());
    let op = one("go clean -cache -modcache");
    assert_eq!(op.cleared_kinds, [CacheKind::Build, CacheKind::Packages]);
    let op = one("apt-get clean");
    assert_eq!(op.cleared, ["/var/cache/apt/archives"]);
    let op = one("yum clean all");
    assert_eq!(op.cleared, ["/var/cache/yum"]);
    let op = one("npm cache clean --force");
    assert_eq!(op.cleared, ["/root/.npm"]);
}

#[test]
fn cache_dirs_follow_env() {
    let root = Env::root();
    let paths = |m: Manager, env: &Env| -> Vec<String> {
        cache_dirs(m, env)
            .dirs
            .into_iter()
            .map(|d| d.path)
            .collect()
    };
    assert_eq!(paths(Manager::Pip, &root), ["/root/.cache/pip"]);
    let mut user = Env {
        home: Some("/home/app".into()),
        user: Some("app".into()),
        uid: Some(1000),
        ..Env::default()
    };
    assert_eq!(paths(Manager::Pip, &user), ["/home/app/.cache/pip"]);
    assert_eq!(paths(Manager::Yarn, &user)[0], "/home/app/.cache/yarn");
    assert_eq!(
        paths(Manager::Yarn, &root)[0],
        "/usr/local/share/.cache/yarn"
    );
    user.vars
        .insert("PIP_CACHE_DIR".into(), "/cache/pip".into());
    user.vars.insert("PIP_NO_CACHE_DIR".into(), "1".into());
    let pip = cache_dirs(Manager::Pip, &user);
    assert_eq!(pip.dirs[0].path, "/cache/pip");
    assert_eq!(pip.dirs[0].from_var, Some("PIP_CACHE_DIR"));
    assert_eq!(pip.disabled_by, Some("PIP_NO_CACHE_DIR"));
    let mut env = Env::root();
    env.vars.insert("XDG_CACHE_HOME".into(), "/xdg".into());
    assert_eq!(paths(Manager::Uv, &env), ["/xdg/uv"]);
    env.vars.insert("UV_CACHE_DIR".into(), "/uvc".into());
    env.vars.insert("UV_NO_CACHE".into(), "true".into());
    assert_eq!(paths(Manager::Uv, &env), ["/uvc"]);
    assert_eq!(
        cache_dirs(Manager::Uv, &env).disabled_by,
        Some("UV_NO_CACHE")
    );
    let mut go = Env::root();
    go.vars.insert("GOPATH".into(), "/go".into());
    assert_eq!(
        paths(Manager::Go, &go),
        ["/go/pkg/mod", "/root/.cache/go-build"]
    );
    go.vars.insert("GOMODCACHE".into(), "/m".into());
    go.vars.insert("GOCACHE".into(), "/b".into());
    assert_eq!(paths(Manager::Go, &go), ["/m", "/b"]);
    let mut cargo = Env::root();
    cargo.workdir = Some("/src".into());
    assert_eq!(
        paths(Manager::Cargo, &cargo),
        ["/root/.cargo/registry", "/root/.cargo/git", "/src/target"]
    );
    cargo
        .vars
        .insert("CARGO_HOME".into(), "/usr/local/cargo".into());
    assert_eq!(
        paths(Manager::Cargo, &cargo)[0],
        "/usr/local/cargo/registry"
    );
    let mut npm = Env::root();
    npm.vars.insert("npm_config_cache".into(), "/npmc".into());
    assert_eq!(paths(Manager::Npm, &npm), ["/npmc"]);
    assert_eq!(paths(Manager::Maven, &root), ["/root/.m2/repository"]);
    let mut gradle = Env::root();
    gradle.vars.insert("GRADLE_USER_HOME".into(), "/g".into());
    assert_eq!(paths(Manager::Gradle, &gradle), ["/g/caches"]);
    let mut composer = Env::root();
    composer.vars.insert("COMPOSER_HOME".into(), "/tmp".into());
    assert_eq!(paths(Manager::Composer, &composer), ["/tmp/cache"]);
    assert_eq!(paths(Manager::Composer, &root), ["/root/.cache/composer"]);
    assert_eq!(paths(Manager::Bun, &root), ["/root/.bun/install/cache"]);
    assert_eq!(
        paths(Manager::AptGet, &root),
        ["/var/cache/apt", "/var/lib/apt"]
    );
    assert_eq!(paths(Manager::Apk, &root), ["/var/cache/apk"]);
    assert_eq!(paths(Manager::Dnf, &root), ["/var/cache/dnf"]);
    assert_eq!(paths(Manager::Zypper, &root), ["/var/cache/zypp"]);
}

#[test]
fn commands_inside_control_flow_and_substitutions() {
    let v = ops("for i in 1 2 3; do apk add X && break || sleep 5; done");
    assert_eq!(v.len(), 1);
    let v = ops("echo $(pip install x) && (cd /a && npm ci)");
    let m: Vec<_> = v.iter().map(|o| o.manager).collect();
    assert_eq!(m, [Manager::Pip, Manager::Npm]);
}

#[test]
fn pnpm_and_bun_stores_follow_their_variables() {
    let store = |m: Manager, vars: &[(&str, &str)]| {
        let mut env = Env::root();
        for (k, v) in vars {
            env.vars.insert((*k).into(), (*v).into());
        }
        let first = cache_dirs(m, &env).dirs.remove(0);
        (first.path, first.from_var)
    };
    assert_eq!(
        store(Manager::Pnpm, &[]),
        ("/root/.local/share/pnpm/store".into(), None)
    );
    assert_eq!(
        store(Manager::Pnpm, &[("PNPM_HOME", "/pnpm/")]),
        ("/pnpm/store".into(), Some("PNPM_HOME"))
    );
    // An explicit store wins over the home directory.
    assert_eq!(
        store(
            Manager::Pnpm,
            &[("PNPM_HOME", "/pnpm"), ("npm_config_store_dir", "/s")]
        ),
        ("/s".into(), Some("npm_config_store_dir"))
    );
    assert_eq!(
        store(Manager::Bun, &[]),
        ("/root/.bun/install/cache".into(), None)
    );
    assert_eq!(
        store(Manager::Bun, &[("BUN_INSTALL", "/bun")]),
        ("/bun/install/cache".into(), Some("BUN_INSTALL"))
    );
    assert_eq!(
        store(
            Manager::Bun,
            &[("BUN_INSTALL", "/bun"), ("BUN_INSTALL_CACHE_DIR", "/bc")]
        ),
        ("/bc".into(), Some("BUN_INSTALL_CACHE_DIR"))
    );
}
