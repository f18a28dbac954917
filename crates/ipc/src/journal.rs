//! The route journal: what the API (helpers and the control socket) made
//! of each peer's Adj-RIB-Out, kept by the supervisor so that it survives a
//! crash of the rib. The rib sends the [`JournalOp`]s of each batch before
//! it answers `done` to the batch's commands; the supervisor folds them into
//! a [`Journal`] and gives the whole of it to the next rib, which replays it
//! on top of the configuration.
//!
//! Compaction: one entry per peer and route key (the route's NLRI key,
//! wire's `NlriKey`): the last announcement or withdrawal wins (a withdrawal is
//! kept, so that the API withdrawing a configured route survives the
//! crash too); a `clear adj-rib out` removes the peer's entries and is
//! remembered (it removed the configured routes as well); `watchdog`
//! state is one entry per peer and watchdog name. The journal is therefore
//! bounded by the number of route keys the API touched since the peer's
//! last clear, like the rib's own table by its routes.
//! Keys and routes are wire's types; the supervisor keeps them without
//! reading them.

use crate::messages::PeerId;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

/// An announced route as the journal keeps it: the route and its
/// `watchdog` group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalRoute {
    pub route: Route,
    /// `watchdog NAME`: member of that group.
    pub watchdog: Option<String>,
    /// Announced withdrawn (`withdraw` with `watchdog`).
    pub withdrawn: bool,
}

/// One change to the journal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum JournalOp {
    /// `peer` announces `value` (replaces what was there under its key).
    Announce { peer: PeerId, value: JournalRoute },
    /// `peer` no longer announces what is under the key of `value`, the
    /// withdrawn route (the rib withdraws by route).
    Withdraw { peer: PeerId, value: Route },
    /// `clear adj-rib out`: every route of `peer` goes, configured ones
    /// included (its watchdogs stay).
    Clear { peer: PeerId },
    /// `announce watchdog` (`announced`) or `withdraw watchdog` for `peer`.
    Watchdog {
        peer: PeerId,
        name: String,
        announced: bool,
    },
}

/// What the journal holds under one key.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Entry {
    Announced(JournalRoute),
    Withdrawn(Route),
}

impl Entry {
    fn announced(&self) -> bool {
        matches!(self, Entry::Announced(_))
    }
}

/// One peer's routes: per key, the last announcement or withdrawal (boxed:
/// the map's nodes stay small, about 60 bytes a route less for a table
/// filled in key order).
type PeerRoutes = BTreeMap<NlriKey, Box<Entry>>;

/// The distinct attribute sets of the journal's routes, each held once:
/// a route decoded from a message has a copy of its set of its own, so
/// without this 100,000 routes of one set would keep 100,000 copies.
#[derive(Debug, Clone, Default)]
struct Sets {
    pool: HashSet<Arc<Attributes>>,
    /// Pool size at which the sets no route uses any more are dropped.
    prune_at: usize,
}

impl Sets {
    /// Points `set` to the pool's equal set (added when new).
    fn share(&mut self, set: &mut Arc<Attributes>) {
        if let Some(shared) = self.pool.get(set) {
            *set = shared.clone();
            return;
        }
        if self.pool.len() >= self.prune_at {
            self.pool.retain(|s| Arc::strong_count(s) > 1);
            self.prune_at = (self.pool.len() * 2).max(64);
        }
        self.pool.insert(set.clone());
    }
}

/// The compacted journal.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    routes: BTreeMap<PeerId, PeerRoutes>,
    /// Peers whose Adj-RIB-Out the API cleared.
    cleared: BTreeSet<PeerId>,
    watchdogs: BTreeMap<PeerId, BTreeMap<String, bool>>,
    sets: Sets,
}

/// Equal when they hold the same changes (whatever their sets' sharing).
impl PartialEq for Journal {
    fn eq(&self, other: &Journal) -> bool {
        self.routes == other.routes
            && self.cleared == other.cleared
            && self.watchdogs == other.watchdogs
    }
}

impl Eq for Journal {}

impl Journal {
    pub fn new() -> Journal {
        Journal::default()
    }

