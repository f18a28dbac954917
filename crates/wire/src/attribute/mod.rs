//! BGP path attributes (RFC 4271 section 4.3 and 5, and the RFCs that added
//! attributes since): one file per attribute, named by type code, and the
//! attribute set [`Attributes`] that routes share.
//!
//! [`Attributes`] holds the non-MP attributes of a route, without NEXT_HOP
//! (the next hop is part of the route) and without AS4_PATH /
//! AS4_AGGREGATOR (generated and merged by the codec per RFC 6793). It is
//! comparable and hashable so that routes with identical attributes can be
//! grouped and share one set through `Arc`. [`Attributes::encode`] writes
//! the attributes in ExaBGP's order: by type code, except AS4_PATH right
//! after AS_PATH and AS4_AGGREGATOR right after AGGREGATOR; MP_UNREACH_NLRI
//! and MP_REACH_NLRI are appended after all of them by the UPDATE encoder.

pub(crate) mod attr_01_origin;
pub(crate) mod attr_02_as_path;
pub(crate) mod attr_03_next_hop;
pub(crate) mod attr_04_med;
pub(crate) mod attr_05_local_pref;
pub(crate) mod attr_06_atomic_aggregate;
pub(crate) mod attr_07_aggregator;
pub(crate) mod attr_08_communities;
pub(crate) mod attr_09_originator_id;
pub(crate) mod attr_10_cluster_list;
pub(crate) mod attr_14_mp_reach;
pub(crate) mod attr_15_mp_unreach;
pub(crate) mod attr_16_extended_communities;
pub(crate) mod attr_17_as4_path;
pub(crate) mod attr_18_as4_aggregator;
pub mod attr_25_ipv6_extended_communities;
pub(crate) mod attr_26_aigp;
pub(crate) mod attr_29_bgp_ls;
pub(crate) mod attr_32_large_communities;
pub mod attr_40_prefix_sid;
pub mod raw;

pub use attr_01_origin::Origin;
pub use attr_02_as_path::{AsPath, Segment, SegmentType, AS_TRANS};
pub use attr_07_aggregator::Aggregator;
pub use attr_08_communities::{Communities, Community};
pub use attr_14_mp_reach::MpReach;
pub use attr_15_mp_unreach::MpUnreach;
pub use attr_16_extended_communities::{ExtendedCommunities, ExtendedCommunity};
pub use attr_25_ipv6_extended_communities::{Ipv6ExtendedCommunities, Ipv6ExtendedCommunity};
pub use attr_32_large_communities::{LargeCommunities, LargeCommunity};
pub use attr_40_prefix_sid::PrefixSid;
pub use raw::RawAttribute;

use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::net::Ipv4Addr;

/// Attribute flag bits (RFC 4271 section 4.3).
pub mod flag {
    pub const OPTIONAL: u8 = 0x80;
    pub const TRANSITIVE: u8 = 0x40;
    pub const PARTIAL: u8 = 0x20;
    pub const EXTENDED_LENGTH: u8 = 0x10;
    /// Well-known (mandatory or discretionary): transitive, not optional.
    pub const WELL_KNOWN: u8 = TRANSITIVE;
    pub const OPTIONAL_TRANSITIVE: u8 = OPTIONAL | TRANSITIVE;
    pub const OPTIONAL_NON_TRANSITIVE: u8 = OPTIONAL;
}

