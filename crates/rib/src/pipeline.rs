//! Per-peer pipelines: the ordering contract between command sources
//! (helpers, control clients), the peers' queues and the answers, with no
//! I/O. A batch's changes go to each affected peer's queue at once; each
//! peer's queue drains as its worker acknowledges (in sequence order), so
//! a slow peer lags only on its own queue. A source's answers are released
//! in the order its batches were submitted, each once every peer it
//! waits for has acknowledged its changes, went away, or the answer's
//! acknowledgement bound expired.
//!
//! A batch that changed what the API made of the Adj-RIB-Outs is also
//! journaled by the supervisor (see `ferrobgp_ipc::Journal`): its answer
//! waits for the batch's journal message to be written to the
//! supervisor's channel as well ([`Pipelines::journaled`], cumulative by
//! batch sequence number, as they are written in order; the supervisor
//! reads that channel to its end even after the rib died), so that a
//! `done` never reaches a source before the route it answers would
//! survive a crash of the rib. Only an expired bound releases it earlier.
//!
//! A peer's backlog (what is queued behind the entry its worker is
//! writing) is bounded in changes and bytes. A peer past its bound that
//! still acknowledges is a slow reader given a burst: it may go on up to
//! twice the bound. One past its bound that acknowledges nothing for
//! [`Bounds::stall`] ([`Pipelines::stalled`], given the time), or past
//! twice the bound ([`Pipelines::send`] and [`Pipelines::submit`]), is
//! reported; the caller closes it (RFC 9687's send hold timer) and then
//! forgets it with [`Pipelines::peer_gone`].

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::time::{Duration, Instant};

/// Daemon-wide peer identifier.
pub type PeerId = u32;
/// Sequence number of a message to a worker.
pub type Seq = u64;
/// Identifies one submitted answer.
pub type Ticket = u64;

/// How much a peer may have queued behind the entry in progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    pub changes: usize,
    pub bytes: usize,
    /// How long a peer past the bound may go without acknowledging.
    pub stall: Duration,
}

impl Bounds {
    /// Twice the bound: past it a peer is closed even while it reads.
    fn hard(self) -> Bounds {
        Bounds {
            changes: self.changes.saturating_mul(2),
            bytes: self.bytes.saturating_mul(2),
            stall: self.stall,
        }
    }
}

impl Default for Bounds {
    fn default() -> Bounds {
        Bounds {
            changes: 1_000_000,
            bytes: 256 * 1024 * 1024,
            stall: Duration::from_secs(10),
        }
    }
}

/// What is sent to one peer: its sequence number and size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Send {
    pub peer: PeerId,
    pub seq: Seq,
    pub changes: usize,
    pub bytes: usize,
}

/// Why an answer was released before every peer acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expired {
    /// Peers that had not acknowledged.
    pub peers: Vec<PeerId>,
    /// Reload outcomes still awaited.
    pub reloads: usize,
    /// The supervisor had not acknowledged the batch's journal message.
    pub journal: bool,
}

#[derive(Debug)]
struct Entry {
    seq: Seq,
    changes: usize,
    bytes: usize,
    tickets: Vec<Ticket>,
}

#[derive(Debug, Default)]
struct Queue {
    entries: VecDeque<Entry>,
    /// Totals of `entries` except the first (the backlog).
    changes: usize,
    bytes: usize,
    /// Entries acknowledged so far.
    progress: u64,
    /// Since when the backlog is past the bound without progress, and the
    /// progress then.
    watch: Option<(Instant, u64)>,
}

impl Queue {
    fn push(&mut self, e: Entry) {
        if !self.entries.is_empty() {
            self.changes += e.changes;
            self.bytes += e.bytes;
        }
        self.entries.push_back(e);
    }

    fn pop(&mut self) -> Option<Entry> {
        let e = self.entries.pop_front()?;
        if let Some(next) = self.entries.front() {
            self.changes -= next.changes;
            self.bytes -= next.bytes;
        }
        self.progress += 1;
        Some(e)
    }

    fn over(&self, b: Bounds) -> bool {
        self.changes > b.changes || self.bytes > b.bytes
    }
}

#[derive(Debug)]
struct Answer<S, R> {
    source: S,
    reply: R,
    waiting: BTreeSet<PeerId>,
    reloads: usize,
    /// Waits for the supervisor to journal this batch.
    journal: bool,
    expired: Option<Expired>,
}

