//! The 19-byte BGP message header (RFC 4271 section 4.1): 16-byte marker of
//! all ones, 2-byte total length, 1-byte type; and its checks (section 6.1).
//!
//! > If the Marker field of the message header is not as expected, then a
//! > synchronization error has occurred and the Error Subcode MUST be set
//! > to Connection Not Synchronized. ... If the Length field of the message
//! > header is less than 19 or greater than 4096 [65535 with RFC 8654], ...
//! > the Error Subcode MUST be set to Bad Message Length. The Data field
//! > MUST contain the erroneous Length field.

use crate::codec::Writer;
use crate::error::{code, subcode, Error, Result};

/// The marker: sixteen 0xFF bytes.
pub const MARKER: [u8; 16] = [0xff; 16];
/// Header size, also the smallest message (a KEEPALIVE).
pub const HEADER_LEN: usize = 19;

/// Message type codes.
pub mod kind {
    pub const OPEN: u8 = 1;
    pub const UPDATE: u8 = 2;
    pub const NOTIFICATION: u8 = 3;
    pub const KEEPALIVE: u8 = 4;
    pub const ROUTE_REFRESH: u8 = 5;
    /// ExaBGP's OPERATIONAL message (draft-ietf-idr-operational-message).
    pub const OPERATIONAL: u8 = 6;
}

/// A checked header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Total message length, header included.
    pub length: u16,
    pub kind: u8,
}

impl Header {
    /// Body length (total minus header).
    pub fn body_len(&self) -> usize {
        usize::from(self.length).saturating_sub(HEADER_LEN)
    }
}

/// The NOTIFICATION for a bad length: 1/2 with the length field as data.
pub fn bad_length(length: u16, why: impl Into<String>) -> Error {
    Error::malformed_data(
        code::MESSAGE_HEADER,
        subcode::header::BAD_MESSAGE_LENGTH,
        length.to_be_bytes().to_vec(),
        format!("bad message length {length}: {}", why.into()),
    )
}

/// Checks the first 19 bytes of a message. `max_size` is the largest
/// message accepted (4096, or 65535 with Extended Message).
pub fn decode_header(bytes: &[u8; HEADER_LEN], max_size: usize) -> Result<Header> {
    if bytes[..16] != MARKER {
        return Err(Error::malformed(
            code::MESSAGE_HEADER,
            subcode::header::CONNECTION_NOT_SYNCHRONIZED,
            "marker is not all ones",
        ));
    }
    let length = u16::from_be_bytes([bytes[16], bytes[17]]);
    if usize::from(length) < HEADER_LEN {
        return Err(bad_length(length, "shorter than the header"));
    }
    if usize::from(length) > max_size {
        return Err(bad_length(length, format!("larger than {max_size}")));
    }
    Ok(Header {
        length,
        kind: bytes[18],
    })
}

/// Writes a header for a body of `body_len` bytes. Fails when the message
/// would be longer than `max_size`.
pub fn encode_header(out: &mut Vec<u8>, kind: u8, body_len: usize, max_size: usize) -> Result<()> {
    let total = HEADER_LEN + body_len;
    if total > max_size || total > usize::from(u16::MAX) {
        return Err(Error::Encode(
            format!("message of {total} bytes exceeds the maximum of {max_size}").into(),
        ));
    }
    out.put_slice(&MARKER);
    out.put_u16(total as u16);
    out.put_u8(kind);
    Ok(())
}

/// A whole message (header + body) as a new vector.
pub fn frame(kind: u8, body: &[u8], max_size: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(HEADER_LEN + body.len());
    encode_header(&mut out, kind, body.len(), max_size)?;
    out.put_slice(body);
    Ok(out)
}
