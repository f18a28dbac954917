//! The rib's net-change rules on the exact command sequences of the
//! conformance tests (etc/run/api-*.cmds hand-translated into batches) and
//! the UPDATEs their .msg files expect, per peer.

use ferrobgp_rib::*;
use ferrobgp_wire::attribute::{Attributes, Origin};
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::Family;
use std::sync::Arc;

fn attrs() -> Arc<Attributes> {
    Arc::new(Attributes {
        origin: Some(Origin::Igp),
        ..Default::default()
    })
}
fn route(prefix: &str, nh: &str) -> Route {
    Route::new(
        Prefix::unicast(prefix.parse().unwrap()),
        NextHop::V4(nh.parse().unwrap()),
        attrs(),
    )
}
fn bare(prefix: &str) -> Route {
    Route::bare(Prefix::unicast(prefix.parse().unwrap()))
}
fn announce(prefix: &str, nh: &str) -> Op {
    Op::Announce(vec![RouteEntry::plain(route(prefix, nh))])
}
fn withdraw(prefix: &str) -> Op {
    Op::Withdraw(vec![bare(prefix)])
}
/// A one-peer rib (peer 1), established with ipv4 unicast; returns what
/// the session-up run sends.
fn up_rib() -> (Rib, Vec<PeerChange>) {
    let mut rib = Rib::new();
    rib.add_peer(1, PeerRib::new(true, true));
    let p = rib.peer_mut(1).unwrap();
    p.session_up(vec![Family::IPV4_UNICAST]);
    let first = p.full_table(&[Family::IPV4_UNICAST], true);
    (rib, first)
}
fn batch(rib: &mut Rib, ops: Vec<Op>) -> Vec<PeerChange> {
    let cmds: Vec<BatchCommand> = ops
        .into_iter()
        .map(|op| BatchCommand { peers: vec![1], op })
        .collect();
    let r = rib.apply_batch(&cmds);
    assert!(r.results.iter().all(|r| r.is_ok()), "{:?}", r.results);
    match r.changes.as_slice() {
        [] => vec![],
        [(1, c)] => c.clone(),
        other => panic!("{other:?}"),
    }
}
/// Changes as short strings: `+10.0.0.0/8` (with next hop `@nh`), `-p`, `eor`.
fn show(changes: &[PeerChange]) -> Vec<String> {
    changes
        .iter()
        .map(|c| match c {
            PeerChange::Announce(r) => format!("+{}@{}", r.nlri, r.next_hop),
            PeerChange::Withdraw(r) => format!("-{}", r.nlri),
            PeerChange::Eor(f) => format!("eor {f}"),
            PeerChange::RouteRefresh(f) => format!("rr {f}"),
        })
        .collect()
}

#[test]
fn api_rib() {
    let (mut rib, first) = up_rib();
    // 10: the End-of-RIB of an empty table
    assert_eq!(show(&first), ["eor ipv4 unicast"]);
    // 192.168.0.0/32 announced and cleared in the same burst: nothing
    let c = batch(
        &mut rib,
        vec![announce("192.168.0.0/32", "10.0.0.0"), Op::ClearOut],
    );
    assert_eq!(show(&c), Vec::<String>::new());
    // 20, 21
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![announce("192.168.0.1/32", "10.0.0.1")]
        )),
        ["+192.168.0.1/32@10.0.0.1"]
    );
    assert_eq!(
        show(&batch(&mut rib, vec![Op::ClearOut])),
        ["-192.168.0.1/32"]
    );
    // 30, 31
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![
                announce("192.168.0.2/32", "10.0.0.2"),
                announce("192.168.0.3/32", "10.0.0.3")
            ]
        )),
        ["+192.168.0.2/32@10.0.0.2", "+192.168.0.3/32@10.0.0.3"]
    );
    assert_eq!(
        show(&batch(&mut rib, vec![Op::FlushOut])),
        ["+192.168.0.2/32@10.0.0.2", "+192.168.0.3/32@10.0.0.3"]
    );
    // 40, 41
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![announce("192.168.0.4/32", "10.0.0.4")]
        )),
        ["+192.168.0.4/32@10.0.0.4"]
    );
    assert_eq!(
        show(&batch(&mut rib, vec![Op::FlushOut])),
        [
            "+192.168.0.2/32@10.0.0.2",
            "+192.168.0.3/32@10.0.0.3",
            "+192.168.0.4/32@10.0.0.4"
        ]
    );
    // 50, 60
    assert_eq!(
        show(&batch(&mut rib, vec![Op::ClearOut])),
        ["-192.168.0.2/32", "-192.168.0.3/32", "-192.168.0.4/32"]
    );
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![announce("192.168.0.5/32", "10.0.0.5")]
        )),
        ["+192.168.0.5/32@10.0.0.5"]
    );
    assert_eq!(rib.peer(1).unwrap().out.len(), 1);
}

