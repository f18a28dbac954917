//! Scripted-event tests of the state machine with a fake clock.

use super::*;

fn cfg() -> FsmConfig {
    FsmConfig {
        passive: false,
        read_open_first: false,
        hold_time: 180,
        router_id: Ipv4Addr::new(10, 0, 0, 5),
        open_wait: Duration::from_secs(60),
        max_attempts: 0,
    }
}

fn open(hold: u16, id: [u8; 4]) -> PeerOpen {
    PeerOpen {
        hold_time: hold,
        router_id: Ipv4Addr::from(id),
    }
}

/// The OPEN event of a peer with this hold time and identifier, nothing wrong in it.
fn open_received(conn: u64, hold: u16, id: [u8; 4]) -> Input {
    Input::OpenReceived {
        conn,
        open: open(hold, id),
        problem: None,
    }
}

/// An UPDATE received on this connection.
fn update_received(conn: u64) -> Input {
    Input::OtherReceived {
        conn,
        kind: OtherKind::Update,
    }
}

/// A NOTIFICATION we send on this connection.
fn notification_sent(conn: u64, code: u8, subcode: u8, data: &[u8]) -> Action {
    Action::SendNotification {
        conn,
        notify: Notify::new(code, subcode, data),
    }
}

/// The session going down for this reason; "closing connection" (the
/// peer closed it, no NOTIFICATION) is the one a graceful restart of the
/// peer looks like.
fn down(reason: &str) -> Action {
    Action::Down {
        reason: reason.into(),
        peer_closed: reason == "closing connection",
    }
}

/// Whether these actions are exactly one refusal of `conn` with this NOTIFICATION.
fn is_refusal(a: &[Action], conn: u64, code: u8, subcode: u8) -> bool {
    matches!(a, [Action::Refuse { conn: c, notify }] if *c == conn && notify.code == code && notify.subcode == subcode)
}

/// Whether any of these actions sends a NOTIFICATION.
fn sends_notification(a: &[Action]) -> bool {
    a.iter()
        .any(|x| matches!(x, Action::SendNotification { .. }))
}

/// A started FSM whose first connect attempt is under way.
fn connecting(now: Instant, c: FsmConfig) -> Fsm {
    let mut f = Fsm::new(c);
    f.handle(now, Input::Start);
    f.poll(now);
    f
}

struct Clock(Instant);
impl Clock {
    fn now(&self) -> Instant {
        self.0
    }
    fn advance(&mut self, s: u64) -> Instant {
        self.0 += Duration::from_secs(s);
        self.0
    }
}

/// Drives an FSM to ESTABLISHED on connection 1, returns it with the clock.
fn established(c: FsmConfig, peer_hold: u16) -> (Fsm, Clock) {
    let clock = Clock(Instant::now());
    let mut f = Fsm::new(c);
    f.handle(clock.now(), Input::Start);
    assert_eq!(
        f.poll(clock.now()),
        vec![Action::State(State::Idle), Action::Connect]
    );
    f.handle(clock.now(), Input::TcpConnected { conn: 1 });
    f.handle(clock.now(), open_received(1, peer_hold, [10, 0, 0, 6]));
    let a = f.handle(clock.now(), Input::KeepaliveReceived { conn: 1 });
    assert!(a.contains(&Action::State(State::Established)));
    (f, clock)
}

#[test]
fn outgoing_happy_path_in_exabgp_order() {
    let now = Instant::now();
    let mut f = Fsm::new(cfg());
    assert_eq!(
        f.handle(now, Input::Start),
        vec![Action::State(State::Active)]
    );
    assert_eq!(f.next_deadline(), Some(now));
    assert_eq!(
        f.poll(now),
        vec![Action::State(State::Idle), Action::Connect]
    );
    assert_eq!(f.attempts_made(), 1);
    assert_eq!(
        f.handle(now, Input::TcpConnected { conn: 7 }),
        vec![
            Action::Connected { conn: 7 },
            Action::State(State::Connect),
            Action::SendOpen { conn: 7 },
            Action::State(State::OpenSent),
        ]
    );
    // OPEN wait armed
    assert_eq!(f.next_deadline(), Some(now + Duration::from_secs(60)));
    assert_eq!(
        f.handle(now, open_received(7, 90, [10, 0, 0, 6])),
        vec![
            Action::SendKeepalive { conn: 7 },
            Action::State(State::OpenConfirm)
        ]
    );
    assert_eq!(f.hold_time(), 90);
    assert_eq!(
        f.handle(now, Input::KeepaliveReceived { conn: 7 }),
        vec![
            Action::State(State::Established),
            Action::Established {
                conn: 7,
                hold_time: 90
            }
        ]
    );
    assert!(f.is_established());
    // keepalive every 30 s, hold 90 s
    assert_eq!(f.next_deadline(), Some(now + Duration::from_secs(30)));
}

