//! The one error type of the IPC crate: everything that makes a channel to
//! another ferrobgp process unusable. Any of these means the peer process is
//! treated as dead (never trusted again).

use std::io;

/// Why a channel to another process failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused a socket operation.
    #[error("ipc i/o error: {0}")]
    Io(#[from] io::Error),
    /// The peer sent a frame whose body is not a valid message.
    #[error("ipc decode error: {0}")]
    Decode(#[from] bincode::error::DecodeError),
    /// A message could not be serialized (a bug in the message types).
    #[error("ipc encode error: {0}")]
    Encode(#[from] bincode::error::EncodeError),
    /// The peer broke the framing rules (bad length, descriptor count mismatch, ...).
    #[error("ipc protocol violation: {0}")]
    Protocol(String),
    /// The peer closed its end.
    #[error("ipc peer closed the channel")]
    Closed,
}

impl From<nix::Error> for Error {
    fn from(e: nix::Error) -> Self {
        Error::Io(io::Error::from(e))
    }
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;
