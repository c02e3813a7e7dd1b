//! When `rpm` and `rpmbuild` are installed, builds a package, installs it
//! into a fresh database with rpm itself, and reads that database as it is
//! on disk (WAL mode, default page size). Without them the test says so and
//! checks nothing else; the committed fixture covers the format then.

use std::path::Path;
use std::process::Command;

use dockopt_image::inventory::{collect, Manager, MemoryFiles};

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn database_written_by_installed_rpm() {
    if !have("rpm") || !have("rpmbuild") {
        eprintln!("rpm/rpmbuild not installed: live rpmdb test not run");
        return;
    }
    let work = tempfile::tempdir().expect("temp dir");
    let top = work.path();
    let spec = top.join("live-pkg.spec");
    std::fs::write(
        &spec,
        "Name: live-pkg\nVersion: 3.1\nRelease: 7\nEpoch: 1\nSummary: s\nLicense: MIT\n\
         BuildArch: noarch\n%description\nd\n%install\nmkdir -p %{buildroot}/opt/live\n\
         head -c 7000 /dev/zero > %{buildroot}/opt/live/blob\n%files\n/opt/live\n",
    )
    .expect("spec");
    let define = format!("_topdir {}", top.display());
    run(Command::new("rpmbuild")
        .args(["--define", &define, "-bb"])
        .arg(&spec));
    let rpm = top.join("RPMS/noarch/live-pkg-3.1-7.noarch.rpm");
    let db = top.join("db");
    std::fs::create_dir_all(&db).expect("db dir");
    let dbpath = db.to_str().expect("utf-8 temp path");
    run(Command::new("rpm").args(["--initdb", "--dbpath", dbpath]));
    run(Command::new("rpm")
        .args(["-i", "--nodeps", "--justdb", "--dbpath", dbpath])
        .arg(&rpm));
    let bytes = std::fs::read(Path::new(dbpath).join("rpmdb.sqlite")).expect("rpmdb.sqlite");
    let mut fs = MemoryFiles::new();
    fs.insert("var/lib/rpm/rpmdb.sqlite", &bytes);
    let inventory = collect(&fs);
    let found: Vec<(Manager, &str, &str, u64)> = inventory
        .packages
        .iter()
        .map(|p| (p.manager, p.name.as_str(), p.version.as_str(), p.size))
        .collect();
    assert_eq!(found, [(Manager::Rpm, "live-pkg", "1:3.1-7", 7000)]);
    assert!(inventory.notes.is_empty(), "{:?}", inventory.notes);
}
