//! The announcements made to a peer before its first table went out, one
//! per NLRI *and* attribute set, in announcement order (ExaBGP's pending
//! queue; see [`crate::peer`]). Announcing a route identical to a queued
//! one moves it to the end; a withdrawal drops every queued announcement
//! of its NLRI. Every operation is O(1) amortised (a configuration of a million
//! static routes is queued route by route), so the queue is indexed by key.

use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use foldhash::HashMap;

/// Below this many removed entries the queue never compacts (small in unit
/// tests so that they reach compaction).
const MIN_COMPACT: usize = if cfg!(test) { 4 } else { 1024 };

/// Where the queued routes of one key are in the order: almost always one
/// (held inline, no allocation per key), one per attribute set otherwise.
#[derive(Debug, Clone)]
enum Positions {
    One(usize),
    Many(Vec<usize>),
}

impl Positions {
    fn as_slice(&self) -> &[usize] {
        match self {
            Positions::One(p) => std::slice::from_ref(p),
            Positions::Many(v) => v,
        }
    }

    fn push(&mut self, p: usize) {
        match self {
            Positions::One(q) => *self = Positions::Many(vec![*q, p]),
            Positions::Many(v) => v.push(p),
        }
    }
}

/// Queued announcements, in order, indexed by NLRI key.
///
/// The order is a vector (a removed announcement leaves an empty slot,
/// squeezed out once they outnumber the queued ones), the index holds each
/// key's slot numbers.
#[derive(Debug, Clone, Default)]
pub struct FirstQueue {
    order: Vec<Option<Route>>,
    by_key: HashMap<NlriKey, Positions>,
    /// Empty slots in `order`.
    holes: usize,
}

impl FirstQueue {
    /// Room for `additional` more announcements without growing.
    pub fn reserve(&mut self, additional: usize) {
        self.order.reserve(additional);
        self.by_key.reserve(additional);
    }

    /// Number of queued announcements.
    pub fn len(&self) -> usize {
        self.order.len() - self.holes
    }

    /// Queues `route` at the end, dropping an identical queued one.
    pub fn push(&mut self, route: Route) {
        let at = self.order.len();
        let order = &mut self.order;
        let mut removed = false;
        match self.by_key.entry(route.key()) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(Positions::One(at));
            }
            std::collections::hash_map::Entry::Occupied(mut o) => {
                let positions = o.get_mut();
                let same = positions
                    .as_slice()
                    .iter()
                    .position(|p| order[*p].as_ref().is_some_and(|q| q.same_as(&route)));
                match (same, &mut *positions) {
                    (Some(_), Positions::One(p)) => {
                        order[*p] = None;
                        *p = at;
                        removed = true;
                    }
                    (Some(i), Positions::Many(v)) => {
                        order[v.remove(i)] = None;
                        v.push(at);
                        removed = true;
                    }
                    (None, _) => positions.push(at),
                }
            }
        }
        self.order.push(Some(route));
        if removed {
            self.holes += 1;
            self.compact_if_sparse();
        }
    }

    /// Drops every queued announcement of `key`.
    pub fn remove_key(&mut self, key: &NlriKey) {
        let Some(positions) = self.by_key.remove(key) else {
            return;
        };
        for p in positions.as_slice() {
            self.order[*p] = None;
            self.holes += 1;
        }
        self.compact_if_sparse();
    }

    /// Squeezes the empty slots out once they outnumber the queued
    /// announcements, keeping the order, and renumbers the index.
    fn compact_if_sparse(&mut self) {
        if self.holes < MIN_COMPACT || self.holes <= self.order.len() - self.holes {
            return;
        }
        self.order.retain(Option::is_some);
        self.holes = 0;
        self.by_key.clear();
        for (n, route) in self.order.iter().enumerate() {
            let key = route.as_ref().map(Route::key).expect("compacted");
            match self.by_key.entry(key) {
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(Positions::One(n));
                }
                std::collections::hash_map::Entry::Occupied(mut o) => o.get_mut().push(n),
            }
        }
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        *self = FirstQueue::default();
    }

    /// True when a route identical to `route` is queued.
    pub fn holds(&self, route: &Route) -> bool {
        self.by_key.get(&route.key()).is_some_and(|positions| {
            positions
                .as_slice()
                .iter()
                .any(|p| self.order[*p].as_ref().is_some_and(|q| q.same_as(route)))
        })
    }

    /// The queued routes, in order.
    pub fn into_routes(self) -> impl Iterator<Item = Route> {
        self.order.into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::attribute::Attributes;
    use ferrobgp_wire::nlri::Prefix;
    use ferrobgp_wire::route::NextHop;
    use std::sync::Arc;

    fn route(prefix: &str, med: Option<u32>) -> Route {
        let attributes = Attributes {
            med,
            ..Default::default()
        };
        Route::new(
            Prefix::unicast(prefix.parse().expect("prefix")),
            NextHop::V4("192.0.2.1".parse().expect("ip")),
            Arc::new(attributes),
        )
    }

    fn queued(q: &FirstQueue) -> Vec<(String, Option<u32>)> {
        q.clone()
            .into_routes()
            .map(|r| (r.nlri.to_string(), r.attributes.med))
            .collect()
    }

    #[test]
    fn one_entry_per_nlri_and_attribute_set_the_latest_last() {
        let mut q = FirstQueue::default();
        q.push(route("10.0.0.0/24", Some(1)));
        q.push(route("10.0.1.0/24", None));
        q.push(route("10.0.0.0/24", Some(2)));
        q.push(route("10.0.0.0/24", Some(1)));
        assert_eq!(
            queued(&q),
            [
                ("10.0.1.0/24".to_owned(), None),
                ("10.0.0.0/24".to_owned(), Some(2)),
                ("10.0.0.0/24".to_owned(), Some(1)),
            ]
        );
        assert!(q.holds(&route("10.0.0.0/24", Some(2))));
        assert!(!q.holds(&route("10.0.0.0/24", Some(3))));
    }

    #[test]
    fn a_withdrawal_drops_every_attribute_set_of_its_nlri() {
        let mut q = FirstQueue::default();
        q.push(route("10.0.0.0/24", Some(1)));
        q.push(route("10.0.0.0/24", Some(2)));
        q.push(route("10.0.1.0/24", None));
        q.remove_key(&route("10.0.0.0/24", None).key());
        assert_eq!(queued(&q), [("10.0.1.0/24".to_owned(), None)]);
        q.clear();
        assert!(queued(&q).is_empty());
    }

    /// Random pushes and withdrawals against a plain model (a vector in
    /// announcement order): same order, same answers, through compaction.
    #[test]
    fn matches_a_model_through_compaction() {
        use proptest::prelude::*;
        let op = (0u8..4, 0u8..6, 0u8..3);
        proptest!(|(ops in proptest::collection::vec(op, 0..300))| {
            let mut q = FirstQueue::default();
            let mut model: Vec<Route> = Vec::new();
            for (what, net, med) in ops {
                let r = route(&format!("10.0.{net}.0/24"), Some(u32::from(med)));
                if what == 0 {
                    q.remove_key(&r.key());
                    model.retain(|m| m.key() != r.key());
                } else {
                    q.push(r.clone());
                    model.retain(|m| !m.same_as(&r));
                    model.push(r.clone());
                }
                prop_assert!(q.holes < MIN_COMPACT || q.holes <= q.order.len() - q.holes);
                prop_assert_eq!(q.holds(&r), model.iter().any(|m| m.same_as(&r)));
                prop_assert_eq!(q.len(), model.len());
            }
            prop_assert_eq!(q.into_routes().collect::<Vec<_>>(), model);
        });
    }
}
