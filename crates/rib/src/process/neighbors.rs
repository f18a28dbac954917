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
            fsm: if p.session.is_up() {
                "established"
            } else {
                &p.session.fsm
            },
            up_for: p.session.up_since.map(|t| t.elapsed().as_secs()),
            down_for: p.session.down_since.elapsed().as_secs(),
            local: p.session.local.map(|a| a.ip()),
            remote: p.session.remote.map(|a| a.ip()),
            negotiated: p.session.negotiated.as_ref().filter(|_| p.session.is_up()),
            peer_open: p.session.peer_open.as_ref(),
            sent: p.session.sent,
            received: p.session.received,
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
                        .session
                        .negotiated
                        .as_ref()
                        .map(|n| n.peer_as)
                        .or(p.neighbor.peer_as.asn()),
                    up_for: p.session.up_since.map(|t| t.elapsed().as_secs()),
                    state: if p.session.is_up() {
                        "established".into()
                    } else {
                        p.session.fsm.clone()
                    },
                    updates_sent: p.session.sent.update,
                    updates_received: p.session.received.update,
                },
            ));
        }
        out
    }
}
