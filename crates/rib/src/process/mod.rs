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

mod answers;
mod control;
mod drain;
mod events;
mod heartbeat;
mod helper_io;
mod session_io;

pub use helper_io::take_lines;

use crate::batch::{BatchCommand, Op, PeerId};
use crate::dispatch::{dispatch, Action};
use crate::peer::PeerRib;
use crate::Change;
use ferrobgp_api::ack::{AckState, Outcome};
use ferrobgp_api::{from_wire, output, AckFormat, Command};
use ferrobgp_config::route::operational::{OperationalKind, OperationalMessage};
use ferrobgp_config::{Config, Neighbor, Settings};
use ferrobgp_ipc::{
    self as ipc, Channel, Encoder, HelperInfo, RibToSession, RibToSupervisor, SessionState,
    SessionToRib, SupervisorToRib,
};
use ferrobgp_wire::message::Message;
use helper_io::FromHelper;
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::net::SocketAddr;
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
}

type HelperKey = u64;

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
    neighbor: Neighbor,
    /// ExaBGP's name string, matched by neighbor selectors.
    name: String,
    link: Option<(u64, mpsc::UnboundedSender<RibToSession>)>,
    /// Liveness of the linked worker.
    heartbeat: Option<crate::liveness::Heartbeat>,
    up: bool,
    connected: bool,
    local: Option<SocketAddr>,
    remote: Option<SocketAddr>,
    negotiated: Option<ferrobgp_wire::negotiated::Negotiated>,
    /// When the session came up (for `show neighbor summary`).
    up_since: Option<std::time::Instant>,
    /// Last FSM state the worker reported.
    fsm: String,
    /// The last ASM (advisory static message) announced per family, sent
    /// again whenever the session comes up, as ExaBGP does.
    asm: BTreeMap<ferrobgp_wire::Family, ipc::Change>,
    /// The ASMs known when the current session came up: they go ahead of
    /// its first table (one announced later was sent as it came).
    asm_replay: Vec<(ferrobgp_wire::Family, ipc::Change)>,
    /// When the session went down (or the peer was configured).
    down_since: std::time::Instant,
    /// The OPEN the peer sent, while the session is up.
    peer_open: Option<ferrobgp_wire::message::Open>,
    /// Messages of the current (or last) connection, as the worker counts them.
    sent: ipc::MessageCounts,
    received: ipc::MessageCounts,
}

struct Reply {
    seq: u64,
    command: Option<Command>,
    outcome: Outcome,
    output: Vec<String>,
}

struct State {
    opts: Options,
    settings: Settings,
    config: Config,
    version: String,
    origin: ferrobgp_api::json::Origin,
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
    helper_events: mpsc::UnboundedSender<(HelperKey, FromHelper)>,
    session_events: mpsc::UnboundedSender<session_io::FromSession>,
    timeouts: mpsc::UnboundedSender<u64>,
    control_clients: mpsc::UnboundedSender<tokio::net::UnixStream>,
}

