//! The daemon as a whole process tree: it starts its rib, session worker
//! and helper; on SIGTERM every peer gets Cease 6/2, helpers get the
//! shutdown notice, and nothing is left behind.

mod common;

use common::*;
use std::time::Duration;

#[test]
fn sigterm_sends_cease_tells_helpers_and_leaves_nothing_behind() {
    let peer = Peer::bind("127.0.0.1");
    let mut d = start_watched(&peer, &[]);
    let (mut s, _) = establish_watched(&peer, &mut d);
    let out = d.path("watcher.out");

    d.signal(libc::SIGTERM);
    // Skip what the session-up sent (End-of-RIB), up to the NOTIFICATION.
    let m = loop {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("connection closed without NOTIFICATION\n{}", d.log_text()));
        if m.kind != UPDATE {
            break m;
        }
    };
    assert_eq!(m.kind, NOTIFICATION, "{m:?}");
    assert_eq!(&m.body[..2], &[6, 2], "Cease / Administrative Shutdown");
    assert!(
        s.read(LONG).is_none(),
        "connection closed after the NOTIFICATION"
    );

    assert_clean_exit(&mut d);
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    assert!(
        text.contains("shutdown"),
        "helper got no shutdown notice: {text:?}"
    );
}

#[test]
fn a_killed_supervisor_takes_its_children_with_it() {
    let peer = Peer::bind("127.0.0.1");
    let mut d = start_watched(&peer, &[]);
    let _s = peer.accept();
    let kids = d.wait_children(&["__rib", "__session", "watcher.sh"]);
    d.signal(libc::SIGKILL);
    d.wait_exit();
    // Children learn it through PR_SET_PDEATHSIG and their closed channels.
    let deadline = std::time::Instant::now() + LONG;
    while kids.iter().any(|p| alive(*p)) {
        assert!(
            std::time::Instant::now() < deadline,
            "children outlived the supervisor: {:?}",
            kids.iter().filter(|p| alive(**p)).collect::<Vec<_>>()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn attempts_used_up_on_every_neighbor_ends_the_daemon() {
    let peer = Peer::bind("127.0.0.1");
    let mut d = start_watched(&peer, &[("exabgp_tcp_connections", "1".to_string())]);
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    d.wait_children(&["__rib", "__session", "watcher.sh"]);
    drop(s); // the peer goes away: the only attempt is used up
    assert_clean_exit(&mut d);
}
