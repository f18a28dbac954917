//! One peer's Adj-RIB-In: the routes received from it, kept when the
//! neighbor's `adj-rib-in` is on, for `show adj-rib in` and forgotten with
//! `clear adj-rib in` or when the session goes down.

use crate::table::RouteTable;
use ferrobgp_wire::nlri::Nlri;
use ferrobgp_wire::route::Route;

/// A peer's Adj-RIB-In.
#[derive(Debug, Clone)]
pub struct AdjRibIn {
    pub enabled: bool,
    table: RouteTable,
}

impl AdjRibIn {
    pub fn new(enabled: bool) -> AdjRibIn {
        AdjRibIn {
            enabled,
            table: RouteTable::new(),
        }
    }

    /// Records one received UPDATE: withdrawn NLRIs first, then announced routes.
    pub fn update<'a>(
        &mut self,
        withdrawn: impl IntoIterator<Item = &'a Nlri>,
        announced: impl IntoIterator<Item = Route>,
    ) {
        if !self.enabled {
            return;
        }
        for nlri in withdrawn {
            self.table.remove(&nlri.key());
        }
        for route in announced {
            self.table.insert(route);
        }
    }

    pub fn clear(&mut self) {
        self.table.clear();
    }

    pub fn routes(&self) -> impl Iterator<Item = &Route> + '_ {
        self.table.iter()
    }

    pub fn len(&self) -> usize {
        self.table.len()
    }

    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}
