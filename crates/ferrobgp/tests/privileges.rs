//! Privilege separation seen from outside (ARCHITECTURE, "Privilege
//! separation"): started as root, `ferrobgp run` runs its rib as
//! `ferrobgp-rib`, its session worker as `ferrobgp-session` and its helper
//! as the service user `ferrobgp` (three distinct uids), with no capability
//! in any set and no-new-privs; the rib and the session worker also carry
//! a seccomp filter. Read from /proc/PID/status of the real processes.
//!
//! Needs root (it skips with a message otherwise). The users are created
//! with `useradd --system` when missing, as the package's sysusers.d entry
//! does.

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
fn as_root_each_role_runs_as_its_own_user_without_capabilities() {
    if !ferrobgp_testkit::require_root(
        "as_root_each_role_runs_as_its_own_user_without_capabilities",
        "run `cargo test` as root to check the privilege drop",
    ) {
        return;
    }
    ensure_service_user();
    ensure_role_users();
    let mut uids = std::collections::BTreeMap::new();

    let peer = Peer::bind("127.0.0.1");
    let mut d = start_watched(&peer, &[]);
    let (_s, kids) = establish_watched(&peer, &mut d);

    for pid in kids {
        let cmd = cmdline(pid);
        let st = status_of(pid);
        let user = user_of_child(&cmd).expect("a user for every child");
        let (uid, gid) = (user.uid.as_raw().to_string(), user.gid.as_raw().to_string());
        let role = ["__rib", "__session"]
            .into_iter()
            .find(|r| cmd.contains(r))
            .unwrap_or("helper");
        uids.insert(role, (user.name.clone(), uid.clone()));
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
    // One uid per role: the rib, the worker and the helper cannot signal
    // or inspect one another.
    assert_eq!(
        uids.keys().copied().collect::<Vec<_>>(),
        ["__rib", "__session", "helper"],
        "{uids:?}"
    );
    assert_eq!(uids["__rib"].0, "ferrobgp-rib", "{uids:?}");
    assert_eq!(uids["__session"].0, "ferrobgp-session", "{uids:?}");
    assert_eq!(uids["helper"].0, "ferrobgp", "{uids:?}");
    let distinct: std::collections::BTreeSet<_> = uids.values().map(|(_, u)| u).collect();
    assert_eq!(distinct.len(), 3, "{uids:?}");
    let log = d.log_text();
    assert_eq!(
        log.matches("confined: landlock").count(),
        2,
        "rib and session worker report their confinement\n{log}"
    );

    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
