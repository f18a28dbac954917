//! MCAST-VPN NLRI (RFC 6514 section 4, SAFI 5): a route type (1 byte), a
//! length (1 byte) and the route-type-specific body.
//!
//! The body is kept as received (every route type re-encodes byte for
//! byte); the route types ExaBGP parses are read from it for display:
//! 5 Source Active A-D (RD, multicast source, group), 6 and 7 C-multicast
//! Shared Tree / Source Tree Join (RD, source AS, source or RP, group).
//! Sources and groups are a length in bits (32 or 128) then the address.
//! Constructors build those three types (the ones ExaBGP can announce).

use super::{NlriError, RouteDistinguisher};
use crate::codec::Reader;
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// Route type codes this module names.
pub mod route_type {
    pub const INTRA_AS_IPMSI_AD: u8 = 1;
    pub const INTER_AS_IPMSI_AD: u8 = 2;
    pub const SPMSI_AD: u8 = 3;
    pub const LEAF_AD: u8 = 4;
    pub const SOURCE_AD: u8 = 5;
    pub const SHARED_JOIN: u8 = 6;
    pub const SOURCE_JOIN: u8 = 7;
}

/// An MCAST-VPN route's NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mvpn {
    pub afi: Afi,
    pub route_type: u8,
    pub body: Box<[u8]>,
}

/// The fields of the route types ExaBGP parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MvpnFields {
    pub rd: RouteDistinguisher,
    /// Types 6 and 7 only.
    pub source_as: Option<u32>,
    pub source: IpAddr,
    pub group: IpAddr,
}

fn put_ip(out: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(a) => {
            out.push(32);
            out.extend_from_slice(&a.octets());
        }
        IpAddr::V6(a) => {
            out.push(128);
            out.extend_from_slice(&a.octets());
        }
    }
}

fn get_ip(r: &mut Reader<'_>) -> Option<IpAddr> {
    match r.u8().ok()? {
        32 => Some(IpAddr::V4(r.ipv4().ok()?)),
        128 => Some(IpAddr::V6(r.ipv6().ok()?)),
        _ => None,
    }
}

impl Mvpn {
    /// Source Active A-D route (type 5).
    pub fn source_ad(afi: Afi, rd: RouteDistinguisher, source: IpAddr, group: IpAddr) -> Mvpn {
        let mut b = rd.0.to_vec();
        put_ip(&mut b, source);
        put_ip(&mut b, group);
        Mvpn {
            afi,
            route_type: route_type::SOURCE_AD,
            body: b.into(),
        }
    }

    /// C-multicast route: Shared Tree Join (`shared`, type 6, `source` is
    /// the RP) or Source Tree Join (type 7).
    pub fn c_multicast(
        afi: Afi,
        shared: bool,
        rd: RouteDistinguisher,
        source_as: u32,
        source: IpAddr,
        group: IpAddr,
    ) -> Mvpn {
        let mut b = rd.0.to_vec();
        b.extend_from_slice(&source_as.to_be_bytes());
        put_ip(&mut b, source);
        put_ip(&mut b, group);
        Mvpn {
            afi,
            route_type: if shared {
                route_type::SHARED_JOIN
            } else {
                route_type::SOURCE_JOIN
            },
            body: b.into(),
        }
    }

    pub fn family(&self) -> Family {
        Family::new(self.afi, Safi::MCAST_VPN)
    }

