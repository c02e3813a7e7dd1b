//! Build proof: `dockopt fix --unsafe-fixes` makes rebuilds of examples/python-app faster with
//! real builders, BuildKit (Debian's Docker 20.10 daemon, started privately by
//! scripts/start-dockerd.sh) and buildah.
//!
//! For each builder the example is copied twice and one copy is fixed. Both are built cold
//! (fresh builder state, only the base image imported), then one source file (not a
//! manifest) is edited in both and both are rebuilt. After the edit the original must rerun
//! its dependency install and the fixed one must take it from the cache; the fixed image
//! must not be larger, and both rebuilt images must run and print the edited source's
//! output. Rebuild times and image sizes are printed, not asserted.
//!
//! The base image is the debootstrap root `tests/images/setup.sh` caches as `base.tar` in
//! `$DOCKOPT_IMAGE_CACHE` (default `~/.cache/dockopt/images`), plus the apt configuration the
//! official Debian images carry (tests/build-proof/base), tagged as the example's `FROM`
//! names it. A missing builder or base
//! fails the test with what to run, unless `DOCKOPT_SKIP_BUILD_TESTS=1`, which skips it.
//! Builds reach the Debian mirror over HTTP for apt; nothing else goes to the network.
//! Builder state lives in a fresh folder per proof (see `state_root`), deleted at the end.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

const SKIP_VAR: &str = "DOCKOPT_SKIP_BUILD_TESTS";
const DOCKER: &str = "/usr/bin/docker";
const DOCKERD: &str = "/usr/sbin/dockerd";
/// The dependency install both Dockerfiles run, found by this text in the step's command.
const DEPENDENCY_STEP: &str = "pip install";
/// An OS package step that comes before any source copy in both Dockerfiles: its cache hit
/// on rebuild shows that the builder's cache works at all.
const OS_PACKAGE_STEP: &str = "apt-get install";
/// What the example app prints before the edit.
const APP_GREETING: &str = "hello from the example app";
/// The debootstrap root as imported; tests/build-proof/base starts FROM it.
const ROOTFS_TAG: &str = "localhost/dockopt-proof-rootfs:bookworm";
const ORIGINAL_TAG: &str = "localhost/dockopt-proof-original:latest";
const FIXED_TAG: &str = "localhost/dockopt-proof-fixed:latest";

/// The two builds share two cores: run one builder's proof at a time so timings mean something.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> MutexGuard<'static, ()> {
    SERIAL
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[test]
fn buildkit_rebuild_after_source_edit_keeps_fixed_dependency_layer_cached() {
    let _serial = serial();
    let missing = missing_executables(&[DOCKER, DOCKERD]);
    if !prerequisites_ok("BuildKit (docker.io)", &missing) {
        return;
    }
    let work = TempDir::new("buildkit");
    let started = Instant::now();
    let builder = BuildKit::start(&work.path().join("dockerd"));
    ready(&builder, started);
    prove(&builder, work.path());
}

#[test]
fn buildah_rebuild_after_source_edit_keeps_fixed_dependency_layer_cached() {
    let _serial = serial();
    let missing = if Command::new("buildah").arg("--version").output().is_ok() {
        Vec::new()
    } else {
        vec!["buildah".to_string()]
    };
    if !prerequisites_ok("buildah", &missing) {
        return;
    }
    let work = TempDir::new("buildah");
    let started = Instant::now();
    let builder = Buildah::new(&work.path().join("buildah"));
    ready(&builder, started);
    prove(&builder, work.path());
}

// --- the proof ------------------------------------------------------------------------------

/// One build: its combined output and how long it took.
struct Build {
    log: String,
    took: Duration,
}

/// What a builder must do for the proof.
trait Builder {
    fn name(&self) -> &'static str;
    /// Builds `context` with its Dockerfile as `tag`, with the builder's layer cache on.
    fn build(&self, context: &Path, tag: &str) -> Build;
    /// Whether the step whose instruction contains `needle` came from the cache; `None` when
    /// the log names no such step.
    fn step_cached(&self, log: &str, needle: &str) -> Option<bool>;
    /// The image's uncompressed size in bytes.
    fn image_size(&self, tag: &str) -> u64;
    /// Runs the example app in the image and returns what it printed.
    fn run_app(&self, tag: &str) -> String;
}

