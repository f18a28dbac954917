//! An insertion-ordered route table keyed by [`NlriKey`] (family + path-id
//! + prefix (+ RD)), the storage of both Adj-RIBs and of watchdog groups.
//!
//! Order is that of a Python dict, which is what ExaBGP iterates: a
//! replaced route keeps its place, a removed and re-added one goes to the
//! end. Lookups are O(1), ordered iteration and removal O(log n).

use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use std::collections::{BTreeMap, HashMap};

/// Routes by key, in insertion order.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    slots: HashMap<NlriKey, (u64, Route)>,
    order: BTreeMap<u64, NlriKey>,
    next: u64,
}

impl RouteTable {
    pub fn new() -> RouteTable {
        RouteTable::default()
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    pub fn get(&self, key: &NlriKey) -> Option<&Route> {
        self.slots.get(key).map(|(_, r)| r)
    }

    pub fn contains(&self, key: &NlriKey) -> bool {
        self.slots.contains_key(key)
    }

    /// Adds or replaces the route with this key; returns the previous one.
    pub fn insert(&mut self, route: Route) -> Option<Route> {
        let key = route.key();
        match self.slots.get_mut(&key) {
            Some((_, old)) => Some(std::mem::replace(old, route)),
            None => {
                let n = self.next;
                self.next += 1;
                self.order.insert(n, key.clone());
                self.slots.insert(key, (n, route));
                None
            }
        }
    }

    pub fn remove(&mut self, key: &NlriKey) -> Option<Route> {
        let (n, route) = self.slots.remove(key)?;
        self.order.remove(&n);
        Some(route)
    }

    pub fn clear(&mut self) {
        self.slots.clear();
        self.order.clear();
    }

    /// The routes in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Route> + '_ {
        self.order
            .values()
            .filter_map(move |k| self.slots.get(k).map(|(_, r)| r))
    }

    /// Takes every route out, in insertion order.
    pub fn drain(&mut self) -> Vec<Route> {
        let order = std::mem::take(&mut self.order);
        let mut slots = std::mem::take(&mut self.slots);
        order
            .into_values()
            .filter_map(|k| slots.remove(&k).map(|(_, r)| r))
            .collect()
    }
}
