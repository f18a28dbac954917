//! Capability 65, Support for 4-octet AS Number (RFC 6793 section 3).
//!
//! > The Capability Value field of the Capability is 4 octets long and
//! > contains the 4-octet Autonomous System number of the speaker.
//!
//! When the local AS does not fit 16 bits, the OPEN's "My Autonomous
//! System" field carries AS_TRANS (23456) and this capability the real AS.

use super::malformed;
use crate::error::Result;

/// AS_TRANS (RFC 6793): the 2-octet stand-in for a 4-octet AS number.
pub const AS_TRANS: u16 = 23456;

pub fn decode(value: &[u8]) -> Result<u32> {
    match value {
        [a, b, c, d] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => Err(malformed(format!(
            "AS4 capability must be 4 bytes long, got {}",
            value.len()
        ))),
    }
}
