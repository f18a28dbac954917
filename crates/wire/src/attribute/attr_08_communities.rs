//! COMMUNITIES (type code 8), RFC 1997, with the well-known communities of
//! RFC 1997, RFC 3765 (NOPEER) and RFC 7999 (BLACKHOLE).
//!
//! > This document creates the COMMUNITIES path attribute is an optional
//! > transitive attribute of variable length. The attribute consists of a
//! > set of four octet values, each of which specify a community.
//!
//! Flags 0xC0. ExaBGP keeps them sorted numerically on the wire and does not
//! remove duplicates (spec 1.9); [`Communities`] keeps that invariant. RFC
//! 7606 section 7.8: a length of 0 or not a multiple of 4 is handled by
//! "treat-as-withdraw".

use super::AttrError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// One standard community (`high:low`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Community(pub u32);

impl Community {
    pub const NO_EXPORT: Community = Community(0xFFFF_FF01);
    pub const NO_ADVERTISE: Community = Community(0xFFFF_FF02);
    pub const NO_EXPORT_SUBCONFED: Community = Community(0xFFFF_FF03);
    pub const NOPEER: Community = Community(0xFFFF_FF04);
    pub const BLACKHOLE: Community = Community(0xFFFF_029A);

    pub fn new(high: u16, low: u16) -> Community {
        Community(u32::from(high) << 16 | u32::from(low))
    }

    pub fn high(self) -> u16 {
        (self.0 >> 16) as u16
    }

    pub fn low(self) -> u16 {
        self.0 as u16
    }

    /// ExaBGP's name for a well-known community.
    pub fn well_known_name(self) -> Option<&'static str> {
        Some(match self {
            Community::NO_EXPORT => "no-export",
            Community::NO_ADVERTISE => "no-advertise",
            Community::NO_EXPORT_SUBCONFED => "no-export-subconfed",
            Community::NOPEER => "no-peer",
            Community::BLACKHOLE => "blackhole",
            _ => return None,
        })
    }
}

impl fmt::Display for Community {
    /// `65000:1`, or the well-known name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.well_known_name() {
            Some(n) => f.write_str(n),
            None => write!(f, "{}:{}", self.high(), self.low()),
        }
    }
}

impl FromStr for Community {
    type Err = crate::Error;

    /// `a:b`, a decimal or `0x` hex 32-bit value, or a well-known name
    /// (`no-export`, `no-advertise`, `no-export-subconfed`, `nopeer` /
    /// `no-peer`, `blackhole`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || crate::Error::Parse(format!("invalid community {s:?}").into());
        let lower = s.to_ascii_lowercase();
        Ok(match lower.as_str() {
            "no-export" => Community::NO_EXPORT,
            "no-advertise" => Community::NO_ADVERTISE,
            "no-export-subconfed" => Community::NO_EXPORT_SUBCONFED,
            "nopeer" | "no-peer" => Community::NOPEER,
            "blackhole" => Community::BLACKHOLE,
            _ => {
                if let Some((h, l)) = lower.split_once(':') {
                    Community::new(h.parse().map_err(|_| err())?, l.parse().map_err(|_| err())?)
                } else if let Some(hex) = lower.strip_prefix("0x") {
                    Community(u32::from_str_radix(hex, 16).map_err(|_| err())?)
                } else {
                    Community(lower.parse().map_err(|_| err())?)
                }
            }
        })
    }
}

/// A COMMUNITIES value: sorted, duplicates kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Communities(Vec<Community>);

impl Communities {
    pub fn new(mut v: Vec<Community>) -> Communities {
        v.sort_unstable();
        Communities(v)
    }

    pub fn as_slice(&self) -> &[Community] {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn decode(value: &[u8]) -> Result<Communities, AttrError> {
        if value.is_empty() || value.len() % 4 != 0 {
            return Err(AttrError::length(value.len()));
        }
        Ok(Communities::new(
            value
                .chunks_exact(4)
                .map(|c| Community(u32::from_be_bytes([c[0], c[1], c[2], c[3]])))
                .collect(),
        ))
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        for c in &self.0 {
            out.extend_from_slice(&c.0.to_be_bytes());
        }
    }
}

impl fmt::Display for Communities {
    /// ExaBGP's text: one value bare, several as `[ a b ]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_list(f, &self.0)
    }
}

/// `x` for one element, `[ x y ]` for several (ExaBGP's list rendering).
pub(crate) fn fmt_list<T: fmt::Display>(f: &mut fmt::Formatter<'_>, v: &[T]) -> fmt::Result {
    if v.len() == 1 {
        return write!(f, "{}", v[0]);
    }
    f.write_str("[")?;
    for x in v {
        write!(f, " {x}")?;
    }
    f.write_str(" ]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_sort() {
        let c: Vec<Community> = ["no-export", "65000:1", "0x10", "7", "nopeer"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        let cs = Communities::new(c);
        assert_eq!(cs.to_string(), "[ 0:7 0:16 65000:1 no-export no-peer ]");
        let mut v = Vec::new();
        cs.encode(&mut v);
        assert_eq!(Communities::decode(&v).unwrap(), cs);
        assert!(Communities::decode(&[1, 2, 3]).is_err());
        assert!(Communities::decode(&[]).is_err());
        assert!("65536:1".parse::<Community>().is_err());
        assert_eq!(
            "blackhole".parse::<Community>().unwrap(),
            Community::new(65535, 666)
        );
    }
}
