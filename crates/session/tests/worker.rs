//! The worker's I/O shell against an in-test BGP peer on loopback: real TCP,
//! real IPC socketpairs, bytes compared exactly. Every wait is bounded.

mod common;

use common::{config, hex, links, listener, read_msg, RibEnd, SupEnd, KEEPALIVE, WAIT};
use ferrobgp_ipc::{
    Change, RibToSession, SessionState, SessionToRib, SessionToSupervisor, SupervisorToSession,
};
use ferrobgp_session::peer::PeerConfig;
use ferrobgp_session::worker::Worker;
use ferrobgp_wire::Family;
use std::net::Ipv4Addr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// Starts a worker; returns the supervisor's and the rib's ends.
fn spawn(cfg: PeerConfig) -> (SupEnd, RibEnd, tokio::task::JoinHandle<String>) {
    let (links, sup, rib) = links(&cfg);
    let handle = tokio::spawn(async move { Worker::new(cfg, links).run().await.unwrap() });
    (sup, rib, handle)
}

/// The peer's answer: our OPEN with router-id + 1 (like the conformance peer).
fn answer(open: &[u8], hold: Option<u16>) -> Vec<u8> {
    let mut o = open.to_vec();
    o[27] = o[27].wrapping_add(1);
    if let Some(h) = hold {
        o[22..24].copy_from_slice(&h.to_be_bytes());
    }
    o
}

/// Next message from the worker to the rib, skipping FSM transitions and
/// message counters.
async fn rib_next(rib: &mut RibEnd) -> SessionToRib {
    loop {
        let (m, _) = timeout(WAIT, rib.recv()).await.unwrap().unwrap();
        if !matches!(
            m,
            SessionToRib::State(SessionState::Fsm { .. }) | SessionToRib::Counters { .. }
        ) {
            return m;
        }
    }
}

/// Sends the worker one batch of changes over the empty attribute set.
async fn send_changes(rib: &mut RibEnd, seq: u64, changes: Vec<Change>) {
    rib.send(&RibToSession::Changes {
        attributes: vec![Default::default()],
        seq,
        changes,
    })
    .await
    .unwrap();
}

/// The worker's report of the session going down for this reason.
fn down(reason: &str) -> SessionToRib {
    SessionToRib::State(SessionState::Down {
        reason: reason.into(),
        peer_closed: reason == "closing connection",
    })
}

/// All the worker still writes on this connection until it closes it.
async fn read_rest(s: &mut TcpStream) -> Vec<u8> {
    let mut rest = Vec::new();
    timeout(WAIT, s.read_to_end(&mut rest))
        .await
        .unwrap()
        .unwrap();
    rest
}

/// Hands the worker an accepted connection, as the supervisor does.
async fn hand_in(sup: &mut SupEnd, accepted: std::net::TcpStream) {
    use std::os::fd::AsFd;
    let remote = accepted.peer_addr().unwrap();
    let local = accepted.local_addr().unwrap();
    let fd = std::os::fd::OwnedFd::from(accepted);
    sup.sender
        .send_with_fds(
            &SupervisorToSession::Incoming { remote, local },
            &[fd.as_fd()],
        )
        .await
        .unwrap();
}

/// The test peer's side of the OPEN exchange after the worker's OPEN: our
/// answer, a KEEPALIVE, and the worker's KEEPALIVE back.
async fn answer_open(s: &mut TcpStream, open: &[u8], hold: Option<u16>) {
    s.write_all(&answer(open, hold)).await.unwrap();
    s.write_all(&hex(KEEPALIVE)).await.unwrap();
    assert_eq!(read_msg(s).await, hex(KEEPALIVE));
}

/// The worker's reports of a session coming up: Connected, then Up, whose
/// families are returned.
async fn connected_then_up(rib: &mut RibEnd) -> Vec<Family> {
    assert!(matches!(
        rib_next(rib).await,
        SessionToRib::State(SessionState::Connected { .. })
    ));
    match rib_next(rib).await {
        SessionToRib::State(SessionState::Up { families, .. }) => families,
        m => panic!("expected Up, got {m:?}"),
    }
}