impl<S, R> Answer<S, R> {
    fn releasable(&self) -> bool {
        self.expired.is_some() || (self.waiting.is_empty() && self.reloads == 0 && !self.journal)
    }
}

/// The pipelines of every peer and the answers of every source.
#[derive(Debug)]
pub struct Pipelines<S, R> {
    bounds: Bounds,
    peers: BTreeMap<PeerId, Queue>,
    answers: BTreeMap<Ticket, Answer<S, R>>,
    sources: HashMap<S, VecDeque<Ticket>>,
    /// Sources whose head answer may have become releasable.
    dirty: BTreeSet<S>,
    next: Ticket,
    /// Answers waiting for the journal, by batch sequence number, in the
    /// order their journal messages were sent.
    journal: VecDeque<(Seq, Ticket)>,
    /// Every journal message up to this batch sequence number is
    /// acknowledged.
    journaled: Seq,
}

impl<S: Copy + Ord + std::hash::Hash, R> Pipelines<S, R> {
    pub fn new(bounds: Bounds) -> Pipelines<S, R> {
        Pipelines {
            bounds,
            peers: BTreeMap::new(),
            answers: BTreeMap::new(),
            sources: HashMap::new(),
            dirty: BTreeSet::new(),
            next: 0,
            journal: VecDeque::new(),
            journaled: 0,
        }
    }

    fn push(&mut self, s: Send, tickets: Vec<Ticket>) -> bool {
        let q = self.peers.entry(s.peer).or_default();
        q.push(Entry {
            seq: s.seq,
            changes: s.changes,
            bytes: s.bytes,
            tickets,
        });
        q.over(self.bounds.hard())
    }

    /// Queues a message no answer waits for (a peer's table, a route
    /// refresh); true when the peer is now past twice its bound.
    pub fn send(&mut self, s: Send) -> bool {
        self.push(s, Vec::new())
    }

    /// Submits `source`'s answer `reply`, waiting for `sends` (one per
    /// peer), `reloads` reload outcomes and, with `journal`, the
    /// supervisor's acknowledgement of the journal message of the batch
    /// with that sequence number (sent before this call). Returns its
    /// ticket and the peers now past twice their bound.
    pub fn submit(
        &mut self,
        source: S,
        reply: R,
        sends: &[Send],
        reloads: usize,
        journal: Option<Seq>,
    ) -> (Ticket, Vec<PeerId>) {
        self.next += 1;
        let ticket = self.next;
        let mut over = Vec::new();
        let mut waiting = BTreeSet::new();
        for s in sends {
            if waiting.insert(s.peer) && self.push(*s, vec![ticket]) {
                over.push(s.peer);
            }
        }
        let journal = journal.filter(|seq| *seq > self.journaled);
        // answers released by their bound no longer wait for the journal
        while self
            .journal
            .front()
            .is_some_and(|(_, t)| !self.answers.contains_key(t))
        {
            self.journal.pop_front();
        }
        if let Some(seq) = journal {
            self.journal.push_back((seq, ticket));
        }
        self.answers.insert(
            ticket,
            Answer {
                source,
                reply,
                waiting,
                reloads,
                journal: journal.is_some(),
                expired: None,
            },
        );
        self.sources.entry(source).or_default().push_back(ticket);
        self.dirty.insert(source);
        (ticket, over)
    }

    fn release_peer(&mut self, peer: PeerId, tickets: Vec<Ticket>) {
        for t in tickets {
            if let Some(a) = self.answers.get_mut(&t) {
                a.waiting.remove(&peer);
                self.dirty.insert(a.source);
            }
        }
    }

    /// `peer`'s worker wrote everything up to `seq`.
    pub fn acked(&mut self, peer: PeerId, seq: Seq) {
        let mut done = Vec::new();
        if let Some(q) = self.peers.get_mut(&peer) {
            while q.entries.front().is_some_and(|e| e.seq <= seq) {
                if let Some(e) = q.pop() {
                    done.extend(e.tickets);
                }
            }
        }
        self.release_peer(peer, done);
    }

    /// The supervisor journaled every batch up to `seq`.
    pub fn journaled(&mut self, seq: Seq) {
        self.journaled = self.journaled.max(seq);
        while let Some(&(s, t)) = self.journal.front() {
            if s > seq {
                break;
            }
            self.journal.pop_front();
            if let Some(a) = self.answers.get_mut(&t) {
                a.journal = false;
                self.dirty.insert(a.source);
            }
        }
    }