/// Attribute type codes (IANA "BGP Path Attributes").
pub mod code {
    pub const ORIGIN: u8 = 1;
    pub const AS_PATH: u8 = 2;
    pub const NEXT_HOP: u8 = 3;
    pub const MED: u8 = 4;
    pub const LOCAL_PREF: u8 = 5;
    pub const ATOMIC_AGGREGATE: u8 = 6;
    pub const AGGREGATOR: u8 = 7;
    pub const COMMUNITIES: u8 = 8;
    pub const ORIGINATOR_ID: u8 = 9;
    pub const CLUSTER_LIST: u8 = 10;
    pub const MP_REACH_NLRI: u8 = 14;
    pub const MP_UNREACH_NLRI: u8 = 15;
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    pub const AS4_PATH: u8 = 17;
    pub const AS4_AGGREGATOR: u8 = 18;
    pub const PMSI_TUNNEL: u8 = 22;
    pub const IPV6_EXTENDED_COMMUNITIES: u8 = 25;
    pub const AIGP: u8 = 26;
    pub const BGP_LS: u8 = 29;
    pub const LARGE_COMMUNITY: u8 = 32;
    pub const PREFIX_SID: u8 = 40;
}

/// The flags this crate sends for a known attribute type (optional and
/// transitive bits only).
pub fn standard_flags(code: u8) -> Option<u8> {
    use code::*;
    Some(match code {
        ORIGIN | AS_PATH | NEXT_HOP | LOCAL_PREF | ATOMIC_AGGREGATE => flag::WELL_KNOWN,
        MED | ORIGINATOR_ID | CLUSTER_LIST | MP_REACH_NLRI | MP_UNREACH_NLRI | AIGP => {
            flag::OPTIONAL_NON_TRANSITIVE
        }
        AGGREGATOR | COMMUNITIES | EXTENDED_COMMUNITIES | AS4_PATH | AS4_AGGREGATOR
        | LARGE_COMMUNITY => flag::OPTIONAL_TRANSITIVE,
        _ => return None,
    })
}

/// Why the value of an attribute is malformed: not an error of the
/// crate's API (that is [`crate::Error`]) but the reason the UPDATE
/// decoder turns into the RFC 7606 action for the attribute type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttrError(pub Cow<'static, str>);

impl std::fmt::Display for AttrError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AttrError {
    pub fn new(reason: impl Into<Cow<'static, str>>) -> AttrError {
        AttrError(reason.into())
    }

    pub fn length(len: usize) -> AttrError {
        AttrError(Cow::Owned(format!("invalid length {len}")))
    }
}

/// Four-octet unsigned value (MED, LOCAL_PREF).
pub(crate) fn decode_u32(value: &[u8]) -> Result<u32, AttrError> {
    match value {
        [a, b, c, d] => Ok(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => Err(AttrError::length(value.len())),
    }
}

/// Writes one attribute: flags, code, length (one byte, or two with the
/// extended-length flag when the value exceeds 255 bytes), value.
#[inline]
pub fn put_attribute(out: &mut Vec<u8>, flags: u8, code: u8, value: impl FnOnce(&mut Vec<u8>)) {
    let at = out.len();
    out.extend_from_slice(&[flags, code, 0]);
    value(out);
    let len = out.len() - at - 3;
    if len > 255 {
        out[at] |= flag::EXTENDED_LENGTH;
        out.insert(at + 2, (len >> 8) as u8);
        out[at + 3] = len as u8;
    } else {
        out[at + 2] = len as u8;
    }
}

/// The non-MP path attributes of a route (see the module documentation).
/// Absent attributes are `None` / empty.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct Attributes {
    pub origin: Option<Origin>,
    pub as_path: Option<AsPath>,
    pub med: Option<u32>,
    pub local_pref: Option<u32>,
    pub atomic_aggregate: bool,
    pub aggregator: Option<Aggregator>,
    pub communities: Communities,
    pub originator_id: Option<Ipv4Addr>,
    pub cluster_list: Vec<Ipv4Addr>,
    pub extended_communities: ExtendedCommunities,
    pub aigp: Option<u64>,
    pub large_communities: LargeCommunities,
    /// Attributes without a typed field here, sorted by type code.
    pub other: Vec<RawAttribute>,
}

impl Attributes {
    /// Whether no attribute at all is set.
    pub fn is_empty(&self) -> bool {
        *self == Attributes::default()
    }

