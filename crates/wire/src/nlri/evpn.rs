//! EVPN NLRI (RFC 7432 section 7, AFI 25 SAFI 70; route type 5 from RFC
//! 9136): a route type (1 byte), a length (1 byte) and the body.
//!
//! Route types parsed for display (ExaBGP's JSON): 1 Ethernet
//! Auto-Discovery (RD, ESI, Ethernet tag, label), 2 MAC/IP Advertisement
//! (RD, ESI, tag, MAC length + MAC, IP length + IP, one or two labels),
//! 3 Inclusive Multicast Ethernet Tag (RD, tag, IP length + originating
//! router IP), 4 Ethernet Segment (RD, ESI, IP length + IP), 5 IP Prefix
//! (RD, ESI, tag, prefix length, prefix, gateway, label; addresses are 4
//! or 16 bytes by the body length). The body is kept as received (EVPN is
//! decode-only in ExaBGP: received, reported, re-encoded identically).

use super::{NlriError, RouteDistinguisher};
use crate::codec::Reader;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// An EVPN route's NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evpn {
    pub route_type: u8,
    pub body: Box<[u8]>,
}

/// Colon-separated hex; ExaBGP shows an all-zero ESI as `-`.
/// A MAC address as ExaBGP 5.0.15 prints it: upper-case hex (its ESI is
/// lower-case).
fn mac(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn esi(b: &[u8]) -> String {
    if b.len() == 10 && b.iter().all(|x| *x == 0) {
        return "-".into();
    }
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn ip_of(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3]))),
        16 => {
            let mut a = [0u8; 16];
            a.copy_from_slice(b);
            Some(IpAddr::V6(Ipv6Addr::from(a)))
        }
        _ => None,
    }
}

/// ExaBGP renders EVPN labels as `[label, raw 24-bit value]`.
fn labels(r: &mut Reader<'_>) -> Option<Value> {
    let mut v = Vec::new();
    while !r.is_empty() {
        let raw = r.u24().ok()?;
        v.push(json!([raw >> 4, raw]));
    }
    Some(Value::Array(v))
}

impl Evpn {
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

    /// The type-specific fields as ExaBGP's JSON keys, `None` when the body
    /// does not parse.
    fn parsed(&self) -> Option<Map<String, Value>> {
        let mut m = Map::new();
        let mut r = Reader::new(&self.body);
        let rd = RouteDistinguisher(r.array().ok()?);
        m.insert("rd".into(), json!(rd.to_string()));
        match self.route_type {
            1 => {
                m.insert("esi".into(), json!(esi(r.take(10).ok()?)));
                m.insert("ethernet-tag".into(), json!(r.u32().ok()?));
                m.insert("label".into(), labels(&mut r)?);
            }
            2 => {
                m.insert("esi".into(), json!(esi(r.take(10).ok()?)));
                m.insert("ethernet-tag".into(), json!(r.u32().ok()?));
                let mac_bits = r.u8().ok()?;
                if mac_bits != 48 {
                    return None;
                }
                m.insert("mac".into(), json!(mac(r.take(6).ok()?)));
                let ip_bits = r.u8().ok()?;
                let ip = r.take(usize::from(ip_bits / 8)).ok()?;
                let ip = if ip.is_empty() {
                    None
                } else {
                    Some(ip_of(ip)?)
                };
                // ExaBGP shows the first label only (label 2 is skipped)
                let mut first = Reader::new(r.take(3).ok()?);
                m.insert("label".into(), labels(&mut first)?);
                if r.left() == 3 {
                    r.take(3).ok()?;
                }
                if let Some(ip) = ip {
                    m.insert("ip".into(), json!(ip.to_string()));
                }
            }
            3 => {
                m.insert("ethernet-tag".into(), json!(r.u32().ok()?));
                let bits = r.u8().ok()?;
                let ip = ip_of(r.take(usize::from(bits / 8)).ok()?)?;
                m.insert("ip".into(), json!(ip.to_string()));
            }
            4 => {
                m.insert("esi".into(), json!(esi(r.take(10).ok()?)));
                let bits = r.u8().ok()?;
                let ip = ip_of(r.take(usize::from(bits / 8)).ok()?)?;
                m.insert("ip".into(), json!(ip.to_string()));
            }
            5 => {
                let alen = match self.body.len() {
                    34 => 4,
                    58 => 16,
                    _ => return None,
                };
                m.insert("esi".into(), json!(esi(r.take(10).ok()?)));
                m.insert("ethernet-tag".into(), json!(r.u32().ok()?));
                let plen = r.u8().ok()?;
                let prefix = ip_of(r.take(alen).ok()?)?;
                let gw = ip_of(r.take(alen).ok()?)?;
                m.insert("label".into(), labels(&mut r)?);
                m.insert("ip".into(), json!(prefix.to_string()));
                m.insert("iplen".into(), json!(plen));
                m.insert("gateway".into(), json!(gw.to_string()));
            }
            _ => return None,
        }
        r.is_empty().then_some(m)
    }

    /// ExaBGP's JSON object: `code`, `parsed`, `raw`, `name`, then the
    /// fields of the route type.
    pub fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), json!(self.route_type));
        let parsed = self.parsed();
        m.insert("parsed".into(), json!(parsed.is_some()));
        m.insert("raw".into(), json!(self.raw_hex()));
        m.insert("name".into(), json!(self.name()));
        if let Some(p) = parsed {
            m.extend(p);
        }
        Value::Object(m)
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
        let j = e.json();
        assert_eq!(j["mac"], "00:11:22:33:44:55");
        assert_eq!(j["ip"], "10.0.0.1");
        assert_eq!(j["label"], json!([[100, 1601]]));
        assert_eq!(j["parsed"], true);
        let bad = Evpn {
            route_type: 2,
            body: wire[2..20].into(),
        };
        assert_eq!(bad.json()["parsed"], false);
    }
}
