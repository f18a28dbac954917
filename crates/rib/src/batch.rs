//! Batches: the typed operations a batch of API commands (or the
//! configuration) applies to the selected peers, applied in one pass per
//! peer, giving per peer the net change to send and per command its result.

use crate::change::PeerChange;
use crate::error::RibError;
use crate::peer::PeerRib;
use ferrobgp_wire::route::Route;
use ferrobgp_wire::Family;
use std::collections::BTreeMap;

/// Daemon-wide peer identifier (same as `ferrobgp_ipc::PeerId`).
pub type PeerId = u32;

/// A route to announce, with its watchdog tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteEntry {
    pub route: Route,
    /// `watchdog NAME`: member of that group.
    pub watchdog: Option<String>,
    /// `withdraw` (with `watchdog`): start withdrawn.
    pub withdrawn: bool,
}

impl RouteEntry {
    pub fn plain(route: Route) -> RouteEntry {
        RouteEntry {
            route,
            watchdog: None,
            withdrawn: false,
        }
    }
}

/// One operation on the selected peers' RIBs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    Announce(Vec<RouteEntry>),
    Withdraw(Vec<Route>),
    AnnounceWatchdog(String),
    WithdrawWatchdog(String),
    /// `clear adj-rib out`
    ClearOut,
    /// `flush adj-rib out` (established peers only)
    FlushOut,
    /// `clear adj-rib in`
    ClearIn,
    /// `announce eor` (established peers only)
    Eor(Family),
    /// `announce route-refresh` (established peers only)
    RouteRefresh(Family),
}

/// One command of a batch: the peers it selected and what it does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchCommand {
    pub peers: Vec<PeerId>,
    pub op: Op,
}

/// What a batch did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BatchResult {
    /// Per affected peer (non-empty lists only, by peer id), the changes to
    /// send in this order.
    pub changes: Vec<(PeerId, Vec<PeerChange>)>,
    /// Per command, in order: applied, or why not (then it changed nothing).
    pub results: Vec<Result<(), RibError>>,
}

/// The RIBs of every peer.
#[derive(Debug, Clone, Default)]
pub struct Rib {
    peers: BTreeMap<PeerId, PeerRib>,
}

impl Rib {
    pub fn new() -> Rib {
        Rib::default()
    }

    pub fn add_peer(&mut self, id: PeerId, peer: PeerRib) {
        self.peers.insert(id, peer);
    }

    pub fn remove_peer(&mut self, id: PeerId) -> Option<PeerRib> {
        self.peers.remove(&id)
    }

    pub fn peer(&self, id: PeerId) -> Option<&PeerRib> {
        self.peers.get(&id)
    }

    pub fn peer_mut(&mut self, id: PeerId) -> Option<&mut PeerRib> {
        self.peers.get_mut(&id)
    }

    pub fn peers(&self) -> impl Iterator<Item = (PeerId, &PeerRib)> + '_ {
        self.peers.iter().map(|(id, p)| (*id, p))
    }

    fn check(&self, cmd: &BatchCommand) -> Result<(), RibError> {
        if cmd.peers.is_empty() {
            return Err(RibError::NoPeer);
        }
        if let Some(id) = cmd.peers.iter().find(|id| !self.peers.contains_key(id)) {
            return Err(RibError::UnknownPeer(*id));
        }
        if let Op::Announce(entries) = &cmd.op {
            for id in &cmd.peers {
                let Some(p) = self.peers.get(id) else {
                    continue;
                };
                if let Some((route, session)) = entries
                    .iter()
                    .find_map(|e| p.next_hop_self_refused(&e.route))
                {
                    return Err(RibError::NextHopSelfFamily { route, session });
                }
            }
        }
        // ExaBGP answers these for established peers only, `error` when none is
        if matches!(cmd.op, Op::Eor(_) | Op::RouteRefresh(_) | Op::FlushOut)
            && !cmd
                .peers
                .iter()
                .any(|id| self.peers.get(id).is_some_and(|p| p.is_established()))
        {
            return Err(RibError::NotEstablished);
        }
        Ok(())
    }

    /// Applies a batch: every valid command to each of its peers (each
    /// peer once even if selected twice), one pass per peer.
    pub fn apply_batch(&mut self, commands: &[BatchCommand]) -> BatchResult {
        let results: Vec<Result<(), RibError>> = commands.iter().map(|c| self.check(c)).collect();
        let mut per_peer: BTreeMap<PeerId, Vec<&Op>> = BTreeMap::new();
        for (cmd, result) in commands.iter().zip(&results) {
            if result.is_err() {
                continue;
            }
            let mut seen: Vec<PeerId> = Vec::with_capacity(cmd.peers.len());
            for id in &cmd.peers {
                if seen.contains(id) {
                    continue;
                }
                seen.push(*id);
                per_peer.entry(*id).or_default().push(&cmd.op);
            }
        }
        let mut changes = Vec::new();
        for (id, ops) in per_peer {
            if let Some(peer) = self.peers.get_mut(&id) {
                let c = peer.apply(ops);
                if !c.is_empty() {
                    changes.push((id, c));
                }
            }
        }
        BatchResult { changes, results }
    }
}
