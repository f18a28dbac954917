//! `functional`: runs encoding test suites against a BGP daemon (ferrobgp by
//! default, or any command such as ExaBGP), or plays the test peer alone.

use clap::{Parser, Subcommand};
use ferrobgp_qa::bench::helper::Form;
use ferrobgp_qa::bench::{self, Scenario, Source};
use ferrobgp_qa::daemon::DaemonCommand;
use ferrobgp_qa::msgfile::{MsgFile, Options};
use ferrobgp_qa::peer::{Control, Peer, Verdict};
use ferrobgp_qa::runner::{self, Settings};
use ferrobgp_qa::suite::Suite;
use ferrobgp_qa::QaError;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "functional",
    about = "Functional encoding tests for BGP daemons"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the encoding tests of a suite (all, or those named).
    Encoding {
        /// Suite folder (holding encoding/ and etc/); default: the project's qa/.
        #[arg(long)]
        suite: Option<PathBuf>,
        /// Daemon command; configuration paths are appended.
        /// Default: `ferrobgp run`, ferrobgp being next to this binary.
        #[arg(long)]
        daemon: Option<String>,
        /// Tests run at the same time (default: number of cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Run each test this many times.
        #[arg(long, default_value_t = 1)]
        times: usize,
        /// Per-test time limit in seconds.
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
        /// Extra daemon environment, KEY=VALUE (repeatable).
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// Write `NAME<TAB>passed|failed|skipped` lines to this file.
        #[arg(long)]
        results: Option<PathBuf>,
        /// List the tests instead of running them.
        #[arg(long)]
        list: bool,
        /// Test names.
        names: Vec<String>,
    },
    /// Play the test peer of one test by hand: listen, answer, check.
    Peer {
        /// The test's .msg file.
        #[arg(long)]
        msg: PathBuf,
        /// Port (default: $exabgp_tcp_port, else 179; 0 picks a free one).
        #[arg(long)]
        port: Option<u16>,
        /// Process id of the daemon, for `signal` actions.
        #[arg(long)]
        daemon_pid: Option<i32>,
        /// File holding the daemon's process id, read at the first `signal`
        /// action (when the daemon is started after the peer).
        #[arg(long)]
        daemon_pid_file: Option<PathBuf>,
        /// Give up after this many seconds (default: never).
        #[arg(long)]
        timeout: Option<f64>,
        /// Print every event to stderr.
        #[arg(short, long)]
        verbose: bool,
    },
    /// Start the daemon with a test's configuration and print what it sends
    /// as .msg lines (to write expectations from a reference daemon).
    Record {
        /// Suite folder; default: the project's qa/.
        #[arg(long)]
        suite: Option<PathBuf>,
        /// Daemon command (as for `encoding`).
        #[arg(long)]
        daemon: Option<String>,
        /// Stop once nothing arrived for this many seconds.
        #[arg(long, default_value_t = 3.0)]
        idle: f64,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 30.0)]
        timeout: f64,
        /// Extra daemon environment, KEY=VALUE (repeatable).
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// Test name (its .ci gives the configuration, its .msg, if any,
        /// the options).
        name: String,
    },
    /// End-to-end benchmark: the daemon announces N IPv4 routes to P peers
    /// on loopback (or reloads, or receives a table); prints how long the
    /// routes took and the memory (peak RSS, PSS, private) and CPU time of
    /// the daemon's processes.
    Bench {
        /// Routes announced to every peer (or in every peer's table).
        #[arg(long, default_value_t = 100_000)]
        routes: u32,
        /// Peers (127.0.0.1, 127.0.0.2, ..., past 127.0.0.255 into
        /// 127.0.1.0; one session worker each).
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=4000))]
        peers: u16,
        /// What to run: `static` (routes in the configuration), `route`
        /// (API, one `announce route` a line), `attributes` (API,
        /// `announce attributes ... nlri` with --batch prefixes a line),
        /// `lock-step` (API, one `announce route` per `done`), `reload`
        /// (static routes, then a reload changing one), `receive` (every
        /// peer sends a full table) or `receive-json` (the same, to a JSON
        /// helper).
        #[arg(long, default_value = "attributes")]
        source: String,
        /// Prefixes per line with `--source attributes`.
        #[arg(long, default_value_t = 1000)]
        batch: u32,
        /// Daemon command (as for `encoding`), e.g. `exabgp server` to
        /// measure the reference.
        #[arg(long)]
        daemon: Option<String>,
        /// Give up after this many seconds.
        #[arg(long, default_value_t = 300.0)]
        timeout: f64,
        /// Extra daemon environment, KEY=VALUE (repeatable).
        #[arg(long = "env", value_name = "KEY=VALUE")]
        env: Vec<String>,
        /// Run the same benchmark with BIRD and ExaBGP too, and print every
        /// figure side by side with ferrobgp's ratio to each.
        #[arg(long)]
        compare: bool,
        /// BIRD 2 for --compare.
        #[arg(long, default_value = "/usr/sbin/bird")]
        bird: String,
        /// ExaBGP command for --compare; default: `exabgp server` from
        /// $EXABGP_VENV, else the project's qa/.venv.
        #[arg(long)]
        exabgp: Option<String>,
    },
    /// The benchmark's helper process (started by the daemon).
    #[command(hide = true)]
    BenchHelper {
        #[arg(long)]
        routes: u32,
        #[arg(long)]
        peers: u32,
        #[arg(long)]
        form: String,
        #[arg(long, default_value_t = 1000)]
        batch: u32,
        #[arg(long)]
        report: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Encoding {
            suite,
            daemon,
            jobs,
            times,
            timeout,
            env,
            results,
            list,
            names,
        } => encoding(
            suite, daemon, jobs, times, timeout, env, results, list, names,
        ),
        Command::Peer {
            msg,
            port,
            daemon_pid,
            daemon_pid_file,
            timeout,
            verbose,
        } => peer(&msg, port, daemon_pid, daemon_pid_file, timeout, verbose),
        Command::Record {
            suite,
            daemon,
            idle,
            timeout,
            env,
            name,
        } => record(suite, daemon, idle, timeout, env, &name),
        Command::Bench {
            routes,
            peers,
            source,
            batch,
            daemon,
            timeout,
            env,
            compare,
            bird,
            exabgp,
        } => bench(
            routes,
            peers,
            &source,
            batch,
            daemon,
            timeout,
            env,
            compare.then_some((bird, exabgp)),
        ),
        Command::BenchHelper {
            routes,
            peers,
            form,
            batch,
            report,
        } => bench_helper(routes, peers, &form, batch, report),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("functional: {e}");
            ExitCode::from(2)
        }
    }
}

