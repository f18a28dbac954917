//! The I/O tasks of one TCP connection: a reader that forwards received
//! bytes to the worker's event loop (bounded, so a slow worker slows the
//! peer down instead of buffering without limit), and a writer that drains
//! a queue of messages, applies `rate-limit` to UPDATEs, reports when the
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
    while let Some(cmd) = rx.recv().await {
        match cmd {
            WriteCmd::Message { bytes, update } => {
                if let (true, Some(step)) = (update, interval) {
                    let now = Instant::now();
                    if next_slot > now {
                        sleep_until(next_slot).await;
                    }
                    next_slot = next_slot.max(now) + step;
                }
                match write_bounded(&mut w, &bytes, stall).await {
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
