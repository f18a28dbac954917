//! The neighbors as `show neighbor` and `show neighbor summary` describe
//! them: configuration, session state and counters gathered for the
//! renderers of `crate::show`.

use super::*;

impl State {
    /// What `show neighbor` reports about `id`.
    pub(super) fn status(&self, id: PeerId) -> Option<ferrobgp_api::show::NeighborStatus<'_>> {
        let p = self.peers.get(&id)?;
        Some(ferrobgp_api::show::NeighborStatus {
            neighbor: &p.neighbor,
            fsm: if p.up { "established" } else { &p.fsm },
            up_for: p.up_since.filter(|_| p.up).map(|t| t.elapsed().as_secs()),
            down_for: p.down_since.elapsed().as_secs(),
            local: p.local.map(|a| a.ip()),
            remote: p.remote.map(|a| a.ip()),
            negotiated: p.negotiated.as_ref().filter(|_| p.up),
            peer_open: p.peer_open.as_ref().filter(|_| p.up),
            sent: p.sent,
            received: p.received,
        })
    }

    /// `show neighbor [summary|extensive|configuration] [IP] [json]`.
    pub(super) fn show_neighbor(
        &self,
        peers: &[PeerId],
        view: ferrobgp_api::NeighborView,
        json: bool,
    ) -> Vec<String> {
        use ferrobgp_api::NeighborView;
        let statuses = || peers.iter().filter_map(|id| self.status(*id));
        if json {
            let all: Vec<_> = statuses().collect();
            return vec![ferrobgp_api::show::neighbors_json(&all)];
        }
        match view {
            NeighborView::Extensive => statuses()
                .flat_map(|s| ferrobgp_api::show::extensive(&s))
                .collect(),
            NeighborView::Configuration => {
                // With its routes, which only the configuration's text holds.
                let mut texts = self.running_route_texts();
                peers
                    .iter()
                    .filter_map(|id| Some((*id, self.peers.get(id)?)))
                    .flat_map(|(id, p)| {
                        let whole = configured::whole(&p.neighbor, texts.remove(&id));
                        let n = whole.as_ref().unwrap_or(&p.neighbor);
                        ferrobgp_config::print::neighbor(n)
                            .lines()
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    })
                    .collect()
            }
            _ => self.summary(peers),
        }
    }

    /// `show neighbor summary`: the header and one line per peer.
    pub(super) fn summary(&self, peers: &[PeerId]) -> Vec<String> {
        let mut out = vec![ferrobgp_api::show::SUMMARY_HEADER.to_string()];
        for id in peers {
            let Some(p) = self.peers.get(id) else {
                continue;
            };
            out.push(ferrobgp_api::show::summary_line(
                &ferrobgp_api::show::SummaryRow {
                    peer_address: p.neighbor.peer_address.addr(),
                    peer_as: p
                        .negotiated
                        .as_ref()
                        .map(|n| n.peer_as)
                        .or(p.neighbor.peer_as.asn()),
                    up_for: p.up_since.filter(|_| p.up).map(|t| t.elapsed().as_secs()),
                    state: if p.up {
                        "established".into()
                    } else {
                        p.fsm.clone()
                    },
                    updates_sent: p.sent.update,
                    updates_received: p.received.update,
                },
            ));
        }
        out
    }
}