/// Accepts the worker's connection and brings the session up.
async fn establish(l: &TcpListener, rib: &mut RibEnd, hold: Option<u16>) -> TcpStream {
    let (mut s, _) = timeout(WAIT, l.accept()).await.unwrap().unwrap();
    let open = read_msg(&mut s).await;
    assert_eq!(
        open,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 002D 01 04 0001 00B4 01020304 10 02060104 00010001 0206 4104 00000001")
            .into_iter()
            .enumerate()
            .map(|(i, b)| if i == 22 || i == 23 { open[i] } else { b })
            .collect::<Vec<_>>()
    );
    answer_open(&mut s, &open, hold).await;
    assert_eq!(connected_then_up(rib).await, vec![Family::IPV4_UNICAST]);
    assert_eq!(
        rib_next(rib).await,
        SessionToRib::NeedRoutes {
            families: vec![Family::IPV4_UNICAST],
            eor: true,
            resync: false,
        }
    );
    s
}

#[tokio::test]
async fn open_exchange_and_peer_notification() {
    let (l, port) = listener().await;
    let (_sup, mut rib, _w) = spawn(config(port, 180, 0));
    let mut s = establish(&l, &mut rib, None).await;
    // a batch is acknowledged once written (here: nothing to write)
    send_changes(&mut rib, 7, vec![]).await;
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 7 });
    // End-of-RIB markers are written, then acknowledged
    send_changes(
        &mut rib,
        8,
        vec![
            Change::Eor(Family::IPV4_UNICAST),
            Change::Eor(Family::IPV6_UNICAST),
        ],
    )
    .await;
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0017 02 00000000")
    );
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 001E 02 0000 0007 900F 0003 0002 01")
    );
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 8 });
    // NOTIFICATION from the peer: down with ExaBGP's reason
    s.write_all(&hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0015 03 0600"))
        .await
        .unwrap();
    assert_eq!(
        rib_next(&mut rib).await,
        down("notification received (6,0)")
    );
    // and reconnects
    let (_s2, _) = timeout(WAIT, l.accept()).await.unwrap().unwrap();
}

#[tokio::test]
async fn teardown_sends_administrative_reset_and_reconnects() {
    let (l, port) = listener().await;
    let (_sup, mut rib, _w) = spawn(config(port, 180, 3));
    let mut s = establish(&l, &mut rib, None).await;
    rib.send(&RibToSession::Teardown {
        subcode: 4,
        message: String::new(),
    })
    .await
    .unwrap();
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002A:03:06041441646D696E697374726174697665205265736574")
    );
    assert_eq!(rib_next(&mut rib).await, down("notification sent (6,4)"));
    // the connection is closed after the NOTIFICATION
    assert!(read_rest(&mut s).await.is_empty());
    // second connection comes up again
    let _s2 = establish(&l, &mut rib, None).await;
}

/// Issue 12: with graceful restart negotiated, `neighbor IP teardown N`
/// still sends the Cease (it used to close silently, so the peer kept our
/// routes as stale for the restart time).
#[tokio::test]
async fn teardown_with_graceful_restart_still_sends_cease() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 180, 3);
    cfg.open.graceful_restart = Some(ferrobgp_wire::message::GracefulRestartConfig {
        time: 120,
        restarted: false,
    });
    let (_sup, mut rib, _w) = spawn(cfg);
    let (mut s, _) = timeout(WAIT, l.accept()).await.unwrap().unwrap();
    let open = read_msg(&mut s).await;
    // Graceful Restart, 120 s, IPv4 unicast with the F bit, in the OPEN;
    // the peer echoes it: graceful restart is negotiated
    let gr = hex("0208 4006 0078 00010180");
    assert!(open.windows(gr.len()).any(|w| w == gr), "{open:02X?}");
    answer_open(&mut s, &open, None).await;
    connected_then_up(&mut rib).await;
    assert!(matches!(
        rib_next(&mut rib).await,
        SessionToRib::NeedRoutes { .. }
    ));
    rib.send(&RibToSession::Teardown {
        subcode: 4,
        message: String::new(),
    })
    .await
    .unwrap();
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002A:03:06041441646D696E697374726174697665205265736574")
    );
    assert_eq!(rib_next(&mut rib).await, down("notification sent (6,4)"));
    assert!(read_rest(&mut s).await.is_empty());
}

