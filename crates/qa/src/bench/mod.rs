//! The end-to-end benchmark: a daemon (ferrobgp, ExaBGP, BIRD 2) announces
//! N IPv4 routes to P peers on loopback, from its configuration or from a
//! helper process through the text API (all at once, or lock-step: one
//! command per `done`), or reloads a configuration that changes one route,
//! or receives a full table from a peer (into its Adj-RIB-In, and to a JSON
//! helper); the benchmark peers time the routes and the benchmark reads
//! what the daemon's processes cost (peak RSS, PSS, private memory, CPU)
//! from `/proc`.
//!
//! It is a measurement, not a test: `functional bench` prints the figures
//! (with `--compare`, next to BIRD's and ExaBGP's as ratios); the speed and
//! memory targets are judged from them, never asserted.

pub mod compare;
pub mod config;
pub mod helper;
pub mod procstat;
mod receiving;
mod report;
pub mod sink;
pub mod table;

pub use report::Report;

use crate::daemon::{self, Daemon, DaemonCommand};
use crate::error::QaError;
use helper::Form;
use procstat::ProcStat;
use sink::{Fed, Followed, Received};
use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

/// Where the routes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// `static` routes in the configuration.
    Static,
    /// A helper process writing API commands.
    Api(Form),
}

impl Source {
    fn describe(&self) -> String {
        match self {
            Source::Static => "static routes in the configuration".into(),
            Source::Api(Form::Route) => "API, one `announce route` per route".into(),
            Source::Api(Form::Attributes { batch }) => {
                format!("API, `announce attributes ... nlri` with {batch} prefixes a line")
            }
            Source::Api(Form::LockStep) => {
                "API, lock-step: one `announce route`, then wait for its `done`".into()
            }
        }
    }
}

/// What a run does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// The daemon announces the routes to every peer.
    Announce(Source),
    /// Static routes; once every peer has them, the configuration is
    /// rewritten with one route changed and the daemon told to reload
    /// (SIGUSR1, or `birdc configure`): what it sends then is counted.
    Reload,
    /// Every peer sends a full table (see [`table`]); the daemon has it in
    /// its Adj-RIB-In when its CPU use settles.
    Receive,
    /// As `Receive`, with a JSON helper reading the UPDATE events as fast
    /// as it can.
    ReceiveJson,
}

impl Scenario {
    fn describe(&self, routes: u32, peers: u16) -> String {
        match self {
            Scenario::Announce(source) => format!(
                "{routes} IPv4 /24 to each of {peers} peer(s), {}",
                source.describe()
            ),
            Scenario::Reload => format!(
                "{routes} static IPv4 /24 to each of {peers} peer(s), then a reload changing 1 route"
            ),
            Scenario::Receive => {
                format!("{peers} peer(s) each sending a {routes}-prefix table, into the Adj-RIB-In")
            }
            Scenario::ReceiveJson => format!(
                "{peers} peer(s) each sending a {routes}-prefix table, to a JSON helper"
            ),
        }
    }

    fn receives(&self) -> bool {
        matches!(self, Scenario::Receive | Scenario::ReceiveJson)
    }
}

/// The daemon's kind, from its program name: BIRD gets its own
/// configuration format, anything else ExaBGP's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// ferrobgp, ExaBGP, or any daemon reading ExaBGP's format.
    ExaBgpFormat,
    /// BIRD 2.
    Bird,
}

impl Kind {
    /// The kind of `command`.
    pub fn of(command: &DaemonCommand) -> Kind {
        let name = std::path::Path::new(&command.program)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with("bird") {
            Kind::Bird
        } else {
            Kind::ExaBgpFormat
        }
    }

    /// True when the kind can run `scenario` (BIRD has no text API).
    pub fn supports(&self, scenario: Scenario) -> bool {
        !(matches!(self, Kind::Bird)
            && matches!(
                scenario,
                Scenario::Announce(Source::Api(_)) | Scenario::ReceiveJson
            ))
    }
}

/// One benchmark run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Routes announced to every peer.
    pub routes: u32,
    /// Peers (see [`config::peer_address`]).
    pub peers: u16,
    /// What the run does.
    pub scenario: Scenario,
    /// The daemon; the configuration path is appended.
    pub daemon: DaemonCommand,
    /// The `functional` executable, run as the helper in the API forms.
    pub helper: PathBuf,
    /// Give up after this long.
    pub timeout: Duration,
    /// Extra daemon environment.
    pub env: Vec<(String, String)>,
    /// Where the receiving helper notes its time (set by [`run`]).
    pub report: PathBuf,
}

/// What the reload scenario measured, over every peer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reloaded {
    /// Prefixes announced after the reload, summed over the peers.
    pub announced: u64,
    /// Prefixes withdrawn after the reload, summed over the peers.
    pub withdrawn: u64,
    /// UPDATEs after the reload, summed over the peers.
    pub updates: u64,
    /// From the reload signal to the last UPDATE any peer received.
    pub last: Option<Duration>,
}

