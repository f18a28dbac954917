//! The rib process: the event loop that owns every Adj-RIB-Out, reads the
//! helpers' commands, runs the ordering protocol with the session workers
//! over real sockets, and writes replies and events to the helpers.
//!
//! Ordering protocol (ARCHITECTURE.md): each command line gets the next
//! daemon-wide sequence number; the complete lines of one read of one
//! helper form a batch; the batch is applied to the Adj-RIB-Outs at once
//! ([`crate::Rib::apply_batch`]), each affected worker gets
//! `Changes { seq: last seq of the batch }`, and only when every one of them
//! acknowledged (or the ack timeout passed) are the replies written and the
//! next batch read. Batches are handled one at a time, in arrival order,
//! while session events, acknowledgements and helper output keep flowing.

mod control;
mod events;
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
}

struct Peer {
    neighbor: Neighbor,
    /// ExaBGP's name string, matched by neighbor selectors.
    name: String,
    link: Option<(u64, mpsc::UnboundedSender<RibToSession>)>,
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

struct InFlight {
    seq: u64,
    helper: HelperKey,
    replies: Vec<Reply>,
    waiting: BTreeSet<PeerId>,
    /// Replies of `reload` commands waiting for the supervisor's outcome
    /// (`SupervisorToRib::ReloadDone`), in the order they were asked.
    reloads: VecDeque<usize>,
    done: oneshot::Sender<()>,
}

impl InFlight {
    /// Nothing left to wait for: the replies can be written.
    fn complete(&self) -> bool {
        self.waiting.is_empty() && self.reloads.is_empty()
    }
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
    pending: VecDeque<(HelperKey, Vec<String>, oneshot::Sender<()>)>,
    inflight: Option<InFlight>,
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
        opts,
        version: settings
            .version_or(ferrobgp_api::json::JSON_VERSION)
            .to_string(),
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
        pending: VecDeque::new(),
        inflight: None,
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
            Some(seq) = timeout_rx.recv() => st.on_timeout(seq),
            Some(stream) = control_rx.recv() => st.add_control_client(stream),
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
                        if let Some(p) = self.peers.get_mut(&peer) {
                            p.link = Some((gen, q));
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
        if let Err(e) = helper_io::spawn_reader(stdout, key, self.helper_events.clone()) {
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
            },
        );
    }

    fn on_helper(&mut self, key: HelperKey, ev: FromHelper) {
        match ev {
            FromHelper::Eof => {
                debug!("helper {key}: end of output");
                self.control_client_gone(key);
            }
            FromHelper::Batch { lines, done } => {
                self.pending.push_back((key, lines, done));
                self.next_batch();
            }
        }
    }

    /// Starts the next queued batch when none is in flight.
    fn next_batch(&mut self) {
        while self.inflight.is_none() {
            let Some((key, lines, done)) = self.pending.pop_front() else {
                return;
            };
            if !self.helpers.contains_key(&key) {
                continue;
            }
            self.start_batch(key, lines, done);
        }
    }