#[tokio::test]
async fn unknown_message_type_is_bad_message_type_with_the_type_octet() {
    let (l, port) = listener().await;
    let (_sup, mut rib, _w) = spawn(config(port, 180, 1));
    let mut s = establish(&l, &mut rib, None).await;
    s.write_all(&hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 FF"))
        .await
        .unwrap();
    // RFC 4271 6.1: 1/3, the data the erroneous type
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0016:03:0103FF")
    );
}

#[tokio::test]
async fn unknown_message_type_answered_like_exabgp_under_the_compat_setting() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 180, 1);
    cfg.reference_unknown_message = true;
    let (_sup, mut rib, _w) = spawn(cfg);
    let mut s = establish(&l, &mut rib, None).await;
    s.write_all(&hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0013 FF"))
        .await
        .unwrap();
    // conformance case unknown-message
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0040:03:010063616E206E6F74206465636F646520757064617465206D657373616765206F662074797065202232353522")
    );
}

#[tokio::test]
async fn hold_timer_expiry_sends_4_0() {
    let (l, port) = listener().await;
    let (_sup, mut rib, _w) = spawn(config(port, 180, 1));
    // the peer proposes 3 s and then stays silent
    let mut s = establish(&l, &mut rib, Some(3)).await;
    let mut keepalives = 0;
    loop {
        let m = read_msg(&mut s).await;
        if m == hex(KEEPALIVE) {
            keepalives += 1;
            assert!(keepalives < 10, "no hold expiry");
            continue;
        }
        assert_eq!(m, hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0015 03 0400"));
        break;
    }
    assert!(keepalives >= 1);
    assert_eq!(rib_next(&mut rib).await, down("notification sent (4,0)"));
}

#[tokio::test]
async fn attempts_exhausted_reports_finished() {
    // a port nobody listens on
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let (mut sup, mut rib, w) = spawn(config(port, 180, 2));
    // not established: batches are acknowledged at once
    send_changes(&mut rib, 1, vec![]).await;
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 1 });
    let (m, _) = timeout(WAIT, sup.recv()).await.unwrap().unwrap();
    assert_eq!(
        m,
        SessionToSupervisor::Finished {
            reason: "maximum connection attempts reached".into()
        }
    );
    assert_eq!(
        timeout(WAIT, w).await.unwrap().unwrap(),
        "maximum connection attempts reached"
    );
}

#[tokio::test]
async fn stop_sends_cease_and_exits() {
    let (l, port) = listener().await;
    let (mut sup, mut rib, w) = spawn(config(port, 180, 0));
    let mut s = establish(&l, &mut rib, None).await;
    sup.send(&SupervisorToSession::Stop(ferrobgp_ipc::StopMode::Cease {
        subcode: 2,
        message: String::new(),
    }))
    .await
    .unwrap();
    let mut expected = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 002D 03 0602 17");
    expected.extend_from_slice(b"Administrative Shutdown");
    assert_eq!(read_msg(&mut s).await, expected);
    let (m, _) = timeout(WAIT, sup.recv()).await.unwrap().unwrap();
    assert!(matches!(m, SessionToSupervisor::Finished { .. }));
    timeout(WAIT, w).await.unwrap().unwrap();
}

