//! LARGE_COMMUNITY (type code 32), RFC 8092.
//!
//! > This document defines the BGP Large Communities attribute as an
//! > optional transitive path attribute of variable length. [...] Each BGP
//! > Large Community value is encoded as a 12-octet quantity: Global
//! > Administrator, Local Data Part 1, Local Data Part 2 (4 octets each).
//!
//! Flags 0xC0. Sorted, duplicates removed (RFC 8092 section 5; ExaBGP does
//! the same). RFC 8092 section 6: a length of 0 or not a multiple of 12 is
//! handled by "treat-as-withdraw".

use super::AttrError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LargeCommunity {
    pub global: u32,
    pub local1: u32,
    pub local2: u32,
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.global, self.local1, self.local2)
    }
}

impl FromStr for LargeCommunity {
    type Err = crate::Error;

    /// `a:b:c`, each a 32-bit decimal.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || crate::Error::Parse(format!("invalid large-community {s:?}").into());
        let mut it = s.split(':').map(|x| x.parse::<u32>());
        match (it.next(), it.next(), it.next(), it.next()) {
            (Some(Ok(global)), Some(Ok(local1)), Some(Ok(local2)), None) => Ok(LargeCommunity {
                global,
                local1,
                local2,
            }),
            _ => Err(err()),
        }
    }
}

/// A LARGE_COMMUNITY value: sorted, without duplicates.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct LargeCommunities(Vec<LargeCommunity>);

impl LargeCommunities {
    pub fn new(mut v: Vec<LargeCommunity>) -> LargeCommunities {
        v.sort_unstable();
        v.dedup();
        LargeCommunities(v)
    }

    pub fn as_slice(&self) -> &[LargeCommunity] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn decode(value: &[u8]) -> Result<LargeCommunities, AttrError> {
        if value.is_empty() || value.len() % 12 != 0 {
            return Err(AttrError::length(value.len()));
        }
        let u = |c: &[u8]| u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        Ok(LargeCommunities::new(
            value
                .chunks_exact(12)
                .map(|c| LargeCommunity {
                    global: u(&c[0..4]),
                    local1: u(&c[4..8]),
                    local2: u(&c[8..12]),
                })
                .collect(),
        ))
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        for c in &self.0 {
            out.extend_from_slice(&c.global.to_be_bytes());
            out.extend_from_slice(&c.local1.to_be_bytes());
            out.extend_from_slice(&c.local2.to_be_bytes());
        }
    }
}

impl fmt::Display for LargeCommunities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::attr_08_communities::fmt_list(f, &self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_dedup() {
        let v: Vec<LargeCommunity> = ["2914:3320:123", "2914:0:666", "2914:3320:123"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let l = LargeCommunities::new(v);
        assert_eq!(l.to_string(), "[ 2914:0:666 2914:3320:123 ]");
        let mut w = Vec::new();
        l.encode(&mut w);
        assert_eq!(w.len(), 24);
        assert_eq!(LargeCommunities::decode(&w).unwrap(), l);
        assert!(LargeCommunities::decode(&w[..13]).is_err());
        assert!("1:2".parse::<LargeCommunity>().is_err());
    }
}
