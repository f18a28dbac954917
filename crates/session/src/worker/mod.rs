//! The session worker's event loop: the I/O shell around the pure [`Fsm`].
//!
//! One task owns the state machine and multiplexes: messages from the
//! supervisor (handed-in connections, stop), changes from the rib, events
//! of the connection tasks (see [`crate::conn`]) and the FSM's timers. Every
//! FSM action is carried out here: asking the supervisor for the outgoing
//! connection (this process cannot create sockets; the supervisor answers
//! with the connected descriptor or the failure), building and sending OPEN,
//! KEEPALIVE and NOTIFICATION, reporting state and messages to the rib,
//! encoding the rib's changes and acknowledging them once written.

mod actions;
mod batches;
mod frames;
mod rib_link;

use crate::conn::{self, Closing, ConnEvent, ConnTasks, WriteCmd};
use crate::connect;
use crate::encode;
use crate::error::{Error, Result};
use crate::fsm::{Action, ConnId, Fsm, Input, OtherKind, PeerOpen};
use crate::notify;
use crate::peer::PeerConfig;
use crate::receive::{self, Outcome, Step};
use crate::received;
use ferrobgp_ipc::{
    ChangesFrame, Direction, MessageCounts, Receiver, RibFrame, RibToSession, Sender, SessionState,
    SessionToRib, SessionToSupervisor, StopMode, SupervisorToSession,
};
use ferrobgp_wire::message::header::{frame, kind};
use ferrobgp_wire::message::keepalive::keepalive_bytes;
use ferrobgp_wire::message::{Framer, Message, Open};
use ferrobgp_wire::negotiated::{Negotiated, Refresh, EXTENDED_MAX_MESSAGE_SIZE};
use ferrobgp_wire::update::Context;
use ferrobgp_wire::Notify;
use rib_link::{counters_due, recv_rib};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::net::SocketAddr;
use std::os::fd::OwnedFd;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// At most this many already-read peer messages are handled before a rib
/// batch (see the rib branch of [`Worker::run`]).
const PEER_FIRST_BOUND: usize = 1024;
/// How long the worker waits for queued bytes (a final NOTIFICATION) to be
/// written before it exits.
const EXIT_FLUSH: Duration = Duration::from_secs(2);

/// Capacity of the connection events channel.
const EVENTS: usize = 64;

/// The current TCP connection.
struct Live {
    id: ConnId,
    tasks: ConnTasks,
    framer: Framer,
    local: SocketAddr,
    remote: SocketAddr,
    /// Batches queued on this connection and not yet written: the token
    /// the writer reports back (never reused, so a report for a batch of a
    /// rib that died since cannot acknowledge the new rib's) and the
    /// batch's sequence number.
    unacked: BTreeMap<u64, u64>,
}

/// Channels to the other processes.
pub struct Links {
    pub supervisor_tx: Sender<SessionToSupervisor>,
    pub supervisor_rx: Receiver<SupervisorToSession>,
    pub rib_tx: Sender<SessionToRib>,
    pub rib_rx: Receiver<RibToSession>,
}

/// The channel to the rib.
struct RibLink {
    tx: Sender<SessionToRib>,
    rx: Receiver<RibToSession>,
}

