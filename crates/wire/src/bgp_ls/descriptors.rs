//! The TLVs of a BGP-LS NLRI (RFC 9552 section 5.2): after the protocol ID
//! and identifier, the local and remote node descriptors (256, 257, with
//! their sub-TLVs of section 5.2.1.4), link descriptors (258-263, section
//! 5.2.2), prefix descriptors (263-265, section 5.2.3) and the SRv6 SID
//! information (518, RFC 9514 section 6.1).
//!
//! [`LsNlriDescriptors::decode`] reads them for the NLRI types this crate
//! knows (node 1, link 2, IPv4 / IPv6 prefix 3 / 4, SRv6 SID 6); an NLRI of
//! another type has no descriptors, and one whose TLVs do not parse gives
//! an [`LsError`] (the renderings show its bytes). Validation per RFC 9552
//! section 8.2.2 is `nlri::bgpls`'s.

use super::{ip, tlv, tlvs, LsError, OrValue};
use crate::codec::Reader;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The IGP Router-ID node descriptor sub-TLV (515, RFC 9552 5.2.1.4),
/// whose form the protocol ID tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IgpRouterId {
    /// IS-IS (protocol 1, 2): the 6-octet system ID, and the pseudonode
    /// octet of a 7-octet value.
    Isis {
        system_id: [u8; 6],
        pseudonode: Option<u8>,
    },
    /// OSPF (protocol 3, 6, and the 5 and 227 ExaBGP 5.0.15 reads alike):
    /// the router ID, and for a pseudonode (8 octets) the designated
    /// router's interface address.
    Ospf {
        router_id: Ipv4Addr,
        designated_router: Option<Ipv4Addr>,
    },
    /// Any other length or protocol, as received.
    Other(Vec<u8>),
}

impl IgpRouterId {
    fn decode(protocol: u8, b: &[u8]) -> IgpRouterId {
        let v4 = |x: &[u8]| Ipv4Addr::new(x[0], x[1], x[2], x[3]);
        match (protocol, b.len()) {
            (1 | 2, 6 | 7) => IgpRouterId::Isis {
                system_id: [b[0], b[1], b[2], b[3], b[4], b[5]],
                pseudonode: b.get(6).copied(),
            },
            (3 | 5 | 6 | 227, 4 | 8) => IgpRouterId::Ospf {
                router_id: v4(b),
                designated_router: b.get(4..8).map(v4),
            },
            _ => IgpRouterId::Other(b.to_vec()),
        }
    }
}

/// A node descriptor sub-TLV (RFC 9552 5.2.1.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeDescriptor {
    /// 512 Autonomous System.
    As(u32),
    /// 513 BGP-LS Identifier.
    BgpLsIdentifier(u32),
    /// 514 OSPF Area-ID.
    OspfAreaId(Ipv4Addr),
    /// 515 IGP Router-ID.
    IgpRouterId(IgpRouterId),
    /// Any other sub-TLV, as received.
    Other { kind: u16, value: Vec<u8> },
}

/// A 4-octet value of sub-TLV `t`.
fn u32_of(t: u16, b: &[u8]) -> Result<u32, LsError> {
    Ok(u32::from_be_bytes(b.try_into().or_bad(t, "not 4 octets")?))
}

fn address(t: u16, v: &[u8]) -> Result<IpAddr, LsError> {
    ip(v).or_bad(t, "an address is neither 4 nor 16 octets")
}

fn node_descriptors(v: &[u8], protocol: u8) -> Result<Vec<NodeDescriptor>, LsError> {
    tlvs(v)
        .map(|item| {
            let (t, b) = item?;
            Ok(match t {
                512 => NodeDescriptor::As(u32_of(t, b)?),
                513 => NodeDescriptor::BgpLsIdentifier(u32_of(t, b)?),
                514 => NodeDescriptor::OspfAreaId(Ipv4Addr::from(u32_of(t, b)?)),
                515 => NodeDescriptor::IgpRouterId(IgpRouterId::decode(protocol, b)),
                _ => NodeDescriptor::Other {
                    kind: t,
                    value: b.to_vec(),
                },
            })
        })
        .collect()
}

/// One TLV of a BGP-LS NLRI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NlriTlv {
    /// 256 Local Node Descriptors (RFC 9552 5.2.1.2).
    LocalNode(Vec<NodeDescriptor>),
    /// 257 Remote Node Descriptors (RFC 9552 5.2.1.3).
    RemoteNode(Vec<NodeDescriptor>),
    /// 258 Link Local/Remote Identifiers (RFC 9552 5.2.2), as received.
    LinkIdentifiers(Vec<u8>),
    /// 259 IPv4 / 261 IPv6 interface address (RFC 9552 5.2.2).
    InterfaceAddress(IpAddr),
    /// 260 IPv4 / 262 IPv6 neighbor address (RFC 9552 5.2.2).
    NeighborAddress(IpAddr),
    /// 263 Multi-Topology Identifier (RFC 9552 5.2.2.1), as received.
    MultiTopology(Vec<u8>),
    /// 264 OSPF Route Type (RFC 9552 5.2.3.1), in a prefix NLRI.
    OspfRouteType(u8),
    /// 265 IP Reachability Information (RFC 9552 5.2.3.2), in a prefix
    /// NLRI: prefix length and the address its octets give.
    IpReachability { prefix_len: u8, addr: IpAddr },
    /// 518 SRv6 SID Information (RFC 9514 6.1), in an SRv6 SID NLRI.
    Srv6Sid(IpAddr),
    /// Any other TLV, as received.
    Other { kind: u16, value: Vec<u8> },
}

