//! The configured peers: the supervisor's peer list (at `Init` and at each
//! `Reload`) decoded, each neighbor's route sections parsed (the
//! supervisor keeps them as text and never parses a route), and installed
//! only when every one of them parses: a configuration whose routes do not
//! parse changes nothing, and its errors go back to the supervisor.

use super::*;
use crate::static_routes::Entries;

/// A neighbor as the supervisor sent it (see `ipc::ConfiguredPeer`),
/// without its routes, and its routes as RIB entries, converted one by one
/// as they are decoded or parsed.
fn decode_neighbor(payload: &ipc::ConfigPayload) -> Result<(Neighbor, Entries), Vec<String>> {
    let mut routes = Entries::default();
    let neighbor: Neighbor = payload
        .to_streamed(|r: ferrobgp_config::ConfigRoute| routes.add(&r))
        .map_err(|e| vec![format!("undecodable neighbor: {e}")])?;
    routes.reserve_for(&neighbor.route_text);
    ferrobgp_config::parse_routes(&neighbor, |r| routes.add(&r))
        .map_err(|ds| ds.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    Ok((neighbor, routes))
}

/// What the configuration of `old` installed that `new` may no longer
/// announce: the routes of what of its route sections `new` does not
/// have word for word (`ferrobgp_config::route_text::removed`), and any
/// routes it carried parsed.
fn replaced(old: &ipc::ConfigPayload, new: &Neighbor) -> Vec<crate::batch::RouteEntry> {
    let mut routes = Entries::default();
    let Ok(mut n) =
        old.to_streamed::<Neighbor, _>(|r: ferrobgp_config::ConfigRoute| routes.add(&r))
    else {
        return Vec::new();
    };
    n.route_text = ferrobgp_config::route_text::removed(&n.route_text, &new.route_text);
    // It parsed when it was installed.
    let _ = ferrobgp_config::parse_routes(&n, |r| routes.add(&r));
    routes.entries
}

/// The neighbor of `payload` whole, its routes parsed (for `show neighbor
/// configuration`).
pub(super) fn configured_neighbor(payload: &ipc::ConfigPayload) -> Option<Neighbor> {
    let mut routes = Vec::new();
    let mut n: Neighbor = payload.to_streamed(|r| routes.push(r)).ok()?;
    ferrobgp_config::parse_routes(&n, |r| routes.push(r)).ok()?;
    n.route_text = Vec::new();
    n.routes = routes;
    Some(n)
}

/// One peer of the new list, parsed, ready to install.
pub(super) struct Ready {
    p: ipc::ConfiguredPeer,
    neighbor: Neighbor,
    entries: Vec<crate::batch::RouteEntry>,
}

impl State {
    /// Decodes the supervisor's peer list and parses every neighbor's
    /// routes; when a route does not parse, returns the errors
    /// (`FILE:LINE:COLUMN: message`) and nothing is to change.
    pub(super) fn parse_peers(
        &self,
        peers: Vec<ipc::ConfiguredPeer>,
    ) -> Result<Vec<Ready>, Vec<String>> {
        let mut ready = Vec::with_capacity(peers.len());
        let mut errors = Vec::new();
        for p in peers {
            match decode_neighbor(&p.neighbor) {
                Ok((neighbor, routes)) => {
                    for reason in routes.skipped {
                        warn!(
                            "neighbor {}: configured routes left out: {reason}",
                            neighbor.peer_address
                        );
                    }
                    ready.push(Ready {
                        p,
                        neighbor,
                        entries: routes.entries,
                    });
                }
                Err(e) => errors.extend(e),
            }
        }
        if !errors.is_empty() {
            errors.dedup();
            return Err(errors);
        }
        Ok(ready)
    }

    /// Installs the parsed peer list: new peers get a RIB with their
    /// configured routes, known ones their new configured routes (removed
    /// ones withdrawn), peers no longer listed are dropped.
    pub(super) fn install_peers(&mut self, ready: Vec<Ready>) {
        let mut keep = BTreeSet::new();
        for r in ready {
            keep.insert(r.p.id);
            self.install(r.p, r.neighbor, r.entries);
        }
        let gone: Vec<PeerId> = self
            .peers
            .keys()
            .filter(|id| !keep.contains(id))
            .copied()
            .collect();
        for id in gone {
            self.peers.remove(&id);
            self.table.remove_peer(id);
            self.resync_gone.remove(&id);
        }
    }

    /// Installs one new or changed peer and sends what its new routes change.
    fn install(
        &mut self,
        p: ipc::ConfiguredPeer,
        neighbor: Neighbor,
        entries: Vec<crate::batch::RouteEntry>,
    ) {
        // What the last configuration installed and this one may not,
        // parsed again from its bytes (a million configured routes are not
        // held twice): none for a new peer or an unchanged one. Every
        // configured route is announced again (identical ones send
        // nothing), which restores one an API command withdrew.
        let previous = match self.peers.get(&p.id) {
            Some(existing) if existing.configured != p.neighbor => {
                replaced(&existing.configured, &neighbor)
            }
            _ => Vec::new(),
        };
        // The text stays in the payload (`show neighbor configuration`).
        let mut neighbor = neighbor;
        neighbor.route_text = Vec::new();
        let configured = p.neighbor;
        match self.peers.get_mut(&p.id) {
            Some(existing) => {
                existing.name = events::peer_name(&neighbor);
                existing.neighbor = neighbor;
                existing.configured = configured;
            }
            None => {
                self.table.add_peer(p.id, PeerRib::for_neighbor(&neighbor));
                self.peers.insert(p.id, Peer::new(neighbor, configured));
            }
        }
        let changes = match self.table.peer_mut(p.id) {
            Some(r) => r.set_static(previous, entries),
            None => Vec::new(),
        };
        if !changes.is_empty() {
            let seq = self.next_seq();
            self.send_changes(p.id, seq, changes);
        }
    }
}

impl Peer {
    /// A configured peer whose session has not been seen yet.
    fn new(neighbor: Neighbor, configured: ipc::ConfigPayload) -> Peer {
        Peer {
            name: events::peer_name(&neighbor),
            neighbor,
            configured,
            link: None,
            heartbeat: None,
            session: crate::session_status::SessionStatus::new(std::time::Instant::now()),
        }
    }
}
