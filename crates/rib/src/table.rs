//! An insertion-ordered route table keyed by [`NlriKey`] (family + path-id
//! + prefix (+ RD)), the storage of both Adj-RIBs and of watchdog groups.
//!
//! Order is that of a Python dict, which is what ExaBGP iterates: a
//! replaced route keeps its place, a removed and re-added one goes to the
//! end. Lookup, insertion and removal are O(1) (amortised: the index
//! grows and the emptied slots are squeezed out now and then); ordered
//! iteration is linear.

use crate::chunked::Chunked;
use crate::stored::Stored;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use hashbrown::hash_table::Entry;
use hashbrown::HashTable;
use std::borrow::Cow;
use std::hash::BuildHasher;

/// Below this many removed slots the table never compacts (small in unit
/// tests so that they reach compaction).
const MIN_COMPACT: usize = if cfg!(test) { 4 } else { 1024 };

/// Routes by key, in insertion order.
///
/// The routes live in a chunked vector ([`Chunked`]: growing never copies
/// them), an IPv4 prefix route packed in 24 bytes ([`Stored`]), in
/// insertion order (a removed route leaves an empty slot,
/// squeezed out once they outnumber the routes) and a hash table holds
/// only each route's slot number (4 bytes): the key is not stored twice,
/// it is recomputed from the route when probing (no call for IP prefixes).
/// When the index is full it is rebuilt twice as large by reading the
/// slots in order, rather than by hashbrown's rehash, which reads them in
/// bucket order (a cache miss a route). Measured at one million routes:
/// see the README's "Performance (issue #14)" and `benches/table.rs`.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    /// Slot numbers, hashed by the key of the route in the slot.
    index: HashTable<u32>,
    slots: Chunked<Option<Stored>>,
    /// Empty slots in `slots`.
    holes: usize,
    hasher: foldhash::fast::RandomState,
}

impl RouteTable {
    pub fn new() -> RouteTable {
        RouteTable::default()
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    fn find(&self, key: &NlriKey) -> Option<usize> {
        if self.index.is_empty() {
            return None;
        }
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        self.index
            .find(hash, |&n| has_key(slots.get(n as usize), key))
            .map(|&n| n as usize)
    }

    /// The route with this key (rebuilt if packed: see [`Stored::route`]).
    pub fn get(&self, key: &NlriKey) -> Option<Cow<'_, Route>> {
        self.find(key)
            .and_then(|n| self.slots.get(n).as_ref())
            .map(Stored::route)
    }

    pub fn contains(&self, key: &NlriKey) -> bool {
        self.find(key).is_some()
    }

    /// Adds or replaces the route with this key; returns the previous one.
    pub fn insert(&mut self, route: Route) -> Option<Route> {
        self.insert_stored_unless(Stored::new(route), |_| false)
            .flatten()
    }

    /// Adds `route`, or replaces the route with its key unless
    /// `keep(existing)` says that one stays: `None` when it stayed (`route`
    /// is dropped), `Some(previous)` when `route` went in. One lookup,
    /// two when the index has to grow first.
    pub fn insert_unless(
        &mut self,
        route: Route,
        keep: impl FnOnce(&Route) -> bool,
    ) -> Option<Option<Route>> {
        self.insert_stored_unless(Stored::new(route), |s| keep(&s.route()))
    }

    /// [`RouteTable::insert_unless`] for a borrowed route, which is copied
    /// into the table's form, not cloned whole first.
    pub fn insert_ref_unless(
        &mut self,
        route: &Route,
        keep: impl FnOnce(&Route) -> bool,
    ) -> Option<Option<Route>> {
        self.insert_stored_unless(Stored::from_ref(route), |s| keep(&s.route()))
    }

    /// The two above, `keep` given the packed route (`insert` does not
    /// unpack the route it replaces to ask).
    fn insert_stored_unless(
        &mut self,
        route: Stored,
        keep: impl FnOnce(&Stored) -> bool,
    ) -> Option<Option<Route>> {
        let key = route.key();
        let hash = self.hasher.hash_one(&key);
        if self.index.len() == self.index.capacity() && !self.contains(&key) {
            self.rebuild_index();
        }
        let (slots, hasher) = (&self.slots, &self.hasher);
        let entry = self.index.entry(
            hash,
            |&n| has_key(slots.get(n as usize), &key),
            |&m| hasher.hash_one(slot_key(slots, m)),
        );
        match entry {
            Entry::Occupied(e) => {
                let slot = self.slots.get_mut(*e.get() as usize);
                if slot.as_ref().is_some_and(keep) {
                    return None;
                }
                Some(slot.replace(route).map(Stored::into_route))
            }
            Entry::Vacant(e) => {
                let n = u32::try_from(self.slots.len()).expect("fewer than 2^32 routes in a table");
                self.slots.push(Some(route));
                e.insert(n);
                Some(None)
            }
        }
    }

