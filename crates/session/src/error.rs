//! The crate's error type.

use thiserror::Error;

/// Errors of the session worker.
#[derive(Debug, Error)]
pub enum Error {
    /// A socket or descriptor operation failed.
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    /// The neighbor configuration asks for something this worker cannot do.
    #[error("configuration: {0}")]
    Config(String),
    /// A process on the other end of an IPC channel misbehaved or went away.
    #[error("ipc: {0}")]
    Ipc(String),
    /// A message could not be encoded.
    #[error("encoding: {0}")]
    Encode(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
