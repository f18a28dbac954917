//! `ferrobgp cli` against a real daemon: two neighbors established with
//! in-test BGP peers on loopback, commands sent through the control socket
//! (bound by the supervisor in $RUNTIME_DIRECTORY, served by the rib).

mod common;

use common::*;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("cli")
        .args(args)
        .output()
        .expect("run ferrobgp cli")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn wait_socket(path: &Path, d: &Daemon) {
    let deadline = Instant::now() + LONG;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "no control socket at {}\n{}",
            path.display(),
            d.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn cli_shows_announces_and_reports_errors() {
    let runtime = tempfile::tempdir().expect("runtime dir");
    let peers = [Peer::bind("127.0.0.2"), Peer::bind("127.0.0.3")];
    let conf: String = peers
        .iter()
        .zip(["10.2.0.0/24", "10.3.0.0/24"])
        .map(|(p, r)| static_neighbor(&p.addr.ip().to_string(), p.addr.port(), r))
        .collect();
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
    let log = || d.log_text();
    let mut sessions: Vec<Session> = peers
        .iter()
        .zip(["10.2.0.0/24", "10.3.0.0/24"])
        .map(|(p, r)| {
            let mut s = p.accept();
            s.establish(65000, [10, 0, 0, 9], 30);
            wait_route(&mut s, r, LONG, &log);
            s
        })
        .collect();
    let sock = runtime.path().join("ctl.sock");
    wait_socket(&sock, &d);
    let sock_s = sock.to_string_lossy().into_owned();
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&sock)
        .expect("socket")
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o660, "socket mode");

    // `s n summary` (shortcut) lists both peers established. The rib learns
    // the state from the workers' reports: poll, bounded.
    let deadline = Instant::now() + LONG;
    let summary = loop {
        let out = cli(&["--socket", &sock_s, "s", "n", "summary"]);
        let t = text(&out.stdout);
        assert_eq!(out.status.code(), Some(0), "summary: {t}\n{}", log());
        let established = t
            .lines()
            .filter(|l| {
                (l.starts_with("127.0.0.2 ") || l.starts_with("127.0.0.3 "))
                    && l.contains(" established ")
            })
            .count();
        if established == 2 {
            break t;
        }
        assert!(
            Instant::now() < deadline,
            "not both established: {t}\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    // As `exabgp cli`: the expanded command first, no final `done`.
    assert!(
        summary.starts_with("command: show neighbor summary\nPeer "),
        "{summary}"
    );
    assert!(!summary.lines().any(|l| l == "done"), "{summary}");

    // Without --socket: found through $RUNTIME_DIRECTORY and the socket name.
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .args(["cli", "version"])
        .env("RUNTIME_DIRECTORY", runtime.path())
        .env("exabgp_api_socketname", "ctl")
        .output()
        .expect("cli");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    // ExaBGP's shape (`exabgp <version>`, which scripts split on the
    // space), naming the ferrobgp release too.
    assert_eq!(
        text(&out.stdout),
        format!("exabgp 5.0.15 (ferrobgp {})\n", env!("CARGO_PKG_VERSION"))
    );

    // `help` lists every command, `shutdown` included, and exits 0.
    let out = cli(&["--socket", &sock_s, "help"]);
    let t = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{t}");
    assert!(t.lines().any(|l| l.trim() == "shutdown"), "{t}");
    assert!(t.trim_end().ends_with("silence-ack"), "{t}");

    // An announcement reaches both peers (the control socket addresses all).
    let out = cli(&[
        "--socket",
        &sock_s,
        "a",
        "r",
        "10.9.0.0/24",
        "next-hop",
        "127.0.0.1",
    ]);
    assert_eq!(
        text(&out.stdout),
        "command: announce route 10.9.0.0/24 next-hop 127.0.0.1\n",
        "{}",
        log()
    );
    assert_eq!(out.status.code(), Some(0));
    for s in &mut sessions {
        wait_route(s, "10.9.0.0/24", LONG, &log);
    }
    let out = cli(&["--socket", &sock_s, "show", "adj-rib", "out"]);
    let t = text(&out.stdout);
    assert!(
        t.lines()
            .any(|l| l.starts_with("127.0.0.2 ") && l.contains("10.9.0.0/24")),
        "{t}"
    );

    // A bad command: `error`, exit 1, and the daemon carries on.
    let out = cli(&["--socket", &sock_s, "frobnicate", "everything"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!text(&out.stdout).lines().any(|l| l == "error"));
    assert!(text(&out.stderr).contains("answered error"));
    assert!(alive(d.pid()), "daemon died\n{}", log());

    // A client that goes away mid-answer, and several clients at once.
    {
        let mut raw = std::os::unix::net::UnixStream::connect(&sock).expect("connect");
        raw.write_all(b"show neighbor summary\nshow adj-rib out\n")
            .expect("write");
    }
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let s = sock_s.clone();
            std::thread::spawn(move || cli(&["--socket", &s, "show", "neighbor", "summary"]))
        })
        .collect();
    for h in handles {
        let out = h.join().expect("client thread");
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert!(text(&out.stdout).starts_with("Peer "));
    }
    let out = cli(&["--socket", &sock_s, "w", "r", "10.9.0.0/24"]);
    assert_eq!(out.status.code(), Some(0), "{}", log());
    assert!(alive(d.pid()));
}

#[test]
fn cli_without_daemon_exits_2_naming_the_socket() {
    let dir = tempfile::tempdir().expect("dir");
    let p = dir.path().join("nobody-here.sock");
    let out = cli(&[
        "--socket",
        &p.to_string_lossy(),
        "show",
        "neighbor",
        "summary",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("nobody-here.sock"), "{err}");
}

/// Durations in seconds are checked when the command line is read: a
/// value the rib could not turn into a time (`inf`, negative, not a
/// number) is a usage error naming the option, never a panic later.
#[test]
fn durations_out_of_range_are_usage_errors() {
    for (option, value) in [
        ("--ack-timeout", "inf"),
        ("--ack-timeout", "-1"),
        ("--peer-queue-stall", "NaN"),
        ("--peer-queue-stall", "ten"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
            .args(["run", &format!("{option}={value}"), "/nonexistent.conf"])
            .output()
            .expect("ferrobgp runs");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{option} {value}: {err}");
        assert!(
            err.contains(&format!("invalid value '{value}' for '{option}")),
            "{option} {value}: {err}"
        );
    }
}
