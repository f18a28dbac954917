//! Route Target Constraint NLRI (RFC 4684 section 4, SAFI 132): a length
//! in bits (0 = default route target, else 32..=96), then as many bytes as
//! it covers of origin AS (4 bytes) + route target (an 8-byte extended
//! community). Decode-only in ExaBGP (received and reported).

use super::NlriError;
use crate::attribute::ExtendedCommunity;
use crate::codec::Reader;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A route target membership NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Rtc {
    pub path_id: Option<u32>,
    /// Prefix length in bits (0..=96).
    pub bits: u8,
    /// The prefix bytes (`ceil(bits / 8)` of them).
    pub bytes: Box<[u8]>,
}

impl Rtc {
    /// A full-length (96-bit) membership for `route_target` from `origin`.
    pub fn new(origin: u32, route_target: ExtendedCommunity) -> Rtc {
        let mut b = origin.to_be_bytes().to_vec();
        b.extend_from_slice(&route_target.0);
        Rtc {
            path_id: None,
            bits: 96,
            bytes: b.into(),
        }
    }

    pub fn wire_len(&self, addpath: bool) -> usize {
        usize::from(addpath) * 4 + 1 + self.bytes.len()
    }

    pub fn encode(&self, out: &mut Vec<u8>, addpath: bool) {
        if addpath {
            out.extend_from_slice(&self.path_id.unwrap_or(0).to_be_bytes());
        }
        out.push(self.bits);
        out.extend_from_slice(&self.bytes);
    }

    pub fn decode(r: &mut Reader<'_>, addpath: bool) -> Result<Rtc, NlriError> {
        let trunc = |_| NlriError::new("truncated RTC NLRI");
        let path_id = if addpath {
            Some(r.u32().map_err(trunc)?)
        } else {
            None
        };
        let bits = r.u8().map_err(trunc)?;
        if bits > 96 || (bits > 0 && bits < 32) {
            return Err(NlriError::new(format!("RTC prefix length {bits} invalid")));
        }
        let bytes = r.take(usize::from(bits).div_ceil(8)).map_err(trunc)?;
        Ok(Rtc {
            path_id,
            bits,
            bytes: bytes.into(),
        })
    }

    /// The origin AS (0 for the default route target).
    pub fn origin(&self) -> u32 {
        match self.bytes.get(..4) {
            Some(b) => u32::from_be_bytes([b[0], b[1], b[2], b[3]]),
            None => 0,
        }
    }

    /// The route target, when the whole 8 bytes are present.
    pub fn route_target(&self) -> Option<ExtendedCommunity> {
        let b: [u8; 8] = self.bytes.get(4..12)?.try_into().ok()?;
        Some(ExtendedCommunity(b))
    }
}

impl fmt::Display for Rtc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.route_target() {
            Some(rt) => write!(f, "{}:{}", self.origin(), rt),
            None => write!(f, "{}:default", self.origin()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn membership() {
        let wire = [
            96, 0, 0, 0xFD, 0xE8, 0x00, 0x02, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x01,
        ];
        let mut r = Reader::new(&wire);
        let m = Rtc::decode(&mut r, false).unwrap();
        let mut out = Vec::new();
        m.encode(&mut out, false);
        assert_eq!(out, wire);
        let mut r = Reader::new(&[97]);
        assert!(Rtc::decode(&mut r, false).is_err());
    }
}