#[test]
fn api_fast() {
    let (mut rib, first) = up_rib();
    assert_eq!(show(&first), ["eor ipv4 unicast"]);
    // group 1: only the /25 (the /24 withdrawal falls in the first run)
    let c = batch(
        &mut rib,
        vec![
            announce("1.1.0.0/24", "101.1.101.1"),
            announce("1.1.0.0/25", "101.1.101.1"),
            Op::Withdraw(vec![route("1.1.0.0/24", "101.1.101.1")]),
            announce("1.1.0.0/25", "101.1.101.1"),
        ],
    );
    assert_eq!(show(&c), ["+1.1.0.0/25@101.1.101.1"]);
    // group 2 then 3: the withdrawal of a /25 the peer never got comes first
    let c = batch(
        &mut rib,
        vec![
            announce("2.2.0.0/25", "101.1.101.1"),
            announce("2.2.0.0/24", "101.1.101.1"),
            Op::Withdraw(vec![route("2.2.0.0/25", "101.1.101.1")]),
        ],
    );
    assert_eq!(show(&c), ["-2.2.0.0/25", "+2.2.0.0/24@101.1.101.1"]);
    assert_eq!(
        show(&batch(&mut rib, vec![announce("0.0.0.0/0", "1.101.1.101")])),
        ["+0.0.0.0/0@1.101.1.101"]
    );
}

#[test]
fn api_fast_first_burst_before_the_session_is_up() {
    let mut rib = Rib::new();
    rib.add_peer(1, PeerRib::new(true, true));
    let c = batch(
        &mut rib,
        vec![
            announce("1.1.0.0/24", "101.1.101.1"),
            announce("1.1.0.0/25", "101.1.101.1"),
            withdraw("1.1.0.0/24"),
            announce("1.1.0.0/25", "101.1.101.1"),
        ],
    );
    assert!(c.is_empty());
    let p = rib.peer_mut(1).unwrap();
    p.session_up(vec![Family::IPV4_UNICAST]);
    // group 1: the EoR and the /25
    assert_eq!(
        show(&p.full_table(&[Family::IPV4_UNICAST], true)),
        ["+1.1.0.0/25@101.1.101.1", "eor ipv4 unicast"]
    );
    // the full table was the first run: withdrawals flow now
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![
                announce("2.2.0.0/25", "101.1.101.1"),
                announce("2.2.0.0/24", "101.1.101.1"),
                withdraw("2.2.0.0/25")
            ]
        )),
        ["-2.2.0.0/25", "+2.2.0.0/24@101.1.101.1"]
    );
}

#[test]
fn api_add_remove() {
    let (mut rib, _) = up_rib();
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![announce("1.1.0.0/24", "101.1.101.1")]
        )),
        ["+1.1.0.0/24@101.1.101.1"]
    );
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![announce("1.1.0.0/25", "101.1.101.1")]
        )),
        ["+1.1.0.0/25@101.1.101.1"]
    );
    assert_eq!(
        show(&batch(&mut rib, vec![withdraw("1.1.0.0/24")])),
        ["-1.1.0.0/24"]
    );
    // `next-hop 0.0.0.0` on a withdrawal does not matter
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![Op::Withdraw(vec![route("1.1.0.0/25", "0.0.0.0")])]
        )),
        ["-1.1.0.0/25"]
    );
    assert!(rib.peer(1).unwrap().out.is_empty());
}

