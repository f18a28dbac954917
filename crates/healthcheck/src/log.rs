//! The helper's logging, as ExaBGP's: `LEVEL[healthcheck] message` on
//! stderr unless `--silent`, and syslog (facility `--syslog-facility`,
//! ident `healthcheck-NAME`) unless `--no-syslog` or `--debug`.

use crate::Options;
use std::ffi::CString;
use std::fmt::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{filter::LevelFilter, Layer};

/// Sends events to syslog(3).
struct Syslog;

struct Message(String);

impl Visit for Message {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.0, "{value:?}");
        } else {
            let _ = write!(self.0, " {}={value:?}", field.name());
        }
    }
}

impl<S: Subscriber> Layer<S> for Syslog {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut m = Message(String::new());
        event.record(&mut m);
        let priority = match *event.metadata().level() {
            Level::ERROR => libc::LOG_ERR,
            Level::WARN => libc::LOG_WARNING,
            Level::INFO => libc::LOG_INFO,
            _ => libc::LOG_DEBUG,
        };
        let Ok(text) = CString::new(m.0.replace('\0', " ")) else {
            return;
        };
        // SAFETY: constant format string and a NUL-terminated argument.
        unsafe { libc::syslog(priority, c"%s".as_ptr(), text.as_ptr()) };
    }
}

fn facility(name: &str) -> libc::c_int {
    match name.to_ascii_lowercase().as_str() {
        "user" => libc::LOG_USER,
        "mail" => libc::LOG_MAIL,
        "auth" => libc::LOG_AUTH,
        "authpriv" => libc::LOG_AUTHPRIV,
        "cron" => libc::LOG_CRON,
        "syslog" => libc::LOG_SYSLOG,
        "local0" => libc::LOG_LOCAL0,
        "local1" => libc::LOG_LOCAL1,
        "local2" => libc::LOG_LOCAL2,
        "local3" => libc::LOG_LOCAL3,
        "local4" => libc::LOG_LOCAL4,
        "local5" => libc::LOG_LOCAL5,
        "local6" => libc::LOG_LOCAL6,
        "local7" => libc::LOG_LOCAL7,
        _ => libc::LOG_DAEMON,
    }
}

/// Installs the subscriber for the helper process.
pub fn init(o: &Options) {
    let level = if o.debug {
        LevelFilter::DEBUG
    } else {
        LevelFilter::INFO
    };
    let console = (!o.silent).then(|| {
        tracing_subscriber::fmt::layer()
            .with_writer(std::io::stderr)
            .without_time()
            .with_target(false)
            .with_ansi(false)
    });
    let syslog = (!o.no_syslog && !o.debug).then(|| {
        let ident = match &o.name {
            Some(n) => format!("healthcheck-{n}"),
            None => "healthcheck".to_string(),
        };
        let ident = CString::new(ident.replace('\0', "")).unwrap_or_default();
        // openlog keeps the pointer: the ident lives as long as the process.
        let ident: &'static std::ffi::CStr = Box::leak(ident.into_boxed_c_str());
        let fac = facility(o.syslog_facility.as_deref().unwrap_or("daemon"));
        // SAFETY: ident is 'static and NUL-terminated.
        unsafe { libc::openlog(ident.as_ptr(), libc::LOG_PID, fac) };
        Syslog
    });
    let _ = tracing_subscriber::registry()
        .with(console.with_filter(level))
        .with(syslog.with_filter(level))
        .try_init();
}