/// Runs the rib until the supervisor says to stop or goes away.
pub async fn run(
    channel: Channel<RibToSupervisor, SupervisorToRib>,
    opts: Options,
) -> ipc::Result<()> {
    let (mut sup_tx, mut sup_rx) = channel.split();
    let (init, _) = sup_rx.recv().await?;
    let SupervisorToRib::Init {
        settings,
        config,
        peers,
        daemon_pid,
        daemon_ppid,
    } = init
    else {
        return Err(ipc::Error::Protocol("first message is not Init".into()));
    };
    // Decoded inside blocks so the serialized copies are freed at once
    // (a shadowed binding would live as long as the rib).
    let settings: Settings = {
        let raw = settings;
        raw.to()?
    };
    let config: Config = {
        let raw = config;
        raw.to()?
    };
    let (helper_events, mut helper_rx) = mpsc::unbounded_channel();
    let (session_events, mut session_rx) = mpsc::unbounded_channel();
    let (timeouts, mut timeout_rx) = mpsc::unbounded_channel();
    let (control_clients, mut control_rx) = mpsc::unbounded_channel();
    let (sup, mut sup_queue) = mpsc::unbounded_channel::<RibToSupervisor>();
    let sup_writer = tokio::spawn(async move {
        while let Some(m) = sup_queue.recv().await {
            if sup_tx.send(&m).await.is_err() {
                return;
            }
        }
    });
    // gethostname(2) is a system call: it works in the confined rib, which
    // may not open /proc/sys/kernel/hostname.
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut st = State {
        opts: opts.clone(),
        version: settings
            .version
            .clone()
            .unwrap_or_else(crate::dispatch::version_answer),
        origin: ferrobgp_api::json::Origin {
            version: ferrobgp_api::json::JSON_VERSION.to_string(),
            host,
            pid: daemon_pid,
            ppid: daemon_ppid,
        },
        daemon_ppid,
        settings,
        config: Config {
            source: config.source.clone(),
            processes: Vec::new(),
            neighbors: Vec::new(),
        },
        table: crate::Rib::new(),
        peers: BTreeMap::new(),
        helpers: HashMap::new(),
        next_key: 0,
        next_link: 0,
        seq: 0,
        pipes: crate::pipeline::Pipelines::new(opts.peer_queue),
        refused: answers::LogLimit::default(),
        drain: drain::Drain::default(),
        noticed: false,
        sup,
        helper_events,
        session_events,
        timeouts,
        control_clients,
    };
    st.apply_config(config);
    st.set_peers(&peers);
    // Each peer's serialized neighbor holds its configured routes.
    drop(peers);
    let _ = st.sup.send(RibToSupervisor::Ready);
    info!("rib ready: {} neighbor(s)", st.peers.len());
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
            Some((key, ev)) = helper_rx.recv() => st.on_helper(key, ev),
            Some((peer, gen, msg)) = session_rx.recv() => st.on_session(peer, gen, msg),
            Some(ticket) = timeout_rx.recv() => st.on_timeout(ticket),
            Some(stream) = control_rx.recv() => st.add_control_client(stream),
            _ = tick.tick() => st.heartbeat(),
        }
    }
}

/// A session's message decoded at most once, when first needed (outer
/// `None`: not yet; inner `None`: it does not decode).
type Decoded = Option<Option<Message>>;

/// A peer's rib changes as they travel to its worker (one that cannot be
/// serialized is logged and left out).
fn to_ipc(peer: PeerId, changes: Vec<Change>) -> ipc::ChangeList {
    let mut out = ipc::ChangeList::new();
    for c in changes {
        if let Err(e) = events::change_to_ipc(c, &mut out) {
            warn!(peer, "change not serializable: {e}");
        }
    }
    out
}

fn static_entries(n: &Neighbor) -> Vec<crate::batch::RouteEntry> {
    let (entries, skipped) = crate::static_routes::entries(&n.routes);
    for reason in skipped {
        warn!(
            "neighbor {}: configured routes left out: {reason}",
            n.peer_address
        );
    }
    entries
}

impl State {
    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Keeps the configuration model (peers themselves come with ids from the supervisor).
    fn apply_config(&mut self, mut config: Config) {
        // The configured routes live in each peer's `neighbor` and RIB;
        // a third copy here would only cost memory.
        for n in &mut config.neighbors {
            n.routes = Vec::new();
        }
        self.config = config;
    }