#[test]
fn api_add_remove_both_announces_in_one_read() {
    let (mut rib, _) = up_rib();
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![
                announce("1.1.0.0/24", "101.1.101.1"),
                announce("1.1.0.0/25", "101.1.101.1")
            ]
        )),
        ["+1.1.0.0/24@101.1.101.1", "+1.1.0.0/25@101.1.101.1"]
    );
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![withdraw("1.1.0.0/24"), withdraw("1.1.0.0/25")]
        )),
        ["-1.1.0.0/24", "-1.1.0.0/25"]
    );
}

#[test]
fn api_announce_and_announce_star() {
    // the two announces arrive while the session may not be up yet, or after
    for up_first in [true, false] {
        let mut rib = Rib::new();
        rib.add_peer(1, PeerRib::new(true, true));
        let mut sent = Vec::new();
        if up_first {
            let p = rib.peer_mut(1).unwrap();
            p.session_up(vec![Family::IPV4_UNICAST]);
            sent.extend(show(&p.full_table(&[Family::IPV4_UNICAST], true)));
        }
        sent.extend(show(&batch(
            &mut rib,
            vec![announce("1.1.0.0/24", "101.1.101.1")],
        )));
        sent.extend(show(&batch(
            &mut rib,
            vec![announce("1.2.0.0/25", "101.1.101.1")],
        )));
        if !up_first {
            let p = rib.peer_mut(1).unwrap();
            p.session_up(vec![Family::IPV4_UNICAST]);
            sent.extend(show(&p.full_table(&[Family::IPV4_UNICAST], true)));
        }
        sent.sort();
        assert_eq!(
            sent,
            [
                "+1.1.0.0/24@101.1.101.1",
                "+1.2.0.0/25@101.1.101.1",
                "eor ipv4 unicast"
            ]
        );
    }
}

#[test]
fn api_multi_neighbor() {
    let (mut rib, _) = up_rib();
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![announce("1.1.0.0/24", "101.1.101.1")]
        )),
        ["+1.1.0.0/24@101.1.101.1"]
    );
    // `neighbor 127.0.0.1 router-id 1.2.3.4, neighbor 127.0.0.1`: the same peer twice, announced once
    let r = rib.apply_batch(&[BatchCommand {
        peers: vec![1, 1],
        op: announce("1.1.0.0/25", "101.1.101.1"),
    }]);
    assert_eq!(r.results, vec![Ok(())]);
    assert_eq!(r.changes.len(), 1);
    assert_eq!(show(&r.changes[0].1), ["+1.1.0.0/25@101.1.101.1"]);
    // group 2
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![Op::Withdraw(vec![route("1.1.0.0/24", "101.1.101.1")])]
        )),
        ["-1.1.0.0/24"]
    );
}

#[test]
fn api_announcement_unmatched_selector_changes_nothing() {
    let (mut rib, _) = up_rib();
    let r = rib.apply_batch(&[
        BatchCommand {
            peers: vec![1],
            op: announce("1.1.0.0/16", "101.1.101.1"),
        },
        // `neighbor absentone ...`: the selector matched no peer
        BatchCommand {
            peers: vec![],
            op: announce("9.9.8.0/21", "101.1.101.1"),
        },
        BatchCommand {
            peers: vec![7],
            op: announce("9.9.9.0/24", "101.1.101.1"),
        },
        BatchCommand {
            peers: vec![1],
            op: announce("1.6.0.0/21", "101.1.101.1"),
        },
    ]);
    assert_eq!(
        r.results,
        vec![
            Ok(()),
            Err(RibError::NoPeer),
            Err(RibError::UnknownPeer(7)),
            Ok(())
        ]
    );
    assert_eq!(
        show(&r.changes[0].1),
        ["+1.1.0.0/16@101.1.101.1", "+1.6.0.0/21@101.1.101.1"]
    );
}

