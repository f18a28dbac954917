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
pub use configuration::load;
use ferrobgp_config::{Config, LoadOptions, Neighbor, Process, Settings};
use ferrobgp_ipc::{
    self as ipc, Channel, ConfiguredPeer, HelperInfo, PeerId, RibToSupervisor, SessionToSupervisor,
    StopMode, SupervisorToRib, SupervisorToSession,
};
use nix::sys::signal::{kill, killpg, Signal};
use nix::unistd::Pid;
pub use start::run;
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

mod accept;
mod children;
mod configuration;
mod connect;
mod helpers;
mod reload;
mod scrape;
mod sessions;
mod shutdown;
mod start;

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
    /// What `settings` were loaded from, for the rib to load them again.
    pub settings_source: ipc::SettingsSource,
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
    /// Hands freed memory back to the system; called once a configuration
    /// is loaded and its text packed (the binary knows its allocator).
    pub release_memory: fn(),
    /// The user helpers run as, whose access to each `run` program the
    /// configuration checks (set by [`run`] from the privileges).
    pub helper_run_as: Option<ferrobgp_config::run_access::RunAs>,
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
    /// An outgoing connection asked for by a worker is made, or failed.
    Outgoing(crate::outgoing::Done),
    /// The metrics endpoint wants the body of a scrape.
    Scrape(crate::metrics::Scrape),
    /// The rib's answer to scrape `n` is overdue.
    ScrapeDeadline {
        n: u64,
    },
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
    /// Each neighbor's session settings (no routes: see [`plan::Split`]).
    peers: BTreeMap<PeerId, Neighbor>,
    /// Each neighbor's peer id, in the configuration's order, for the rib.
    rib_peers: Vec<ConfiguredPeer>,
    /// The running configuration's files as read (text packed): every
    /// rib started loads them.
    rib_files: Vec<ipc::ConfigFile>,
    /// The reload the rib is checking, and those waiting.
    reloads: reload::Reloads,
    workers: BTreeMap<PeerId, Worker>,
    helpers: BTreeMap<String, Helper>,
    rib: Option<Rib>,
    rib_backoff: RestartBackoff,
    rib_gen_dead: u64,
    /// The generation of the last rib while its channel has not ended:
    /// a dead rib's last route-journal messages are still read (and
    /// applied) before the next rib gets the journal.
    rib_channel_open: Option<u64>,
    /// Checks left for the dead rib's channel to end before the next rib
    /// starts anyway.
    rib_drain_checks: u32,
    /// What the API made of the Adj-RIB-Outs (fed by the rib before each
    /// `done`), given to the next rib after a crash.
    journal: ipc::Journal,
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
    /// Outgoing connections being made for the workers.
    outgoing: crate::outgoing::Outgoing,
    /// The named-pipe cli (`exabgp-cli`); handed to each rib started.
    cli_pipes: Option<crate::cli_pipes::CliPipes>,
    /// Process starts and scrapes waiting for the rib (metrics endpoint).
    metrics: crate::metrics::Metrics,
    /// The metrics endpoint, when `ferrobgp.metrics.enable` is set.
    metrics_server: Option<JoinHandle<()>>,
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

    /// Sends to the rib; a rib that does not take the message in time is killed.
    async fn send_rib(&mut self, msg: SupervisorToRib, fds: &[OwnedFd]) -> bool {
        self.send_rib_ref(&msg, fds).await
    }

    /// [`Daemon::send_rib`] of a message the caller keeps (a configuration
    /// of a million routes is not copied to be sent).
    async fn send_rib_ref(&mut self, msg: &SupervisorToRib, fds: &[OwnedFd]) -> bool {
        let Some(rib) = self.rib.as_mut() else {
            return false;
        };
        let borrowed: Vec<_> = fds.iter().map(|f| f.as_fd()).collect();
        match tokio::time::timeout(SEND_TIMEOUT, rib.tx.send_with_fds(msg, &borrowed)).await {
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
                    if self.rib_channel_open.is_some() && self.rib_drain_checks > 0 {
                        // the dead rib's last journal messages first
                        self.rib_drain_checks -= 1;
                        self.after(children::RIB_DRAIN_CHECK, Event::RespawnRib { gen });
                    } else {
                        if self.rib_channel_open.is_some() {
                            warn!(
                                "the dead rib's channel did not end: starting the next rib \
                                 without its last route-journal messages, if any (a session \
                                 that outlived it may keep a route withdrawn since)"
                            );
                        }
                        self.restart_rib().await;
                    }
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
            Event::Outgoing(done) => self.on_outgoing(done).await,
            Event::Scrape(s) => self.on_scrape(s).await,
            Event::ScrapeDeadline { n } => self.on_scrape_deadline(n),
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
            self.request_reload(reload::ReloadBy::SignalThenHelpers)
                .await;
        } else {
            info!("signal received: reloading the configuration");
            self.request_reload(reload::ReloadBy::Signal).await;
        }
    }
}
