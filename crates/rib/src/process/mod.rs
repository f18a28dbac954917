//! The rib process: the event loop that owns every Adj-RIB-Out, reads the
//! helpers' commands, runs the ordering protocol with the session workers
//! over real sockets, and writes replies and events to the helpers.
//!
//! Ordering protocol (ARCHITECTURE.md): each command line gets the next
//! daemon-wide sequence number; the complete lines of one read of one
//! helper form a batch; the batch is applied to the Adj-RIB-Outs at once
//! ([`crate::Rib::apply_batch`]), each affected worker gets
//! `Changes { seq: last seq of the batch }` in its own pipeline at once,
//! and the batch's replies are written once every one of them acknowledged
//! (or went away, or the ack timeout passed), each source's in order
//! ([`answers`], [`crate::pipeline`]): a slow peer lags on its own queue.
//! Session events, acknowledgements and helper output keep flowing.

mod ack_pacing;
mod answers;
mod cli_pipes;
mod commands;
mod configured;
mod control;
mod drain;
mod events;
mod graceful;
mod heartbeat;
mod helper_io;
mod metrics;
mod neighbors;
mod replay;
mod session_io;
mod sessions;
mod start;
use start::Started;

pub use helper_io::take_lines;

use crate::batch::PeerId;
use crate::batch_core::Reply;
use crate::dispatch::Effect;
use crate::peer::PeerRib;
use crate::PeerChange;
use ferrobgp_api::ack::AckState;
use ferrobgp_api::{from_wire, output, AckFormat};
use ferrobgp_config::route::operational::OperationalMessage;
use ferrobgp_config::{Config, Neighbor, Settings};
use ferrobgp_ipc::{
    self as ipc, Channel, Encoder, HelperInfo, RibToSession, RibToSupervisor, SessionState,
    SessionToRib, SupervisorToRib,
};
use ferrobgp_wire::message::Message;
use helper_io::FromHelper;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::os::fd::OwnedFd;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tracing::{debug, info, warn};

/// Settings of the rib process that are not ExaBGP settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// How long a batch waits for the workers' acknowledgements.
    pub ack_timeout: Duration,
    /// Backlog bound of each peer's pipeline (RFC 9687's send hold timer).
    pub peer_queue: crate::pipeline::Bounds,
    /// Longest helper line accepted (bytes, newline excluded).
    pub max_line: usize,
    /// Hands freed memory back to the system; called once the peers'
    /// configured routes are installed (the binary knows its allocator).
    pub release_memory: fn(),
}

type HelperKey = u64;

/// How long a peer whose worker outlived the previous rib may take to ask
/// for its table before it is taken as not established (it holds nothing
/// then): what the rib withdraws meanwhile is remembered for it.
const RESYNC_WINDOW: Duration = Duration::from_secs(30);

struct Helper {
    info: HelperInfo,
    out: mpsc::UnboundedSender<Vec<u8>>,
    writer: JoinHandle<()>,
    ack: AckState,
    json: ferrobgp_api::json::JsonEncoder,
    /// A control-socket client: may address every peer, gets no events.
    all_peers: bool,
    /// The reader's go-ahead, held while too many answers are pending.
    held: Option<oneshot::Sender<()>>,
    /// The source closed its end: forgotten once its answers are written.
    closed: bool,
}

struct Peer {
    /// The neighbor's settings; its routes are in the peer's RIB, and its
    /// route sections in the running configuration's text, not here.
    neighbor: Neighbor,
    /// ExaBGP's name string, matched by neighbor selectors.
    name: String,
    link: Option<(u64, session_io::LinkQueue)>,
    /// Liveness of the linked worker.
    heartbeat: Option<crate::liveness::Heartbeat>,
    /// The session as its worker reported it.
    session: crate::session_status::SessionStatus,
}

