//! KEEPALIVE (RFC 4271 section 4.4): a header alone, 19 bytes.
//!
//! > A KEEPALIVE message consists of only the message header and has a
//! > length of 19 octets.

use super::header::{frame, kind, HEADER_LEN};

/// The 19 bytes of a KEEPALIVE.
pub fn keepalive_bytes() -> Vec<u8> {
    // A header-only message always fits.
    frame(kind::KEEPALIVE, &[], HEADER_LEN).unwrap_or_default()
}
