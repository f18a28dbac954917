//! Watchdog groups (spec §1.9, §2.4): routes tagged `watchdog NAME` are
//! remembered per group, announced or withdrawn together with `announce
//! watchdog NAME` / `withdraw watchdog NAME`; `withdraw` on the route makes
//! it start withdrawn.

use crate::table::RouteTable;
use ferrobgp_wire::route::Route;
use std::collections::HashMap;

/// One group: the routes currently announced and those held back.
#[derive(Debug, Clone, Default)]
pub struct Group {
    pub announced: RouteTable,
    pub withdrawn: RouteTable,
}

/// A peer's watchdog groups by name.
#[derive(Debug, Clone, Default)]
pub struct Watchdogs {
    groups: HashMap<String, Group>,
}

impl Watchdogs {
    /// Remembers `route` in group `name`; true when it is to be announced now.
    pub fn add(&mut self, name: &str, route: &Route, start_withdrawn: bool) -> bool {
        let group = self.groups.entry(name.to_string()).or_default();
        let key = route.key();
        if start_withdrawn {
            group.announced.remove(&key);
            group.withdrawn.insert(route.clone());
            false
        } else {
            group.withdrawn.remove(&key);
            group.announced.insert(route.clone());
            true
        }
    }

    /// `announce watchdog NAME`: the held-back routes, now announced.
    pub fn announce(&mut self, name: &str) -> Vec<Route> {
        let Some(group) = self.groups.get_mut(name) else {
            return Vec::new();
        };
        let routes = group.withdrawn.drain();
        for r in &routes {
            group.announced.insert(r.clone());
        }
        routes
    }

    /// `withdraw watchdog NAME`: the announced routes, now held back.
    pub fn withdraw(&mut self, name: &str) -> Vec<Route> {
        let Some(group) = self.groups.get_mut(name) else {
            return Vec::new();
        };
        let routes = group.announced.drain();
        for r in &routes {
            group.withdrawn.insert(r.clone());
        }
        routes
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.get(name)
    }
}
