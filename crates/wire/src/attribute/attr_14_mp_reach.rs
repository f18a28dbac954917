//! MP_REACH_NLRI (type code 14), RFC 4760 section 3.
//!
//! > This is an optional non-transitive attribute that can be used for the
//! > following purposes: (a) to advertise a feasible route to a peer
//! > (b) to permit a router to advertise the Network Layer address of the
//! > router that should be used as the next hop to the destinations listed
//! > in the Network Layer Reachability Information field of the MP_NLRI
//! > attribute.
//!
//! Value: AFI (2), SAFI (1), next-hop length (1), next hop, a reserved byte
//! (0), then NLRI. Flags 0x80 (+ extended length above 255 bytes). ExaBGP
//! puts it after every other attribute (spec 7.3). RFC 7606 section 7.11: a
//! malformed MP_REACH_NLRI (next-hop length inconsistent with the family,
//! unparseable NLRI) cannot be handled by "treat-as-withdraw": session reset.

use super::AttrError;
use crate::family::{Afi, Family, Safi};
use crate::nlri::Nlri;
use crate::route::NextHop;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MpReach {
    pub family: Family,
    pub next_hop: NextHop,
    pub nlri: Vec<Nlri>,
}

impl MpReach {
    /// `addpath` says whether NLRIs of a family carry path identifiers.
    pub fn decode(value: &[u8], addpath: impl Fn(Family) -> bool) -> Result<MpReach, AttrError> {
        if value.len() < 5 {
            return Err(AttrError::length(value.len()));
        }
        let family = Family::new(
            Afi(u16::from_be_bytes([value[0], value[1]])),
            Safi(value[2]),
        );
        let nh_len = usize::from(value[3]);
        let Some(nh) = value.get(4..4 + nh_len) else {
            return Err(AttrError::new("next hop overruns MP_REACH_NLRI"));
        };
        let next_hop = NextHop::decode_mp(family, nh).ok_or_else(|| {
            AttrError::new(format!("next-hop length {nh_len} invalid for {family}"))
        })?;
        // the reserved byte (ex SNPA count) is ignored, as RFC 4760 says
        let Some(nlri_bytes) = value.get(5 + nh_len..) else {
            return Err(AttrError::new("MP_REACH_NLRI has no reserved byte"));
        };
        let mut nlri = Vec::new();
        Nlri::decode_all(family, nlri_bytes, addpath(family), &mut nlri)
            .map_err(|e| AttrError::new(format!("MP_REACH_NLRI: {e}")))?;
        Ok(MpReach {
            family,
            next_hop,
            nlri,
        })
    }

    /// Appends the value (not the attribute header).
    pub fn encode(&self, addpath: bool, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.family.afi.0.to_be_bytes());
        out.push(self.family.safi.0);
        self.next_hop.encode_mp(self.family, out);
        out.push(0);
        for n in &self.nlri {
            n.encode(out, addpath);
        }
    }

    /// Bytes of the value without any NLRI.
    pub fn header_len(&self) -> usize {
        3 + self.next_hop.mp_len(self.family) + 1
    }
}
