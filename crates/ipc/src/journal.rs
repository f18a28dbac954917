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
//! reading them. Each peer's entries are kept in the order their keys first
//! came (a slot table indexed by a hash of the key, about 87 bytes a
//! route where a `BTreeMap` of boxed entries took about 190); the replay
//! gives them in key order, as the map did.

use crate::messages::PeerId;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::route::Route;
use hashbrown::HashTable;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher;
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

/// What the journal holds under one key: the last announcement or
/// withdrawal. 72 bytes: the route (64), its watchdog group as a number
/// into [`Names`] (the few names of a journal are held once, not per
/// route), what the entry is.
#[derive(Debug, Clone)]
struct Entry {
    route: Route,
    /// 0: none; n: the name numbered n - 1.
    watchdog: u32,
    kind: Kind,
}

const _: () = assert!(std::mem::size_of::<Entry>() == 72);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Announced,
    /// Announced withdrawn (`withdraw` with `watchdog`).
    AnnouncedWithdrawn,
    Withdrawn,
}

/// Watchdog names, each held once, numbered in order of first use.
#[derive(Debug, Clone, Default)]
struct Names {
    names: Vec<Arc<str>>,
    numbers: HashMap<Arc<str>, u32>,
    /// Count of names at which those no entry uses any more are dropped
    /// (see [`Journal::compact_names`]).
    prune_at: usize,
}

impl Names {
    /// Whether `name` would be a new one past the pruning bound.
    fn full_for(&self, name: Option<&String>) -> bool {
        name.is_some_and(|n| !self.numbers.contains_key(n.as_str()))
            && self.names.len() >= self.prune_at
    }

    fn number(&mut self, name: Option<String>) -> u32 {
        let Some(name) = name else {
            return 0;
        };
        if let Some(n) = self.numbers.get(name.as_str()) {
            return *n;
        }
        let name: Arc<str> = name.into();
        self.names.push(name.clone());
        let n = self.names.len() as u32;
        self.numbers.insert(name, n);
        n
    }

    fn name(&self, n: u32) -> Option<String> {
        n.checked_sub(1)
            .and_then(|i| self.names.get(i as usize))
            .map(|s| s.to_string())
    }
}

/// One peer's entries in the order their keys first came, with an index
/// of 4-byte slot numbers hashed by the key of the route in the slot (the
/// key is not stored a second time) and, beside the slots, each slot's
/// key hash in 4 bytes: growing the index rehashes every slot from those
/// instead of reading each route again (on a million routes, reading the
/// routes back to rehash them was a third of the supervisor's time),
/// and a probe reads a route only when its hash matches. An entry is only
/// ever replaced in its slot (a withdrawal is an entry too) or dropped
/// with the whole peer, so the slots have no holes.
#[derive(Debug, Clone, Default)]
struct PeerRoutes {
    slots: Vec<Entry>,
    hashes: Vec<u32>,
    index: HashTable<u32>,
}

/// The 4 bytes of a key hash kept per slot.
fn fold(hash: u64) -> u32 {
    (hash ^ (hash >> 32)) as u32
}

/// The index's hash of a slot from its 4 bytes: multiplied out so that
/// the high bits the index's probes compare depend on all of them.
fn spread(short: u32) -> u64 {
    u64::from(short).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// The index's hasher (foldhash, as the rib's route tables: see
/// `benches/journal.rs` for the measure against SipHash).
type Hasher = foldhash::fast::RandomState;

impl PeerRoutes {
    /// Puts `entry` in the slot of its key (a new slot at the end for a
    /// new key).
    fn put(&mut self, entry: Entry, hasher: &Hasher) {
        let key = entry.route.key();
        let short = fold(hasher.hash_one(&key));
        let (slots, hashes) = (&mut self.slots, &mut self.hashes);
        match self.index.find(spread(short), |&n| {
            hashes[n as usize] == short && slots[n as usize].route.key() == key
        }) {
            Some(&n) => slots[n as usize] = entry,
            None => {
                let n = u32::try_from(slots.len()).unwrap_or(u32::MAX);
                slots.push(entry);
                hashes.push(short);
                self.index
                    .insert_unique(spread(short), n, |&n| spread(hashes[n as usize]));
            }
        }
    }

    /// The entries in key order (the replay's order).
    fn in_key_order(&self) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.slots.iter().collect();
        v.sort_by_cached_key(|e| e.route.key());
        v
    }
}

