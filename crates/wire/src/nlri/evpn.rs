//! EVPN NLRI (RFC 7432 section 7, AFI 25 SAFI 70; route type 5 from RFC
//! 9136): a route type (1 byte), a length (1 byte) and the body.
//!
//! The body is kept as received (EVPN is decode-only in ExaBGP: received,
//! reported, re-encoded identically); [`Evpn::fields`] reads it into the
//! typed [`EvpnFields`] for the route types ExaBGP 5.0.15 parses, which the
//! api crate's renderings (JSON, `show adj-rib` text) read: 1 Ethernet
//! Auto-Discovery (RFC 7432 7.1: RD, ESI, Ethernet tag, labels), 2 MAC/IP
//! Advertisement (7.2: RD, ESI, tag, MAC length + MAC, IP length + IP, one
//! or two labels), 3 Inclusive Multicast Ethernet Tag (7.3: RD, tag, IP
//! length + originating router IP), 4 Ethernet Segment (7.4: RD, ESI, IP
//! length + IP), 5 IP Prefix (RFC 9136 3.1: RD, ESI, tag, prefix length,
//! prefix, gateway, label; addresses are 4 or 16 bytes by the body
//! length).

use super::{NlriError, RouteDistinguisher};
use crate::bgp_ls::ip;
use crate::codec::Reader;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::IpAddr;

/// An EVPN route's NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evpn {
    pub route_type: u8,
    pub body: Box<[u8]>,
}

/// An Ethernet Segment Identifier (RFC 7432 section 5), 10 octets.
pub type Esi = [u8; 10];

/// The fields of an EVPN route after its RD, per route type. A label is
/// kept as its raw 3 octets (the label is the top 20 bits; ExaBGP shows
/// both).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EvpnRoute {
    /// 1 Ethernet Auto-Discovery (RFC 7432 7.1).
    EthernetAd {
        esi: Esi,
        tag: u32,
        labels: Vec<u32>,
    },
    /// 2 MAC/IP Advertisement (RFC 7432 7.2): a 48-bit MAC, the IP when
    /// its length is not 0, MPLS label 1 and the optional label 2.
    MacIp {
        esi: Esi,
        tag: u32,
        mac: [u8; 6],
        ip: Option<IpAddr>,
        label: u32,
        label2: Option<u32>,
    },
    /// 3 Inclusive Multicast Ethernet Tag (RFC 7432 7.3).
    InclusiveMulticast { tag: u32, ip: IpAddr },
    /// 4 Ethernet Segment (RFC 7432 7.4).
    EthernetSegment { esi: Esi, ip: IpAddr },
    /// 5 IP Prefix (RFC 9136 3.1).
    IpPrefix(IpPrefixRoute),
}

/// The fields of an IP Prefix route (RFC 9136 3.1): prefix and gateway of
/// one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpPrefixRoute {
    pub esi: Esi,
    pub tag: u32,
    pub prefix_len: u8,
    pub prefix: IpAddr,
    pub gateway: IpAddr,
    pub labels: Vec<u32>,
}

/// A parsed EVPN route: its RD and type-specific fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvpnFields {
    pub rd: RouteDistinguisher,
    pub route: EvpnRoute,
}

/// The labels up to the end of `r`; `None` when a remnant is shorter than
/// a label.
fn labels(r: &mut Reader<'_>) -> Option<Vec<u32>> {
    let mut v = Vec::new();
    while !r.is_empty() {
        v.push(r.u24().ok()?);
    }
    Some(v)
}

/// An IP address after its length in bits: `Some(None)` for no octet,
/// `None` when the octets are neither 4 nor 16 or cut short.
fn ip_after_length(r: &mut Reader<'_>) -> Option<Option<IpAddr>> {
    match usize::from(r.u8().ok()? / 8) {
        0 => Some(None),
        n => ip(r.take(n).ok()?).map(Some),
    }
}

impl Evpn {
    /// The route's fields, for the route types 1 to 5 as ExaBGP 5.0.15
    /// parses them; `None` for another type or a body that does not parse
    /// exactly (a MAC length other than 48, an address neither 4 nor 16
    /// octets, octets left over).
    pub fn fields(&self) -> Option<EvpnFields> {
        let mut r = Reader::new(&self.body);
        let rd = RouteDistinguisher(r.array().ok()?);
        let route = match self.route_type {
            1 => EvpnRoute::EthernetAd {
                esi: r.array().ok()?,
                tag: r.u32().ok()?,
                labels: labels(&mut r)?,
            },
            2 => {
                let esi = r.array().ok()?;
                let tag = r.u32().ok()?;
                if r.u8().ok()? != 48 {
                    return None;
                }
                let mac = r.array().ok()?;
                let ip = ip_after_length(&mut r)?;
                let label = r.u24().ok()?;
                let label2 = match r.left() {
                    3 => Some(r.u24().ok()?),
                    _ => None,
                };
                EvpnRoute::MacIp {
                    esi,
                    tag,
                    mac,
                    ip,
                    label,
                    label2,
                }
            }
            3 => EvpnRoute::InclusiveMulticast {
                tag: r.u32().ok()?,
                ip: ip_after_length(&mut r)??,
            },
            4 => EvpnRoute::EthernetSegment {
                esi: r.array().ok()?,
                ip: ip_after_length(&mut r)??,
            },
            5 => {
                let alen = match self.body.len() {
                    34 => 4,
                    58 => 16,
                    _ => return None,
                };
                EvpnRoute::IpPrefix(IpPrefixRoute {
                    esi: r.array().ok()?,
                    tag: r.u32().ok()?,
                    prefix_len: r.u8().ok()?,
                    prefix: ip(r.take(alen).ok()?)?,
                    gateway: ip(r.take(alen).ok()?)?,
                    labels: labels(&mut r)?,
                })
            }
            _ => return None,
        };
        r.is_empty().then_some(EvpnFields { rd, route })
    }

