//! A batch of command lines from one source: each line gets its sequence
//! number, is parsed and applied to the Adj-RIB-Outs, and each affected
//! peer's net change goes on its pipeline; the replies wait in
//! [`super::answers`]. Also what a command sends outside the route tables
//! (OPERATIONAL, route refresh, flush) and the side effects it asks of the
//! supervisor.

use super::*;

impl State {
    pub(super) fn start_batch(&mut self, key: HelperKey, lines: Vec<String>) {
        let process = self.helpers[&key].info.name.clone();
        let all_peers = self.helpers[&key].all_peers;
        let addressable: Vec<(PeerId, String)> = self
            .peers
            .iter()
            .filter(|(_, p)| all_peers || p.neighbor.processes().contains(&process.as_str()))
            .map(|(id, p)| (*id, p.name.clone()))
            .collect();
        let mut replies = Vec::new();
        let mut rib_cmds: Vec<(usize, BatchCommand)> = Vec::new();
        let mut after: Vec<Effect> = Vec::new();
        let mut reloads: VecDeque<usize> = VecDeque::new();
        let mut operational: Vec<(PeerId, OperationalMessage)> = Vec::new();
        let version = self.version.clone();
        for line in lines {
            if line.trim().is_empty() {
                continue;
            }
            let seq = self.next_seq();
            let (command, outcome, output) = match ferrobgp_api::parse_line(&line) {
                Err(e) => {
                    self.refused.warn(format_args!(
                        "command from process \"{process}\" not understood: {:?}: {e}",
                        answers::clip(&line)
                    ));
                    (None, Outcome::Error(e.to_string()), Vec::new())
                }
                Ok(p) => {
                    let origin = crate::dispatch::Caller {
                        process: &process,
                        addressable: &addressable,
                        version: &version,
                    };
                    match dispatch(&p, &origin) {
                        Ok(Effect::Rib(c)) => {
                            rib_cmds.push((replies.len(), c));
                            (Some(p.command), Outcome::Done, Vec::new())
                        }
                        Ok(Effect::Output(lines)) => (Some(p.command), Outcome::Done, lines),
                        Ok(Effect::ShowAdjRib {
                            peers,
                            side,
                            extensive,
                            json: true,
                        }) => {
                            let list: Vec<(PeerId, crate::show::NeighborStatus<'_>)> = peers
                                .iter()
                                .filter_map(|id| Some((*id, self.status(*id)?)))
                                .collect();
                            let lines =
                                crate::show::adj_rib_json(&self.table, side, &list, extensive);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Effect::ShowAdjRib {
                            peers,
                            side,
                            extensive,
                            json: false,
                        }) => {
                            let list: Vec<(PeerId, std::net::IpAddr, &str)> = peers
                                .iter()
                                .filter_map(|id| {
                                    self.peers.get(id).map(|p| {
                                        (*id, p.neighbor.peer_address.addr(), p.name.as_str())
                                    })
                                })
                                .collect();
                            let lines = crate::show::adj_rib(&self.table, side, extensive, &list);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Effect::ShowNeighbor {
                            peers,
                            view: ferrobgp_api::NeighborView::Summary,
                            json: false,
                        }) => {
                            let lines = self.summary(&peers);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Effect::ShowNeighbor {
                            peers, view, json, ..
                        }) => {
                            let lines = self.show_neighbor(&peers, view, json);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Effect::Operational { peers, message }) => {
                            operational.extend(peers.into_iter().map(|id| (id, message.clone())));
                            (Some(p.command), Outcome::Done, Vec::new())
                        }
                        Ok(Effect::Debug(text)) => {
                            info!("debug from \"{process}\": {text}");
                            (Some(p.command), Outcome::Done, Vec::new())
                        }
                        Ok(Effect::Reload) => {
                            // answered once the supervisor says how it went
                            reloads.push_back(replies.len());
                            after.push(Effect::Reload);
                            let output = vec!["reload in progress".to_owned()];
                            (Some(p.command), Outcome::Done, output)
                        }
                        Ok(other) => {
                            // ExaBGP writes this line before `done`
                            let output = match &other {
                                Effect::Shutdown => vec!["shutdown in progress".to_owned()],
                                Effect::Restart(_) => vec!["restart in progress".to_owned()],
                                _ => Vec::new(),
                            };
                            after.push(other);
                            (Some(p.command), Outcome::Done, output)
                        }
                        Err(e) => {
                            self.refused.warn(format_args!(
                                "command from \"{process}\" refused: {:?}: {e}",
                                answers::clip(&line)
                            ));
                            (Some(p.command), Outcome::Error(e.to_string()), Vec::new())
                        }
                    }
                }
            };
            replies.push(Reply {
                seq,
                command,
                outcome,
                output,
            });
        }
        let seq = self.seq;
        let commands: Vec<BatchCommand> = rib_cmds.iter().map(|(_, c)| c.clone()).collect();
        // a peer still waiting for its resync may hold what this takes off
        self.note_gone(&commands, false);
        let result = self.table.apply_batch(&commands);
        // journaled in the supervisor before any `done` of the batch: the
        // answer waits for its acknowledgement (SupervisorToRib::Journaled)
        let ops = crate::journal::ops_of(&commands, &result.results);
        let journal = (!ops.is_empty()).then_some(seq);
        if !ops.is_empty() {
            // queued before any change of the batch: the links hold the
            // changes back until the supervisor's channel took it
            self.journal_gate.queued(seq);
            let _ = self.sup.send(RibToSupervisor::Journal { seq, ops });
        }
        for ((i, _), r) in rib_cmds.iter().zip(&result.results) {
            if let Err(e) = r {
                replies[*i].outcome = Outcome::Error(e.to_string());
            }
        }
        // `flush adj-rib out` re-sends the whole table (see flush_list)
        let flushed: BTreeSet<PeerId> = rib_cmds
            .iter()
            .zip(&result.results)
            .filter(|((_, c), r)| r.is_ok() && c.op == Op::FlushOut)
            .flat_map(|((_, c), _)| c.peers.iter().copied())
            .collect();
        // operational messages go first, as ExaBGP's peer loop sends them
        // before the UPDATEs of the same run
        let mut lists: BTreeMap<PeerId, ipc::ChangeList> = BTreeMap::new();
        for (peer, message) in operational {
            if let Some(c) = self.operational_for(peer, &message) {
                lists.entry(peer).or_default().push(c);
            }
        }
        for (peer, changes) in result.changes {
            let list = if flushed.contains(&peer) {
                self.flush_list(peer, changes)
            } else {
                to_ipc(changes)
            };
            lists.entry(peer).or_default().append(list);
        }
        let mut sends = Vec::new();
        for (peer, list) in lists {
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
        for a in after {
            self.side_effect(a);
        }
        let affects = rib_cmds
            .iter()
            .zip(&result.results)
            .filter(|(_, r)| r.is_ok())
            .map(|((i, c), _)| (*i, c.peers.clone()))
            .collect();
        self.submit(key, replies, affects, &sends, reloads, journal);
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
                self.overloaded(peer);
            }
        }
    }