    fn start_batch(&mut self, key: HelperKey, lines: Vec<String>, done: oneshot::Sender<()>) {
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
                    warn!("command from process \"{process}\" not understood: {line:?}: {e}");
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
                            warn!("command from \"{process}\" refused: {line:?}: {e}");
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
        let mut waiting = BTreeSet::new();
        for (peer, list) in lists {
            if self.send_ipc(peer, seq, list) {
                waiting.insert(peer);
            }
        }
        for a in after {
            self.side_effect(a);
        }
        self.inflight = Some(InFlight {
            seq,
            helper: key,
            replies,
            waiting,
            reloads,
            done,
        });
        if self.inflight.as_ref().is_some_and(InFlight::complete) {
            self.finish_batch();
        } else {
            let t = self.timeouts.clone();
            let d = self.opts.ack_timeout;
            tokio::spawn(async move {
                tokio::time::sleep(d).await;
                let _ = t.send(seq);
            });
        }
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
    fn send_changes(&mut self, peer: PeerId, seq: u64, changes: Vec<Change>) -> bool {
        self.send_ipc(peer, seq, to_ipc(peer, changes))
    }

    /// Queues already converted changes to a peer's worker; true when an
    /// ack is expected.
    fn send_ipc(&mut self, peer: PeerId, seq: u64, changes: ipc::ChangeList) -> bool {
        let Some((_, q)) = self.peers.get(&peer).and_then(|p| p.link.as_ref()) else {
            return false;
        };
        q.send(changes.into_message(seq)).is_ok()
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

    fn on_timeout(&mut self, seq: u64) {
        let timeout = self.opts.ack_timeout;
        if let Some(f) = self.inflight.as_mut() {
            if f.seq == seq && !f.complete() {
                if !f.waiting.is_empty() {
                    warn!(
                        "no acknowledgement from peer(s) {:?} within {:?}: answering anyway",
                        f.waiting, timeout
                    );
                }
                for i in std::mem::take(&mut f.reloads) {
                    warn!("no outcome of the reload within {timeout:?}: answering error");
                    if let Some(r) = f.replies.get_mut(i) {
                        r.outcome =
                            Outcome::Error(format!("the reload did not finish within {timeout:?}"));
                    }
                }
                self.finish_batch();
            }
        }
    }

    /// The supervisor's outcome of a `reload` of the batch in flight: an
    /// invalid configuration answers `error`, its reason lines first.
    fn reload_done(&mut self, error: Option<String>) {
        let Some(f) = self.inflight.as_mut() else {
            return;
        };
        let Some(i) = f.reloads.pop_front() else {
            return;
        };
        if let (Some(e), Some(r)) = (error, f.replies.get_mut(i)) {
            r.output
                .extend(e.lines().map(|l| format!("reload failed: {l}")));
            r.outcome = Outcome::Error(e);
        }
        if f.complete() {
            self.finish_batch();
        }
    }

    fn acked(&mut self, peer: PeerId, seq: u64) {
        let finished = match self.inflight.as_mut() {
            Some(f) if seq >= f.seq => {
                f.waiting.remove(&peer);
                f.complete()
            }
            _ => false,
        };
        if finished {
            self.finish_batch();
        }
    }

    fn finish_batch(&mut self) {
        let Some(f) = self.inflight.take() else {
            return;
        };
        if let Some(h) = self.helpers.get_mut(&f.helper) {
            let mut text = String::new();
            for r in f.replies {
                for l in r.output {
                    text.push_str(&l);
                    text.push('\n');
                }
                if let Some(line) = h.ack.reply(r.seq, r.command.as_ref(), &r.outcome) {
                    text.push_str(&line);
                    text.push('\n');
                }
            }
            if !text.is_empty() {
                let _ = h.out.send(text.into_bytes());
            }
        }
        let _ = f.done.send(());
        self.next_batch();
    }

    fn session_gone(&mut self, peer: PeerId, reason: &str) {
        if let Some(p) = self.peers.get_mut(&peer) {
            p.link = None;
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
        let finished = match self.inflight.as_mut() {
            Some(f) => f.waiting.remove(&peer) && f.complete(),
            None => false,
        };
        if finished {
            self.finish_batch();
        }
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
                self.send_ipc(peer, seq, list);
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
                self.send_ipc(peer, seq, list);
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
        let time = events::now();
        let helpers: Vec<Helper> = self.helpers.drain().map(|(_, h)| h).collect();
        let mut writers = Vec::new();
        for h in helpers {
            let notice = match h.info.encoder {
                Encoder::Text => {
                    ferrobgp_api::text::shutdown(self.origin.pid, self.daemon_ppid) + "\n"
                }
                Encoder::Json => h.json.shutdown(time) + "\n",
            };
            let _ = h.out.send(notice.into_bytes());
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
