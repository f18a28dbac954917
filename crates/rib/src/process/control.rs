//! The control socket (`ferrobgp cli`): the supervisor binds a Unix stream
//! socket and hands the listening descriptor to the rib, which accepts the
//! clients here. Each client is a helper like the others, except that it
//! may address every peer (as ExaBGP's internal CLI process) and gets no
//! events: one read of a client is one batch, stamped with the same
//! daemon-wide sequence numbers as the helpers' commands, and answered with
//! the output lines, then `done` or `error`.
//!
//! A client has its own reader (which, like a helper's, waits until the
//! rib accepted a batch before reading again) and its own writer queue, so a
//! client that stops reading or disconnects mid-answer only loses its own
//! lines.

use super::helper_io::{read_batches, write_queue};
use super::{Helper, HelperKey, State};
use ferrobgp_api::ack::AckState;
use ferrobgp_api::AckFormat;
use ferrobgp_ipc::{Encoder, HelperInfo};
use std::os::fd::OwnedFd;
use tokio::net::{UnixListener, UnixStream};
use tokio::sync::mpsc;
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

impl State {
    /// Registers a new control client as a helper that may address every peer.
    pub(super) fn add_control_client(&mut self, stream: UnixStream) {
        let (rx, tx) = stream.into_split();
        let (out, writer) = write_queue(tx);
        let key = self.add_command_source(rx, out, writer);
        debug!("control client {key} connected");
    }

    /// Registers a source of cli commands (a control client, the named
    /// pipes): its lines are read from `rx` and its answers go to `out`.
    pub(super) fn add_command_source<R>(
        &mut self,
        rx: R,
        out: mpsc::UnboundedSender<Vec<u8>>,
        writer: tokio::task::JoinHandle<()>,
    ) -> HelperKey
    where
        R: tokio::io::AsyncRead + Unpin + Send + 'static,
    {
        self.next_key += 1;
        let key = self.next_key;
        read_batches(rx, key, self.opts.max_line, self.helper_events.clone());
        self.helpers.insert(
            key,
            Helper {
                // The client waits for `done`/`error`: always acknowledge.
                ack: AckState::new(true, AckFormat::Text),
                json: ferrobgp_api::json::JsonEncoder::new(self.envelope.clone()),
                info: HelperInfo {
                    name: CLIENT_NAME.to_string(),
                    encoder: Encoder::Text,
                    pid: 0,
                },
                out,
                writer,
                all_peers: true,
                held: None,
                closed: false,
            },
        );
        key
    }

    /// A control client closed its end: forget it. Its reader reports the
    /// end only after its last batch was answered, and the writer still
    /// flushes what is queued.
    pub(super) fn control_client_gone(&mut self, key: HelperKey) {
        let unanswered = self.pipes.unanswered(key);
        if let Some(h) = self.helpers.get_mut(&key).filter(|h| h.all_peers) {
            debug!("control client {key} disconnected");
            if unanswered == 0 {
                self.helpers.remove(&key);
            } else {
                // its answers are still written (the writer flushes them)
                h.closed = true;
            }
        }
    }
}