/// The project's qa/ folder: the first ancestor of this binary holding
/// `qa/encoding`, else `./qa`.
fn default_suite() -> PathBuf {
    if let Ok(exe) = std::env::current_exe() {
        for dir in exe.ancestors().skip(1) {
            if dir.join("qa").join("encoding").is_dir() {
                return dir.join("qa");
            }
        }
    }
    PathBuf::from("qa")
}

fn daemon_command(daemon: Option<String>) -> Result<DaemonCommand, QaError> {
    match daemon {
        Some(text) => DaemonCommand::parse(&text),
        None => {
            let exe = std::env::current_exe()
                .map_err(|e| QaError::io("cannot find the functional binary", e))?;
            Ok(DaemonCommand::ferrobgp_next_to(&exe))
        }
    }
}

fn parse_env(pairs: Vec<String>) -> Result<Vec<(String, String)>, QaError> {
    pairs
        .into_iter()
        .map(|pair| match pair.split_once('=') {
            Some((k, v)) => Ok((k.to_owned(), v.to_owned())),
            None => Err(QaError::Usage(format!(
                "--env needs KEY=VALUE, not `{pair}`"
            ))),
        })
        .collect()
}

fn seconds(value: f64, what: &str) -> Result<Duration, QaError> {
    Duration::try_from_secs_f64(value)
        .map_err(|_| QaError::Usage(format!("{what} must be a positive number of seconds")))
}

