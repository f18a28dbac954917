//! The route journal: what the API (helpers and the control socket) made
//! of each peer's Adj-RIB-Out, kept by the supervisor so that it survives a
//! crash of the rib. The rib sends the [`JournalOps`] of each batch before
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
//!
//! Memory: each peer's entries are bytes one after another in an arena
//! (`journal_entry`: about 18 bytes an IPv4 unicast route), found through
//! an index of 4-byte offsets hashed by the key bytes (the key is not
//! stored a second time); the attribute sets are held once each in a pool
//! with the count of entries using them, an entry holding the set's
//! number. A million IPv4 routes take about 30 MB where 64-byte routes in
//! slots took about 90. An entry replaced by one of the same length is
//! overwritten in place, else marked dead and the new one appended; the
//! arena is written again without its dead entries once they are half of
//! it. The replay decodes the entries and gives them in key order.

use crate::journal_entry::{self, Entry, Kind, Scratch};
use crate::journal_ops::Op;
pub use crate::journal_ops::{JournalOp, JournalOps, JournalRoute};
use crate::messages::PeerId;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::{Nlri, NlriKey};
use ferrobgp_wire::route::{NextHop, Route};
use hashbrown::HashTable;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::BuildHasher;
use std::sync::Arc;

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
    fn full_for(&self, name: Option<&str>) -> bool {
        name.is_some_and(|n| !self.numbers.contains_key(n)) && self.names.len() >= self.prune_at
    }

    fn number(&mut self, name: Option<&str>) -> u32 {
        let Some(name) = name else {
            return 0;
        };
        if let Some(n) = self.numbers.get(name) {
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

/// The index's hasher (foldhash, as the rib's route tables: see
/// `benches/journal.rs` for the measure against SipHash).
type Hasher = foldhash::fast::RandomState;

/// The attribute sets of the journal's entries, each held once with the
/// number of entries that use it; a set no entry uses is dropped and its
/// number used again.
#[derive(Debug, Clone, Default)]
struct Pool {
    sets: Vec<Option<Arc<Attributes>>>,
    uses: Vec<u32>,
    numbers: HashMap<Arc<Attributes>, u32>,
    free: Vec<u32>,
}

impl Pool {
    /// The number of `set`, used once more (added when new).
    fn hold(&mut self, set: &Arc<Attributes>) -> u32 {
        if let Some(&n) = self.numbers.get(set) {
            self.uses[n as usize] += 1;
            return n;
        }
        let n = match self.free.pop() {
            Some(n) => {
                self.sets[n as usize] = Some(set.clone());
                self.uses[n as usize] = 1;
                n
            }
            None => {
                self.sets.push(Some(set.clone()));
                self.uses.push(1);
                u32::try_from(self.sets.len() - 1).unwrap_or(u32::MAX)
            }
        };
        self.numbers.insert(set.clone(), n);
        n
    }

    /// Set `n` is used once more.
    fn add(&mut self, n: u32) {
        if let Some(u) = self.uses.get_mut(n as usize) {
            *u += 1;
        }
    }

    /// Set `n` is used once less.
    fn release(&mut self, n: u32) {
        let Some(u) = self.uses.get_mut(n as usize).filter(|u| **u > 0) else {
            return;
        };
        *u -= 1;
        if *u == 0 {
            if let Some(set) = self.sets[n as usize].take() {
                self.numbers.remove(&set);
            }
            self.free.push(n);
        }
    }

    fn get(&self, n: u32) -> Arc<Attributes> {
        self.sets
            .get(n as usize)
            .and_then(Option::clone)
            .unwrap_or_default()
    }

    fn len(&self) -> usize {
        self.numbers.len()
    }
}

/// One peer's entries (see the module's documentation).
#[derive(Debug, Clone, Default)]
struct PeerRoutes {
    arena: Vec<u8>,
    /// The offset of each live entry, hashed by its key bytes.
    index: HashTable<u32>,
    /// Bytes of dead entries in `arena`.
    dead: usize,
}

fn key_at(arena: &[u8], at: u32) -> &[u8] {
    Entry::at(arena, at as usize).map_or(&[], |e| e.key)
}

/// Where the next entry of `arena` goes, as an index offset.
fn offset(arena: &[u8]) -> u32 {
    u32::try_from(arena.len()).expect("a peer's route journal stays below 4 GiB")
}

impl PeerRoutes {
    /// Puts `entry` (one encoded entry) in place of the entry of its key,
    /// whose set is released, or at the end for a new key.
    fn put(&mut self, entry: &[u8], hasher: &Hasher, pool: &mut Pool) {
        let Some(new) = Entry::at(entry, 0) else {
            return;
        };
        let hash = hasher.hash_one(new.key);
        let arena = &mut self.arena;
        let found = self
            .index
            .find_mut(hash, |&at| key_at(arena, at) == new.key);
        match found {
            Some(at) => {
                let old_at = *at as usize;
                let Some((old_len, old_set)) = Entry::at(arena, old_at).map(|e| (e.len, e.set))
                else {
                    return;
                };
                pool.release(old_set);
                if old_len == entry.len() {
                    arena[old_at..old_at + old_len].copy_from_slice(entry);
                } else {
                    self.dead += old_len;
                    journal_entry::kill(arena, old_at);
                    *at = offset(arena);
                    arena.extend_from_slice(entry);
                }
            }
            None => {
                let at = offset(arena);
                arena.extend_from_slice(entry);
                self.index
                    .insert_unique(hash, at, |&a| hasher.hash_one(key_at(arena, a)));
            }
        }
        if self.dead > 1 << 16 && self.dead * 2 > self.arena.len() {
            self.compact(hasher);
        }
    }

    /// Writes the arena again without its dead entries.
    fn compact(&mut self, hasher: &Hasher) {
        let mut arena = Vec::with_capacity(self.arena.len() - self.dead);
        for (at, e) in journal_entry::entries(&self.arena).filter(|(_, e)| !e.is_dead()) {
            arena.extend_from_slice(&self.arena[at..at + e.len]);
        }
        self.arena = arena;
        self.dead = 0;
        self.index.clear();
        for (at, e) in journal_entry::entries(&self.arena) {
            let arena = &self.arena;
            self.index
                .insert_unique(hasher.hash_one(e.key), at as u32, |&a| {
                    hasher.hash_one(key_at(arena, a))
                });
        }
    }

    fn live(&self) -> impl Iterator<Item = (usize, Entry<'_>)> {
        journal_entry::entries(&self.arena).filter(|(_, e)| !e.is_dead())
    }

    /// Releases the sets of every entry (the peer's entries are dropped).
    fn release(&self, pool: &mut Pool) {
        self.live().for_each(|(_, e)| pool.release(e.set));
    }
}

/// The compacted journal.
#[derive(Debug, Clone, Default)]
pub struct Journal {
    routes: BTreeMap<PeerId, PeerRoutes>,
    /// Peers whose Adj-RIB-Out the API cleared.
    cleared: BTreeSet<PeerId>,
    watchdogs: BTreeMap<PeerId, BTreeMap<String, bool>>,
    pool: Pool,
    names: Names,
    hasher: Hasher,
    scratch: Scratch,
    /// The entry being put.
    entry: Vec<u8>,
    /// What [`Journal::held_bytes`] was when [`Journal::outgrew`] last said yes.
    outgrown: usize,
}

/// Equal when they hold the same changes (whatever their sets' numbers,
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
        self.apply_ops(&JournalOps::from(vec![op]));
    }

    /// Folds the changes of one message in, in order.
    pub fn apply_ops(&mut self, ops: &JournalOps) {
        let (ops, sets) = ops.parts();
        // each set of the message is held until its last change is in
        let numbers: Vec<u32> = sets.iter().map(|s| self.pool.hold(s)).collect();
        for op in ops {
            self.apply_op(op, &numbers);
        }
        for n in numbers {
            self.pool.release(n);
        }
    }

    fn apply_op(&mut self, op: &Op, numbers: &[u32]) {
        match op {
            Op::Announce {
                peer,
                nlri,
                next_hop,
                set,
                watchdog,
                withdrawn,
            } => {
                if self.names.full_for(watchdog.as_deref()) {
                    self.compact_names();
                }
                let w = self.names.number(watchdog.as_deref());
                let kind = match withdrawn {
                    true => Kind::AnnouncedWithdrawn,
                    false => Kind::Announced,
                };
                self.put(*peer, kind, w, numbers.get(*set as usize), nlri, next_hop);
            }
            Op::Withdraw {
                peer,
                nlri,
                next_hop,
                set,
            } => self.put(
                *peer,
                Kind::Withdrawn,
                0,
                numbers.get(*set as usize),
                nlri,
                next_hop,
            ),
            Op::Clear { peer } => {
                if let Some(r) = self.routes.remove(peer) {
                    r.release(&mut self.pool);
                }
                self.cleared.insert(*peer);
            }
            Op::Watchdog {
                peer,
                name,
                announced,
            } => {
                self.watchdogs
                    .entry(*peer)
                    .or_default()
                    .insert(name.clone(), *announced);
            }
        }
    }

    fn put(
        &mut self,
        peer: PeerId,
        kind: Kind,
        watchdog: u32,
        set: Option<&u32>,
        nlri: &Nlri,
        next_hop: &NextHop,
    ) {
        let Some(&set) = set else {
            return;
        };
        self.entry.clear();
        let encoded = journal_entry::encode(
            &mut self.entry,
            &mut self.scratch,
            kind,
            watchdog,
            set,
            nlri,
            next_hop,
        );
        if encoded.is_none() {
            return;
        }
        self.pool.add(set);
        self.routes
            .entry(peer)
            .or_default()
            .put(&self.entry, &self.hasher, &mut self.pool);
    }

    /// Drops the watchdog names no entry uses any more and numbers the
    /// others again (a helper naming a group per route must not grow the
    /// names for ever); at most once per doubling of the names.
    fn compact_names(&mut self) {
        let mut new = vec![0u32; self.names.names.len() + 1];
        let mut names: Vec<Arc<str>> = Vec::new();
        for r in self.routes.values_mut() {
            let used: Vec<(usize, u32)> = r
                .live()
                .filter(|(_, e)| e.watchdog != 0)
                .map(|(at, e)| (at, e.watchdog))
                .collect();
            for (at, old) in used {
                let old = old as usize;
                if new.get(old) == Some(&0) {
                    names.push(self.names.names[old - 1].clone());
                    new[old] = names.len() as u32;
                }
                journal_entry::renumber(&mut r.arena, at, new.get(old).copied().unwrap_or(0));
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
        let pool = &mut self.pool;
        self.routes.retain(|p, r| {
            let kept = keep(*p);
            if !kept {
                r.release(pool);
            }
            kept
        });
        self.cleared.retain(|p| keep(*p));
        self.watchdogs.retain(|p, _| keep(*p));
    }

    /// Number of announced routes held.
    pub fn len(&self) -> usize {
        self.routes
            .values()
            .map(|r| {
                r.live()
                    .filter(|(_, e)| e.kind() != Kind::Withdrawn)
                    .count()
            })
            .sum()
    }

    /// Number of entries held (announcements, withdrawals, clears, watchdogs).
    pub fn entries(&self) -> usize {
        self.routes.values().map(|r| r.index.len()).sum::<usize>()
            + self.cleared.len()
            + self.watchdogs.values().map(|w| w.len()).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        self.entries() == 0
    }

    /// Number of distinct attribute sets held.
    pub fn sets(&self) -> usize {
        self.pool.len()
    }

    /// Bytes the routes take in the peers' arenas (without the indexes).
    pub fn arena_bytes(&self) -> usize {
        self.routes.values().map(|r| r.arena.len()).sum()
    }

    /// Bytes the arenas and indexes hold (their capacity: 4 bytes and a
    /// control byte a bucket).
    pub fn held_bytes(&self) -> usize {
        self.routes
            .values()
            .map(|r| r.arena.capacity() + r.index.capacity() * 5)
            .sum()
    }

    /// Whether what the journal holds grew by half (and past 1 MiB) since
    /// the last time this said so: the buffers it outgrew were freed, and
    /// the allocator keeps freed pages a while, so the caller may have
    /// them handed back (a million routes otherwise kept some 15 MB of
    /// outgrown buffers).
    pub fn outgrew(&mut self) -> bool {
        let held = self.held_bytes();
        let grew = held > (1 << 20) && held > self.outgrown + self.outgrown / 2;
        if grew {
            self.outgrown = held;
        }
        grew
    }

    /// Appends the changes that put one peer's entries back, in key
    /// order (the keys sorted with the entries' offsets, each entry
    /// decoded when its turn comes: sorting whole changes was mostly
    /// moving them around).
    fn peer_ops(&self, peer: PeerId, r: &PeerRoutes, out: &mut Chunks) {
        let mut keys: Vec<(NlriKey, usize)> = r
            .live()
            .filter_map(|(at, e)| Some((e.key()?, at)))
            .collect();
        keys.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        for (_, at) in keys {
            let Some(e) = Entry::at(&r.arena, at) else {
                continue;
            };
            let Some((_, nlri, next_hop)) = e.decode() else {
                continue;
            };
            let route = Route::new(nlri, next_hop, self.pool.get(e.set));
            let ops = out.room();
            match e.kind() {
                Kind::Withdrawn => ops.withdraw(peer, &route),
                kind => ops.announce(
                    peer,
                    &route,
                    self.names.name(e.watchdog).as_deref(),
                    kind == Kind::AnnouncedWithdrawn,
                ),
            }
        }
    }

    /// The journal as the changes that rebuild it from nothing, in chunks of
    /// at most `chunk` changes (each chunk one message): the clears, every
    /// peer's routes (peer by peer, each peer's in key order), then the
    /// watchdog states.
    pub fn replay(&self, chunk: usize) -> Vec<JournalOps> {
        let mut out = Chunks {
            chunk: chunk.max(1),
            done: Vec::new(),
        };
        for peer in &self.cleared {
            out.room().push(JournalOp::Clear { peer: *peer });
        }
        for (peer, r) in &self.routes {
            self.peer_ops(*peer, r, &mut out);
        }
        for (peer, w) in &self.watchdogs {
            for (name, announced) in w {
                out.room().push(JournalOp::Watchdog {
                    peer: *peer,
                    name: name.clone(),
                    announced: *announced,
                });
            }
        }
        out.done
    }
}

/// Messages of at most `chunk` changes, filled in order.
struct Chunks {
    chunk: usize,
    done: Vec<JournalOps>,
}

impl Chunks {
    /// The message the next change goes to.
    fn room(&mut self) -> &mut JournalOps {
        if self.done.last().is_none_or(|c| c.len() >= self.chunk) {
            self.done.push(JournalOps::new());
        }
        let last = self.done.len() - 1;
        &mut self.done[last]
    }
}

#[cfg(test)]
#[path = "journal_tests.rs"]
mod tests;
