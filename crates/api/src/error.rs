//! The single error type of the API crate: why a command line was refused.
//! The `Display` text is the reason given to the helper (opt-in JSON replies
//! carry it) and written to the log; tests pin it down exactly.

/// Why a command line could not be parsed or applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("empty command")]
    Empty,
    #[error("command not understood: {0}")]
    Unknown(String),
    #[error("the line is not ASCII")]
    NotAscii,
    #[error("'{command}' needs {what}")]
    Missing {
        command: &'static str,
        what: &'static str,
    },
    #[error("'{command}' does not expect '{word}'")]
    Unexpected { command: &'static str, word: String },
    #[error("invalid {what} '{value}'")]
    Invalid { what: &'static str, value: String },
    #[error("unknown family '{0}'")]
    UnknownFamily(String),
    #[error("family '{0}' can not be used here")]
    FamilyNotAllowed(String),
    #[error("neighbor selector: {0}")]
    Selector(String),
    #[error("'{0}' does not take a neighbor selector")]
    NoSelector(&'static str),
    #[error("no neighbor matches the selector")]
    NoMatchingPeer,
    #[error("route: {0}")]
    Route(String),
    #[error("{0} is not supported yet")]
    Unsupported(&'static str),
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, ApiError>;
