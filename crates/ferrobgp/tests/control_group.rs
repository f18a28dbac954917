//! The control socket of a daemon started as root belongs to root and the
//! operator group `ferrobgp-ctl`, mode 0660: a member of that group may use
//! `ferrobgp cli`; a member of the service user's group (what the rib, the
//! session workers and the helpers run as) may not, nor may another user.
//!
//! Needs root (it skips with a message otherwise). The service user is
//! `ferrobgp` (created with `useradd --system` when missing), the operator
//! group `ferrobgp-ctl` (created with `groupadd --system` when missing).

mod common;

use common::*;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn ensure_service_user() -> Option<nix::unistd::User> {
    if let Some(u) = nix::unistd::User::from_name("ferrobgp").ok().flatten() {
        return Some(u);
    }
    let made = Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "ferrobgp",
        ])
        .status();
    if !made.is_ok_and(|s| s.success()) {
        return None;
    }
    nix::unistd::User::from_name("ferrobgp").ok().flatten()
}

/// `ferrobgp cli --socket SOCK version` as uid `uid`, gid `gid`, no
/// supplementary group (std drops them when root sets the uid).
fn cli_as(uid: u32, gid: u32, sock: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .args(["cli", "--socket", sock, "version"])
        .uid(uid)
        .gid(gid)
        .output()
        .expect("run ferrobgp cli")
}

#[test]
fn as_root_the_control_socket_belongs_to_the_operator_group() {
    if !nix::unistd::Uid::effective().is_root() {
        ferrobgp_testkit::skip(
            "control_group",
            "needs root (the control socket's group is set by a root supervisor)",
        );
        return;
    }
    let Some(service) = ensure_service_user() else {
        ferrobgp_testkit::skip("control_group", "no user ferrobgp and useradd failed");
        return;
    };
    let Some(operators) = ensure_operator_group() else {
        eprintln!("skipped: no group ferrobgp-ctl and groupadd failed");
        return;
    };
    let Some(nobody) = nix::unistd::User::from_name("nobody").ok().flatten() else {
        ferrobgp_testkit::skip("control_group", "no user nobody to try the socket as");
        return;
    };
    let runtime = tempfile::tempdir().expect("runtime dir");
    std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod runtime dir");
    let peer = Peer::bind("127.0.0.1");
    let conf = format!(
        "neighbor 127.0.0.1 {{\n router-id 10.0.0.1;\n local-address 127.0.0.1;\n local-as 65000;\n peer-as 65000;\n connect {};\n family {{ ipv4 unicast; }}\n}}\n",
        peer.addr.port()
    );
    let d = Daemon::start(
        &conf,
        &[],
        &[
            ("exabgp_api_cli", "true".to_string()),
            ("exabgp_api_socketname", "ctl".to_string()),
            (
                "RUNTIME_DIRECTORY",
                runtime.path().to_string_lossy().into_owned(),
            ),
        ],
    );
    let sock = runtime.path().join("ctl.sock");
    let deadline = Instant::now() + LONG;
    while !sock.exists() {
        assert!(
            Instant::now() < deadline,
            "no control socket at {}\n{}",
            sock.display(),
            d.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let meta = std::fs::metadata(&sock).expect("socket");
    assert_eq!(meta.uid(), 0, "socket owner");
    assert_eq!(meta.gid(), operators.gid.as_raw(), "socket group");
    assert_eq!(meta.permissions().mode() & 0o777, 0o660, "socket mode");

    let sock_s = sock.to_string_lossy().into_owned();
    // a member of the operator group (here: nobody with that primary group)
    let deadline = Instant::now() + LONG;
    let out = loop {
        let out = cli_as(nobody.uid.as_raw(), operators.gid.as_raw(), &sock_s);
        if out.status.success() || Instant::now() >= deadline {
            break out;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success() && text.starts_with("exabgp "),
        "group member refused: {text} {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        d.log_text()
    );
    // the same user outside the group, and in the children's group
    for gid in [nobody.gid.as_raw(), service.gid.as_raw()] {
        let out = cli_as(nobody.uid.as_raw(), gid, &sock_s);
        assert!(
            !out.status.success(),
            "gid {gid} outside the operator group got in: {}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}
