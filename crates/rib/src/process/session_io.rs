//! The rib's end of a rib<->session channel: a writer task with its own
//! queue (a worker that stops reading never blocks the rib) and a reader
//! task that forwards every message, then the channel's end.
//!
//! The writer holds each message back until the supervisor's channel has
//! taken every route-journal message queued before the message was
//! ([`JournalGate`], read when the message is queued, so a message never
//! waits for a later batch's journal):
//! a change is on a worker's socket only after its journal entry is in
//! the supervisor's, so when the rib dies the supervisor (which reads its
//! end to the last byte) knows every route a peer may have been sent, and
//! the next rib can resynchronise the sessions that outlived this one.

use ferrobgp_ipc::{self as ipc, Channel, PeerId, RibToSession, SessionToRib};
use std::os::fd::OwnedFd;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};

/// What a session reader reports: the peer, the link generation, the message
/// (an error ends the link).
pub type FromSession = (PeerId, u64, ipc::Result<SessionToRib>);

/// The route journal's progress towards the supervisor: the sequence
/// number of the last journal message queued, and of the last one written
/// to the supervisor's channel.
#[derive(Clone)]
pub struct JournalGate {
    queued: Arc<AtomicU64>,
    written: watch::Receiver<u64>,
}

impl JournalGate {
    /// A gate and the sender the supervisor channel's writer reports to.
    pub fn new() -> (JournalGate, watch::Sender<u64>) {
        let (tx, written) = watch::channel(0);
        let gate = JournalGate {
            queued: Arc::new(AtomicU64::new(0)),
            written,
        };
        (gate, tx)
    }

    /// A journal message with `seq` was queued for the supervisor.
    pub fn queued(&self, seq: u64) {
        self.queued.fetch_max(seq, Ordering::SeqCst);
    }

    /// The sequence number of the last journal message written to the
    /// supervisor's channel, to watch.
    pub fn written(&self) -> watch::Receiver<u64> {
        self.written.clone()
    }

    /// The last journal message queued so far.
    fn mark(&self) -> u64 {
        self.queued.load(Ordering::SeqCst)
    }

    /// The last journal message written to the supervisor's channel, when
    /// some queued one is not written yet (the links hold messages back).
    pub fn behind(&self) -> Option<u64> {
        let written = *self.written.borrow();
        (written < self.mark()).then_some(written)
    }

    /// Waits until the journal message `need` (and every one before it)
    /// was written; false when the supervisor channel's writer is gone.
    async fn pass(&mut self, need: u64) -> bool {
        need == 0 || self.written.wait_for(|w| *w >= need).await.is_ok()
    }
}

/// The rib's queue to one worker: each message is stamped with the
/// journal message it must follow.
pub struct LinkQueue {
    tx: mpsc::UnboundedSender<(u64, RibToSession)>,
    gate: JournalGate,
}

impl LinkQueue {
    /// Queues `msg`; an error when the link's writer is gone.
    pub fn send(&self, msg: RibToSession) -> Result<(), RibToSession> {
        self.tx.send((self.gate.mark(), msg)).map_err(|e| e.0 .1)
    }
}

/// Starts the tasks of one link; returns the queue to the worker.
pub fn spawn_link(
    fd: OwnedFd,
    peer: PeerId,
    gen: u64,
    gate: JournalGate,
    events: mpsc::UnboundedSender<FromSession>,
) -> ipc::Result<LinkQueue> {
    let (mut tx, mut rx) = Channel::<RibToSession, SessionToRib>::new(fd)?.split();
    let (queue, mut out) = mpsc::unbounded_channel::<(u64, RibToSession)>();
    let mut writer_gate = gate.clone();
    tokio::spawn(async move {
        while let Some((need, msg)) = out.recv().await {
            if !writer_gate.pass(need).await || tx.send(&msg).await.is_err() {
                return;
            }
        }
    });
    tokio::spawn(async move {
        loop {
            let msg = rx.recv().await.map(|(m, _)| m);
            let end = msg.is_err();
            if events.send((peer, gen, msg)).is_err() || end {
                return;
            }
        }
    });
    Ok(LinkQueue { tx: queue, gate })
}
