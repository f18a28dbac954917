//! The `ferrobgp` binary: a BGP speaker for route injection that reads
//! ExaBGP configuration files and talks to ExaBGP helper programs.
//!
//! Public subcommands: `run` (the daemon), `validate`, `decode`, `cli`,
//! `healthcheck` (the native ExaBGP health checker), `generate` (man pages,
//! completions), `version`. Hidden
//! subcommands `__rib` and `__session` are the internal roles the
//! supervisor starts by re-executing this binary; they expect their
//! channels at descriptors 3 (supervisor) and 4 (rib, sessions only).

mod allocator;
mod cli;
mod decode;
mod docs;
mod logging;
mod roles;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use ferrobgp_config::{LoadOptions, Settings};
use std::path::PathBuf;
use std::process::ExitCode;

/// What ExaBGP version this release is compatible with.
const EXABGP_COMPAT: &str = "5.0.0";

#[derive(Parser)]
#[command(
    name = "ferrobgp",
    version,
    about = "A BGP speaker for route injection, compatible with ExaBGP",
    long_about = "ferrobgp reads ExaBGP configuration files, runs the helper programs of their \
`process` blocks with ExaBGP's text API, and puts the same UPDATEs on the wire as ExaBGP. \
Every BGP session lives in its own process; a supervisor restarts what dies.\n\n\
Settings come from the environment exactly as with ExaBGP \
(exabgp_tcp_port=1790 or exabgp.tcp.port=1790) and from <root>/etc/exabgp/exabgp.env. \
`ferrobgp FILE.conf` is short for `ferrobgp run FILE.conf`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the daemon with one or more configuration files.
    ///
    /// Signals: SIGTERM/SIGINT stop (sessions close with Cease 6/2), SIGUSR1 and
    /// SIGHUP reload the configuration (with exabgp_debug_rotate=true and
    /// several files: switch to the next file, round robin).
    #[command(
        after_help = "Examples:\n  ferrobgp run /etc/ferrobgp/ferrobgp.conf\n  \
exabgp_tcp_port=1790 ferrobgp run --debug --once test.conf\n  \
ferrobgp /etc/exabgp/exabgp.conf          (same as `run`)"
    )]
    Run(RunArgs),
    /// Check configuration files; exit status 0 when every file is valid.
    #[command(
        after_help = "Examples:\n  ferrobgp validate /etc/ferrobgp/ferrobgp.conf\n  \
ferrobgp validate --json a.conf b.conf"
    )]
    Validate(ValidateArgs),
    /// Decode BGP messages given in hexadecimal and print the JSON the API
    /// would emit for them (as `exabgp decode`).
    #[command(
        after_help = "Examples:\n  ferrobgp decode FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304   (a KEEPALIVE)\n  \
ferrobgp decode -n -f 'ipv4 unicast' 18C00002"
    )]
    Decode(DecodeArgs),
    /// Send one command to the running daemon over its control socket and
    /// print the answer (no command: interactive prompt). Exit status 0 on
    /// `done`, 1 on `error`, 2 when the daemon cannot be reached.
    #[command(after_help = "Examples:\n  ferrobgp cli show neighbor summary\n  \
ferrobgp cli announce route 192.0.2.0/24 next-hop self\n  \
ferrobgp cli                              (interactive prompt)")]
    Cli(cli::CliArgs),
    /// Announce service addresses depending on a health check: a native
    /// `exabgp healthcheck` (same options, same API lines), run from a
    /// `process` block. `ferrobgp healthcheck --help` lists its options.
    ///
    /// Example: run ferrobgp healthcheck --cmd "curl -sf http://127.0.0.1/" --ip 192.0.2.10;
    #[command(disable_help_flag = true)]
    Healthcheck(HealthcheckArgs),
    /// Write the man pages or the shell completions into a directory
    /// (for packagers and `cargo install` users).
    #[command(
        after_help = "Examples:\n  ferrobgp generate man /usr/local/share/man/man8\n  \
ferrobgp generate completions ~/.local/share/bash-completion/completions"
    )]
    Generate(GenerateArgs),
    /// Print version information.
    #[command(after_help = "Example:\n  ferrobgp version")]
    Version,
    #[command(name = "__rib", hide = true)]
    Rib(RoleArgs),
    #[command(name = "__session", hide = true)]
    Session(SessionArgs),
}

