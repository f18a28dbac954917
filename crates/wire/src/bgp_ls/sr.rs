//! The segment routing structures of the BGP-LS attribute: SR-MPLS TLVs of
//! RFC 9085 (SR capabilities, adjacency and LAN adjacency SIDs, prefix
//! SID) and SRv6 TLVs of RFC 9514 (End.X and LAN End.X SIDs, locator,
//! endpoint behavior, SID structure), each decoded from its TLV value.
//! Every decoder returns an [`LsError`] where ExaBGP 5.0.15 refuses the
//! value (the renderings then show the whole attribute raw).

use super::{tlv, LsError, Number, OrValue};
use crate::codec::Reader;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The SIDs after an SR adjacency / prefix header (RFC 9085 2.2.1, 2.2.2,
/// 2.3.1) as ExaBGP reads them: 3-octet labels when the V and L flags are
/// both set, 4-octet indexes when neither is, otherwise the rest left
/// undecoded.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SidList {
    pub sids: Vec<u64>,
    /// What could not be read as SIDs (the V / L flags disagree).
    pub undecoded: Option<Vec<u8>>,
}

impl SidList {
    /// The SIDs of TLV `kind` (1158, a prefix SID, carries exactly one
    /// 4-octet index: an error otherwise); an error when a SID is cut
    /// short.
    pub fn decode(
        kind: u16,
        v_flag: bool,
        l_flag: bool,
        mut data: &[u8],
    ) -> Result<SidList, LsError> {
        let mut out = SidList::default();
        while !data.is_empty() {
            let width = match (v_flag, l_flag) {
                (true, true) => 3,
                (false, false) if kind == 1158 && data.len() != 4 => {
                    return Err(LsError::Value {
                        kind,
                        what: "a prefix SID index is not 4 octets",
                    })
                }
                (false, false) => 4,
                _ => {
                    out.undecoded = Some(data.to_vec());
                    break;
                }
            };
            let (sid, rest) = data
                .split_at_checked(width)
                .or_bad(kind, "a SID is cut short")?;
            out.sids.push(Number::of(sid).value);
            data = rest;
        }
        Ok(out)
    }
}

/// One SRGB range of the SR Capabilities TLV (RFC 9085 2.1.2): range size
/// (3 octets) and its SID/Label sub-TLV (RFC 9085 2.1.1: type 1161, a
/// 3-octet label or a 4-octet index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrRange {
    pub range: u32,
    /// The sub-TLV's type (1161 for SID/Label).
    pub sub_tlv: u16,
    pub sid: Number,
}

/// SR Capabilities TLV 1034 (RFC 9085 2.1.2): flags (I: MPLS IPv4, V:
/// MPLS IPv6), one reserved octet, then ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrCapabilities {
    pub flags: u8,
    pub ranges: Vec<SrRange>,
}

impl SrCapabilities {
    pub fn decode(v: &[u8]) -> Result<SrCapabilities, LsError> {
        let flags = *v.first().or_bad(1034, "no flags octet")?;
        let mut r = Reader::new(v.get(2..).or_bad(1034, "no reserved octet")?);
        let mut ranges = Vec::new();
        while !r.is_empty() {
            let range = r.u24().or_bad(1034, "a range size is cut short")?;
            let (sub_tlv, sid) = tlv(&mut r)?;
            ranges.push(SrRange {
                range,
                sub_tlv,
                sid: Number::of(sid),
            });
        }
        Ok(SrCapabilities { flags, ranges })
    }
}

/// Adjacency SID TLV 1099 (RFC 9085 2.2.1): flags (F B V L S P), weight,
/// two reserved octets, SID / label / index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrAdjacency {
    pub flags: u8,
    pub weight: u8,
    pub sids: SidList,
}

impl SrAdjacency {
    pub fn decode(v: &[u8]) -> Result<SrAdjacency, LsError> {
        let flags = *v.first().or_bad(1099, "no flags octet")?;
        let weight = *v.get(1).or_bad(1099, "no weight octet")?;
        let sids = SidList::decode(
            1099,
            flags & 0x20 != 0,
            flags & 0x10 != 0,
            v.get(4..).unwrap_or(&[]),
        )?;
        Ok(SrAdjacency {
            flags,
            weight,
            sids,
        })
    }
}