    pub fn wire_len(&self) -> usize {
        2 + self.body.len()
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.route_type);
        out.push(self.body.len().min(255) as u8);
        out.extend_from_slice(&self.body[..self.body.len().min(255)]);
    }

    pub fn decode(afi: Afi, r: &mut Reader<'_>) -> Result<Mvpn, NlriError> {
        let trunc = |_| NlriError::new("truncated MCAST-VPN NLRI");
        let route_type = r.u8().map_err(trunc)?;
        let len = r.u8().map_err(trunc)?;
        let body = r.take(usize::from(len)).map_err(trunc)?;
        Ok(Mvpn {
            afi,
            route_type,
            body: body.into(),
        })
    }

    /// ExaBGP's name of the route type.
    pub fn name(&self) -> &'static str {
        match self.route_type {
            route_type::INTRA_AS_IPMSI_AD => "Intra-AS I-PMSI A-D route",
            route_type::INTER_AS_IPMSI_AD => "Inter-AS I-PMSI A-D route",
            route_type::SPMSI_AD => "S-PMSI A-D route",
            route_type::LEAF_AD => "Leaf A-D route",
            route_type::SOURCE_AD => "Source Active A-D Route",
            route_type::SHARED_JOIN => "C-Multicast Shared Tree Join route",
            route_type::SOURCE_JOIN => "C-Multicast Source Tree Join route",
            _ => "unknown",
        }
    }

    /// The parsed fields of types 5, 6 and 7 (`None` for other types or a
    /// body that does not parse).
    pub fn fields(&self) -> Option<MvpnFields> {
        let mut r = Reader::new(&self.body);
        let rd = RouteDistinguisher(r.array().ok()?);
        let source_as = match self.route_type {
            route_type::SOURCE_AD => None,
            route_type::SHARED_JOIN | route_type::SOURCE_JOIN => Some(r.u32().ok()?),
            _ => return None,
        };
        let source = get_ip(&mut r)?;
        let group = get_ip(&mut r)?;
        r.is_empty().then_some(MvpnFields {
            rd,
            source_as,
            source,
            group,
        })
    }
}

impl fmt::Display for Mvpn {
    /// ExaBGP's text form of the parsed types, raw hex otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.fields() {
            Some(x) => {
                let kind = match self.route_type {
                    route_type::SOURCE_AD => "source-ad",
                    route_type::SHARED_JOIN => "shared-join",
                    _ => "source-join",
                };
                let src = if self.route_type == route_type::SHARED_JOIN {
                    "rp"
                } else {
                    "source"
                };
                write!(f, "{kind} rd {} ", x.rd)?;
                if let Some(a) = x.source_as {
                    write!(f, "source-as {a} ")?;
                }
                write!(f, "{src} {} group {}", x.source, x.group)
            }
            None => {
                write!(f, "mcast-vpn type {} 0x", self.route_type)?;
                self.body.iter().try_for_each(|b| write!(f, "{b:02X}"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    #[test]
    fn api_mvpn_bytes() {
        // api-mvpn: shared-join rp 10.99.199.1 group 239.251.255.228 rd
        // 65000:99999 source-as 65000
        let wire = [
            0x06, 0x16, 0x00, 0x00, 0xFD, 0xE8, 0x00, 0x01, 0x86, 0x9F, 0x00, 0x00, 0xFD, 0xE8,
            0x20, 0x0A, 0x63, 0xC7, 0x01, 0x20, 0xEF, 0xFB, 0xFF, 0xE4,
        ];
        let m = Mvpn::c_multicast(
            Afi::IPV4,
            true,
            "65000:99999".parse().unwrap(),
            65000,
            IpAddr::V4(Ipv4Addr::new(10, 99, 199, 1)),
            IpAddr::V4(Ipv4Addr::new(239, 251, 255, 228)),
        );
        let mut out = Vec::new();
        m.encode(&mut out);
        assert_eq!(out, wire);
        let mut r = Reader::new(&wire);
        assert_eq!(Mvpn::decode(Afi::IPV4, &mut r).unwrap(), m);
        assert_eq!(m.fields().unwrap().source_as, Some(65000));
        assert_eq!(
            m.to_string(),
            "shared-join rd 65000:99999 source-as 65000 rp 10.99.199.1 group 239.251.255.228"
        );
        let v6 = Mvpn::source_ad(
            Afi::IPV6,
            "65000:99999".parse().unwrap(),
            IpAddr::V6("fd12::4".parse::<Ipv6Addr>().unwrap()),
            IpAddr::V6("ff0e::1".parse::<Ipv6Addr>().unwrap()),
        );
        assert_eq!(v6.wire_len(), 2 + 0x2A);
        let mut r = Reader::new(&[5, 10, 1]);
        assert!(Mvpn::decode(Afi::IPV4, &mut r).is_err());
    }
}
