//! `ferrobgp healthcheck`: a native replacement for ExaBGP 5.0.15's
//! healthcheck helper, with the same options, configuration file, state
//! machine and API lines, so that swapping `exabgp healthcheck` for
//! `ferrobgp healthcheck` in a `process` block changes nothing on the wire.
//!
//! The behaviour lives in pure modules ([`machine`]: states and
//! transitions, [`announce`]: the API lines, [`plan`]: one loop iteration as
//! a list of effects, [`options`]: the command line); [`shell`] performs the
//! effects (check command, hooks, stdout/stdin, signals) and [`ips`] manages
//! interface addresses over rtnetlink.

pub mod announce;
pub mod ips;
mod log;
pub mod machine;
pub mod options;
pub mod plan;
mod shell;

pub use options::Options;
use std::process::ExitCode;

/// What can stop the helper.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An option value ExaBGP refuses too.
    #[error("{0}")]
    Option(String),
    /// No `--ip` and no address on `lo`.
    #[error("No IP found")]
    NoIp,
    /// The rtnetlink socket could not be opened.
    #[error("netlink: {0}")]
    Netlink(#[source] std::io::Error),
    /// A netlink request failed.
    #[error("netlink: {0}")]
    Rtnetlink(String),
    /// Dropping to `--user`/`--group` failed.
    #[error("dropping privileges: {0}")]
    Privileges(String),
    /// Any other system error (PID file, runtime, stdout).
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// Runs the helper with `args` (the words after `healthcheck`); returns
/// the process exit status (0 on a signal or `--interval 0`, 1 on errors,
/// 2 on bad options).
pub fn main(args: Vec<String>) -> ExitCode {
    let options = match Options::from_args(&args) {
        Ok(o) => o,
        Err(e) => e.exit(),
    };
    log::init(&options);
    if let Some(pid) = &options.pid {
        if let Err(e) = std::fs::write(pid, format!("{}\n", std::process::id())) {
            eprintln!("healthcheck: {}: {e}", pid.display());
            return ExitCode::from(2);
        }
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!("{e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(shell::run(options)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("Uncaught exception: {e}");
            ExitCode::from(1)
        }
    }
}