/// LAN Adjacency SID TLV 1100 (RFC 9085 2.2.2): flags, weight, two
/// reserved octets, the neighbor's IS-IS system ID (6 octets), SIDs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrLanAdjacency {
    pub flags: u8,
    pub weight: u8,
    pub system_id: [u8; 6],
    pub sids: SidList,
}

impl SrLanAdjacency {
    /// An error when shorter than its 10 fixed octets or the SIDs do not
    /// parse.
    pub fn decode(v: &[u8]) -> Result<SrLanAdjacency, LsError> {
        let (fixed, sids) = v
            .split_first_chunk::<10>()
            .or_bad(1100, "shorter than 10 octets")?;
        let flags = fixed[0];
        Ok(SrLanAdjacency {
            flags,
            weight: fixed[1],
            system_id: [fixed[4], fixed[5], fixed[6], fixed[7], fixed[8], fixed[9]],
            sids: SidList::decode(1100, flags & 0x20 != 0, flags & 0x10 != 0, sids)?,
        })
    }
}

/// Prefix SID TLV 1158 (RFC 9085 2.3.1): flags (R N P E V L), algorithm,
/// two reserved octets, SID / index / label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SrPrefixSid {
    pub flags: u8,
    pub algorithm: u8,
    /// `false` when the value stops before the reserved octets (ExaBGP's
    /// text decoder accepts that, its JSON decoder does not).
    pub complete: bool,
    pub sids: SidList,
}

impl SrPrefixSid {
    pub fn decode(v: &[u8]) -> Result<SrPrefixSid, LsError> {
        let flags = *v.first().or_bad(1158, "no flags octet")?;
        Ok(SrPrefixSid {
            flags,
            algorithm: *v.get(1).or_bad(1158, "no algorithm octet")?,
            complete: v.len() >= 4,
            sids: SidList::decode(
                1158,
                flags & 0x08 != 0,
                flags & 0x04 != 0,
                v.get(4..).unwrap_or(&[]),
            )?,
        })
    }
}

/// SRv6 SID Structure (TLV / sub-TLV 1252, RFC 9514 section 8): locator
/// block, locator node, function and argument lengths in bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SidStructure {
    pub locator_block: u8,
    pub locator_node: u8,
    pub function: u8,
    pub argument: u8,
}

impl SidStructure {
    /// The first 4 octets; an error when shorter.
    pub fn decode(v: &[u8]) -> Result<SidStructure, LsError> {
        match v {
            [b, n, f, a, ..] => Ok(SidStructure {
                locator_block: *b,
                locator_node: *n,
                function: *f,
                argument: *a,
            }),
            _ => Err(LsError::Value {
                kind: 1252,
                what: "shorter than 4 octets",
            }),
        }
    }
}

/// The neighbor of an SRv6 LAN End.X SID (RFC 9514 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndXNeighbor {
    /// TLV 1107: the IS-IS system ID.
    IsisSystemId([u8; 6]),
    /// TLV 1108: the OSPFv3 router ID.
    OspfRouterId(Ipv4Addr),
}

/// A sub-TLV of an SRv6 End.X SID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EndXSubTlv {
    /// 1252, RFC 9514 section 8.
    Structure(SidStructure),
    Other {
        kind: u16,
        value: Vec<u8>,
    },
}

/// SRv6 End.X SID (TLV 1106, RFC 9514 4.1) or LAN End.X SID (1107 IS-IS,
/// 1108 OSPFv3, RFC 9514 4.2): endpoint behavior (2), flags (B S P),
/// algorithm, weight, reserved, [neighbor], SID (16), sub-TLVs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Srv6EndX {
    /// The TLV type (1106, 1107 or 1108).
    pub kind: u16,
    pub behavior: u16,
    pub flags: u8,
    pub algorithm: u8,
    pub weight: u8,
    pub neighbor: Option<EndXNeighbor>,
    pub sid: Ipv6Addr,
    pub sub_tlvs: Vec<EndXSubTlv>,
}

