//! The configured peers: the configuration the supervisor sent (at `Init`
//! and at each `Reload`) loaded (`crate::configuration`), each neighbor's
//! route sections parsed (the supervisor never parses a route), and
//! installed only when every one of them parses: a configuration whose
//! routes do not parse changes nothing, and its errors go back to the
//! supervisor. The running configuration is kept as it came (the files'
//! text, packed), never its route sections.

use super::*;
use crate::static_routes::Entries;
use ferrobgp_config::RouteText;

/// A neighbor's routes as RIB entries, converted one by one as they are
/// parsed.
fn parse_neighbor(neighbor: &Neighbor) -> Result<Entries, Vec<String>> {
    let mut routes = Entries::default();
    routes.reserve_for(&neighbor.route_text);
    ferrobgp_config::parse_routes(neighbor, |r| routes.add(&r))
        .map_err(|ds| ds.iter().map(ToString::to_string).collect::<Vec<_>>())?;
    Ok(routes)
}

/// What the route sections `old` of the neighbor `was` installed that
/// `new` may no longer announce: the routes of what of them `new` does not
/// have word for word (`ferrobgp_config::route_text::removed`).
fn replaced(was: &Neighbor, old: &[RouteText], new: &Neighbor) -> Vec<crate::batch::RouteEntry> {
    let mut n = was.clone();
    n.route_text = ferrobgp_config::route_text::removed(old, &new.route_text);
    let mut routes = Entries::default();
    // They parsed when they were installed, with `was`'s families.
    let _ = ferrobgp_config::parse_routes(&n, |r| routes.add(&r));
    routes.entries
}

/// `neighbor` whole, its route sections `texts` parsed into its routes
/// (for `show neighbor configuration`).
pub(super) fn whole(neighbor: &Neighbor, texts: Option<Vec<RouteText>>) -> Option<Neighbor> {
    let mut n = neighbor.clone();
    n.route_text = texts?;
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
    entries: Vec<crate::batch::RouteEntry>,
}

/// The running configuration as the supervisor sent it.
#[derive(Debug, Default)]
pub(super) struct Running {
    pub files: Vec<ipc::ConfigFile>,
    pub peers: Vec<ipc::ConfiguredPeer>,
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
                Ok(routes) => {
                    for reason in routes.skipped {
                        warn!(
                            "neighbor {}: configured routes left out: {reason}",
                            neighbor.peer_address
                        );
                    }
                    ready.push(Ready {
                        id,
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

    /// Installs the parsed peer list of the configuration `running`: new
    /// peers get a RIB with their configured routes, known ones their new
    /// configured routes (removed ones withdrawn), peers no longer listed
    /// are dropped.
    pub(super) fn install_peers(&mut self, ready: Vec<Ready>, running: Running) {
        let mut previous = self.previous_routes(&running);
        self.running = running;
        let mut keep = BTreeSet::new();
        for r in ready {
            keep.insert(r.id);
            let old = previous.remove(&r.id);
            self.install(r, old);
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

    /// The route sections each peer has in the running configuration,
    /// loaded again from its files, when `next` has other files (the same
    /// text with the same settings gives the same sections).
    fn previous_routes(&self, next: &Running) -> BTreeMap<PeerId, Vec<RouteText>> {
        if self.peers.is_empty() || self.running.files == next.files {
            return BTreeMap::new();
        }
        crate::configuration::route_texts(&self.running.files, &self.settings, &self.running.peers)
            .unwrap_or_else(|errors| {
                // it loaded when it was installed
                warn!("the running configuration does not load again: {errors:?}");
                BTreeMap::new()
            })
    }

    /// Each peer's route sections, loaded again from the running
    /// configuration (for `show neighbor configuration`).
    pub(super) fn running_route_texts(&self) -> BTreeMap<PeerId, Vec<RouteText>> {
        crate::configuration::route_texts(&self.running.files, &self.settings, &self.running.peers)
            .unwrap_or_default()
    }

    /// Installs one new or changed peer and sends what its new routes
    /// change; `old`: its route sections in the last configuration, when
    /// that had other files.
    fn install(&mut self, r: Ready, old: Option<Vec<RouteText>>) {
        let Ready {
            id,
            mut neighbor,
            entries,
        } = r;
        // What the last configuration installed and this one may not,
        // parsed again from its text (a million configured routes are not
        // held twice): none for a new peer or unchanged routes. Every
        // configured route is announced again (identical ones send
        // nothing), which restores one an API command withdrew.
        let previous = match (old, self.peers.get(&id)) {
            (Some(old), Some(was)) if old != neighbor.route_text => {
                replaced(&was.neighbor, &old, &neighbor)
            }
            _ => Vec::new(),
        };
        // The text is the running configuration's (`show neighbor
        // configuration` loads it again).
        neighbor.route_text = Vec::new();
        match self.peers.get_mut(&id) {
            Some(existing) => {
                existing.name = events::peer_name(&neighbor);
                existing.neighbor = neighbor;
            }
            None => {
                self.table.add_peer(id, PeerRib::for_neighbor(&neighbor));
                self.peers.insert(id, Peer::new(neighbor));
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
    fn new(neighbor: Neighbor) -> Peer {
        Peer {
            name: events::peer_name(&neighbor),
            neighbor,
            link: None,
            heartbeat: None,
            session: crate::session_status::SessionStatus::new(std::time::Instant::now()),
        }
    }
}
