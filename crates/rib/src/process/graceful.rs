//! The receiving side of graceful restart (RFC 4724 4.2), for the
//! Adj-RIB-In: a peer that announced graceful restart (and to which we
//! announced it) and then closed its connection with no NOTIFICATION is
//! restarting, so its routes stay in `show adj-rib in`, as stale, until it
//! sends them again, its End-of-RIB for their family, or its restart time
//! passed. Helpers are told what ExaBGP 5.0.15 tells them: `down`, then
//! whatever the new session brings; no withdrawal is made up for a stale
//! route that goes.

use super::*;
use ferrobgp_wire::capability::cap_064_graceful_restart::FORWARDING_STATE;
use std::time::{Duration, Instant};

impl State {
    /// The session of `peer` ended: its Adj-RIB-In is forgotten, or kept as
    /// stale when this was a graceful restart of the peer.
    pub(super) fn adj_rib_in_down(&mut self, peer: PeerId, peer_closed: bool) {
        let gr = self
            .peers
            .get(&peer)
            .and_then(|p| p.session.negotiated.as_ref())
            .and_then(|n| n.graceful_restart.clone())
            .filter(|_| peer_closed);
        let Some(r) = self.table.peer_mut(peer) else {
            return;
        };
        match gr {
            Some(gr) => {
                let families: Vec<_> = gr.families.iter().map(|f| f.family).collect();
                let until = Instant::now() + Duration::from_secs(u64::from(gr.time));
                r.session_down_graceful(&families, until);
                if r.adj_in.stale_len() > 0 {
                    info!(
                        peer,
                        "peer restarting: {} route(s) kept as stale for up to {} s",
                        r.adj_in.stale_len(),
                        gr.time
                    );
                }
            }
            None => r.session_down(),
        }
    }

    /// The session of `peer` is up again: stale routes of a family its new
    /// OPEN does not keep (no graceful restart, family missing, forwarding
    /// state bit clear) go now; the others wait for its End-of-RIB.
    pub(super) fn adj_rib_in_up(&mut self, peer: PeerId) {
        let keep: Vec<_> = self
            .peers
            .get(&peer)
            .and_then(|p| p.session.negotiated.as_ref())
            .and_then(|n| n.graceful_restart.as_ref())
            .map(|gr| {
                gr.families
                    .iter()
                    .filter(|f| f.flags & FORWARDING_STATE != 0)
                    .map(|f| f.family)
                    .collect()
            })
            .unwrap_or_default();
        if let Some(r) = self.table.peer_mut(peer) {
            let gone = r.adj_in.keep_stale_only(&keep);
            if gone > 0 {
                info!(peer, "{gone} stale route(s) not kept by the new session");
            }
        }
    }

    /// An End-of-RIB for `family` from `peer`: its stale routes of that
    /// family that it did not send again go.
    pub(super) fn adj_rib_in_eor(&mut self, peer: PeerId, family: ferrobgp_wire::Family) {
        if let Some(r) = self.table.peer_mut(peer) {
            let gone = r.adj_in.end_of_rib(family);
            if gone > 0 {
                info!(peer, "End-of-RIB: {gone} stale route(s) withdrawn");
            }
        }
    }

    /// Stale routes whose restart time passed go (called every tick).
    pub(super) fn expire_stale(&mut self) {
        let now = Instant::now();
        let peers: Vec<PeerId> = self.peers.keys().copied().collect();
        for peer in peers {
            if let Some(r) = self.table.peer_mut(peer) {
                let gone = r.adj_in.expire_stale(now);
                if gone > 0 {
                    info!(peer, "restart time over: {gone} stale route(s) withdrawn");
                }
            }
        }
    }
}
