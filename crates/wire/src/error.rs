//! The crate's error type. Every way a received message can be malformed maps
//! to exactly one NOTIFICATION (code, subcode, data) that RFC 4271 section 6
//! (and its updates) says to send, so that the session layer never has to
//! guess. Errors in UPDATE messages that RFC 7606 lets us survive are not
//! errors here: UPDATE decoding reports them as part of its result (see the
//! `update` module), and only "session reset" verdicts become an [`Error`].

use crate::codec::{Trailing, Truncated};
use std::borrow::Cow;
use thiserror::Error;

/// NOTIFICATION error codes (RFC 4271 4.5, RFC 7313).
pub mod code {
    pub const MESSAGE_HEADER: u8 = 1;
    pub const OPEN_MESSAGE: u8 = 2;
    pub const UPDATE_MESSAGE: u8 = 3;
    pub const HOLD_TIMER_EXPIRED: u8 = 4;
    pub const FSM: u8 = 5;
    pub const CEASE: u8 = 6;
    pub const ROUTE_REFRESH: u8 = 7;
}

/// NOTIFICATION error subcodes, per error code.
pub mod subcode {
    /// Message Header Error subcodes.
    pub mod header {
        pub const CONNECTION_NOT_SYNCHRONIZED: u8 = 1;
        pub const BAD_MESSAGE_LENGTH: u8 = 2;
        pub const BAD_MESSAGE_TYPE: u8 = 3;
    }
    /// OPEN Message Error subcodes.
    pub mod open {
        pub const UNSPECIFIC: u8 = 0;
        pub const UNSUPPORTED_VERSION: u8 = 1;
        pub const BAD_PEER_AS: u8 = 2;
        pub const BAD_BGP_IDENTIFIER: u8 = 3;
        pub const UNSUPPORTED_OPTIONAL_PARAMETER: u8 = 4;
        pub const UNACCEPTABLE_HOLD_TIME: u8 = 6;
        pub const UNSUPPORTED_CAPABILITY: u8 = 7;
        pub const ROLE_MISMATCH: u8 = 11;
    }
    /// UPDATE Message Error subcodes.
    pub mod update {
        pub const MALFORMED_ATTRIBUTE_LIST: u8 = 1;
        pub const UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: u8 = 2;
        pub const MISSING_WELL_KNOWN_ATTRIBUTE: u8 = 3;
        pub const ATTRIBUTE_FLAGS_ERROR: u8 = 4;
        pub const ATTRIBUTE_LENGTH_ERROR: u8 = 5;
        pub const INVALID_ORIGIN_ATTRIBUTE: u8 = 6;
        pub const INVALID_NEXT_HOP_ATTRIBUTE: u8 = 8;
        pub const OPTIONAL_ATTRIBUTE_ERROR: u8 = 9;
        pub const INVALID_NETWORK_FIELD: u8 = 10;
        pub const MALFORMED_AS_PATH: u8 = 11;
    }
    /// Cease subcodes (RFC 4486, RFC 8203).
    pub mod cease {
        pub const UNSPECIFIC: u8 = 0;
        pub const MAX_PREFIXES: u8 = 1;
        pub const ADMINISTRATIVE_SHUTDOWN: u8 = 2;
        pub const PEER_DECONFIGURED: u8 = 3;
        pub const ADMINISTRATIVE_RESET: u8 = 4;
        pub const CONNECTION_REJECTED: u8 = 5;
        pub const OTHER_CONFIGURATION_CHANGE: u8 = 6;
        pub const CONNECTION_COLLISION_RESOLUTION: u8 = 7;
        pub const OUT_OF_RESOURCES: u8 = 8;
        pub const HARD_RESET: u8 = 9;
    }
    /// ROUTE-REFRESH Message Error subcodes (RFC 7313).
    pub mod route_refresh {
        pub const INVALID_MESSAGE_LENGTH: u8 = 1;
    }
}

/// What to send the peer when its message cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notify {
    pub code: u8,
    pub subcode: u8,
    pub data: Vec<u8>,
}

impl Notify {
    pub fn new(code: u8, subcode: u8, data: impl Into<Vec<u8>>) -> Notify {
        Notify {
            code,
            subcode,
            data: data.into(),
        }
    }
}

/// Errors of the wire crate.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Error {
    /// A received message is malformed; `notify` is the NOTIFICATION to send
    /// before closing the session.
    #[error("malformed message ({}/{}): {reason}", notify.code, notify.subcode)]
    Malformed {
        notify: Notify,
        reason: Cow<'static, str>,
    },
    /// A value cannot be encoded (it does not fit the field or the
    /// negotiated message size).
    #[error("cannot encode: {0}")]
    Encode(Cow<'static, str>),
    /// Text input (a hex dump, a family name...) is not what was expected.
    #[error("{0}")]
    Parse(Cow<'static, str>),
}

impl Error {
    /// A malformed message that must be answered with NOTIFICATION
    /// `code`/`subcode` and no data.
    pub fn malformed(code: u8, subcode: u8, reason: impl Into<Cow<'static, str>>) -> Error {
        Error::Malformed {
            notify: Notify::new(code, subcode, Vec::new()),
            reason: reason.into(),
        }
    }

    /// As [`Error::malformed`] with NOTIFICATION data.
    pub fn malformed_data(
        code: u8,
        subcode: u8,
        data: impl Into<Vec<u8>>,
        reason: impl Into<Cow<'static, str>>,
    ) -> Error {
        Error::Malformed {
            notify: Notify::new(code, subcode, data),
            reason: reason.into(),
        }
    }

    /// The NOTIFICATION to send for this error, if it is about received bytes.
    pub fn notify(&self) -> Option<&Notify> {
        match self {
            Error::Malformed { notify, .. } => Some(notify),
            _ => None,
        }
    }
}

/// Maps a codec-level failure to a malformed-message error with the given
/// NOTIFICATION code and subcode: `reader.u16().map_err(at(code, sub, "what"))`.
pub fn at<E: std::fmt::Display>(code: u8, subcode: u8, what: &'static str) -> impl Fn(E) -> Error {
    move |e| Error::malformed(code, subcode, format!("{what}: {e}"))
}

impl From<Truncated> for Cow<'static, str> {
    fn from(t: Truncated) -> Self {
        Cow::Owned(t.to_string())
    }
}

impl From<Trailing> for Cow<'static, str> {
    fn from(t: Trailing) -> Self {
        Cow::Owned(t.to_string())
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
