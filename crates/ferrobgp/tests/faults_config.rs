//! Fault injection: a configuration file that is cut short (braces that do
//! not balance), has an extra `}` (at the very end or with more after
//! it), `local-as 0`, `router-id 0.0.0.0`, a route that does not parse or
//! a route of a family the neighbor does not negotiate is
//! refused by `ferrobgp validate` with FILE:LINE:COLUMN, and a reload of
//! such a file changes nothing: same worker, same TCP connection, no
//! NOTIFICATION, the next UPDATE is the next announced route. The daemon
//! refuses to start on each of them with the same message (the route
//! errors come from the rib, which parses the routes: the supervisor
//! never does), and opens no session.

mod common;

use common::*;

fn conf(port: u16) -> String {
    format!(
        r#"neighbor 127.0.0.2 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 90;
    connect {port};
    family {{
        ipv4 unicast;
    }}
    static {{
        route 10.1.0.0/24 next-hop 127.0.0.1;
    }}
}}
"#
    )
}

/// `ferrobgp validate FILE`: exit code and the output.
fn validate(path: &std::path::Path) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("validate")
        .arg(path)
        .output()
        .expect("run ferrobgp validate");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The broken variants of `conf` and the `FILE:LINE:COLUMN: message` each must give.
fn broken(conf: &str) -> Vec<(&'static str, String, &'static str)> {
    let cut = conf[..conf.find("ipv4 unicast").expect("family")].to_string();
    vec![
        (
            "truncated inside the neighbor",
            cut,
            "daemon.conf:8:5: section \"family\" opened at line 8 is not closed",
        ),
        (
            "truncated after a statement",
            conf[..conf.find("    family").expect("family")].to_string(),
            "daemon.conf:1:1: section \"neighbor 127.0.0.2\" opened at line 1 is not closed",
        ),
        (
            "an extra } with more after it",
            format!("{conf}}}\n{conf}"),
            "daemon.conf:15:1: found \"}\" but no section is open: unbalanced braces",
        ),
        (
            "an extra } at the very end",
            format!("{conf}}}\n"),
            "daemon.conf:15:1: found \"}\" at the end of the file but no section is open: unbalanced braces",
        ),
        (
            "local-as 0",
            conf.replace("local-as 65000", "local-as 0"),
            "daemon.conf:4:14: local-as 0 is invalid",
        ),
        (
            "router-id 0.0.0.0",
            conf.replace("router-id 10.0.0.1", "router-id 0.0.0.0"),
            "daemon.conf:2:15: router-id 0.0.0.0 is invalid",
        ),
        (
            "a route that does not parse",
            conf.replace("next-hop 127.0.0.1;", "next-hop 127.0.0.1 med x;"),
            "daemon.conf:12:50: invalid med \"x\": expected an integer",
        ),
        (
            "a route of a family not negotiated",
            conf.replace(
                "route 10.1.0.0/24 next-hop 127.0.0.1;",
                "route 10.1.0.0/24 next-hop 127.0.0.1;\n        route 2001:db8::/32 next-hop ::1;",
            ),
            "daemon.conf:13:15: route for family \"ipv6 unicast\" but that family is not enabled",
        ),
    ]
}

#[test]
fn a_broken_file_is_refused_and_its_reload_changes_nothing() {
    let peer = Peer::bind("127.0.0.2");
    let good = conf(peer.addr.port());
    let w = start_with_cli(&good, &[]);
    let log = {
        let p = w.d.log.clone();
        move || std::fs::read_to_string(&p).unwrap_or_default()
    };
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 90);
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 1, 0])]);
    let worker = worker_of(&w.d, "127.0.0.2").expect("session worker");
    let path = w.d.path("daemon.conf");

    for (i, (what, text, want)) in broken(&good).into_iter().enumerate() {
        std::fs::write(&path, &text).expect("write broken conf");
        let (code, out) = validate(&path);
        assert_eq!(code, Some(1), "validate, {what}: {out}");
        assert!(
            out.contains(want),
            "validate, {what}: want {want:?} in {out}"
        );
        let (code, out) = cli(&w.sock, "reload");
        assert_eq!(code, Some(1), "reload, {what}: {out}\n{}", log());
        assert!(out.contains(want), "reload, {what}: want {want:?} in {out}");
        // Nothing changed: the next message is the UPDATE of a route
        // announced now (no withdrawal, no NOTIFICATION from the reload).
        let octet = 20 + i as u8;
        let (code, out) = cli(
            &w.sock,
            &format!("neighbor 127.0.0.2 announce route 10.{octet}.0.0/24 next-hop 127.0.0.1"),
        );
        assert_eq!(code, Some(0), "{out}\n{}", log());
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("{what}: session closed\n{}", log()));
        assert_eq!(
            (m.kind, m.body),
            (UPDATE, announce_24([10, octet, 0])),
            "{what}\n{}",
            log()
        );
        assert_eq!(worker_of(&w.d, "127.0.0.2"), Some(worker), "{what}");
    }
}

#[test]
fn the_daemon_does_not_start_on_a_broken_file() {
    let peer = Peer::bind("127.0.0.2");
    let good = conf(peer.addr.port());
    for (what, text, want) in broken(&good) {
        let mut d = Daemon::start(&text, &[], &[]);
        let status = d.wait_exit();
        let log = d.log_text();
        assert_eq!(status.code(), Some(1), "{what}\n{log}");
        assert!(log.contains(want), "{what}: want {want:?} in\n{log}");
        assert!(!peer.has_pending(), "{what}: a session was opened\n{log}");
        assert!(
            d.leftovers().is_empty(),
            "{what}: {:?} left running",
            d.leftovers()
        );
    }
}
