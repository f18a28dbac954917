//! The TLVs of the BGP-LS attribute (path attribute 29, RFC 9552 section
//! 5.3): node attributes (5.3.1), link attributes (5.3.2), prefix
//! attributes (5.3.3), with the segment routing TLVs of RFC 9085 and the
//! SRv6 TLVs of RFC 9514 (see [`super::sr`]).
//!
//! [`LsAttribute::decode`] reads an attribute value into [`LsAttributeTlv`]s
//! in wire order; it gives an [`LsError`] where a TLV overruns the value or
//! ExaBGP 5.0.15 refuses a TLV value (too short for its fixed fields, an
//! address neither 4 nor 16 octets, SIDs that do not parse). A TLV whose
//! type this crate knows but whose length is not the RFC's is kept as
//! [`LsAttributeTlv::Malformed`], an unknown type as
//! [`LsAttributeTlv::Unknown`]; a zero-length TLV is a value like any
//! other (empty names and lists decode, fixed fields do not). (Whether the
//! attribute is malformed per RFC 9552 section 8.2.2 is decided by
//! `attribute::attr_29_bgp_ls`.)

use super::sr::{
    SidStructure, SrAdjacency, SrCapabilities, SrLanAdjacency, SrPrefixSid, Srv6EndX,
    Srv6EndpointBehavior, Srv6Locator,
};
use super::{ip, tlvs, LsError, Number, OrValue};
use std::net::IpAddr;

/// One TLV of the BGP-LS attribute.
#[derive(Debug, Clone, PartialEq)]
pub enum LsAttributeTlv {
    /// 1024 Node Flag Bits (RFC 9552 5.3.1.1): O T E B R V, first octet.
    NodeFlags(u8),
    /// 1025 Opaque Node Attribute (RFC 9552 5.3.1.5).
    OpaqueNode(Vec<u8>),
    /// 1026 Node Name (RFC 9552 5.3.1.3).
    NodeName(Vec<u8>),
    /// 1027 IS-IS Area Identifier (RFC 9552 5.3.1.2).
    IsisAreaId(Number),
    /// 1028 IPv4 / 1029 IPv6 Router-ID of Local Node (RFC 9552 5.3.1.4,
    /// RFC 5305 / RFC 6119); `kind` is the TLV type the address came in.
    LocalTeRouterId { kind: u16, addr: IpAddr },
    /// 1030 IPv4 / 1031 IPv6 Router-ID of Remote Node (RFC 9552 5.3.2.1);
    /// `kind` is the TLV type the address came in.
    RemoteTeRouterId { kind: u16, addr: IpAddr },
    /// 1034 SR Capabilities (RFC 9085 2.1.2).
    SrCapabilities(SrCapabilities),
    /// 1035 SR Algorithm (RFC 9085 2.1.3): the algorithms as received.
    SrAlgorithms(Vec<u8>),
    /// 1038 SRv6 Capabilities (RFC 9514 3.1): flags (O-flag 0x4000).
    Srv6Capabilities(u16),
    /// 1088 Administrative group (color) (RFC 9552 5.3.2.1, RFC 5305 3.1).
    AdminGroup(Number),
    /// 1089 Maximum link bandwidth, IEEE float (RFC 5305 3.4).
    MaxLinkBandwidth(f32),
    /// 1090 Max. reservable link bandwidth (RFC 5305 3.5).
    MaxReservableBandwidth(f32),
    /// 1091 Unreserved bandwidth, one float per priority (RFC 5305 3.6).
    UnreservedBandwidth(Vec<f32>),
    /// 1092 TE Default Metric (RFC 9552 5.3.2.3).
    TeMetric(Number),
    /// 1093 Link Protection Type (RFC 5307 1.2): the capabilities octet.
    LinkProtection(u8),
    /// 1094 MPLS Protocol Mask (RFC 9552 5.3.2.2): L (LDP), R (RSVP-TE).
    MplsMask(u8),
    /// 1095 IGP Metric (RFC 9552 5.3.2.4): 1 octet (IS-IS small metric,
    /// 6 bits), 2 (OSPF) or 3 (IS-IS wide).
    IgpMetric(Number),
    /// 1096 Shared Risk Link Group (RFC 9552 5.3.2.5): 4-octet values.
    Srlg(Vec<Number>),
    /// 1097 Opaque Link Attribute (RFC 9552 5.3.2.6).
    OpaqueLink(Vec<u8>),
    /// 1098 Link Name (RFC 9552 5.3.2.7).
    LinkName(Vec<u8>),
    /// 1099 Adjacency SID (RFC 9085 2.2.1).
    SrAdjacency(SrAdjacency),
    /// 1100 LAN Adjacency SID (RFC 9085 2.2.2).
    SrLanAdjacency(SrLanAdjacency),
    /// 1106 SRv6 End.X SID, 1107 / 1108 SRv6 LAN End.X SID (RFC 9514 4).
    Srv6EndX(Srv6EndX),
    /// 1152 IGP Flags (RFC 9552 5.3.3.1): D N L P, first octet.
    IgpFlags(u8),
    /// 1153 IGP Route Tag (RFC 9552 5.3.3.2).
    RouteTags(Vec<u32>),
    /// 1154 IGP Extended Route Tag (RFC 9552 5.3.3.3).
    ExtendedRouteTags(Vec<u64>),
    /// 1155 Prefix Metric (RFC 9552 5.3.3.4).
    PrefixMetric(Number),
    /// 1156 OSPF Forwarding Address (RFC 9552 5.3.3.5).
    OspfForwardingAddress(IpAddr),
    /// 1157 Opaque Prefix Attribute (RFC 9552 5.3.3.6).
    OpaquePrefix(Vec<u8>),
    /// 1158 Prefix SID (RFC 9085 2.3.1).
    SrPrefixSid(SrPrefixSid),
    /// 1162 SRv6 Locator (RFC 9514 5.1).
    Srv6Locator(Srv6Locator),
    /// 1170 Prefix Attribute Flags (RFC 9085 2.3.2): X R N, first octet.
    PrefixAttributeFlags(u8),
    /// 1171 Source Router Identifier (RFC 9085 2.3.3).
    SourceRouterId(IpAddr),
    /// 1250 SRv6 Endpoint Behavior (RFC 9514 7.1).
    Srv6EndpointBehavior(Srv6EndpointBehavior),
    /// 1252 SRv6 SID Structure (RFC 9514 8).
    Srv6SidStructure(SidStructure),
    /// A TLV type above whose length the RFC does not allow (1093 not 2
    /// octets, 1094 not 1, 1153 / 1154 not a multiple of 4 / 8, 1100
    /// shorter than 10, 1162 shorter than 8): kept as received.
    Malformed { kind: u16, value: Vec<u8> },
    /// A TLV type this crate does not decode, kept as received.
    Unknown { kind: u16, value: Vec<u8> },
}