#[test]
fn identical_reannounce_sends_nothing_changed_one_replaces() {
    let (mut rib, _) = up_rib();
    batch(&mut rib, vec![announce("10.0.0.0/8", "1.1.1.1")]);
    assert!(batch(&mut rib, vec![announce("10.0.0.0/8", "1.1.1.1")]).is_empty());
    // equal attributes in a different Arc are still identical
    let other = Route::new(
        Prefix::unicast("10.0.0.0/8".parse().unwrap()),
        NextHop::V4("1.1.1.1".parse().unwrap()),
        Arc::new(Attributes {
            origin: Some(Origin::Igp),
            ..Default::default()
        }),
    );
    assert!(batch(&mut rib, vec![Op::Announce(vec![RouteEntry::plain(other)])]).is_empty());
    assert_eq!(
        show(&batch(&mut rib, vec![announce("10.0.0.0/8", "2.2.2.2")])),
        ["+10.0.0.0/8@2.2.2.2"]
    );
    let med = Route::new(
        Prefix::unicast("10.0.0.0/8".parse().unwrap()),
        NextHop::V4("2.2.2.2".parse().unwrap()),
        Arc::new(Attributes {
            origin: Some(Origin::Igp),
            med: Some(5),
            ..Default::default()
        }),
    );
    assert_eq!(
        batch(
            &mut rib,
            vec![Op::Announce(vec![RouteEntry::plain(med.clone())])]
        ),
        vec![PeerChange::Announce(med)]
    );
    assert_eq!(rib.peer(1).unwrap().out.len(), 1);
    // path-id is part of the key
    let mut with_id = route("10.0.0.0/8", "3.3.3.3");
    if let ferrobgp_wire::nlri::Nlri::Prefix(p) = &mut with_id.nlri {
        p.path_id = Some(1);
    }
    assert_eq!(
        batch(
            &mut rib,
            vec![Op::Announce(vec![RouteEntry::plain(with_id)])]
        )
        .len(),
        1
    );
    assert_eq!(rib.peer(1).unwrap().out.len(), 2);
}

#[test]
fn reconnect_resends_everything_and_the_first_run_rule_applies_again() {
    let (mut rib, _) = up_rib();
    batch(
        &mut rib,
        vec![
            announce("10.0.0.0/8", "1.1.1.1"),
            announce("11.0.0.0/8", "1.1.1.1"),
        ],
    );
    rib.peer_mut(1).unwrap().session_down();
    // while down: kept, nothing sent
    assert!(batch(
        &mut rib,
        vec![announce("12.0.0.0/8", "1.1.1.1"), withdraw("10.0.0.0/8")]
    )
    .is_empty());
    let p = rib.peer_mut(1).unwrap();
    p.session_up(vec![Family::IPV4_UNICAST]);
    assert_eq!(
        show(&p.full_table(&[Family::IPV4_UNICAST], true)),
        [
            "+11.0.0.0/8@1.1.1.1",
            "+12.0.0.0/8@1.1.1.1",
            "eor ipv4 unicast"
        ]
    );
    assert_eq!(
        show(&batch(&mut rib, vec![withdraw("11.0.0.0/8")])),
        ["-11.0.0.0/8"]
    );
    assert_eq!(show(&batch(&mut rib, vec![Op::ClearOut])), ["-12.0.0.0/8"]);
    // a new session with an empty table: its first run carries no withdrawal
    let p = rib.peer_mut(1).unwrap();
    p.session_down();
    p.session_up(vec![Family::IPV4_UNICAST]);
    let _ = p.full_table(&[Family::IPV4_UNICAST], false);
    assert_eq!(
        show(&batch(&mut rib, vec![withdraw("12.0.0.0/8")])),
        Vec::<String>::new()
    );
    assert_eq!(
        show(&batch(&mut rib, vec![withdraw("13.0.0.0/8")])),
        ["-13.0.0.0/8"]
    );
}

