//! MPLS label stacks as carried in labelled NLRI (RFC 8277, RFC 4364): each
//! entry is 3 bytes, a 20-bit label, 3 bits of traffic class and the
//! bottom-of-stack bit.
//!
//! Entries are kept as their raw 24-bit values so that decoded stacks
//! re-encode byte for byte; [`Labels::new`] builds a stack from label values
//! the way ExaBGP does (bottom-of-stack set on the last entry only).

use serde::{Deserialize, Serialize};
use std::fmt;

/// The label value RFC 8277 section 2.4 lets a withdrawal carry (0x800000).
pub const WITHDRAW_LABEL: u32 = 0x80_0000;

/// A stack of MPLS label entries (24-bit raw values, label in the top 20 bits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Labels(pub Vec<u32>);

impl Labels {
    /// A stack of the given label values with bottom-of-stack on the last.
    pub fn new(values: &[u32]) -> Labels {
        let n = values.len();
        Labels(
            values
                .iter()
                .enumerate()
                .map(|(i, v)| ((v & 0xF_FFFF) << 4) | u32::from(i + 1 == n))
                .collect(),
        )
    }

    /// The 20-bit label values.
    pub fn values(&self) -> impl Iterator<Item = u32> + '_ {
        self.0.iter().map(|raw| raw >> 4)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Wire length in bytes.
    pub fn len(&self) -> usize {
        self.0.len() * 3
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        for raw in &self.0 {
            out.extend_from_slice(&raw.to_be_bytes()[1..]);
        }
    }

    /// Reads entries until one has the bottom-of-stack bit (or is the
    /// withdrawal label 0x800000 / 0), at most `max_bytes` bytes.
    pub fn decode(bytes: &[u8], max_bytes: usize) -> Option<(Labels, usize)> {
        let mut v = Vec::new();
        let mut at = 0;
        while at + 3 <= bytes.len().min(max_bytes) {
            let raw = u32::from_be_bytes([0, bytes[at], bytes[at + 1], bytes[at + 2]]);
            at += 3;
            v.push(raw);
            if raw & 1 == 1 || raw == WITHDRAW_LABEL || raw == 0 {
                return Some((Labels(v), at));
            }
        }
        None
    }
}

impl fmt::Display for Labels {
    /// ExaBGP's text form: `100` for one label, `[ 100 200 ]` for several.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v: Vec<String> = self.values().map(|l| l.to_string()).collect();
        match v.len() {
            1 => f.write_str(&v[0]),
            _ => write!(f, "[ {} ]", v.join(" ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_round_trip() {
        let l = Labels::new(&[100, 200]);
        let mut out = Vec::new();
        l.encode(&mut out);
        assert_eq!(out, [0x00, 0x06, 0x40, 0x00, 0x0C, 0x81]);
        let (back, n) = Labels::decode(&out, 6).unwrap();
        assert_eq!((back.clone(), n), (l, 6));
        assert_eq!(back.values().collect::<Vec<_>>(), [100, 200]);
        assert_eq!(back.to_string(), "[ 100 200 ]");
        assert_eq!(Labels::new(&[16]).to_string(), "16");
        assert!(Labels::decode(&out[..3], 3).is_none());
    }
}
