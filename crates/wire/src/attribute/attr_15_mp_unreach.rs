//! MP_UNREACH_NLRI (type code 15), RFC 4760 section 4.
//!
//! > This is an optional non-transitive attribute that can be used for the
//! > purpose of withdrawing multiple unfeasible routes from service.
//!
//! Value: AFI (2), SAFI (1), withdrawn NLRI. Flags 0x80. An MP_UNREACH_NLRI
//! without NLRI, alone in an UPDATE, is the End-of-RIB marker of its family
//! (RFC 4724 section 2), which ExaBGP sends with the extended-length flag
//! (`900F0003 afi safi`). RFC 7606 section 7.11: malformed means session
//! reset.

use super::AttrError;
use crate::family::{Afi, Family, Safi};
use crate::nlri::Nlri;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MpUnreach {
    pub family: Family,
    pub nlri: Vec<Nlri>,
}

impl MpUnreach {
    pub fn decode(value: &[u8], addpath: impl Fn(Family) -> bool) -> Result<MpUnreach, AttrError> {
        if value.len() < 3 {
            return Err(AttrError::length(value.len()));
        }
        let family = Family::new(
            Afi(u16::from_be_bytes([value[0], value[1]])),
            Safi(value[2]),
        );
        let mut nlri = Vec::new();
        Nlri::decode_all(family, &value[3..], addpath(family), &mut nlri)
            .map_err(|e| AttrError::new(format!("MP_UNREACH_NLRI: {e}")))?;
        Ok(MpUnreach { family, nlri })
    }

    /// Appends the value (not the attribute header).
    pub fn encode(&self, addpath: bool, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.family.afi.0.to_be_bytes());
        out.push(self.family.safi.0);
        for n in &self.nlri {
            n.encode(out, addpath);
        }
    }
}
