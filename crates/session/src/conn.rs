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
//!
//! Closing lingers: after the last message (a NOTIFICATION) and our FIN,
//! the reader keeps reading, and discarding, until the peer closes its side
//! or [`LINGER`] passes. The peer closing means it has read our last
//! message; only then is the connection really over, and only then does the
//! worker connect again (see [`Closing`]). A peer that sees our next
//! connection before it has read the NOTIFICATION of the last one (we
//! reconnect at once after a teardown) takes the old session for a restart
//! of ours: FRR and OpenBGPD with graceful restart then keep our routes as
//! stale instead of recording the Cease.

use crate::fsm::ConnId;
use ferrobgp_ipc::Seq;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::{sleep_until, timeout, Instant};

/// Size of one read from the socket.
const READ_CHUNK: usize = 64 * 1024;

/// At most this many bytes of queued messages are gathered into one write.
pub const COALESCE_BYTES: usize = 256 * 1024;

/// How long a closed connection keeps reading for the peer's own close.
pub const LINGER: Duration = Duration::from_secs(2);

/// What the connection tasks tell the worker.
#[derive(Debug)]
pub enum ConnEvent {
    /// An outgoing attempt may start: the connections still closing are
    /// gone (or waited for long enough); the worker asks the supervisor.
    ConnectReady { conn: ConnId },
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
    /// Tells the reader to stop reporting and start lingering.
    stop_reading: watch::Sender<bool>,
    reader: JoinHandle<()>,
    writer: JoinHandle<()>,
}

/// A connection being closed: done once everything queued is written and
/// the peer closed its side (or [`LINGER`] passed). Clones watch the same
/// close.
#[derive(Debug, Clone)]
pub struct Closing(watch::Receiver<()>);

impl Closing {
    /// Whether the close is over.
    pub fn is_done(&self) -> bool {
        self.0.has_changed().is_err()
    }

    /// Waits for the close to be over.
    pub async fn done(mut self) {
        while self.0.changed().await.is_ok() {}
    }
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
        let (stop_reading, stop) = watch::channel(false);
        let reader = tokio::spawn(read_loop(conn, r, events.clone(), stop));
        let writer = tokio::spawn(write_loop(conn, w, rx, events, rate_limit, stall));
        ConnTasks {
            tx,
            stop_reading,
            reader,
            writer,
        }
    }

    /// Queues a message.
    pub fn send(&self, bytes: Vec<u8>, update: bool) {
        // The writer only goes away after Close or a failure, both of which
        // end the connection: a lost message then does not matter.
        let _ = self.tx.send(WriteCmd::Message { bytes, update });
    }

    /// Stops reporting what is read at once; the writer flushes what is
    /// queued, then sends our FIN; the reader lingers for the peer's. The
    /// socket is released when both are done.
    pub fn close(self) -> Closing {
        let _ = self.stop_reading.send(true);
        let _ = self.tx.send(WriteCmd::Close);
        let (done, watch) = watch::channel(());
        let (reader, writer) = (self.reader, self.writer);
        tokio::spawn(async move {
            let _ = writer.await;
            let _ = reader.await;
            drop(done);
        });
        Closing(watch)
    }
}

async fn read_loop(
    conn: ConnId,
    mut r: OwnedReadHalf,
    events: mpsc::Sender<ConnEvent>,
    mut stop: watch::Receiver<bool>,
) {
    // Once told to stop (or if the handles are gone), nothing more is
    // reported: the worker has closed this connection.
    loop {
        let mut buf = Vec::with_capacity(READ_CHUNK);
        let read = tokio::select! {
            biased;
            _ = stop.wait_for(|s| *s) => break,
            read = r.read_buf(&mut buf) => read,
        };
        match read {
            Ok(0) | Err(_) => {
                let _ = events.send(ConnEvent::ReadClosed { conn }).await;
                return;
            }
            Ok(_) => {
                let sent = tokio::select! {
                    biased;
                    _ = stop.wait_for(|s| *s) => break,
                    sent = events.send(ConnEvent::Data { conn, bytes: buf }) => sent,
                };
                if sent.is_err() {
                    return;
                }
            }
        }
    }
    linger(&mut r).await;
}

/// Reads and discards until the peer closes its side, or [`LINGER`].
async fn linger(r: &mut OwnedReadHalf) {
    let mut sink = vec![0u8; 16 * 1024];
    let _ = timeout(LINGER, async {
        while let Ok(n) = r.read(&mut sink).await {
            if n == 0 {
                return;
            }
        }
    })
    .await;
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

    /// A closed connection is over only when the peer has read our last
    /// message and closed its side, even while the peer keeps sending and
    /// the worker reads nothing more; then the socket is released.
    #[test]
    fn close_lingers_until_the_peer_has_read_the_last_message() {
        use std::io::{Read, Write};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let mut peer = std::net::TcpStream::connect(addr).expect("connect");
        let (ours, _) = listener.accept().expect("accept");
        ours.set_nonblocking(true).expect("nonblocking");
        // The worker's event queue is full and nobody drains it: what the
        // peer sends stays unread.
        peer.write_all(&[1u8; 200_000]).expect("peer writes");
        rt.block_on(async {
            let stream = TcpStream::from_std(ours).expect("tokio stream");
            let (events, _keep) = mpsc::channel(1);
            let tasks = ConnTasks::start(0, stream, events, 0, None);
            tokio::time::sleep(Duration::from_millis(50)).await;
            tasks.send(vec![0xff; 21], false);
            let closing = tasks.close();
            tokio::time::sleep(Duration::from_millis(200)).await;
            assert!(!closing.is_done(), "over before the peer closed");
            let reader = std::thread::spawn(move || {
                peer.write_all(&[2u8; 1000]).expect("peer writes on");
                let mut got = Vec::new();
                let res = peer.read_to_end(&mut got).map_err(|e| e.kind());
                drop(peer);
                (res, got)
            });
            timeout(LINGER / 2, closing.clone().done())
                .await
                .expect("over once the peer closed");
            assert!(closing.is_done());
            let (res, got) = reader.join().expect("reader");
            assert_eq!(got, vec![0xff; 21]);
            assert!(res.is_ok(), "peer saw {res:?} instead of an orderly close");
        });
    }
}
