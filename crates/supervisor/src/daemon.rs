//! The supervisor's event loop: spawns the rib, the helpers and one session
//! worker per neighbor, reaps and restarts them, accepts incoming
//! connections, reloads on SIGUSR1/SIGHUP (or the API's `reload`, which gets
//! the outcome back; SIGUSR2 also restarts every helper, as ExaBGP does),
//! restarts sessions on SIGALRM (all) or the API's
//! `restart` (all, or the selected neighbors), and shuts everything down on
//! SIGTERM/SIGINT (or the API's `shutdown`).
//!
//! Reload: an invalid configuration changes nothing (the error, with
//! `file:line:column`, is logged and returned to an API caller). Otherwise
//! neighbors added get a worker, neighbors removed are stopped with Cease
//! 6/3 "Peer De-configured" (RFC 4486), neighbors whose session settings
//! changed are stopped with Cease 6/6 "Other Configuration Change" and
//! restarted, and the others keep their session (the rib sends only the
//! route difference). Helpers added, removed or changed are started,
//! stopped or restarted.
//!
//! A worker restarted on request (`restart`, SIGALRM, a changed neighbor)
//! is stopped with Cease 6/4 "Administrative Reset" for `restart` (silently
//! when the neighbor has graceful restart, so the peer keeps our routes as
//! stale), and its successor sets the graceful-restart R bit (spec §7.7).
//!
//! Everything runs on one thread (the caller must use a current-thread
//! tokio runtime): children are forked from it, which keeps
//! `PR_SET_PDEATHSIG` meaningful, and the state below needs no locks.
//! Each child has a generation number; events about an older generation
//! (a process already replaced) are ignored.
//!
//! At start the supervisor decides what its children drop
//! ([`Privileges::detect`]), takes the listening sockets of systemd socket
//! activation, and tells systemd when it is ready, reloading or stopping
//! (and pings its watchdog from this loop).

use crate::error::{Error, Result};
use crate::helper_respawn::{AfterExit, HelperRespawn, RespawnRules};
use crate::limits::RestartBackoff;
use crate::listen;
use crate::notify;
use crate::plan::{self, PeerIds};
use crate::privilege::{self, Privileges};
use crate::spawn::{spawn_helper, spawn_role};
use ferrobgp_config::{Config, LoadOptions, Neighbor, Process, Settings};
use ferrobgp_ipc::{
    self as ipc, Channel, HelperInfo, PeerId, PeerInfo, RibToSupervisor, SessionToSupervisor,
    StopMode, SupervisorToRib, SupervisorToSession,
};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;
use std::process::ExitStatus;
use std::time::{Duration, Instant};
use tokio::net::TcpStream;
use tokio::process::Child;
use tokio::signal::unix::{signal, SignalKind};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tracing::{debug, error, info, warn};

/// How long a message to a child may take before the child is considered hung.
const SEND_TIMEOUT: Duration = Duration::from_secs(5);
/// Shutdown: time given to sessions and the rib to stop by themselves.
const STOP_GRACE: Duration = Duration::from_secs(3);
/// Shutdown: time helpers get to exit by themselves after the notice.
const HELPER_GRACE: Duration = Duration::from_millis(300);
/// Shutdown: how long the sessions stay up after the notice for helpers to
/// exit and have their last commands (withdrawals) sent.
const HELPER_WAIT: Duration = Duration::from_secs(3);
/// Shutdown: time given to helpers after SIGTERM before SIGKILL.
const TERM_GRACE: Duration = Duration::from_secs(3);

/// What `ferrobgp run` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Configuration files, in command-line order.
    pub configs: Vec<PathBuf>,
    /// This binary (re-executed for the internal roles), normally `/proc/self/exe`.
    pub exe: PathBuf,
    pub settings: Settings,
    /// `$PATH`, for `run` programs given by bare name.
    pub path_env: Option<String>,
    /// Arguments appended to every internal role's command line (e.g. `--debug`).
    pub child_args: Vec<String>,
    /// Environment added for the internal roles (log filter).
    pub child_env: Vec<(String, String)>,
    /// The user children run as when the supervisor is privileged
    /// (`--user` / `daemon.user`); `None`: `ferrobgp`, else `nobody`.
    pub user: Option<String>,
    /// Control socket path (`--socket`); `None`: the default place, unless
    /// `exabgp.api.cli` is false.
    pub control_socket: Option<PathBuf>,
    /// The user helpers run as, whose access to each `run` program the
    /// configuration checks (set by [`run`] from the privileges).
    pub helper_run_as: Option<ferrobgp_config::run_access::RunAs>,
}

