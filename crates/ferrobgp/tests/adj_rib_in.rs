//! The Adj-RIB-In through `ferrobgp cli` against a real daemon: a test peer
//! announces two prefixes in one UPDATE, sends End-of-RIB, withdraws one of
//! them; `show adj-rib in` then lists exactly the other one, `extensive`
//! with the attributes the peer sent, and `clear adj-rib in` empties it.

mod common;

use common::*;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// Runs `ferrobgp cli --socket SOCK ARGS...`; returns the answer's lines
/// without the final `done` (exit 0 checked).
fn cli(sock: &Path, args: &[&str], log: &dyn Fn() -> String) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("cli")
        .arg("--socket")
        .arg(sock)
        .args(args)
        .output()
        .expect("run ferrobgp cli");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {stdout}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        log()
    );
    // No final `done` (as `exabgp cli`); a shortcut would add `command: ...`.
    let lines: Vec<String> = stdout.lines().map(str::to_string).collect();
    assert_ne!(
        lines.last().map(String::as_str),
        Some("done"),
        "{args:?}: {stdout}"
    );
    lines
}

/// Asks `args` until the answer is `want` (bounded); fails with the last one.
fn wait_answer(sock: &Path, args: &[&str], want: &[&str], log: &dyn Fn() -> String) {
    let deadline = Instant::now() + LONG;
    loop {
        let got = cli(sock, args, log);
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{args:?} answered {got:?}, expected {want:?}\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// An UPDATE body: `withdrawn` prefixes, then ORIGIN igp, empty AS_PATH,
/// NEXT_HOP 192.0.2.1, MED 20, LOCAL_PREF 100 and the `nlri` prefixes
/// (both already in wire form); no attributes when nothing is announced.
fn update(withdrawn: &[u8], nlri: &[u8]) -> Vec<u8> {
    let attributes: &[u8] = if nlri.is_empty() {
        &[]
    } else {
        &[
            0x40, 1, 1, 0, // ORIGIN igp
            0x40, 2, 0, // AS_PATH (empty: iBGP)
            0x40, 3, 4, 192, 0, 2, 1, // NEXT_HOP
            0x80, 4, 4, 0, 0, 0, 20, // MED
            0x40, 5, 4, 0, 0, 0, 100, // LOCAL_PREF
        ]
    };
    let mut body = Vec::new();
    body.extend((withdrawn.len() as u16).to_be_bytes());
    body.extend(withdrawn);
    body.extend((attributes.len() as u16).to_be_bytes());
    body.extend(attributes);
    body.extend(nlri);
    body
}

#[test]
fn received_routes_are_shown_and_cleared() {
    let runtime = tempfile::tempdir().expect("runtime dir");
    let peer = Peer::bind("127.0.0.2");
    let conf = format!(
        r#"
neighbor 127.0.0.2 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    connect {port};
    family {{ ipv4 unicast; }}
}}
"#,
        port = peer.addr.port()
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
    let log = || d.log_text();
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 9], 180);
    let sock = runtime.path().join("ctl.sock");
    let deadline = Instant::now() + LONG;
    while !sock.exists() {
        assert!(Instant::now() < deadline, "no control socket\n{}", log());
        std::thread::sleep(Duration::from_millis(50));
    }

    // 10.1.0.0/24 and 10.2.0.0/24 in one UPDATE, End-of-RIB (which the
    // reference turns into a session reset with adj-rib-in on: not here),
    // then 10.1.0.0/24 withdrawn.
    s.send(UPDATE, &update(&[], &[24, 10, 1, 0, 24, 10, 2, 0]));
    s.send(UPDATE, &update(&[], &[]));
    s.send(UPDATE, &update(&[24, 10, 1, 0], &[]));
    wait_answer(
        &sock,
        &["show", "adj-rib", "in"],
        &["127.0.0.2 ipv4 unicast 10.2.0.0/24 next-hop 192.0.2.1"],
        &log,
    );
    assert_eq!(
        cli(&sock, &["show", "adj-rib", "in", "extensive"], &log),
        [
            "neighbor 127.0.0.2 local-ip 127.0.0.1 local-as 65000 peer-as 65000 \
          router-id 10.0.0.1 family-allowed in-open ipv4 unicast 10.2.0.0/24 \
          next-hop 192.0.2.1 origin igp med 20 local-preference 100"
        ]
    );
    // nothing is sent to the peer for what it sent us
    assert!(cli(&sock, &["show", "adj-rib", "out"], &log).is_empty());

    assert!(cli(&sock, &["clear", "adj-rib", "in"], &log).is_empty());
    assert!(
        cli(&sock, &["show", "adj-rib", "in"], &log).is_empty(),
        "cleared\n{}",
        log()
    );

    // the session survived all of it, and what it sends next is kept again
    s.send(UPDATE, &update(&[], &[16, 10, 3]));
    wait_answer(
        &sock,
        &["show", "adj-rib", "in"],
        &["127.0.0.2 ipv4 unicast 10.3.0.0/16 next-hop 192.0.2.1"],
        &log,
    );
}