#[allow(clippy::too_many_arguments)]
fn encoding(
    suite: Option<PathBuf>,
    daemon: Option<String>,
    jobs: Option<usize>,
    times: usize,
    timeout: f64,
    env: Vec<String>,
    results: Option<PathBuf>,
    list: bool,
    names: Vec<String>,
) -> Result<ExitCode, QaError> {
    let suite = Suite::open(&suite.unwrap_or_else(default_suite))?;
    let tests = suite.select(&names)?;
    if list {
        for test in &tests {
            println!("{}", test.name);
        }
        return Ok(ExitCode::SUCCESS);
    }
    let jobs = jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
    });
    let settings = Settings {
        daemon: daemon_command(daemon)?,
        etc: suite.etc(),
        timeout: seconds(timeout, "--timeout")?,
        jobs,
        times: times.max(1),
        extra_env: parse_env(env)?,
    };
    runner::stop_on_signals()?;
    let mut stdout = std::io::stdout();
    let outcomes = runner::run_all(&tests, &settings, &mut stdout);
    if runner::interrupted() {
        eprintln!("functional: interrupted; tests not run were left out of the totals");
        return Ok(ExitCode::from(130));
    }
    if let Some(path) = results {
        runner::write_results(&path, &outcomes)
            .map_err(|e| QaError::io(format!("cannot write {}", path.display()), e))?;
    }
    let failed = outcomes
        .iter()
        .any(|r| matches!(r.outcome, runner::Outcome::Failed(_)));
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn env_port() -> Option<u16> {
    ["exabgp_tcp_port", "exabgp.tcp.port"]
        .iter()
        .find_map(|k| std::env::var(k).ok())
        .and_then(|v| v.trim().parse().ok())
}

fn peer(
    msg: &Path,
    port: Option<u16>,
    daemon_pid: Option<i32>,
    daemon_pid_file: Option<PathBuf>,
    timeout: Option<f64>,
    verbose: bool,
) -> Result<ExitCode, QaError> {
    let msg = MsgFile::read(msg)?;
    let port = port.or_else(env_port).unwrap_or(179);
    let mut peer = Peer::bind(msg, port)?;
    peer.set_verbose(verbose);
    eprintln!("listening on {}", peer.local_addr()?);
    let control = Control {
        deadline: match timeout {
            Some(t) => Some(Instant::now() + seconds(t, "--timeout")?),
            None => None,
        },
        daemon_pid_file,
        ..Control::default()
    };
    if let Some(pid) = daemon_pid {
        control.daemon_pid.store(pid, Ordering::SeqCst);
    }
    match peer.run(&control) {
        Verdict::Successful => {
            println!("successful");
            Ok(ExitCode::SUCCESS)
        }
        Verdict::Failed(why) | Verdict::Stopped(why) => {
            println!("{why}");
            println!("failed with code 1");
            Ok(ExitCode::FAILURE)
        }
    }
}

fn record(
    suite: Option<PathBuf>,
    daemon: Option<String>,
    idle: f64,
    timeout: f64,
    env: Vec<String>,
    name: &str,
) -> Result<ExitCode, QaError> {
    let suite = Suite::open(&suite.unwrap_or_else(default_suite))?;
    let test = suite
        .select(&[name.to_owned()])?
        .into_iter()
        .next()
        .ok_or_else(|| QaError::Usage(format!("no test {name}")))?;
    let options = if test.msg.exists() {
        MsgFile::read(&test.msg)?.options
    } else {
        Options::default()
    };
    let configs = test.configs(&suite.etc())?;
    let mut peer = Peer::bind_recorder(options.clone(), 0, seconds(idle, "--idle")?)?;
    let port = peer.local_addr()?.port();
    let control = Control {
        deadline: Some(Instant::now() + seconds(timeout, "--timeout")?),
        ..Control::default()
    };
    let command = daemon_command(daemon)?;
    let mut env_vars = ferrobgp_qa::daemon::environment(port, options.tcp_connections.unwrap_or(1));
    env_vars.extend(parse_env(env)?);
    let mut daemon = ferrobgp_qa::daemon::Daemon::spawn(&command, &configs, &env_vars)?;
    control.daemon_pid.store(daemon.pid(), Ordering::SeqCst);
    let verdict = peer.run(&control);
    let status = daemon.stop(Duration::from_secs(1));
    for line in peer.recorded_lines() {
        println!("{line}");
    }
    eprintln!("daemon: {status}");
    match verdict {
        Verdict::Successful => Ok(ExitCode::SUCCESS),
        Verdict::Failed(why) | Verdict::Stopped(why) => {
            eprintln!("{why}");
            daemon.wait_output(Duration::from_millis(500));
            eprintln!("daemon stderr:\n{}", daemon.stderr_tail(30));
            Ok(ExitCode::FAILURE)
        }
    }
}

