//! The rib's end of a rib<->session channel: a writer task with its own
//! queue (a worker that stops reading never blocks the rib) and a reader
//! task that forwards every message, then the channel's end.

use ferrobgp_ipc::{self as ipc, Channel, PeerId, RibToSession, SessionToRib};
use std::os::fd::OwnedFd;
use tokio::sync::mpsc;

/// What a session reader reports: the peer, the link generation, the message
/// (an error ends the link).
pub type FromSession = (PeerId, u64, ipc::Result<SessionToRib>);

/// Starts the tasks of one link; returns the queue to the worker.
pub fn spawn_link(
    fd: OwnedFd,
    peer: PeerId,
    gen: u64,
    events: mpsc::UnboundedSender<FromSession>,
) -> ipc::Result<mpsc::UnboundedSender<RibToSession>> {
    let (mut tx, mut rx) = Channel::<RibToSession, SessionToRib>::new(fd)?.split();
    let (queue, mut out) = mpsc::unbounded_channel::<RibToSession>();
    tokio::spawn(async move {
        while let Some(msg) = out.recv().await {
            if tx.send(&msg).await.is_err() {
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
