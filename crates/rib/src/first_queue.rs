//! The announcements made to a peer before its first table went out, one
//! per NLRI *and* attribute set, in announcement order (ExaBGP's pending
//! queue; see [`crate::peer`]). Announcing a route identical to a queued
//! one moves it to the end; a withdrawal drops every queued announcement
//! of its NLRI. Every operation is O(log n) (a configuration of 100,000
//! static routes is queued route by route), so the queue is indexed by key.

use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use foldhash::HashMap;
use std::collections::BTreeMap;

/// Queued announcements, in order, indexed by NLRI key.
#[derive(Debug, Clone, Default)]
pub struct FirstQueue {
    order: BTreeMap<u64, Route>,
    /// Positions in `order` of the queued routes of each key (usually one;
    /// one per attribute set announced for that NLRI).
    by_key: HashMap<NlriKey, Vec<u64>>,
    next: u64,
}

impl FirstQueue {
    /// Queues `route` at the end, dropping an identical queued one.
    pub fn push(&mut self, route: Route) {
        let positions = self.by_key.entry(route.key()).or_default();
        if let Some(i) = positions
            .iter()
            .position(|p| self.order.get(p).is_some_and(|q| q.same_as(&route)))
        {
            let old = positions.remove(i);
            self.order.remove(&old);
        }
        positions.push(self.next);
        self.order.insert(self.next, route);
        self.next += 1;
    }

    /// Drops every queued announcement of `key`.
    pub fn remove_key(&mut self, key: &NlriKey) {
        for p in self.by_key.remove(key).unwrap_or_default() {
            self.order.remove(&p);
        }
    }

    /// Drops everything.
    pub fn clear(&mut self) {
        self.order.clear();
        self.by_key.clear();
    }

    /// True when a route identical to `route` is queued.
    pub fn holds(&self, route: &Route) -> bool {
        self.by_key.get(&route.key()).is_some_and(|positions| {
            positions
                .iter()
                .any(|p| self.order.get(p).is_some_and(|q| q.same_as(route)))
        })
    }

    /// The queued routes, in order.
    pub fn into_routes(self) -> impl Iterator<Item = Route> {
        self.order.into_values()
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
}