/// What the receive scenarios measured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// From the first session up to the daemon's sockets accepting every
    /// peer's last byte.
    pub written: Option<Duration>,
    /// From the first session up to the last CPU the daemon's processes
    /// used (polled every 20 ms, settled after 1 s without any).
    pub settled: Option<Duration>,
    /// From the first session up to the JSON helper having every prefix.
    pub helper: Option<Duration>,
}

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch() -> Result<Scratch, QaError> {
    let stamp = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("ferrobgp-bench-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| QaError::io(format!("cannot create {}", dir.display()), e))?;
    Ok(Scratch(dir))
}

/// Binds one listener per peer, all on one port: peer 1's address on a
/// free port, then every other peer's on that same port.
fn listeners(peers: u16) -> Result<(u16, Vec<TcpListener>), QaError> {
    let first = TcpListener::bind((config::peer_address(1), 0))
        .map_err(|e| QaError::io("cannot listen on 127.0.0.1", e))?;
    let port = first
        .local_addr()
        .map_err(|e| QaError::io("listener address", e))?
        .port();
    let mut all = vec![first];
    for k in 2..=peers {
        let addr = config::peer_address(k);
        all.push(
            TcpListener::bind((addr, port))
                .map_err(|e| QaError::io(format!("cannot listen on {addr}:{port}"), e))?,
        );
    }
    Ok((port, all))
}

/// A port free on 127.0.0.1 right now (for BIRD's own listener).
fn free_port() -> Result<u16, QaError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| QaError::io("cannot find a free port", e))
}

/// The daemon's command and configuration text for `settings`.
fn prepare(
    settings: &Settings,
    kind: Kind,
    dir: &std::path::Path,
    port: u16,
    changed: bool,
    listen: u16,
) -> (DaemonCommand, String) {
    let mut command = settings.daemon.clone();
    match kind {
        Kind::Bird => {
            command.args.extend([
                "-f".to_owned(),
                "-s".to_owned(),
                dir.join("bird.ctl").display().to_string(),
                "-P".to_owned(),
                dir.join("bird.pid").display().to_string(),
                "-c".to_owned(),
            ]);
            (command, config::bird(settings, changed, port, listen))
        }
        Kind::ExaBgpFormat => (command, config::exabgp(settings, changed)),
    }
}

/// Runs the benchmark once.
pub fn run(mut settings: Settings) -> Result<Report, QaError> {
    let kind = check(&settings)?;
    let dir = scratch()?;
    settings.report = helper_folder(&dir.0)?.join("report");
    let (port, listeners) = listeners(settings.peers)?;
    let listen = free_port()?;
    let (command, text) = prepare(&settings, kind, &dir.0, port, false, listen);
    let conf = dir.0.join("bench.conf");
    std::fs::write(&conf, text)
        .map_err(|e| QaError::io(format!("cannot write {}", conf.display()), e))?;
    let deadline = Instant::now() + settings.timeout;
    let env = environment(&settings, kind, port);
    if settings.scenario.receives() {
        return receiving::receive(settings, listeners, &command, &conf, &env, deadline);
    }
    let expected = u64::from(settings.routes);
    let sinks: Vec<_> = listeners
        .into_iter()
        .map(|l| std::thread::spawn(move || sink::run(l, expected, deadline)))
        .collect();
    let spawned = Instant::now();
    let mut daemon = Daemon::spawn(&command, std::slice::from_ref(&conf), &env)?;
    // The sessions are held open until the processes are measured: a
    // closed session would end its worker first.
    let (peers, mut sessions, mut failure) = join_sinks(sinks);
    let mut reload = None;
    if failure.is_none()
        && settings.scenario == Scenario::Reload
        && peers.iter().all(|p| p.elapsed.is_some())
    {
        match reload_once(
            &settings, kind, &dir.0, port, listen, &daemon, sessions, deadline,
        ) {
            Ok((figures, kept)) => {
                reload = Some(figures);
                sessions = kept;
            }
            Err(e) => {
                failure = Some(e);
                sessions = Vec::new();
            }
        }
    }
    let processes = procstat::tree(daemon.pid())
        .into_iter()
        .filter_map(procstat::measure)
        .collect();
    drop(sessions);
    daemon.stop(Duration::ZERO);
    if let Some(e) = failure {
        daemon.wait_output(Duration::from_secs(1));
        return Err(QaError::Usage(format!(
            "{e}\n--- daemon stderr ---\n{}",
            daemon.stderr_tail(30)
        )));
    }
    let from_start = peers
        .iter()
        .map(|p: &Received| p.finished)
        .collect::<Option<Vec<_>>>()
        .and_then(|f| f.into_iter().max())
        .map(|f| f.saturating_duration_since(spawned));
    Ok(Report {
        settings,
        peers,
        processes,
        reload,
        receipt: None,
        from_start,
    })
}

