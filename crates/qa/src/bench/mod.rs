//! The end-to-end benchmark: a daemon (ferrobgp, or any command such as
//! ExaBGP) announces N IPv4 routes to P peers on loopback, from its
//! configuration or from a helper process through the text API, and the
//! benchmark peers time how long the routes take to arrive and read what
//! the daemon's processes cost (peak memory and CPU) from `/proc`.
//!
//! It is a measurement, not a test: `functional bench` prints the figures;
//! the speed and memory targets are judged from them, never asserted.

pub mod helper;
pub mod procstat;
pub mod sink;

use crate::daemon::{self, Daemon, DaemonCommand};
use crate::error::QaError;
use helper::Form;
use procstat::ProcStat;
use sink::Received;
use std::fmt::Write as _;
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::time::{Duration, Instant};

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
        }
    }
}

/// One benchmark run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Routes announced to every peer.
    pub routes: u32,
    /// Peers (127.0.0.1, 127.0.0.2, ...).
    pub peers: u8,
    /// Where the routes come from.
    pub source: Source,
    /// The daemon; the configuration path is appended.
    pub daemon: DaemonCommand,
    /// The `functional` executable, run as the helper in the API forms.
    pub helper: PathBuf,
    /// Give up after this long.
    pub timeout: Duration,
    /// Extra daemon environment.
    pub env: Vec<(String, String)>,
}

/// What a run measured.
#[derive(Debug, Clone)]
pub struct Report {
    /// The run's settings.
    pub settings: Settings,
    /// What each peer received, in peer order.
    pub peers: Vec<Received>,
    /// The daemon's processes (the helper included), measured once every
    /// peer had its routes.
    pub processes: Vec<ProcStat>,
}

impl Report {
    /// True when every peer received every route.
    pub fn complete(&self) -> bool {
        self.peers.iter().all(|p| p.elapsed.is_some())
    }

    /// The slowest peer's time, if every peer completed.
    pub fn slowest(&self) -> Option<Duration> {
        self.peers
            .iter()
            .map(|p| p.elapsed)
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .max()
    }

    fn is_helper(p: &ProcStat) -> bool {
        p.command.contains("bench-helper")
    }

    /// Peak memory summed over the daemon's processes (the helper excluded).
    pub fn daemon_peak_rss_kib(&self) -> u64 {
        self.processes
            .iter()
            .filter(|p| !Self::is_helper(p))
            .map(|p| p.peak_rss_kib)
            .sum()
    }

    /// CPU time summed over the daemon's processes (the helper excluded).
    pub fn daemon_cpu_ms(&self) -> u64 {
        self.processes
            .iter()
            .filter(|p| !Self::is_helper(p))
            .map(|p| p.cpu_ms)
            .sum()
    }

    /// The report for people, ending with one `key=value` line for scripts.
    pub fn render(&self) -> String {
        let s = &self.settings;
        let mut out = String::new();
        let _ = writeln!(out, "daemon:  {}", s.daemon.display());
        let _ = writeln!(
            out,
            "routes:  {} IPv4 /24 to each of {} peer(s), {}",
            s.routes,
            s.peers,
            s.source.describe()
        );
        for (i, p) in self.peers.iter().enumerate() {
            let time = match p.elapsed {
                Some(t) => format!("{:.3} s", t.as_secs_f64()),
                None => "incomplete".into(),
            };
            let _ = writeln!(
                out,
                "peer {}: {} prefixes in {} UPDATEs ({} bytes), session up to last prefix {time}",
                i + 1,
                p.prefixes,
                p.updates,
                p.update_bytes
            );
        }
        for p in &self.processes {
            let mut command = p.command.clone();
            if command.len() > 60 {
                command.truncate(57);
                command.push_str("...");
            }
            let _ = writeln!(
                out,
                "process {:>7}: peak RSS {:>8} KiB, CPU {:>7} ms  {command}",
                p.pid, p.peak_rss_kib, p.cpu_ms
            );
        }
        let rate = self
            .slowest()
            .map(|t| f64::from(s.routes) * f64::from(s.peers) / t.as_secs_f64().max(1e-9));
        let _ = writeln!(
            out,
            "result: routes={} peers={} complete={} seconds={} routes_per_second={} daemon_peak_rss_kib={} daemon_cpu_ms={}",
            s.routes,
            s.peers,
            self.complete(),
            self.slowest()
                .map_or("-".into(), |t| format!("{:.3}", t.as_secs_f64())),
            rate.map_or("-".into(), |r| format!("{r:.0}")),
            self.daemon_peak_rss_kib(),
            self.daemon_cpu_ms()
        );
        out
    }
}

