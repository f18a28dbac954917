//! The rib's end of a rib<->session channel: a writer task with its own
//! queue (a worker that stops reading never blocks the rib) and a reader
//! task that forwards every message, then the channel's end.
//!
//! The writer holds each message back until the supervisor's channel has
//! taken every route-journal message queued before it ([`JournalGate`]):
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

    /// Waits until every journal message queued so far was written; false
    /// when the supervisor channel's writer is gone.
    async fn pass(&mut self) -> bool {
        let need = self.queued.load(Ordering::SeqCst);
        need == 0 || self.written.wait_for(|w| *w >= need).await.is_ok()
    }
}

/// Starts the tasks of one link; returns the queue to the worker.
pub fn spawn_link(
    fd: OwnedFd,
    peer: PeerId,
    gen: u64,
    mut gate: JournalGate,
    events: mpsc::UnboundedSender<FromSession>,
) -> ipc::Result<mpsc::UnboundedSender<RibToSession>> {
    let (mut tx, mut rx) = Channel::<RibToSession, SessionToRib>::new(fd)?.split();
    let (queue, mut out) = mpsc::unbounded_channel::<RibToSession>();
    tokio::spawn(async move {
        while let Some(msg) = out.recv().await {
            if !gate.pass().await || tx.send(&msg).await.is_err() {
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
    Ok(queue)
}
