//! The segment routing structures of the BGP-LS attribute: SR-MPLS TLVs of
//! RFC 9085 (SR capabilities, adjacency and LAN adjacency SIDs, prefix
//! SID) and SRv6 TLVs of RFC 9514 (End.X and LAN End.X SIDs, locator,
//! endpoint behavior, SID structure), each decoded from its TLV value.
//! Every decoder returns `None` where ExaBGP 5.0.15 refuses the value (the
//! renderings then show the whole attribute raw).

use super::{tlv, Number};
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
    /// `prefix`: a prefix SID carries exactly one 4-octet index (`None`
    /// otherwise).
    pub fn decode(v_flag: bool, l_flag: bool, mut data: &[u8], prefix: bool) -> Option<SidList> {
        let mut out = SidList::default();
        while !data.is_empty() {
            if v_flag && l_flag {
                out.sids.push(Number::of(data.get(..3)?).value);
                data = &data[3..];
            } else if !v_flag && !l_flag {
                if prefix && data.len() != 4 {
                    return None;
                }
                out.sids.push(Number::of(data.get(..4)?).value);
                data = &data[4..];
            } else {
                out.undecoded = Some(data.to_vec());
                break;
            }
        }
        Some(out)
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
    pub fn decode(v: &[u8]) -> Option<SrCapabilities> {
        let flags = *v.first()?;
        let mut r = Reader::new(v.get(2..)?);
        let mut ranges = Vec::new();
        while !r.is_empty() {
            let range = r.u24().ok()?;
            let (sub_tlv, sid) = tlv(&mut r)?;
            ranges.push(SrRange {
                range,
                sub_tlv,
                sid: Number::of(sid),
            });
        }
        Some(SrCapabilities { flags, ranges })
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
    pub fn decode(v: &[u8]) -> Option<SrAdjacency> {
        let flags = *v.first()?;
        let weight = *v.get(1)?;
        let sids = SidList::decode(
            flags & 0x20 != 0,
            flags & 0x10 != 0,
            v.get(4..).unwrap_or(&[]),
            false,
        )?;
        Some(SrAdjacency {
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
    /// `None` when the SIDs do not parse; the caller checks the length
    /// (at least 10 octets).
    pub fn decode(v: &[u8]) -> Option<SrLanAdjacency> {
        let flags = *v.first()?;
        Some(SrLanAdjacency {
            flags,
            weight: *v.get(1)?,
            system_id: v.get(4..10)?.try_into().ok()?,
            sids: SidList::decode(flags & 0x20 != 0, flags & 0x10 != 0, v.get(10..)?, false)?,
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
    pub fn decode(v: &[u8]) -> Option<SrPrefixSid> {
        let flags = *v.first()?;
        Some(SrPrefixSid {
            flags,
            algorithm: *v.get(1)?,
            complete: v.len() >= 4,
            sids: SidList::decode(
                flags & 0x08 != 0,
                flags & 0x04 != 0,
                v.get(4..).unwrap_or(&[]),
                true,
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
    pub fn decode(v: &[u8]) -> Option<SidStructure> {
        Some(SidStructure {
            locator_block: *v.first()?,
            locator_node: *v.get(1)?,
            function: *v.get(2)?,
            argument: *v.get(3)?,
        })
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
    /// `None` when shorter than its fixed part, when a sub-TLV overruns it
    /// or a SID structure is shorter than 4 octets (ExaBGP discards the
    /// attribute). A remnant shorter than a sub-TLV header is ignored, as
    /// ExaBGP does.
    pub fn decode(kind: u16, v: &[u8]) -> Option<Srv6EndX> {
        let (fixed, neighbor) = match kind {
            1106 => (22, None),
            1107 => (
                28,
                Some(EndXNeighbor::IsisSystemId(v.get(6..12)?.try_into().ok()?)),
            ),
            _ => (
                26,
                Some(EndXNeighbor::OspfRouterId(Ipv4Addr::from(
                    <[u8; 4]>::try_from(v.get(6..10)?).ok()?,
                ))),
            ),
        };
        if v.len() < fixed {
            return None;
        }
        let sid = Ipv6Addr::from(<[u8; 16]>::try_from(&v[fixed - 16..fixed]).ok()?);
        let mut sub_tlvs = Vec::new();
        let mut r = Reader::new(&v[fixed..]);
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
        Some(Srv6EndX {
            kind,
            behavior: u16::from_be_bytes([v[0], v[1]]),
            flags: v[2],
            algorithm: v[3],
            weight: v[4],
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

    #[test]
    fn sid_lists() {
        // labels (V and L), indexes (neither), undecoded (one of them)
        let l = SidList::decode(true, true, &[0, 0, 1, 0, 0, 2], false).unwrap();
        assert_eq!(l.sids, vec![1, 2]);
        assert_eq!(
            SidList::decode(false, false, &[0, 0, 0, 7], true)
                .unwrap()
                .sids,
            vec![7]
        );
        assert_eq!(SidList::decode(false, false, &[0, 0, 0, 7, 1], true), None);
        let u = SidList::decode(true, false, &[1, 2], false).unwrap();
        assert_eq!(u.undecoded, Some(vec![1, 2]));
        assert_eq!(SidList::decode(true, true, &[0, 0], false), None);
    }

    #[test]
    fn endx_needs_its_fixed_part() {
        let mut v = vec![0, 48, 0x80, 0, 10, 0];
        v.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        v.extend_from_slice(&[0; 12]);
        let e = Srv6EndX::decode(1106, &v).unwrap();
        assert_eq!((e.behavior, e.flags, e.weight), (48, 0x80, 10));
        assert_eq!(e.sid, "2001:db8::".parse::<Ipv6Addr>().unwrap());
        assert_eq!(Srv6EndX::decode(1106, &v[..21]), None);
        // a short SID structure refuses the TLV
        v.extend_from_slice(&[4, 0xE4, 0, 3, 1, 2, 3]);
        assert_eq!(Srv6EndX::decode(1106, &v), None);
    }
}
