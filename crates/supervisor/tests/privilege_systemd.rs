//! The systemd side of privilege separation: the unit's hardening score, the
//! unit files' syntax, and the install script (staged into a temp dir with
//! DESTDIR, then the sysusers.d and tmpfiles.d entries applied to it).
//!
//! Needs systemd-analyze (Debian package `systemd`; no running systemd);
//! without it the systemd checks skip with a message.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

fn systemd_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../systemd")
}

fn skip(test: &str, why: &str) {
    ferrobgp_testkit::skip(test, why);
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o7777
}

/// Runs systemd/install.sh into `destdir` with a stand-in binary.
fn install(destdir: &Path, prefix: &str) -> String {
    let bin = destdir.parent().unwrap().join("ferrobgp-stand-in");
    std::fs::write(&bin, "#!/bin/sh\nexit 0\n").unwrap();
    std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let out = Command::new(systemd_dir().join("install.sh"))
        .arg("--binary")
        .arg(&bin)
        .env("DESTDIR", destdir)
        .env("PREFIX", prefix)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "install.sh failed:\n{text}");
    text
}

#[test]
fn service_exposure_is_at_most_1_5() {
    let out = Command::new(systemd_dir().join("check-security"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(77) {
        skip("service_exposure_is_at_most_1_5", text.trim());
        return;
    }
    assert!(out.status.success(), "check-security failed:\n{text}");
    let line = text
        .lines()
        .find(|l| l.contains("Overall exposure level for ferrobgp.service:"))
        .unwrap_or_else(|| panic!("no exposure line:\n{text}"));
    let score: f64 = line
        .split(':')
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("unreadable exposure: {line}"));
    assert!(score <= 1.5, "{line}");
}

#[test]
fn unit_files_pass_systemd_analyze_verify() {
    if !have("systemd-analyze") {
        skip(
            "unit_files_pass_systemd_analyze_verify",
            "systemd-analyze missing (apt-get install -y systemd)",
        );
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // verify insists that ExecStart= exists: point it at /bin/true.
    let unit = std::fs::read_to_string(systemd_dir().join("ferrobgp.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/bin/ferrobgp run "));
    std::fs::write(
        dir.path().join("ferrobgp.service"),
        unit.replace("/usr/bin/ferrobgp", "/bin/true"),
    )
    .unwrap();
    std::fs::copy(
        systemd_dir().join("ferrobgp.socket"),
        dir.path().join("ferrobgp.socket"),
    )
    .unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(dir.path().join("ferrobgp.service"))
        .arg(dir.path().join("ferrobgp.socket"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    // Unknown keys and bad values are warnings with exit status 0.
    assert_eq!(text.trim(), "", "systemd-analyze verify complained");
}

#[test]
fn install_stages_binary_units_and_example_config() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("root");
    install(&dest, "/usr");
    let bin = dest.join("usr/bin/ferrobgp");
    let service = dest.join("usr/lib/systemd/system/ferrobgp.service");
    let socket = dest.join("usr/lib/systemd/system/ferrobgp.socket");
    let sysusers = dest.join("usr/lib/sysusers.d/ferrobgp.conf");
    let tmpfiles = dest.join("usr/lib/tmpfiles.d/ferrobgp.conf");
    let conf = dest.join("etc/ferrobgp/ferrobgp.conf");
    assert_eq!(mode(&bin), 0o755);
    for f in [&service, &socket, &sysusers, &tmpfiles] {
        assert_eq!(mode(f), 0o644, "{}", f.display());
    }
    assert_eq!(mode(&conf), 0o640);
    assert_eq!(mode(&dest.join("etc/ferrobgp")), 0o750);
    for example in [
        "ferrobgp.conf",
        "helper-capabilities.conf",
        "listen-without-socket.conf",
    ] {
        assert!(dest
            .join("usr/share/doc/ferrobgp/examples")
            .join(example)
            .is_file());
    }
    let unit = std::fs::read_to_string(&service).unwrap();
    assert!(unit.contains("\nExecStart=/usr/bin/ferrobgp run /etc/ferrobgp/ferrobgp.conf\n"));
    assert!(unit.contains("\nType=notify\n"));
    assert!(unit.contains("\nUser=ferrobgp\n"));
    assert_eq!(
        std::fs::read(&conf).unwrap(),
        std::fs::read(systemd_dir().join("examples/ferrobgp.conf")).unwrap()
    );

    // A second run never overwrites the operator's configuration.
    std::fs::write(&conf, "# mine\n").unwrap();
    let text = install(&dest, "/usr");
    assert!(text.contains("exists: left as it is"), "{text}");
    assert_eq!(std::fs::read_to_string(&conf).unwrap(), "# mine\n");
}

#[test]
fn install_honours_prefix() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("root");
    install(&dest, "/opt/ferrobgp");
    assert!(dest.join("opt/ferrobgp/bin/ferrobgp").is_file());
    let unit =
        std::fs::read_to_string(dest.join("opt/ferrobgp/lib/systemd/system/ferrobgp.service"))
            .unwrap();
    assert!(
        unit.contains("\nExecStart=/opt/ferrobgp/bin/ferrobgp run /etc/ferrobgp/ferrobgp.conf\n")
    );
    assert!(dest
        .join("opt/ferrobgp/lib/sysusers.d/ferrobgp.conf")
        .is_file());
    assert!(dest.join("etc/ferrobgp/ferrobgp.conf").is_file());
}

#[test]
fn install_refuses_a_missing_binary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = Command::new(systemd_dir().join("install.sh"))
        .args(["--binary", "/nonexistent/ferrobgp"])
        .env("DESTDIR", tmp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such executable"));
    assert!(std::fs::read_dir(tmp.path()).unwrap().next().is_none());
}

#[test]
fn sysusers_and_tmpfiles_entries_apply_to_the_staged_root() {
    if !have("systemd-sysusers") || !have("systemd-tmpfiles") {
        skip(
            "sysusers_and_tmpfiles_entries_apply_to_the_staged_root",
            "systemd-sysusers/systemd-tmpfiles missing (apt-get install -y systemd)",
        );
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("root");
    install(&dest, "/usr");
    let out = Command::new("systemd-sysusers")
        .arg(format!("--root={}", dest.display()))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let passwd = std::fs::read_to_string(dest.join("etc/passwd")).unwrap();
    let entry = passwd
        .lines()
        .find(|l| l.starts_with("ferrobgp:"))
        .unwrap_or_else(|| panic!("no ferrobgp in staged passwd:\n{passwd}"));
    let fields: Vec<&str> = entry.split(':').collect();
    let uid: u32 = fields[2].parse().unwrap();
    assert!(uid > 0 && uid < 1000, "a system uid: {entry}");
    assert_eq!(fields[5], "/nonexistent");
    assert!(fields[6].ends_with("nologin"), "{entry}");

    let out = Command::new("systemd-tmpfiles")
        .arg(format!("--root={}", dest.display()))
        .arg("--create")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Root's, entered by the operator group, not by the service user.
    let group = std::fs::read_to_string(dest.join("etc/group")).unwrap();
    let ctl: u32 = group
        .lines()
        .find(|l| l.starts_with("ferrobgp-ctl:"))
        .unwrap_or_else(|| panic!("no ferrobgp-ctl in staged group:\n{group}"))
        .split(':')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert_ne!(ctl, 0);
    let run = dest.join("run/ferrobgp");
    assert_eq!(mode(&run), 0o750);
    let meta = std::fs::metadata(&run).unwrap();
    assert_eq!(std::os::unix::fs::MetadataExt::uid(&meta), 0);
    assert_eq!(std::os::unix::fs::MetadataExt::gid(&meta), ctl);
    let service_gid: u32 = fields[3].parse().unwrap();
    assert_ne!(
        ctl, service_gid,
        "the service user's group is not the operators'"
    );
}