/// The worker of one neighbor.
pub struct Worker {
    cfg: PeerConfig,
    fsm: Fsm,
    supervisor_tx: Sender<SessionToSupervisor>,
    supervisor_rx: Receiver<SupervisorToSession>,
    /// None from the rib's death until the supervisor hands over the
    /// channel to the next one: the session carries on meanwhile (see
    /// [`Worker::rib_lost`]).
    rib: Option<RibLink>,
    /// Token of the next batch (or chunk of one) given to the
    /// connection's writer.
    next_token: u64,
    /// The rib's batch being written, a chunk at a time (see `batches`).
    job: Option<batches::Job>,
    /// Messages of the rib waiting behind `job`, in order, each with the
    /// `rib_epoch` it came in.
    backlog: VecDeque<(u64, RibFrame)>,
    /// Counts the ribs that died: a batch of an earlier one is written but
    /// never acknowledged (the next rib did not send it).
    rib_epoch: u64,
    /// An End-of-RIB (or the KEEPALIVE standing for it) went out on the
    /// current session: a new rib need not send it again.
    eor_sent: bool,
    events_tx: mpsc::Sender<ConnEvent>,
    events_rx: mpsc::Receiver<ConnEvent>,
    next_id: ConnId,
    connecting: Option<(ConnId, JoinHandle<()>)>,
    /// The attempt the supervisor was asked to connect, not answered yet.
    requested: Option<ConnId>,
    /// Streams up, not yet adopted by the FSM (or to be refused).
    pending: HashMap<ConnId, TcpStream>,
    live: Option<Live>,
    /// Closed connections still flushing or waiting for the peer's close:
    /// the next outgoing connection waits for them (bounded), so that the
    /// peer has read our NOTIFICATION before it sees a new connection.
    closing: Vec<Closing>,
    /// Our OPEN for the current connection, once known.
    sent_open: Option<Open>,
    /// The OPEN the peer sent on the current connection.
    peer_open: Option<Open>,
    negotiated: Option<Negotiated>,
    /// UPDATE encoding/decoding context of the current session.
    ctx: Option<Context>,
    finished: Option<String>,
    /// Messages of the current connection (sent, received), reported to
    /// the rib with [`SessionToRib::Counters`] when `counted` is set.
    counters: (MessageCounts, MessageCounts),
    counted: bool,
    /// Hands freed pages back to the system (see [`Worker::releasing_memory`]).
    release_memory: fn(),
    /// Bytes of the batches taken since the last release.
    burst_bytes: usize,
}

impl Worker {
    pub fn new(cfg: PeerConfig, links: Links) -> Worker {
        let (events_tx, events_rx) = mpsc::channel(EVENTS);
        Worker {
            fsm: Fsm::new(cfg.fsm.clone()),
            cfg,
            supervisor_tx: links.supervisor_tx,
            supervisor_rx: links.supervisor_rx,
            rib: Some(RibLink {
                tx: links.rib_tx,
                rx: links.rib_rx,
            }),
            next_token: 0,
            job: None,
            backlog: VecDeque::new(),
            rib_epoch: 0,
            eor_sent: false,
            events_tx,
            events_rx,
            next_id: 1,
            connecting: None,
            requested: None,
            pending: HashMap::new(),
            live: None,
            closing: Vec::new(),
            sent_open: None,
            peer_open: None,
            negotiated: None,
            ctx: None,
            finished: None,
            counters: Default::default(),
            counted: false,
            release_memory: || {},
            burst_bytes: 0,
        }
    }

    /// Runs until the neighbor is finished (stopped, or attempts used up).
    /// Returns the reason.
    pub async fn run(mut self) -> Result<String> {
        self.input(Input::Start).await?;
        while self.finished.is_none() {
            let deadline = self.fsm.next_deadline().map(Instant::from_std);
            tokio::select! {
                m = self.supervisor_rx.recv() => match m {
                    Ok((msg, fds)) => self.on_supervisor(msg, fds).await?,
                    Err(e) => {
                        tracing::warn!("supervisor channel: {e}; stopping");
                        self.input(Input::Stop {
                            notify: Some(notify::named(6, 2)),
                            reason: "stop, message [supervisor gone]".into(),
                        })
                        .await?;
                    }
                },
                m = recv_rib(&mut self.rib) => match m {
                    Ok((msg, _)) => {
                        // What the peer already sent is handled before our
                        // own changes go out, as ExaBGP's loop reads before
                        // it writes: helpers then see the received UPDATE
                        // before the events of what we send (the suite's
                        // api-check depends on it). Bounded, so that a
                        // flooding peer cannot starve the rib's batches.
                        tokio::task::yield_now().await;
                        for _ in 0..PEER_FIRST_BOUND {
                            match self.events_rx.try_recv() {
                                Ok(ev) => self.conn_event(ev).await?,
                                Err(_) => break,
                            }
                        }
                        self.rib_frame(msg).await?
                    }
                    Err(e) => self.rib_lost(&e.to_string()),
                },
                Some(ev) = self.events_rx.recv() => self.conn_event(ev).await?,
                _ = sleep_opt(deadline) => {
                    // A timer may come due while this task was busy (a large
                    // batch): let the connection tasks run and take what they
                    // read first, so that a KEEPALIVE already on the socket
                    // counts before the hold timer is checked.
                    tokio::task::yield_now().await;
                    while let Ok(ev) = self.events_rx.try_recv() {
                        self.conn_event(ev).await?;
                    }
                    let actions = self.fsm.poll(std::time::Instant::now());
                    self.run_actions(actions).await?;
                }
            }
            self.drain_backlog().await?;
            let ack_next =
                self.job.is_none() && self.live.as_ref().is_some_and(|l| !l.unacked.is_empty());
            if counters_due(self.counted, ack_next) {
                self.send_counters().await?;
            }
        }
        let reason = self.finished.clone().unwrap_or_default();
        let _ = self
            .supervisor_tx
            .send(&SessionToSupervisor::Finished {
                reason: reason.clone(),
            })
            .await;
        self.flush_and_close().await;
        Ok(reason)
    }

