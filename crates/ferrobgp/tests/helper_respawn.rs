//! A helper that dies at start never takes the sessions down: it is started
//! again with a back-off (1 s, 2 s, 4 s ...) instead of in a tight loop,
//! and the daemon does not exit because of it. (The limit itself, more than
//! 5 starts within 64 s, is covered by the unit tests of
//! `supervisor::helper_respawn`: reaching it takes a minute.)

mod common;

use common::*;
use std::time::{Duration, Instant};

/// Appends one line per start to `starts` in its directory, then fails.
const CRASHER: &str = "#!/bin/sh\necho start >> \"$(dirname \"$0\")/starts\"\nexit 1\n";

#[test]
fn a_crash_looping_helper_is_backed_off_and_sessions_stay_up() {
    let peer = Peer::bind("127.0.0.1");
    let conf = format!(
        "process crasher {{\n    run ./crasher.sh;\n    encoder text;\n}}\n{}",
        static_neighbor("127.0.0.1", peer.addr.port(), "10.9.0.0/24")
    );
    let mut d = Daemon::start(
        &conf,
        &[("crasher.sh", CRASHER)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 3);
    let log = || d.log_text();
    wait_route(&mut s, "10.9.0.0/24", LONG, &log);

    // 5 s after the first start: starts at 0, 1 and 3 s (ExaBGP: 6 starts
    // within 0.1 s, then the daemon exits and closes every session).
    let starts = d.path("starts");
    let t0 = Instant::now();
    let mut notification = None;
    while t0.elapsed() < Duration::from_secs(5) {
        // Hold time 3 s: KEEPALIVEs every second both ways while it lives.
        match s.read(Duration::from_secs(3)) {
            Some(m) if m.kind == NOTIFICATION => {
                notification = Some(m);
                break;
            }
            Some(_) => {}
            None => panic!("connection closed\n{}", d.log_text()),
        }
        s.send(KEEPALIVE, &[]);
    }
    assert!(
        notification.is_none(),
        "session closed: {notification:?}\n{}",
        d.log_text()
    );
    assert!(
        d.child.try_wait().expect("try_wait").is_none(),
        "the daemon exited because of a helper\n{}",
        d.log_text()
    );
    let n = std::fs::read_to_string(&starts)
        .unwrap_or_default()
        .lines()
        .count();
    assert!(
        (2..=4).contains(&n),
        "helper started {n} times in about 5 s (back-off 1, 2, 4 s expected)\n{}",
        d.log_text()
    );
    assert!(
        d.log_text().contains("will be started again in"),
        "{}",
        d.log_text()
    );
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