/// The daemon kind, once the settings are checked: at least one route
/// and peer, no more routes than the scenario can hold, a scenario the
/// daemon can run.
fn check(settings: &Settings) -> Result<Kind, QaError> {
    if settings.peers == 0 || settings.routes == 0 {
        return Err(QaError::Usage("routes and peers must be at least 1".into()));
    }
    let max = if settings.scenario.receives() {
        table::MAX_ROUTES
    } else {
        helper::MAX_ROUTES
    };
    if settings.routes > max {
        return Err(QaError::Usage(format!(
            "at most {max} routes in this scenario (unicast prefixes below 224.0.0.0)"
        )));
    }
    let kind = Kind::of(&settings.daemon);
    if !kind.supports(settings.scenario) {
        return Err(QaError::Usage(format!(
            "{} cannot run this scenario (no text API)",
            settings.daemon.display()
        )));
    }
    Ok(kind)
}

/// The folder for the helper's report: the helper may run as another
/// user (ferrobgp drops root for its children), so anyone may write it.
fn helper_folder(dir: &std::path::Path) -> Result<PathBuf, QaError> {
    let shared = dir.join("helper");
    std::fs::create_dir_all(&shared)
        .and_then(|()| {
            std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o777))
        })
        .map_err(|e| QaError::io(format!("cannot create {}", shared.display()), e))?;
    Ok(shared)
}

/// The daemon's environment: ExaBGP's settings for an ExaBGP-format
/// daemon (staying root when run as root), then the settings' own.
fn environment(settings: &Settings, kind: Kind, port: u16) -> Vec<(String, String)> {
    let mut env = Vec::new();
    if kind == Kind::ExaBgpFormat {
        env = daemon::environment(port, 1);
        // SAFETY: getuid cannot fail.
        if settings.daemon.display().contains("exabgp") && unsafe { libc::getuid() } == 0 {
            // ExaBGP refuses to run as root unless told to stay root.
            env.push(("exabgp_daemon_user".into(), "root".into()));
        }
    }
    env.extend(settings.env.iter().cloned());
    env
}

/// What every benchmark peer received, their sessions (still open) and
/// the first failure.
fn join_sinks(
    sinks: Vec<std::thread::JoinHandle<Result<(Received, sink::Session), QaError>>>,
) -> (Vec<Received>, Vec<sink::Session>, Option<QaError>) {
    let mut peers = Vec::new();
    let mut sessions = Vec::new();
    let mut failure = None;
    for sink in sinks {
        match sink.join() {
            Ok(Ok((received, session))) => {
                peers.push(received);
                sessions.push(session);
            }
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(_) => {
                failure.get_or_insert(QaError::Usage("a benchmark peer panicked".into()));
            }
        }
    }
    (peers, sessions, failure)
}

/// The reload scenario's second half: the changed configuration written,
/// the daemon told, what every peer receives until quiet for 2 s.
#[allow(clippy::too_many_arguments)]
fn reload_once(
    settings: &Settings,
    kind: Kind,
    dir: &std::path::Path,
    port: u16,
    listen: u16,
    daemon: &Daemon,
    sessions: Vec<sink::Session>,
    deadline: Instant,
) -> Result<(Reloaded, Vec<sink::Session>), QaError> {
    let (_, text) = prepare(settings, kind, dir, port, true, listen);
    let conf = dir.join("bench.conf");
    std::fs::write(&conf, text)
        .map_err(|e| QaError::io(format!("cannot write {}", conf.display()), e))?;
    let since = Instant::now();
    match kind {
        Kind::Bird => {
            let ctl = dir.join("bird.ctl");
            let birdc = std::path::Path::new(&settings.daemon.program).with_file_name("birdc");
            let out = std::process::Command::new(&birdc)
                .arg("-s")
                .arg(&ctl)
                .arg("configure")
                .output()
                .map_err(|e| QaError::io(format!("cannot run {}", birdc.display()), e))?;
            if !out.status.success() {
                return Err(QaError::Usage(format!(
                    "birdc configure failed: {}",
                    String::from_utf8_lossy(&out.stdout)
                )));
            }
        }
        Kind::ExaBgpFormat => {
            nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(daemon.pid()),
                nix::sys::signal::Signal::SIGUSR1,
            )
            .map_err(|e| QaError::Usage(format!("cannot signal the daemon: {e}")))?;
        }
    }
    let threads: Vec<_> = sessions
        .into_iter()
        .map(|mut s| {
            std::thread::spawn(move || {
                s.follow(since, Duration::from_secs(2), deadline)
                    .map(|f| (f, s))
            })
        })
        .collect();
    let mut total = Reloaded {
        announced: 0,
        withdrawn: 0,
        updates: 0,
        last: None,
    };
    let mut kept = Vec::new();
    for t in threads {
        let (f, s): (Followed, sink::Session) = t
            .join()
            .map_err(|_| QaError::Usage("a benchmark peer panicked".into()))??;
        total.announced += f.announced;
        total.withdrawn += f.withdrawn;
        total.updates += f.updates;
        total.last = total.last.max(f.last);
        kept.push(s);
    }
    Ok((total, kept))
}