    /// Folds one change in.
    pub fn apply(&mut self, op: JournalOp) {
        match op {
            JournalOp::Announce { peer, mut value } => {
                self.sets.share(&mut value.route.attributes);
                self.routes
                    .entry(peer)
                    .or_default()
                    .insert(value.route.key(), Box::new(Entry::Announced(value)));
            }
            JournalOp::Withdraw { peer, mut value } => {
                self.sets.share(&mut value.attributes);
                self.routes
                    .entry(peer)
                    .or_default()
                    .insert(value.key(), Box::new(Entry::Withdrawn(value)));
            }
            JournalOp::Clear { peer } => {
                self.routes.remove(&peer);
                self.cleared.insert(peer);
            }
            JournalOp::Watchdog {
                peer,
                name,
                announced,
            } => {
                self.watchdogs
                    .entry(peer)
                    .or_default()
                    .insert(name, announced);
            }
        }
    }

    /// Keeps only the peers `keep` says yes to (a reload removed the others).
    pub fn retain_peers(&mut self, keep: impl Fn(PeerId) -> bool) {
        self.routes.retain(|p, _| keep(*p));
        self.cleared.retain(|p| keep(*p));
        self.watchdogs.retain(|p, _| keep(*p));
    }

    /// Number of announced routes held.
    pub fn len(&self) -> usize {
        self.routes
            .values()
            .map(|r| r.values().filter(|e| e.announced()).count())
            .sum()
    }

    /// Number of entries held (announcements, withdrawals, clears, watchdogs).
    pub fn entries(&self) -> usize {
        self.routes.values().map(|r| r.len()).sum::<usize>()
            + self.cleared.len()
            + self.watchdogs.values().map(|w| w.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.entries() == 0
    }

    /// The journal as the changes that rebuild it from nothing, in chunks of
    /// at most `chunk` changes (each chunk one message): the clears, every
    /// peer's routes, then the watchdog states.
    pub fn replay(&self, chunk: usize) -> Vec<Vec<JournalOp>> {
        let clears = self
            .cleared
            .iter()
            .map(|peer| JournalOp::Clear { peer: *peer });
        let routes = self.routes.iter().flat_map(|(peer, r)| {
            r.values().map(|entry| {
                let peer = *peer;
                match &**entry {
                    Entry::Announced(value) => JournalOp::Announce {
                        peer,
                        value: value.clone(),
                    },
                    Entry::Withdrawn(value) => JournalOp::Withdraw {
                        peer,
                        value: value.clone(),
                    },
                }
            })
        });
        let watchdogs = self.watchdogs.iter().flat_map(|(peer, w)| {
            w.iter().map(|(name, announced)| JournalOp::Watchdog {
                peer: *peer,
                name: name.clone(),
                announced: *announced,
            })
        });
        let chunk = chunk.max(1);
        let mut out: Vec<Vec<JournalOp>> = Vec::new();
        for op in clears.chain(routes).chain(watchdogs) {
            match out.last_mut() {
                Some(c) if c.len() < chunk => c.push(op),
                _ => out.push(vec![op]),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
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

    fn rebuilt(j: &Journal, chunk: usize) -> Journal {
        let mut r = Journal::new();
        for c in j.replay(chunk) {
            assert!(c.len() <= chunk.max(1));
            for op in c {
                r.apply(op);
            }
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
        assert_eq!(j.replay(10), vec![vec![ann(1, 1, 2), wd(2, 1, 4)]]);
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
            j.replay(2),
            vec![
                vec![JournalOp::Clear { peer: 1 }, ann(1, 3, 1)],
                vec![ann(2, 2, 1), dog]
            ]
        );
        j.retain_peers(|p| p == 2);
        assert_eq!(j.replay(5), vec![vec![ann(2, 2, 1)]]);
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
        let replayed: Vec<JournalOp> = j.replay(usize::MAX).concat();
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
        assert!(j.sets.pool.len() <= 128, "{}", j.sets.pool.len());
        assert_eq!(j.len(), 201);
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
            let got: Vec<JournalOp> = j.replay(usize::MAX).into_iter().flatten().collect();
            assert_eq!(got, want);
            let chunk = (next() % 5) as usize;
            assert_eq!(rebuilt(&j, chunk), j);
        }
    }
}