#[test]
fn keepalives_and_hold_expiry() {
    let (mut f, mut clock) = established(cfg(), 9);
    assert_eq!(f.hold_time(), 9);
    let t = clock.advance(3);
    assert_eq!(f.poll(t), vec![Action::SendKeepalive { conn: 1 }]);
    // a received KEEPALIVE pushes the hold timer back
    let t = clock.advance(5);
    f.handle(t, Input::KeepaliveReceived { conn: 1 });
    let t = clock.advance(1);
    assert_eq!(f.poll(t), vec![Action::SendKeepalive { conn: 1 }]);
    let t = clock.advance(3);
    assert_eq!(f.poll(t), vec![Action::SendKeepalive { conn: 1 }]);
    // 9 s after the last message received: hold timer expired, 4/0, no data
    let t = clock.advance(5);
    let a = f.poll(t);
    assert_eq!(
        a,
        vec![
            notification_sent(1, 4, 0, &[]),
            Action::Close { conn: 1 },
            down("notification sent (4,0)"),
            Action::State(State::Idle),
        ]
    );
    // back-off was reset by ESTABLISHED: reconnect at once
    assert_eq!(f.next_deadline(), Some(t));
    assert_eq!(f.poll(t), vec![Action::Connect]);
}

#[test]
fn updates_reset_the_hold_timer() {
    let (mut f, mut clock) = established(cfg(), 3);
    for _ in 0..5 {
        let t = clock.advance(2);
        f.handle(t, update_received(1));
        let a = f.poll(t);
        assert!(
            a.iter().all(|x| matches!(x, Action::SendKeepalive { .. })),
            "{a:?}"
        );
    }
    assert!(f.is_established());
}

#[test]
fn hold_time_zero_means_no_timers() {
    let (mut f, mut clock) = established(cfg(), 0);
    assert_eq!(f.hold_time(), 0);
    assert_eq!(f.next_deadline(), None);
    let t = clock.advance(100_000);
    assert!(f.poll(t).is_empty());
    assert!(f.is_established());
}

#[test]
fn zero_hold_time_tolerates_one_keepalive_then_2_6() {
    let (mut f, clock) = established(cfg(), 0);
    assert!(f
        .handle(clock.now(), Input::KeepaliveReceived { conn: 1 })
        .is_empty());
    let a = f.handle(clock.now(), Input::KeepaliveReceived { conn: 1 });
    assert_eq!(
        a[0],
        notification_sent(
            1,
            2,
            6,
            b"Negotiated holdtime was zero, it was invalid to send us a keepalive messages"
        )
    );
}

#[test]
fn our_hold_time_zero_wins_min() {
    let mut c = cfg();
    c.hold_time = 0;
    let (f, _) = established(c, 180);
    assert_eq!(f.hold_time(), 0);
    assert_eq!(f.next_deadline(), None);
}

#[test]
fn open_wait_expiry_sends_1_1() {
    let mut clock = Clock(Instant::now());
    let mut f = connecting(clock.now(), cfg());
    f.handle(clock.now(), Input::TcpConnected { conn: 1 });
    assert!(f.poll(clock.advance(59)).is_empty());
    let a = f.poll(clock.advance(1));
    assert_eq!(
        a[0],
        notification_sent(
            1,
            1,
            1,
            b"waited for open too long, we do not like stuck in active"
        )
    );
    assert!(a.contains(&down("notification sent (1,1)")));
}