#[derive(Args)]
struct RunArgs {
    /// Configuration files (ExaBGP syntax).
    #[arg(required = true, value_name = "CONF")]
    configs: Vec<PathBuf>,
    /// Debug logging on stderr (all processes).
    #[arg(short, long)]
    debug: bool,
    /// One connection attempt per neighbor (exabgp.tcp.once).
    #[arg(short = '1', long)]
    once: bool,
    /// Make every neighbor passive (exabgp.bgp.passive).
    #[arg(short = 'P', long)]
    passive: bool,
    /// Port to connect to and listen on (exabgp.tcp.port).
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    /// Addresses to listen on, space separated (exabgp.tcp.bind).
    #[arg(long, value_name = "ADDRS")]
    bind: Option<String>,
    /// How long the rib waits for a session worker to confirm that an
    /// update is on the wire before it answers the helper anyway (seconds).
    #[arg(long, value_name = "SECONDS", default_value_t = 5.0, value_parser = seconds)]
    ack_timeout: f64,
    #[command(flatten)]
    limits: Limits,
    /// When started as root: the user the rib, the session workers and the
    /// helpers run as (default: exabgp.daemon.user when set to another
    /// user than ExaBGP's default `nobody`, else `ferrobgp`, else `nobody`).
    #[arg(long, value_name = "USER")]
    user: Option<String>,
    /// Accepted for ExaBGP command-line compatibility (debugger on fault); no effect.
    #[arg(short = 'p', long, hide = true)]
    pdb: bool,
    /// Control socket for `ferrobgp cli` (default: <runtime dir>/<exabgp.api.socketname>.sock;
    /// exabgp.api.cli=false disables it unless this is given).
    #[arg(long, value_name = "PATH")]
    socket: Option<PathBuf>,
    /// Serve Prometheus metrics on GET /metrics (ferrobgp.metrics.enable;
    /// default address 127.0.0.1:9179).
    #[arg(long)]
    metrics: bool,
    /// Address the metrics endpoint listens on (ferrobgp.metrics.bind;
    /// implies --metrics).
    #[arg(long, value_name = "ADDR")]
    metrics_bind: Option<std::net::IpAddr>,
    /// Port of the metrics endpoint (ferrobgp.metrics.port; implies --metrics).
    #[arg(long, value_name = "PORT")]
    metrics_port: Option<u16>,
}

#[derive(Args)]
struct ValidateArgs {
    #[arg(required = true, value_name = "CONF")]
    configs: Vec<PathBuf>,
    /// Print the result as JSON (the resolved model of each valid file).
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct DecodeArgs {
    /// One or more messages in hex, with or without the 16-byte marker;
    /// `:` and blanks are ignored. `-` reads them from standard input.
    #[arg(required = true, value_name = "HEX")]
    hex: Vec<String>,
    /// Input without a BGP header is the body of an OPEN.
    #[arg(short = 'o', long, conflicts_with_all = ["update", "nlri"])]
    open: bool,
    /// Input without a BGP header is the body of an UPDATE (the default).
    #[arg(short = 'u', long, conflicts_with = "nlri")]
    update: bool,
    /// Input is bare NLRI of `--family`: print each NLRI as JSON.
    #[arg(short = 'n', long)]
    nlri: bool,
    /// The family of `--nlri` input: "AFI SAFI" or "AFI/SAFI"
    /// (default: ipv4 unicast).
    #[arg(short = 'f', long, value_name = "FAMILY", requires = "nlri")]
    family: Option<String>,
    /// NLRI carry ADD-PATH path identifiers.
    #[arg(short = 'i', long)]
    path_information: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Generated {
    /// ferrobgp.8, ferrobgp-cli.8, ferrobgp-healthcheck.8, ferrobgp.conf.5
    Man,
    /// bash (ferrobgp.bash), zsh (_ferrobgp), fish (ferrobgp.fish)
    Completions,
}

#[derive(Args)]
struct GenerateArgs {
    /// What to write.
    what: Generated,
    /// Where to write it (created when missing).
    dir: PathBuf,
}

#[derive(Args)]
struct HealthcheckArgs {
    /// ExaBGP healthcheck options (see `ferrobgp healthcheck --help`).
    #[arg(trailing_var_arg = true, allow_hyphen_values = true, num_args = 0..)]
    args: Vec<String>,
}

/// Bounds on what a peer or a helper may make the rib hold.
#[derive(Args, Clone)]
struct Limits {
    /// Changes a peer may have waiting behind the message being written.
    /// Past it the peer must keep reading: its session is closed (RFC 9687
    /// send hold timer) when it writes nothing for --peer-queue-stall, or
    /// at once past twice this bound.
    #[arg(long, value_name = "CHANGES", default_value_t = 1_000_000)]
    peer_queue_changes: usize,
    /// Bytes (approximate) a peer may have waiting behind the message
    /// being written; past it as --peer-queue-changes.
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024 * 1024)]
    peer_queue_bytes: usize,
    /// Seconds a peer past its queue bound may go without writing anything
    /// before its session is closed.
    #[arg(long, value_name = "SECONDS", default_value_t = 10.0, value_parser = seconds)]
    peer_queue_stall: f64,
    /// Longest line a helper may write (bytes); a longer one is dropped
    /// and answered `error`.
    #[arg(long, value_name = "BYTES", default_value_t = 1024 * 1024)]
    max_line: usize,
}