/// The configuration of a run: one neighbor per peer, the helper process
/// in the API forms, the static routes otherwise.
pub fn configuration(settings: &Settings) -> String {
    let mut conf = String::new();
    if let Source::Api(form) = settings.source {
        let form = match form {
            Form::Route => "--form route".to_owned(),
            Form::Attributes { batch } => format!("--form attributes --batch {batch}"),
        };
        let _ = write!(
            conf,
            "process bench {{\n    run {} bench-helper --routes {} --peers {} {form};\n    encoder json;\n}}\n\n",
            settings.helper.display(),
            settings.routes,
            settings.peers
        );
    }
    for k in 1..=settings.peers {
        let _ = write!(
            conf,
            "neighbor 127.0.0.{k} {{\n    router-id 10.0.0.1;\n    local-address 127.0.0.1;\n    local-as 65000;\n    peer-as 65000;\n    family {{ ipv4 unicast; }}\n"
        );
        match settings.source {
            Source::Api(_) => conf.push_str("    api { processes [ bench ]; neighbor-changes; }\n"),
            Source::Static => {
                conf.push_str("    static {\n");
                for i in 0..settings.routes {
                    let _ = writeln!(
                        conf,
                        "        route {} next-hop {};",
                        helper::prefix(i),
                        helper::NEXT_HOP
                    );
                }
                conf.push_str("    }\n");
            }
        }
        conf.push_str("}\n");
    }
    conf
}

/// A scratch folder removed when dropped.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch() -> Result<Scratch, QaError> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("ferrobgp-bench-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .map_err(|e| QaError::io(format!("cannot create {}", dir.display()), e))?;
    Ok(Scratch(dir))
}

/// Binds one listener per peer, all on one port: 127.0.0.1 on a free port,
/// then 127.0.0.2, ... on that same port.
fn listeners(peers: u8) -> Result<(u16, Vec<TcpListener>), QaError> {
    let first = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .map_err(|e| QaError::io("cannot listen on 127.0.0.1", e))?;
    let port = first
        .local_addr()
        .map_err(|e| QaError::io("listener address", e))?
        .port();
    let mut all = vec![first];
    for k in 2..=peers {
        let addr = Ipv4Addr::new(127, 0, 0, k);
        all.push(
            TcpListener::bind((addr, port))
                .map_err(|e| QaError::io(format!("cannot listen on {addr}:{port}"), e))?,
        );
    }
    Ok((port, all))
}

/// Runs the benchmark once.
pub fn run(settings: Settings) -> Result<Report, QaError> {
    if settings.peers == 0 || settings.routes == 0 {
        return Err(QaError::Usage("routes and peers must be at least 1".into()));
    }
    if settings.routes > helper::MAX_ROUTES {
        return Err(QaError::Usage(format!(
            "at most {} routes (unicast /24s below 224.0.0.0)",
            helper::MAX_ROUTES
        )));
    }
    let dir = scratch()?;
    let conf = dir.0.join("bench.conf");
    std::fs::write(&conf, configuration(&settings))
        .map_err(|e| QaError::io(format!("cannot write {}", conf.display()), e))?;
    let (port, listeners) = listeners(settings.peers)?;
    let deadline = Instant::now() + settings.timeout;
    let expected = u64::from(settings.routes);
    let sinks: Vec<_> = listeners
        .into_iter()
        .map(|l| std::thread::spawn(move || sink::run(l, expected, deadline)))
        .collect();
    let mut env = daemon::environment(port, 1);
    env.extend(settings.env.iter().cloned());
    let mut daemon = Daemon::spawn(&settings.daemon, std::slice::from_ref(&conf), &env)?;
    let mut peers = Vec::new();
    // Held open until the processes are measured: a closed session would
    // end its worker first.
    let mut streams = Vec::new();
    let mut failure = None;
    for sink in sinks {
        match sink.join() {
            Ok(Ok((received, stream))) => {
                peers.push(received);
                streams.push(stream);
            }
            Ok(Err(e)) => {
                failure.get_or_insert(e);
            }
            Err(_) => {
                failure.get_or_insert(QaError::Usage("a benchmark peer panicked".into()));
            }
        }
    }
    let processes = procstat::tree(daemon.pid())
        .into_iter()
        .filter_map(procstat::measure)
        .collect();
    drop(streams);
    daemon.stop(Duration::ZERO);
    if let Some(e) = failure {
        daemon.wait_output(Duration::from_secs(1));
        return Err(QaError::Usage(format!(
            "{e}\n--- daemon stderr ---\n{}",
            daemon.stderr_tail(30)
        )));
    }
    Ok(Report {
        settings,
        peers,
        processes,
    })
}