impl Srv6EndX {
    /// An error when shorter than its fixed part, when a sub-TLV overruns
    /// it or a SID structure is shorter than 4 octets (ExaBGP discards the
    /// attribute). A remnant shorter than a sub-TLV header is ignored, as
    /// ExaBGP does.
    pub fn decode(kind: u16, v: &[u8]) -> Result<Srv6EndX, LsError> {
        let mut r = Reader::new(v);
        let head: [u8; 6] = r.array().or_bad(kind, "shorter than its fixed part")?;
        let neighbor = match kind {
            1106 => None,
            1107 => Some(EndXNeighbor::IsisSystemId(
                r.array().or_bad(kind, "shorter than its fixed part")?,
            )),
            _ => Some(EndXNeighbor::OspfRouterId(Ipv4Addr::from(
                r.array::<4>().or_bad(kind, "shorter than its fixed part")?,
            ))),
        };
        let sid = Ipv6Addr::from(
            r.array::<16>()
                .or_bad(kind, "shorter than its fixed part")?,
        );
        let mut sub_tlvs = Vec::new();
        while r.left() >= 4 {
            let (st, sv) = tlv(&mut r)?;
            sub_tlvs.push(if st == 1252 {
                EndXSubTlv::Structure(SidStructure::decode(sv)?)
            } else {
                EndXSubTlv::Other {
                    kind: st,
                    value: sv.to_vec(),
                }
            });
        }
        Ok(Srv6EndX {
            kind,
            behavior: u16::from_be_bytes([head[0], head[1]]),
            flags: head[2],
            algorithm: head[3],
            weight: head[4],
            neighbor,
            sid,
            sub_tlvs,
        })
    }
}

/// SRv6 Locator TLV 1162 (RFC 9514 5.1): flags (D), algorithm, two
/// reserved octets, metric (4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Srv6Locator {
    pub flags: u8,
    pub algorithm: u8,
    pub metric: u32,
}