    /// Adds an attribute given as ExaBGP's generic `attribute [ 0xCODE
    /// 0xFLAGS 0xDATA ]`. As ExaBGP does, a known type code whose value
    /// parses becomes the typed attribute (`[0x04 0x80 0x00000064]` is MED
    /// 100); anything else is kept raw with its flags.
    pub fn insert_raw(&mut self, code: u8, flags: u8, value: &[u8]) {
        let typed = match code {
            code::ORIGIN => Origin::decode(value).map(|v| self.origin = Some(v)),
            code::AS_PATH => AsPath::decode(value, true).map(|v| self.as_path = Some(v)),
            code::MED => attr_04_med::decode(value).map(|v| self.med = Some(v)),
            code::LOCAL_PREF => {
                attr_05_local_pref::decode(value).map(|v| self.local_pref = Some(v))
            }
            code::ATOMIC_AGGREGATE => {
                attr_06_atomic_aggregate::decode(value).map(|_| self.atomic_aggregate = true)
            }
            code::AGGREGATOR => {
                Aggregator::decode(value, value.len() == 8).map(|v| self.aggregator = Some(v))
            }
            code::COMMUNITIES => Communities::decode(value).map(|v| self.communities = v),
            code::ORIGINATOR_ID => {
                attr_09_originator_id::decode(value).map(|v| self.originator_id = Some(v))
            }
            code::CLUSTER_LIST => {
                attr_10_cluster_list::decode(value).map(|v| self.cluster_list = v)
            }
            code::EXTENDED_COMMUNITIES => {
                ExtendedCommunities::decode(value).map(|v| self.extended_communities = v)
            }
            code::AIGP => attr_26_aigp::decode(value).map(|v| self.aigp = Some(v)),
            code::LARGE_COMMUNITY => {
                LargeCommunities::decode(value).map(|v| self.large_communities = v)
            }
            _ => Err(AttrError::new("not typed")),
        };
        if typed.is_err() {
            self.push_raw(RawAttribute::new(code, flags, value));
        }
    }

    /// Adds a raw attribute, keeping `other` sorted by type code (a raw
    /// attribute of the same code replaces the previous one).
    pub fn push_raw(&mut self, raw: RawAttribute) {
        match self.other.binary_search_by_key(&raw.code, |r| r.code) {
            Ok(i) => self.other[i] = raw,
            Err(i) => self.other.insert(i, raw),
        }
    }

    /// Whether an attribute of type `code` is present (typed or raw).
    pub fn has(&self, c: u8) -> bool {
        match c {
            code::ORIGIN => self.origin.is_some(),
            code::AS_PATH => self.as_path.is_some(),
            code::MED => self.med.is_some(),
            code::LOCAL_PREF => self.local_pref.is_some(),
            code::ATOMIC_AGGREGATE => self.atomic_aggregate,
            code::AGGREGATOR => self.aggregator.is_some(),
            code::COMMUNITIES => !self.communities.is_empty(),
            code::ORIGINATOR_ID => self.originator_id.is_some(),
            code::CLUSTER_LIST => !self.cluster_list.is_empty(),
            code::EXTENDED_COMMUNITIES => !self.extended_communities.is_empty(),
            code::AIGP => self.aigp.is_some(),
            code::LARGE_COMMUNITY => !self.large_communities.is_empty(),
            _ => self.other.iter().any(|r| r.code == c),
        }
    }

    /// Appends every attribute, in ExaBGP's order, with NEXT_HOP when
    /// `next_hop` is given. `asn4`: whether the peer takes 4-octet AS
    /// numbers; if not, ASNs above 65535 become AS_TRANS and AS4_PATH /
    /// AS4_AGGREGATOR are added right after AS_PATH / AGGREGATOR.
    pub fn encode(&self, next_hop: Option<Ipv4Addr>, asn4: bool, out: &mut Vec<u8>) {
        let mut raw = self.other.iter().peekable();
        for c in TYPED_ORDER {
            // raw attributes whose code sorts before `c`
            while let Some(r) = raw.next_if(|r| r.code < c) {
                r.encode(out);
            }
            self.encode_typed(c, next_hop, asn4, out);
        }
        for r in raw {
            r.encode(out);
        }
    }