fn form(name: &str, batch: u32) -> Result<Form, QaError> {
    match name {
        "route" => Ok(Form::Route),
        "attributes" => Ok(Form::Attributes { batch }),
        "lock-step" => Ok(Form::LockStep),
        other => Err(QaError::Usage(format!(
            "unknown form `{other}`: expected route, attributes or lock-step"
        ))),
    }
}

fn scenario(source: &str, batch: u32) -> Result<Scenario, QaError> {
    Ok(match source {
        "static" => Scenario::Announce(Source::Static),
        "reload" => Scenario::Reload,
        "receive" => Scenario::Receive,
        "receive-json" => Scenario::ReceiveJson,
        other => Scenario::Announce(Source::Api(form(other, batch).map_err(|_| {
            QaError::Usage(format!(
                "unknown source `{other}`: expected static, route, attributes, lock-step, reload, receive or receive-json"
            ))
        })?)),
    })
}

/// The ExaBGP command for --compare.
fn exabgp_command(given: Option<String>) -> String {
    if let Some(command) = given {
        return command;
    }
    // where .ci/run and qa/bin/reference-check install it
    let venv = std::env::var("EXABGP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| default_suite().join(".venv"));
    format!("{}/bin/exabgp server", venv.display())
}

#[allow(clippy::too_many_arguments)]
fn bench(
    routes: u32,
    peers: u16,
    source: &str,
    batch: u32,
    daemon: Option<String>,
    timeout: f64,
    env: Vec<String>,
    compare: Option<(String, Option<String>)>,
) -> Result<ExitCode, QaError> {
    let scenario = scenario(source, batch)?;
    let helper =
        std::env::current_exe().map_err(|e| QaError::io("cannot find the functional binary", e))?;
    let settings = bench::Settings {
        routes,
        peers,
        scenario,
        daemon: daemon_command(daemon)?,
        helper,
        timeout: seconds(timeout, "--timeout")?,
        env: parse_env(env)?,
        report: PathBuf::new(),
    };
    let Some((bird, exabgp)) = compare else {
        let report = bench::run(settings)?;
        print!("{}", report.render());
        return Ok(if report.complete() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    };
    let mut reports = Vec::new();
    for (name, command) in [
        ("ferrobgp".to_owned(), None),
        ("bird".to_owned(), Some(bird)),
        ("exabgp".to_owned(), Some(exabgp_command(exabgp))),
    ] {
        let mut s = settings.clone();
        if let Some(command) = command {
            s.daemon = DaemonCommand::parse(&command)?;
            // The daemon's own environment (e.g. ferrobgp knobs) is not theirs.
            s.env = Vec::new();
        }
        let kind = bench::Kind::of(&s.daemon);
        let result = if !kind.supports(scenario) {
            Err("no text API".to_owned())
        } else if !std::path::Path::new(&s.daemon.program).exists() {
            Err(format!("{} is not installed", s.daemon.program))
        } else {
            bench::run(s).map_err(|e| e.to_string())
        };
        match &result {
            Ok(report) => println!("=== {name}\n{}", report.render()),
            Err(why) => println!("=== {name}\nnot measured: {why}\n"),
        }
        reports.push((name, result));
    }
    print!("{}", bench::compare::table(&reports));
    let ours_complete = matches!(&reports[0].1, Ok(r) if r.complete());
    Ok(if ours_complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn bench_helper(
    routes: u32,
    peers: u32,
    name: &str,
    batch: u32,
    report: Option<PathBuf>,
) -> Result<ExitCode, QaError> {
    let outcome = if name == "receive" {
        let report =
            report.ok_or_else(|| QaError::Usage("--form receive needs --report".into()))?;
        bench::helper::receive(u64::from(routes) * u64::from(peers), &report)
    } else {
        bench::helper::main(routes, peers, form(name, batch)?, Duration::from_secs(120))
    };
    match outcome {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(QaError::Usage(e)),
    }
}