#[test]
fn open_confirm_hold_expiry() {
    let mut clock = Clock(Instant::now());
    let mut f = connecting(clock.now(), cfg());
    f.handle(clock.now(), Input::TcpConnected { conn: 1 });
    f.handle(clock.now(), open_received(1, 30, [1, 1, 1, 1]));
    assert_eq!(f.state(), State::OpenConfirm);
    assert!(f.poll(clock.advance(29)).is_empty());
    let a = f.poll(clock.advance(1));
    assert_eq!(a[0], notification_sent(1, 4, 0, &[]));
}

#[test]
fn read_open_first_with_local_as_auto() {
    let now = Instant::now();
    let mut c = cfg();
    c.read_open_first = true;
    let mut f = connecting(now, c);
    assert_eq!(
        f.handle(now, Input::TcpConnected { conn: 2 }),
        vec![Action::Connected { conn: 2 }, Action::State(State::Connect)]
    );
    assert_eq!(
        f.handle(now, open_received(2, 180, [9, 9, 9, 9])),
        vec![
            Action::SendOpen { conn: 2 },
            Action::State(State::OpenSent),
            Action::SendKeepalive { conn: 2 },
            Action::State(State::OpenConfirm),
        ]
    );
}

#[test]
fn open_problem_is_notified_after_our_open() {
    let now = Instant::now();
    let mut c = cfg();
    c.read_open_first = true;
    let mut f = connecting(now, c);
    f.handle(now, Input::TcpConnected { conn: 2 });
    let bad = Notify::new(2, 2, b"Bad Peer AS".to_vec());
    let a = f.handle(
        now,
        Input::OpenReceived {
            conn: 2,
            open: open(180, [9, 9, 9, 9]),
            problem: Some(bad.clone()),
        },
    );
    assert_eq!(
        a[..4],
        [
            Action::SendOpen { conn: 2 },
            Action::State(State::OpenSent),
            Action::SendNotification {
                conn: 2,
                notify: bad
            },
            Action::Close { conn: 2 },
        ]
    );
    assert!(a.contains(&down("notification sent (2,2)")));
}

#[test]
fn unexpected_messages_before_established() {
    let now = Instant::now();
    let mut f = connecting(now, cfg());
    f.handle(now, Input::TcpConnected { conn: 1 });
    let a = f.handle(now, Input::KeepaliveReceived { conn: 1 });
    assert_eq!(
        a[0],
        // RFC 6608: the data is the type of the unexpected message
        notification_sent(1, 5, 1, &[4])
    );
    // next attempt waits 1 s (back-off), then connects on a new connection
    assert_eq!(f.next_deadline(), Some(now + Duration::from_secs(1)));
    let t = now + Duration::from_secs(1);
    assert_eq!(f.poll(t), vec![Action::Connect]);
    f.handle(t, Input::TcpConnected { conn: 2 });
    f.handle(t, open_received(2, 180, [1, 1, 1, 1]));
    let a = f.handle(t, update_received(2));
    assert_eq!(a[0], notification_sent(2, 5, 2, &[2]));
}

#[test]
fn notification_received_goes_down_and_reconnects() {
    let (mut f, clock) = established(cfg(), 180);
    let a = f.handle(
        clock.now(),
        Input::NotificationReceived {
            conn: 1,
            code: 6,
            subcode: 0,
        },
    );
    assert_eq!(
        a,
        vec![
            Action::Close { conn: 1 },
            down("notification received (6,0)"),
            Action::State(State::Idle),
        ]
    );
    assert!(!f.is_finished());
    // the session ended within its first seconds: 1 s, not at once
    // (backoff.rs: the floor after short sessions)
    assert_eq!(f.poll(clock.now()), vec![]);
    assert_eq!(
        f.next_deadline(),
        Some(clock.now() + Duration::from_secs(1))
    );
    let mut clock = clock;
    assert_eq!(f.poll(clock.advance(1)), vec![Action::Connect]);
}

#[test]
fn tcp_closed_reason_and_stale_events_ignored() {
    let (mut f, clock) = established(cfg(), 180);
    let a = f.handle(clock.now(), Input::TcpClosed { conn: 1 });
    assert!(a.contains(&down("closing connection")));
    // events for the old connection do nothing now
    assert!(f
        .handle(clock.now(), Input::KeepaliveReceived { conn: 1 })
        .is_empty());
    assert!(f
        .handle(
            clock.now(),
            Input::NotificationReceived {
                conn: 1,
                code: 6,
                subcode: 2
            }
        )
        .is_empty());
}

