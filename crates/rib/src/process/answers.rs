//! The rib loop's side of the per-peer pipelines ([`crate::pipeline`]): a
//! batch is applied and its changes queued to every affected worker at
//! once; its answers are written when the pipelines release them (every
//! affected peer wrote its changes, went away, or the ack bound passed:
//! then `error` with the reason) and, for a batch that changed API routes,
//! once the supervisor acknowledged its journal message; a peer whose backlog passes its bound is
//! closed as RFC 9687's send hold timer; a source's reader reads on while
//! fewer than [`MAX_UNANSWERED`] of its batches wait for their answers.
//! Also the limits on helper input: over-long lines and refused commands
//! are logged clipped and at a bounded rate.

use super::{HelperKey, Reply, State};
use crate::batch::PeerId;
use ferrobgp_api::ack::Outcome;
use ferrobgp_ipc::{self as ipc, RibToSession};
use ferrobgp_wire::message::operational::Operational;
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;
use tracing::warn;

/// Batches of one source that may wait for their answers before its
/// reader stops reading.
pub const MAX_UNANSWERED: usize = 1024;

/// Longest part of a refused line copied into the log.
const CLIP: usize = 200;

/// Refused input logged per second at most.
const LOG_PER_SECOND: u32 = 10;

/// The answer of one batch, as it waits in the pipelines.
pub struct Answer {
    replies: Vec<Reply>,
    /// The replies of commands that changed peers' RIBs, and their peers.
    affects: Vec<(usize, Vec<PeerId>)>,
    /// The replies of `reload` commands, in the order asked.
    reloads: VecDeque<usize>,
    /// When its lines were read (the `done` latency runs from here).
    read: Instant,
}

/// At most `LOG_PER_SECOND` warnings per second; the number left out is
/// logged with the next one let through.
#[derive(Debug)]
pub struct LogLimit {
    since: Instant,
    count: u32,
    dropped: u64,
}

impl Default for LogLimit {
    fn default() -> LogLimit {
        LogLimit {
            since: Instant::now(),
            count: 0,
            dropped: 0,
        }
    }
}

impl LogLimit {
    pub fn warn(&mut self, what: std::fmt::Arguments<'_>) {
        if self.since.elapsed() >= Duration::from_secs(1) {
            self.since = Instant::now();
            self.count = 0;
        }
        if self.count >= LOG_PER_SECOND {
            self.dropped += 1;
            return;
        }
        self.count += 1;
        if self.dropped > 0 {
            warn!("{} refused helper line(s) not logged", self.dropped);
            self.dropped = 0;
        }
        warn!("{what}");
    }
}

/// The start of `line`, for the log.
pub fn clip(line: &str) -> String {
    if line.len() <= CLIP {
        return line.to_string();
    }
    let mut end = CLIP;
    while !line.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes)", &line[..end], line.len())
}

/// Changes and approximate bytes of a list sent to a worker.
pub fn size(list: &ipc::ChangeList) -> (usize, usize) {
    let bytes: usize = list
        .changes()
        .iter()
        .map(|c| match c {
            ipc::Change::Announce { .. }
            | ipc::Change::Withdraw { .. }
            | ipc::Change::Resend { .. } => 48,
            ipc::Change::Operational(m) => match m {
                Operational::Advisory { text, .. } => text.len() + 26,
                Operational::Raw { data, .. } => data.len() + 23,
                Operational::Query { .. } | Operational::Counter { .. } => 38,
            },
            ipc::Change::Eor(_) | ipc::Change::RouteRefresh(_) => 8,
        })
        .sum();
    (list.len(), bytes + 64 * list.attributes().len())
}

/// How a peer's backlog passed its bound (see [`crate::pipeline`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Overload {
    /// Past twice the bound, reading or not.
    Twice,
    /// Past the bound, and nothing acknowledged for the stall bound.
    Stalled,
}

impl State {
    /// Queues the answer of a batch of `key` that sent `sends` and, with
    /// `journal`, the journal message of the batch with that sequence
    /// number.
    pub(super) fn submit(
        &mut self,
        key: HelperKey,
        replies: Vec<Reply>,
        affects: Vec<(usize, Vec<PeerId>)>,
        sends: &[crate::pipeline::Send],
        reloads: VecDeque<usize>,
        journal: Option<u64>,
    ) {
        let n = reloads.len();
        let answer = Answer {
            replies,
            affects,
            reloads,
            read: self.batch_read.take().unwrap_or_else(Instant::now),
        };
        let (ticket, over) = self.pipes.submit(key, answer, sends, n, journal);
        for peer in over {
            self.overloaded(peer, Overload::Twice);
        }
        // the bound is the same for every answer: due in submission order
        let due = Instant::now() + self.opts.ack_timeout;
        self.deadlines.push_back((due, ticket));
        self.write_answers();
    }

    /// The bounds of released answers are not watched any more (they
    /// leave the front of the queue as the answers are written).
    fn forget_released_deadlines(&mut self) {
        while let Some(&(_, ticket)) = self.deadlines.front() {
            if self.pipes.is_pending(ticket) {
                break;
            }
            self.deadlines.pop_front();
        }
    }

    /// Releases, as expired, the answers whose acknowledgement bound
    /// passed by `now` (checked at every heartbeat tick).
    pub(super) fn expire_due(&mut self, now: Instant) {
        let mut expired = false;
        while let Some(&(due, ticket)) = self.deadlines.front() {
            if due > now {
                break;
            }
            self.deadlines.pop_front();
            expired |= self.pipes.expire(ticket);
        }
        if expired {
            self.write_answers();
        }
    }