/// A duration in seconds: a number from 0 up to a year.
fn seconds(text: &str) -> Result<f64, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if (0.0..=365.0 * 86_400.0).contains(&value) {
        Ok(value)
    } else {
        Err(format!("`{text}` is not between 0 and a year of seconds"))
    }
}

impl Limits {
    fn args(&self) -> Vec<String> {
        vec![
            "--peer-queue-changes".into(),
            self.peer_queue_changes.to_string(),
            "--peer-queue-bytes".into(),
            self.peer_queue_bytes.to_string(),
            "--peer-queue-stall".into(),
            self.peer_queue_stall.to_string(),
            "--max-line".into(),
            self.max_line.to_string(),
        ]
    }
}

#[derive(Args)]
struct RoleArgs {
    #[arg(short, long)]
    debug: bool,
    #[arg(long, default_value_t = 5.0, value_parser = seconds)]
    ack_timeout: f64,
    #[command(flatten)]
    limits: Limits,
}

#[derive(Args)]
struct SessionArgs {
    #[arg(long)]
    peer_id: u32,
    #[arg(long)]
    peer: String,
    #[arg(short, long)]
    debug: bool,
    /// Accepted like the other roles' (the rib owns the ack timeout).
    #[arg(long, default_value_t = 5.0, value_parser = seconds)]
    ack_timeout: f64,
    /// Accepted like the other roles' (the rib owns these bounds).
    #[command(flatten)]
    _limits: Limits,
}

/// Settings from the environment, the ini file and `overrides` (dotted
/// names, highest precedence).
fn load_settings(overrides: &[(String, String)]) -> Result<Settings, String> {
    load_settings_and_source(overrides).map(|(s, _)| s)
}

/// [`load_settings`], and what they were loaded from (the variables the
/// settings loader reads and the ini file), for the rib to load them again.
fn load_settings_and_source(
    overrides: &[(String, String)],
) -> Result<(Settings, ferrobgp_ipc::SettingsSource), String> {
    let vars: Vec<(String, String)> = std::env::vars()
        .chain(overrides.iter().cloned())
        .filter(|(k, _)| Settings::reads_variable(k))
        .collect();
    let exe = std::env::current_exe().ok();
    let root = std::env::var("EXABGP_ROOT")
        .or_else(|_| std::env::var("exabgp_root"))
        .ok();
    let ini_path = Settings::ini_path(root.as_deref(), exe.as_deref());
    let ini = ini_path.and_then(|path| {
        std::fs::read_to_string(&path)
            .ok()
            .map(|text| ferrobgp_ipc::IniFile { path, text })
    });
    let loaded = Settings::load(
        vars.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ini.as_ref().map(|f| (f.path.as_path(), f.text.as_str())),
    )
    .map_err(|e| e.to_string())?;
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    Ok((loaded.settings, ferrobgp_ipc::SettingsSource { vars, ini }))
}

/// `ferrobgp FILE.conf` means `ferrobgp run FILE.conf`, as with ExaBGP.
fn normalise_args(mut args: Vec<String>) -> Vec<String> {
    const KNOWN: [&str; 11] = [
        "run",
        "validate",
        "decode",
        "cli",
        "healthcheck",
        "generate",
        "version",
        "help",
        "__rib",
        "__session",
        "-h",
    ];
    if let Some(first) = args.get(1) {
        let known = KNOWN.contains(&first.as_str())
            || first.starts_with("--help")
            || first == "-V"
            || first == "--version";
        if !known {
            args.insert(1, "run".into());
        }
    }
    args
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(normalise_args(std::env::args().collect()));
    match cli.command {
        Command::Run(a) => run(a),
        Command::Validate(a) => validate(a),
        Command::Decode(a) => decode::decode(a),
        Command::Cli(a) => cli::main(a),
        Command::Healthcheck(a) => ferrobgp_healthcheck::main(a.args),
        Command::Generate(a) => generate(a),
        Command::Version => {
            println!("ferrobgp {}", env!("CARGO_PKG_VERSION"));
            println!("compatible with ExaBGP {EXABGP_COMPAT} (configuration, API, wire)");
            println!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
            ExitCode::SUCCESS
        }
        Command::Rib(a) => roles::rib(a),
        Command::Session(a) => roles::session(a),
    }
}