#[test]
fn eor_route_refresh_and_flush_need_an_established_peer() {
    let mut rib = Rib::new();
    rib.add_peer(1, PeerRib::new(true, true));
    rib.add_peer(2, PeerRib::new(true, true));
    let r = rib.apply_batch(&[BatchCommand {
        peers: vec![1, 2],
        op: Op::Eor(Family::IPV4_UNICAST),
    }]);
    assert_eq!(r.results, vec![Err(RibError::NotEstablished)]);
    let r = rib.apply_batch(&[BatchCommand {
        peers: vec![1, 2],
        op: Op::FlushOut,
    }]);
    assert_eq!(r.results, vec![Err(RibError::NotEstablished)]);
    let p = rib.peer_mut(2).unwrap();
    p.session_up(vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]);
    p.full_table(&[Family::IPV4_UNICAST, Family::IPV6_UNICAST], false);
    let r = rib.apply_batch(&[
        BatchCommand {
            peers: vec![1, 2],
            op: announce("10.0.0.0/8", "1.1.1.1"),
        },
        BatchCommand {
            peers: vec![1, 2],
            op: Op::Eor(Family::IPV6_UNICAST),
        },
        BatchCommand {
            peers: vec![1, 2],
            op: Op::RouteRefresh(Family::IPV4_UNICAST),
        },
    ]);
    assert_eq!(r.results, vec![Ok(()), Ok(()), Ok(())]);
    // refresh first, then routes, then End-of-RIB; only the established peer
    assert_eq!(r.changes.len(), 1);
    assert_eq!(r.changes[0].0, 2);
    assert_eq!(
        show(&r.changes[0].1),
        ["rr ipv4 unicast", "+10.0.0.0/8@1.1.1.1", "eor ipv6 unicast"]
    );
    assert_eq!(rib.peer(1).unwrap().out.len(), 1);
}

#[test]
fn families_the_session_does_not_carry_are_kept_not_sent() {
    let mut rib = Rib::new();
    rib.add_peer(1, PeerRib::new(true, true));
    let p = rib.peer_mut(1).unwrap();
    p.session_up(vec![Family::IPV6_UNICAST]);
    p.full_table(&[Family::IPV6_UNICAST], false);
    assert!(batch(&mut rib, vec![announce("10.0.0.0/8", "1.1.1.1")]).is_empty());
    assert_eq!(rib.peer(1).unwrap().out.len(), 1);
    let v6 = Route::new(
        Prefix::unicast("2001:db8::/32".parse().unwrap()),
        NextHop::V6("::1".parse().unwrap()),
        attrs(),
    );
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![Op::Announce(vec![RouteEntry::plain(v6)])]
        )),
        ["+2001:db8::/32@::1"]
    );
}

#[test]
fn watchdog_groups() {
    let (mut rib, _) = up_rib();
    let dog = |p: &str, withdrawn: bool| RouteEntry {
        route: route(p, "1.1.1.1"),
        watchdog: Some("dog".into()),
        withdrawn,
    };
    assert_eq!(
        show(&batch(
            &mut rib,
            vec![Op::Announce(vec![
                dog("10.0.0.0/8", false),
                dog("11.0.0.0/8", true)
            ])]
        )),
        ["+10.0.0.0/8@1.1.1.1"]
    );
    assert_eq!(
        show(&batch(&mut rib, vec![Op::WithdrawWatchdog("dog".into())])),
        ["-10.0.0.0/8"]
    );
    // held back in the order they were held back
    assert_eq!(
        show(&batch(&mut rib, vec![Op::AnnounceWatchdog("dog".into())])),
        ["+11.0.0.0/8@1.1.1.1", "+10.0.0.0/8@1.1.1.1"]
    );
    // announcing again changes nothing; an unknown group does nothing
    assert!(batch(
        &mut rib,
        vec![
            Op::AnnounceWatchdog("dog".into()),
            Op::AnnounceWatchdog("cat".into())
        ]
    )
    .is_empty());
    assert_eq!(
        show(&batch(&mut rib, vec![Op::WithdrawWatchdog("dog".into())])),
        ["-11.0.0.0/8", "-10.0.0.0/8"]
    );
    assert!(rib.peer(1).unwrap().out.is_empty());
}