#[tokio::test]
async fn incoming_connection_handed_by_supervisor() {
    // passive worker; the "supervisor" accepts and passes the socket
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    let mut cfg = config(port, 180, 0);
    cfg.fsm.passive = true;
    let (mut sup, mut rib, _w) = spawn(cfg);
    let mut peer = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
    let (accepted, _) = l.accept().unwrap();
    hand_in(&mut sup, accepted).await;
    let open = read_msg(&mut peer).await;
    assert_eq!(open[18], 1);
    answer_open(&mut peer, &open, None).await;
    connected_then_up(&mut rib).await;
}

fn route(prefix: &str, nh: [u8; 4]) -> Change {
    use ferrobgp_wire::nlri::prefix::Prefix;
    use ferrobgp_wire::route::{NextHop, Route};
    // attribute set 0 of each batch: the empty set
    let r = Route::new(
        Prefix::unicast(prefix.parse().unwrap()),
        NextHop::V4(Ipv4Addr::from(nh)),
        std::sync::Arc::new(Default::default()),
    );
    Change::Announce {
        nlri: r.nlri,
        next_hop: r.next_hop,
        attributes: 0,
    }
}

#[tokio::test]
async fn routes_are_packed_written_then_acknowledged() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 180, 0);
    cfg.group_updates = false;
    let (_sup, mut rib, _w) = spawn(cfg);
    let mut s = establish(&l, &mut rib, None).await;
    send_changes(
        &mut rib,
        3,
        vec![
            route("1.1.0.0/16", [1, 1, 1, 1]),
            route("2.2.0.0/16", [2, 2, 2, 2]),
            Change::Eor(Family::IPV4_UNICAST),
        ],
    )
    .await;
    // api-teardown's expectations (iBGP, group-updates false)
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002F:02:00000015400101004002004003040101010140050400000064100101")
    );
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002F:02:00000015400101004002004003040202020240050400000064100202")
    );
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000")
    );
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 3 });
}

#[tokio::test]
async fn rate_limited_updates_all_arrive_in_order() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 180, 0);
    cfg.group_updates = false;
    cfg.rate_limit = 20;
    let (_sup, mut rib, _w) = spawn(cfg);
    let mut s = establish(&l, &mut rib, None).await;
    let changes = (0..10)
        .map(|i| route(&format!("10.{i}.0.0/16"), [1, 1, 1, 1]))
        .collect();
    send_changes(&mut rib, 4, changes).await;
    for i in 0..10u8 {
        let m = read_msg(&mut s).await;
        assert_eq!(m[18], 2);
        assert_eq!(&m[m.len() - 3..], &[16, 10, i]);
    }
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 4 });
}

#[tokio::test]
async fn peer_not_draining_is_torn_down_while_keepalives_flow() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 3, 0);
    cfg.group_updates = false;
    let (_sup, mut rib, _w) = spawn(cfg);
    let s = establish(&l, &mut rib, None).await;
    // the peer keeps its session alive but never reads again
    let (_r, mut w) = s.into_split();
    let ka = tokio::spawn(async move {
        for _ in 0..30 {
            if w.write_all(&hex(KEEPALIVE)).await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    });
    let changes: Vec<Change> = (0..200_000u32)
        .map(|i| {
            let [_, a, b, c] = i.to_be_bytes();
            route(&format!("{}.{b}.{c}.0/24", a + 1), [1, 1, 1, 1])
        })
        .collect();
    send_changes(&mut rib, 9, changes).await;
    let mut saw_ack = false;
    let mut saw_down = false;
    while !(saw_ack && saw_down) {
        match timeout(Duration::from_secs(30), rib.recv())
            .await
            .unwrap()
            .unwrap()
            .0
        {
            SessionToRib::Ack { seq: 9 } => saw_ack = true,
            SessionToRib::State(SessionState::Down { reason, .. }) => {
                // not a hold timer expiry: the peer's KEEPALIVEs were read
                assert_eq!(
                    reason,
                    "peer is not reading, hold time exceeded while writing"
                );
                saw_down = true;
            }
            _ => {}
        }
    }
    ka.abort();
}