    /// Room for `additional` more routes without growing (a table filled
    /// from nothing, such as the configured routes at start, is sized once
    /// instead of rehashed at every doubling).
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index
            .reserve(additional, |&m| hasher.hash_one(slot_key(slots, m)));
    }

    pub fn remove(&mut self, key: &NlriKey) -> Option<Route> {
        if self.index.is_empty() {
            return None;
        }
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        let entry = self
            .index
            .find_entry(hash, |&n| has_key(slots.get(n as usize), key))
            .ok()?;
        let (n, _) = entry.remove();
        let route = self.slots.get_mut(n as usize).take();
        self.holes += 1;
        let route = route.map(Stored::into_route);
        if self.holes >= MIN_COMPACT && self.holes > self.index.len() {
            self.compact();
        }
        route
    }

    /// Squeezes the empty slots out, keeping the order, and renumbers.
    fn compact(&mut self) {
        let mut slots = Chunked::default();
        for chunk in std::mem::take(&mut self.slots).into_chunks() {
            for route in chunk.into_iter().flatten() {
                slots.push(Some(route));
            }
        }
        self.slots = slots;
        self.holes = 0;
        self.rebuild_index();
    }

    /// A new index for the routes in the slots, read in order, with room
    /// for a quarter more: twice the buckets when the index was full
    /// without removals, else what the routes left need.
    fn rebuild_index(&mut self) {
        let len = self.index.len();
        let mut index = HashTable::with_capacity(len + len / 4 + 1);
        let (slots, hasher) = (&self.slots, &self.hasher);
        let rehash = |&m: &u32| hasher.hash_one(slot_key(slots, m));
        for (n, slot) in slots.iter().enumerate() {
            if let Some(route) = slot {
                index.insert_unique(hasher.hash_one(route.key()), n as u32, rehash);
            }
        }
        self.index = index;
    }

    pub fn clear(&mut self) {
        self.index = HashTable::new();
        self.slots = Chunked::default();
        self.holes = 0;
    }

    /// The routes in insertion order (rebuilt if packed: see
    /// [`Stored::route`]).
    pub fn iter(&self) -> impl Iterator<Item = Cow<'_, Route>> + '_ {
        self.slots.iter().flatten().map(Stored::route)
    }

    /// Takes every route out, in insertion order.
    pub fn drain(&mut self) -> Vec<Route> {
        let slots = std::mem::take(&mut self.slots);
        let mut routes = Vec::with_capacity(self.len());
        self.clear();
        for chunk in slots.into_chunks() {
            routes.extend(chunk.into_iter().flatten().map(Stored::into_route));
        }
        routes
    }
}

/// Whether the route in a slot has `key`.
#[inline]
fn has_key(slot: &Option<Stored>, key: &NlriKey) -> bool {
    slot.as_ref().is_some_and(|s| s.has_key(key))
}

