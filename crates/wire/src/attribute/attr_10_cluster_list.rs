//! CLUSTER_LIST (type code 10), RFC 4456 section 8.
//!
//! > CLUSTER_LIST is a new, optional, non-transitive BGP attribute of Type
//! > code 10. It is a sequence of CLUSTER_ID values representing the
//! > reflection path that the route has passed.
//!
//! A list of 4-octet cluster identifiers, flags 0x80. RFC 7606 section 7.10:
//! a length of 0 or not a multiple of 4 is handled by "treat-as-withdraw".

use super::AttrError;
use std::net::Ipv4Addr;

pub fn decode(value: &[u8]) -> Result<Vec<Ipv4Addr>, AttrError> {
    if value.is_empty() || value.len() % 4 != 0 {
        return Err(AttrError::length(value.len()));
    }
    Ok(value
        .chunks_exact(4)
        .map(|c| Ipv4Addr::new(c[0], c[1], c[2], c[3]))
        .collect())
}

pub fn encode(list: &[Ipv4Addr], out: &mut Vec<u8>) {
    for id in list {
        out.extend_from_slice(&id.octets());
    }
}
