//! The control socket (`ferrobgp cli`): the supervisor binds a Unix stream
//! socket and hands the listening descriptor to the rib, which accepts the
//! clients here. Each client is a helper like the others, except that it
//! may address every peer (as ExaBGP's internal CLI process) and gets no
//! events: one read of a client is one batch, stamped with the same
//! daemon-wide sequence numbers as the helpers' commands, and answered with
//! the output lines, then `done` or `error`.
//!
//! A client has its own reader (which, like a helper's, waits for the
//! answer of a batch before reading again) and its own writer queue, so a
//! client that stops reading or disconnects mid-answer only loses its own
//! lines.

use super::helper_io::{take_lines, FromHelper, READ_SIZE};
use super::{Helper, HelperKey, State};
use ferrobgp_api::ack::AckState;
use ferrobgp_api::AckFormat;
use ferrobgp_ipc::{Encoder, HelperInfo};
use std::os::fd::OwnedFd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, warn};

/// Name given to control clients: it has a blank, so no `process` block
/// (whose name is one word) can share it, and no `api` block subscribes it.
pub const CLIENT_NAME: &str = "control socket";

/// Accepts clients on the listening socket `fd` and passes each connection
/// to the rib loop through `clients`. Ends when the rib loop is gone.
pub fn spawn_acceptor(
    fd: OwnedFd,
    clients: mpsc::UnboundedSender<UnixStream>,
) -> std::io::Result<()> {
    let std_listener = std::os::unix::net::UnixListener::from(fd);
    std_listener.set_nonblocking(true)?;
    let listener = UnixListener::from_std(std_listener)?;
    tokio::spawn(async move {
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    if clients.send(stream).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    // EMFILE and the like: wait a little rather than spin.
                    warn!("control socket: accept: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
            }
        }
    });
    Ok(())
}

/// Reader of one client: cuts each read into complete lines (one batch)
/// and waits for the answer before reading again; reports `Eof` at the end.
fn spawn_reader(
    mut rx: OwnedReadHalf,
    key: HelperKey,
    events: mpsc::UnboundedSender<(HelperKey, FromHelper)>,
) {
    tokio::spawn(async move {
        let mut chunk = vec![0u8; READ_SIZE];
        let mut buf: Vec<u8> = Vec::new();
        loop {
            let n = match rx.read(&mut chunk).await {
                Ok(0) | Err(_) => {
                    let _ = events.send((key, FromHelper::Eof));
                    return;
                }
                Ok(n) => n,
            };
            buf.extend_from_slice(&chunk[..n]);
            let lines = take_lines(&mut buf);
            if lines.is_empty() {
                continue;
            }
            let (done, wait) = oneshot::channel();
            if events
                .send((key, FromHelper::Batch { lines, done }))
                .is_err()
            {
                return;
            }
            if wait.await.is_err() {
                return;
            }
        }
    });
}

/// Writer of one client; ends when its queue is dropped (after writing what
/// is queued) or when the client is gone (dropping what is queued).
fn spawn_writer(
    mut tx: OwnedWriteHalf,
) -> (mpsc::UnboundedSender<Vec<u8>>, tokio::task::JoinHandle<()>) {
    let (queue, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let task = tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if tx.write_all(&bytes).await.is_err() {
                rx.close();
                while rx.recv().await.is_some() {}
                return;
            }
        }
        let _ = tx.shutdown().await;
    });
    (queue, task)
}

impl State {
    /// Registers a new control client as a helper that may address every peer.
    pub(super) fn add_control_client(&mut self, stream: UnixStream) {
        self.next_key += 1;
        let key = self.next_key;
        let (rx, tx) = stream.into_split();
        let (out, writer) = spawn_writer(tx);
        spawn_reader(rx, key, self.helper_events.clone());
        debug!("control client {key} connected");
        self.helpers.insert(
            key,
            Helper {
                // The client waits for `done`/`error`: always acknowledge.
                ack: AckState::new(true, AckFormat::Text),
                json: ferrobgp_api::json::JsonEncoder::new(self.origin.clone()),
                info: HelperInfo {
                    name: CLIENT_NAME.to_string(),
                    encoder: Encoder::Text,
                    pid: 0,
                },
                out,
                writer,
                all_peers: true,
            },
        );
    }

    /// A control client closed its end: forget it. Its reader reports the
    /// end only after its last batch was answered, and the writer still
    /// flushes what is queued.
    pub(super) fn control_client_gone(&mut self, key: HelperKey) {
        if self.helpers.get(&key).is_some_and(|h| h.all_peers) {
            debug!("control client {key} disconnected");
            self.helpers.remove(&key);
        }
    }
}
