//! The sans-I/O core of a command batch (ARCHITECTURE.md, the ordering
//! protocol, steps 1 to 3). One source's complete lines get their sequence
//! numbers and are parsed and dispatched ([`parse`]); the route commands
//! are then applied to the Adj-RIB-Outs at once ([`apply`]). What comes
//! out is a plain [`Plan`]: each reply with its outcome and output lines,
//! per affected peer what its worker gets under the batch's sequence
//! number (operational messages first, to the selected peers that have
//! the message's family configured and are established, then the net
//! change, re-sent whole after `flush adj-rib out`), the advisories (ASM)
//! to keep for each peer's next session, the journal changes the supervisor records
//! before any `done`, the side effects for the supervisor and the workers,
//! and what the answer waits for.
//!
//! The rib process (`process/commands.rs`) is the shell: between the two
//! steps it renders the `show` commands (against the table as it was
//! before the batch), then it sends what the plan says and submits the
//! answer to [`crate::pipeline`], which releases it once every peer sent
//! to acknowledged and the journal message was taken.

use crate::batch::{BatchCommand, Op, PeerId, Rib};
use crate::change::PeerChange;
use crate::dispatch::{dispatch, Caller, Effect};
use ferrobgp_api::ack::Outcome;
use ferrobgp_api::Command;
use ferrobgp_config::route::operational::{OperationalKind, OperationalMessage};
use ferrobgp_ipc::JournalOps;
use ferrobgp_wire::route::Route;
use ferrobgp_wire::Family;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

/// The reply to one command line: written, output first, once the
/// pipelines release the batch's answer.
#[derive(Debug)]
pub struct Reply {
    pub seq: u64,
    /// None when the line did not parse.
    pub command: Option<Command>,
    pub outcome: Outcome,
    /// Lines written before `done`/`error`.
    pub output: Vec<String>,
}

/// What the shell logs about a line (at a bounded rate for refusals).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Note {
    /// The line does not parse.
    NotUnderstood { line: String, error: String },
    /// The line parses but is refused (an unknown neighbor, ...).
    Refused { line: String, error: String },
    /// `debug TEXT`.
    Debug(String),
}

/// A batch parsed and dispatched, not yet applied.
#[derive(Debug, Default)]
pub struct Parsed {
    /// The batch's sequence number: that of its last line.
    pub seq: u64,
    pub replies: Vec<Reply>,
    /// The `show` commands, by reply index, for the shell to render into
    /// their replies' output before [`apply`].
    pub shows: Vec<(usize, Effect)>,
    pub notes: Vec<Note>,
    /// Route commands, by reply index.
    rib: Vec<(usize, BatchCommand)>,
    /// `announce operational`, per peer, in command order.
    operational: Vec<(PeerId, OperationalMessage)>,
    after: Vec<Effect>,
    reloads: VecDeque<usize>,
}

/// What the core needs to know of a peer to send it an operational
/// message: ExaBGP sends one only to an established peer that has its
/// family configured.
#[derive(Debug, Clone, Copy)]
pub struct SessionView<'a> {
    /// The session is established.
    pub up: bool,
    /// The neighbor's configured families.
    pub families: &'a [Family],
}

/// Why an operational message was not sent to a selected peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// The peer does not have the message's family configured (ExaBGP
    /// logs it; an advisory is not kept either).
    FamilyNotConfigured,
    /// The session is not established.
    NotEstablished,
}

/// What one peer's worker gets from a batch, in this order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PeerPlan {
    /// Sent first, as ExaBGP's peer loop sends them before the UPDATEs of
    /// the same run (the peer has the family and is established).
    pub operational: Vec<OperationalMessage>,
    /// `flush adj-rib out` applied to this peer: the Adj-RIB-Out goes
    /// again ahead of `changes` (only with changes).
    pub flush: bool,
    /// The net change of the batch for this peer.
    pub changes: Vec<PeerChange>,
}

/// Everything a batch asks of the process.
#[derive(Debug)]
pub struct Plan {
    /// The sequence number every peer's message carries.
    pub seq: u64,
    pub replies: Vec<Reply>,
    /// Per affected peer, in peer order: each has operational messages or
    /// changes.
    pub peers: BTreeMap<PeerId, PeerPlan>,
    /// The advisories (`announce operational asm`) for peers that have
    /// their family configured, in command order: the last of a family is
    /// sent again when the peer's next session comes up.
    pub asm: Vec<(PeerId, OperationalMessage)>,
    /// The operational messages not sent, with why, for the shell's log.
    pub unsent: Vec<(PeerId, Family, Unsent)>,
    /// The journal changes (none: no journal message, nothing to wait for).
    pub journal: JournalOps,
    /// For the supervisor and the workers (teardown, shutdown, reload,
    /// restart), after the changes went out.
    pub after: Vec<Effect>,
    /// The replies of applied route commands, with the peers they chose:
    /// they turn to `error` if one of those peers does not acknowledge.
    pub affects: Vec<(usize, Vec<PeerId>)>,
    /// The replies of `reload`, each waiting for the supervisor's outcome.
    pub reloads: VecDeque<usize>,
}

impl Plan {
    /// The batch whose journal message the answer waits for.
    pub fn journal_seq(&self) -> Option<u64> {
        (!self.journal.is_empty()).then_some(self.seq)
    }
}