#[test]
fn without_adj_rib_out() {
    let mut rib = Rib::new();
    rib.add_peer(1, PeerRib::new(false, false));
    // kept while down, sent when up, then forgotten
    assert!(batch(&mut rib, vec![announce("10.0.0.0/8", "1.1.1.1")]).is_empty());
    let p = rib.peer_mut(1).unwrap();
    p.session_up(vec![Family::IPV4_UNICAST]);
    assert_eq!(
        show(&p.full_table(&[Family::IPV4_UNICAST], false)),
        ["+10.0.0.0/8@1.1.1.1"]
    );
    assert!(p.out.is_empty());
    // an identical re-announce is sent again; flush and clear have nothing to work on
    assert_eq!(
        show(&batch(&mut rib, vec![announce("10.0.0.0/8", "1.1.1.1")])),
        ["+10.0.0.0/8@1.1.1.1"]
    );
    assert!(batch(&mut rib, vec![Op::FlushOut]).is_empty());
    assert!(batch(&mut rib, vec![Op::ClearOut]).is_empty());
    // lost after a reset
    let p = rib.peer_mut(1).unwrap();
    p.session_down();
    p.session_up(vec![Family::IPV4_UNICAST]);
    assert!(p.full_table(&[Family::IPV4_UNICAST], false).is_empty());
}

#[test]
fn adj_rib_in() {
    let (mut rib, _) = up_rib();
    let p = rib.peer_mut(1).unwrap();
    p.adj_in.update(
        [],
        vec![
            route("10.0.0.0/8", "1.1.1.1"),
            route("11.0.0.0/8", "1.1.1.1"),
        ],
    );
    assert_eq!(p.adj_in.len(), 2);
    let w = bare("10.0.0.0/8").nlri;
    p.adj_in.update([&w], vec![route("11.0.0.0/8", "2.2.2.2")]);
    let routes: Vec<String> = p
        .adj_in
        .routes()
        .map(|r| format!("{}@{}", r.nlri, r.next_hop))
        .collect();
    assert_eq!(routes, ["11.0.0.0/8@2.2.2.2"]);
    batch(&mut rib, vec![Op::ClearIn]);
    assert!(rib.peer(1).unwrap().adj_in.is_empty());
    // disabled: nothing kept
    let mut off = PeerRib::new(true, false);
    off.adj_in.update([], vec![route("10.0.0.0/8", "1.1.1.1")]);
    assert!(off.adj_in.is_empty());
}

#[test]
fn changes_between_session_up_and_the_full_table_go_out_with_the_table() {
    let mut rib = Rib::new();
    rib.add_peer(1, PeerRib::new(true, true));
    rib.peer_mut(1)
        .unwrap()
        .session_up(vec![Family::IPV4_UNICAST]);
    assert!(batch(&mut rib, vec![announce("10.0.0.0/8", "1.1.1.1")]).is_empty());
    let p = rib.peer_mut(1).unwrap();
    assert_eq!(
        show(&p.full_table(&[Family::IPV4_UNICAST], true)),
        ["+10.0.0.0/8@1.1.1.1", "eor ipv4 unicast"]
    );
    assert_eq!(
        show(&batch(&mut rib, vec![withdraw("10.0.0.0/8")])),
        ["-10.0.0.0/8"]
    );
}