/// Loads the configuration files of the current selection.
pub fn load(opts: &Options, files: &[PathBuf]) -> Result<Config> {
    let mut lo = LoadOptions::new(opts.settings.clone(), opts.path_env.clone());
    lo.run.user = opts.helper_run_as.clone();
    let mut configs = Vec::new();
    let mut errors = Vec::new();
    for r in ferrobgp_config::load_files(files, &lo) {
        match r {
            Ok(l) => {
                for w in &l.warnings {
                    warn!("{w} (warning)");
                }
                configs.push(l.config)
            }
            Err(ferrobgp_config::ConfigError::Invalid(ds)) => {
                errors.extend(ds.iter().map(|d| d.to_string()))
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        Ok(plan::merge(configs))
    } else {
        Err(Error::Config(errors.join("\n")))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    Rib,
    Session(PeerId),
    Helper(String),
}

enum Event {
    Exited {
        who: Who,
        gen: u64,
        status: std::io::Result<ExitStatus>,
    },
    FromRib {
        gen: u64,
        msg: ipc::Result<RibToSupervisor>,
    },
    FromSession {
        peer: PeerId,
        gen: u64,
        msg: ipc::Result<SessionToSupervisor>,
    },
    Accepted {
        stream: TcpStream,
        local: SocketAddr,
        remote: SocketAddr,
    },
    RespawnSession {
        peer: PeerId,
        gen: u64,
    },
    RespawnRib {
        gen: u64,
    },
    /// The back-off of a dead helper (whose last run had generation `gen`) is over.
    RespawnHelper {
        name: String,
        gen: u64,
    },
    Signal(SignalKind),
    ShutdownDeadline {
        phase: u8,
    },
    /// Time to tell systemd's watchdog that this loop is alive.
    Watchdog,
}

struct Worker {
    neighbor: Neighbor,
    gen: u64,
    pid: Option<u32>,
    tx: Option<ipc::Sender<SupervisorToSession>>,
    started: Instant,
    backoff: RestartBackoff,
    restarts: u32,
    /// The worker said it gives up on this neighbor (attempts used up).
    finished: bool,
    /// Removed from the configuration by a reload.
    removed: bool,
    /// Stopped on purpose to be started again at once.
    restart_now: bool,
    /// The next worker replaces one stopped on request: its OPEN sets the
    /// graceful-restart R bit.
    restarted_on_request: bool,
}

struct Helper {
    process: Process,
    gen: u64,
    pid: Option<u32>,
    started: Instant,
    respawn: HelperRespawn,
    removed: bool,
    restart_now: bool,
}

struct Rib {
    gen: u64,
    pid: u32,
    tx: ipc::Sender<SupervisorToRib>,
    started: Instant,
}

struct Daemon {
    opts: Options,
    selection: usize,
    config: Config,
    peer_ids: PeerIds,
    peers: BTreeMap<PeerId, Neighbor>,
    workers: BTreeMap<PeerId, Worker>,
    helpers: BTreeMap<String, Helper>,
    rib: Option<Rib>,
    rib_backoff: RestartBackoff,
    rib_gen_dead: u64,
    listeners: BTreeMap<SocketAddr, JoinHandle<()>>,
    /// Addresses of the sockets systemd passed (socket activation): they
    /// replace `tcp.bind` and are kept across reloads.
    activated: BTreeSet<SocketAddr>,
    /// What every child drops (decided once at start).
    privs: Privileges,
    events: mpsc::UnboundedSender<Event>,
    next_gen: u64,
    stopping: Option<i32>,
    /// Shutdown: the rib is told to stop once every worker is gone.
    rib_stop_pending: bool,
    /// Shutdown: helpers got the notice and SIGTERM; the sessions wait for
    /// them (or [`HELPER_WAIT`]) before they close.
    helpers_draining: bool,
    /// Shutdown: the helpers had their notice, SIGTERM and wait.
    helpers_drained: bool,
    exit_now: bool,
    /// The control socket (`ferrobgp cli`); handed to each rib started.
    control: Option<crate::control::ControlSocket>,
}

/// Runs the daemon until it stops; returns the process exit status.
/// Must run on a current-thread tokio runtime (see the module doc).
pub async fn run(opts: Options) -> Result<i32> {
    let privs = Privileges::detect(opts.user.as_deref())?
        .with_helper_capabilities(&privilege::helper_capabilities_from_env()?)?;
    let mut opts = opts;
    opts.helper_run_as = Some(privs.helper_run_as());
    let passed = notify::take_listeners()?;
    let rotate = opts.settings.debug.rotate && opts.configs.len() > 1;
    let files: Vec<PathBuf> = if rotate {
        opts.configs[..1].to_vec()
    } else {
        opts.configs.clone()
    };
    let config = load(&opts, &files)?;
    let control = crate::control::open(&opts);
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut d = Daemon {
        opts,
        selection: 0,
        config,
        peer_ids: PeerIds::default(),
        peers: BTreeMap::new(),
        workers: BTreeMap::new(),
        helpers: BTreeMap::new(),
        rib: None,
        rib_backoff: RestartBackoff::default(),
        rib_gen_dead: 0,
        listeners: BTreeMap::new(),
        activated: BTreeSet::new(),
        privs,
        events: tx,
        next_gen: 0,
        stopping: None,
        rib_stop_pending: false,
        helpers_draining: false,
        helpers_drained: false,
        exit_now: false,
        control,
    };
    d.peers = d.peer_ids.assign(&d.config);
    for kind in [
        SignalKind::terminate(),
        SignalKind::interrupt(),
        SignalKind::hangup(),
        SignalKind::user_defined1(),
        SignalKind::user_defined2(),
        SignalKind::alarm(),
    ] {
        let mut s = signal(kind)?;
        let tx = d.events.clone();
        tokio::spawn(async move {
            while s.recv().await.is_some() {
                if tx.send(Event::Signal(kind)).is_err() {
                    break;
                }
            }
        });
    }
    for l in passed {
        let addr = l.local_addr()?;
        l.set_nonblocking(true)?;
        let l = tokio::net::TcpListener::from_std(l)?;
        info!("listening on {addr} (socket activation)");
        let h = d.accept_on(addr, l);
        d.activated.insert(addr);
        d.listeners.insert(addr, h);
    }
    d.update_listeners()?;
    // Listeners and control socket are up: from here on the supervisor
    // only spawns, signals and (on reload) binds; children inherit this.
    if let Some(kept) = d.privs.drop_own()? {
        info!("supervisor {kept}");
    }
    d.spawn_rib().await?;
    let processes = d.config.processes.clone();
    for p in processes {
        d.add_helper(p).await;
    }
    let ids: Vec<PeerId> = d.peers.keys().copied().collect();
    for id in ids {
        let n = d.peers[&id].clone();
        d.workers.insert(id, Worker::new(n));
        d.spawn_session(id).await;
    }
    info!(
        "started: {} neighbor(s), {} helper(s)",
        d.workers.len(),
        d.helpers.len()
    );
    d.notify_ready("running");
    if let Some(every) = notify::watchdog_interval() {
        let tx = d.events.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if tx.send(Event::Watchdog).is_err() {
                    break;
                }
            }
        });
    }
    d.check_all_finished().await;
    while let Some(ev) = rx.recv().await {
        d.handle(ev).await;
        if d.exit_now {
            break;
        }
    }
    Ok(d.stopping.unwrap_or(0))
}

