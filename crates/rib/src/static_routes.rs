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
    /// Sizes the list once for the routes of `sections` (about one a `;`,
    /// more for `nlri` lists and `split`, which grow it as before): pushed
    /// one by one, a million routes (96 MB of entries) had the list grow
    /// and copy itself twenty times, 12 % of the rib's start (`perf`).
    pub fn reserve_for(&mut self, sections: &[ferrobgp_config::RouteText]) {
        let statements: usize = sections
            .iter()
            .map(|rt| rt.text.bytes().filter(|&b| b == b';').count())
            .sum();
        self.entries.reserve(statements);
    }

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_is_sized_once_for_the_statements() {
        let routes: String = (0..1000)
            .map(|i| {
                format!(
                    " route 10.0.{}.{}/32 next-hop 192.0.2.1;\n",
                    i / 256,
                    i % 256
                )
            })
            .collect();
        let text = format!("neighbor 127.0.0.2 {{\n router-id 10.0.0.1;\n local-address 127.0.0.1;\n local-as 1;\n peer-as 1;\n static {{\n{routes} }}\n}}\n");
        let opts = ferrobgp_config::LoadOptions {
            defer_routes: true,
            ..Default::default()
        };
        let loaded =
            ferrobgp_config::load_str(std::path::Path::new("t.conf"), &text, &opts).expect("loads");
        let n = &loaded.config.neighbors[0];
        let mut entries = Entries::default();
        entries.reserve_for(&n.route_text);
        let capacity = entries.entries.capacity();
        assert!(capacity >= 1000, "{capacity}");
        ferrobgp_config::parse_routes(n, |r| entries.add(&r)).expect("parses");
        assert_eq!(entries.entries.len(), 1000);
        assert_eq!(entries.entries.capacity(), capacity, "never grown");
    }
}
