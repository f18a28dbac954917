//! The rib's answer to a scrape of the metrics endpoint: one pass over
//! the peers (their counters, the sizes the route tables keep, the
//! pipelines' backlog) and the command sources; no table is walked.

use super::*;

impl State {
    pub(super) fn metrics(&self) -> ipc::RibMetrics {
        let peers = self
            .peers
            .iter()
            .map(|(id, p)| {
                let (sent, received) = p.session.tally.totals();
                let rib = self.table.peer(*id);
                let (queue_messages, queue_changes, _) = self.pipes.queued(*id);
                ipc::PeerMetrics {
                    peer: *id,
                    address: p.neighbor.peer_address.addr(),
                    state: if p.session.is_up() {
                        "established".to_string()
                    } else {
                        p.session.fsm.to_ascii_lowercase()
                    },
                    uptime_ms: p
                        .session
                        .up_since
                        .map(|t| u64::try_from(t.elapsed().as_millis()).unwrap_or(u64::MAX)),
                    flaps: p.session.tally.flaps(),
                    sent,
                    received,
                    routes_advertised: rib.map_or(0, |r| r.out.len() as u64),
                    routes_received: rib.map_or(0, |r| r.adj_in.len() as u64),
                    queue_messages: queue_messages as u64,
                    queue_changes: queue_changes as u64,
                }
            })
            .collect();
        ipc::RibMetrics {
            peers,
            sources: self.answered.sources(),
            done_latency: self.answered.latency().clone(),
        }
    }

    /// A reload may remove `process` blocks: their command counts go too.
    pub(super) fn forget_removed_sources(&mut self) {
        let names: BTreeSet<&str> = self
            .config
            .processes
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        self.answered
            .retain(|s| s == control::CLIENT_NAME || names.contains(s));
    }
}