    /// Appends the typed attribute of code `c` when it is set (see
    /// [`Attributes::encode`]).
    fn encode_typed(&self, c: u8, next_hop: Option<Ipv4Addr>, asn4: bool, out: &mut Vec<u8>) {
        use flag::*;
        match c {
            code::ORIGIN => {
                if let Some(o) = self.origin {
                    put_attribute(out, WELL_KNOWN, code::ORIGIN, |w| o.encode(w));
                }
            }
            code::AS_PATH => self.encode_as_path(asn4, out),
            code::NEXT_HOP => {
                if let Some(nh) = next_hop {
                    put_attribute(out, WELL_KNOWN, code::NEXT_HOP, |w| {
                        attr_03_next_hop::encode(nh, w)
                    });
                }
            }
            code::MED => {
                if let Some(m) = self.med {
                    put_attribute(out, OPTIONAL, code::MED, |w| attr_04_med::encode(m, w));
                }
            }
            code::LOCAL_PREF => {
                if let Some(l) = self.local_pref {
                    put_attribute(out, WELL_KNOWN, code::LOCAL_PREF, |w| {
                        attr_05_local_pref::encode(l, w)
                    });
                }
            }
            code::ATOMIC_AGGREGATE if self.atomic_aggregate => {
                put_attribute(out, WELL_KNOWN, code::ATOMIC_AGGREGATE, |_| {});
            }
            code::AGGREGATOR => self.encode_aggregator(asn4, out),
            code::COMMUNITIES if !self.communities.is_empty() => {
                put_attribute(out, OPTIONAL_TRANSITIVE, code::COMMUNITIES, |w| {
                    self.communities.encode(w)
                });
            }
            code::ORIGINATOR_ID => {
                if let Some(id) = self.originator_id {
                    put_attribute(out, OPTIONAL, code::ORIGINATOR_ID, |w| {
                        attr_09_originator_id::encode(id, w)
                    });
                }
            }
            code::CLUSTER_LIST if !self.cluster_list.is_empty() => {
                put_attribute(out, OPTIONAL, code::CLUSTER_LIST, |w| {
                    attr_10_cluster_list::encode(&self.cluster_list, w)
                });
            }
            code::EXTENDED_COMMUNITIES if !self.extended_communities.is_empty() => {
                put_attribute(out, OPTIONAL_TRANSITIVE, code::EXTENDED_COMMUNITIES, |w| {
                    self.extended_communities.encode(w)
                });
            }
            code::AIGP => {
                if let Some(m) = self.aigp {
                    put_attribute(out, OPTIONAL, code::AIGP, |w| attr_26_aigp::encode(m, w));
                }
            }
            code::LARGE_COMMUNITY if !self.large_communities.is_empty() => {
                put_attribute(out, OPTIONAL_TRANSITIVE, code::LARGE_COMMUNITY, |w| {
                    self.large_communities.encode(w)
                });
            }
            _ => {}
        }
    }

    /// AS_PATH, and AS4_PATH after it for a peer without 4-octet AS numbers.
    fn encode_as_path(&self, asn4: bool, out: &mut Vec<u8>) {
        let Some(p) = &self.as_path else {
            return;
        };
        put_attribute(out, flag::WELL_KNOWN, code::AS_PATH, |w| p.encode(asn4, w));
        // as ExaBGP: any ASN above 65535 (confederation segments
        // included) calls for AS4_PATH, sent when it has a segment left
        // once confederation segments are removed
        if !asn4 && p.needs_as4() && p.segments.iter().any(|s| !s.kind.is_confed()) {
            put_attribute(out, flag::OPTIONAL_TRANSITIVE, code::AS4_PATH, |w| {
                attr_17_as4_path::encode(p, w)
            });
        }
    }

