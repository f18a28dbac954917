//! Capability 1, Multiprotocol Extensions (RFC 4760 section 8).
//!
//! > The Capability Value field is defined as: AFI (2 octets), Res. (1
//! > octet), SAFI (1 octet) ... Res. - Reserved (8 bit) field. SHOULD be set
//! > to 0 by the sender and ignored by the receiver.
//!
//! A speaker that supports several families sends one capability per
//! family; ExaBGP puts each in its own optional parameter, in (AFI, SAFI)
//! order.

use super::malformed;
use crate::codec::Writer;
use crate::error::Result;
use crate::family::{Afi, Family, Safi};

pub fn decode(value: &[u8]) -> Result<Family> {
    match value {
        [a, b, _reserved, safi] => Ok(Family::new(Afi(u16::from_be_bytes([*a, *b])), Safi(*safi))),
        _ => Err(malformed(format!(
            "multiprotocol capability must be 4 bytes, got {}",
            value.len()
        ))),
    }
}

pub fn encode(family: Family, out: &mut Vec<u8>) {
    out.put_u16(family.afi.0);
    out.put_u8(0);
    out.put_u8(family.safi.0);
}
