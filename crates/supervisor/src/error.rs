//! The one error type of the supervisor.

use std::io;
use std::os::unix::io::RawFd;

/// Why the supervisor could not start or keep the daemon running.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration or the settings are invalid.
    #[error("{0}")]
    Config(String),
    /// A child process could not be started.
    #[error("could not start {what}: {source}")]
    Spawn { what: String, source: io::Error },
    /// A listening socket could not be opened.
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        source: io::Error,
    },
    /// A channel to a child failed.
    #[error(transparent)]
    Ipc(#[from] ferrobgp_ipc::Error),
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    // privilege separation, confinement and systemd notification
    /// The requested service user does not exist.
    #[error("service user `{0}` does not exist (create it, e.g. with systemd-sysusers or `useradd --system {0}`)")]
    UnknownUser(String),
    /// Neither `ferrobgp` nor `nobody` exists.
    #[error(
        "neither `{}` nor `{}` exists: cannot drop privileges",
        crate::privilege::DEFAULT_USER,
        crate::privilege::FALLBACK_USER
    )]
    NoServiceUser,
    /// The service user would be root, which defeats the drop.
    #[error("service user `{0}` has uid 0: children must not run as root")]
    RootServiceUser(String),
    /// The user database could not be read.
    #[error("cannot look up user `{user}`: {source}")]
    UserLookup {
        /// The user looked up.
        user: String,
        /// The error of getpwnam_r / getgrouplist.
        source: nix::Error,
    },
    /// A capability name that Linux does not know.
    #[error("unknown capability `{0}` (expected a name such as CAP_NET_ADMIN)")]
    UnknownCapability(String),
    /// Helpers were asked to keep a capability the supervisor does not hold.
    #[error("helper capability {0} was requested but the supervisor does not hold it (add it to AmbientCapabilities= and CapabilityBoundingSet=)")]
    HelperCapabilityNotHeld(crate::capability::Capability),
    /// A system call needed to inspect or change the process failed.
    #[error("{call} failed: {source}")]
    Sys {
        /// The call that failed.
        call: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// Confinement must be applied while the process has a single thread.
    #[error("confinement must be applied before any thread is started (found {0} threads)")]
    MultiThreaded(u32),
    /// Landlock failed for another reason than missing kernel support.
    #[error("landlock: {0}")]
    Landlock(String),
    /// The seccomp filter could not be built or loaded.
    #[error("seccomp: {0}")]
    Seccomp(String),
    /// A descriptor passed by systemd is not a listening TCP socket.
    #[error("socket activation: descriptor {fd} is not a listening TCP socket")]
    NotAListener {
        /// The descriptor number.
        fd: RawFd,
    },
}

impl From<nix::Error> for Error {
    fn from(e: nix::Error) -> Self {
        Error::Io(io::Error::from(e))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