struct State {
    opts: Options,
    settings: Settings,
    config: Config,
    /// The running configuration as the supervisor sent it (its files'
    /// text packed), loaded again for `show neighbor configuration` and a
    /// reload.
    running: configured::Running,
    version: String,
    envelope: ferrobgp_api::json::Envelope,
    daemon_ppid: u32,
    table: crate::Rib,
    peers: BTreeMap<PeerId, Peer>,
    helpers: HashMap<HelperKey, Helper>,
    next_key: HelperKey,
    next_link: u64,
    seq: u64,
    /// The peers' pipelines and the sources' answers in order.
    pipes: crate::pipeline::Pipelines<HelperKey, answers::Answer>,
    /// Refused helper input, logged at a bounded rate.
    refused: answers::LogLimit,
    /// Shutdown: helpers that got the notice and whose output has not ended.
    drain: drain::Drain<HelperKey>,
    /// Every helper got the shutdown notice already.
    noticed: bool,
    /// Queue in front of the supervisor channel (never blocks the loop).
    sup: mpsc::UnboundedSender<RibToSupervisor>,
    /// Holds the workers' changes behind their route-journal messages.
    journal_gate: session_io::JournalGate,
    /// The journal gate at the last heartbeat tick, when it was closed
    /// (the last message written then): unchanged means stalled.
    journal_at_tick: Option<u64>,
    /// The peers whose worker outlived the previous rib (`Init`'s
    /// `outlived`), until they ask for their table or [`RESYNC_WINDOW`]
    /// passed, each with every route this rib may have taken off it since
    /// (see [`crate::resync::taken_by`]): the resync withdraws those its
    /// table no longer announces (`NeedRoutes` with `resync`).
    resync_gone: HashMap<PeerId, Vec<ferrobgp_wire::route::Route>>,
    /// When the peers still in `resync_gone` are taken as not established
    /// (a worker whose session outlived the rib asks at once).
    resync_until: std::time::Instant,
    helper_events: mpsc::UnboundedSender<(HelperKey, FromHelper)>,
    session_events: mpsc::UnboundedSender<session_io::FromSession>,
    /// When each pending answer's acknowledgement bound passes, in
    /// submission order (one bound for all: in time order too).
    deadlines: std::collections::VecDeque<(std::time::Instant, crate::pipeline::Ticket)>,
    control_clients: mpsc::UnboundedSender<tokio::net::UnixStream>,
    /// Commands answered per source and their latency, for the metrics.
    answered: crate::tally::SourceTally,
    /// When the batch being started was read (its answers' latency).
    batch_read: Option<std::time::Instant>,
    /// When to hand freed memory back (see [`crate::after_burst`]).
    after_burst: crate::after_burst::AfterBurst,
}

/// Runs the rib until the supervisor says to stop or goes away.
pub async fn run(
    channel: Channel<RibToSupervisor, SupervisorToRib>,
    opts: Options,
) -> ipc::Result<()> {
    let (sup_tx, mut sup_rx) = channel.split();
    let (init, _) = sup_rx.recv().await?;
    let (mut st, mut inbox, sup_writer) = match State::start(init, sup_tx, opts)? {
        Started::Ready(st, inbox, writer) => (*st, inbox, writer),
        Started::Refused(sup, writer) => {
            // The supervisor stops the daemon; nothing else to do here.
            drop(sup);
            let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
            while sup_rx.recv().await.is_ok() {}
            return Ok(());
        }
    };
    (st.opts.release_memory)();
    let _ = st.sup.send(RibToSupervisor::Ready);
    info!("rib ready: {} neighbor(s)", st.peers.len());
    let mut journal_written = st.journal_gate.written();
    let mut tick = tokio::time::interval(heartbeat::TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            msg = sup_rx.recv() => {
                let (msg, fds) = match msg {
                    Ok(x) => x,
                    Err(ipc::Error::Closed) => {
                        info!("supervisor gone: stopping");
                        st.shutdown().await;
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                };
                if st.on_supervisor(msg, fds).await? {
                    drop(st);
                    // Let the last messages (Stopped) reach the supervisor.
                    let _ = tokio::time::timeout(Duration::from_secs(1), sup_writer).await;
                    return Ok(());
                }
            }
            Some((key, ev)) = inbox.helper.recv() => st.on_helper(key, ev),
            Some((peer, gen, msg)) = inbox.session.recv() => st.on_session(peer, gen, msg),
            Some(stream) = inbox.control.recv() => st.add_control_client(stream),
            Ok(()) = journal_written.changed() => {
                let seq = *journal_written.borrow_and_update();
                st.journaled(seq);
            }
            _ = tick.tick() => {
                st.expire_due(std::time::Instant::now());
                st.heartbeat();
                st.expire_resync();
                st.release_after_burst();
            }
        }
    }
}

/// A session's message decoded at most once, when first needed (outer
/// `None`: not yet; inner `None`: it does not decode).
type Decoded = Option<Option<Message>>;