fn generate(a: GenerateArgs) -> ExitCode {
    let written = match a.what {
        Generated::Man => docs::man_pages(
            Cli::command(),
            ferrobgp_healthcheck::Options::command(),
            &a.dir,
        ),
        Generated::Completions => docs::completions(Cli::command(), &a.dir),
    };
    match written {
        Ok(names) => {
            for n in names {
                println!("{}", a.dir.join(n).display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("ferrobgp: {}: {e}", a.dir.display());
            ExitCode::from(1)
        }
    }
}

fn runtime() -> std::io::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
}

fn run(a: RunArgs) -> ExitCode {
    let mut overrides = Vec::new();
    if a.once {
        overrides.push(("exabgp.tcp.once".to_string(), "true".to_string()));
    }
    if a.passive {
        overrides.push(("exabgp.bgp.passive".to_string(), "true".to_string()));
    }
    if let Some(p) = a.port {
        overrides.push(("exabgp.tcp.port".to_string(), p.to_string()));
    }
    if let Some(b) = &a.bind {
        overrides.push(("exabgp.tcp.bind".to_string(), b.clone()));
    }
    if a.metrics || a.metrics_bind.is_some() || a.metrics_port.is_some() {
        overrides.push(("ferrobgp.metrics.enable".to_string(), "true".to_string()));
    }
    if let Some(b) = a.metrics_bind {
        overrides.push(("ferrobgp.metrics.bind".to_string(), b.to_string()));
    }
    if let Some(p) = a.metrics_port {
        overrides.push(("ferrobgp.metrics.port".to_string(), p.to_string()));
    }
    let (settings, settings_source) = match load_settings_and_source(&overrides) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ferrobgp: {e}");
            return ExitCode::from(1);
        }
    };
    let filter = logging::choose_filter(a.debug, &logging::filter_from_settings(&settings));
    logging::init("supervisor", &filter);
    let configs: Vec<PathBuf> = a
        .configs
        .iter()
        .map(|c| std::path::absolute(c).unwrap_or_else(|_| c.clone()))
        .collect();
    let mut child_args = vec!["--ack-timeout".to_string(), a.ack_timeout.to_string()];
    child_args.extend(a.limits.args());
    if a.debug {
        child_args.push("--debug".into());
    }
    // ExaBGP's default daemon.user is `nobody`: only another value is a
    // request; otherwise the dedicated `ferrobgp` user is preferred.
    let user = a.user.clone().or_else(|| {
        let u = settings.daemon.user.trim();
        (!u.is_empty() && u != "nobody").then(|| u.to_string())
    });
    let opts = ferrobgp_supervisor::Options {
        configs,
        exe: PathBuf::from("/proc/self/exe"),
        settings,
        settings_source,
        path_env: std::env::var("PATH").ok(),
        child_args,
        child_env: vec![(logging::FILTER_ENV.to_string(), filter)],
        user,
        control_socket: a.socket.clone(),
        helper_run_as: None,
        release_memory: allocator::release_free_memory,
    };
    let rt = match runtime() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("ferrobgp: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(ferrobgp_supervisor::run(opts)) {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("ferrobgp: {e}");
            ExitCode::from(1)
        }
    }
}

fn validate(a: ValidateArgs) -> ExitCode {
    let settings = match load_settings(&[]) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("ferrobgp: {e}");
            return ExitCode::from(1);
        }
    };
    // Helpers must be startable by the user they will run as (issue #16).
    let user = settings.daemon.user.trim().to_string();
    let user = (!user.is_empty() && user != "nobody").then_some(user);
    let run_as = ferrobgp_supervisor::privilege::Privileges::detect(user.as_deref())
        .ok()
        .map(|p| p.helper_run_as());
    let mut opts = LoadOptions::new(settings, std::env::var("PATH").ok());
    opts.run.user = run_as;
    let reports = ferrobgp_config::validate_files(&a.configs, &opts);
    let ok = reports.iter().all(|r| r.is_ok());
    if a.json {
        let v: Vec<serde_json::Value> = reports.iter().map(|r| r.to_json()).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&v).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
        );
    } else {
        for r in &reports {
            for l in r.lines() {
                if r.is_ok() {
                    println!("{l}");
                } else {
                    eprintln!("{l}");
                }
            }
        }
    }
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
