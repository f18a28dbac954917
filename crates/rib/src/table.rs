//! An insertion-ordered route table keyed by [`NlriKey`] (family + path-id
//! + prefix (+ RD)), the storage of both Adj-RIBs and of watchdog groups.
//!
//! Order is that of a Python dict, which is what ExaBGP iterates: a
//! replaced route keeps its place, a removed and re-added one goes to the
//! end. Finding a key's position is O(1); reaching its route, insertion
//! and removal O(log n); ordered iteration is linear.

use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use hashbrown::HashTable;
use std::hash::BuildHasher;

/// Below this many removed slots the table never compacts (small in unit
/// tests so that they reach compaction).
const MIN_COMPACT: usize = if cfg!(test) { 4 } else { 1024 };

/// Routes by key, in insertion order.
///
/// The routes live in a vector in insertion order (a removed route leaves
/// an empty slot, squeezed out once they outnumber the routes) and a
/// hash table holds only each route's slot number (4 bytes): the key is
/// not stored twice, it is recomputed from the route when probing (a copy
/// for IP prefixes). Measured at one million API routes against the
/// former `HashMap<NlriKey, u64>` + `BTreeMap<u64, Route>`: see the
/// README's "Performance (issue #14)" and `benches/table.rs`.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    /// Slot numbers, hashed by the key of the route in the slot.
    index: HashTable<u32>,
    slots: Vec<Option<Route>>,
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
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        self.index
            .find(hash, |&n| {
                slots[n as usize]
                    .as_ref()
                    .is_some_and(|r| r.nlri.key() == *key)
            })
            .map(|&n| n as usize)
    }

    pub fn get(&self, key: &NlriKey) -> Option<&Route> {
        self.find(key).and_then(|n| self.slots[n].as_ref())
    }

    pub fn contains(&self, key: &NlriKey) -> bool {
        self.find(key).is_some()
    }

    /// Adds or replaces the route with this key; returns the previous one.
    pub fn insert(&mut self, route: Route) -> Option<Route> {
        self.insert_unless(route, |_| false).flatten()
    }

    /// Adds `route`, or replaces the route with its key unless
    /// `keep(existing)` says that one stays: `None` when it stayed (`route`
    /// is dropped), `Some(previous)` when `route` went in. One lookup.
    pub fn insert_unless(
        &mut self,
        route: Route,
        keep: impl FnOnce(&Route) -> bool,
    ) -> Option<Option<Route>> {
        let key = route.key();
        let hash = self.hasher.hash_one(&key);
        let slots = &self.slots;
        if let Some(&n) = self.index.find(hash, |&n| {
            slots[n as usize]
                .as_ref()
                .is_some_and(|r| r.nlri.key() == key)
        }) {
            let slot = &mut self.slots[n as usize];
            if slot.as_ref().is_some_and(keep) {
                return None;
            }
            return Some(slot.replace(route));
        }
        let n = u32::try_from(self.slots.len()).expect("fewer than 2^32 routes in a table");
        self.slots.push(Some(route));
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index
            .insert_unique(hash, n, |&m| hasher.hash_one(slot_key(slots, m)));
        Some(None)
    }

    /// Room for `additional` more routes without growing (a table filled
    /// from nothing, such as the configured routes at start, is sized once
    /// instead of rehashed and copied at every doubling).
    pub fn reserve(&mut self, additional: usize) {
        self.slots.reserve(additional);
        let (slots, hasher) = (&self.slots, &self.hasher);
        self.index
            .reserve(additional, |&m| hasher.hash_one(slot_key(slots, m)));
    }

    pub fn remove(&mut self, key: &NlriKey) -> Option<Route> {
        let hash = self.hasher.hash_one(key);
        let slots = &self.slots;
        let entry = self
            .index
            .find_entry(hash, |&n| {
                slots[n as usize]
                    .as_ref()
                    .is_some_and(|r| r.nlri.key() == *key)
            })
            .ok()?;
        let (n, _) = entry.remove();
        let route = self.slots[n as usize].take();
        self.holes += 1;
        if self.holes >= MIN_COMPACT && self.holes > self.index.len() {
            self.compact();
        }
        route
    }

    /// Squeezes the empty slots out, keeping the order, and renumbers.
    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.slots.shrink_to_fit();
        self.holes = 0;
        self.index.clear();
        self.index.shrink_to(self.slots.len(), |_| 0);
        let (slots, hasher) = (&self.slots, &self.hasher);
        let rehash = |&m: &u32| hasher.hash_one(slot_key(slots, m));
        for n in 0..slots.len() as u32 {
            let hash = hasher.hash_one(slot_key(slots, n));
            self.index.insert_unique(hash, n, rehash);
        }
    }

    pub fn clear(&mut self) {
        self.index = HashTable::new();
        self.slots = Vec::new();
        self.holes = 0;
    }

    /// The routes in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Route> + '_ {
        self.slots.iter().flatten()
    }

    /// Takes every route out, in insertion order.
    pub fn drain(&mut self) -> Vec<Route> {
        let slots = std::mem::take(&mut self.slots);
        self.clear();
        slots.into_iter().flatten().collect()
    }
}

/// The key of the route in slot `n`, which the index points to: never empty.
fn slot_key(slots: &[Option<Route>], n: u32) -> NlriKey {
    slots[n as usize]
        .as_ref()
        .map(Route::key)
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
        assert_eq!(t.get(&key), Some(&expected[2]));
        // insert_unless: kept when `keep` says so, else replaced in place
        let kept = route("10.0.0.0/24", "192.0.2.7");
        assert_eq!(t.insert_unless(kept.clone(), |_| true), None);
        assert_eq!(t.get(&kept.key()), Some(&expected[0]));
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
        assert_eq!(t.insert_unless(new.clone(), |_| true), Some(None));
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
            prop_assert_eq!(t.iter().cloned().collect::<Vec<_>>(), model.clone());
            for m in &model {
                prop_assert_eq!(t.get(&m.key()), Some(m));
            }
            prop_assert_eq!(t.drain(), model);
            prop_assert!(t.is_empty());
        });
    }
}
