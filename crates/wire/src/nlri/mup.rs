//! BGP Mobile User Plane NLRI (draft-mpmz-bess-mup-safi, SAFI 85): an
//! architecture type (1 byte, 1 = 3GPP 5G), a route type (2 bytes), a
//! length (1 byte) and the route-type-specific body.
//!
//! Route types (all start with the route distinguisher):
//! 1 Interwork Segment Discovery (ISD): prefix length, prefix bytes;
//! 2 Direct Segment Discovery (DSD): address (4 or 16 bytes by AFI);
//! 3 Type 1 Session Transformed (T1ST): prefix length, prefix, TEID (4),
//!   QFI (1), endpoint length in bits, endpoint, then optionally source
//!   length and source;
//! 4 Type 2 Session Transformed (T2ST): endpoint length in bits (address
//!   bits + TEID bits), endpoint address, the TEID in the fewest bytes.
//!
//! The body is kept as received (re-encodes byte for byte); [`Mup::fields`]
//! parses it for display. Constructors build the four types ExaBGP
//! announces, with the bytes of conf-srv6-mup.

use super::{NlriError, RouteDistinguisher};
use crate::codec::Reader;
use crate::family::{Afi, Family, Safi};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Architecture type 1: 3GPP 5G.
pub const ARCH_3GPP_5G: u8 = 1;

/// Route type codes.
pub mod route_type {
    pub const ISD: u16 = 1;
    pub const DSD: u16 = 2;
    pub const T1ST: u16 = 3;
    pub const T2ST: u16 = 4;
}

/// A MUP route's NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mup {
    pub afi: Afi,
    pub arch: u8,
    pub route_type: u16,
    pub body: Box<[u8]>,
}

/// The parsed body of a known route type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MupFields {
    Isd {
        rd: RouteDistinguisher,
        prefix: IpNet,
    },
    Dsd {
        rd: RouteDistinguisher,
        ip: IpAddr,
    },
    T1st {
        rd: RouteDistinguisher,
        prefix: IpNet,
        teid: u32,
        qfi: u8,
        endpoint: Option<IpAddr>,
        source: Option<IpAddr>,
    },
    T2st {
        rd: RouteDistinguisher,
        /// Endpoint length field (address bits + TEID bits).
        endpoint_len: u8,
        endpoint: IpAddr,
        teid: u64,
    },
}

fn put_prefix(b: &mut Vec<u8>, p: &IpNet) {
    let n = usize::from(p.prefix_len()).div_ceil(8);
    b.push(p.prefix_len());
    match p.addr() {
        IpAddr::V4(a) => b.extend_from_slice(&a.octets()[..n]),
        IpAddr::V6(a) => b.extend_from_slice(&a.octets()[..n]),
    }
}

fn put_addr(b: &mut Vec<u8>, ip: IpAddr) {
    match ip {
        IpAddr::V4(a) => b.extend_from_slice(&a.octets()),
        IpAddr::V6(a) => b.extend_from_slice(&a.octets()),
    }
}

fn get_prefix(afi: Afi, r: &mut Reader<'_>) -> Option<IpNet> {
    let len = r.u8().ok()?;
    let max = if afi == Afi::IPV6 { 128 } else { 32 };
    if len > max {
        return None;
    }
    let bytes = r.take(usize::from(len).div_ceil(8)).ok()?;
    addr_from(afi, bytes).and_then(|a| IpNet::new(a, len).ok())
}

fn addr_from(afi: Afi, bytes: &[u8]) -> Option<IpAddr> {
    if afi == Afi::IPV6 {
        let mut a = [0u8; 16];
        a.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(IpAddr::V6(Ipv6Addr::from(a)))
    } else {
        let mut a = [0u8; 4];
        a.get_mut(..bytes.len())?.copy_from_slice(bytes);
        Some(IpAddr::V4(Ipv4Addr::from(a)))
    }
}

fn ip_afi(ip: IpAddr) -> Afi {
    match ip {
        IpAddr::V4(_) => Afi::IPV4,
        IpAddr::V6(_) => Afi::IPV6,
    }
}

impl Mup {
    fn build(afi: Afi, route_type: u16, body: Vec<u8>) -> Mup {
        Mup {
            afi,
            arch: ARCH_3GPP_5G,
            route_type,
            body: body.into(),
        }
    }

