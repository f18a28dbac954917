//! NEXT_HOP (type code 3), RFC 4271 section 5.1.3.
//!
//! > This is a well-known mandatory attribute that defines the IP address
//! > of the router that SHOULD be used as the next hop to the destinations
//! > listed in the UPDATE message.
//!
//! Four octets (an IPv4 address), flags 0x40. The next hop of a route lives
//! in [`crate::route::NextHop`], not in the attribute set: the encoder emits
//! NEXT_HOP only when a route's next hop is IPv4 (ExaBGP, spec 7.3). RFC 7606
//! section 7.3: a length other than 4 is handled by "treat-as-withdraw".

use super::AttrError;
use std::net::Ipv4Addr;

pub fn decode(value: &[u8]) -> Result<Ipv4Addr, AttrError> {
    match value {
        [a, b, c, d] => Ok(Ipv4Addr::new(*a, *b, *c, *d)),
        _ => Err(AttrError::length(value.len())),
    }
}

pub fn encode(ip: Ipv4Addr, out: &mut Vec<u8>) {
    out.extend_from_slice(&ip.octets());
}