#[test]
fn teardown_sends_cease_with_shutdown_communication_and_reconnects() {
    let (mut f, clock) = established(cfg(), 180);
    let a = f.handle(
        clock.now(),
        Input::Teardown {
            notify: notify::named(6, 4),
        },
    );
    let mut data = vec![0x14];
    data.extend_from_slice(b"Administrative Reset");
    assert_eq!(
        a,
        vec![
            Action::SendNotification {
                conn: 1,
                notify: Notify::new(6, 4, data)
            },
            Action::Close { conn: 1 },
            down("notification sent (6,4)"),
            Action::State(State::Idle),
        ]
    );
    // immediately again
    assert_eq!(f.poll(clock.now()), vec![Action::Connect]);
}

#[test]
fn stop_sends_given_notification_and_finishes() {
    let (mut f, clock) = established(cfg(), 180);
    let a = f.handle(
        clock.now(),
        Input::Stop {
            notify: Some(notify::named(6, 2)),
            reason: "stop, message [shutting down]".into(),
        },
    );
    assert_eq!(
        a,
        vec![
            Action::SendNotification {
                conn: 1,
                notify: notify::named(6, 2)
            },
            Action::Close { conn: 1 },
            down("stop, message [shutting down]"),
            Action::State(State::Idle),
            Action::Finished {
                reason: "stop, message [shutting down]".into()
            },
        ]
    );
    assert!(f.is_finished());
    assert!(f.poll(clock.now()).is_empty());
    // a late incoming connection is refused with 6/3
    let a = f.handle(clock.now(), Input::Incoming { conn: 9 });
    assert!(is_refusal(&a, 9, 6, 3));
}

#[test]
fn stop_while_idle_finishes_without_down() {
    let now = Instant::now();
    let mut f = connecting(now, cfg());
    let a = f.handle(
        now,
        Input::Stop {
            notify: Some(notify::named(6, 2)),
            reason: "stop".into(),
        },
    );
    assert_eq!(
        a,
        vec![
            Action::AbandonConnect,
            Action::Finished {
                reason: "stop".into()
            }
        ]
    );
}

#[test]
fn attempts_are_bounded_with_exabgp_backoff() {
    let mut c = cfg();
    c.max_attempts = 3;
    let mut clock = Clock(Instant::now());
    let mut f = Fsm::new(c);
    f.handle(clock.now(), Input::Start);
    assert_eq!(
        f.poll(clock.now()),
        vec![Action::State(State::Idle), Action::Connect]
    );
    assert!(f.handle(clock.now(), Input::TcpFailed).is_empty());
    // waits 1 s then 2 s
    assert!(f.poll(clock.advance(0)).is_empty());
    assert_eq!(f.poll(clock.advance(1)), vec![Action::Connect]);
    f.handle(clock.now(), Input::TcpFailed);
    assert!(f.poll(clock.advance(1)).is_empty());
    assert_eq!(f.poll(clock.advance(1)), vec![Action::Connect]);
    assert_eq!(f.attempts_made(), 3);
    let a = f.handle(clock.now(), Input::TcpFailed);
    assert_eq!(
        a,
        vec![Action::Finished {
            reason: "maximum connection attempts reached".into()
        }]
    );
    assert!(f.is_finished());
    assert_eq!(f.next_deadline(), None);
}

#[test]
fn attempts_count_sessions_too() {
    // one attempt: the session ends, the worker is finished
    let mut c = cfg();
    c.max_attempts = 1;
    let (mut f, clock) = established(c, 180);
    let a = f.handle(clock.now(), Input::TcpClosed { conn: 1 });
    assert_eq!(
        a,
        vec![
            Action::Close { conn: 1 },
            down("closing connection"),
            Action::State(State::Idle),
            Action::Finished {
                reason: "maximum connection attempts reached".into()
            },
        ]
    );
}

