//! The announcements made to a peer before its first table went out, one
//! per NLRI *and* attribute set, in announcement order (ExaBGP's pending
//! queue; see [`crate::peer`]). Announcing a route identical to a queued
//! one moves it to the end; a withdrawal drops every queued announcement
//! of its NLRI. Every operation is O(1) amortised (a configuration of a million
//! static routes is queued route by route), so the queue is indexed by key.

use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use foldhash::HashMap;
use std::borrow::Cow;

/// What a peer's first table will be, kept until it is handed out.
///
/// While every announcement is of a new NLRI (or withdraws one), the queue
/// is exactly the Adj-RIB-Out in its own order: a new key goes to the end
/// of both, a withdrawn one leaves both. So nothing is kept
/// ([`FirstTable::Mirror`]) until an NLRI is announced again with another
/// attribute set: the Adj-RIB-Out replaces it in place, the queue keeps the
/// earlier set and adds the new one at the end, and from then on the queue
/// is held ([`FirstTable::Queue`], built from the Adj-RIB-Out at that
/// moment). A million configured routes at start are never queued.
#[derive(Debug, Clone)]
pub enum FirstTable {
    /// The queue is the Adj-RIB-Out.
    Mirror,
    Queue(FirstQueue),
}

impl FirstTable {
    /// `route` went into the Adj-RIB-Out, replacing `replaced`; `out` is the
    /// Adj-RIB-Out after it, in order.
    pub fn announced<'a>(
        &mut self,
        route: &Route,
        replaced: Option<Route>,
        out: impl Iterator<Item = Cow<'a, Route>>,
    ) {
        match self {
            FirstTable::Mirror => {
                let Some(replaced) = replaced else {
                    return;
                };
                // the queue still has the replaced set where the route was
                let key = route.key();
                let mut queue = FirstQueue::default();
                for r in out {
                    if r.key() == key {
                        queue.push(replaced.clone());
                    } else {
                        queue.push(r.into_owned());
                    }
                }
                queue.push(route.clone());
                *self = FirstTable::Queue(queue);
            }
            FirstTable::Queue(queue) => queue.push(route.clone()),
        }
    }

    /// The routes of `key` were withdrawn.
    pub fn withdrawn(&mut self, key: &NlriKey) {
        if let FirstTable::Queue(queue) = self {
            queue.remove_key(key);
        }
    }

    /// The Adj-RIB-Out was emptied: the queue is again the Adj-RIB-Out.
    pub fn cleared(&mut self) {
        *self = FirstTable::Mirror;
    }

    /// The first table of the routes of the families `wanted` says yes to:
    /// the queued announcements still backed by the Adj-RIB-Out `out` (a
    /// queued attribute set is sent only while its NLRI is still announced),
    /// then any Adj-RIB-Out route the queue does not hold.
    pub fn into_table(
        self,
        out: &crate::adj_rib_out::AdjRibOut,
        wanted: &impl Fn(ferrobgp_wire::Family) -> bool,
    ) -> Vec<Route> {
        let queue = match self {
            FirstTable::Mirror => {
                return out
                    .routes()
                    .filter(|r| wanted(r.family()))
                    .map(Cow::into_owned)
                    .collect()
            }
            FirstTable::Queue(queue) => queue,
        };
        // An Adj-RIB-Out route identical to a queued one is in the table
        // through the queue (same NLRI: same family, and still announced).
        let missing: Vec<Route> = out
            .routes()
            .filter(|r| wanted(r.family()) && !queue.holds(r))
            .map(Cow::into_owned)
            .collect();
        let mut table: Vec<Route> = queue
            .into_routes()
            .filter(|r| wanted(r.family()) && out.get(&r.key()).is_some())
            .collect();
        table.extend(missing);
        table
    }
}

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
    /// Number of queued announcements.
    #[cfg(test)]
    fn len(&self) -> usize {
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

    /// The Adj-RIB-Out and first table as the peer drives them, random
    /// announcements (several attribute sets per NLRI), withdrawals and
    /// clears: the table kept as a mirror until it must be a queue gives the
    /// same first table as a queue kept from the start, with the
    /// Adj-RIB-Out on or off.
    #[test]
    fn a_mirror_gives_the_table_of_a_queue() {
        use crate::adj_rib_out::AdjRibOut;
        use proptest::prelude::*;
        let op = (0u8..8, 0u8..6, 0u8..3);
        proptest!(|(ops in proptest::collection::vec(op, 0..120), enabled in any::<bool>())| {
            let mut out = AdjRibOut::new(enabled);
            let mut mirror = FirstTable::Mirror;
            let mut queue = FirstTable::Queue(FirstQueue::default());
            for (what, net, med) in ops {
                let r = route(&format!("10.0.{net}.0/24"), Some(u32::from(med)));
                match what {
                    0 => {
                        out.drain();
                        mirror.cleared();
                        queue = FirstTable::Queue(FirstQueue::default());
                    }
                    1 | 2 => {
                        out.remove(&r.key());
                        mirror.withdrawn(&r.key());
                        queue.withdrawn(&r.key());
                    }
                    _ => {
                        if let Some(before) = out.announce(&r) {
                            mirror.announced(&r, before.clone(), out.routes());
                            queue.announced(&r, before, out.routes());
                        }
                    }
                }
            }
            let all = |_| true;
            prop_assert_eq!(mirror.into_table(&out, &all), queue.into_table(&out, &all));
        });
    }
}