fn prove(builder: &dyn Builder, work: &Path) {
    let name = builder.name();
    let original = work.join("original");
    let fixed = work.join("fixed");
    copy_dir(&example_dir(), &original);
    copy_dir(&example_dir(), &fixed);

    let diff = dockopt_fix(&fixed);
    let fixed_dockerfile = read(&fixed.join("Dockerfile"));
    assert_ne!(
        read(&original.join("Dockerfile")),
        fixed_dockerfile,
        "dockopt fix --unsafe-fixes changed nothing in the example"
    );
    println!("[{name}] dockopt fix --unsafe-fixes applied:\n{diff}");

    let cold_original = builder.build(&original, ORIGINAL_TAG);
    let cold_fixed = builder.build(&fixed, FIXED_TAG);
    for (which, build) in [("original", &cold_original), ("fixed", &cold_fixed)] {
        assert_eq!(
            builder.step_cached(&build.log, DEPENDENCY_STEP),
            Some(false),
            "[{name}] the cold build of the {which} Dockerfile should run `{DEPENDENCY_STEP}`:\n{}",
            tail(&build.log)
        );
    }

    // One source file, not a manifest; unique so a stale image cannot pass for the new one.
    let marker = format!("edited for the build proof {}", unique_suffix());
    for dir in [&original, &fixed] {
        let main = dir.join("src/hello/__main__.py");
        let mut text = read(&main);
        text.push_str(&format!("print({marker:?})\n"));
        write(&main, &text);
    }

    let warm_original = builder.build(&original, ORIGINAL_TAG);
    let warm_fixed = builder.build(&fixed, FIXED_TAG);

    assert_eq!(
        builder.step_cached(&warm_original.log, OS_PACKAGE_STEP),
        Some(true),
        "[{name}] the rebuild of the original should take `{OS_PACKAGE_STEP}` from the cache \
         (otherwise the builder's cache is not working):\n{}",
        tail(&warm_original.log)
    );
    assert_eq!(
        builder.step_cached(&warm_original.log, DEPENDENCY_STEP),
        Some(false),
        "[{name}] after a source edit the original Dockerfile should rerun `{DEPENDENCY_STEP}`:\n{}",
        tail(&warm_original.log)
    );
    assert_eq!(
        builder.step_cached(&warm_fixed.log, DEPENDENCY_STEP),
        Some(true),
        "[{name}] after a source edit the fixed Dockerfile should take `{DEPENDENCY_STEP}` from \
         the cache:\n{fixed_dockerfile}\n{}",
        tail(&warm_fixed.log)
    );

    for (which, tag) in [("original", ORIGINAL_TAG), ("fixed", FIXED_TAG)] {
        let out = builder.run_app(tag);
        assert!(
            out.contains(APP_GREETING) && out.contains(&marker),
            "[{name}] the rebuilt {which} image should print {APP_GREETING:?} and {marker:?}, \
             printed:\n{out}"
        );
    }

    let original_size = builder.image_size(ORIGINAL_TAG);
    let fixed_size = builder.image_size(FIXED_TAG);
    println!(
        "[{name}] cold build:              original {:>7.2} s   fixed {:>7.2} s",
        cold_original.took.as_secs_f64(),
        cold_fixed.took.as_secs_f64()
    );
    println!(
        "[{name}] rebuild after an edit:   original {:>7.2} s   fixed {:>7.2} s",
        warm_original.took.as_secs_f64(),
        warm_fixed.took.as_secs_f64()
    );
    println!(
        "[{name}] image size:              original {} B ({:.1} MB)   fixed {} B ({:.1} MB)",
        original_size,
        megabytes(original_size),
        fixed_size,
        megabytes(fixed_size)
    );
    assert!(
        fixed_size <= original_size,
        "[{name}] the fixed image ({fixed_size} B) is larger than the original ({original_size} B)"
    );
}

