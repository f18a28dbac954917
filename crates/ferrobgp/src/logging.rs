//! Logging of every ferrobgp process: `tracing` to stderr, each line
//! prefixed with the time and the process role (`supervisor`, `rib`,
//! `session 10.0.0.1`), so the interleaved output of the daemon's processes
//! stays readable.
//!
//! The level comes from, in order: `--debug`; `FERROBGP_LOG` (a
//! `tracing_subscriber` filter, which the supervisor also hands to its
//! children); `RUST_LOG`; ExaBGP's settings (`log.enable`, `log.all`,
//! `log.level`).

use ferrobgp_config::Settings;
use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::FormatTime;
use tracing_subscriber::EnvFilter;

/// Environment variable carrying the log filter from the supervisor to its children.
pub const FILTER_ENV: &str = "FERROBGP_LOG";

struct Prefix(String);

impl FormatTime for Prefix {
    fn format_time(&self, w: &mut Writer<'_>) -> fmt::Result {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let secs = now.as_secs();
        write!(
            w,
            "{:02}:{:02}:{:02}.{:03} {}[{}]",
            (secs / 3600) % 24,
            (secs / 60) % 60,
            secs % 60,
            now.subsec_millis(),
            self.0,
            std::process::id()
        )
    }
}

/// The filter ExaBGP's settings ask for.
pub fn filter_from_settings(settings: &Settings) -> String {
    if settings.log.all {
        return "debug".into();
    }
    if !settings.log.enable {
        return "warn".into();
    }
    match settings.log.level.0.as_str() {
        "DEBUG" => "debug",
        "INFO" | "NOTICE" => "info",
        "WARNING" => "warn",
        _ => "error",
    }
    .into()
}

/// The filter to use: `--debug`, then `FERROBGP_LOG`, `RUST_LOG`, then `fallback`.
pub fn choose_filter(debug: bool, fallback: &str) -> String {
    if debug {
        return "debug".into();
    }
    for var in [FILTER_ENV, "RUST_LOG"] {
        if let Ok(v) = std::env::var(var) {
            if !v.is_empty() {
                return v;
            }
        }
    }
    fallback.into()
}

/// Installs the subscriber for this process.
pub fn init(role: &str, filter: &str) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_timer(Prefix(role.to_string()))
        .with_target(false)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init();
}
