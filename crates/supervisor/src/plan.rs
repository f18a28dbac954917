//! Pure bookkeeping over the configuration model: which configuration files
//! are active (all of them, or one at a time with `debug.rotate`), stable
//! peer ids across reloads, what a reload changes, and which neighbor an
//! incoming TCP connection belongs to.

use ferrobgp_config::{Config, LocalAddress, Neighbor, NeighborId};
use ferrobgp_ipc::{self as ipc, ConfiguredPeer, PeerId};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

/// Merges several loaded files into one model (processes and neighbors in
/// file order). A process name defined twice keeps its first definition.
pub fn merge(configs: Vec<Config>) -> Config {
    let mut out = Config {
        source: configs
            .first()
            .map(|c| c.source.clone())
            .unwrap_or_default(),
        processes: Vec::new(),
        neighbors: Vec::new(),
    };
    for c in configs {
        for p in c.processes {
            if out.process(&p.name).is_none() {
                out.processes.push(p);
            }
        }
        out.neighbors.extend(c.neighbors);
    }
    out
}

/// Gives every neighbor identity a peer id that survives reloads.
#[derive(Debug, Default)]
pub struct PeerIds {
    ids: HashMap<NeighborId, PeerId>,
    next: PeerId,
}

/// A loaded configuration split by who keeps what.
#[derive(Debug)]
pub struct Split {
    /// Each neighbor's session settings by peer id, without routes: the
    /// supervisor keeps these (and the workers get theirs).
    pub peers: BTreeMap<PeerId, Neighbor>,
    /// Each neighbor whole, routes included, serialized once: what every
    /// rib started (or reloaded) is given. The supervisor never holds a
    /// parsed route: a million static routes cost it 845 MB parsed,
    /// against about 40 MB serialized.
    pub rib_peers: Vec<ConfiguredPeer>,
}

impl PeerIds {
    /// Gives each neighbor of `config` its id (new identities get new
    /// ids) and takes the routes out of `config`: see [`Split`]. A
    /// neighbor listed twice keeps its last definition.
    pub fn assign(&mut self, config: &mut Config) -> ipc::Result<Split> {
        let mut peers = BTreeMap::new();
        let mut rib_peers = BTreeMap::new();
        for n in &mut config.neighbors {
            let id = *self.ids.entry(n.id.clone()).or_insert_with(|| {
                self.next += 1;
                self.next
            });
            // the routes after the rest, so that the rib converts them one
            // by one as it decodes them (ConfigPayload::to_streamed)
            let routes = std::mem::take(&mut n.routes);
            let neighbor = ipc::ConfigPayload::of_streamed(&*n, &routes)?;
            drop(routes);
            // the route sections' text (the supervisor's own load keeps
            // them unparsed) is the rib's too
            n.route_text = Vec::new();
            rib_peers.insert(
                id,
                ConfiguredPeer {
                    id,
                    peer_address: n.peer_address.addr(),
                    neighbor,
                },
            );
            peers.insert(id, n.clone());
        }
        Ok(Split {
            peers,
            rib_peers: rib_peers.into_values().collect(),
        })
    }
}

/// What a reload does to the session workers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Diff {
    pub added: Vec<PeerId>,
    pub removed: Vec<PeerId>,
    /// Same identity, different session settings: restart the worker.
    pub changed: Vec<PeerId>,
}

/// True when two versions of a neighbor need different sessions. Routes
/// (which [`PeerIds::assign`] has already taken out) and `api` bindings are
/// the rib's business: a change there is sent as UPDATEs on the running
/// session, as ExaBGP does.
fn session_differs(a: &Neighbor, b: &Neighbor) -> bool {
    let strip = |n: &Neighbor| {
        let mut n = n.clone();
        n.api.clear();
        n.line = 0;
        n.source = Default::default();
        n
    };
    strip(a) != strip(b)
}

pub fn diff(old: &BTreeMap<PeerId, Neighbor>, new: &BTreeMap<PeerId, Neighbor>) -> Diff {
    let mut d = Diff::default();
    for (id, n) in new {
        match old.get(id) {
            None => d.added.push(*id),
            Some(o) if session_differs(o, n) => d.changed.push(*id),
            Some(_) => {}
        }
    }
    d.removed = old
        .keys()
        .filter(|id| !new.contains_key(id))
        .copied()
        .collect();
    d
}

/// `::ffff:a.b.c.d` (from a dual-stack listener) is the IPv4 address it maps.
pub fn canonical_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => ip,
        },
        v4 => v4,
    }
}

