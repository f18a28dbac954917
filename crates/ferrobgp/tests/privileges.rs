//! Privilege separation seen from outside (ARCHITECTURE, "Privilege
//! separation"): started as root, `ferrobgp run` runs its rib, its session
//! worker and its helper as the service user, with no capability in any set
//! and no-new-privs; the rib and the session worker also carry a seccomp
//! filter. Read from /proc/PID/status of the real processes.
//!
//! Needs root (it skips with a message otherwise). The service user is
//! `ferrobgp` (created with `useradd --system` when missing), else `nobody`.

mod common;

use common::*;
use std::collections::HashMap;

fn status_of(pid: u32) -> HashMap<String, String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

/// Makes sure the `ferrobgp` user exists (the daemon falls back to `nobody`
/// when it does not, and so do the tests' directories).
fn ensure_service_user() {
    if nix::unistd::User::from_name("ferrobgp")
        .ok()
        .flatten()
        .is_some()
    {
        return;
    }
    let made = std::process::Command::new("useradd")
        .args([
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "ferrobgp",
        ])
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("could not create user ferrobgp: the daemon uses nobody");
    }
}

#[test]
fn as_root_every_child_runs_as_the_service_user_without_capabilities() {
    if !ferrobgp_testkit::require_root(
        "as_root_every_child_runs_as_the_service_user_without_capabilities",
        "run `cargo test` as root to check the privilege drop",
    ) {
        return;
    }
    ensure_service_user();
    let user = service_user().expect("a service user (ferrobgp or nobody)");
    let (uid, gid) = (user.uid.as_raw().to_string(), user.gid.as_raw().to_string());

    let peer = Peer::bind("127.0.0.1");
    let mut d = start_watched(&peer, &[]);
    let (_s, kids) = establish_watched(&peer, &mut d);

    for pid in kids {
        let cmd = cmdline(pid);
        let st = status_of(pid);
        let ids = |k: &str| -> Vec<String> {
            st.get(k)
                .unwrap_or_else(|| panic!("{k} missing for {cmd}"))
                .split_whitespace()
                .map(str::to_string)
                .collect()
        };
        assert_eq!(ids("Uid"), vec![uid.clone(); 4], "Uid of {cmd} ({pid})");
        assert_eq!(ids("Gid"), vec![gid.clone(); 4], "Gid of {cmd} ({pid})");
        assert!(
            !ids("Groups").iter().any(|g| g == "0"),
            "{cmd} kept group root: {:?}",
            st.get("Groups")
        );
        for set in ["CapEff", "CapPrm", "CapInh", "CapAmb"] {
            assert_eq!(
                st.get(set).map(String::as_str),
                Some("0000000000000000"),
                "{set} of {cmd} ({pid})"
            );
        }
        assert_eq!(
            st.get("NoNewPrivs").map(String::as_str),
            Some("1"),
            "NoNewPrivs of {cmd} ({pid})"
        );
        if cmd.contains("__rib") || cmd.contains("__session") {
            // 2 = SECCOMP_MODE_FILTER: the worker confined itself.
            assert_eq!(
                st.get("Seccomp").map(String::as_str),
                Some("2"),
                "seccomp of {cmd} ({pid})"
            );
        }
    }
    let log = d.log_text();
    assert_eq!(
        log.matches("confined: landlock").count(),
        2,
        "rib and session worker report their confinement\n{log}"
    );

    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