impl Worker {
    fn new(neighbor: Neighbor) -> Self {
        Worker {
            neighbor,
            gen: 0,
            pid: None,
            tx: None,
            started: Instant::now(),
            backoff: RestartBackoff::default(),
            restarts: 0,
            finished: false,
            removed: false,
            restart_now: false,
            restarted_on_request: false,
        }
    }
}

/// Why a worker is stopped to be started again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RestartWhy {
    /// API/cli `restart`, SIGALRM.
    Requested,
    /// A reload changed the neighbor's session settings.
    Reconfigured,
}

/// The neighbor as people write it: `10.0.0.1`, or `10.0.0.0/24` for a range.
fn label(n: &Neighbor) -> String {
    let net = n.peer_address;
    if net.prefix_len() == net.max_prefix_len() {
        net.addr().to_string()
    } else {
        net.to_string()
    }
}

fn describe(status: &std::io::Result<ExitStatus>) -> String {
    use std::os::unix::process::ExitStatusExt;
    match status {
        Ok(s) => match (s.code(), s.signal()) {
            (Some(c), _) => format!("exited with status {c}"),
            (None, Some(sig)) => format!("killed by signal {sig}"),
            _ => "exited".into(),
        },
        Err(e) => format!("could not be waited for: {e}"),
    }
}

impl Daemon {
    fn gen(&mut self) -> u64 {
        self.next_gen += 1;
        self.next_gen
    }

    fn watch(&self, who: Who, gen: u64, mut child: Child) {
        let tx = self.events.clone();
        tokio::spawn(async move {
            let status = child.wait().await;
            let _ = tx.send(Event::Exited { who, gen, status });
        });
    }