/// Numbers `lines` (blank ones skipped) from `seq`, the daemon-wide
/// counter, and dispatches each as `caller` may.
pub fn parse(lines: Vec<String>, seq: &mut u64, caller: &Caller<'_>) -> Parsed {
    let mut parsed = Parsed::default();
    for line in lines {
        if line.trim().is_empty() {
            continue;
        }
        *seq += 1;
        let reply = parsed.line(*seq, line, caller);
        parsed.replies.push(reply);
    }
    parsed.seq = *seq;
    parsed
}

impl Parsed {
    fn line(&mut self, seq: u64, line: String, caller: &Caller<'_>) -> Reply {
        let p = match ferrobgp_api::parse_line(&line) {
            Ok(p) => p,
            Err(e) => {
                let error = e.to_string();
                self.notes.push(Note::NotUnderstood {
                    line,
                    error: error.clone(),
                });
                return Reply {
                    seq,
                    command: None,
                    outcome: Outcome::Error(error),
                    output: Vec::new(),
                };
            }
        };
        let (outcome, output) = match dispatch(&p, caller) {
            Ok(effect) => (Outcome::Done, self.effect(effect)),
            Err(e) => {
                let error = e.to_string();
                self.notes.push(Note::Refused {
                    line,
                    error: error.clone(),
                });
                (Outcome::Error(error), Vec::new())
            }
        };
        Reply {
            seq,
            command: Some(p.command),
            outcome,
            output,
        }
    }

    /// Takes the effect of the next reply; returns the lines written
    /// before its `done`.
    fn effect(&mut self, effect: Effect) -> Vec<String> {
        let at = self.replies.len();
        match effect {
            Effect::Rib(c) => self.rib.push((at, c)),
            Effect::Output(lines) => return lines,
            show @ (Effect::ShowAdjRib { .. } | Effect::ShowNeighbor { .. }) => {
                self.shows.push((at, show))
            }
            Effect::Operational { peers, message } => self
                .operational
                .extend(peers.into_iter().map(|id| (id, message.clone()))),
            Effect::Debug(text) => self.notes.push(Note::Debug(text)),
            Effect::Reload => {
                // answered once the supervisor says how it went
                self.reloads.push_back(at);
                self.after.push(Effect::Reload);
                return vec!["reload in progress".to_owned()];
            }
            other => {
                // ExaBGP writes this line before `done`
                let output = match &other {
                    Effect::Shutdown => vec!["shutdown in progress".to_owned()],
                    Effect::Restart(_) => vec!["restart in progress".to_owned()],
                    _ => Vec::new(),
                };
                self.after.push(other);
                return output;
            }
        }
        Vec::new()
    }
}

/// Applies the batch's route commands to `table` in one pass. `resync`
/// holds, for each peer whose session may have outlived the previous rib,
/// the routes taken off it since: this batch's are added (see
/// [`crate::resync::note_taken`]). `session` tells of each peer what its
/// operational messages need (`None`: the peer is gone, nothing is sent).
pub fn apply<'a>(
    parsed: Parsed,
    table: &mut Rib,
    resync: &mut HashMap<PeerId, Vec<Route>>,
    session: impl Fn(PeerId) -> Option<SessionView<'a>>,
) -> Plan {
    let Parsed {
        seq,
        mut replies,
        rib,
        operational,
        after,
        reloads,
        ..
    } = parsed;
    let (at, commands): (Vec<usize>, Vec<BatchCommand>) = rib.into_iter().unzip();
    crate::resync::note_taken(resync, table, &commands, false);
    let result = table.apply_batch(&commands);
    let journal = crate::journal::ops_of(&commands, &result.results);
    let mut flushed = BTreeSet::new();
    let mut affects = Vec::new();
    for ((i, c), r) in at.into_iter().zip(commands).zip(&result.results) {
        match r {
            Err(e) => replies[i].outcome = Outcome::Error(e.to_string()),
            Ok(()) => {
                if c.op == Op::FlushOut {
                    flushed.extend(c.peers.iter().copied());
                }
                affects.push((i, c.peers));
            }
        }
    }
    let mut plan = Plan {
        seq,
        replies,
        peers: BTreeMap::new(),
        asm: Vec::new(),
        unsent: Vec::new(),
        journal,
        after,
        affects,
        reloads,
    };
    plan.route_operational(operational, session);
    for (peer, changes) in result.changes {
        let p = plan.peers.entry(peer).or_default();
        p.flush = flushed.contains(&peer);
        p.changes = changes;
    }
    plan.peers
        .retain(|_, p| !p.operational.is_empty() || !p.changes.is_empty());
    plan
}

impl Plan {
    /// Puts each operational message in the plan of its peer when the
    /// peer has the family configured and is established; notes the
    /// advisories to keep and the messages not sent.
    fn route_operational<'a>(
        &mut self,
        operational: Vec<(PeerId, OperationalMessage)>,
        session: impl Fn(PeerId) -> Option<SessionView<'a>>,
    ) {
        for (peer, message) in operational {
            let Some(view) = session(peer) else {
                continue;
            };
            if !view.families.contains(&message.family) {
                self.unsent
                    .push((peer, message.family, Unsent::FamilyNotConfigured));
                continue;
            }
            if message.kind == OperationalKind::Asm {
                self.asm.push((peer, message.clone()));
            }
            if !view.up {
                self.unsent
                    .push((peer, message.family, Unsent::NotEstablished));
                continue;
            }
            self.peers
                .entry(peer)
                .or_default()
                .operational
                .push(message);
        }
    }
}

#[cfg(test)]
mod tests;