    async fn flush_and_close(&mut self) {
        if let Some(live) = self.live.take() {
            self.closing.push(live.tasks.close());
        }
        let closing = std::mem::take(&mut self.closing);
        let _ = tokio::time::timeout(EXIT_FLUSH, all_done(closing)).await;
    }

    async fn input(&mut self, input: Input) -> Result<()> {
        let actions = self.fsm.handle(std::time::Instant::now(), input);
        self.run_actions(actions).await
    }

    async fn on_supervisor(&mut self, msg: SupervisorToSession, fds: Vec<OwnedFd>) -> Result<()> {
        match msg {
            SupervisorToSession::Init { .. } => {
                tracing::debug!("ignoring a second Init");
            }
            SupervisorToSession::Incoming { remote, .. } => {
                let Some(fd) = fds.into_iter().next() else {
                    return Err(Error::Ipc("Incoming without a descriptor".into()));
                };
                let std = std::net::TcpStream::from(fd);
                std.set_nonblocking(true)
                    .map_err(|e| Error::io("incoming socket", e))?;
                let stream =
                    TcpStream::from_std(std).map_err(|e| Error::io("incoming socket", e))?;
                if let Err(e) = connect::prepare_accepted(&stream, &self.cfg) {
                    tracing::warn!("incoming connection from {remote}: {e}");
                }
                let id = self.alloc_id();
                self.pending.insert(id, stream);
                self.input(Input::Incoming { conn: id }).await?;
            }
            SupervisorToSession::Connected {
                attempt, remote, ..
            } => {
                let Some(fd) = fds.into_iter().next() else {
                    return Err(Error::Ipc("Connected without a descriptor".into()));
                };
                if self.requested != Some(attempt) {
                    // Abandoned meanwhile: dropping the descriptor closes it.
                    tracing::debug!("connection to {remote} for abandoned attempt {attempt}");
                    return Ok(());
                }
                self.requested = None;
                let ev = match outgoing_stream(fd) {
                    Ok(stream) => ConnEvent::Connected {
                        conn: attempt,
                        stream,
                    },
                    Err(e) => ConnEvent::ConnectFailed {
                        conn: attempt,
                        error: e.to_string(),
                    },
                };
                self.conn_event(ev).await?;
            }
            SupervisorToSession::ConnectFailed { attempt, error } => {
                if self.requested == Some(attempt) {
                    self.requested = None;
                    self.conn_event(ConnEvent::ConnectFailed {
                        conn: attempt,
                        error,
                    })
                    .await?;
                }
            }
            SupervisorToSession::Stop(mode) => {
                let (notify, reason) = match mode {
                    StopMode::Silent => (None, "stop, message [shutting down]".to_string()),
                    StopMode::Cease { subcode, message } => (
                        Some(notify::cease(subcode, &message)),
                        format!("notification sent (6,{subcode})"),
                    ),
                };
                self.input(Input::Stop { notify, reason }).await?;
            }
            SupervisorToSession::Rib => {
                let Some(fd) = fds.into_iter().next() else {
                    return Err(Error::Ipc("Rib without a descriptor".into()));
                };
                let (tx, rx) = ferrobgp_ipc::Channel::<SessionToRib, RibToSession>::new(fd)
                    .map_err(|e| Error::Ipc(format!("rib channel: {e}")))?
                    .split();
                self.rib = Some(RibLink { tx, rx });
                self.rib_attached().await?;
            }
        }
        Ok(())
    }