    /// Installs the supervisor's peer list: new peers get a RIB with their
    /// configured routes, known ones their new configured routes (removed
    /// ones withdrawn), peers no longer listed are dropped.
    fn set_peers(&mut self, peers: &[ipc::PeerInfo]) {
        let mut keep = BTreeSet::new();
        for p in peers {
            let Ok(neighbor) = p.neighbor.to::<Neighbor>() else {
                warn!("peer {}: undecodable neighbor", p.id);
                continue;
            };
            keep.insert(p.id);
            let entries = static_entries(&neighbor);
            match self.peers.get_mut(&p.id) {
                Some(existing) => {
                    existing.name = events::peer_name(&neighbor);
                    existing.neighbor = neighbor;
                }
                None => {
                    self.table.add_peer(p.id, PeerRib::for_neighbor(&neighbor));
                    self.peers.insert(
                        p.id,
                        Peer {
                            name: events::peer_name(&neighbor),
                            neighbor,
                            link: None,
                            heartbeat: None,
                            up: false,
                            connected: false,
                            local: None,
                            remote: None,
                            negotiated: None,
                            up_since: None,
                            fsm: "idle".into(),
                            asm: BTreeMap::new(),
                            asm_replay: Vec::new(),
                            down_since: std::time::Instant::now(),
                            peer_open: None,
                            sent: Default::default(),
                            received: Default::default(),
                        },
                    );
                }
            }
            let changes = match self.table.peer_mut(p.id) {
                Some(r) => r.set_static(entries),
                None => Vec::new(),
            };
            if !changes.is_empty() {
                let seq = self.next_seq();
                self.send_changes(p.id, seq, changes);
            }
        }
        let gone: Vec<PeerId> = self
            .peers
            .keys()
            .filter(|id| !keep.contains(id))
            .copied()
            .collect();
        for id in gone {
            self.peers.remove(&id);
            self.table.remove_peer(id);
        }
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
            SupervisorToRib::HelperDied { name, pid } => {
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
            SupervisorToRib::SessionChannel { peer } => {
                let Some(fd) = fds.pop() else {
                    return Err(ipc::Error::Protocol("SessionChannel without socket".into()));
                };
                self.next_link += 1;
                let gen = self.next_link;
                match session_io::spawn_link(fd, peer, gen, self.session_events.clone()) {
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
            SupervisorToRib::SessionDied { peer } => self.session_gone(peer, "session worker died"),
            SupervisorToRib::Reload { config, peers } => {
                let config: Config = config.to()?;
                self.apply_config(config);
                self.set_peers(&peers);
            }
            SupervisorToRib::ReloadDone { error } => self.reload_done(error),
            SupervisorToRib::ControlSocket => {
                let Some(fd) = fds.pop() else {
                    return Err(ipc::Error::Protocol("ControlSocket without socket".into()));
                };
                if let Err(e) = control::spawn_acceptor(fd, self.control_clients.clone()) {
                    warn!("control socket: {e}");
                }
            }
            SupervisorToRib::NoticeHelpers => {
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
            SupervisorToRib::Shutdown => {
                self.shutdown().await;
                let _ = self.sup.send(RibToSupervisor::Stopped);
                return Ok(true);
            }
        }
        Ok(false)
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
                json: ferrobgp_api::json::JsonEncoder::new(self.origin.clone()),
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
                    self.start_batch(key, lines);
                    self.release_reader(key, done);
                }
            }
            FromHelper::TooLong { len } => self.line_too_long(key, len),
        }
    }

