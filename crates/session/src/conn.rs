//! The I/O tasks of one TCP connection: a reader that forwards received
//! bytes to the worker's event loop (bounded, so a slow worker slows the
//! peer down instead of buffering without limit), and a writer that drains
//! a queue of messages (those already queued go out together, in one
//! `write` of up to [`COALESCE_BYTES`], instead of one system call per
//! UPDATE), applies `rate-limit` to UPDATEs, reports when the
//! bytes of a batch are on the socket, and declares the peer stalled when a
//! write makes no progress for the stall bound (the hold time). Reading
//! never waits for writing, so keepalives keep flowing both ways while a
//! large batch is being written to a slow peer.

use crate::fsm::ConnId;
use ferrobgp_ipc::Seq;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, timeout, Instant};

/// Size of one read from the socket.
const READ_CHUNK: usize = 64 * 1024;

/// At most this many bytes of queued messages are gathered into one write.
pub const COALESCE_BYTES: usize = 256 * 1024;

/// What the connection tasks tell the worker.
#[derive(Debug)]
pub enum ConnEvent {
    /// An outgoing attempt succeeded.
    Connected { conn: ConnId, stream: TcpStream },
    /// An outgoing attempt failed.
    ConnectFailed { conn: ConnId, error: String },
    /// Bytes received.
    Data { conn: ConnId, bytes: Vec<u8> },
    /// The peer closed its side, or reading failed.
    ReadClosed { conn: ConnId },
    /// Everything queued before `Ack(seq)` is on the socket.
    Written { conn: ConnId, seq: Seq },
    /// Writing failed (connection reset...).
    WriteFailed { conn: ConnId },
    /// A write made no progress for the stall bound.
    Stalled { conn: ConnId },
}

/// Work for the writer task, in order.
#[derive(Debug)]
pub enum WriteCmd {
    /// One whole BGP message; `update` ones are subject to rate-limit.
    Message { bytes: Vec<u8>, update: bool },
    /// Report `Written { seq }` once everything before is written.
    Ack(Seq),
    /// Flush, shut the socket down, and stop.
    Close,
}

/// Handles of a running connection.
pub struct ConnTasks {
    pub tx: mpsc::UnboundedSender<WriteCmd>,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

impl ConnTasks {
    /// Starts the reader and writer of `stream`.
    pub fn start(
        conn: ConnId,
        stream: TcpStream,
        events: mpsc::Sender<ConnEvent>,
        rate_limit: u32,
        stall: Option<Duration>,
    ) -> ConnTasks {
        let (r, w) = stream.into_split();
        let (tx, rx) = mpsc::unbounded_channel();
        let reader = tokio::spawn(read_loop(conn, r, events.clone()));
        let writer = tokio::spawn(write_loop(conn, w, rx, events, rate_limit, stall));
        ConnTasks { tx, reader, writer }
    }

    /// Queues a message.
    pub fn send(&self, bytes: Vec<u8>, update: bool) {
        // The writer only goes away after Close or a failure, both of which
        // end the connection: a lost message then does not matter.
        let _ = self.tx.send(WriteCmd::Message { bytes, update });
    }

    /// Stops reading at once; the writer flushes what is queued, then
    /// closes. Returns the writer's handle so the caller may wait for the
    /// flush before exiting.
    pub fn close(self) -> JoinHandle<()> {
        self.reader.abort();
        let _ = self.tx.send(WriteCmd::Close);
        self.writer
    }
}

async fn read_loop(conn: ConnId, mut r: OwnedReadHalf, events: mpsc::Sender<ConnEvent>) {
    loop {
        let mut buf = Vec::with_capacity(READ_CHUNK);
        match r.read_buf(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = events.send(ConnEvent::ReadClosed { conn }).await;
                return;
            }
            Ok(_) => {
                if events
                    .send(ConnEvent::Data { conn, bytes: buf })
                    .await
                    .is_err()
                {
                    return;
                }
            }
        }
    }
}

/// Writes `bytes`, failing with `Stalled` when one write call makes no
/// progress within `stall`.
async fn write_bounded(
    w: &mut OwnedWriteHalf,
    bytes: &[u8],
    stall: Option<Duration>,
) -> Result<(), bool> {
    let mut done = 0;
    while done < bytes.len() {
        let res = match stall {
            Some(d) => match timeout(d, w.write(&bytes[done..])).await {
                Ok(r) => r,
                Err(_) => return Err(true),
            },
            None => w.write(&bytes[done..]).await,
        };
        match res {
            Ok(0) | Err(_) => return Err(false),
            Ok(n) => done += n,
        }
    }
    Ok(())
}

