//! The journal's compaction against a model: the last change of a key wins,
//! a clear is replayed first, equal attribute sets are held once, and the
//! slot table keeps the order of a keyed map.

use super::*;

/// The route of key `k` (10.k.0.0/24), told apart by its MED `v`.
fn route(k: u8, v: u8) -> Route {
    use ferrobgp_wire::attribute::Attributes;
    use ferrobgp_wire::nlri::Prefix;
    use ferrobgp_wire::route::NextHop;
    Route::new(
        Prefix::unicast(format!("10.{k}.0.0/24").parse().expect("prefix")),
        NextHop::V4("192.0.2.1".parse().expect("next hop")),
        std::sync::Arc::new(Attributes {
            med: Some(u32::from(v)),
            ..Attributes::default()
        }),
    )
}

fn ann(peer: PeerId, k: u8, v: u8) -> JournalOp {
    let route = route(k, v);
    JournalOp::Announce {
        peer,
        value: JournalRoute {
            route,
            watchdog: (v % 2 == 1).then(|| "dog".to_string()),
            withdrawn: v % 3 == 0,
        },
    }
}

fn wd(peer: PeerId, k: u8, v: u8) -> JournalOp {
    let route = route(k, v);
    JournalOp::Withdraw { peer, value: route }
}

/// The changes of each message of a replay.
fn lists(replay: Vec<JournalOps>) -> Vec<Vec<JournalOp>> {
    replay.iter().map(|c| c.iter().collect()).collect()
}

/// The changes of a replay, in order.
fn flat(replay: Vec<JournalOps>) -> Vec<JournalOp> {
    lists(replay).concat()
}

/// The journal rebuilt from the replay of `j`, message by message (the
/// messages serialized and read back, as they travel).
fn rebuilt(j: &Journal, chunk: usize) -> Journal {
    let mut r = Journal::new();
    for c in j.replay(chunk) {
        assert!(c.len() <= chunk.max(1));
        let config = crate::channel::bincode_config();
        let bytes = bincode::serde::encode_to_vec(&c, config).expect("encodes");
        let (back, _): (JournalOps, usize) =
            bincode::serde::decode_from_slice(&bytes, config).expect("decodes");
        r.apply_ops(&back);
    }
    r
}

#[test]
fn the_last_change_of_a_key_wins() {
    let mut j = Journal::new();
    for op in [ann(1, 1, 1), ann(1, 1, 2), ann(2, 1, 3), wd(2, 1, 4)] {
        j.apply(op);
    }
    assert_eq!(j.len(), 1);
    assert_eq!(j.entries(), 2);
    assert_eq!(lists(j.replay(10)), vec![vec![ann(1, 1, 2), wd(2, 1, 4)]]);
}

#[test]
fn clear_removes_a_peers_routes_and_is_replayed_first() {
    let mut j = Journal::new();
    j.apply(ann(1, 1, 1));
    j.apply(ann(1, 2, 1));
    j.apply(ann(2, 2, 1));
    j.apply(JournalOp::Watchdog {
        peer: 1,
        name: "w".into(),
        announced: false,
    });
    j.apply(JournalOp::Clear { peer: 1 });
    j.apply(ann(1, 3, 1));
    assert_eq!(j.len(), 2);
    let dog = JournalOp::Watchdog {
        peer: 1,
        name: "w".into(),
        announced: false,
    };
    assert_eq!(
        lists(j.replay(2)),
        vec![
            vec![JournalOp::Clear { peer: 1 }, ann(1, 3, 1)],
            vec![ann(2, 2, 1), dog]
        ]
    );
    j.retain_peers(|p| p == 2);
    assert_eq!(lists(j.replay(5)), vec![vec![ann(2, 2, 1)]]);
}