    fn start_batch(&mut self, key: HelperKey, lines: Vec<String>) {
        let process = self.helpers[&key].info.name.clone();
        let all_peers = self.helpers[&key].all_peers;
        let addressable: Vec<(PeerId, String)> = self
            .peers
            .iter()
            .filter(|(_, p)| all_peers || p.neighbor.processes().contains(&process.as_str()))
            .map(|(id, p)| (*id, p.name.clone()))
            .collect();
        let mut replies = Vec::new();
        let mut rib_cmds: Vec<(usize, BatchCommand)> = Vec::new();
        let mut after: Vec<Action> = Vec::new();
        let mut reloads: VecDeque<usize> = VecDeque::new();
        let mut operational: Vec<(PeerId, OperationalMessage)> = Vec::new();
        let version = self.version.clone();
        for line in lines {
            if line.trim().is_empty() {
                continue;
            }
            let seq = self.next_seq();
            let (command, outcome, output) = match ferrobgp_api::parse_line(&line) {
                Err(e) => {
                    self.refused.warn(format_args!(
                        "command from process \"{process}\" not understood: {:?}: {e}",
                        answers::clip(&line)
                    ));
                    (None, Outcome::Error(e.to_string()), Vec::new())
                }
                Ok(p) => {
                    let origin = crate::dispatch::Origin {
                        process: &process,
                        addressable: &addressable,
                        version: &version,
                    };
                    match dispatch(&p, &origin) {
                        Ok(Action::Rib(c)) => {
                            rib_cmds.push((replies.len(), c));
                            (Some(p.command), Outcome::Done, Vec::new())
                        }
                        Ok(Action::Output(lines)) => (Some(p.command), Outcome::Done, lines),
                        Ok(Action::ShowAdjRib {
                            peers,
                            side,
                            extensive,
                            json: true,
                        }) => {
                            let list: Vec<(PeerId, crate::show::NeighborStatus<'_>)> = peers
                                .iter()
                                .filter_map(|id| Some((*id, self.status(*id)?)))
                                .collect();
                            let lines =
                                crate::show::adj_rib_json(&self.table, side, &list, extensive);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Action::ShowAdjRib {
                            peers,
                            side,
                            extensive,
                            json: false,
                        }) => {
                            let list: Vec<(PeerId, std::net::IpAddr, &str)> = peers
                                .iter()
                                .filter_map(|id| {
                                    self.peers.get(id).map(|p| {
                                        (*id, p.neighbor.peer_address.addr(), p.name.as_str())
                                    })
                                })
                                .collect();
                            let lines = crate::show::adj_rib(&self.table, side, extensive, &list);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Action::ShowNeighbor {
                            peers,
                            view: ferrobgp_api::NeighborView::Summary,
                            json: false,
                        }) => {
                            let lines = self.summary(&peers);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Action::ShowNeighbor {
                            peers, view, json, ..
                        }) => {
                            let lines = self.show_neighbor(&peers, view, json);
                            (Some(p.command), Outcome::Done, lines)
                        }
                        Ok(Action::Operational { peers, message }) => {
                            operational.extend(peers.into_iter().map(|id| (id, message.clone())));
                            (Some(p.command), Outcome::Done, Vec::new())
                        }
                        Ok(Action::Debug(text)) => {
                            info!("debug from \"{process}\": {text}");
                            (Some(p.command), Outcome::Done, Vec::new())
                        }
                        Ok(Action::Reload) => {
                            // answered once the supervisor says how it went
                            reloads.push_back(replies.len());
                            after.push(Action::Reload);
                            let output = vec!["reload in progress".to_owned()];
                            (Some(p.command), Outcome::Done, output)
                        }
                        Ok(other) => {
                            // ExaBGP writes this line before `done`
                            let output = match &other {
                                Action::Shutdown => vec!["shutdown in progress".to_owned()],
                                Action::Restart(_) => vec!["restart in progress".to_owned()],
                                _ => Vec::new(),
                            };
                            after.push(other);
                            (Some(p.command), Outcome::Done, output)
                        }
                        Err(e) => {
                            self.refused.warn(format_args!(
                                "command from \"{process}\" refused: {:?}: {e}",
                                answers::clip(&line)
                            ));
                            (Some(p.command), Outcome::Error(e.to_string()), Vec::new())
                        }
                    }
                }
            };
            replies.push(Reply {
                seq,
                command,
                outcome,
                output,
            });
        }
        let seq = self.seq;
        let commands: Vec<BatchCommand> = rib_cmds.iter().map(|(_, c)| c.clone()).collect();
        let result = self.table.apply_batch(&commands);
        for ((i, _), r) in rib_cmds.iter().zip(&result.results) {
            if let Err(e) = r {
                replies[*i].outcome = Outcome::Error(e.to_string());
            }
        }
        // `flush adj-rib out` re-sends the whole table (see flush_list)
        let flushed: BTreeSet<PeerId> = rib_cmds
            .iter()
            .zip(&result.results)
            .filter(|((_, c), r)| r.is_ok() && c.op == Op::FlushOut)
            .flat_map(|((_, c), _)| c.peers.iter().copied())
            .collect();
        // operational messages go first, as ExaBGP's peer loop sends them
        // before the UPDATEs of the same run
        let mut lists: BTreeMap<PeerId, ipc::ChangeList> = BTreeMap::new();
        for (peer, message) in operational {
            if let Some(c) = self.operational_for(peer, &message) {
                lists.entry(peer).or_default().push(c);
            }
        }
        for (peer, changes) in result.changes {
            let list = if flushed.contains(&peer) {
                self.flush_list(peer, changes)
            } else {
                to_ipc(peer, changes)
            };
            lists.entry(peer).or_default().append(list);
        }
        let mut sends = Vec::new();
        for (peer, list) in lists {
            let size = answers::size(&list);
            if self.send_ipc(peer, seq, list) {
                sends.push(crate::pipeline::Send {
                    peer,
                    seq,
                    changes: size.0,
                    bytes: size.1,
                });
            }
        }
        for a in after {
            self.side_effect(a);
        }
        let affects = rib_cmds
            .iter()
            .zip(&result.results)
            .filter(|(_, r)| r.is_ok())
            .map(|((i, c), _)| (*i, c.peers.clone()))
            .collect();
        self.submit(key, replies, affects, &sends, reloads);
    }

    fn side_effect(&mut self, action: Action) {
        match action {
            Action::Teardown { peers, subcode } => {
                for p in peers {
                    if let Some((_, q)) = self.peers.get(&p).and_then(|p| p.link.as_ref()) {
                        let _ = q.send(RibToSession::Teardown {
                            subcode,
                            message: String::new(),
                        });
                    }
                }
            }
            Action::Shutdown => {
                let _ = self.sup.send(RibToSupervisor::Shutdown);
            }
            Action::Reload => {
                let _ = self.sup.send(RibToSupervisor::Reload);
            }
            Action::Restart(None) => {
                let _ = self.sup.send(RibToSupervisor::Restart { peer: None });
            }
            Action::Restart(Some(peers)) => {
                for p in peers {
                    let _ = self.sup.send(RibToSupervisor::Restart { peer: Some(p) });
                }
            }
            _ => {}
        }
    }

    /// Queues changes to a peer's worker; true when an ack is expected.
    fn send_changes(&mut self, peer: PeerId, seq: u64, changes: Vec<Change>) {
        self.send_untracked(peer, seq, to_ipc(peer, changes))
    }

    /// Queues already converted changes to a peer's worker; true when an
    /// ack is expected.
    fn send_ipc(&mut self, peer: PeerId, seq: u64, changes: ipc::ChangeList) -> bool {
        let Some((_, q)) = self.peers.get(&peer).and_then(|p| p.link.as_ref()) else {
            return false;
        };
        q.send(changes.into_message(seq)).is_ok()
    }

    /// Sends changes no answer waits for, in the peer's pipeline.
    fn send_untracked(&mut self, peer: PeerId, seq: u64, changes: ipc::ChangeList) {
        let (changes_n, bytes) = answers::size(&changes);
        if self.send_ipc(peer, seq, changes) {
            let s = crate::pipeline::Send {
                peer,
                seq,
                changes: changes_n,
                bytes,
            };
            if self.pipes.send(s) {
                self.overloaded(peer);
            }
        }
    }

    /// `announce operational` for one peer: the message, when the peer has
    /// its family configured (else ExaBGP logs and sends nothing) and is
    /// established. The last ASM of a family is kept for the next session.
    fn operational_for(&mut self, peer: PeerId, m: &OperationalMessage) -> Option<ipc::Change> {
        let p = self.peers.get_mut(&peer)?;
        if !p.neighbor.families.contains(&m.family) {
            warn!(
                "the route family {} is not configured on neighbor {}: operational message not sent",
                m.family.spaced(),
                p.neighbor.peer_address.addr()
            );
            return None;
        }
        let change = match events::operational_change(m, p.neighbor.router_id) {
            Ok(c) => c,
            Err(e) => {
                warn!(peer, "operational message not encodable: {e}");
                return None;
            }
        };
        if m.kind == OperationalKind::Asm {
            p.asm.insert(m.family, change.clone());
        }
        if !p.up {
            debug!(
                peer,
                "operational message not sent: the session is not established"
            );
            return None;
        }
        Some(change)
    }

    /// The changes of a batch with `flush adj-rib out` for `peer`: the
    /// Adj-RIB-Out re-sent family by family (between BoRR and EoRR when
    /// `route-refresh` is configured), then the batch's other changes.
    fn flush_list(&self, peer: PeerId, changes: Vec<Change>) -> ipc::ChangeList {
        let (Some(p), Some(rib)) = (self.peers.get(&peer), self.table.peer(peer)) else {
            return to_ipc(peer, changes);
        };
        if !rib.out.enabled {
            return to_ipc(peer, changes);
        }
        let mut families: Vec<ferrobgp_wire::Family> = match &p.negotiated {
            Some(n) if !n.families.is_empty() => n.families.clone(),
            _ => p.neighbor.families.clone(),
        };
        families.sort();
        families.dedup();
        let table: Vec<ferrobgp_wire::route::Route> = rib.out.routes().cloned().collect();
        let markers = p.neighbor.capabilities.route_refresh;
        match events::flush_resend(changes, &table, &families, markers) {
            Ok(list) => list,
            Err(e) => {
                warn!(peer, "change not serializable: {e}");
                ipc::ChangeList::new()
            }
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
                    ferrobgp_api::text::shutdown(self.origin.pid, self.daemon_ppid) + "\n"
                }
                Encoder::Json => h.json.shutdown(time) + "\n",
            };
            let _ = h.out.send(notice.into_bytes());
        }
    }

    fn session_gone(&mut self, peer: PeerId, reason: &str) {
        if let Some(p) = self.peers.get_mut(&peer) {
            p.link = None;
            p.heartbeat = None;
            p.fsm = "idle".into();
            p.up_since = None;
            let was_up = p.up || p.connected;
            if was_up {
                p.down_since = std::time::Instant::now();
            }
            p.up = false;
            p.connected = false;
            p.peer_open = None;
            if let Some(r) = self.table.peer_mut(peer) {
                r.session_down();
            }
            if was_up {
                self.emit(
                    peer,
                    ferrobgp_api::event::Event::State(ferrobgp_api::event::State::Down(
                        reason.to_string(),
                    )),
                );
            }
        }
        self.pipes.peer_gone(peer);
        self.write_answers();
    }

    fn on_session(&mut self, peer: PeerId, gen: u64, msg: ipc::Result<SessionToRib>) {
        let current = self
            .peers
            .get(&peer)
            .and_then(|p| p.link.as_ref())
            .is_some_and(|(g, _)| *g == gen);
        if !current {
            return;
        }
        let msg = match msg {
            Ok(m) => m,
            Err(e) => {
                debug!(peer, "session link ended: {e}");
                self.session_gone(peer, "session worker gone");
                return;
            }
        };
        match msg {
            SessionToRib::Ack { seq } => self.acked(peer, seq),
            SessionToRib::Pong { n } => self.on_pong(peer, n),
            SessionToRib::State(state) => self.on_state(peer, state),
            SessionToRib::Message { direction, raw } => {
                let mut decoded = None;
                if direction == ipc::Direction::Received {
                    self.adj_rib_in(peer, &raw, &mut decoded);
                }
                self.emit_message(peer, direction, &raw, &mut decoded)
            }
            SessionToRib::Counters { sent, received } => {
                if let Some(p) = self.peers.get_mut(&peer) {
                    p.sent = sent;
                    p.received = received;
                }
            }
            SessionToRib::RouteRefresh { family, enhanced } => {
                let changes = match self.table.peer_mut(peer) {
                    Some(r) => r.full_table(&[family], false),
                    None => return,
                };
                let list = match events::refresh_resend(changes, family, enhanced) {
                    Ok(l) => l,
                    Err(e) => {
                        warn!(peer, "change not serializable: {e}");
                        ipc::ChangeList::new()
                    }
                };
                let seq = self.next_seq();
                self.send_untracked(peer, seq, list);
            }
            SessionToRib::NeedRoutes { families, eor } => {
                let manual = self.peers.get(&peer).is_some_and(|p| p.neighbor.manual_eor);
                let changes = match self.table.peer_mut(peer) {
                    Some(r) => r.full_table(&families, eor && !manual),
                    None => return,
                };
                // the ASMs known when the session came up first, as ExaBGP
                // re-announces them
                let mut list: ipc::ChangeList = self
                    .peers
                    .get_mut(&peer)
                    .map(|p| std::mem::take(&mut p.asm_replay))
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|(f, _)| families.is_empty() || families.contains(f))
                    .map(|(_, c)| c)
                    .collect::<Vec<ipc::Change>>()
                    .into();
                list.append(to_ipc(peer, changes));
                let seq = self.next_seq();
                // Always sent, even empty: the worker may wait for it.
                self.send_untracked(peer, seq, list);
            }
        }
    }

    fn on_state(&mut self, peer: PeerId, state: SessionState) {
        use ferrobgp_api::event::{Event, State as S};
        let Some(p) = self.peers.get_mut(&peer) else {
            return;
        };
        match state {
            SessionState::Connected { local, remote } => {
                p.local = Some(local);
                p.remote = Some(remote);
                p.connected = true;
                self.emit(peer, Event::State(S::Connected));
            }
            SessionState::Up {
                local,
                remote,
                families,
                negotiated,
                peer_open,
            } => {
                p.peer_open = peer_open.to().ok();
                p.local = Some(local);
                p.remote = Some(remote);
                p.up = true;
                p.up_since = Some(std::time::Instant::now());
                p.asm_replay = p.asm.iter().map(|(f, c)| (*f, c.clone())).collect();
                p.fsm = "established".into();
                p.negotiated = negotiated.to().ok();
                let api_negotiated = p.negotiated.as_ref().map(from_wire::negotiated);
                if let Some(r) = self.table.peer_mut(peer) {
                    r.session_up(families);
                }
                self.emit(peer, Event::State(S::Up));
                if let Some(n) = api_negotiated {
                    self.emit(peer, Event::Negotiated(n));
                }
            }
            SessionState::Down { reason } => {
                let was = p.up || p.connected;
                p.up = false;
                p.connected = false;
                p.up_since = None;
                p.down_since = std::time::Instant::now();
                p.peer_open = None;
                p.fsm = "idle".into();
                if let Some(r) = self.table.peer_mut(peer) {
                    r.session_down();
                }
                if was {
                    self.emit(peer, Event::State(S::Down(reason)));
                }
            }
            SessionState::Fsm { state } => {
                p.fsm = state.clone();
                self.emit(peer, Event::Fsm(state))
            }
        }
    }

    /// Writes `event` to every helper subscribed to it for `peer`.
    fn emit(&mut self, peer: PeerId, event: ferrobgp_api::event::Event) {
        let Some(p) = self.peers.get(&peer) else {
            return;
        };
        let info = events::peer_info(&p.neighbor, p.local, p.remote);
        let time = events::now();
        for h in self.helpers.values_mut() {
            let sub = output::subscription(&p.neighbor.api, &h.info.name);
            let Some(sub) = sub else { continue };
            if !sub.wants(&event) {
                continue;
            }
            let line = match h.info.encoder {
                Encoder::Json => Some(h.json.encode(time, &info, &event) + "\n"),
                Encoder::Text => ferrobgp_api::text::encode(&info, &event).map(|t| t + "\n"),
            };
            if let Some(line) = line {
                let _ = h.out.send(line.into_bytes());
            }
        }
    }

    /// What `show neighbor` reports about `id`.
    fn status(&self, id: PeerId) -> Option<crate::show::NeighborStatus<'_>> {
        let p = self.peers.get(&id)?;
        Some(crate::show::NeighborStatus {
            neighbor: &p.neighbor,
            fsm: if p.up { "established" } else { &p.fsm },
            up_for: p.up_since.filter(|_| p.up).map(|t| t.elapsed().as_secs()),
            down_for: p.down_since.elapsed().as_secs(),
            local: p.local.map(|a| a.ip()),
            remote: p.remote.map(|a| a.ip()),
            negotiated: p.negotiated.as_ref().filter(|_| p.up),
            peer_open: p.peer_open.as_ref().filter(|_| p.up),
            sent: p.sent,
            received: p.received,
        })
    }

    /// `show neighbor [summary|extensive|configuration] [IP] [json]`.
    fn show_neighbor(
        &self,
        peers: &[PeerId],
        view: ferrobgp_api::NeighborView,
        json: bool,
    ) -> Vec<String> {
        use ferrobgp_api::NeighborView;
        let statuses = || peers.iter().filter_map(|id| self.status(*id));
        if json {
            let all: Vec<_> = statuses().collect();
            return vec![crate::show::neighbors_json(&all)];
        }
        match view {
            NeighborView::Extensive => statuses()
                .flat_map(|s| crate::show::extensive(&s))
                .collect(),
            NeighborView::Configuration => statuses()
                .flat_map(|s| {
                    ferrobgp_config::print::neighbor(s.neighbor)
                        .lines()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect(),
            _ => self.summary(peers),
        }
    }

    /// `show neighbor summary`: the header and one line per peer.
    fn summary(&self, peers: &[PeerId]) -> Vec<String> {
        let mut out = vec![crate::show::SUMMARY_HEADER.to_string()];
        for id in peers {
            let Some(p) = self.peers.get(id) else {
                continue;
            };
            out.push(crate::show::summary_line(&crate::show::SummaryRow {
                peer_address: p.neighbor.peer_address.addr(),
                peer_as: p
                    .negotiated
                    .as_ref()
                    .map(|n| n.peer_as)
                    .or(p.neighbor.peer_as.asn()),
                up_for: p.up_since.filter(|_| p.up).map(|t| t.elapsed().as_secs()),
                state: if p.up {
                    "established".into()
                } else {
                    p.fsm.clone()
                },
                updates_sent: p.sent.update,
                updates_received: p.received.update,
            }));
        }
        out
    }

    /// Records a message received from `peer` in its Adj-RIB-In (UPDATEs
    /// only, when the neighbor's `adj-rib-in` is on). `decoded`: the
    /// message decoded at most once for the Adj-RIB-In and the helpers.
    fn adj_rib_in(&mut self, peer: PeerId, raw: &[u8], decoded: &mut Decoded) {
        let Some(r) = self.table.peer_mut(peer) else {
            return;
        };
        if !r.adj_in.enabled || raw.get(18) != Some(&ferrobgp_wire::message::kind::UPDATE) {
            return;
        }
        let p = self.peers.get(&peer);
        let negotiated = p.and_then(|p| p.negotiated.as_ref());
        let local = p.and_then(|p| p.local).map(|a| a.ip());
        if let Some(Message::Update(u)) =
            decoded.get_or_insert_with(|| from_wire::decode_at(raw, negotiated, local))
        {
            r.adj_in.received(&u.received);
        }
    }

    /// Reports a BGP message to the helpers that asked for it, as `packets`
    /// and/or parsed events (decoded once, only when someone wants it).
    fn emit_message(
        &mut self,
        peer: PeerId,
        direction: ipc::Direction,
        raw: &[u8],
        decoded: &mut Decoded,
    ) {
        use ferrobgp_api::event::{Direction, Event, Report};
        let Some(p) = self.peers.get(&peer) else {
            return;
        };
        let Some(kind) = raw.get(18).and_then(|c| output::message_type(*c)) else {
            return;
        };
        let dir = match direction {
            ipc::Direction::Received => Direction::Receive,
            ipc::Direction::Sent => Direction::Send,
        };
        let info = events::peer_info(&p.neighbor, p.local, p.remote);
        let time = events::now();
        let api_negotiated = p.negotiated.as_ref().map(from_wire::negotiated);
        let mut content: Option<Option<ferrobgp_api::event::Content>> = None;
        for h in self.helpers.values_mut() {
            let Some(sub) = output::subscription(&p.neighbor.api, &h.info.name) else {
                continue;
            };
            let negotiated = if sub.negotiated {
                api_negotiated.clone()
            } else {
                None
            };
            for report in sub.reports(dir, kind) {
                let event = match report {
                    Report::Packets => Event::Packets {
                        direction: dir,
                        category: raw[18],
                        header: raw[..19].to_vec(),
                        body: raw[19..].to_vec(),
                        negotiated: negotiated.clone(),
                    },
                    Report::Parsed { raw: with_raw } => {
                        let c = content
                            .get_or_insert_with(|| {
                                decoded
                                    .get_or_insert_with(|| {
                                        // received: the live-session checks
                                        let local = (dir == Direction::Receive)
                                            .then(|| p.local.map(|a| a.ip()))
                                            .flatten();
                                        from_wire::decode_at(raw, p.negotiated.as_ref(), local)
                                    })
                                    .as_ref()
                                    .and_then(from_wire::content)
                            })
                            .clone();
                        let Some(c) = c else { continue };
                        Event::Message {
                            direction: dir,
                            content: c,
                            raw: with_raw.then(|| (raw[..19].to_vec(), raw[19..].to_vec())),
                            negotiated: negotiated.clone(),
                        }
                    }
                };
                let line = match h.info.encoder {
                    Encoder::Json => Some(h.json.encode(time, &info, &event) + "\n"),
                    Encoder::Text => ferrobgp_api::text::encode(&info, &event).map(|t| t + "\n"),
                };
                if let Some(line) = line {
                    let _ = h.out.send(line.into_bytes());
                }
            }
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
