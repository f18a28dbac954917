//! `neighbor IP teardown N`: the peer reads our Cease before it sees our
//! next connection. We reconnect at once after a teardown (as ExaBGP
//! does), but only once the old connection is over: the peer closed its
//! side (it has read the NOTIFICATION), or the linger bound (2 s) passed.
//! A peer that sees the new connection first takes it for a restart of
//! ours: FRR and OpenBGPD with graceful restart then kept our routes as
//! stale and never recorded the Cease.

mod common;

use common::*;
use std::time::Duration;

const NOTIFICATION: u8 = 3;

fn read_cease(s: &mut Session, log: &dyn Fn() -> String) {
    let m = s
        .read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("closed without NOTIFICATION\n{}", log()));
    assert_eq!(m.kind, NOTIFICATION, "{m:?}\n{}", log());
    assert_eq!(m.body[..2], [6, 4], "Cease/Administrative Reset\n{}", log());
    assert!(
        s.read(LONG).is_none(),
        "end of stream after the NOTIFICATION\n{}",
        log()
    );
}

#[test]
fn teardown_reconnects_after_the_peer_has_read_the_cease() {
    let peer = Peer::bind("127.0.0.2");
    let conf = static_neighbor("127.0.0.2", peer.addr.port(), "10.2.0.0/24");
    let w = start_with_cli(&conf, &[]);
    let log_path = w.d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 2, 0])]);

    // A peer busy elsewhere: it neither reads nor closes for a while. No
    // new connection may overtake the NOTIFICATION it has not read yet.
    let (code, out) = cli(&w.sock, "neighbor 127.0.0.2 teardown 4");
    assert_eq!(code, Some(0), "{out}\n{}", log());
    std::thread::sleep(Duration::from_millis(500));
    assert!(
        !peer.has_pending(),
        "a new connection before the peer read the Cease\n{}",
        log()
    );
    read_cease(&mut s, &log);
    drop(s);
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 2, 0])]);

    // A peer that reads the Cease but never closes does not keep us away:
    // the linger is bounded.
    let (code, out) = cli(&w.sock, "neighbor 127.0.0.2 teardown 4");
    assert_eq!(code, Some(0), "{out}\n{}", log());
    read_cease(&mut s, &log);
    let mut again = peer.accept();
    again.establish(65000, [10, 0, 0, 2], 30);
    assert_eq!(read_table(&mut again, &log), vec![announce_24([10, 2, 0])]);
    drop(s);
}