    /// `announce operational` for one peer: the message, when the peer has
    /// its family configured (else ExaBGP logs and sends nothing) and is
    /// established. The last ASM of a family is kept for the next session.
    pub(super) fn operational_for(
        &mut self,
        peer: PeerId,
        m: &OperationalMessage,
    ) -> Option<ipc::Change> {
        let p = self.peers.get_mut(&peer)?;
        if !p.neighbor.families.contains(&m.family) {
            warn!(
                "the route family {} is not configured on neighbor {}: operational message not sent",
                m.family.spaced(),
                p.neighbor.peer_address.addr()
            );
            return None;
        }
        let message = events::operational_message(m, p.neighbor.router_id);
        if m.kind == OperationalKind::Asm {
            p.asm.insert(m.family, message.clone());
        }
        if !p.up {
            debug!(
                peer,
                "operational message not sent: the session is not established"
            );
            return None;
        }
        Some(ipc::Change::Operational(message))
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
        let mut families: Vec<ferrobgp_wire::Family> = match &p.negotiated {
            Some(n) if !n.families.is_empty() => n.families.clone(),
            _ => p.neighbor.families.clone(),
        };
        families.sort();
        families.dedup();
        let table: Vec<ferrobgp_wire::route::Route> = rib.out.routes().cloned().collect();
        let markers = p.neighbor.capabilities.route_refresh;
        events::flush_resend(changes, &table, &families, markers)
    }
}