#[test]
fn api_nexthop_self() {
    let self_route = |p: &str| {
        RouteEntry::plain(Route::new(
            Prefix::unicast(p.parse().unwrap()),
            NextHop::SelfAddress,
            attrs(),
        ))
    };
    let mut rib = Rib::new();
    let mut peer = PeerRib::new(true, true);
    peer.set_next_hop_self(
        Some("127.0.0.1".parse().unwrap()),
        "1.2.3.4".parse().unwrap(),
    );
    rib.add_peer(1, peer);
    let p = rib.peer_mut(1).unwrap();
    p.session_up(vec![Family::IPV4_UNICAST]);
    p.full_table(&[Family::IPV4_UNICAST], true);
    let mut sent = Vec::new();
    for op in [
        Op::Announce(vec![self_route("1.1.0.0/16")]),
        Op::Announce(vec![self_route("2.2.0.0/16")]),
        announce("2.2.0.1/32", "127.0.0.1"),
        // `self` is 127.0.0.1 with this peer: the same route, nothing sent
        Op::Announce(vec![self_route("2.2.0.1/32")]),
        Op::Announce(vec![self_route("2.2.0.1/32")]),
        Op::Announce(vec![self_route("3.3.0.3/32")]),
    ] {
        sent.extend(show(&batch(&mut rib, vec![op])));
    }
    assert_eq!(
        sent,
        [
            "+1.1.0.0/16@127.0.0.1",
            "+2.2.0.0/16@127.0.0.1",
            "+2.2.0.1/32@127.0.0.1",
            "+3.3.0.3/32@127.0.0.1"
        ]
    );
    // IPv4 routes over an IPv6 session use the router id
    let mut v6 = PeerRib::new(true, true);
    v6.set_next_hop_self(Some("::1".parse().unwrap()), "1.2.3.4".parse().unwrap());
    v6.session_up(vec![]);
    v6.full_table(&[], false);
    let c = v6.apply([Op::Announce(vec![self_route("10.0.0.0/8")])].iter());
    assert_eq!(show(&c), ["+10.0.0.0/8@1.2.3.4"]);
    // unknown local address: left to the session
    let mut auto = PeerRib::new(true, true);
    auto.session_up(vec![]);
    auto.full_table(&[], false);
    let c = auto.apply([Op::Announce(vec![self_route("10.0.0.0/8")])].iter());
    assert_eq!(show(&c), ["+10.0.0.0/8@self"]);
}

#[test]
fn ipv6_next_hop_self_over_an_ipv4_session_is_refused_as_exabgp_does() {
    let v6_self = RouteEntry::plain(Route::new(
        Prefix::unicast("2001:db8:1::/48".parse().unwrap()),
        NextHop::SelfAddress,
        attrs(),
    ));
    let mut rib = Rib::new();
    let mut peer = PeerRib::new(true, true);
    peer.set_next_hop_self(
        Some("127.0.0.1".parse().unwrap()),
        "1.2.3.4".parse().unwrap(),
    );
    rib.add_peer(1, peer);
    let p = rib.peer_mut(1).unwrap();
    p.session_up(vec![Family::IPV4_UNICAST, Family::IPV6_UNICAST]);
    p.full_table(&[], false);
    let r = rib.apply_batch(&[BatchCommand {
        peers: vec![1],
        op: Op::Announce(vec![v6_self.clone()]),
    }]);
    let err = r.results[0].clone().unwrap_err();
    assert_eq!(
        err.to_string(),
        "use of \"next-hop self\": the route (ipv6) does not have the same family as the \
         BGP tcp session (ipv4)"
    );
    assert!(r.changes.is_empty(), "nothing sent: {:?}", r.changes);
    assert_eq!(rib.peer(1).unwrap().out.routes().count(), 0);
    // Over an IPv6 session it takes the session's IPv6 address.
    let mut v6 = PeerRib::new(true, true);
    v6.set_next_hop_self(Some("::1".parse().unwrap()), "1.2.3.4".parse().unwrap());
    v6.session_up(vec![]);
    v6.full_table(&[], false);
    let c = v6.apply([Op::Announce(vec![v6_self])].iter());
    assert_eq!(show(&c), ["+2001:db8:1::/48@::1"]);
}