/// Builds tests/build-proof/base (the imported root plus the official images' apt
/// configuration) as the image the example's `FROM` names.
fn finish_base(builder: &dyn Builder) {
    let base = repo_dir().join("tests/build-proof/base");
    builder.build(&base, &fully_qualified(&example_base_image()));
}

fn ready(builder: &dyn Builder, started: Instant) {
    println!(
        "[{}] builder ready with the base image in {:.2} s",
        builder.name(),
        started.elapsed().as_secs_f64()
    );
}

/// Runs `dockopt fix --unsafe-fixes` on `dir`'s Dockerfile and returns the diff it applied.
fn dockopt_fix(dir: &Path) -> String {
    let dockopt = env!("CARGO_BIN_EXE_dockopt");
    let diff = output(
        Command::new(dockopt)
            .args(["fix", "--unsafe-fixes", "--diff", "Dockerfile"])
            .current_dir(dir),
    );
    // `--diff` exits 1 when there is something to change.
    assert!(
        matches!(diff.status.code(), Some(0 | 1)),
        "dockopt fix --diff failed: {}",
        String::from_utf8_lossy(&diff.stderr)
    );
    checked(
        Command::new(dockopt)
            .args(["fix", "--unsafe-fixes", "Dockerfile"])
            .current_dir(dir),
        "dockopt fix --unsafe-fixes",
    );
    String::from_utf8_lossy(&diff.stdout).into_owned()
}

// --- BuildKit through a private Docker daemon -----------------------------------------------

/// A dockerd of its own (state in a temporary folder), with the base image built under the
/// example's `FROM` name. Stopped when dropped.
struct BuildKit {
    host: String,
    state: PathBuf,
}

impl BuildKit {
    fn start(state: &Path) -> BuildKit {
        let out = checked(
            Command::new("bash")
                .arg(repo_dir().join("scripts/start-dockerd.sh"))
                .env("DOCKOPT_DOCKERD_DIR", state),
            "scripts/start-dockerd.sh",
        );
        let host = String::from_utf8_lossy(&out.stdout)
            .lines()
            .find_map(|l| l.strip_prefix("DOCKER_HOST=").map(str::to_string))
            .unwrap_or_else(|| panic!("scripts/start-dockerd.sh printed no DOCKER_HOST= line"));
        let daemon = BuildKit {
            host,
            state: state.to_path_buf(),
        };
        checked(
            daemon
                .docker()
                .args([
                    "import",
                    "--change",
                    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "--change",
                    r#"CMD ["bash"]"#,
                ])
                .arg(base_tar())
                .arg(ROOTFS_TAG),
            "docker import of the base root",
        );
        finish_base(&daemon);
        daemon
    }

    fn docker(&self) -> Command {
        let mut cmd = Command::new(DOCKER);
        cmd.env("DOCKER_HOST", &self.host)
            .env("DOCKER_BUILDKIT", "1");
        cmd
    }
}

impl Drop for BuildKit {
    fn drop(&mut self) {
        let stopped = Command::new("bash")
            .arg(repo_dir().join("scripts/start-dockerd.sh"))
            .arg("--stop")
            .env("DOCKOPT_DOCKERD_DIR", &self.state)
            .output();
        if !stopped.is_ok_and(|o| o.status.success()) {
            eprintln!("could not stop the dockerd in {}", self.state.display());
        }
    }
}