/// SRv6 Endpoint Behavior TLV 1250 (RFC 9514 7.1): behavior (2), flags,
/// algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Srv6EndpointBehavior {
    pub behavior: u16,
    pub flags: u8,
    pub algorithm: u8,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bad(kind: u16, what: &'static str) -> LsError {
        LsError::Value { kind, what }
    }

    #[test]
    fn sid_lists() {
        // labels (V and L), indexes (neither), undecoded (one of them)
        let l = SidList::decode(1099, true, true, &[0, 0, 1, 0, 0, 2]).unwrap();
        assert_eq!(l.sids, vec![1, 2]);
        assert_eq!(
            SidList::decode(1158, false, false, &[0, 0, 0, 7])
                .unwrap()
                .sids,
            vec![7]
        );
        // a prefix SID index of 5 octets; an adjacency's second index cut
        // short; a label cut short
        assert_eq!(
            SidList::decode(1158, false, false, &[0, 0, 0, 7, 1]),
            Err(bad(1158, "a prefix SID index is not 4 octets"))
        );
        assert_eq!(
            SidList::decode(1099, false, false, &[0, 0, 0, 7, 1]),
            Err(bad(1099, "a SID is cut short"))
        );
        let u = SidList::decode(1099, true, false, &[1, 2]).unwrap();
        assert_eq!(u.undecoded, Some(vec![1, 2]));
        assert_eq!(
            SidList::decode(1099, true, true, &[0, 0]),
            Err(bad(1099, "a SID is cut short"))
        );
        // no SIDs at all
        assert_eq!(
            SidList::decode(1099, true, true, &[]),
            Ok(SidList::default())
        );
    }

    #[test]
    fn sr_tlvs_cut_short() {
        // SR capabilities: flags, reserved, range 100, SID/label sub-TLV
        // 1161 of 3 octets (label 16000)
        let caps = [0x80, 0, 0, 0, 100, 4, 0x89, 0, 3, 0, 0x3E, 0x80];
        let c = SrCapabilities::decode(&caps).unwrap();
        assert_eq!(c.ranges.len(), 1);
        assert_eq!((c.ranges[0].range, c.ranges[0].sid.value), (100, 16000));
        assert_eq!(
            SrCapabilities::decode(&caps[..11]),
            Err(LsError::Overrun {
                kind: 1161,
                len: 3,
                left: 2
            })
        );
        assert_eq!(
            SrCapabilities::decode(&caps[..4]),
            Err(bad(1034, "a range size is cut short"))
        );
        assert_eq!(
            SrCapabilities::decode(&caps[..7]),
            Err(LsError::TruncatedHeader { left: 2 })
        );
        assert_eq!(
            SrCapabilities::decode(&[]),
            Err(bad(1034, "no flags octet"))
        );
        // flags and reserved alone: no range
        assert_eq!(SrCapabilities::decode(&caps[..2]).unwrap().ranges, vec![]);
        // adjacency SID: flags only, then flags and weight (no SID)
        assert_eq!(
            SrAdjacency::decode(&[0x30]),
            Err(bad(1099, "no weight octet"))
        );
        assert!(SrAdjacency::decode(&[0x30, 10])
            .unwrap()
            .sids
            .sids
            .is_empty());
        // LAN adjacency SID: 9 octets, then 10 with a label cut short
        assert_eq!(
            SrLanAdjacency::decode(&[0; 9]),
            Err(bad(1100, "shorter than 10 octets"))
        );
        let mut lan = vec![0x30, 5, 0, 0, 0, 0, 0, 0, 0, 1];
        assert_eq!(
            SrLanAdjacency::decode(&lan).unwrap().system_id,
            [0, 0, 0, 0, 0, 1]
        );
        lan.extend_from_slice(&[0, 1]);
        assert_eq!(
            SrLanAdjacency::decode(&lan),
            Err(bad(1100, "a SID is cut short"))
        );
        assert_eq!(
            SrPrefixSid::decode(&[0x40]),
            Err(bad(1158, "no algorithm octet"))
        );
        assert!(!SrPrefixSid::decode(&[0x40, 0]).unwrap().complete);
        assert_eq!(
            SidStructure::decode(&[1, 2, 3]),
            Err(bad(1252, "shorter than 4 octets"))
        );
    }

    #[test]
    fn endx_needs_its_fixed_part() {
        let mut v = vec![0, 48, 0x80, 0, 10, 0];
        v.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        v.extend_from_slice(&[0; 12]);
        let e = Srv6EndX::decode(1106, &v).unwrap();
        assert_eq!((e.behavior, e.flags, e.weight), (48, 0x80, 10));
        assert_eq!(e.sid, "2001:db8::".parse::<Ipv6Addr>().unwrap());
        let short = bad(1106, "shorter than its fixed part");
        assert_eq!(Srv6EndX::decode(1106, &v[..21]), Err(short.clone()));
        assert_eq!(Srv6EndX::decode(1106, &[]), Err(short));
        // the LAN forms need their neighbor too (6 octets IS-IS, 4 OSPFv3)
        assert_eq!(
            Srv6EndX::decode(1107, &v),
            Err(bad(1107, "shorter than its fixed part"))
        );
        let e = Srv6EndX::decode(1108, &[&v[..6], &[10, 0, 0, 1], &v[6..]].concat()).unwrap();
        assert_eq!(
            e.neighbor,
            Some(EndXNeighbor::OspfRouterId(Ipv4Addr::new(10, 0, 0, 1)))
        );
        // a remnant shorter than a sub-TLV header is ignored
        let mut tail = v.clone();
        tail.extend_from_slice(&[4, 0xE4, 0]);
        assert_eq!(Srv6EndX::decode(1106, &tail).unwrap().sub_tlvs, vec![]);
        // a zero-length sub-TLV of another type is kept
        let mut zero = v.clone();
        zero.extend_from_slice(&[0, 9, 0, 0]);
        assert_eq!(
            Srv6EndX::decode(1106, &zero).unwrap().sub_tlvs,
            vec![EndXSubTlv::Other {
                kind: 9,
                value: vec![]
            }]
        );
        // a sub-TLV overrunning the TLV, a short SID structure
        let mut over = v.clone();
        over.extend_from_slice(&[4, 0xE4, 0, 5, 1, 2, 3, 4]);
        assert_eq!(
            Srv6EndX::decode(1106, &over),
            Err(LsError::Overrun {
                kind: 1252,
                len: 5,
                left: 4
            })
        );
        v.extend_from_slice(&[4, 0xE4, 0, 3, 1, 2, 3]);
        assert_eq!(
            Srv6EndX::decode(1106, &v),
            Err(bad(1252, "shorter than 4 octets"))
        );
    }
}
