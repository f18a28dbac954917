//! Property test over random batches (a small deterministic generator, many
//! seeds): after every batch, the peer's view (what it was sent, applied
//! in order from an empty table at session start) equals the Adj-RIB-Out;
//! only `flush adj-rib out` re-sends a route identical to what the peer has; and
//! nothing is sent while the session is down.

use ferrobgp_rib::*;
use ferrobgp_wire::attribute::{Attributes, Origin};
use ferrobgp_wire::nlri::{NlriKey, Prefix};
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::Family;
use std::collections::HashMap;
use std::sync::Arc;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn route(rng: &mut Rng, shared: &[Arc<Attributes>]) -> Route {
    let p = rng.below(8);
    let net = format!("10.{p}.0.0/16").parse().unwrap();
    let nh = NextHop::V4(format!("192.0.2.{}", 1 + rng.below(2)).parse().unwrap());
    Route::new(
        Prefix::unicast(net),
        nh,
        shared[rng.below(shared.len() as u64) as usize].clone(),
    )
}

fn random_op(rng: &mut Rng, shared: &[Arc<Attributes>]) -> Op {
    match rng.below(10) {
        0..=3 => {
            let n = 1 + rng.below(3);
            Op::Announce(
                (0..n)
                    .map(|_| {
                        let r = route(rng, shared);
                        match rng.below(4) {
                            0 => RouteEntry {
                                route: r,
                                watchdog: Some("w".into()),
                                withdrawn: rng.below(2) == 0,
                            },
                            _ => RouteEntry::plain(r),
                        }
                    })
                    .collect(),
            )
        }
        4..=5 => Op::Withdraw(vec![Route::bare(route(rng, shared).nlri)]),
        6 => Op::ClearOut,
        7 => Op::FlushOut,
        8 => Op::AnnounceWatchdog("w".into()),
        _ => Op::WithdrawWatchdog("w".into()),
    }
}

fn apply_to_view(view: &mut HashMap<NlriKey, Route>, changes: &[PeerChange]) {
    for c in changes {
        match c {
            PeerChange::Announce(r) => {
                view.insert(r.key(), r.clone());
            }
            PeerChange::Withdraw(r) => {
                view.remove(&r.key());
            }
            _ => {}
        }
    }
}

fn table(p: &PeerRib) -> HashMap<NlriKey, Route> {
    p.out.routes().map(|r| (r.key(), r.into_owned())).collect()
}

#[test]
fn peer_view_equals_adj_rib_out() {
    let shared = vec![
        Arc::new(Attributes {
            origin: Some(Origin::Igp),
            ..Default::default()
        }),
        Arc::new(Attributes {
            origin: Some(Origin::Igp),
            med: Some(10),
            ..Default::default()
        }),
    ];
    for seed in 1..=300u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let mut rib = Rib::new();
        rib.add_peer(1, PeerRib::new(true, true));
        let mut view: HashMap<NlriKey, Route> = HashMap::new();
        let mut established = false;
        for step in 0..60 {
            if rng.below(8) == 0 {
                let p = rib.peer_mut(1).unwrap();
                if established {
                    p.session_down();
                    view.clear();
                    established = false;
                } else {
                    p.session_up(vec![Family::IPV4_UNICAST]);
                    let sent = p.full_table(&[Family::IPV4_UNICAST], true);
                    assert!(sent.iter().all(|c| !matches!(c, PeerChange::Withdraw(_))));
                    apply_to_view(&mut view, &sent);
                    established = true;
                }
            } else {
                let n = 1 + rng.below(4);
                let ops: Vec<Op> = (0..n).map(|_| random_op(&mut rng, &shared)).collect();
                // only a flush re-sends a route identical to what the peer has
                let only_announces = !ops.contains(&Op::FlushOut);
                let cmds: Vec<BatchCommand> = ops
                    .into_iter()
                    .map(|op| BatchCommand { peers: vec![1], op })
                    .collect();
                let result = rib.apply_batch(&cmds);
                // only a flush can fail: it needs an established session
                assert!(result
                    .results
                    .iter()
                    .all(|r| r.is_ok() || (!established && *r == Err(RibError::NotEstablished))));
                let changes: Vec<PeerChange> =
                    result.changes.into_iter().flat_map(|(_, c)| c).collect();
                if !established {
                    assert!(
                        changes.is_empty(),
                        "seed {seed} step {step}: sent while down"
                    );
                }
                if only_announces {
                    for c in &changes {
                        if let PeerChange::Announce(r) = c {
                            assert!(
                                view.get(&r.key()) != Some(r),
                                "seed {seed} step {step}: identical re-announce of {}",
                                r.nlri
                            );
                        }
                    }
                }
                apply_to_view(&mut view, &changes);
            }
            if established {
                assert_eq!(view, table(rib.peer(1).unwrap()), "seed {seed} step {step}");
            }
        }
    }
}

#[test]
fn a_large_batch_is_one_pass_with_shared_attributes() {
    let attrs = Arc::new(Attributes {
        origin: Some(Origin::Igp),
        ..Default::default()
    });
    let nh = NextHop::V4("192.0.2.1".parse().unwrap());
    let routes: Vec<RouteEntry> = (0..100_000u32)
        .map(|i| {
            let net = format!("{}.{}.{}.0/24", 10 + (i >> 16), (i >> 8) & 255, i & 255)
                .parse()
                .unwrap();
            RouteEntry::plain(Route::new(Prefix::unicast(net), nh.clone(), attrs.clone()))
        })
        .collect();
    let mut rib = Rib::new();
    rib.add_peer(1, PeerRib::new(true, true));
    rib.add_peer(2, PeerRib::new(true, true));
    for id in [1, 2] {
        let p = rib.peer_mut(id).unwrap();
        p.session_up(vec![Family::IPV4_UNICAST]);
        p.full_table(&[Family::IPV4_UNICAST], true);
    }
    let r = rib.apply_batch(&[BatchCommand {
        peers: vec![1, 2],
        op: Op::Announce(routes),
    }]);
    assert_eq!(r.changes.len(), 2);
    for (_, changes) in &r.changes {
        assert_eq!(changes.len(), 100_000);
        assert!(changes.iter().all(|c| c
            .route()
            .is_some_and(|r| Arc::ptr_eq(&r.attributes, &attrs))));
    }
    // the two tables and the two change lists hold the one attribute set
    // (the batch itself is gone)
    assert_eq!(Arc::strong_count(&attrs), 1 + 100_000 * 4);
    let r = rib.apply_batch(&[BatchCommand {
        peers: vec![1, 2],
        op: Op::ClearOut,
    }]);
    assert_eq!(r.changes[0].1.len(), 100_000);
    assert!(rib.peer(1).unwrap().out.is_empty());
}
