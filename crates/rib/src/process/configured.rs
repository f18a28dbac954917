//! The configured peers: the configuration the supervisor sent (at `Init`
//! and at each `Reload`) loaded (`crate::configuration`), each neighbor's
//! route sections parsed (the supervisor never parses a route), and
//! installed only when every one of them parses: a configuration whose
//! routes do not parse changes nothing, and its errors go back to the
//! supervisor.

use super::*;
use crate::configuration::PackedRoutes;
use crate::static_routes::Entries;

/// A neighbor's routes as RIB entries, converted one by one as they are
/// parsed, and its route sections packed.
fn parse_neighbor(neighbor: &Neighbor) -> Result<(Entries, PackedRoutes), Vec<String>> {
    let mut routes = Entries::default();
    routes.reserve_for(&neighbor.route_text);
    ferrobgp_config::parse_routes(neighbor, |r| routes.add(&r))
        .map_err(|ds| ds.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    let packed = PackedRoutes::pack(&neighbor.route_text).map_err(|e| {
        vec![format!(
            "neighbor {}: packing its routes: {e}",
            neighbor.peer_address
        )]
    })?;
    Ok((routes, packed))
}

/// What the configuration of `old` installed that `new` may no longer
/// announce: the routes of what of its route sections `new` does not
/// have word for word (`ferrobgp_config::route_text::removed`).
fn replaced(old: &PackedRoutes, new: &Neighbor) -> Vec<crate::batch::RouteEntry> {
    let Ok(old) = old.unpack() else {
        return Vec::new();
    };
    let mut n = new.clone();
    n.route_text = ferrobgp_config::route_text::removed(&old, &new.route_text);
    let mut routes = Entries::default();
    // It parsed when it was installed (the families checked are the new
    // neighbor's: a route of a family it no longer has is still withdrawn).
    let _ = ferrobgp_config::parse_routes(&n, |r| routes.add(&r));
    routes.entries
}

/// The neighbor of `peer` whole, its routes parsed (for `show neighbor
/// configuration`).
pub(super) fn configured_neighbor(peer: &Peer) -> Option<Neighbor> {
    let mut n = peer.neighbor.clone();
    n.route_text = peer.configured.unpack().ok()?;
    let mut routes = Vec::new();
    ferrobgp_config::parse_routes(&n, |r| routes.push(r)).ok()?;
    n.route_text = Vec::new();
    n.routes = routes;
    Some(n)
}

/// One peer of the new configuration, parsed, ready to install.
pub(super) struct Ready {
    id: PeerId,
    /// Its route sections still as text (for what a reload replaces).
    neighbor: Neighbor,
    configured: PackedRoutes,
    entries: Vec<crate::batch::RouteEntry>,
}

impl State {
    /// Parses every loaded neighbor's routes; when a route does not
    /// parse, returns the errors (`FILE:LINE:COLUMN: message`) and nothing
    /// is to change.
    pub(super) fn parse_peers(
        &self,
        peers: Vec<(PeerId, Neighbor)>,
    ) -> Result<Vec<Ready>, Vec<String>> {
        let mut ready = Vec::with_capacity(peers.len());
        let mut errors = Vec::new();
        for (id, neighbor) in peers {
            match parse_neighbor(&neighbor) {
                Ok((routes, configured)) => {
                    for reason in routes.skipped {
                        warn!(
                            "neighbor {}: configured routes left out: {reason}",
                            neighbor.peer_address
                        );
                    }
                    ready.push(Ready {
                        id,
                        neighbor,
                        configured,
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
            keep.insert(r.id);
            self.install(r);
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
    fn install(&mut self, r: Ready) {
        let Ready {
            id,
            mut neighbor,
            configured,
            entries,
        } = r;
        // What the last configuration installed and this one may not,
        // parsed again from its packed text (a million configured routes
        // are not held twice): none for a new peer or unchanged routes.
        // Every configured route is announced again (identical ones send
        // nothing), which restores one an API command withdrew.
        let previous = match self.peers.get(&id) {
            Some(existing) if existing.configured != configured => {
                replaced(&existing.configured, &neighbor)
            }
            _ => Vec::new(),
        };
        // The text stays packed (`show neighbor configuration`).
        neighbor.route_text = Vec::new();
        match self.peers.get_mut(&id) {
            Some(existing) => {
                existing.name = events::peer_name(&neighbor);
                existing.neighbor = neighbor;
                existing.configured = configured;
            }
            None => {
                self.table.add_peer(id, PeerRib::for_neighbor(&neighbor));
                self.peers.insert(id, Peer::new(neighbor, configured));
            }
        }
        let changes = match self.table.peer_mut(id) {
            Some(r) => r.set_static(previous, entries),
            None => Vec::new(),
        };
        if !changes.is_empty() {
            let seq = self.next_seq();
            self.send_changes(id, seq, changes);
        }
    }
}

impl Peer {
    /// A configured peer whose session has not been seen yet.
    fn new(neighbor: Neighbor, configured: PackedRoutes) -> Peer {
        Peer {
            name: events::peer_name(&neighbor),
            neighbor,
            configured,
            link: None,
            heartbeat: None,
            up: false,
            connected: false,
            local: None,
            remote: None,
            negotiated: None,
            up_since: None,
            fsm: "idle".into(),
            asm: BTreeMap::new(),
            asm_replay: Vec::new(),
            down_since: std::time::Instant::now(),
            peer_open: None,
            sent: Default::default(),
            received: Default::default(),
            tally: Default::default(),
        }
    }
}