    /// `peer`'s session (or worker) is gone: its queue is dropped, nothing
    /// waits for it any more.
    pub fn peer_gone(&mut self, peer: PeerId) {
        let Some(q) = self.peers.remove(&peer) else {
            return;
        };
        let tickets = q.entries.into_iter().flat_map(|e| e.tickets).collect();
        self.release_peer(peer, tickets);
    }

    /// The acknowledgement bound of `ticket` passed: it is released with
    /// what it still waited for. False when it was already released.
    pub fn expire(&mut self, ticket: Ticket) -> bool {
        let Some(a) = self.answers.get_mut(&ticket) else {
            return false;
        };
        if a.releasable() {
            return false;
        }
        a.expired = Some(Expired {
            peers: a.waiting.iter().copied().collect(),
            reloads: a.reloads,
            journal: a.journal,
        });
        self.dirty.insert(a.source);
        true
    }

    /// One reload outcome arrived: the oldest answer waiting for one gets
    /// it (its reply, to record the outcome in).
    pub fn reload_done(&mut self) -> Option<&mut R> {
        let a = self
            .answers
            .values_mut()
            .find(|a| a.reloads > 0 && a.expired.is_none())?;
        a.reloads -= 1;
        self.dirty.insert(a.source);
        Some(&mut a.reply)
    }

    /// Answers that can be written now: per source in submission order,
    /// each with `Some` when released early (expired).
    pub fn ready(&mut self) -> Vec<(S, R, Option<Expired>)> {
        let mut out = Vec::new();
        for source in std::mem::take(&mut self.dirty) {
            let Some(q) = self.sources.get_mut(&source) else {
                continue;
            };
            while let Some(t) = q.front() {
                match self.answers.get(t) {
                    Some(a) if !a.releasable() => break,
                    Some(_) => {
                        let a = self.answers.remove(t).expect("present");
                        out.push((source, a.reply, a.expired));
                    }
                    None => {}
                }
                q.pop_front();
            }
            if q.is_empty() {
                self.sources.remove(&source);
            }
        }
        out
    }

    /// `ticket`'s answer is not released yet.
    pub fn is_pending(&self, ticket: Ticket) -> bool {
        self.answers.contains_key(&ticket)
    }

    /// Answers of `source` not yet released.
    pub fn unanswered(&self, source: S) -> usize {
        self.sources.get(&source).map_or(0, VecDeque::len)
    }

    /// No answer of any source is waiting.
    pub fn is_idle(&self) -> bool {
        self.answers.is_empty()
    }

    /// `source` went away: its answers are dropped.
    pub fn source_gone(&mut self, source: S) {
        for t in self.sources.remove(&source).unwrap_or_default() {
            self.answers.remove(&t);
        }
    }

    /// The peers past their bound that acknowledged nothing for
    /// [`Bounds::stall`] up to `now` (called at a steady pace: a peer's
    /// stall is counted from the first call that finds it past its bound
    /// or that finds progress).
    pub fn stalled(&mut self, now: Instant) -> Vec<PeerId> {
        let bounds = self.bounds;
        let mut out = Vec::new();
        for (peer, q) in &mut self.peers {
            if !q.over(bounds) {
                q.watch = None;
                continue;
            }
            match q.watch {
                Some((since, progress)) if progress == q.progress => {
                    if now.saturating_duration_since(since) >= bounds.stall {
                        out.push(*peer);
                    }
                }
                _ => q.watch = Some((now, q.progress)),
            }
        }
        out
    }

    /// Nothing could be acknowledged for a while through no fault of the
    /// peers (the rib held their messages back): every stall is counted
    /// afresh from the next [`Pipelines::stalled`].
    pub fn restart_watches(&mut self) {
        for q in self.peers.values_mut() {
            q.watch = None;
        }
    }

    /// Messages and backlog (changes, bytes) queued for `peer`.
    pub fn queued(&self, peer: PeerId) -> (usize, usize, usize) {
        self.peers
            .get(&peer)
            .map_or((0, 0, 0), |q| (q.entries.len(), q.changes, q.bytes))
    }
}

#[cfg(test)]
mod tests;