/// Routes decoded from messages each have their own copy of their
/// attribute set: the journal keeps one copy per distinct set, and
/// drops the sets no route uses any more.
#[test]
fn equal_attribute_sets_are_held_once() {
    let mut j = Journal::new();
    for k in 0..200u8 {
        // a fresh allocation of the set of MED 7 each time
        j.apply(ann(1, k, 7));
    }
    let replayed: Vec<JournalOp> = flat(j.replay(usize::MAX));
    let sets: Vec<&Arc<Attributes>> = replayed
        .iter()
        .map(|op| match op {
            JournalOp::Announce { value, .. } => &value.route.attributes,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(sets.len(), 200);
    assert!(sets.iter().all(|s| Arc::ptr_eq(s, sets[0])));
    // one key announced again and again with a new set each time: the
    // pool does not keep the replaced ones
    for v in 0..=255u8 {
        j.apply(ann(2, 1, v));
    }
    assert_eq!(j.sets(), 2, "MED 7 and the last one");
    assert_eq!(j.len(), 201);
}

/// Sets that alternate, each a fresh allocation: every route gets the
/// pool's copy of its own set, whether it is the last one seen or not.
#[test]
fn alternating_sets_are_each_shared_with_their_equals() {
    let mut j = Journal::new();
    for k in 0..60u8 {
        j.apply(ann(1, k, k % 3));
    }
    let replayed: Vec<JournalOp> = flat(j.replay(usize::MAX));
    let mut first: HashMap<Arc<Attributes>, Arc<Attributes>> = HashMap::new();
    for op in &replayed {
        let JournalOp::Announce { value, .. } = op else {
            panic!("{op:?}")
        };
        let set = &value.route.attributes;
        let seen = first.entry(set.clone()).or_insert_with(|| set.clone());
        assert!(Arc::ptr_eq(seen, set), "one copy per distinct set");
    }
    assert_eq!(first.len(), 3);
    assert_eq!(j.sets(), 3);
}

/// Every key is found again after the index grew (it is rehashed from
/// the key bytes in the arena): announcing all of them again replaces
/// each in place, adds none.
#[test]
fn keys_are_found_after_the_index_grew() {
    let mut j = Journal::new();
    for k in 0..=255u8 {
        j.apply(ann(1, k, 2));
    }
    assert_eq!(j.len(), 256);
    for k in (0..=255u8).rev() {
        j.apply(ann(1, k, 4));
    }
    assert_eq!(j.len(), 256, "replaced in place");
    let r = &j.routes[&1];
    assert_eq!(r.index.len(), 256);
    assert_eq!(r.dead, 0, "same length: overwritten in place");
    let replayed: Vec<JournalOp> = flat(j.replay(usize::MAX));
    assert_eq!(
        replayed,
        (0..=255u8).map(|k| ann(1, k, 4)).collect::<Vec<_>>()
    );
}

/// Any sequence of changes: the journal holds at most one entry per
/// (peer, key), exactly the last change since the peer's last clear,
/// and its replay rebuilds it whatever the chunk size.
#[test]
fn compaction_matches_a_model() {
    // a small deterministic generator (xorshift), many sequences
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for _ in 0..300 {
        let mut j = Journal::new();
        let mut model: BTreeMap<(PeerId, u8), (bool, u8)> = BTreeMap::new();
        let mut cleared: BTreeSet<PeerId> = BTreeSet::new();
        for _ in 0..(next() % 60) {
            let peer = (next() % 3) as PeerId;
            let k = (next() % 8) as u8;
            let v = (next() % 256) as u8;
            match next() % 10 {
                0..=5 => {
                    j.apply(ann(peer, k, v));
                    model.insert((peer, k), (true, v));
                }
                6..=8 => {
                    j.apply(wd(peer, k, v));
                    model.insert((peer, k), (false, v));
                }
                _ => {
                    j.apply(JournalOp::Clear { peer });
                    model.retain(|(p, _), _| *p != peer);
                    cleared.insert(peer);
                }
            }
        }
        assert_eq!(j.len(), model.values().filter(|(a, _)| *a).count());
        let want: Vec<JournalOp> = cleared
            .iter()
            .map(|p| JournalOp::Clear { peer: *p })
            .chain(model.iter().map(
                |((p, k), (a, v))| {
                    if *a {
                        ann(*p, *k, *v)
                    } else {
                        wd(*p, *k, *v)
                    }
                },
            ))
            .collect();
        let got: Vec<JournalOp> = flat(j.replay(usize::MAX));
        assert_eq!(got, want);
        let chunk = (next() % 5) as usize;
        assert_eq!(rebuilt(&j, chunk), j);
    }
}

/// The route of a generated key: IPv4 or IPv6, with or without a
/// path identifier (key order is not the order keys come in).
fn keyed_route(k: u64, v: u8) -> Route {
    use ferrobgp_wire::nlri::Prefix;
    use ferrobgp_wire::route::NextHop;
    let net = if k % 2 == 0 {
        format!("10.{}.0.0/{}", k % 251, 16 + k % 9)
    } else {
        format!("2001:db8:{:x}::/{}", k % 251, 48 - k % 5)
    };
    let mut prefix = Prefix::unicast(net.parse().expect("prefix"));
    prefix.path_id = (k % 3 == 0).then_some((k % 7) as u32);
    let next_hop = if k % 2 == 0 {
        NextHop::V4("192.0.2.1".parse().expect("next hop"))
    } else {
        NextHop::V6("2001:db8::1".parse().expect("next hop"))
    };
    Route::new(
        prefix,
        next_hop,
        Arc::new(Attributes {
            med: Some(u32::from(v)),
            ..Attributes::default()
        }),
    )
}

/// Against a simple model, a map from (peer, key) to the last change
/// since the peer's last clear: replay order (clears, then each peer's
/// routes in key order, then watchdogs), contents, watchdog names (a
/// few shared ones and one per change) and counts, after any sequence
/// of changes; the names no entry uses are not kept for ever.
#[test]
fn slot_table_matches_a_keyed_model() {
    use ferrobgp_wire::nlri::NlriKey;
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..200 {
        let mut j = Journal::new();
        let mut model: BTreeMap<(PeerId, NlriKey), JournalOp> = BTreeMap::new();
        let mut cleared: BTreeSet<PeerId> = BTreeSet::new();
        let mut dogs: BTreeMap<(PeerId, String), bool> = BTreeMap::new();
        for step in 0..(next() % 1500) {
            let peer = (next() % 3) as PeerId;
            let route = keyed_route(next() % 40, (next() % 256) as u8);
            let key = route.key();
            let op = match next() % 12 {
                0..=6 => JournalOp::Announce {
                    peer,
                    value: JournalRoute {
                        route,
                        watchdog: match next() % 4 {
                            0 => None,
                            1 => Some(format!("dog{}", next() % 3)),
                            _ => Some(format!("once{round}-{step}")),
                        },
                        withdrawn: next() % 5 == 0,
                    },
                },
                7..=9 => JournalOp::Withdraw { peer, value: route },
                10 => JournalOp::Clear { peer },
                _ => JournalOp::Watchdog {
                    peer,
                    name: format!("dog{}", next() % 3),
                    announced: next() % 2 == 0,
                },
            };
            match &op {
                JournalOp::Announce { .. } | JournalOp::Withdraw { .. } => {
                    model.insert((peer, key), op.clone());
                }
                JournalOp::Clear { peer } => {
                    model.retain(|(p, _), _| p != peer);
                    cleared.insert(*peer);
                }
                JournalOp::Watchdog {
                    peer,
                    name,
                    announced,
                } => {
                    dogs.insert((*peer, name.clone()), *announced);
                }
            }
            j.apply(op);
        }
        let want: Vec<JournalOp> = cleared
            .iter()
            .map(|p| JournalOp::Clear { peer: *p })
            .chain(model.values().cloned())
            .chain(
                dogs.iter()
                    .map(|((peer, name), announced)| JournalOp::Watchdog {
                        peer: *peer,
                        name: name.clone(),
                        announced: *announced,
                    }),
            )
            .collect();
        let got: Vec<JournalOp> = flat(j.replay(usize::MAX));
        assert_eq!(got, want, "round {round}");
        let announced = model
            .values()
            .filter(|op| matches!(op, JournalOp::Announce { .. }))
            .count();
        assert_eq!(j.len(), announced);
        assert_eq!(j.entries(), model.len() + cleared.len() + dogs.len());
        // names: pruned to those in use, at most 3 x 40 entries, when
        // they double (without pruning, up to one per change)
        assert!(
            j.names.names.len() <= 2 * 3 * 40,
            "{} names held",
            j.names.names.len()
        );
        assert_eq!(rebuilt(&j, 1 + (next() % 7) as usize), j);
    }
}

/// Entries replaced by longer or shorter ones leave dead bytes behind:
/// once they are half the arena it is written again without them, and
/// every key is still found with its last change.
#[test]
fn dead_entries_are_dropped_and_keys_still_found() {
    let mut j = Journal::new();
    let keys = 2000u64;
    for round in 0..12u8 {
        for k in 0..keys {
            let route = keyed_route(k * 41 + 7, round);
            let watchdog = (round % 2 == 0).then(|| "dog".to_string());
            j.apply(JournalOp::Announce {
                peer: 1,
                value: JournalRoute {
                    route,
                    watchdog,
                    withdrawn: false,
                },
            });
        }
        let r = &j.routes[&1];
        assert!(
            r.dead <= (1 << 16) || r.dead * 2 <= r.arena.len(),
            "round {round}: {} dead of {}",
            r.dead,
            r.arena.len()
        );
    }
    let got = flat(j.replay(usize::MAX));
    assert_eq!(got.len(), j.entries());
    assert!(got.iter().all(|op| matches!(op,
        JournalOp::Announce { value, .. }
            if value.watchdog.is_none() && value.route.attributes.med == Some(11))));
    assert_eq!(j.sets(), 1, "the replaced sets are dropped");
    assert_eq!(rebuilt(&j, 300), j);
}

/// `outgrew` says yes once per growth by half past 1 MiB, not at every change.
#[test]
fn outgrowing_is_told_once_per_growth() {
    let mut j = Journal::new();
    let mut told = 0;
    let set = Arc::new(Attributes::default());
    for k in 0..200_000u32 {
        let net = ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(k << 8), 24).expect("prefix");
        let route = Route::new(
            ferrobgp_wire::nlri::Prefix::unicast(net.into()),
            ferrobgp_wire::route::NextHop::None,
            set.clone(),
        );
        j.apply(JournalOp::Withdraw {
            peer: 1,
            value: route,
        });
        if k % 1000 == 0 && j.outgrew() {
            told += 1;
        }
    }
    assert!(j.held_bytes() > 2 << 20);
    assert!((1..=8).contains(&told), "{told}");
    assert!(!j.outgrew());
}