    pub fn wire_len(&self) -> usize {
        2 + self.body.len().min(255)
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.route_type);
        let n = self.body.len().min(255);
        out.push(n as u8);
        out.extend_from_slice(&self.body[..n]);
    }

    pub fn decode(r: &mut Reader<'_>) -> Result<Evpn, NlriError> {
        let trunc = |_| NlriError::new("truncated EVPN NLRI");
        let route_type = r.u8().map_err(trunc)?;
        let len = r.u8().map_err(trunc)?;
        let body = r.take(usize::from(len)).map_err(trunc)?;
        Ok(Evpn {
            route_type,
            body: body.into(),
        })
    }

    /// ExaBGP's name of the route type.
    pub fn name(&self) -> &'static str {
        match self.route_type {
            1 => "Ethernet Auto-Discovery",
            2 => "MAC/IP advertisement",
            3 => "Inclusive Multicast Ethernet Tag",
            4 => "Ethernet Segment",
            5 => "IP Prefix Advertisement",
            _ => "unknown",
        }
    }

    /// The whole NLRI in upper-case hex (ExaBGP's `raw`).
    pub fn raw_hex(&self) -> String {
        let mut v = Vec::with_capacity(self.wire_len());
        self.encode(&mut v);
        v.iter().map(|b| format!("{b:02X}")).collect()
    }

    /// The route distinguisher (every route type starts with it).
    pub fn rd(&self) -> Option<RouteDistinguisher> {
        let b: [u8; 8] = self.body.get(..8)?.try_into().ok()?;
        Some(RouteDistinguisher(b))
    }

    /// The RIB identity: RFC 7432 says which fields; the whole NLRI is a
    /// safe superset for a decode-only family.
    pub fn key_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.wire_len());
        self.encode(&mut v);
        v
    }
}

impl fmt::Display for Evpn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "evpn {} 0x{}", self.name(), self.raw_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mac_ip_route() {
        // RFC 7432 route type 2, built by hand; JSON from exabgp 5.0.15 decode
        let wire = [
            0x02, 0x28, 0x00, 0x00, 0xFD, 0xE8, 0x00, 0x00, 0x00, 0x01, 0x00, 0x11, 0x22, 0x33,
            0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0x00, 0x00, 0x00, 0x64, 0x30, 0x00, 0x11, 0x22,
            0x33, 0x44, 0x55, 0x20, 0x0A, 0x00, 0x00, 0x01, 0x00, 0x06, 0x41, 0x00, 0x07, 0xD1,
        ];
        let mut r = Reader::new(&wire);
        let e = Evpn::decode(&mut r).unwrap();
        let mut out = Vec::new();
        e.encode(&mut out);
        assert_eq!(out, wire);
        let f = e.fields().unwrap();
        assert_eq!(f.rd.to_string(), "65000:1");
        assert_eq!(
            f.route,
            EvpnRoute::MacIp {
                esi: [0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99],
                tag: 100,
                mac: [0, 0x11, 0x22, 0x33, 0x44, 0x55],
                ip: Some("10.0.0.1".parse().unwrap()),
                label: 0x641,
                label2: Some(0x7D1),
            }
        );
        // a MAC length other than 48, an octet left over, a short body
        let mut mac40 = e.body.to_vec();
        mac40[22] = 40;
        let long = [&e.body[..], &[0]].concat();
        for bad in [&mac40[..], &long, &e.body[..30]] {
            assert_eq!(route(2, bad).fields(), None, "{bad:02X?}");
        }
        // no IP (length 0), one label
        let noip = route(2, &[&e.body[..29], &[0, 0, 0x06, 0x41]].concat());
        assert!(matches!(
            noip.fields().unwrap().route,
            EvpnRoute::MacIp {
                ip: None,
                label2: None,
                ..
            }
        ));
    }

    fn route(route_type: u8, body: &[u8]) -> Evpn {
        Evpn {
            route_type,
            body: body.into(),
        }
    }

    #[test]
    fn ip_prefix_route_family_by_length() {
        // RFC 9136 type 5, IPv4: RD, ESI, tag, len 24, prefix, gateway, label
        let mut b = vec![0, 0, 0xFD, 0xE8, 0, 0, 0, 1];
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 5, 24, 10, 1, 0, 0, 10, 0, 0, 1, 0, 0x06, 0x41]);
        assert_eq!(
            route(5, &b).fields().unwrap().route,
            EvpnRoute::IpPrefix(IpPrefixRoute {
                esi: [0; 10],
                tag: 5,
                prefix_len: 24,
                prefix: "10.1.0.0".parse().unwrap(),
                gateway: "10.0.0.1".parse().unwrap(),
                labels: vec![0x641],
            })
        );
        assert_eq!(route(9, &b).fields(), None);
        b.push(0);
        assert_eq!(route(5, &b).fields(), None);
    }
}
