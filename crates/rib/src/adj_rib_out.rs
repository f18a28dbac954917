//! One peer's Adj-RIB-Out (spec §2.5): every route announced to it, from
//! the configuration and from the API, keyed by family + path-id + prefix
//! (+ RD). With `adj-rib-out` on (the default) it is the cache ExaBGP
//! compares re-announcements with and resends after a reconnect; with it
//! off it only holds what was announced and not yet sent.

use crate::table::RouteTable;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use std::borrow::Cow;

/// A peer's Adj-RIB-Out.
#[derive(Debug, Clone)]
pub struct AdjRibOut {
    /// `adj-rib-out` setting of the neighbor.
    pub enabled: bool,
    table: RouteTable,
}

impl AdjRibOut {
    pub fn new(enabled: bool) -> AdjRibOut {
        AdjRibOut {
            enabled,
            table: RouteTable::new(),
        }
    }

    /// The routes, in the order they were first announced (rebuilt from
    /// the table's packed form, or borrowed: see `Stored::route`).
    pub fn routes(&self) -> impl Iterator<Item = Cow<'_, Route>> + '_ {
        self.table.iter()
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }

    pub fn get(&self, key: &NlriKey) -> Option<Cow<'_, Route>> {
        self.table.get(key)
    }

    /// True when announcing `route` changes nothing (identical route cached).
    pub fn has_identical(&self, route: &Route) -> bool {
        self.enabled
            && self
                .table
                .get(&route.key())
                .is_some_and(|r| r.same_as(route))
    }

    /// Announces `route` unless an identical one is cached (as
    /// [`AdjRibOut::has_identical`], one lookup): `None` when nothing
    /// changed, else what it replaced.
    pub(crate) fn announce(&mut self, route: &Route) -> Option<Option<Route>> {
        let enabled = self.enabled;
        self.table
            .insert_ref_unless(route, |cached| enabled && cached.same_as(route))
    }

    pub(crate) fn reserve(&mut self, additional: usize) {
        self.table.reserve(additional);
    }

    pub(crate) fn remove(&mut self, key: &NlriKey) -> Option<Route> {
        self.table.remove(key)
    }

    pub(crate) fn drain(&mut self) -> Vec<Route> {
        self.table.drain()
    }
}