/// The neighbor an incoming connection from `remote` to `local` belongs to:
/// its peer address (or range) contains the source and its local address is
/// `auto` or the destination. The most specific range wins.
pub fn match_incoming(
    peers: &BTreeMap<PeerId, Neighbor>,
    remote: IpAddr,
    local: IpAddr,
) -> Option<PeerId> {
    let remote = canonical_ip(remote);
    let local = canonical_ip(local);
    peers
        .iter()
        .filter(|(_, n)| n.peer_address.contains(&remote))
        .filter(|(_, n)| match n.local_address {
            LocalAddress::Auto => true,
            LocalAddress::Ip(a) => a == local,
        })
        .max_by_key(|(id, n)| (n.peer_address.prefix_len(), std::cmp::Reverse(**id)))
        .map(|(id, _)| *id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_config::{load_str, LoadOptions};
    use std::path::Path;

    fn config(text: &str) -> Config {
        load_str(Path::new("t.conf"), text, &LoadOptions::default())
            .expect("valid configuration")
            .config
    }

    const TWO: &str = r#"
neighbor 10.0.0.1 { router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2; }
neighbor 10.0.0.0/24 { router-id 1.1.1.1; local-address auto; local-as 1; peer-as 3; passive; }
"#;

    #[test]
    fn incoming_connections_match_the_most_specific_neighbor() {
        let mut ids = PeerIds::default();
        let peers = ids.assign(&mut config(TWO)).expect("serializes").peers;
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            match_incoming(&peers, ip("10.0.0.1"), ip("10.0.0.254")),
            Some(1)
        );
        // wrong destination for the host neighbor: the range takes it
        assert_eq!(
            match_incoming(&peers, ip("10.0.0.1"), ip("10.0.0.9")),
            Some(2)
        );
        assert_eq!(
            match_incoming(&peers, ip("10.0.0.77"), ip("10.0.0.9")),
            Some(2)
        );
        assert_eq!(
            match_incoming(&peers, ip("::ffff:10.0.0.77"), ip("::ffff:10.0.0.9")),
            Some(2)
        );
        assert_eq!(
            match_incoming(&peers, ip("10.0.1.1"), ip("10.0.0.254")),
            None
        );
    }

    #[test]
    fn peer_ids_survive_reloads_and_diff_sees_changes() {
        let mut ids = PeerIds::default();
        let old = ids.assign(&mut config(TWO)).expect("serializes").peers;
        let changed = TWO.replace("peer-as 3; passive;", "peer-as 3; passive; hold-time 30;");
        let added = format!(
            "{changed}\nneighbor 10.9.9.9 {{ router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 9; }}\n"
        );
        let new = ids.assign(&mut config(&added)).expect("serializes").peers;
        assert_eq!(new.keys().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
        let d = diff(&old, &new);
        assert_eq!(d.added, vec![3]);
        assert_eq!(d.changed, vec![2]);
        assert!(d.removed.is_empty());
        let rerouted = TWO.replace(
            "peer-as 2; }",
            "peer-as 2; static { route 10.1.0.0/24 next-hop 10.0.0.254; } }",
        );
        let with_route = ids
            .assign(&mut config(&rerouted))
            .expect("serializes")
            .peers;
        assert!(
            diff(&old, &with_route).changed.is_empty(),
            "routes alone restart nothing"
        );
        let only_first = ids
            .assign(&mut config(
                "neighbor 10.0.0.1 { router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2; }",
            ))
            .expect("serializes")
            .peers;
        assert_eq!(diff(&new, &only_first).removed, vec![2, 3]);
    }

    #[test]
    fn the_routes_go_to_the_rib_serialized_and_nowhere_else() {
        let mut ids = PeerIds::default();
        let text = TWO.replace(
            "peer-as 2; }",
            "peer-as 2; static { route 10.1.0.0/24 next-hop 10.0.0.254; route 10.2.0.0/24 next-hop 10.0.0.254; } }",
        );
        let mut c = config(&text);
        assert_eq!(c.neighbors[0].routes.len(), 2);
        let configured = c.neighbors[0].routes.clone();
        let split = ids.assign(&mut c).expect("serializes");
        assert!(c.neighbors.iter().all(|n| n.routes.is_empty()));
        assert!(split.peers.values().all(|n| n.routes.is_empty()));
        let ids_sent: Vec<PeerId> = split.rib_peers.iter().map(|p| p.id).collect();
        assert_eq!(ids_sent, vec![1, 2]);
        let mut routes = Vec::new();
        let mut first: Neighbor = split.rib_peers[0]
            .neighbor
            .to_streamed(|r| routes.push(r))
            .expect("a neighbor, then its routes");
        assert!(first.routes.is_empty());
        assert_eq!(routes.len(), 2);
        first.routes = routes;
        assert_eq!(
            split.rib_peers[0].peer_address,
            "10.0.0.1".parse::<IpAddr>().unwrap()
        );
        assert_eq!(first.routes, configured);
        let mut without_routes = first.clone();
        without_routes.routes.clear();
        assert_eq!(without_routes, split.peers[&1]);
    }

    #[test]
    fn merge_keeps_the_first_definition_of_a_process() {
        let a = config("process p { run /bin/cat; encoder text; }\nneighbor 10.0.0.1 { router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2; }");
        let b = config(
            "process p { run /bin/true; encoder json; }\nprocess q { run /bin/cat; encoder text; }",
        );
        let m = merge(vec![a, b]);
        assert_eq!(m.processes.len(), 2);
        assert_eq!(m.processes[0].argv, vec!["/bin/cat".to_string()]);
        assert_eq!(m.neighbors.len(), 1);
    }
}
