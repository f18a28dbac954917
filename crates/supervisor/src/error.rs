//! The one error type of the supervisor.

use std::io;

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
    /// Privilege drop, confinement or systemd notification failed.
    #[error(transparent)]
    Privilege(#[from] crate::privilege::Error),
}

impl From<nix::Error> for Error {
    fn from(e: nix::Error) -> Self {
        Error::Io(io::Error::from(e))
    }
}

pub type Result<T> = std::result::Result<T, Error>;