/// The key of the route in slot `n`, which the index points to: never empty.
fn slot_key(slots: &Chunked<Option<Stored>>, n: u32) -> NlriKey {
    slots
        .get(n as usize)
        .as_ref()
        .map(Stored::key)
        .expect("the index points to occupied slots")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::nlri::Prefix;
    use ferrobgp_wire::route::NextHop;

    fn route(prefix: &str, nh: &str) -> Route {
        Route::new(
            Prefix::unicast(prefix.parse().expect("prefix")),
            NextHop::V4(nh.parse().expect("next hop")),
            Default::default(),
        )
    }

    fn order(t: &RouteTable) -> Vec<String> {
        t.iter()
            .map(|r| format!("{} {:?}", r.nlri, r.next_hop))
            .collect()
    }

    #[test]
    fn python_dict_order() {
        let mut t = RouteTable::new();
        assert!(t.insert(route("10.0.0.0/24", "192.0.2.1")).is_none());
        assert!(t.insert(route("10.0.1.0/24", "192.0.2.1")).is_none());
        assert!(t.insert(route("10.0.2.0/24", "192.0.2.1")).is_none());
        // replaced: keeps its place, the old route is returned
        let old = t
            .insert(route("10.0.0.0/24", "192.0.2.9"))
            .expect("replaced");
        assert_eq!(old, route("10.0.0.0/24", "192.0.2.1"));
        // removed and added again: goes to the end
        let key = route("10.0.1.0/24", "192.0.2.1").key();
        assert!(t.remove(&key).is_some());
        assert!(!t.contains(&key));
        t.insert(route("10.0.1.0/24", "192.0.2.1"));
        let expected = [
            route("10.0.0.0/24", "192.0.2.9"),
            route("10.0.2.0/24", "192.0.2.1"),
            route("10.0.1.0/24", "192.0.2.1"),
        ];
        assert_eq!(
            order(&t),
            expected
                .iter()
                .map(|r| format!("{} {:?}", r.nlri, r.next_hop))
                .collect::<Vec<_>>()
        );
        assert_eq!(t.len(), 3);
        assert_eq!(t.get(&key).as_deref(), Some(&expected[2]));
        // insert_unless: kept when `keep` says so, else replaced in place
        let kept = route("10.0.0.0/24", "192.0.2.7");
        assert_eq!(t.insert_unless(kept.clone(), |_| true), None);
        assert_eq!(t.get(&kept.key()).as_deref(), Some(&expected[0]));
        assert_eq!(
            t.insert_unless(kept.clone(), |_| false),
            Some(Some(expected[0].clone()))
        );
        assert_eq!(
            t.insert_unless(expected[0].clone(), |_| false),
            Some(Some(kept))
        );
        let new = route("10.0.9.0/24", "192.0.2.1");
        t.reserve(10);
        assert_eq!(t.insert_ref_unless(&new, |_| true), Some(None));
        assert_eq!(t.remove(&new.key()), Some(new));
        assert_eq!(t.drain(), expected);
        assert!(t.is_empty());
        assert!(t.get(&key).is_none());
    }

    /// Random inserts and removes against a plain model of a Python dict
    /// (a vector of routes): same order, same answers, compaction included.
    #[test]
    fn matches_a_dict_through_compaction() {
        use proptest::prelude::*;
        let op = (any::<bool>(), 0u8..40, 1u8..4);
        proptest!(|(ops in proptest::collection::vec(op, 0..400))| {
            let mut t = RouteTable::new();
            let mut model: Vec<Route> = Vec::new();
            for (add, net, nh) in ops {
                let r = route(&format!("10.0.{net}.0/24"), &format!("192.0.2.{nh}"));
                let key = r.key();
                let at = model.iter().position(|m| m.key() == key);
                if add {
                    let old = t.insert(r.clone());
                    match at {
                        Some(i) => prop_assert_eq!(old, Some(std::mem::replace(&mut model[i], r))),
                        None => {
                            prop_assert_eq!(old, None);
                            model.push(r);
                        }
                    }
                } else {
                    let old = t.remove(&key);
                    prop_assert_eq!(old, at.map(|i| model.remove(i)));
                }
                prop_assert!(t.holes < MIN_COMPACT || t.holes <= t.len());
            }
            prop_assert_eq!(t.len(), model.len());
            prop_assert_eq!(t.iter().map(Cow::into_owned).collect::<Vec<_>>(), model.clone());
            for m in &model {
                let got = t.get(&m.key()).map(Cow::into_owned);
                prop_assert_eq!(got.as_ref(), Some(m));
            }
            prop_assert_eq!(t.drain(), model);
            prop_assert!(t.is_empty());
        });
    }

    /// Growing rebuilds the index at twice the buckets, not more, and
    /// keeps every route reachable; removals and re-adds across chunks of
    /// slots keep the dict order.
    #[test]
    fn the_index_doubles_as_the_table_grows() {
        let mut t = RouteTable::new();
        let mut grew = 0;
        for i in 0..3000u32 {
            let before = t.index.capacity();
            let net = std::net::Ipv4Addr::from(0x0a00_0000 + (i << 8));
            t.insert(route(&format!("{net}/24"), "192.0.2.1"));
            if t.index.capacity() != before {
                grew += 1;
                assert!(
                    t.index.capacity() <= 2 * t.len().max(8),
                    "{}",
                    t.index.capacity()
                );
            }
        }
        assert!(grew >= 8, "{grew}");
        let keys: Vec<NlriKey> = t.iter().map(|r| r.key()).collect();
        assert!(keys.iter().all(|k| t.contains(k)));
        for k in keys.iter().step_by(2) {
            assert!(t.remove(k).is_some());
        }
        let back = t.get(&keys[1]).map(Cow::into_owned).expect("kept");
        assert!(t.remove(&keys[1]).is_some());
        t.insert(back.clone());
        assert_eq!(t.iter().last().as_deref(), Some(&back));
        assert_eq!(t.len(), 1500);
        assert!(keys.iter().skip(1).step_by(2).all(|k| t.contains(k)));
    }
}