/// Appends to `out` the bytes of the messages already queued behind the
/// one in `out`, in order, while they are messages free to go at once (no
/// rate limit applies) and `out` holds less than [`COALESCE_BYTES`]; the
/// first command that must be handled on its own (an `Ack`, `Close`, or a
/// rate-limited UPDATE) is returned to be handled next.
fn gather(
    out: &mut Vec<u8>,
    rx: &mut mpsc::UnboundedReceiver<WriteCmd>,
    rate_limited: bool,
) -> Option<WriteCmd> {
    while out.len() < COALESCE_BYTES {
        match rx.try_recv() {
            Ok(WriteCmd::Message { bytes, update }) if !(update && rate_limited) => {
                out.extend_from_slice(&bytes);
            }
            Ok(other) => return Some(other),
            Err(_) => return None,
        }
    }
    None
}

async fn write_loop(
    conn: ConnId,
    mut w: OwnedWriteHalf,
    mut rx: mpsc::UnboundedReceiver<WriteCmd>,
    events: mpsc::Sender<ConnEvent>,
    rate_limit: u32,
    stall: Option<Duration>,
) {
    let interval = (rate_limit > 0).then(|| Duration::from_secs(1) / rate_limit);
    let mut next_slot = Instant::now();
    let mut batch: Vec<u8> = Vec::new();
    let mut next: Option<WriteCmd> = None;
    loop {
        let cmd = match next.take() {
            Some(cmd) => cmd,
            None => match rx.recv().await {
                Some(cmd) => cmd,
                None => return,
            },
        };
        match cmd {
            WriteCmd::Message { bytes, update } => {
                if let (true, Some(step)) = (update, interval) {
                    let now = Instant::now();
                    if next_slot > now {
                        sleep_until(next_slot).await;
                    }
                    next_slot = next_slot.max(now) + step;
                }
                batch.clear();
                batch.extend_from_slice(&bytes);
                drop(bytes);
                next = gather(&mut batch, &mut rx, interval.is_some());
                match write_bounded(&mut w, &batch, stall).await {
                    Ok(()) => {}
                    Err(stalled) => {
                        let ev = if stalled {
                            ConnEvent::Stalled { conn }
                        } else {
                            ConnEvent::WriteFailed { conn }
                        };
                        let _ = events.send(ev).await;
                        return;
                    }
                }
                if batch.capacity() > 2 * COALESCE_BYTES {
                    // One huge message must not pin its buffer for the
                    // session's life.
                    batch = Vec::new();
                }
            }
            WriteCmd::Ack(seq) => {
                if events.send(ConnEvent::Written { conn, seq }).await.is_err() {
                    return;
                }
            }
            WriteCmd::Close => {
                let _ = w.flush().await;
                let _ = w.shutdown().await;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(byte: u8, update: bool) -> WriteCmd {
        WriteCmd::Message {
            bytes: vec![byte; 3],
            update,
        }
    }

    #[test]
    fn queued_messages_are_gathered_up_to_the_first_ack() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        for cmd in [
            message(1, true),
            message(2, false),
            WriteCmd::Ack(7),
            message(3, true),
        ] {
            tx.send(cmd).expect("send");
        }
        let mut out = vec![0];
        let stop = gather(&mut out, &mut rx, false);
        assert_eq!(out, [0, 1, 1, 1, 2, 2, 2]);
        assert!(matches!(stop, Some(WriteCmd::Ack(7))));
        // What follows the Ack stays queued, in order.
        assert!(matches!(rx.try_recv(), Ok(WriteCmd::Message { bytes, .. }) if bytes == [3, 3, 3]));
    }

    #[test]
    fn rate_limited_updates_are_not_gathered_but_other_messages_are() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(message(1, false)).expect("send");
        tx.send(message(2, true)).expect("send");
        let mut out = Vec::new();
        let stop = gather(&mut out, &mut rx, true);
        assert_eq!(out, [1, 1, 1]);
        assert!(matches!(stop, Some(WriteCmd::Message { update: true, .. })));
    }

    #[test]
    fn gathering_stops_at_the_size_bound_and_an_empty_queue() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        tx.send(WriteCmd::Message {
            bytes: vec![9; COALESCE_BYTES],
            update: true,
        })
        .expect("send");
        tx.send(message(1, true)).expect("send");
        let mut out = Vec::new();
        assert!(gather(&mut out, &mut rx, false).is_none());
        assert_eq!(out.len(), COALESCE_BYTES);
        // The message past the bound is left for the next write.
        assert!(rx.try_recv().is_ok());
        assert!(gather(&mut out, &mut rx, false).is_none());
    }
}