    /// AGGREGATOR, and AS4_AGGREGATOR after it for a peer without 4-octet
    /// AS numbers when the ASN needs them.
    fn encode_aggregator(&self, asn4: bool, out: &mut Vec<u8>) {
        let Some(a) = &self.aggregator else {
            return;
        };
        put_attribute(out, flag::OPTIONAL_TRANSITIVE, code::AGGREGATOR, |w| {
            a.encode(asn4, w)
        });
        if !asn4 && a.asn > 0xFFFF {
            put_attribute(out, flag::OPTIONAL_TRANSITIVE, code::AS4_AGGREGATOR, |w| {
                attr_18_as4_aggregator::encode(a, w)
            });
        }
    }
}

/// The typed attributes in the order [`Attributes::encode`] writes them
/// (ExaBGP's: by type code; AS4_PATH / AS4_AGGREGATOR follow AS_PATH /
/// AGGREGATOR); the JSON and text renderings list them in the same order.
pub const TYPED_ORDER: [u8; 13] = [
    code::ORIGIN,
    code::AS_PATH,
    code::NEXT_HOP,
    code::MED,
    code::LOCAL_PREF,
    code::ATOMIC_AGGREGATE,
    code::AGGREGATOR,
    code::COMMUNITIES,
    code::ORIGINATOR_ID,
    code::CLUSTER_LIST,
    code::EXTENDED_COMMUNITIES,
    code::AIGP,
    code::LARGE_COMMUNITY,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_7_3_example() {
        // iBGP, ASN4: ORIGIN, AS_PATH, NEXT_HOP, MED, LOCAL_PREF, COMMUNITIES
        let a = Attributes {
            origin: Some(Origin::Igp),
            as_path: Some(AsPath::sequence(vec![65001, 65002])),
            med: Some(10),
            local_pref: Some(100),
            communities: Communities::new(vec![Community::NO_EXPORT, Community::new(65000, 1)]),
            ..Default::default()
        };
        let mut out = Vec::new();
        a.encode(Some(Ipv4Addr::new(192, 0, 2, 1)), true, &mut out);
        let hex: String = out.iter().map(|b| format!("{b:02X}")).collect();
        // spec 7.3, spaces removed
        assert_eq!(
            hex,
            "4001010040020A020200 00FDE90000FDEA400304C0000201800404000000 0A4005040000006\
             4C00808FDE80001FFFFFF01"
                .replace(' ', "")
        );
    }

    #[test]
    fn raw_interleaved_and_generic_known() {
        let mut a = Attributes::default();
        a.insert_raw(0x04, 0x80, &[0, 0, 0, 100]);
        a.insert_raw(0x99, 0x70, &[0, 0, 0, 100]);
        a.insert_raw(0x07, 0xC0, &[1, 2]);
        assert_eq!(a.med, Some(100));
        assert_eq!(a.other.len(), 2);
        a.origin = Some(Origin::Igp);
        let mut out = Vec::new();
        a.encode(None, true, &mut out);
        assert_eq!(
            out,
            [
                0x40, 1, 1, 0, 0x80, 4, 4, 0, 0, 0, 100, 0xC0, 7, 2, 1, 2, 0x70, 0x99, 0, 4, 0, 0,
                0, 100
            ]
        );
    }

    #[test]
    fn extended_length_only_above_255() {
        let mut out = Vec::new();
        put_attribute(&mut out, 0xC0, 8, |w| w.extend_from_slice(&[0; 255]));
        assert_eq!(&out[..3], [0xC0, 8, 255]);
        let mut out = Vec::new();
        put_attribute(&mut out, 0xC0, 8, |w| w.extend_from_slice(&[7; 256]));
        assert_eq!(&out[..4], [0xD0, 8, 1, 0]);
        assert_eq!(out.len(), 260);
        assert!(out[4..].iter().all(|&b| b == 7));
    }
}
