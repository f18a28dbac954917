//! EVPN NLRI (RFC 7432 section 7, AFI 25 SAFI 70; route type 5 from RFC
//! 9136): a route type (1 byte), a length (1 byte) and the body.
//!
//! Route types the api crate parses for display (ExaBGP's JSON): 1 Ethernet
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
use std::fmt;

/// An EVPN route's NLRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Evpn {
    pub route_type: u8,
    pub body: Box<[u8]>,
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
    }
}
