//! MULTI_EXIT_DISC (type code 4), RFC 4271 section 5.1.4.
//!
//! > This is an optional non-transitive attribute that is a four-octet
//! > unsigned integer. The value of this attribute MAY be used by a BGP
//! > speaker's Decision Process to discriminate among multiple entry points
//! > to a neighboring autonomous system.
//!
//! Flags 0x80. RFC 7606 section 7.4: a length other than 4 is handled by
//! "treat-as-withdraw".

use super::AttrError;

pub fn decode(value: &[u8]) -> Result<u32, AttrError> {
    super::decode_u32(value)
}

pub fn encode(med: u32, out: &mut Vec<u8>) {
    out.extend_from_slice(&med.to_be_bytes());
}