/// A peer's rib changes as they travel to its worker.
fn to_ipc(changes: Vec<PeerChange>) -> ipc::ChangeList {
    let mut out = ipc::ChangeList::new();
    for c in changes {
        events::change_to_ipc(c, &mut out);
    }
    out
}

impl State {
    /// Hands freed memory back once a burst of work is over (see
    /// [`crate::after_burst`]).
    fn release_after_burst(&mut self) {
        let activity = self.peers.values().fold(self.seq, |n, p| {
            n.wrapping_add(p.session.sent.update)
                .wrapping_add(p.session.received.update)
        });
        if self.after_burst.tick(activity) {
            (self.opts.release_memory)();
        }
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Keeps the configuration model (its neighbors are the peers').
    fn apply_config(&mut self, config: Config) {
        self.config = config;
    }

    /// Returns true when the rib must exit.
    async fn on_supervisor(
        &mut self,
        msg: SupervisorToRib,
        mut fds: Vec<OwnedFd>,
    ) -> ipc::Result<bool> {
        match msg {
            SupervisorToRib::Init { .. } => {
                return Err(ipc::Error::Protocol("second Init".into()));
            }
            SupervisorToRib::Helper(info) => {
                if fds.len() != 2 {
                    return Err(ipc::Error::Protocol("Helper without its two pipes".into()));
                }
                let stdout = fds.pop().expect("two descriptors");
                let stdin = fds.pop().expect("two descriptors");
                self.add_helper(info, stdin, stdout);
            }
            SupervisorToRib::HelperDied { name, pid } => self.helper_died(&name, pid),
            SupervisorToRib::SessionChannel { peer } => {
                let Some(fd) = fds.pop() else {
                    return Err(ipc::Error::Protocol("SessionChannel without socket".into()));
                };
                self.link_session(peer, fd);
            }
            SupervisorToRib::SessionDied { peer } => self.session_gone(peer, "session worker died"),
            SupervisorToRib::Reload { config, peers } => self.reload(&config, &peers),
            SupervisorToRib::ReloadDone { error } => self.reload_done(error),
            SupervisorToRib::Metrics { n } => {
                let snapshot = self.metrics();
                let _ = self.sup.send(RibToSupervisor::Metrics { n, snapshot });
            }
            SupervisorToRib::ControlSocket => {
                let Some(fd) = fds.pop() else {
                    return Err(ipc::Error::Protocol("ControlSocket without socket".into()));
                };
                if let Err(e) = control::spawn_acceptor(fd, self.control_clients.clone()) {
                    warn!("control socket: {e}");
                }
            }
            SupervisorToRib::CliPipes => {
                if fds.len() != 2 {
                    return Err(ipc::Error::Protocol("CliPipes without two FIFOs".into()));
                }
                let answers = fds.pop().expect("two descriptors");
                let commands = fds.pop().expect("two descriptors");
                if let Err(e) = self.add_cli_pipes(commands, answers) {
                    warn!("named-pipe cli: {e}");
                }
            }
            SupervisorToRib::NoticeHelpers => self.drain_helpers(),
            SupervisorToRib::Journal(ops) => self.replay_journal(ops),
            SupervisorToRib::Shutdown => {
                self.shutdown().await;
                let _ = self.sup.send(RibToSupervisor::Stopped);
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// A reload the supervisor checked: the new configuration and its
    /// peers, or the errors of routes that do not parse (nothing changes).
    fn reload(&mut self, files: &[ipc::ConfigFile], peers: &[ipc::ConfiguredPeer]) {
        let errors = match crate::configuration::load(files, &self.settings, peers)
            .and_then(|loaded| Ok((loaded.config, self.parse_peers(loaded.peers)?)))
        {
            Ok((config, ready)) => {
                self.apply_config(config);
                let running = configured::Running {
                    files: files.to_vec(),
                    peers: peers.to_vec(),
                };
                self.install_peers(ready, running);
                self.forget_removed_sources();
                Vec::new()
            }
            Err(errors) => {
                warn!("reload refused: the configuration's routes do not parse");
                errors
            }
        };
        let _ = self.sup.send(RibToSupervisor::Reloaded { errors });
        (self.opts.release_memory)();
    }

    /// Shutdown, first step: the helpers get the notice, and those not
    /// addressing every peer are waited for (see [`drain`]) until their
    /// output ends, while the sessions are still up.
    fn drain_helpers(&mut self) {
        self.notice_helpers();
        let keys: Vec<HelperKey> = self
            .helpers
            .iter()
            .filter(|(_, h)| !h.all_peers)
            .map(|(k, _)| *k)
            .collect();
        self.drain.start(keys);
        self.check_drained();
    }

    /// The helper `name` (`pid`) exited: forgotten with its answers.
    fn helper_died(&mut self, name: &str, pid: u32) {
        let keys: Vec<HelperKey> = self
            .helpers
            .iter()
            .filter(|(_, h)| h.info.name == name && h.info.pid == pid)
            .map(|(k, _)| *k)
            .collect();
        for k in keys {
            self.helpers.remove(&k);
            self.pipes.source_gone(k);
        }
    }

    /// `peer`'s (new) worker channel: linked, with its liveness watch.
    fn link_session(&mut self, peer: PeerId, fd: OwnedFd) {
        self.next_link += 1;
        let gen = self.next_link;
        let gate = self.journal_gate.clone();
        match session_io::spawn_link(fd, peer, gen, gate, self.session_events.clone()) {
            Ok(q) => {
                let heartbeat = self.heartbeat_for(peer);
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.link = Some((gen, q));
                    p.heartbeat = Some(heartbeat);
                }
            }
            Err(e) => warn!(peer, "session link: {e}"),
        }
    }

    fn add_helper(&mut self, info: HelperInfo, stdin: OwnedFd, stdout: OwnedFd) {
        self.next_key += 1;
        let key = self.next_key;
        let (out, writer) = match helper_io::spawn_writer(stdin) {
            Ok(q) => q,
            Err(e) => {
                warn!("helper \"{}\": {e}", info.name);
                return;
            }
        };
        if let Err(e) =
            helper_io::spawn_reader(stdout, key, self.opts.max_line, self.helper_events.clone())
        {
            warn!("helper \"{}\": {e}", info.name);
            return;
        }
        debug!("helper \"{}\" ({}) attached", info.name, info.pid);
        self.helpers.insert(
            key,
            Helper {
                ack: AckState::new(self.settings.api.ack, AckFormat::Text),
                json: ferrobgp_api::json::JsonEncoder::new(self.envelope.clone()),
                info,
                out,
                writer,
                all_peers: false,
                held: None,
                closed: false,
            },
        );
    }

    fn on_helper(&mut self, key: HelperKey, ev: FromHelper) {
        match ev {
            FromHelper::Eof => {
                debug!("helper {key}: end of output");
                self.control_client_gone(key);
                self.drain.ended(key);
                self.check_drained();
            }
            FromHelper::Batch { lines, done } => {
                if self.helpers.contains_key(&key) {
                    self.batch_read = Some(std::time::Instant::now());
                    self.start_batch(key, lines);
                    self.release_reader(key, done);
                }
            }
            FromHelper::TooLong { len } => self.line_too_long(key, len),
        }
    }

    /// Shutdown: tells the supervisor once the helpers' output ended and
    /// their last commands are answered.
    fn check_drained(&mut self) {
        let busy = !self.pipes.is_idle();
        if self.drain.quiet_now(busy) {
            let _ = self.sup.send(RibToSupervisor::HelpersQuiet);
        }
    }

    /// Sends every helper the shutdown notice (once), keeping its pipes.
    fn notice_helpers(&mut self) {
        if std::mem::replace(&mut self.noticed, true) {
            return;
        }
        let time = events::now();
        for h in self.helpers.values() {
            let notice = match h.info.encoder {
                Encoder::Text => {
                    ferrobgp_api::text::shutdown(self.envelope.pid, self.daemon_ppid) + "\n"
                }
                Encoder::Json => h.json.shutdown(time) + "\n",
            };
            let _ = h.out.send(notice.into_bytes());
        }
    }

    /// The shutdown notice to every helper, then their queues drain (bounded).
    async fn shutdown(&mut self) {
        self.notice_helpers();
        let helpers: Vec<Helper> = self.helpers.drain().map(|(_, h)| h).collect();
        let mut writers = Vec::new();
        for h in helpers {
            drop(h.out);
            writers.push(h.writer);
        }
        let _ = tokio::time::timeout(Duration::from_secs(1), async {
            for w in writers {
                let _ = w.await;
            }
        })
        .await;
    }
}