    /// Interwork Segment Discovery route.
    pub fn isd(rd: RouteDistinguisher, prefix: IpNet) -> Mup {
        let afi = ip_afi(prefix.addr());
        let mut b = rd.0.to_vec();
        put_prefix(&mut b, &prefix);
        Mup::build(afi, route_type::ISD, b)
    }

    /// Direct Segment Discovery route.
    pub fn dsd(rd: RouteDistinguisher, ip: IpAddr) -> Mup {
        let mut b = rd.0.to_vec();
        put_addr(&mut b, ip);
        Mup::build(ip_afi(ip), route_type::DSD, b)
    }

    /// Type 1 Session Transformed route.
    pub fn t1st(
        rd: RouteDistinguisher,
        prefix: IpNet,
        teid: u32,
        qfi: u8,
        endpoint: IpAddr,
        source: Option<IpAddr>,
    ) -> Mup {
        let afi = ip_afi(prefix.addr());
        let mut b = rd.0.to_vec();
        put_prefix(&mut b, &prefix);
        b.extend_from_slice(&teid.to_be_bytes());
        b.push(qfi);
        let bits = |ip: IpAddr| if ip.is_ipv6() { 128 } else { 32 };
        b.push(bits(endpoint));
        put_addr(&mut b, endpoint);
        if let Some(s) = source {
            b.push(bits(s));
            put_addr(&mut b, s);
        }
        Mup::build(afi, route_type::T1ST, b)
    }

    /// Type 2 Session Transformed route; `teid_bits` (0..=32) of `teid`
    /// follow the endpoint address.
    pub fn t2st(rd: RouteDistinguisher, endpoint: IpAddr, teid: u32, teid_bits: u8) -> Mup {
        let teid_bits = teid_bits.min(32);
        let abits: u8 = if endpoint.is_ipv6() { 128 } else { 32 };
        let mut b = rd.0.to_vec();
        b.push(abits.saturating_add(teid_bits));
        put_addr(&mut b, endpoint);
        let n = usize::from(teid_bits).div_ceil(8);
        b.extend_from_slice(&teid.to_be_bytes()[4 - n..]);
        Mup::build(ip_afi(endpoint), route_type::T2ST, b)
    }

    pub fn family(&self) -> Family {
        Family::new(self.afi, Safi::MUP)
    }

    pub fn wire_len(&self) -> usize {
        4 + self.body.len().min(255)
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.arch);
        out.extend_from_slice(&self.route_type.to_be_bytes());
        let n = self.body.len().min(255);
        out.push(n as u8);
        out.extend_from_slice(&self.body[..n]);
    }

    pub fn decode(afi: Afi, r: &mut Reader<'_>) -> Result<Mup, NlriError> {
        let trunc = |_| NlriError::new("truncated MUP NLRI");
        let arch = r.u8().map_err(trunc)?;
        let route_type = r.u16().map_err(trunc)?;
        let len = r.u8().map_err(trunc)?;
        let body = r.take(usize::from(len)).map_err(trunc)?;
        Ok(Mup {
            afi,
            arch,
            route_type,
            body: body.into(),
        })
    }

    /// ExaBGP's name of the route type.
    pub fn name(&self) -> &'static str {
        match self.route_type {
            route_type::ISD => "InterworkSegmentDiscoveryRoute",
            route_type::DSD => "DirectSegmentDiscoveryRoute",
            route_type::T1ST => "Type1SessionTransformedRoute",
            route_type::T2ST => "Type2SessionTransformedRoute",
            _ => "UnknownRoute",
        }
    }

    /// The parsed body (`None` for unknown types or bodies that do not
    /// parse).
    pub fn fields(&self) -> Option<MupFields> {
        let afi = self.afi;
        let mut r = Reader::new(&self.body);
        let rd = RouteDistinguisher(r.array().ok()?);
        let f = match self.route_type {
            route_type::ISD => MupFields::Isd {
                rd,
                prefix: get_prefix(afi, &mut r)?,
            },
            route_type::DSD => {
                let n = if afi == Afi::IPV6 { 16 } else { 4 };
                MupFields::Dsd {
                    rd,
                    ip: addr_from(afi, r.take(n).ok()?)?,
                }
            }
            route_type::T1ST => {
                let prefix = get_prefix(afi, &mut r)?;
                let teid = r.u32().ok()?;
                let qfi = r.u8().ok()?;
                let ip = |r: &mut Reader<'_>| -> Option<Option<IpAddr>> {
                    let bits = r.u8().ok()?;
                    match bits {
                        0 => Some(None),
                        32 => Some(Some(IpAddr::V4(r.ipv4().ok()?))),
                        128 => Some(Some(IpAddr::V6(r.ipv6().ok()?))),
                        _ => None,
                    }
                };
                let endpoint = ip(&mut r)?;
                let source = if r.is_empty() { None } else { ip(&mut r)? };
                MupFields::T1st {
                    rd,
                    prefix,
                    teid,
                    qfi,
                    endpoint,
                    source,
                }
            }
            route_type::T2ST => {
                let endpoint_len = r.u8().ok()?;
                let abits: u8 = if afi == Afi::IPV6 { 128 } else { 32 };
                let teid_bits = endpoint_len.checked_sub(abits)?;
                if teid_bits > 32 {
                    return None;
                }
                let endpoint = addr_from(afi, r.take(usize::from(abits / 8)).ok()?)?;
                let tb = r.take(usize::from(teid_bits).div_ceil(8)).ok()?;
                let teid = tb.iter().fold(0u64, |v, x| (v << 8) | u64::from(*x));
                MupFields::T2st {
                    rd,
                    endpoint_len,
                    endpoint,
                    teid,
                }
            }
            _ => return None,
        };
        r.is_empty().then_some(f)
    }

    /// The whole NLRI in upper-case hex (ExaBGP's `raw`).
    pub fn raw_hex(&self) -> String {
        let mut v = Vec::with_capacity(self.wire_len());
        self.encode(&mut v);
        v.iter().map(|b| format!("{b:02X}")).collect()
    }
}

