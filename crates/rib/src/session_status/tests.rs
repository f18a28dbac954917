//! The session core from recorded worker reports: events in ExaBGP's order,
//! flaps, the down time, and the advisories ahead of each first table.

use super::*;
use ferrobgp_wire::message::Open;
use std::time::Duration;

const V4: Family = Family::IPV4_UNICAST;
const V6: Family = Family::IPV6_UNICAST;

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

fn connected() -> SessionState {
    SessionState::Connected {
        local: addr("127.0.0.1:179"),
        remote: addr("127.0.0.2:40000"),
    }
}

fn up(families: Vec<Family>) -> SessionState {
    up_with(Negotiated::standalone(), families)
}

fn up_with(negotiated: Negotiated, families: Vec<Family>) -> SessionState {
    SessionState::Up {
        local: addr("127.0.0.1:179"),
        remote: addr("127.0.0.2:40000"),
        negotiated: Box::new(negotiated),
        families,
        peer_open: Box::new(Open {
            version: 4,
            my_as: 65002,
            hold_time: 90,
            router_id: "10.0.0.2".parse().unwrap(),
            params: Vec::new(),
            extended_params: false,
        }),
    }
}

fn down(reason: &str) -> SessionState {
    SessionState::Down {
        reason: reason.into(),
        peer_closed: false,
    }
}

fn asm(family: Family, text: &str) -> Operational {
    Operational::Advisory {
        kind: 1,
        family,
        text: text.as_bytes().to_vec(),
    }
}

/// The advisories at the head of a list, in order.
fn advisories(list: &ChangeList) -> Vec<Operational> {
    list.changes()
        .iter()
        .map_while(|c| match c {
            Change::Operational(m) => Some(m.clone()),
            _ => None,
        })
        .collect()
}

#[test]
fn a_session_comes_up_then_goes_down() {
    let t0 = Instant::now();
    let mut s = SessionStatus::new(t0);
    assert_eq!(s.fsm, "idle");

    let r = s.report(connected(), t0);
    assert_eq!(r.events, vec![Event::State(State::Connected)]);
    assert_eq!(r.tables, Tables::Keep);
    assert!(s.connected && !s.is_up());

    let r = s.report(
        SessionState::Fsm {
            state: "OPENSENT".into(),
        },
        t0,
    );
    assert_eq!(r.events, vec![Event::Fsm("OPENSENT".into())]);
    assert_eq!(s.fsm, "OPENSENT");

    let t1 = t0 + Duration::from_secs(1);
    let r = s.report(up(vec![V4, V6]), t1);
    assert_eq!(r.tables, Tables::Up(vec![V4, V6]));
    assert_eq!(r.events.len(), 2, "{:?}", r.events);
    assert_eq!(r.events[0], Event::State(State::Up));
    assert!(
        matches!(r.events[1], Event::Negotiated(_)),
        "{:?}",
        r.events
    );
    assert!(s.is_up());
    assert_eq!(s.up_since, Some(t1));
    assert_eq!(s.fsm, "established");
    assert_eq!(s.peer_open.as_ref().map(|o| o.my_as), Some(65002));

    let t2 = t0 + Duration::from_secs(5);
    let r = s.report(down("hold timer expired"), t2);
    assert_eq!(
        r.events,
        vec![Event::State(State::Down("hold timer expired".into()))]
    );
    assert_eq!(r.tables, Tables::Down { peer_closed: false });
    assert!(!s.is_up() && !s.connected);
    assert_eq!((s.up_since, s.down_since), (None, t2));
    assert!(s.peer_open.is_none());
    assert_eq!(s.fsm, "idle");
    assert_eq!(s.tally.flaps(), 1);
    // what was negotiated stays for `show neighbor` to ignore while down
    assert!(s.negotiated.is_some());
}

#[test]
fn down_without_a_connection_is_not_an_event() {
    let t0 = Instant::now();
    let mut s = SessionStatus::new(t0);
    let later = t0 + Duration::from_secs(3);
    let r = s.report(down("connection refused"), later);
    assert!(r.events.is_empty(), "{:?}", r.events);
    // still down since it was configured
    assert_eq!(s.down_since, t0);
    assert_eq!(s.tally.flaps(), 0);
    assert_eq!(s.link_gone("worker gone", later), None);
}

#[test]
fn a_connected_session_that_never_came_up_is_no_flap() {
    let t0 = Instant::now();
    let mut s = SessionStatus::new(t0);
    s.report(connected(), t0);
    let r = s.report(down("bad OPEN"), t0);
    assert_eq!(r.events, vec![Event::State(State::Down("bad OPEN".into()))]);
    assert_eq!(s.tally.flaps(), 0);
}

#[test]
fn a_worker_gone_takes_its_session_down() {
    let t0 = Instant::now();
    let mut s = SessionStatus::new(t0);
    s.report(connected(), t0);
    s.report(up(vec![V4]), t0);
    let t1 = t0 + Duration::from_secs(2);
    assert_eq!(
        s.link_gone("session worker gone", t1),
        Some(Event::State(State::Down("session worker gone".into())))
    );
    assert_eq!(s.tally.flaps(), 1);
    assert_eq!(s.down_since, t1);
    // once only
    assert_eq!(s.link_gone("session worker gone", t1), None);
}

#[test]
fn counters_of_each_connection_add_up() {
    let t0 = Instant::now();
    let mut s = SessionStatus::new(t0);
    let n = |update| MessageCounts {
        update,
        ..MessageCounts::default()
    };
    s.report(connected(), t0);
    s.counters(n(3), n(4));
    s.report(down("reset"), t0);
    s.report(connected(), t0);
    s.counters(n(1), n(0));
    assert_eq!((s.sent.update, s.received.update), (1, 0));
    let (sent, received) = s.tally.totals();
    assert_eq!((sent.update, received.update), (4, 4));
}

#[test]
fn advisories_known_when_the_session_came_up_go_ahead_of_its_first_table() {
    let t0 = Instant::now();
    let mut s = SessionStatus::new(t0);
    s.advisory(V4, asm(V4, "old"));
    s.advisory(V4, asm(V4, "v4"));
    s.advisory(V6, asm(V6, "v6"));
    s.report(up(vec![V4, V6]), t0);
    // announced after the session came up: sent as it came, not again
    s.advisory(V4, asm(V4, "later"));

    let table: ChangeList = vec![Change::Eor(V4)].into();
    let list = s.first_table(&[], table);
    assert_eq!(advisories(&list), vec![asm(V4, "v4"), asm(V6, "v6")]);
    assert_eq!(list.len(), 3);
    assert!(matches!(list.changes().last(), Some(Change::Eor(f)) if *f == V4));
    // once per session
    assert!(advisories(&s.first_table(&[], ChangeList::new())).is_empty());

    // the next session replays the last one of each family
    s.report(down("reset"), t0);
    s.report(up(vec![V4, V6]), t0);
    let list = s.first_table(&[V4], ChangeList::new());
    assert_eq!(
        advisories(&list),
        vec![asm(V4, "later")],
        "only asked families"
    );
}

#[test]
fn flush_resends_the_negotiated_families_else_the_configured_ones() {
    let t0 = Instant::now();
    let mut s = SessionStatus::new(t0);
    assert_eq!(s.flush_families(&[V6, V4, V6]), vec![V4, V6]);
    let mut negotiated = Negotiated::standalone();
    negotiated.families = vec![V6];
    s.report(up_with(negotiated, vec![V6]), t0);
    assert_eq!(s.flush_families(&[V4]), vec![V6]);
}
