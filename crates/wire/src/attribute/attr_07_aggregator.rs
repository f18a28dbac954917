//! AGGREGATOR (type code 7), RFC 4271 section 5.1.7, 4-octet form RFC 6793.
//!
//! > AGGREGATOR is an optional transitive attribute, which MAY be included
//! > in updates that are formed by aggregation. [...] A BGP speaker that
//! > performs route aggregation MAY add the AGGREGATOR attribute, which
//! > SHALL contain its own AS number and IP address.
//!
//! 6 octets (2-octet ASN + IPv4) between old speakers, 8 octets (4-octet ASN
//! and IPv4) when ASN4 was negotiated. Flags 0xC0. RFC 7606 section 7.7: a
//! wrong length is handled by "attribute discard".

use super::AttrError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Aggregator {
    pub asn: u32,
    pub ip: Ipv4Addr,
}

impl Aggregator {
    pub fn decode(value: &[u8], four: bool) -> Result<Aggregator, AttrError> {
        match (four, value) {
            (true, [a, b, c, d, e, f, g, h]) => Ok(Aggregator {
                asn: u32::from_be_bytes([*a, *b, *c, *d]),
                ip: Ipv4Addr::new(*e, *f, *g, *h),
            }),
            (false, [a, b, e, f, g, h]) => Ok(Aggregator {
                asn: u32::from(u16::from_be_bytes([*a, *b])),
                ip: Ipv4Addr::new(*e, *f, *g, *h),
            }),
            _ => Err(AttrError::length(value.len())),
        }
    }

    /// 8 octets with `four`, else 6 with AS_TRANS for an ASN above 65535.
    pub fn encode(&self, four: bool, out: &mut Vec<u8>) {
        if four {
            out.extend_from_slice(&self.asn.to_be_bytes());
        } else {
            let two = if self.asn > 0xFFFF {
                super::attr_02_as_path::AS_TRANS
            } else {
                self.asn
            };
            out.extend_from_slice(&(two as u16).to_be_bytes());
        }
        out.extend_from_slice(&self.ip.octets());
    }
}

impl fmt::Display for Aggregator {
    /// `65000:10.0.0.1`, as in ExaBGP's JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.asn, self.ip)
    }
}