impl fmt::Display for Mup {
    /// ExaBGP's configuration-like text form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.fields() {
            Some(MupFields::Isd { rd, prefix }) => write!(f, "mup-isd {prefix} rd {rd}"),
            Some(MupFields::Dsd { rd, ip }) => write!(f, "mup-dsd {ip} rd {rd}"),
            Some(MupFields::T1st {
                rd,
                prefix,
                teid,
                qfi,
                endpoint,
                source,
            }) => {
                write!(f, "mup-t1st {prefix} rd {rd} teid {teid} qfi {qfi}")?;
                if let Some(e) = endpoint {
                    write!(f, " endpoint {e}")?;
                }
                if let Some(s) = source {
                    write!(f, " source {s}")?;
                }
                Ok(())
            }
            Some(MupFields::T2st {
                rd,
                endpoint_len,
                endpoint,
                teid,
            }) => {
                let abits = if endpoint.is_ipv6() { 128 } else { 32 };
                write!(
                    f,
                    "mup-t2st {endpoint} rd {rd} teid {teid}/{}",
                    endpoint_len.saturating_sub(abits)
                )
            }
            None => write!(f, "mup 0x{}", self.raw_hex()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(m: &Mup) -> String {
        m.raw_hex()
    }

    #[test]
    fn conf_srv6_mup_bytes() {
        let rd: RouteDistinguisher = "100:100".parse().unwrap();
        let isd = Mup::isd(rd, "10.0.1.0/24".parse().unwrap());
        assert_eq!(hex(&isd), "0100010C0000006400000064180A0001");
        let dsd = Mup::dsd(rd, "2001::1".parse().unwrap());
        assert_eq!(
            hex(&dsd),
            "01000218000000640000006420010000000000000000000000000001"
        );
        let t1 = Mup::t1st(
            rd,
            "192.168.0.2/32".parse().unwrap(),
            12345,
            9,
            "10.0.0.1".parse().unwrap(),
            Some("10.0.1.1".parse().unwrap()),
        );
        assert_eq!(
            hex(&t1),
            "0100031C000000640000006420C0A800020000303909200A000001200A000101"
        );
        let t2 = Mup::t2st(rd, "10.0.0.1".parse().unwrap(), 12345, 23);
        assert_eq!(hex(&t2), "010004100000006400000064370A000001003039");
        let t2 = Mup::t2st(rd, "2001::1".parse().unwrap(), 12345, 32);
        assert_eq!(
            hex(&t2),
            "0100041D0000006400000064A02001000000000000000000000000000100003039"
        );
        for m in [isd, dsd, t1, t2] {
            let mut w = Vec::new();
            m.encode(&mut w);
            let mut r = Reader::new(&w);
            let back = Mup::decode(m.afi, &mut r).unwrap();
            assert_eq!(back, m);
            assert!(back.fields().is_some(), "{m}");
        }
        let mut r = Reader::new(&[1, 0, 1, 12, 0]);
        assert!(Mup::decode(Afi::IPV4, &mut r).is_err());
    }
}