/// The distinct attribute sets of the journal's routes, each held once:
/// a route decoded from a message has a copy of its set of its own, so
/// without this 100,000 routes of one set would keep 100,000 copies.
#[derive(Debug, Clone, Default)]
struct Sets {
    pool: HashSet<Arc<Attributes>>,
    /// Pool size at which the sets no route uses any more are dropped.
    prune_at: usize,
    /// The pool's set the last route got: the routes of a batch mostly
    /// share one, and comparing with it is cheaper than hashing the whole
    /// set to look it up (a third of the supervisor's time on a million
    /// `announce route` lines went to the journal).
    last: Option<Arc<Attributes>>,
}

impl Sets {
    /// Points `set` to the pool's equal set (added when new).
    fn share(&mut self, set: &mut Arc<Attributes>) {
        if let Some(last) = (self.last.as_ref()).filter(|l| Arc::ptr_eq(l, set) || **l == *set) {
            *set = last.clone();
            return;
        }
        if let Some(shared) = self.pool.get(set) {
            *set = shared.clone();
        } else {
            if self.pool.len() >= self.prune_at {
                self.pool.retain(|s| Arc::strong_count(s) > 1);
                self.prune_at = (self.pool.len() * 2).max(64);
            }
            self.pool.insert(set.clone());
        }
        self.last = Some(set.clone());
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
    names: Names,
    hasher: Hasher,
}

/// Equal when they hold the same changes (whatever their sets' sharing,
/// the order their keys came in and the numbering of watchdog names).
impl PartialEq for Journal {
    fn eq(&self, other: &Journal) -> bool {
        self.replay(usize::MAX) == other.replay(usize::MAX)
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
                if self.names.full_for(value.watchdog.as_ref()) {
                    self.compact_names();
                }
                let entry = Entry {
                    route: value.route,
                    watchdog: self.names.number(value.watchdog),
                    kind: if value.withdrawn {
                        Kind::AnnouncedWithdrawn
                    } else {
                        Kind::Announced
                    },
                };
                self.routes
                    .entry(peer)
                    .or_default()
                    .put(entry, &self.hasher);
            }
            JournalOp::Withdraw { peer, mut value } => {
                self.sets.share(&mut value.attributes);
                let entry = Entry {
                    route: value,
                    watchdog: 0,
                    kind: Kind::Withdrawn,
                };
                self.routes
                    .entry(peer)
                    .or_default()
                    .put(entry, &self.hasher);
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

    /// Drops the watchdog names no entry uses any more and numbers the
    /// others again (a helper naming a group per route must not grow the
    /// names for ever); at most once per doubling of the names.
    fn compact_names(&mut self) {
        let mut new = vec![0u32; self.names.names.len() + 1];
        let mut names: Vec<Arc<str>> = Vec::new();
        for r in self.routes.values_mut() {
            for e in &mut r.slots {
                let old = e.watchdog as usize;
                if old == 0 {
                    continue;
                }
                if new[old] == 0 {
                    names.push(self.names.names[old - 1].clone());
                    new[old] = names.len() as u32;
                }
                e.watchdog = new[old];
            }
        }
        self.names.numbers = names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32 + 1))
            .collect();
        self.names.prune_at = (names.len() * 2).max(64);
        self.names.names = names;
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
            .map(|r| r.slots.iter().filter(|e| e.kind != Kind::Withdrawn).count())
            .sum()
    }

    /// Number of entries held (announcements, withdrawals, clears, watchdogs).
    pub fn entries(&self) -> usize {
        self.routes.values().map(|r| r.slots.len()).sum::<usize>()
            + self.cleared.len()
            + self.watchdogs.values().map(|w| w.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.entries() == 0
    }

    /// The change that puts `entry` back.
    fn op_of(&self, peer: PeerId, entry: &Entry) -> JournalOp {
        match entry.kind {
            Kind::Withdrawn => JournalOp::Withdraw {
                peer,
                value: entry.route.clone(),
            },
            Kind::Announced | Kind::AnnouncedWithdrawn => JournalOp::Announce {
                peer,
                value: JournalRoute {
                    route: entry.route.clone(),
                    watchdog: self.names.name(entry.watchdog),
                    withdrawn: entry.kind == Kind::AnnouncedWithdrawn,
                },
            },
        }
    }

    /// The journal as the changes that rebuild it from nothing, in chunks of
    /// at most `chunk` changes (each chunk one message): the clears, every
    /// peer's routes (peer by peer, each peer's in key order), then the
    /// watchdog states.
    pub fn replay(&self, chunk: usize) -> Vec<Vec<JournalOp>> {
        let clears = self
            .cleared
            .iter()
            .map(|peer| JournalOp::Clear { peer: *peer });
        let routes = self.routes.iter().flat_map(|(peer, r)| {
            r.in_key_order()
                .into_iter()
                .map(move |entry| self.op_of(*peer, entry))
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
#[path = "journal_tests.rs"]
mod tests;