/// The value of a BGP-LS attribute as TLVs in wire order.
#[derive(Debug, Clone, PartialEq)]
pub struct LsAttribute {
    pub tlvs: Vec<LsAttributeTlv>,
}

fn float(t: u16, b: &[u8]) -> Result<f32, LsError> {
    Ok(f32::from_be_bytes(
        b.try_into().or_bad(t, "a bandwidth is not 4 octets")?,
    ))
}

/// The first octet of a flags TLV.
fn first(t: u16, v: &[u8]) -> Result<u8, LsError> {
    v.first().copied().or_bad(t, "no flags octet")
}

fn address(t: u16, v: &[u8]) -> Result<IpAddr, LsError> {
    ip(v).or_bad(t, "an address is neither 4 nor 16 octets")
}

/// The first two octets as a number.
fn u16_at(t: u16, v: &[u8]) -> Result<u16, LsError> {
    match v {
        [a, b, ..] => Ok(u16::from_be_bytes([*a, *b])),
        _ => Err(LsError::Value {
            kind: t,
            what: "shorter than 2 octets",
        }),
    }
}

impl LsAttributeTlv {
    /// One TLV from its type and value; an error where ExaBGP 5.0.15
    /// refuses the value.
    pub fn decode(t: u16, v: &[u8]) -> Result<LsAttributeTlv, LsError> {
        use LsAttributeTlv as T;
        Ok(match t {
            1024 => T::NodeFlags(first(t, v)?),
            1025 => T::OpaqueNode(v.to_vec()),
            1026 => T::NodeName(v.to_vec()),
            1027 => T::IsisAreaId(Number::of(v)),
            1028 | 1029 => T::LocalTeRouterId {
                kind: t,
                addr: address(t, v)?,
            },
            1030 | 1031 => T::RemoteTeRouterId {
                kind: t,
                addr: address(t, v)?,
            },
            1034 => T::SrCapabilities(SrCapabilities::decode(v)?),
            1035 => T::SrAlgorithms(v.to_vec()),
            1038 => T::Srv6Capabilities(u16_at(t, v)?),
            1088 => T::AdminGroup(Number::of(v)),
            1089 => T::MaxLinkBandwidth(float(t, v)?),
            1090 => T::MaxReservableBandwidth(float(t, v)?),
            1091 => {
                T::UnreservedBandwidth(v.chunks(4).map(|c| float(t, c)).collect::<Result<_, _>>()?)
            }
            1092 => T::TeMetric(Number::of(v)),
            1093 if v.len() == 2 => T::LinkProtection(v[0]),
            1094 if v.len() == 1 => T::MplsMask(v[0]),
            1095 => T::IgpMetric(Number::of(v)),
            1096 => T::Srlg(v.chunks(4).map(Number::of).collect()),
            1097 => T::OpaqueLink(v.to_vec()),
            1098 => T::LinkName(v.to_vec()),
            1099 => T::SrAdjacency(SrAdjacency::decode(v)?),
            1100 if v.len() >= 10 => T::SrLanAdjacency(SrLanAdjacency::decode(v)?),
            1106..=1108 => T::Srv6EndX(Srv6EndX::decode(t, v)?),
            1152 => T::IgpFlags(first(t, v)?),
            1153 if v.len() % 4 == 0 => T::RouteTags(
                v.chunks(4)
                    .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
                    .collect(),
            ),
            1154 if v.len() % 8 == 0 => {
                T::ExtendedRouteTags(v.chunks(8).map(|c| Number::of(c).value).collect())
            }
            1155 => T::PrefixMetric(Number::of(v)),
            1156 => T::OspfForwardingAddress(address(t, v)?),
            1157 => T::OpaquePrefix(v.to_vec()),
            1158 => T::SrPrefixSid(SrPrefixSid::decode(v)?),
            1162 if v.len() >= 8 => T::Srv6Locator(Srv6Locator {
                flags: v[0],
                algorithm: v[1],
                metric: u32::from_be_bytes([v[4], v[5], v[6], v[7]]),
            }),
            1170 => T::PrefixAttributeFlags(first(t, v)?),
            1171 => T::SourceRouterId(address(t, v)?),
            1250 => T::Srv6EndpointBehavior(Srv6EndpointBehavior {
                behavior: u16_at(t, v)?,
                flags: *v.get(2).or_bad(t, "no flags octet")?,
                algorithm: *v.get(3).or_bad(t, "no algorithm octet")?,
            }),
            1252 => T::Srv6SidStructure(SidStructure::decode(v)?),
            // a type above whose length the RFC does not allow
            1093 | 1094 | 1100 | 1153 | 1154 | 1162 => T::Malformed {
                kind: t,
                value: v.to_vec(),
            },
            _ => T::Unknown {
                kind: t,
                value: v.to_vec(),
            },
        })
    }
}

