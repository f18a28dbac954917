//! Capability 5, Extended Next Hop Encoding (RFC 8950 section 3).
//!
//! > The Capability Value field is a variable-length field that contains
//! > one or more triples <NLRI AFI, NLRI SAFI, Nexthop AFI> ... NLRI AFI -
//! > Address Family Identifier (16 bits), NLRI SAFI - Subsequent Address
//! > Family Identifier (16 bits), Nexthop AFI - Address Family Identifier
//! > (16 bits).
//!
//! The SAFI is 16 bits here (unlike capability 1); only its low octet is
//! meaningful, the high octet is written as zero and ignored on receipt.

use super::malformed;
use crate::codec::{Reader, Writer};
use crate::error::Result;
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};

/// "Routes of `family` may carry a next hop of address family `nexthop_afi`".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NextHopEntry {
    pub family: Family,
    pub nexthop_afi: Afi,
}

pub fn decode(value: &[u8]) -> Result<Vec<NextHopEntry>> {
    if value.len() % 6 != 0 {
        return Err(malformed(format!(
            "extended next-hop capability of {} bytes is not a list of 6-byte entries",
            value.len()
        )));
    }
    let mut r = Reader::new(value);
    let mut out = Vec::with_capacity(value.len() / 6);
    while let (Ok(afi), Ok(safi), Ok(nh)) = (r.u16(), r.u16(), r.u16()) {
        out.push(NextHopEntry {
            family: Family::new(Afi(afi), Safi(safi as u8)),
            nexthop_afi: Afi(nh),
        });
    }
    Ok(out)
}

pub fn encode(entries: &[NextHopEntry], out: &mut Vec<u8>) {
    for e in entries {
        out.put_u16(e.family.afi.0);
        out.put_u16(e.family.safi.0 as u16);
        out.put_u16(e.nexthop_afi.0);
    }
}