#[test]
fn passive_waits_for_incoming() {
    let now = Instant::now();
    let mut c = cfg();
    c.passive = true;
    let mut f = Fsm::new(c);
    assert_eq!(
        f.handle(now, Input::Start),
        vec![Action::State(State::Active)]
    );
    assert_eq!(f.next_deadline(), None);
    assert!(f.poll(now + Duration::from_secs(1000)).is_empty());
    assert_eq!(
        f.handle(now, Input::Incoming { conn: 4 }),
        vec![
            Action::Connected { conn: 4 },
            Action::State(State::Connect),
            Action::SendOpen { conn: 4 },
            Action::State(State::OpenSent),
        ]
    );
    let a = f.handle(now, Input::TcpClosed { conn: 4 });
    assert_eq!(
        a,
        vec![
            Action::Close { conn: 4 },
            down("closing connection"),
            Action::State(State::Active),
        ]
    );
    assert_eq!(f.next_deadline(), None);
}

#[test]
fn collision_refused_when_established() {
    let (mut f, clock) = established(cfg(), 180);
    let a = f.handle(clock.now(), Input::Incoming { conn: 2 });
    assert!(is_refusal(&a, 2, 6, 7));
    assert!(f.is_established());
    assert_eq!(f.conn(), Some(1));
}

/// An FSM in OPENCONFIRM on connection 1 with a peer of this identifier.
fn open_confirm(now: Instant, peer_id: [u8; 4]) -> Fsm {
    let mut f = connecting(now, cfg());
    f.handle(now, Input::TcpConnected { conn: 1 });
    f.handle(now, open_received(1, 180, peer_id));
    assert_eq!(f.state(), State::OpenConfirm);
    f
}

#[test]
fn collision_in_open_confirm_lower_peer_id_refused() {
    let now = Instant::now();
    let mut f = open_confirm(now, [10, 0, 0, 4]); // our id 10.0.0.5
    let a = f.handle(now, Input::Incoming { conn: 2 });
    assert!(is_refusal(&a, 2, 6, 7));
    assert_eq!(f.conn(), Some(1));
    assert_eq!(f.state(), State::OpenConfirm);
}

#[test]
fn collision_in_open_confirm_higher_peer_id_replaces() {
    let now = Instant::now();
    let mut f = open_confirm(now, [10, 0, 0, 6]); // our id 10.0.0.5
    let a = f.handle(now, Input::Incoming { conn: 2 });
    assert_eq!(a[0], Action::Close { conn: 1 });
    assert!(matches!(a[1], Action::Down { .. }));
    assert!(a.contains(&Action::SendOpen { conn: 2 }));
    assert_eq!(f.conn(), Some(2));
    assert_eq!(f.state(), State::OpenSent);
    // the old connection's late messages are ignored
    assert!(f
        .handle(now, Input::KeepaliveReceived { conn: 1 })
        .is_empty());
}

#[test]
fn incoming_while_connecting_abandons_outgoing() {
    let now = Instant::now();
    let mut f = connecting(now, cfg());
    let a = f.handle(now, Input::Incoming { conn: 5 });
    assert_eq!(a[0], Action::AbandonConnect);
    assert!(a.contains(&Action::SendOpen { conn: 5 }));
    // a late success of the abandoned attempt is closed at once
    assert_eq!(
        f.handle(now, Input::TcpConnected { conn: 6 }),
        vec![Action::Close { conn: 6 }]
    );
    assert_eq!(f.conn(), Some(5));
}

#[test]
fn fatal_decode_error_sends_given_notification() {
    let (mut f, clock) = established(cfg(), 180);
    let n = notify::with_text(1, 0, "can not decode update message of type \"255\"");
    let a = f.handle(
        clock.now(),
        Input::Fatal {
            conn: 1,
            notify: n.clone(),
        },
    );
    assert_eq!(a[0], Action::SendNotification { conn: 1, notify: n });
    assert!(a.contains(&down("notification sent (1,0)")));
}

#[test]
fn write_stall_closes_without_notification() {
    let (mut f, clock) = established(cfg(), 180);
    let a = f.handle(clock.now(), Input::WriteStalled { conn: 1 });
    assert_eq!(a[0], Action::Close { conn: 1 });
    assert!(!sends_notification(&a));
}