    fn after(&self, delay: Duration, ev: Event) {
        let tx = self.events.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            let _ = tx.send(ev);
        });
    }

    fn settings_blob(&self) -> ipc::Result<ipc::Serialized> {
        ipc::Serialized::of(&self.opts.settings)
    }

    fn peer_infos(&self) -> ipc::Result<Vec<PeerInfo>> {
        self.peers
            .iter()
            .map(|(id, n)| {
                Ok(PeerInfo {
                    id: *id,
                    peer_address: n.peer_address.addr(),
                    neighbor: ipc::Serialized::of(n)?,
                })
            })
            .collect()
    }

    /// Sends to the rib; a rib that does not take the message in time is killed.
    async fn send_rib(&mut self, msg: SupervisorToRib, fds: &[OwnedFd]) -> bool {
        let Some(rib) = self.rib.as_mut() else {
            return false;
        };
        let borrowed: Vec<_> = fds.iter().map(|f| f.as_fd()).collect();
        match tokio::time::timeout(SEND_TIMEOUT, rib.tx.send_with_fds(&msg, &borrowed)).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                warn!("rib channel: {e}");
                let _ = kill(Pid::from_raw(rib.pid as i32), Signal::SIGKILL);
                false
            }
            Err(_) => {
                error!("rib does not read its control channel: killing it");
                let _ = kill(Pid::from_raw(rib.pid as i32), Signal::SIGKILL);
                false
            }
        }
    }

    async fn send_session(
        &mut self,
        peer: PeerId,
        msg: SupervisorToSession,
        fds: &[OwnedFd],
    ) -> bool {
        let Some(w) = self.workers.get_mut(&peer) else {
            return false;
        };
        let (Some(tx), Some(pid)) = (w.tx.as_mut(), w.pid) else {
            return false;
        };
        let borrowed: Vec<_> = fds.iter().map(|f| f.as_fd()).collect();
        match tokio::time::timeout(SEND_TIMEOUT, tx.send_with_fds(&msg, &borrowed)).await {
            Ok(Ok(())) => true,
            Ok(Err(e)) => {
                debug!(peer, "session channel: {e}");
                false
            }
            Err(_) => {
                error!(
                    peer,
                    "session worker does not read its control channel: killing it"
                );
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                false
            }
        }
    }

    async fn spawn_rib(&mut self) -> Result<()> {
        let gen = self.gen();
        let (ours, theirs) = ipc::pair()?;
        let mut args = vec!["__rib".to_string()];
        args.extend(self.opts.child_args.iter().cloned());
        let child = spawn_role(
            &self.privs,
            &self.opts.exe,
            &args,
            &[theirs.as_fd()],
            &self.opts.child_env,
        )?;
        drop(theirs);
        let pid = child.id().unwrap_or(0);
        self.watch(Who::Rib, gen, child);
        let (tx, mut rx) = Channel::<SupervisorToRib, RibToSupervisor>::new(ours)?.split();
        let events = self.events.clone();
        tokio::spawn(async move {
            loop {
                let msg = rx.recv().await.map(|(m, _)| m);
                let end = msg.is_err();
                if events.send(Event::FromRib { gen, msg }).is_err() || end {
                    break;
                }
            }
        });
        self.rib = Some(Rib {
            gen,
            pid,
            tx,
            started: Instant::now(),
        });
        info!(pid, "rib started");
        let init = SupervisorToRib::Init {
            settings: self.settings_blob()?,
            config: ipc::Serialized::of(&self.config)?,
            peers: self.peer_infos()?,
            daemon_pid: std::process::id(),
            daemon_ppid: nix::unistd::getppid().as_raw() as u32,
        };
        self.send_rib(init, &[]).await;
        if let Some(c) = &self.control {
            match c.fd() {
                Ok(fd) => {
                    self.send_rib(SupervisorToRib::ControlSocket, &[fd]).await;
                }
                Err(e) => warn!("control socket {}: {e}", c.path().display()),
            }
        }
        Ok(())
    }

    async fn add_helper(&mut self, process: Process) {
        let name = process.name.clone();
        self.helpers.insert(
            name.clone(),
            Helper {
                process,
                gen: 0,
                pid: None,
                started: Instant::now(),
                respawn: HelperRespawn::default(),
                removed: false,
                restart_now: false,
            },
        );
        self.spawn_helper(&name).await;
    }

    /// Starts (or restarts) a helper and hands its pipes to the rib.
    async fn spawn_helper(&mut self, name: &str) {
        if self.rib.is_none() || self.stopping.is_some() {
            return;
        }
        let gen = self.gen();
        let Some(h) = self.helpers.get_mut(name) else {
            return;
        };
        h.gen = gen;
        h.started = Instant::now();
        h.restart_now = false;
        let (child, pipes) = match spawn_helper(&self.privs, name, &h.process.argv) {
            Ok(x) => x,
            Err(e) => {
                error!("{e}");
                self.schedule_helper_respawn(name).await;
                return;
            }
        };
        let pid = child.id().unwrap_or(0);
        h.pid = Some(pid);
        h.restart_now = false;
        let info = HelperInfo {
            name: name.to_string(),
            encoder: match h.process.encoder {
                ferrobgp_config::Encoder::Text => ipc::Encoder::Text,
                ferrobgp_config::Encoder::Json => ipc::Encoder::Json,
            },
            pid,
        };
        info!(
            pid,
            "helper \"{name}\" started: {}",
            h.process.argv.join(" ")
        );
        self.watch(Who::Helper(name.to_string()), gen, child);
        self.send_rib(SupervisorToRib::Helper(info), &[pipes.stdin, pipes.stdout])
            .await;
    }

    /// Starts (or restarts) the worker of `peer`.
    async fn spawn_session(&mut self, peer: PeerId) {
        if self.rib.is_none() || self.stopping.is_some() {
            return;
        }
        let gen = self.gen();
        let settings = match self.settings_blob() {
            Ok(s) => s,
            Err(e) => {
                error!("{e}");
                return;
            }
        };
        let exe = self.opts.exe.clone();
        let child_env = self.opts.child_env.clone();
        let privs = self.privs.clone();
        let mut args = vec![
            "__session".to_string(),
            "--peer-id".to_string(),
            peer.to_string(),
        ];
        let Some(w) = self.workers.get_mut(&peer) else {
            return;
        };
        args.push("--peer".to_string());
        args.push(label(&w.neighbor));
        if let Some(port) = crate::spawn::connect_port(&w.neighbor, &self.opts.settings) {
            args.extend(["--connect-port".to_string(), port.to_string()]);
        }
        args.extend(self.opts.child_args.iter().cloned());
        let spawned = (|| -> Result<_> {
            let (sup_ours, sup_theirs) = ipc::pair()?;
            let (rib_ours, rib_theirs) = ipc::pair()?;
            let child = spawn_role(
                &privs,
                &exe,
                &args,
                &[sup_theirs.as_fd(), rib_theirs.as_fd()],
                &child_env,
            )?;
            Ok((child, sup_ours, rib_ours))
        })();
        let (child, sup_ours, rib_ours) = match spawned {
            Ok(x) => x,
            Err(e) => {
                error!(peer, "{e}");
                return;
            }
        };
        let pid = child.id().unwrap_or(0);
        let (tx, mut rx) = match Channel::<SupervisorToSession, SessionToSupervisor>::new(sup_ours)
        {
            Ok(c) => c.split(),
            Err(e) => {
                error!(peer, "{e}");
                return;
            }
        };
        w.gen = gen;
        w.pid = Some(pid);
        w.tx = Some(tx);
        w.started = Instant::now();
        w.restart_now = false;
        let restarted_on_request = std::mem::take(&mut w.restarted_on_request);
        let restarts = w.restarts;
        // The worker never reads the configured routes (the rib owns them):
        // leave them out, so 100,000 static routes are not copied into
        // every worker's memory.
        let routes = std::mem::take(&mut w.neighbor.routes);
        let neighbor = ipc::Serialized::of(&w.neighbor);
        w.neighbor.routes = routes;
        info!(
            pid,
            peer,
            "session worker for {} started",
            label(&w.neighbor)
        );
        self.watch(Who::Session(peer), gen, child);
        let events = self.events.clone();
        tokio::spawn(async move {
            loop {
                let msg = rx.recv().await.map(|(m, _)| m);
                let end = msg.is_err();
                if events.send(Event::FromSession { peer, gen, msg }).is_err() || end {
                    break;
                }
            }
        });
        self.send_rib(SupervisorToRib::SessionChannel { peer }, &[rib_ours])
            .await;
        match neighbor {
            Ok(neighbor) => {
                let init = SupervisorToSession::Init {
                    peer,
                    neighbor,
                    settings,
                    restarts,
                    restarted_on_request,
                };
                self.send_session(peer, init, &[]).await;
            }
            Err(e) => error!(peer, "{e}"),
        }
    }

    fn update_listeners(&mut self) -> Result<()> {
        let mut want: BTreeSet<SocketAddr> =
            listen::listen_addresses(&self.opts.settings, self.peers.values());
        if !self.activated.is_empty() {
            // systemd's sockets replace tcp.bind; neighbors' own `listen`
            // ports are still opened here.
            for ip in &self.opts.settings.tcp.bind.0 {
                want.remove(&SocketAddr::new(*ip, self.opts.settings.tcp.port.0));
            }
            want.extend(self.activated.iter().copied());
        }
        let have: Vec<SocketAddr> = self.listeners.keys().copied().collect();
        for addr in have {
            if !want.contains(&addr) {
                if let Some(h) = self.listeners.remove(&addr) {
                    h.abort();
                }
                info!("stopped listening on {addr}");
            }
        }
        for addr in want {
            if self.listeners.contains_key(&addr) {
                continue;
            }
            let l = listen::bind(addr)?;
            info!("listening on {addr}");
            let h = self.accept_on(addr, l);
            self.listeners.insert(addr, h);
        }
        Ok(())
    }

    /// Accepts on `l` and passes each connection to the event loop.
    fn accept_on(&self, addr: SocketAddr, l: tokio::net::TcpListener) -> JoinHandle<()> {
        let tx = self.events.clone();
        tokio::spawn(async move {
            loop {
                match l.accept().await {
                    Ok((stream, remote)) => {
                        let local = stream.local_addr().unwrap_or(addr);
                        if tx
                            .send(Event::Accepted {
                                stream,
                                local,
                                remote,
                            })
                            .is_err()
                        {
                            break;
                        }
                    }
                    Err(e) => {
                        warn!("accept on {addr}: {e}");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                }
            }
        })
    }

    /// Tells systemd that start-up or a reload is complete (no-op without systemd).
    fn notify_ready(&self, what: &str) {
        let status = format!(
            "{what}: {} neighbor(s), {} helper(s)",
            self.workers.len(),
            self.helpers.len()
        );
        if let Err(e) = notify::ready(&status) {
            warn!("systemd notification: {e}");
        }
    }

    async fn handle(&mut self, ev: Event) {
        match ev {
            Event::Signal(kind) => self.on_signal(kind).await,
            Event::Exited { who, gen, status } => self.on_exit(who, gen, status).await,
            Event::FromRib { gen, msg } => self.on_rib(gen, msg).await,
            Event::FromSession { peer, gen, msg } => self.on_session(peer, gen, msg).await,
            Event::Accepted {
                stream,
                local,
                remote,
            } => self.on_accept(stream, local, remote).await,
            Event::RespawnSession { peer, gen } => {
                let due = self
                    .workers
                    .get(&peer)
                    .is_some_and(|w| w.gen == gen && w.pid.is_none());
                if due {
                    self.spawn_session(peer).await;
                }
            }
            Event::RespawnRib { gen } => {
                if gen == self.rib_gen_dead && self.rib.is_none() && self.stopping.is_none() {
                    self.restart_rib().await;
                }
            }
            Event::RespawnHelper { name, gen } => {
                let due = self
                    .helpers
                    .get(&name)
                    .is_some_and(|h| h.gen == gen && h.pid.is_none() && !h.removed);
                if due {
                    self.spawn_helper(&name).await;
                }
            }
            Event::ShutdownDeadline { phase } => self.on_deadline(phase).await,
            Event::Watchdog => {
                if let Err(e) = notify::watchdog() {
                    warn!("systemd watchdog: {e}");
                }
            }
        }
    }

    async fn on_signal(&mut self, kind: SignalKind) {
        if kind == SignalKind::terminate() || kind == SignalKind::interrupt() {
            info!("signal received: shutting down");
            self.shutdown(0).await;
        } else if kind == SignalKind::alarm() {
            info!("signal received: restarting every session");
            self.restart_sessions(None).await;
        } else if kind == SignalKind::user_defined2() {
            info!("signal received: reloading the configuration and restarting the helpers");
            if self.reload().await.is_ok() {
                self.restart_helpers().await;
            }
        } else {
            info!("signal received: reloading the configuration");
            let _ = self.reload().await;
        }
    }

    async fn on_exit(&mut self, who: Who, gen: u64, status: std::io::Result<ExitStatus>) {
        let how = describe(&status);
        match who {
            Who::Rib => {
                if self.rib.as_ref().is_none_or(|r| r.gen != gen) {
                    return;
                }
                let rib = self.rib.take();
                if self.stopping.is_some() {
                    debug!("rib {how}");
                    if self.helpers_drained {
                        // Helpers had the notice, SIGTERM and their wait;
                        // their pipes are closed now: kill what is left.
                        self.kill_helpers();
                    } else {
                        // Helpers got the shutdown notice: a moment to leave on their own.
                        self.after(HELPER_GRACE, Event::ShutdownDeadline { phase: 0 });
                    }
                } else {
                    error!("rib {how}: restarting it with its helpers and sessions");
                    let uptime = rib.map(|r| r.started.elapsed()).unwrap_or_default();
                    self.kill_all_for_rib_restart();
                    self.rib_gen_dead = gen;
                    let delay = self.rib_backoff.on_death(uptime);
                    self.after(delay, Event::RespawnRib { gen });
                }
            }
            Who::Session(peer) => {
                let Some(w) = self.workers.get_mut(&peer) else {
                    return;
                };
                if w.gen != gen || w.pid.is_none() {
                    return;
                }
                w.pid = None;
                w.tx = None;
                let uptime = w.started.elapsed();
                if self.stopping.is_some() {
                    debug!(peer, "session worker {how}");
                } else if w.removed {
                    info!(peer, "session worker {how} (neighbor removed)");
                    self.workers.remove(&peer);
                } else if w.restart_now {
                    // Stopped on request: it said it finished, which it did
                    // only for this run.
                    info!(peer, "session worker {how} (restart requested)");
                    w.finished = false;
                    w.restarts += 1;
                    self.after(Duration::ZERO, Event::RespawnSession { peer, gen });
                } else if w.finished {
                    info!(peer, "session worker {how} (finished)");
                } else {
                    warn!(peer, "session worker {how}: restarting it");
                    let delay = w.backoff.on_death(uptime);
                    w.restarts += 1;
                    self.after(delay, Event::RespawnSession { peer, gen });
                }
                if self.stopping.is_none() {
                    self.send_rib(SupervisorToRib::SessionDied { peer }, &[])
                        .await;
                } else {
                    self.stop_rib_when_sessions_closed(false).await;
                }
                self.check_all_finished().await;
            }
            Who::Helper(name) => {
                let Some(h) = self.helpers.get_mut(&name) else {
                    return;
                };
                if h.gen != gen || h.pid.is_none() {
                    return;
                }
                let pid = h.pid.take().unwrap_or(0);
                if self.stopping.is_some() {
                    debug!("helper \"{name}\" {how}");
                } else {
                    info!("helper \"{name}\" {how}");
                    self.send_rib(
                        SupervisorToRib::HelperDied {
                            name: name.clone(),
                            pid,
                        },
                        &[],
                    )
                    .await;
                    self.after_helper_death(&name).await;
                }
            }
        }
        if self.stopping.is_some() && !self.anything_alive() {
            self.exit_now = true;
        }
    }

    async fn after_helper_death(&mut self, name: &str) {
        let Some(h) = self.helpers.get_mut(name) else {
            return;
        };
        if h.removed {
            self.helpers.remove(name);
            return;
        }
        if h.restart_now {
            self.spawn_helper(name).await;
            return;
        }
        if self.opts.settings.api.terminate {
            info!("helper \"{name}\" ended and api.terminate is set: shutting down");
            self.shutdown(0).await;
            return;
        }
        self.schedule_helper_respawn(name).await;
    }

    /// A helper ended or could not be started: the respawn policy decides.
    async fn schedule_helper_respawn(&mut self, name: &str) {
        let Some(h) = self.helpers.get_mut(name) else {
            return;
        };
        let rules = RespawnRules {
            respawn: h.process.respawn && self.opts.settings.api.respawn,
            exit_on_limit: self.opts.settings.api.respawn_exit,
        };
        let uptime = h.started.elapsed();
        let gen = h.gen;
        match h.respawn.on_exit(Instant::now(), uptime, rules) {
            AfterExit::Stay => {}
            AfterExit::Respawn(delay) => {
                info!("helper \"{name}\" will be started again in {delay:?}");
                self.after(
                    delay,
                    Event::RespawnHelper {
                        name: name.to_string(),
                        gen,
                    },
                );
            }
            AfterExit::Failed => {
                error!(
                    "helper \"{name}\" was started more than 5 times within 64 seconds: \
                     marked failed and not started again (sessions carry on; a reload \
                     that changes it or SIGUSR2 starts it again)"
                );
                if let Err(e) = notify::status(&format!("helper \"{name}\" failed")) {
                    warn!("systemd notification: {e}");
                }
            }
            AfterExit::Exit => {
                error!(
                    "helper \"{name}\" was started more than 5 times within 64 seconds \
                     and api.respawn_exit is set: shutting down"
                );
                self.shutdown(1).await;
            }
        }
    }

    /// The rib died: its helpers and sessions go with it and come back with the new rib.
    fn kill_all_for_rib_restart(&mut self) {
        for w in self.workers.values_mut() {
            if let Some(pid) = w.pid.take() {
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
            w.tx = None;
            w.gen = 0;
        }
        for h in self.helpers.values_mut() {
            if let Some(pid) = h.pid.take() {
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
            }
            h.gen = 0;
        }
    }

    async fn restart_rib(&mut self) {
        if let Err(e) = self.spawn_rib().await {
            error!("{e}");
            let gen = self.rib_gen_dead;
            self.after(Duration::from_secs(1), Event::RespawnRib { gen });
            return;
        }
        let names: Vec<String> = self.helpers.keys().cloned().collect();
        for n in names {
            if self.helpers.get(&n).is_some_and(|h| h.pid.is_none()) {
                self.spawn_helper(&n).await;
            }
        }
        let peers: Vec<PeerId> = self.workers.keys().copied().collect();
        for p in peers {
            if self
                .workers
                .get(&p)
                .is_some_and(|w| w.pid.is_none() && !w.finished && !w.removed)
            {
                self.spawn_session(p).await;
            }
        }
    }

    async fn on_rib(&mut self, gen: u64, msg: ipc::Result<RibToSupervisor>) {
        if self.rib.as_ref().is_none_or(|r| r.gen != gen) {
            return;
        }
        match msg {
            Ok(RibToSupervisor::Ready) => debug!("rib ready"),
            Ok(RibToSupervisor::Stopped) => debug!("rib stopped"),
            Ok(RibToSupervisor::HelpersQuiet) => {
                debug!("helpers are done: closing the sessions");
                self.stop_sessions().await;
            }
            Ok(RibToSupervisor::Shutdown) => {
                info!("shutdown requested through the API");
                self.shutdown(0).await;
            }
            Ok(RibToSupervisor::Reload) => {
                info!("reload requested through the API");
                let error = self.reload().await.err();
                self.send_rib(SupervisorToRib::ReloadDone { error }, &[])
                    .await;
            }
            Ok(RibToSupervisor::Restart { peer }) => {
                match peer {
                    Some(p) => info!(peer = p, "restart of one session requested through the API"),
                    None => info!("restart of every session requested through the API"),
                }
                self.restart_sessions(peer).await;
            }
            Ok(RibToSupervisor::Hung { peer }) => self.kill_hung(peer),
            Err(e) => {
                if self.stopping.is_none() {
                    warn!("rib channel: {e}");
                }
                if let Some(r) = &self.rib {
                    let _ = kill(Pid::from_raw(r.pid as i32), Signal::SIGKILL);
                }
            }
        }
    }

    /// The rib found the worker of `peer` hung (no heartbeat answer): it
    /// is killed, and restarted as after a crash.
    fn kill_hung(&mut self, peer: PeerId) {
        let Some(w) = self.workers.get(&peer) else {
            return;
        };
        if let Some(pid) = w.pid {
            warn!(peer, "session worker {pid} does not answer: killing it");
            let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
        }
    }

    /// Restarts the worker of `peer` (or of every neighbor) on request.
    async fn restart_sessions(&mut self, peer: Option<PeerId>) {
        if self.stopping.is_some() {
            return;
        }
        let peers: Vec<PeerId> = match peer {
            Some(p) => vec![p],
            None => self.workers.keys().copied().collect(),
        };
        for p in peers {
            self.restart_session(p, RestartWhy::Requested).await;
        }
    }

    /// Stops the worker of `peer` to start a new one at once (the same
    /// path as a crash, without the back-off): the rib marks the peer down
    /// and gives the new worker the whole Adj-RIB-Out when it is up.
    async fn restart_session(&mut self, peer: PeerId, why: RestartWhy) {
        let Some(w) = self.workers.get_mut(&peer) else {
            return;
        };
        if w.removed {
            return;
        }
        w.finished = false;
        w.restarted_on_request = true;
        if w.pid.is_none() {
            // Not running (finished, or waiting for its back-off): start it now.
            self.spawn_session(peer).await;
            return;
        }
        w.restart_now = true;
        let stop = match why {
            _ if w.neighbor.capabilities.graceful_restart.is_some() => StopMode::Silent,
            RestartWhy::Requested => StopMode::Cease {
                subcode: 4,
                message: String::new(),
            },
            RestartWhy::Reconfigured => StopMode::Cease {
                subcode: 6,
                message: String::new(),
            },
        };
        if !self
            .send_session(peer, SupervisorToSession::Stop(stop), &[])
            .await
        {
            if let Some(pid) = self.workers.get(&peer).and_then(|w| w.pid) {
                let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
        }
    }

    async fn on_session(&mut self, peer: PeerId, gen: u64, msg: ipc::Result<SessionToSupervisor>) {
        let Some(w) = self.workers.get_mut(&peer) else {
            return;
        };
        if w.gen != gen {
            return;
        }
        match msg {
            Ok(SessionToSupervisor::Ready) => debug!(peer, "session worker ready"),
            Ok(SessionToSupervisor::Finished { reason }) => {
                if w.restart_now {
                    debug!(peer, "session worker stopped for its restart: {reason}");
                } else {
                    info!(peer, "neighbor {} done: {reason}", label(&w.neighbor));
                }
                w.finished = true;
            }
            Err(e) => {
                if self.stopping.is_none() && !w.finished && !w.removed && !w.restart_now {
                    warn!(peer, "session channel: {e}");
                }
                w.tx = None;
                if let Some(pid) = w.pid {
                    if !w.finished && self.stopping.is_none() {
                        // A worker that closed its channel without saying it
                        // finished is broken: make sure it is gone.
                        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                    }
                }
            }
        }
    }

    async fn on_accept(&mut self, stream: TcpStream, local: SocketAddr, remote: SocketAddr) {
        if self.stopping.is_some() {
            return;
        }
        let Some(peer) = plan::match_incoming(&self.peers, remote.ip(), local.ip()) else {
            warn!("connection from {remote} to {local}: no session configured for the peer, refused (6/3)");
            tokio::spawn(listen::reject(stream));
            return;
        };
        let fd: OwnedFd = match stream.into_std() {
            Ok(s) => s.into(),
            Err(e) => {
                warn!("connection from {remote}: {e}");
                return;
            }
        };
        info!(peer, "incoming connection from {remote} to {local}");
        if !self
            .send_session(peer, SupervisorToSession::Incoming { remote, local }, &[fd])
            .await
        {
            warn!(
                peer,
                "connection from {remote}: the neighbor's worker is not running, closed"
            );
        }
    }

    async fn check_all_finished(&mut self) {
        if self.stopping.is_none()
            && !self.workers.is_empty()
            && self.workers.values().all(|w| w.finished && w.pid.is_none())
        {
            info!("no neighbor left: exiting");
            self.shutdown(0).await;
        }
    }

    /// Loads the configuration again and applies the difference; an error
    /// (nothing changed) is logged and returned.
    async fn reload(&mut self) -> std::result::Result<(), String> {
        if self.stopping.is_some() {
            return Err("the daemon is shutting down".into());
        }
        let n = self.opts.configs.len();
        let rotate = self.opts.settings.debug.rotate && n > 1;
        let selection = if rotate { (self.selection + 1) % n } else { 0 };
        let files: Vec<PathBuf> = if rotate {
            vec![self.opts.configs[selection].clone()]
        } else {
            self.opts.configs.clone()
        };
        if let Err(e) = notify::reloading() {
            warn!("systemd notification: {e}");
        }
        let config = match load(&self.opts, &files) {
            Ok(c) => c,
            Err(e) => {
                error!("reload failed, keeping the running configuration:\n{e}");
                self.notify_ready("reload failed, running the previous configuration");
                return Err(e.to_string());
            }
        };
        info!(
            "reloading: {}",
            files
                .iter()
                .map(|f| f.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        self.selection = selection;
        let new_peers = self.peer_ids.assign(&config);
        let d = plan::diff(&self.peers, &new_peers);
        self.peers = new_peers;
        let old_processes = std::mem::replace(&mut self.config, config);
        if let (Ok(config), Ok(peers)) = (ipc::Serialized::of(&self.config), self.peer_infos()) {
            self.send_rib(SupervisorToRib::Reload { config, peers }, &[])
                .await;
        }
        if let Err(e) = self.update_listeners() {
            error!("{e}");
        }
        // Helpers: new ones start, removed ones stop, changed ones restart.
        let mut start_changed = Vec::new();
        for p in &old_processes.processes {
            let gone = self.config.process(&p.name).is_none();
            if let Some(h) = self.helpers.get_mut(&p.name) {
                match self.config.process(&p.name) {
                    None => h.removed = true,
                    Some(np) if *np != h.process => {
                        h.process = np.clone();
                        h.restart_now = true;
                        h.respawn.reset();
                    }
                    Some(_) => continue,
                }
                match h.pid {
                    Some(pid) => {
                        let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
                    }
                    None if gone => {
                        self.helpers.remove(&p.name);
                    }
                    // Failed, or waiting out its back-off: start the new one now.
                    None => start_changed.push(p.name.clone()),
                }
            }
        }
        for name in start_changed {
            self.spawn_helper(&name).await;
        }
        let new_processes: Vec<Process> = self
            .config
            .processes
            .iter()
            .filter(|p| !self.helpers.contains_key(&p.name))
            .cloned()
            .collect();
        for p in new_processes {
            self.add_helper(p).await;
        }
        // Sessions.
        for id in d.removed {
            if let Some(w) = self.workers.get_mut(&id) {
                w.removed = true;
                if w.pid.is_none() {
                    self.workers.remove(&id);
                    continue;
                }
            }
            info!(
                peer = id,
                "neighbor removed: stopping its session (Cease 6/3)"
            );
            let stop = StopMode::Cease {
                subcode: 3,
                message: String::new(),
            };
            self.send_session(id, SupervisorToSession::Stop(stop), &[])
                .await;
        }
        for id in d.changed {
            info!(peer = id, "neighbor changed: restarting its session");
            if let Some(w) = self.workers.get_mut(&id) {
                w.neighbor = self.peers[&id].clone();
            }
            self.restart_session(id, RestartWhy::Reconfigured).await;
        }
        for id in d.added {
            self.workers
                .insert(id, Worker::new(self.peers[&id].clone()));
            self.spawn_session(id).await;
        }
        self.notify_ready("reloaded");
        self.check_all_finished().await;
        Ok(())
    }

    fn anything_alive(&self) -> bool {
        self.rib.is_some()
            || self.workers.values().any(|w| w.pid.is_some())
            || self.helpers.values().any(|h| h.pid.is_some())
    }

    /// Stops the daemon: sessions close with Cease 6/2 (ExaBGP closes
    /// silently; see the README), the rib sends every helper the shutdown
    /// notice, helpers get SIGTERM once the rib is gone, and whatever is
    /// still alive after the grace periods is killed.
    async fn shutdown(&mut self, code: i32) {
        if self.stopping.is_some() {
            return;
        }
        self.stopping = Some(code);
        if let Err(e) = notify::stopping() {
            warn!("systemd notification: {e}");
        }
        for (_, h) in std::mem::take(&mut self.listeners) {
            h.abort();
        }
        // Helpers first, while the sessions are up: the notice, SIGTERM, and
        // a bounded wait during which what they still write (their
        // withdrawals) is sent. Their pipes stay open until the rib exits.
        let helpers_alive = self.helpers.values().any(|h| h.pid.is_some());
        if helpers_alive && self.send_rib(SupervisorToRib::NoticeHelpers, &[]).await {
            self.helpers_draining = true;
            self.helpers_drained = true;
            self.after(HELPER_GRACE, Event::ShutdownDeadline { phase: 0 });
            self.after(HELPER_WAIT, Event::ShutdownDeadline { phase: 5 });
            return;
        }
        self.helpers_draining = true;
        self.stop_sessions().await;
    }

    /// Shutdown, second step (once helpers are done or had their time):
    /// sessions close, then the rib.
    async fn stop_sessions(&mut self) {
        if !self.helpers_draining {
            return;
        }
        self.helpers_draining = false;
        let peers: Vec<PeerId> = self.workers.keys().copied().collect();
        for p in peers {
            let stop = SupervisorToSession::Stop(StopMode::Cease {
                subcode: 2,
                message: "Administrative Shutdown".into(),
            });
            if !self.send_session(p, stop, &[]).await {
                if let Some(pid) = self.workers.get(&p).and_then(|w| w.pid) {
                    let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                }
            }
        }
        // The rib stops once the sessions are closed: a worker must not
        // lose its rib channel before it has sent its NOTIFICATION.
        self.rib_stop_pending = true;
        self.stop_rib_when_sessions_closed(false).await;
        self.after(STOP_GRACE, Event::ShutdownDeadline { phase: 1 });
        if !self.anything_alive() {
            self.exit_now = true;
        }
    }

    /// Shutdown, second step: the rib sends every helper the notice and
    /// exits. Waits for the session workers unless `force`.
    async fn stop_rib_when_sessions_closed(&mut self, force: bool) {
        if !self.rib_stop_pending {
            return;
        }
        if !force && self.workers.values().any(|w| w.pid.is_some()) {
            return;
        }
        self.rib_stop_pending = false;
        if !self.send_rib(SupervisorToRib::Shutdown, &[]).await {
            self.terminate_helpers();
        }
    }

    /// SIGUSR2 (after a reload, as ExaBGP): every running helper is stopped
    /// (SIGTERM to its process group) and started again at once.
    /// Failed helpers, and those waiting out their back-off, start at once.
    async fn restart_helpers(&mut self) {
        let mut stopped = Vec::new();
        for (name, h) in self.helpers.iter_mut() {
            if h.removed || h.restart_now {
                continue;
            }
            h.respawn.reset();
            match h.pid {
                Some(pid) => {
                    h.restart_now = true;
                    let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
                }
                None => stopped.push(name.clone()),
            }
        }
        for name in stopped {
            self.spawn_helper(&name).await;
        }
    }

    fn kill_helpers(&mut self) {
        for h in self.helpers.values() {
            if let Some(pid) = h.pid {
                warn!("helper \"{}\" did not exit: killing it", h.process.name);
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
            }
        }
    }

    fn terminate_helpers(&mut self) {
        for h in self.helpers.values() {
            if let Some(pid) = h.pid {
                let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGTERM);
            }
        }
    }

    async fn on_deadline(&mut self, phase: u8) {
        match phase {
            0 => self.terminate_helpers(),
            5 => {
                if self.helpers_draining {
                    warn!("helpers still running after the shutdown notice: closing the sessions");
                }
                self.stop_sessions().await;
            }
            1 => {
                // The sessions had their chance.
                for w in self.workers.values() {
                    if let Some(pid) = w.pid {
                        warn!("session worker {pid} did not stop: killing it");
                        let _ = kill(Pid::from_raw(pid as i32), Signal::SIGKILL);
                    }
                }
                self.stop_rib_when_sessions_closed(true).await;
                self.after(STOP_GRACE, Event::ShutdownDeadline { phase: 4 });
            }
            4 => {
                // So had the rib.
                if let Some(r) = &self.rib {
                    warn!("rib did not stop: killing it");
                    let _ = kill(Pid::from_raw(r.pid as i32), Signal::SIGKILL);
                }
                self.terminate_helpers();
                self.after(TERM_GRACE, Event::ShutdownDeadline { phase: 2 });
            }
            2 => {
                for h in self.helpers.values() {
                    if let Some(pid) = h.pid {
                        warn!("helper \"{}\" ignored SIGTERM: killing it", h.process.name);
                        let _ = killpg(Pid::from_raw(pid as i32), Signal::SIGKILL);
                    }
                }
                self.after(Duration::from_secs(1), Event::ShutdownDeadline { phase: 3 });
            }
            _ => {
                error!("children could not be reaped; exiting anyway");
                self.exit_now = true;
            }
        }
    }
}
