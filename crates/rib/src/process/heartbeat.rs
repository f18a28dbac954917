//! The rib loop's side of worker liveness ([`crate::liveness`]): on every
//! tick each linked worker gets a ping (when its last one was answered);
//! a worker past its bound is reported down at once (`show neighbor`
//! never says up for it), its pipeline is dropped, and the supervisor
//! kills and replaces it as after a crash.

use super::answers::Overload;
use super::State;
use crate::batch::PeerId;
use crate::liveness::Heartbeat;
use ferrobgp_ipc::{RibToSession, RibToSupervisor};
use std::time::{Duration, Instant};
use tracing::warn;

/// How often the heartbeats are checked.
pub const TICK: Duration = Duration::from_millis(250);

impl State {
    /// A new link to `peer`'s worker starts with a fresh heartbeat.
    pub(super) fn heartbeat_for(&self, peer: PeerId) -> Heartbeat {
        let hold = self.peers.get(&peer).map_or(0, |p| p.neighbor.hold_time);
        Heartbeat::new(crate::liveness::bound(hold))
    }

    pub(super) fn on_pong(&mut self, peer: PeerId, n: u64) {
        if let Some(h) = self.peers.get_mut(&peer).and_then(|p| p.heartbeat.as_mut()) {
            h.pong(n);
        }
    }

    /// Pings the workers, and gives up on those that stopped answering.
    /// While the supervisor takes no route-journal message (the journal
    /// gate stayed closed without progress since the last tick) the links
    /// hold every message back, pings included: no worker is judged then,
    /// and each waiting ping's time counts from when the journal moves.
    pub(super) fn heartbeat(&mut self) {
        self.expire_stale();
        let now = Instant::now();
        let behind = self.journal_gate.behind();
        let held = behind.is_some() && behind == self.journal_at_tick;
        self.journal_at_tick = behind;
        let mut hung = Vec::new();
        for (id, p) in self.peers.iter_mut() {
            let (Some((_, q)), Some(h)) = (p.link.as_ref(), p.heartbeat.as_mut()) else {
                continue;
            };
            if held {
                h.held(now);
            } else if h.hung(now) {
                hung.push(*id);
            } else if let Some(n) = h.ping(now) {
                let _ = q.send(RibToSession::Ping { n });
            }
        }
        for id in hung {
            if let Some(p) = self.peers.get_mut(&id) {
                warn!(
                    peer = id,
                    "the session worker of neighbor {} does not answer: replacing it",
                    p.neighbor.peer_address.addr()
                );
                p.heartbeat = None;
            }
            self.session_gone(id, "session worker hung");
            let _ = self.sup.send(RibToSupervisor::Hung { peer: id });
        }
        // a peer past its backlog bound that wrote nothing for the stall
        // bound is closed (not while the links were held back)
        if held {
            self.pipes.restart_watches();
        } else {
            for peer in self.pipes.stalled(now) {
                self.overloaded(peer, Overload::Stalled);
            }
        }
    }
}