/// A batch larger than the socket can take is written in chunks: a ping
/// is answered meanwhile, the next batch waits behind it, every UPDATE
/// arrives in order once the peer reads, and the acknowledgements follow
/// the bytes, in order.
#[tokio::test]
async fn a_long_batch_leaves_pings_answered_and_later_batches_behind_it() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 180, 0);
    cfg.group_updates = false;
    let (_sup, mut rib, _w) = spawn(cfg);
    let mut s = establish(&l, &mut rib, None).await;
    let n = 300_000u32;
    let changes: Vec<Change> = (0..n)
        .map(|i| {
            let [_, a, b, c] = i.to_be_bytes();
            route(&format!("{}.{b}.{c}.0/24", a + 1), [1, 1, 1, 1])
        })
        .collect();
    send_changes(&mut rib, 9, changes).await;
    send_changes(&mut rib, 10, vec![route("99.0.0.0/8", [1, 1, 1, 1])]).await;
    rib.send(&RibToSession::Ping { n: 5 }).await.unwrap();
    // 14 MB of UPDATEs, more than the socket holds: not written yet
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Pong { n: 5 });
    for i in 0..n {
        let m = read_msg(&mut s).await;
        let [_, a, b, c] = i.to_be_bytes();
        assert_eq!(&m[m.len() - 4..], &[24, a + 1, b, c], "UPDATE {i}");
    }
    let m = read_msg(&mut s).await;
    assert_eq!(&m[m.len() - 2..], &[8, 99]);
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 9 });
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 10 });
}

#[tokio::test]
async fn local_as_auto_reads_the_peer_open_first_and_mirrors_its_as() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 180, 0);
    cfg.local_as = None;
    cfg.peer_as = None;
    cfg.fsm.read_open_first = true;
    let (_sup, mut rib, _w) = spawn(cfg);
    let (mut s, _) = timeout(WAIT, l.accept()).await.unwrap().unwrap();
    // the peer speaks first: AS 65001 (ASN4 capability), router-id 9.9.9.9
    let peer_open = hex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 002D 01 04 FDE9 00B4 09090909 10 02060104 00010001 0206 4104 0000FDE9",
    );
    s.write_all(&peer_open).await.unwrap();
    let ours = read_msg(&mut s).await;
    assert_eq!(
        ours,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 002D 01 04 FDE9 00B4 01020304 10 02060104 00010001 0206 4104 0000FDE9")
    );
    assert_eq!(read_msg(&mut s).await, hex(KEEPALIVE));
    s.write_all(&hex(KEEPALIVE)).await.unwrap();
    connected_then_up(&mut rib).await;
}

#[tokio::test]
async fn message_longer_than_negotiated_size_is_a_header_error() {
    let (l, port) = listener().await;
    let (_sup, mut rib, _w) = spawn(config(port, 180, 1));
    // extended message is not in the (echoed) OPEN: 4096 bytes at most
    let mut s = establish(&l, &mut rib, None).await;
    let mut big = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 1388 02");
    big.resize(5000, 0);
    s.write_all(&big).await.unwrap();
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0017 03 0102 1388")
    );
    assert_eq!(rib_next(&mut rib).await, down("notification sent (1,2)"));
}

