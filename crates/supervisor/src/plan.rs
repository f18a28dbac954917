//! Pure bookkeeping over the configuration model: which configuration files
//! are active (all of them, or one at a time with `debug.rotate`), stable
//! peer ids across reloads, what a reload changes, and which neighbor an
//! incoming TCP connection belongs to.

use ferrobgp_config::{Config, LocalAddress, Neighbor, NeighborId};
use ferrobgp_ipc::{ConfiguredPeer, PeerId};
use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;

/// Gives every neighbor identity a peer id that survives reloads.
#[derive(Debug, Default)]
pub struct PeerIds {
    ids: HashMap<NeighborId, PeerId>,
    next: PeerId,
}

/// A loaded configuration's neighbors by peer id.
#[derive(Debug)]
pub struct Split {
    /// Each neighbor's session settings by peer id: the supervisor keeps
    /// these (and the workers get theirs).
    pub peers: BTreeMap<PeerId, Neighbor>,
    /// The peer id of each neighbor in the configuration's order, for the
    /// rib, which loads the same files and numbers its neighbors with it.
    pub rib_peers: Vec<ConfiguredPeer>,
}

impl PeerIds {
    /// Gives each neighbor of `config` its id (new identities get new
    /// ids). A neighbor listed twice keeps its last definition.
    pub fn assign(&mut self, config: &Config) -> Split {
        let mut peers = BTreeMap::new();
        let mut rib_peers = Vec::with_capacity(config.neighbors.len());
        for n in &config.neighbors {
            let id = *self.ids.entry(n.id.clone()).or_insert_with(|| {
                self.next += 1;
                self.next
            });
            rib_peers.push(ConfiguredPeer {
                id,
                peer_address: n.peer_address.addr(),
            });
            peers.insert(id, n.clone());
        }
        Split { peers, rib_peers }
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
/// (which the supervisor's load leaves out) and `api` bindings are
/// the rib's business: a change there is sent as UPDATEs on the running
/// session, as ExaBGP does.
fn session_differs(a: &Neighbor, b: &Neighbor) -> bool {
    let strip = |n: &Neighbor| {
        let mut n = n.clone();
        n.api.clear();
        n.routes.clear();
        n.route_text.clear();
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
        let peers = ids.assign(&config(TWO)).peers;
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
        let old = ids.assign(&config(TWO)).peers;
        let changed = TWO.replace("peer-as 3; passive;", "peer-as 3; passive; hold-time 30;");
        let added = format!(
            "{changed}\nneighbor 10.9.9.9 {{ router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 9; }}\n"
        );
        let new = ids.assign(&config(&added)).peers;
        assert_eq!(new.keys().copied().collect::<Vec<_>>(), vec![1, 2, 3]);
        let d = diff(&old, &new);
        assert_eq!(d.added, vec![3]);
        assert_eq!(d.changed, vec![2]);
        assert!(d.removed.is_empty());
        let rerouted = TWO.replace(
            "peer-as 2; }",
            "peer-as 2; static { route 10.1.0.0/24 next-hop 10.0.0.254; } }",
        );
        let with_route = ids.assign(&config(&rerouted)).peers;
        assert!(
            diff(&old, &with_route).changed.is_empty(),
            "routes alone restart nothing"
        );
        let only_first = ids
            .assign(&config(
                "neighbor 10.0.0.1 { router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2; }",
            ))
            .peers;
        assert_eq!(diff(&new, &only_first).removed, vec![2, 3]);
    }

    #[test]
    fn the_rib_gets_the_id_of_each_neighbor_in_order() {
        let mut ids = PeerIds::default();
        let first = ids.assign(&config(TWO));
        let again = format!(
            "{TWO}\nneighbor 10.9.9.9 {{ router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 9; }}\n"
        );
        let mut twice = Config::merge(vec![config(&again), config(TWO)]);
        twice.neighbors[3].hold_time = 30;
        let split = ids.assign(&twice);
        let sent: Vec<(PeerId, IpAddr)> = split
            .rib_peers
            .iter()
            .map(|p| (p.id, p.peer_address))
            .collect();
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(
            first
                .rib_peers
                .iter()
                .map(|p| (p.id, p.peer_address))
                .collect::<Vec<_>>(),
            vec![(1, ip("10.0.0.1")), (2, ip("10.0.0.0"))]
        );
        // one entry per neighbor of the files, a repeated identity under
        // its id each time; the supervisor keeps the last definition
        assert_eq!(
            sent,
            vec![
                (1, ip("10.0.0.1")),
                (2, ip("10.0.0.0")),
                (3, ip("10.9.9.9")),
                (1, ip("10.0.0.1")),
                (2, ip("10.0.0.0")),
            ]
        );
        assert_eq!(split.peers.len(), 3);
        assert_eq!(split.peers[&1].hold_time, 30);
    }
}
