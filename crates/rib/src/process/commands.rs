//! The shell around [`crate::batch_core`]: a batch of command lines from
//! one source is planned there (sequence numbers, parsing, the Adj-RIB-Out
//! changes, the replies); here its `show` commands are rendered, its
//! journal message and each affected peer's changes are sent, and the
//! replies wait in [`super::answers`]. Also what a command sends outside
//! the route tables (OPERATIONAL, flush) and the side effects it asks of
//! the supervisor.

use super::*;
use crate::batch_core;

impl State {
    /// The shell of [`crate::batch_core`]: plans the batch, renders its
    /// `show` commands, then sends what the plan says (journal message
    /// first, then each peer's changes, then the side effects) and
    /// submits the answer.
    pub(super) fn start_batch(&mut self, key: HelperKey, lines: Vec<String>) {
        let h = &self.helpers[&key];
        let process = h.info.name.clone();
        let addressable = self.addressable(&process, h.all_peers);
        let caller = crate::dispatch::Caller {
            process: &process,
            addressable: &addressable,
            version: &self.version,
        };
        let mut parsed = batch_core::parse(lines, &mut self.seq, &caller);
        self.log_notes(&process, std::mem::take(&mut parsed.notes));
        for (i, show) in std::mem::take(&mut parsed.shows) {
            parsed.replies[i].output = self.render(show);
        }
        let peers = &self.peers;
        let mut plan = batch_core::apply(parsed, &mut self.table, &mut self.resync_gone, |id| {
            peers.get(&id).map(|p| batch_core::SessionView {
                up: p.session.is_up(),
                families: &p.neighbor.families,
            })
        });
        self.after_operational(
            std::mem::take(&mut plan.asm),
            std::mem::take(&mut plan.unsent),
        );
        // journaled in the supervisor before any `done` of the batch: the
        // answer waits until the message is written to its channel
        let journal = plan.journal_seq();
        if let Some(seq) = journal {
            // queued before any change of the batch: the links hold the
            // changes back until the supervisor's channel took it
            self.journal_gate.queued(seq);
            let ops = std::mem::take(&mut plan.journal);
            let _ = self.sup.send(RibToSupervisor::Journal { seq, ops });
        }
        let sends = self.send_plan(plan.seq, std::mem::take(&mut plan.peers));
        for a in std::mem::take(&mut plan.after) {
            self.side_effect(a);
        }
        self.submit(
            key,
            plan.replies,
            plan.affects,
            &sends,
            plan.reloads,
            journal,
        );
    }

    /// The peers (with their name strings) that `process` may address.
    fn addressable(&self, process: &str, all_peers: bool) -> Vec<(PeerId, String)> {
        self.peers
            .iter()
            .filter(|(_, p)| all_peers || p.neighbor.processes().contains(&process))
            .map(|(id, p)| (*id, p.name.clone()))
            .collect()
    }

    fn log_notes(&mut self, process: &str, notes: Vec<batch_core::Note>) {
        for n in notes {
            match n {
                batch_core::Note::NotUnderstood { line, error } => self.refused.warn(format_args!(
                    "command from process \"{process}\" not understood: {:?}: {error}",
                    answers::clip(&line)
                )),
                batch_core::Note::Refused { line, error } => self.refused.warn(format_args!(
                    "command from \"{process}\" refused: {:?}: {error}",
                    answers::clip(&line)
                )),
                batch_core::Note::Debug(text) => info!("debug from \"{process}\": {text}"),
            }
        }
    }