#[tokio::test]
async fn incoming_connection_while_established_is_refused_with_6_7() {
    let (l, port) = listener().await;
    let (mut sup, mut rib, _w) = spawn(config(port, 180, 0));
    let mut s = establish(&l, &mut rib, None).await;
    // a second connection from the peer, handed in by the supervisor
    let side = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut other = TcpStream::connect(side.local_addr().unwrap())
        .await
        .unwrap();
    let (accepted, _) = side.accept().unwrap();
    hand_in(&mut sup, accepted).await;
    let text = b"could not accept the connection, already established";
    let mut expected = hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    expected.extend_from_slice(&((21 + text.len()) as u16).to_be_bytes());
    expected.extend_from_slice(&[3, 6, 7]);
    expected.extend_from_slice(text);
    assert_eq!(read_msg(&mut other).await, expected);
    assert!(read_rest(&mut other).await.is_empty());
    // the established session carries on
    send_changes(&mut rib, 5, vec![Change::Eor(Family::IPV4_UNICAST)]).await;
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF 0017 02 00000000")
    );
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 5 });
}

/// The rib dies (its channel ends): the session carries on, with no
/// NOTIFICATION. The supervisor hands over a channel to the next rib: the
/// worker reports the session up, asks for its table as an implicit
/// replace (`resync`, no second End-of-RIB) and asks the peer for a route
/// refresh (the dead rib's Adj-RIB-In is gone); the new rib's changes,
/// whose sequence numbers start again, are written and acknowledged.
#[tokio::test]
async fn a_session_outlives_its_rib_and_resyncs_with_the_next() {
    let (l, port) = listener().await;
    let mut cfg = config(port, 180, 0);
    cfg.open.route_refresh = true;
    let (mut sup, mut rib, _w) = spawn(cfg);
    let (mut s, _) = timeout(WAIT, l.accept()).await.unwrap().unwrap();
    let open = read_msg(&mut s).await;
    answer_open(&mut s, &open, None).await;
    assert_eq!(
        connected_then_up(&mut rib).await,
        vec![Family::IPV4_UNICAST]
    );
    assert_eq!(
        rib_next(&mut rib).await,
        SessionToRib::NeedRoutes {
            families: vec![Family::IPV4_UNICAST],
            eor: true,
            resync: false,
        }
    );
    send_changes(
        &mut rib,
        1,
        vec![
            route("1.1.0.0/16", [1, 1, 1, 1]),
            Change::Eor(Family::IPV4_UNICAST),
        ],
    )
    .await;
    assert_eq!(read_msg(&mut s).await[18], 2);
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000")
    );
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 1 });

    drop(rib);
    // what the peer sends meanwhile has no rib to go to: no harm done
    s.write_all(&hex(
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:002F:02:0000:0015:40010100:400200:40030401010101:40050400000064:10:0202",
    ))
    .await
    .unwrap();
    let mut byte = [0u8; 1];
    assert!(
        timeout(Duration::from_millis(500), s.read(&mut byte))
            .await
            .is_err(),
        "the worker wrote (or closed) after its rib died"
    );

    let (ours, theirs) = ferrobgp_ipc::pair().unwrap();
    {
        use std::os::fd::AsFd;
        sup.sender
            .send_with_fds(&SupervisorToSession::Rib, &[theirs.as_fd()])
            .await
            .unwrap();
    }
    let mut rib: RibEnd = ferrobgp_ipc::Channel::new(ours).unwrap();
    match rib_next(&mut rib).await {
        SessionToRib::State(SessionState::Up { families, .. }) => {
            assert_eq!(families, vec![Family::IPV4_UNICAST])
        }
        m => panic!("expected Up, got {m:?}"),
    }
    assert_eq!(
        rib_next(&mut rib).await,
        SessionToRib::NeedRoutes {
            families: vec![Family::IPV4_UNICAST],
            eor: false,
            resync: true,
        }
    );
    // ROUTE-REFRESH, IPv4 unicast (RFC 2918)
    assert_eq!(
        read_msg(&mut s).await,
        hex("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:05:0001:00:01")
    );
    send_changes(&mut rib, 1, vec![route("2.2.0.0/16", [2, 2, 2, 2])]).await;
    assert_eq!(read_msg(&mut s).await[18], 2);
    assert_eq!(rib_next(&mut rib).await, SessionToRib::Ack { seq: 1 });
}