impl Builder for BuildKit {
    fn name(&self) -> &'static str {
        "BuildKit"
    }

    fn build(&self, context: &Path, tag: &str) -> Build {
        timed_build(
            self.docker()
                .args(["build", "--progress=plain", "--network", "host", "-t", tag])
                .arg(context),
            tag,
        )
    }

    fn step_cached(&self, log: &str, needle: &str) -> Option<bool> {
        buildkit_step_cached(log, needle)
    }

    fn image_size(&self, tag: &str) -> u64 {
        let out = checked(
            self.docker()
                .args(["image", "inspect", "--format", "{{.Size}}", tag]),
            "docker image inspect",
        );
        parse_u64(&out.stdout, "docker image inspect's Size")
    }

    fn run_app(&self, tag: &str) -> String {
        // The image's own CMD, as it would run in production.
        let out = checked(
            self.docker()
                .args(["run", "--rm", "--network", "none", tag]),
            "docker run",
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// BuildKit's plain progress names a step `#N [stage 3/8] RUN ...` and reports a cache hit
/// as the line `#N CACHED`.
fn buildkit_step_cached(log: &str, needle: &str) -> Option<bool> {
    let id = log.lines().find_map(|line| {
        let (id, rest) = line.strip_prefix('#')?.split_once(' ')?;
        let (_, instruction) = rest.strip_prefix('[')?.split_once("] ")?;
        instruction.contains(needle).then(|| id.to_string())
    })?;
    let cached = format!("#{id} CACHED");
    Some(log.lines().any(|line| line.trim_end() == cached))
}

// --- buildah --------------------------------------------------------------------------------

/// buildah with storage of its own (in a temporary folder) and the base image built under
/// the example's `FROM` name.
struct Buildah {
    state: PathBuf,
}

impl Buildah {
    fn new(state: &Path) -> Buildah {
        fs::create_dir_all(state.join("tmp")).expect("create buildah state folder");
        let conf = format!(
            "[storage]\ndriver = \"overlay\"\ngraphroot = \"{}\"\nrunroot = \"{}\"\n",
            state.join("storage").display(),
            state.join("run").display()
        );
        write(&state.join("storage.conf"), &conf);
        let buildah = Buildah {
            state: state.to_path_buf(),
        };
        let container = checked(buildah.cmd().args(["from", "scratch"]), "buildah from");
        let container = String::from_utf8_lossy(&container.stdout)
            .trim()
            .to_string();
        checked(
            buildah
                .cmd()
                .args(["add", "--quiet", &container])
                .arg(base_tar())
                .arg("/"),
            "buildah add of the base image",
        );
        checked(
            buildah.cmd().args([
                "config",
                "--env",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "--cmd",
                r#"["bash"]"#,
                &container,
            ]),
            "buildah config",
        );
        checked(
            buildah
                .cmd()
                .args(["commit", "--quiet", "--rm", &container, ROOTFS_TAG]),
            "buildah commit of the base root",
        );
        finish_base(&buildah);
        buildah
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new("buildah");
        cmd.env("CONTAINERS_STORAGE_CONF", self.state.join("storage.conf"))
            .env("TMPDIR", self.state.join("tmp"))
            .env("BUILDAH_ISOLATION", "chroot");
        cmd
    }
}

impl Drop for Buildah {
    fn drop(&mut self) {
        // Working containers would keep layers mounted inside the folder about to be removed.
        let _ = self.cmd().args(["rm", "--all"]).output();
    }
}

impl Builder for Buildah {
    fn name(&self) -> &'static str {
        "buildah"
    }

    fn build(&self, context: &Path, tag: &str) -> Build {
        timed_build(
            self.cmd()
                .args([
                    "build",
                    "--isolation",
                    "chroot",
                    "--layers",
                    "--pull=never",
                    "-t",
                    tag,
                ])
                .arg(context),
            tag,
        )
    }

    fn step_cached(&self, log: &str, needle: &str) -> Option<bool> {
        buildah_step_cached(log, needle)
    }

    fn image_size(&self, tag: &str) -> u64 {
        // The stored manifest lists the layers uncompressed, with their sizes.
        let out = checked(
            self.cmd().args([
                "inspect",
                "--type",
                "image",
                "--format",
                "{{.Manifest}}",
                tag,
            ]),
            "buildah inspect",
        );
        let manifest: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("buildah inspect printed a JSON manifest");
        let layers = manifest["layers"]
            .as_array()
            .expect("the manifest lists layers");
        layers
            .iter()
            .map(|l| l["size"].as_u64().expect("every layer has a size"))
            .sum()
    }

    fn run_app(&self, tag: &str) -> String {
        let container = checked(
            self.cmd().args(["from", "--pull=never", "--quiet", tag]),
            "buildah from",
        );
        let container = String::from_utf8_lossy(&container.stdout)
            .trim()
            .to_string();
        let out = output(self.cmd().args([
            "run",
            &container,
            "--",
            "/opt/venv/bin/python",
            "-m",
            "hello",
        ]));
        let _ = self.cmd().args(["rm", &container]).output();
        assert!(
            out.status.success(),
            "buildah run failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// buildah names a step `STEP 7/13: RUN ...` and, for a cache hit, prints `--> Using cache
/// ID` before the next step.
fn buildah_step_cached(log: &str, needle: &str) -> Option<bool> {
    let mut lines = log.lines().skip_while(|line| {
        !line
            .strip_prefix("STEP ")
            .and_then(|rest| rest.split_once(": "))
            .is_some_and(|(_, instruction)| instruction.contains(needle))
    });
    lines.next()?;
    Some(
        lines
            .take_while(|line| !line.starts_with("STEP "))
            .any(|line| line.starts_with("--> Using cache")),
    )
}

// --- helpers --------------------------------------------------------------------------------

/// Whether the proof can run: `false` (and a note) when the prerequisites are missing and
/// `DOCKOPT_SKIP_BUILD_TESTS=1`; a failure saying what to install when they are missing
/// otherwise.
fn prerequisites_ok(builder: &str, missing: &[String]) -> bool {
    let mut problems: Vec<String> = missing
        .iter()
        .map(|m| format!("{m} not found: run `bash scripts/install-tools.sh`"))
        .collect();
    if !base_tar().is_file() {
        problems.push(format!(
            "the base image {} is missing: run `bash tests/images/setup.sh`",
            base_tar().display()
        ));
    }
    if problems.is_empty() {
        return true;
    }
    if std::env::var(SKIP_VAR).is_ok_and(|v| v == "1") {
        eprintln!(
            "{builder} build proof skipped ({SKIP_VAR}=1): {}",
            problems.join("; ")
        );
        return false;
    }
    panic!(
        "{builder} build proof cannot run: {} (or set {SKIP_VAR}=1 to skip it)",
        problems.join("; ")
    );
}

fn missing_executables(paths: &[&str]) -> Vec<String> {
    paths
        .iter()
        .filter(|p| !Path::new(p).is_file())
        .map(|p| p.to_string())
        .collect()
}

fn repo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example_dir() -> PathBuf {
    repo_dir().join("examples/python-app")
}

/// The debootstrap root tests/images/setup.sh caches.
fn base_tar() -> PathBuf {
    let cache = std::env::var_os("DOCKOPT_IMAGE_CACHE").map_or_else(
        || {
            let home = std::env::var_os("HOME").unwrap_or_else(|| "/root".into());
            Path::new(&home).join(".cache/dockopt/images")
        },
        PathBuf::from,
    );
    cache.join("base.tar")
}

/// The image the example's first `FROM` names, which the base is tagged as.
fn example_base_image() -> String {
    let dockerfile = read(&example_dir().join("Dockerfile"));
    dockerfile
        .lines()
        .find_map(|line| {
            let mut words = line.split_whitespace();
            let keyword = words.next()?;
            keyword
                .eq_ignore_ascii_case("FROM")
                .then(|| words.find(|w| !w.starts_with("--")))
                .flatten()
                .map(str::to_string)
        })
        .expect("examples/python-app/Dockerfile has a FROM line")
}

/// `debian:bookworm-slim` as the registry reference buildah resolves it to.
fn fully_qualified(image: &str) -> String {
    match image.split_once('/') {
        None => format!("docker.io/library/{image}"),
        Some((host, _)) if host.contains(['.', ':']) || host == "localhost" => image.to_string(),
        Some(_) => format!("docker.io/{image}"),
    }
}

fn timed_build(cmd: &mut Command, tag: &str) -> Build {
    let started = Instant::now();
    let out = output(cmd);
    let took = started.elapsed();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "building {tag} failed:\n{}",
        tail(&log)
    );
    Build { log, took }
}

fn output(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {:?}: {e}", cmd.get_program()))
}

fn checked(cmd: &mut Command, what: &str) -> Output {
    let out = output(cmd);
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn parse_u64(bytes: &[u8], what: &str) -> u64 {
    let text = String::from_utf8_lossy(bytes);
    text.trim()
        .parse()
        .unwrap_or_else(|e| panic!("{what} is not a number ({e}): {text:?}"))
}

/// The last lines of a build log, enough to see why it failed.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(60)..].join("\n")
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

fn write(path: &Path, text: &str) {
    fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    let entries =
        fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
        let target = to.join(entry.file_name());
        let kind = entry.file_type().expect("file type");
        if kind.is_dir() {
            copy_dir(&entry.path(), &target);
        } else if kind.is_file() {
            fs::copy(entry.path(), &target).unwrap_or_else(|e| {
                panic!(
                    "cannot copy {} to {}: {e}",
                    entry.path().display(),
                    target.display()
                )
            });
        }
    }
}

/// Where builder state goes: `$DOCKOPT_BUILD_PROOF_DIR`, else /dev/shm, else the temporary
/// directory. A proof leaves about 1.5 GB of layers (some 20,000 files) behind; in RAM they are
/// gone in a fraction of a second, on a disk mounted with online discard deleting them took
/// about a minute.
fn state_root() -> PathBuf {
    if let Some(dir) = std::env::var_os("DOCKOPT_BUILD_PROOF_DIR") {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "{}-{}-{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// A folder for one proof's builder state and copies, removed with everything in it on drop.
/// Short paths: dockerd's socket lives inside it.
struct TempDir(PathBuf);

impl TempDir {
    fn new(label: &str) -> TempDir {
        let path = state_root().join(format!("dockopt-proof-{label}-{}", unique_suffix()));
        fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", path.display()));
        TempDir(path)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Err(e) = fs::remove_dir_all(&self.0) {
            eprintln!("could not remove {}: {e}", self.0.display());
        }
    }
}

#[test]
fn buildkit_log_tells_cached_steps_from_rerun_ones() {
    let log = "#5 [2/9] RUN apt-get update\n#5 DONE 4.7s\n\
               #6 [stage-0 3/9] RUN apt-get install -y python3\n#6 CACHED\n\
               #13 [9/9] RUN /opt/venv/bin/pip install -r requirements.txt\n#13 0.3 Collecting x\n\
               #13 DONE 3.9s\n";
    assert_eq!(buildkit_step_cached(log, "apt-get install"), Some(true));
    assert_eq!(buildkit_step_cached(log, "apt-get update"), Some(false));
    assert_eq!(buildkit_step_cached(log, "pip install"), Some(false));
    assert_eq!(buildkit_step_cached(log, "npm ci"), None);
}

#[test]
fn buildah_log_tells_cached_steps_from_rerun_ones() {
    let log = "STEP 1/4: FROM debian:bookworm-slim\n\
               STEP 2/4: RUN apt-get install -y python3\n--> Using cache 0123abcd\n--> 0123abcd\n\
               STEP 3/4: COPY . /app\n--> 4567ef01\n\
               STEP 4/4: RUN pip install -r requirements.txt\nCollecting x\n--> 89abcdef\n";
    assert_eq!(buildah_step_cached(log, "apt-get install"), Some(true));
    assert_eq!(buildah_step_cached(log, "COPY . /app"), Some(false));
    assert_eq!(buildah_step_cached(log, "pip install"), Some(false));
    assert_eq!(buildah_step_cached(log, "npm ci"), None);
}

#[test]
fn base_image_names_are_qualified_as_buildah_resolves_them() {
    assert_eq!(
        fully_qualified("debian:bookworm-slim"),
        "docker.io/library/debian:bookworm-slim"
    );
    assert_eq!(
        fully_qualified("library/debian:12"),
        "docker.io/library/debian:12"
    );
    assert_eq!(fully_qualified("localhost/base:1"), "localhost/base:1");
    assert_eq!(fully_qualified("ghcr.io/o/i:1"), "ghcr.io/o/i:1");
}
