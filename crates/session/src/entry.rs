//! The entry point the `ferrobgp __session` role calls: wraps the two
//! inherited channel descriptors, waits for `Init` (the neighbor's
//! [`PeerConfig`](crate::peer::PeerConfig), built by the supervisor) and
//! runs the [`Worker`] until the neighbor is finished.

use crate::error::{Error, Result};
use crate::worker::{Links, Worker};
use ferrobgp_ipc::{Channel, RibToSession, SessionToRib, SessionToSupervisor, SupervisorToSession};
use std::os::fd::OwnedFd;

fn ipc(e: ferrobgp_ipc::Error) -> Error {
    Error::Ipc(e.to_string())
}

/// Runs one session worker on its own single-threaded tokio runtime.
/// `supervisor` is the channel to the supervisor (fd 3 by convention),
/// `rib` the channel to the rib (fd 4). Returns when the neighbor is
/// finished (stopped, or connection attempts used up; the supervisor was
/// told with `Finished`), or with an error when a channel broke.
/// `release_memory` hands freed pages back to the system (the allocator's
/// purge): the worker calls it once a large batch is written.
pub fn run_worker(supervisor: OwnedFd, rib: OwnedFd, release_memory: fn()) -> Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("tokio runtime", e))?;
    rt.block_on(run(supervisor, rib, release_memory))
}

/// [`run_worker`] inside an existing tokio runtime.
pub async fn run(supervisor: OwnedFd, rib: OwnedFd, release_memory: fn()) -> Result<()> {
    let sup: Channel<SessionToSupervisor, SupervisorToSession> =
        Channel::new(supervisor).map_err(ipc)?;
    let rib: Channel<SessionToRib, RibToSession> = Channel::new(rib).map_err(ipc)?;
    let (mut supervisor_tx, mut supervisor_rx) = sup.split();
    let (rib_tx, rib_rx) = rib.split();
    let cfg = loop {
        let (msg, _) = supervisor_rx.recv().await.map_err(ipc)?;
        match msg {
            SupervisorToSession::Init {
                mut config,
                restarted_on_request,
                ..
            } => {
                if let Some(gr) = config.open.graceful_restart.as_mut() {
                    // Spec §7.7: the R bit only when re-established on request.
                    gr.restarted = restarted_on_request;
                }
                break *config;
            }
            SupervisorToSession::Stop(_) => return Ok(()),
            SupervisorToSession::Incoming { .. }
            | SupervisorToSession::Connected { .. }
            | SupervisorToSession::ConnectFailed { .. }
            | SupervisorToSession::Rib => {
                tracing::warn!("connection handed in before Init: dropped");
            }
        }
    };
    tracing::info!(peer = %cfg.peer_address, "session worker starting");
    supervisor_tx
        .send(&SessionToSupervisor::Ready)
        .await
        .map_err(ipc)?;
    let links = Links {
        supervisor_tx,
        supervisor_rx,
        rib_tx,
        rib_rx,
    };
    let reason = Worker::new(cfg, links)
        .releasing_memory(release_memory)
        .run()
        .await?;
    tracing::info!("session worker finished: {reason}");
    Ok(())
}
