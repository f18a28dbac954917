//! ORIGINATOR_ID (type code 9), RFC 4456 section 8.
//!
//! > ORIGINATOR_ID is a new optional, non-transitive BGP attribute of Type
//! > code 9. This attribute is 4 bytes long and it will be created by an
//! > RR in reflecting a route.
//!
//! Flags 0x80. RFC 7606 section 7.9: a length other than 4 is handled by
//! "treat-as-withdraw".

use super::AttrError;
use std::net::Ipv4Addr;

pub fn decode(value: &[u8]) -> Result<Ipv4Addr, AttrError> {
    super::attr_03_next_hop::decode(value)
}

pub fn encode(id: Ipv4Addr, out: &mut Vec<u8>) {
    out.extend_from_slice(&id.octets());
}