impl LsAttribute {
    /// Decodes an attribute value (the TLVs of RFC 9552 section 5.3); an
    /// error where a TLV overruns the value or ExaBGP 5.0.15 refuses a
    /// TLV's value (the renderings then show the attribute raw).
    pub fn decode(value: &[u8]) -> Result<LsAttribute, LsError> {
        let tlvs = tlvs(value)
            .map(|item| item.and_then(|(t, v)| LsAttributeTlv::decode(t, v)))
            .collect::<Result<_, _>>()?;
        Ok(LsAttribute { tlvs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LsAttributeTlv as T;

    #[test]
    fn node_link_prefix_tlvs() {
        // node flags, name, area, local TE router ID; then a link TLV with
        // a length RFC 5307 does not allow; then an unknown type
        let v = [
            4, 0, 0, 1, 0x80, 4, 2, 0, 2, b'r', b'1', 4, 3, 0, 3, 0x49, 0, 1, 4, 4, 0, 4, 10, 0, 0,
            1, 4, 0x45, 0, 1, 0, 0, 7, 0, 1, 0xAA,
        ];
        let a = LsAttribute::decode(&v).unwrap();
        assert_eq!(
            a.tlvs,
            vec![
                T::NodeFlags(0x80),
                T::NodeName(b"r1".to_vec()),
                T::IsisAreaId(Number {
                    value: 0x490001,
                    len: 3
                }),
                T::LocalTeRouterId {
                    kind: 1028,
                    addr: "10.0.0.1".parse().unwrap()
                },
                T::Malformed {
                    kind: 1093,
                    value: vec![0]
                },
                T::Unknown {
                    kind: 7,
                    value: vec![0xAA]
                },
            ]
        );
        // a TLV overrunning the value, and a value ExaBGP refuses
        assert_eq!(
            LsAttribute::decode(&[4, 0, 0, 9]),
            Err(LsError::Overrun {
                kind: 1024,
                len: 9,
                left: 0
            })
        );
        assert_eq!(
            LsAttribute::decode(&[4, 0, 0, 0]),
            Err(LsError::Value {
                kind: 1024,
                what: "no flags octet"
            })
        );
    }

    /// Every TLV type this module decodes, with a zero-length value: what
    /// an empty value means (ExaBGP 5.0.15 refuses the fixed fields it
    /// cannot read, keeps empty names and lists).
    #[test]
    fn zero_length_values() {
        let empty = |t: u16| LsAttributeTlv::decode(t, &[]);
        let refused = [
            1024, 1028, 1029, 1030, 1031, 1034, 1038, 1089, 1090, 1099, 1106, 1107, 1108, 1152,
            1156, 1158, 1170, 1171, 1250, 1252,
        ];
        for t in refused {
            assert!(
                matches!(empty(t), Err(LsError::Value { kind, .. }) if kind == t),
                "{t}: {:?}",
                empty(t)
            );
        }
        let zero = Number { value: 0, len: 0 };
        assert_eq!(empty(1025), Ok(T::OpaqueNode(vec![])));
        assert_eq!(empty(1026), Ok(T::NodeName(vec![])));
        assert_eq!(empty(1027), Ok(T::IsisAreaId(zero)));
        assert_eq!(empty(1035), Ok(T::SrAlgorithms(vec![])));
        assert_eq!(empty(1088), Ok(T::AdminGroup(zero)));
        assert_eq!(empty(1091), Ok(T::UnreservedBandwidth(vec![])));
        assert_eq!(empty(1092), Ok(T::TeMetric(zero)));
        assert_eq!(empty(1095), Ok(T::IgpMetric(zero)));
        assert_eq!(empty(1096), Ok(T::Srlg(vec![])));
        assert_eq!(empty(1097), Ok(T::OpaqueLink(vec![])));
        assert_eq!(empty(1098), Ok(T::LinkName(vec![])));
        assert_eq!(empty(1153), Ok(T::RouteTags(vec![])));
        assert_eq!(empty(1154), Ok(T::ExtendedRouteTags(vec![])));
        assert_eq!(empty(1155), Ok(T::PrefixMetric(zero)));
        assert_eq!(empty(1157), Ok(T::OpaquePrefix(vec![])));
        // types whose length the RFC fixes are kept as received
        for t in [1093, 1094, 1100, 1162] {
            assert_eq!(
                empty(t),
                Ok(T::Malformed {
                    kind: t,
                    value: vec![]
                })
            );
        }
        assert_eq!(
            empty(9999),
            Ok(T::Unknown {
                kind: 9999,
                value: vec![]
            })
        );
    }

    #[test]
    fn lengths_cut_short_or_overlong() {
        // a header cut short after a good TLV
        assert_eq!(
            LsAttribute::decode(&[4, 0, 0, 1, 0x80, 4, 2, 0]),
            Err(LsError::TruncatedHeader { left: 3 })
        );
        // a TLV longer than the value left
        assert_eq!(
            LsAttribute::decode(&[4, 2, 0, 3, b'r', b'1']),
            Err(LsError::Overrun {
                kind: 1026,
                len: 3,
                left: 2
            })
        );
        // fixed-size values one octet short and one octet long
        assert!(LsAttributeTlv::decode(1028, &[10, 0, 0]).is_err());
        assert!(LsAttributeTlv::decode(1028, &[10, 0, 0, 1, 0]).is_err());
        assert!(LsAttributeTlv::decode(1089, &[0x4E, 0x6E, 0x6B]).is_err());
        assert!(LsAttributeTlv::decode(1089, &[0x4E, 0x6E, 0x6B, 0x28, 0]).is_err());
        assert!(LsAttributeTlv::decode(1091, &[0; 31]).is_err());
        assert_eq!(LsAttributeTlv::decode(1091, &[0; 32]).map(|_| ()), Ok(()));
        assert!(LsAttributeTlv::decode(1250, &[0, 48, 0]).is_err());
        // lengths a rendering judges: kept with their wire length
        assert_eq!(
            LsAttributeTlv::decode(1088, &[0, 0, 5]),
            Ok(T::AdminGroup(Number { value: 5, len: 3 }))
        );
        assert_eq!(
            LsAttributeTlv::decode(1153, &[0, 0, 0, 1, 0]),
            Ok(T::Malformed {
                kind: 1153,
                value: vec![0, 0, 0, 1, 0]
            })
        );
        assert_eq!(
            LsAttributeTlv::decode(1162, &[0; 7]),
            Ok(T::Malformed {
                kind: 1162,
                value: vec![0; 7]
            })
        );
    }
}