    /// Lets `key`'s reader read on, or holds it while too many of its
    /// batches wait for their answers.
    pub(super) fn release_reader(&mut self, key: HelperKey, done: oneshot::Sender<()>) {
        if self.pipes.unanswered(key) < MAX_UNANSWERED {
            let _ = done.send(());
        } else if let Some(h) = self.helpers.get_mut(&key) {
            h.held = Some(done);
        }
    }

    /// A line of `key` passed the length bound: dropped, answered `error`.
    pub(super) fn line_too_long(&mut self, key: HelperKey, len: usize) {
        let Some(h) = self.helpers.get(&key) else {
            return;
        };
        let name = h.info.name.clone();
        let max = self.opts.max_line;
        self.refused.warn(format_args!(
            "line from process \"{name}\" dropped: longer than {max} bytes ({len} bytes read)"
        ));
        let seq = self.next_seq();
        let reply = Reply {
            seq,
            command: None,
            outcome: Outcome::Error(format!("line longer than {max} bytes")),
            output: Vec::new(),
        };
        self.submit(key, vec![reply], Vec::new(), &[], VecDeque::new(), None);
    }

    /// The supervisor's outcome of the oldest pending `reload`: an invalid
    /// configuration answers `error`, its reason lines first.
    pub(super) fn reload_done(&mut self, error: Option<String>) {
        let Some(a) = self.pipes.reload_done() else {
            return;
        };
        if let (Some(e), Some(i)) = (error, a.reloads.pop_front()) {
            if let Some(r) = a.replies.get_mut(i) {
                r.output
                    .extend(e.lines().map(|l| format!("reload failed: {l}")));
                r.outcome = Outcome::Error(e);
            }
        } else {
            a.reloads.pop_front();
        }
        self.write_answers();
    }

    /// Every journal message up to the batch `seq` is written to the
    /// supervisor's channel (which the supervisor reads to its end even
    /// when the rib dies: the routes are journaled).
    pub(super) fn journaled(&mut self, seq: u64) {
        self.pipes.journaled(seq);
        self.write_answers();
    }

    pub(super) fn acked(&mut self, peer: PeerId, seq: u64) {
        self.pipes.acked(peer, seq);
        self.write_answers();
    }

    /// `peer`'s backlog passed its bound as `why` says: its session is
    /// closed with RFC 9687's NOTIFICATION (Send Hold Timer Expired), its
    /// queue dropped; its routes are sent in full when it comes back.
    pub(super) fn overloaded(&mut self, peer: PeerId, why: Overload) {
        let (messages, changes, bytes) = self.pipes.queued(peer);
        let Some(p) = self.peers.get(&peer) else {
            return;
        };
        let why = match why {
            Overload::Twice => "past twice the bound".to_string(),
            Overload::Stalled => format!(
                "past the bound with nothing written for {:?}",
                self.opts.peer_queue.stall
            ),
        };
        warn!(
            "neighbor {}: {messages} message(s) ({changes} changes, about {bytes} bytes) \
             waiting to be written, {why}: closing the session \
             (send hold timer expired, RFC 9687)",
            p.neighbor.peer_address.addr()
        );
        if let Some((_, q)) = p.link.as_ref() {
            let _ = q.send(RibToSession::SendHoldExpired);
        }
        self.pipes.peer_gone(peer);
        self.write_answers();
    }

    /// Writes every answer the pipelines release, each source's in order.
    pub(super) fn write_answers(&mut self) {
        self.forget_released_deadlines();
        let timeout = self.opts.ack_timeout;
        for (key, mut a, expired) in self.pipes.ready() {
            if let Some(e) = expired {
                if !e.peers.is_empty() {
                    warn!(
                        "no acknowledgement from peer(s) {:?} within {timeout:?}: answering error",
                        e.peers
                    );
                    let why = format!("not on the wire of every neighbor within {timeout:?}");
                    for (i, peers) in &a.affects {
                        if peers.iter().any(|p| e.peers.contains(p)) {
                            if let Some(r) = a.replies.get_mut(*i) {
                                r.outcome = Outcome::Error(why.clone());
                            }
                        }
                    }
                }
                if e.journal {
                    warn!("the supervisor did not journal a batch within {timeout:?}: answering error");
                    let why = format!("not journaled within {timeout:?}");
                    for (i, _) in &a.affects {
                        if let Some(r) = a.replies.get_mut(*i) {
                            r.outcome = Outcome::Error(why.clone());
                        }
                    }
                }
                for i in std::mem::take(&mut a.reloads) {
                    warn!("no outcome of the reload within {timeout:?}: answering error");
                    if let Some(r) = a.replies.get_mut(i) {
                        r.outcome =
                            Outcome::Error(format!("the reload did not finish within {timeout:?}"));
                    }
                }
            }
            let Some(h) = self.helpers.get_mut(&key) else {
                continue;
            };
            let errors = a
                .replies
                .iter()
                .filter(|r| matches!(r.outcome, Outcome::Error(_)))
                .count();
            self.answered.answered(
                &h.info.name,
                a.replies.len() as u64,
                errors as u64,
                a.read.elapsed(),
            );
            // One chunk, so one write, per command's answer (ack_pacing).
            for r in a.replies {
                let mut text = String::new();
                for l in r.output {
                    text.push_str(&l);
                    text.push('\n');
                }
                if let Some(line) = h.ack.reply(r.seq, r.command.as_ref(), &r.outcome) {
                    text.push_str(&line);
                    text.push('\n');
                }
                if !text.is_empty() {
                    let _ = h.out.send(text.into_bytes());
                }
            }
            if self.pipes.unanswered(key) < MAX_UNANSWERED {
                if let Some(done) = h.held.take() {
                    let _ = done.send(());
                }
            }
            if h.closed && self.pipes.unanswered(key) == 0 {
                self.helpers.remove(&key);
            }
        }
        self.check_drained();
    }
}
