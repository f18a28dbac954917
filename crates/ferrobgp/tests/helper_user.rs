//! Helpers and their user (issue #16): a `run` program the helpers' user
//! cannot start is a configuration error at its `run` line, for `validate`
//! and `run` alike; `daemon.user=root` runs the helpers as root, with one
//! warning, and the rib and session workers still as the service user.
//!
//! Needs root (it skips with a message otherwise).

mod common;
mod interop_common;

use common::*;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

fn needs_root(test: &str) -> bool {
    if nix::unistd::Uid::effective().is_root() {
        return false;
    }
    interop_common::skip(test, "needs root (CI runs as root)");
    true
}

fn uid_of(pid: u32) -> String {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("status");
    text.lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|v| v.split_whitespace().next())
        .expect("Uid")
        .to_string()
}

#[test]
fn as_root_a_helper_its_user_cannot_start_is_a_configuration_error() {
    let test = "as_root_a_helper_its_user_cannot_start_is_a_configuration_error";
    if needs_root(test) {
        return;
    }
    // A directory only root may enter, like /root.
    let secret = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(secret.path(), std::fs::Permissions::from_mode(0o700)).expect("chmod");
    let helper = secret.path().join("h.sh");
    std::fs::write(&helper, "#!/bin/sh\nsleep 30\n").expect("write helper");
    std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let conf_dir = tempfile::tempdir().expect("tempdir");
    let conf = conf_dir.path().join("h.conf");
    std::fs::write(
        &conf,
        format!(
            "process watch {{\n    run {};\n    encoder json;\n}}\n{}",
            helper.display(),
            static_neighbor("127.0.0.1", 1, "10.0.0.0/24")
        ),
    )
    .expect("write conf");
    let want = format!(
        "{}:2:9: process \"watch\": program {} not readable by user ",
        conf.display(),
        helper.display()
    );
    let tail = format!(": {} is mode 0700", secret.path().display());

    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("validate")
        .arg(&conf)
        .env("exabgp_tcp_bind", "")
        .output()
        .expect("validate");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "validate accepted it: {err}");
    assert!(err.contains(&want) && err.contains(&tail), "{err}");

    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("run")
        .arg(&conf)
        .env("exabgp_tcp_bind", "")
        .env("exabgp_api_cli", "false")
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "run started without its helper: {err}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "run did not refuse at once"
    );
    assert!(err.contains(&want) && err.contains(&tail), "{err}");

    // The helpers' user is what is checked: root may run it.
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("validate")
        .arg(&conf)
        .env("exabgp_tcp_bind", "")
        .env("exabgp_daemon_user", "root")
        .output()
        .expect("validate");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn as_root_daemon_user_root_runs_helpers_as_root_and_workers_unprivileged() {
    let test = "as_root_daemon_user_root_runs_helpers_as_root_and_workers_unprivileged";
    if needs_root(test) {
        return;
    }
    let peer = Peer::bind("127.0.0.1");
    let mut d = Daemon::start(
        &watcher_conf(&peer),
        &[("watcher.sh", WATCHER)],
        &[("exabgp_daemon_user", "root".to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let kids = d.wait_children(&["__rib", "__session", "watcher.sh"]);
    let service = service_user().expect("service user");
    for pid in kids {
        let cmd = cmdline(pid);
        let want = if cmd.contains("watcher.sh") {
            "0".to_string()
        } else {
            let user = user_of_child(&cmd).unwrap_or_else(|| service.clone());
            user.uid.as_raw().to_string()
        };
        assert_eq!(uid_of(pid), want, "uid of {cmd}");
    }
    let log = d.log_text();
    assert_eq!(
        log.matches("daemon.user is root: helper programs run as root")
            .count(),
        1,
        "{log}"
    );
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
