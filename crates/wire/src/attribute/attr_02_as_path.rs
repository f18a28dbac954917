//! AS_PATH (type code 2), RFC 4271 section 5.1.2 and 4.3, with 4-octet AS
//! numbers per RFC 6793.
//!
//! > AS_PATH is a well-known mandatory attribute. This attribute identifies
//! > the autonomous systems through which routing information carried in
//! > this UPDATE message has passed. [...] Each AS path segment is
//! > represented by a triple <path segment type, path segment length, path
//! > segment value>.
//!
//! Segment types: 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4
//! AS_CONFED_SET (RFC 5065). The length counts ASNs (at most 255; longer
//! segments are split when encoding). ASNs are 4 octets when both speakers
//! announced the ASN4 capability, else 2 octets with AS_TRANS (23456) in
//! place of larger numbers, the real path then travelling in AS4_PATH
//! ([`super::attr_17_as4_path`]). Flags 0x40. RFC 7606 section 7.2: a
//! malformed AS_PATH (unknown segment type, zero-length segment, overrun) is
//! handled by "treat-as-withdraw".

use super::AttrError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 2-octet stand-in for a 4-octet AS number (RFC 6793).
pub const AS_TRANS: u32 = 23456;
/// Most ASNs in one segment.
pub const SEGMENT_MAX: usize = 255;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SegmentType {
    Set = 1,
    Sequence = 2,
    ConfedSequence = 3,
    ConfedSet = 4,
}

impl SegmentType {
    pub fn from_code(c: u8) -> Option<SegmentType> {
        Some(match c {
            1 => SegmentType::Set,
            2 => SegmentType::Sequence,
            3 => SegmentType::ConfedSequence,
            4 => SegmentType::ConfedSet,
            _ => return None,
        })
    }

    pub fn is_confed(self) -> bool {
        matches!(self, SegmentType::ConfedSequence | SegmentType::ConfedSet)
    }