/// What a BGP-LS NLRI of a known type carries after its type and length.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LsNlriDescriptors {
    /// Protocol-ID (RFC 9552 5.2, table 2).
    pub protocol: u8,
    /// Identifier (RFC 9552 5.2): the routing universe.
    pub identifier: u64,
    pub tlvs: Vec<NlriTlv>,
}

impl LsNlriDescriptors {
    /// Reads the body (after any RD) of an NLRI of type `nlri_type`; an
    /// error when a TLV overruns or does not parse (the TLV type 0 stands
    /// for a body shorter than the protocol ID and identifier).
    pub fn decode(nlri_type: u16, body: &[u8]) -> Result<LsNlriDescriptors, LsError> {
        let mut r = Reader::new(body);
        let protocol = r.u8().or_bad(0, "no protocol ID")?;
        let identifier = r.u64().or_bad(0, "no identifier")?;
        let prefix = matches!(nlri_type, 3 | 4);
        let mut out = Vec::new();
        while !r.is_empty() {
            let (t, v) = tlv(&mut r)?;
            out.push(match t {
                256 => NlriTlv::LocalNode(node_descriptors(v, protocol)?),
                257 => NlriTlv::RemoteNode(node_descriptors(v, protocol)?),
                258 => NlriTlv::LinkIdentifiers(v.to_vec()),
                259 | 261 => NlriTlv::InterfaceAddress(address(t, v)?),
                260 | 262 => NlriTlv::NeighborAddress(address(t, v)?),
                263 => NlriTlv::MultiTopology(v.to_vec()),
                264 if prefix && v.len() == 1 => NlriTlv::OspfRouteType(v[0]),
                265 if prefix => {
                    let (&prefix_len, rest) = v.split_first().or_bad(t, "no prefix length")?;
                    let mut a = [0u8; 16];
                    let width = if nlri_type == 3 { 4 } else { 16 };
                    let n = rest.len().min(width);
                    a[..n].copy_from_slice(&rest[..n]);
                    let addr = if nlri_type == 3 {
                        IpAddr::V4(Ipv4Addr::new(a[0], a[1], a[2], a[3]))
                    } else {
                        IpAddr::V6(Ipv6Addr::from(a))
                    };
                    NlriTlv::IpReachability { prefix_len, addr }
                }
                518 if nlri_type == 6 => NlriTlv::Srv6Sid(address(t, v)?),
                _ => NlriTlv::Other {
                    kind: t,
                    value: v.to_vec(),
                },
            });
        }
        Ok(LsNlriDescriptors {
            protocol,
            identifier,
            tlvs: out,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ospf_prefix_nlri_descriptors() {
        // OSPFv2, AS 65000, area 0, router 10.0.0.1; route type 1,
        // prefix 10.1.0.0/24
        let body = [
            3, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 24, 2, 0, 0, 4, 0, 0, 0xFD, 0xE8, 2, 2, 0, 4, 0, 0,
            0, 0, 2, 3, 0, 4, 10, 0, 0, 1, 1, 8, 0, 1, 1, 1, 9, 0, 4, 24, 10, 1, 0,
        ];
        let d = LsNlriDescriptors::decode(3, &body).unwrap();
        assert_eq!((d.protocol, d.identifier), (3, 0));
        assert_eq!(
            d.tlvs,
            vec![
                NlriTlv::LocalNode(vec![
                    NodeDescriptor::As(65000),
                    NodeDescriptor::OspfAreaId(Ipv4Addr::UNSPECIFIED),
                    NodeDescriptor::IgpRouterId(IgpRouterId::Ospf {
                        router_id: Ipv4Addr::new(10, 0, 0, 1),
                        designated_router: None
                    }),
                ]),
                NlriTlv::OspfRouteType(1),
                NlriTlv::IpReachability {
                    prefix_len: 24,
                    addr: "10.1.0.0".parse().unwrap()
                },
            ]
        );
        // prefix descriptors in a node NLRI are kept as received
        let node = LsNlriDescriptors::decode(1, &body).unwrap();
        assert_eq!(
            node.tlvs[1],
            NlriTlv::Other {
                kind: 264,
                value: vec![1]
            }
        );
        // an AS sub-TLV of 3 octets does not parse (before the next
        // sub-TLV, read from the AS's last octet on, would overrun TLV 256)
        let mut bad = body;
        bad[16] = 3;
        assert_eq!(
            LsNlriDescriptors::decode(3, &bad),
            Err(LsError::Value {
                kind: 512,
                what: "not 4 octets"
            })
        );
        // nor does one in an otherwise well-formed NLRI: the AS value
        // 3 octets (00 FD E8), its sub-TLV length 3 and TLV 256's 23
        let mut short: Vec<u8> = body[..17].to_vec();
        short[12] = 23;
        short[16] = 3;
        short.extend_from_slice(&body[18..]);
        assert_eq!(
            LsNlriDescriptors::decode(3, &short),
            Err(LsError::Value {
                kind: 512,
                what: "not 4 octets"
            })
        );
        // the same bytes with a sub-TLV type that takes any length parse,
        // its 3 octets as received: only the AS's width refuses them
        let mut other = short.clone();
        other[13..15].copy_from_slice(&600u16.to_be_bytes());
        let d = LsNlriDescriptors::decode(3, &other).expect("well formed");
        assert_eq!(
            d.tlvs[0],
            NlriTlv::LocalNode(vec![
                NodeDescriptor::Other {
                    kind: 600,
                    value: vec![0, 0xFD, 0xE8]
                },
                NodeDescriptor::OspfAreaId(Ipv4Addr::UNSPECIFIED),
                NodeDescriptor::IgpRouterId(IgpRouterId::Ospf {
                    router_id: Ipv4Addr::new(10, 0, 0, 1),
                    designated_router: None
                }),
            ])
        );
        // IS-IS pseudonode, OSPF pseudonode router IDs
        assert_eq!(
            IgpRouterId::decode(2, &[0, 0, 0, 0, 0, 1, 5]),
            IgpRouterId::Isis {
                system_id: [0, 0, 0, 0, 0, 1],
                pseudonode: Some(5)
            }
        );
        assert_eq!(
            IgpRouterId::decode(3, &[10, 0, 0, 1, 10, 0, 0, 2]),
            IgpRouterId::Ospf {
                router_id: Ipv4Addr::new(10, 0, 0, 1),
                designated_router: Some(Ipv4Addr::new(10, 0, 0, 2))
            }
        );
    }

    #[test]
    fn malformed_lengths() {
        let head = [2u8, 0, 0, 0, 0, 0, 0, 0, 0];
        // the TLVs of an NLRI of `nlri_type` with `tlvs` after the head
        let of = |nlri_type: u16, tlvs: &[u8]| {
            LsNlriDescriptors::decode(nlri_type, &[&head[..], tlvs].concat()).map(|d| d.tlvs)
        };
        let bad = |kind: u16, what: &'static str| LsError::Value { kind, what };
        // a body shorter than the protocol ID and identifier
        assert_eq!(
            LsNlriDescriptors::decode(1, &head[..8]),
            Err(bad(0, "no identifier"))
        );
        assert!(LsNlriDescriptors::decode(1, &[]).is_err());
        // no TLVs, and a zero-length node descriptor TLV: both decode
        assert_eq!(of(1, &[]), Ok(vec![]));
        assert_eq!(of(1, &[1, 0, 0, 0]), Ok(vec![NlriTlv::LocalNode(vec![])]));
        // a TLV header cut short, a TLV longer than the body
        assert_eq!(of(1, &[1, 0, 0]), Err(LsError::TruncatedHeader { left: 3 }));
        let over = LsError::Overrun {
            kind: 256,
            len: 5,
            left: 4,
        };
        assert_eq!(of(1, &[1, 0, 0, 5, 2, 0, 0, 0]), Err(over));
        // zero-length sub-TLVs: an AS does not decode, an unknown one does
        assert_eq!(
            of(1, &[1, 0, 0, 4, 2, 0, 0, 0]),
            Err(bad(512, "not 4 octets"))
        );
        let other = NodeDescriptor::Other {
            kind: 521,
            value: vec![],
        };
        assert_eq!(
            of(1, &[1, 0, 0, 4, 2, 9, 0, 0]),
            Ok(vec![NlriTlv::LocalNode(vec![other])])
        );
        // link descriptors: a zero-length interface address does not
        // decode, a zero-length link identifier TLV is kept as received
        let no_addr = "an address is neither 4 nor 16 octets";
        assert_eq!(of(2, &[1, 3, 0, 0]), Err(bad(259, no_addr)));
        assert_eq!(
            of(2, &[1, 2, 0, 0]),
            Ok(vec![NlriTlv::LinkIdentifiers(vec![])])
        );
        // prefix descriptors: IP reachability without its prefix length,
        // and with a prefix longer than the address (the address keeps
        // its first 4 octets, as ExaBGP reads it)
        assert_eq!(of(3, &[1, 9, 0, 0]), Err(bad(265, "no prefix length")));
        let reach = NlriTlv::IpReachability {
            prefix_len: 32,
            addr: "10.0.0.1".parse().unwrap(),
        };
        assert_eq!(of(3, &[1, 9, 0, 6, 32, 10, 0, 0, 1, 99]), Ok(vec![reach]));
        // an OSPF route type of 2 octets is kept as received
        let kept = NlriTlv::Other {
            kind: 264,
            value: vec![1, 1],
        };
        assert_eq!(of(3, &[1, 8, 0, 2, 1, 1]), Ok(vec![kept]));
    }
}
