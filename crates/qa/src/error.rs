//! The one error type of the crate: what can go wrong reading a test suite,
//! parsing a test's files, or setting up the processes of a test.

use std::path::PathBuf;

/// Errors of the functional test runner and test peer.
#[derive(Debug, thiserror::Error)]
pub enum QaError {
    /// A file of the suite could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    /// A line of a `.msg` file is not valid.
    #[error("{path}:{line}: {reason}")]
    Msg {
        path: String,
        line: usize,
        reason: String,
    },
    /// A `.ci` file names no configuration.
    #[error("{path}: first line names no configuration file")]
    EmptyCi { path: PathBuf },
    /// The suite folder has no `encoding/` folder.
    #[error("{path} is not a test suite (no encoding/ folder)")]
    NotASuite { path: PathBuf },
    /// A test named on the command line does not exist.
    #[error("no test named {name} in {suite}")]
    NoSuchTest { name: String, suite: PathBuf },
    /// Socket or process set-up failed.
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    /// The daemon's OPEN cannot be answered.
    #[error("cannot answer the daemon's OPEN: {0}")]
    Open(String),
    /// A command line argument is not valid.
    #[error("{0}")]
    Usage(String),
}

impl QaError {
    /// Wraps an I/O error with a short description of what was attempted.
    pub fn io(what: impl Into<String>, source: std::io::Error) -> Self {
        QaError::Io {
            what: what.into(),
            source,
        }
    }
}