    /// The `element` name in ExaBGP's JSON. ExaBGP names both confederation
    /// segment types `as-sequence` too; this is kept for compatibility.
    pub fn json_name(self) -> &'static str {
        match self {
            SegmentType::Set => "as-set",
            _ => "as-sequence",
        }
    }

    /// Brackets in ExaBGP's text output.
    pub fn brackets(self) -> (&'static str, &'static str) {
        match self {
            SegmentType::Set => ("[", "]"),
            SegmentType::Sequence => ("(", ")"),
            SegmentType::ConfedSequence => ("{(", ")}"),
            SegmentType::ConfedSet => ("{[", "]}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Segment {
    pub kind: SegmentType,
    pub asns: Vec<u32>,
}

/// An AS path: its segments in order. An empty path has no segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct AsPath {
    pub segments: Vec<Segment>,
}

impl AsPath {
    pub fn empty() -> AsPath {
        AsPath::default()
    }

    /// A path of one AS_SEQUENCE.
    pub fn sequence(asns: Vec<u32>) -> AsPath {
        AsPath {
            segments: vec![Segment {
                kind: SegmentType::Sequence,
                asns,
            }],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.segments.iter().all(|s| s.asns.is_empty())
    }

    /// Decodes segments with 4-octet (`four`) or 2-octet ASNs.
    pub fn decode(value: &[u8], four: bool) -> Result<AsPath, AttrError> {
        let width = if four { 4 } else { 2 };
        let mut segments = Vec::new();
        let mut at = 0;
        while at < value.len() {
            let (Some(&t), Some(&n)) = (value.get(at), value.get(at + 1)) else {
                return Err(AttrError::new("truncated AS_PATH segment header"));
            };
            let kind = SegmentType::from_code(t)
                .ok_or_else(|| AttrError::new(format!("invalid AS_PATH segment type {t}")))?;
            if n == 0 {
                return Err(AttrError::new("AS_PATH segment of length zero"));
            }
            at += 2;
            let end = at + usize::from(n) * width;
            let Some(bytes) = value.get(at..end) else {
                return Err(AttrError::new("AS_PATH segment overruns the attribute"));
            };
            let asns = if four {
                bytes
                    .chunks_exact(4)
                    .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .collect()
            } else {
                bytes
                    .chunks_exact(2)
                    .map(|c| u32::from(u16::from_be_bytes([c[0], c[1]])))
                    .collect()
            };
            segments.push(Segment { kind, asns });
            at = end;
        }
        Ok(AsPath { segments })
    }

    /// Encodes with 4-octet ASNs, or 2-octet with AS_TRANS for ASNs above
    /// 65535. Empty segments are skipped, segments longer than 255 split.
    pub fn encode(&self, four: bool, out: &mut Vec<u8>) {
        for seg in &self.segments {
            for chunk in seg.asns.chunks(SEGMENT_MAX) {
                out.push(seg.kind as u8);
                out.push(chunk.len() as u8);
                for &asn in chunk {
                    if four {
                        out.extend_from_slice(&asn.to_be_bytes());
                    } else {
                        let two = if asn > 0xFFFF { AS_TRANS } else { asn };
                        out.extend_from_slice(&(two as u16).to_be_bytes());
                    }
                }
            }
        }
    }

    /// Whether a 2-octet encoding loses information (some ASN > 65535), so
    /// that an AS4_PATH must go with it.
    pub fn needs_as4(&self) -> bool {
        self.segments
            .iter()
            .flat_map(|s| &s.asns)
            .any(|&a| a > 0xFFFF)
    }

    /// The path without confederation segments (what AS4_PATH may carry).
    pub fn confed_free(&self) -> AsPath {
        AsPath {
            segments: self
                .segments
                .iter()
                .filter(|s| !s.kind.is_confed())
                .cloned()
                .collect(),
        }
    }

    /// Path length as RFC 4271 9.1.2.2 counts it (an AS_SET counts 1,
    /// confederation segments 0).
    pub fn count(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s.kind {
                SegmentType::Sequence => s.asns.len(),
                SegmentType::Set => 1,
                _ => 0,
            })
            .sum()
    }

    /// RFC 6793 section 4.2.3: rebuilds the real path from the AS_PATH of an
    /// old (2-octet) speaker and its AS4_PATH. When AS_PATH is shorter than
    /// AS4_PATH, AS4_PATH is ignored; otherwise the leading ASNs of AS_PATH
    /// that AS4_PATH does not cover are kept and AS4_PATH follows.
    pub fn merge_as4(&self, as4: &AsPath) -> AsPath {
        let (n2, n4) = (self.count(), as4.count());
        if n2 < n4 {
            return self.clone();
        }
        let mut keep = n2 - n4;
        let mut segments = Vec::new();
        for seg in &self.segments {
            if seg.kind.is_confed() {
                segments.push(seg.clone());
                continue;
            }
            if keep == 0 {
                break;
            }
            match seg.kind {
                SegmentType::Set => {
                    segments.push(seg.clone());
                    keep -= 1;
                }
                _ => {
                    let take = keep.min(seg.asns.len());
                    segments.push(Segment {
                        kind: seg.kind,
                        asns: seg.asns[..take].to_vec(),
                    });
                    keep -= take;
                }
            }
        }
        segments.extend(as4.segments.iter().cloned());
        AsPath { segments }
    }
}

impl fmt::Display for AsPath {
    /// ExaBGP's text form: `( 1 2 ) [ 3 4 ]` (sequence in parentheses).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        for seg in &self.segments {
            let (open, close) = seg.kind.brackets();
            if !first {
                f.write_str(" ")?;
            }
            first = false;
            f.write_str(open)?;
            for a in &seg.asns {
                write!(f, " {a}")?;
            }
            write!(f, " {close}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_and_four_octets() {
        let p = AsPath::sequence(vec![65001, 70000]);
        let mut v = Vec::new();
        p.encode(true, &mut v);
        assert_eq!(v, [2, 2, 0, 0, 0xFD, 0xE9, 0, 1, 0x11, 0x70]);
        assert_eq!(AsPath::decode(&v, true).unwrap(), p);
        let mut v = Vec::new();
        p.encode(false, &mut v);
        assert_eq!(v, [2, 2, 0xFD, 0xE9, 0x5B, 0xA0]);
        assert!(p.needs_as4());
        assert_eq!(p.to_string(), "( 65001 70000 )");
    }

    #[test]
    fn long_segments_split() {
        let p = AsPath::sequence((1..=300).collect());
        let mut v = Vec::new();
        p.encode(true, &mut v);
        assert_eq!(v.len(), 2 + 255 * 4 + 2 + 45 * 4);
        assert_eq!((v[0], v[1]), (2, 255));
        assert_eq!((v[1022], v[1023]), (2, 45));
    }

    #[test]
    fn malformed() {
        assert!(AsPath::decode(&[5, 1, 0, 1], false).is_err());
        assert!(AsPath::decode(&[2, 0], false).is_err());
        assert!(AsPath::decode(&[2, 2, 0, 1], false).is_err());
        assert!(AsPath::decode(&[2], false).is_err());
        assert_eq!(AsPath::decode(&[], false).unwrap(), AsPath::empty());
    }

    #[test]
    fn rfc6793_merge() {
        // old speaker path: 100 AS_TRANS AS_TRANS, AS4_PATH: 70000 80000
        let old = AsPath::sequence(vec![100, AS_TRANS, AS_TRANS]);
        let as4 = AsPath::sequence(vec![70000, 80000]);
        let merged = old.merge_as4(&as4);
        assert_eq!(
            merged
                .segments
                .iter()
                .flat_map(|s| s.asns.clone())
                .collect::<Vec<_>>(),
            [100, 70000, 80000]
        );
        // AS4_PATH longer than AS_PATH: ignored
        let short = AsPath::sequence(vec![AS_TRANS]);
        assert_eq!(short.merge_as4(&as4), short);
    }
}