    /// The output of a `show` command, from the table before the batch.
    fn render(&self, show: Effect) -> Vec<String> {
        match show {
            Effect::ShowAdjRib {
                peers,
                side,
                extensive,
                json: true,
            } => {
                let list: Vec<(PeerId, ferrobgp_api::show::NeighborStatus<'_>)> = peers
                    .iter()
                    .filter_map(|id| Some((*id, self.status(*id)?)))
                    .collect();
                crate::show::adj_rib_json(&self.table, side, &list, extensive)
            }
            Effect::ShowAdjRib {
                peers,
                side,
                extensive,
                json: false,
            } => {
                let list: Vec<(PeerId, std::net::IpAddr, &str)> = peers
                    .iter()
                    .filter_map(|id| {
                        self.peers
                            .get(id)
                            .map(|p| (*id, p.neighbor.peer_address.addr(), p.name.as_str()))
                    })
                    .collect();
                crate::show::adj_rib(&self.table, side, extensive, &list)
            }
            Effect::ShowNeighbor {
                peers,
                view: ferrobgp_api::NeighborView::Summary,
                json: false,
            } => self.summary(&peers),
            Effect::ShowNeighbor { peers, view, json } => self.show_neighbor(&peers, view, json),
            _ => Vec::new(),
        }
    }

    /// Sends each peer's part of a batch `seq`: its operational messages,
    /// then its changes (the whole table first after a flush). Returns
    /// what was sent, which the answer waits for.
    fn send_plan(
        &mut self,
        seq: u64,
        peers: BTreeMap<PeerId, batch_core::PeerPlan>,
    ) -> Vec<crate::pipeline::Send> {
        let mut sends = Vec::new();
        for (peer, p) in peers {
            let mut list = ipc::ChangeList::new();
            if let Some(state) = self.peers.get(&peer) {
                for m in &p.operational {
                    let message = events::operational_message(m, state.neighbor.router_id);
                    list.push(ipc::Change::Operational(message));
                }
            }
            if list.is_empty() && p.changes.is_empty() {
                continue;
            }
            // `flush adj-rib out` re-sends the whole table (see flush_list)
            list.append(if p.flush {
                self.flush_list(peer, p.changes)
            } else {
                to_ipc(p.changes)
            });
            let size = answers::size(&list);
            if self.send_ipc(peer, seq, list) {
                sends.push(crate::pipeline::Send {
                    peer,
                    seq,
                    changes: size.0,
                    bytes: size.1,
                });
            }
        }
        sends
    }

    pub(super) fn side_effect(&mut self, action: Effect) {
        match action {
            Effect::Teardown { peers, subcode } => {
                for p in peers {
                    if let Some((_, q)) = self.peers.get(&p).and_then(|p| p.link.as_ref()) {
                        let _ = q.send(RibToSession::Teardown {
                            subcode,
                            message: String::new(),
                        });
                    }
                }
            }
            Effect::Shutdown => {
                let _ = self.sup.send(RibToSupervisor::Shutdown);
            }
            Effect::Reload => {
                let _ = self.sup.send(RibToSupervisor::Reload);
            }
            Effect::Restart(None) => {
                let _ = self.sup.send(RibToSupervisor::Restart { peer: None });
            }
            Effect::Restart(Some(peers)) => {
                for p in peers {
                    let _ = self.sup.send(RibToSupervisor::Restart { peer: Some(p) });
                }
            }
            _ => {}
        }
    }

    /// Queues changes to a peer's worker; true when an ack is expected.
    pub(super) fn send_changes(&mut self, peer: PeerId, seq: u64, changes: Vec<PeerChange>) {
        self.send_untracked(peer, seq, to_ipc(changes))
    }

    /// Queues already converted changes to a peer's worker; true when an
    /// ack is expected.
    pub(super) fn send_ipc(&mut self, peer: PeerId, seq: u64, changes: ipc::ChangeList) -> bool {
        let Some((_, q)) = self.peers.get(&peer).and_then(|p| p.link.as_ref()) else {
            return false;
        };
        q.send(changes.into_message(seq)).is_ok()
    }

    /// Sends changes no answer waits for, in the peer's pipeline.
    pub(super) fn send_untracked(&mut self, peer: PeerId, seq: u64, changes: ipc::ChangeList) {
        let (changes_n, bytes) = answers::size(&changes);
        if self.send_ipc(peer, seq, changes) {
            let s = crate::pipeline::Send {
                peer,
                seq,
                changes: changes_n,
                bytes,
            };
            if self.pipes.send(s) {
                self.overloaded(peer, answers::Overload::Twice);
            }
        }
    }

    /// What a batch's operational messages leave besides the messages:
    /// the advisories kept for each peer's next session (the last per
    /// family), and the log of those not sent.
    fn after_operational(
        &mut self,
        asm: Vec<(PeerId, OperationalMessage)>,
        unsent: Vec<(PeerId, ferrobgp_wire::Family, batch_core::Unsent)>,
    ) {
        for (peer, m) in asm {
            if let Some(p) = self.peers.get_mut(&peer) {
                let message = events::operational_message(&m, p.neighbor.router_id);
                p.session.advisory(m.family, message);
            }
        }
        for (peer, family, why) in unsent {
            match why {
                batch_core::Unsent::FamilyNotConfigured => {
                    let Some(p) = self.peers.get(&peer) else {
                        continue;
                    };
                    warn!(
                        "the route family {} is not configured on neighbor {}: operational message not sent",
                        family.spaced(),
                        p.neighbor.peer_address.addr()
                    );
                }
                batch_core::Unsent::NotEstablished => debug!(
                    peer,
                    "operational message not sent: the session is not established"
                ),
            }
        }
    }

    /// The changes of a batch with `flush adj-rib out` for `peer`: the
    /// Adj-RIB-Out re-sent family by family (between BoRR and EoRR when
    /// `route-refresh` is configured), then the batch's other changes.
    pub(super) fn flush_list(&self, peer: PeerId, changes: Vec<PeerChange>) -> ipc::ChangeList {
        let (Some(p), Some(rib)) = (self.peers.get(&peer), self.table.peer(peer)) else {
            return to_ipc(changes);
        };
        if !rib.out.enabled {
            return to_ipc(changes);
        }
        let families = p.session.flush_families(&p.neighbor.families);
        let table: Vec<ferrobgp_wire::route::Route> =
            rib.out.routes().map(std::borrow::Cow::into_owned).collect();
        let markers = p.neighbor.capabilities.route_refresh;
        events::flush_resend(changes, &table, &families, markers)
    }
}