    /// Tells the rib the session is up (addresses, what was negotiated, the
    /// peer's OPEN); the negotiated families, or None when the session has
    /// no live connection or negotiation yet.
    async fn tell_up(&mut self) -> Result<Option<Vec<ferrobgp_wire::Family>>> {
        let (Some(live), Some(neg), Some(peer_open)) = (
            self.live.as_ref(),
            self.negotiated.as_ref(),
            self.peer_open.as_ref(),
        ) else {
            return Ok(None);
        };
        let (local, remote) = (live.local, live.remote);
        let families = neg.families.clone();
        let negotiated = Box::new(neg.clone());
        let peer_open = Box::new(peer_open.clone());
        self.tell_rib(SessionToRib::State(SessionState::Up {
            local,
            remote,
            negotiated,
            families: families.clone(),
            peer_open,
        }))
        .await?;
        Ok(Some(families))
    }

    fn alloc_id(&mut self) -> ConnId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    async fn conn_event(&mut self, ev: ConnEvent) -> Result<()> {
        match ev {
            ConnEvent::ConnectReady { conn } => {
                if self.connecting.as_ref().map(|c| c.0) == Some(conn) {
                    self.requested = Some(conn);
                    self.tell_supervisor(SessionToSupervisor::Connect { attempt: conn })
                        .await?;
                }
            }
            ConnEvent::Connected { conn, stream } => {
                if self.connecting.as_ref().map(|c| c.0) == Some(conn) {
                    self.connecting = None;
                    self.pending.insert(conn, stream);
                    self.input(Input::TcpConnected { conn }).await?;
                }
            }
            ConnEvent::ConnectFailed { conn, error } => {
                if self.connecting.as_ref().map(|c| c.0) == Some(conn) {
                    tracing::info!("connection to {} failed: {error}", self.cfg.peer_address);
                    self.connecting = None;
                    self.input(Input::TcpFailed).await?;
                }
            }
            ConnEvent::Data { conn, bytes } => {
                if self.live.as_ref().map(|l| l.id) == Some(conn) {
                    if let Some(live) = self.live.as_mut() {
                        live.framer.feed(&bytes);
                    }
                    self.process_frames(conn).await?;
                }
            }
            ConnEvent::ReadClosed { conn } | ConnEvent::WriteFailed { conn } => {
                self.input(Input::TcpClosed { conn }).await?;
            }
            ConnEvent::Stalled { conn } => {
                self.input(Input::WriteStalled { conn }).await?;
            }
            ConnEvent::Written { conn, seq: token } => {
                if let Some(live) = self.live.as_mut().filter(|l| l.id == conn) {
                    if let Some(seq) = live.unacked.remove(&token) {
                        self.ack(seq).await?;
                        self.after_ack();
                    } else {
                        self.chunk_written(token).await?;
                    }
                }
            }
        }
        Ok(())
    }

    async fn send_on(&mut self, conn: ConnId, bytes: Vec<u8>) -> Result<()> {
        let Some(live) = self.live.as_ref().filter(|l| l.id == conn) else {
            return Ok(());
        };
        if let Some(k) = bytes.get(18) {
            self.counters.0.count(*k);
            self.counted = true;
        }
        if self.cfg.report_sent {
            let raw = bytes.clone();
            live.tasks.send(bytes, false);
            return self
                .tell_rib(SessionToRib::Message {
                    direction: Direction::Send,
                    raw,
                })
                .await;
        }
        live.tasks.send(bytes, false);
        Ok(())
    }
}

/// The bytes of a NOTIFICATION (data cut to fit one 4096-byte message).
pub fn notification_bytes(n: &Notify) -> Vec<u8> {
    let mut body = Vec::with_capacity(2 + n.data.len());
    body.push(n.code);
    body.push(n.subcode);
    let room = ferrobgp_wire::negotiated::STANDARD_MAX_MESSAGE_SIZE - 21;
    body.extend_from_slice(&n.data[..n.data.len().min(room)]);
    frame(kind::NOTIFICATION, &body, EXTENDED_MAX_MESSAGE_SIZE).unwrap_or_default()
}

/// The connection the supervisor opened for us, as a tokio stream (its
/// socket options were set by the supervisor before `connect`).
fn outgoing_stream(fd: OwnedFd) -> Result<TcpStream> {
    let std = std::net::TcpStream::from(fd);
    std.set_nonblocking(true)
        .map_err(|e| Error::io("outgoing socket", e))?;
    TcpStream::from_std(std).map_err(|e| Error::io("outgoing socket", e))
}

async fn sleep_opt(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => std::future::pending().await,
    }
}

async fn all_done(closing: Vec<Closing>) {
    for c in closing {
        c.done().await;
    }
}
