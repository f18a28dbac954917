//! The configuration's routes of a neighbor (`static`, `announce`) in the
//! peer's Adj-RIB-Out: loaded at start, and on reload diffed against the
//! previous set (removed ones withdrawn, new or changed ones announced,
//! API routes untouched; spec §2.5).

use crate::batch::{Op, RouteEntry};
use crate::change::PeerChange;
use crate::peer::PeerRib;
use ferrobgp_api::routes::AttrCache;
use ferrobgp_config::ConfigRoute;
use ferrobgp_wire::nlri::NlriKey;
use ferrobgp_wire::route::Route;
use foldhash::HashSet;

/// Configured routes converted one by one into RIB entries (as the rib
/// decodes them: the configuration's form of a million routes is never
/// held at once), equal attribute sets shared.
#[derive(Default)]
pub struct Entries {
    cache: AttrCache,
    /// The routes as RIB entries, in configuration order.
    pub entries: Vec<RouteEntry>,
    /// Why routes were left out (families without a wire NLRI type), each
    /// reason once.
    pub skipped: Vec<String>,
}

impl Entries {
    pub fn add(&mut self, r: &ConfigRoute) {
        match self.cache.convert(r) {
            Ok(a) => self.entries.push(RouteEntry {
                route: a.route,
                watchdog: a.watchdog,
                withdrawn: a.withdrawn,
            }),
            Err(e) => {
                let e = e.to_string();
                if !self.skipped.contains(&e) {
                    self.skipped.push(e);
                }
            }
        }
    }
}

/// The configured routes as RIB entries, and the reasons for the routes
/// that cannot be sent yet (families without a wire NLRI type).
pub fn entries(routes: &[ConfigRoute]) -> (Vec<RouteEntry>, Vec<String>) {
    let mut out = Entries::default();
    out.entries.reserve(routes.len());
    for r in routes {
        out.add(r);
    }
    (out.entries, out.skipped)
}

impl PeerRib {
    /// Replaces the configured routes of this peer, `previous` (what the
    /// last call installed), by `routes`: what is no longer configured is
    /// withdrawn, the rest announced (identical routes send nothing).
    /// Returns what to send now.
    ///
    /// The caller keeps the previous set (the rib, as the bytes the
    /// supervisor sent: a million configured routes are not held twice).
    pub fn set_static(
        &mut self,
        previous: Vec<RouteEntry>,
        routes: Vec<RouteEntry>,
    ) -> Vec<PeerChange> {
        // The previous routes whose NLRI the new ones do not have, indexed
        // on the smaller side (a first configuration withdraws nothing; a
        // reload changing one route of a million indexes one key).
        let gone: Vec<Route> = if previous.is_empty() {
            Vec::new()
        } else if previous.len() <= routes.len() {
            let mut left: HashSet<NlriKey> = previous.iter().map(|e| e.route.key()).collect();
            for e in &routes {
                if left.is_empty() {
                    break;
                }
                left.remove(&e.route.key());
            }
            previous
                .into_iter()
                .map(|e| e.route)
                .filter(|r| left.contains(&r.key()))
                .collect()
        } else {
            let keys: HashSet<NlriKey> = routes.iter().map(|e| e.route.key()).collect();
            previous
                .into_iter()
                .map(|e| e.route)
                .filter(|r| !keys.contains(&r.key()))
                .collect()
        };
        let ops = [Op::Withdraw(gone), Op::Announce(routes)];
        self.apply(ops.iter())
    }
}
