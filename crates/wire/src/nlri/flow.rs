//! FlowSpec NLRI (RFC 8955 for IPv4, RFC 8956 for IPv6): `flow` (SAFI 133)
//! and `flow-vpn` (SAFI 134, the rule preceded by a route distinguisher).
//!
//! Wire form: a length (one byte below 240, else two bytes `0xF000 |
//! len`, at most 4095), [RD for flow-vpn], then components in strictly
//! increasing type order. Prefix components (types 1, 2) carry a length in
//! bits and the prefix bytes; IPv6 ones also an offset. Every other
//! component is a list of (operator byte, value) pairs; the operator says
//! end-of-list (0x80), AND with the previous term (0x40), the value length
//! (bits 5-4: 1, 2, 4 or 8 bytes) and, for numeric operators, lt (0x04) gt
//! (0x02) eq (0x01), for bitmask ones (tcp-flags, fragment) not (0x02) and
//! match (0x01).
//!
//! IPv6 prefix with offset: the conformance suite (ExaBGP ad2276007)
//! carries the address bytes from the start of the address, `ceil(length /
//! 8)` of them, whatever the offset (`02 80 78` + 16 bytes for
//! `::1/128/120`), where ExaBGP 5.0.15 and RFC 8956 section 3.1 carry only
//! the bits after the offset. This crate reads and writes the suite's form
//! (see qa/README.md); both are the same when the offset is 0.
//!
//! Operators and values are kept as received, so a decoded rule
//! re-encodes byte for byte. An unknown component type, a truncated
//! component, a prefix too long for its family or components out of order
//! make the NLRI malformed (RFC 8955 section 4.2), an [`NlriError`]. A
//! received rule whose length is intact is then treat-as-withdraw, one
//! whose length overruns its field a session reset (see
//! [`super::malformed`]).

use super::{NlriError, RouteDistinguisher};
use crate::codec::Reader;
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};
use std::net::{Ipv4Addr, Ipv6Addr};

mod render;

pub use render::{component_name, icmp_type_name, protocol_name, FRAGMENTS, TCP_FLAGS};

/// Component type codes (RFC 8955 section 4.2.2, RFC 8956 section 3).
pub mod kind {
    pub const DESTINATION: u8 = 1;
    pub const SOURCE: u8 = 2;
    /// IP protocol (IPv4) / next header (IPv6).
    pub const PROTOCOL: u8 = 3;
    pub const PORT: u8 = 4;
    pub const DESTINATION_PORT: u8 = 5;
    pub const SOURCE_PORT: u8 = 6;
    pub const ICMP_TYPE: u8 = 7;
    pub const ICMP_CODE: u8 = 8;
    pub const TCP_FLAGS: u8 = 9;
    pub const PACKET_LENGTH: u8 = 10;
    /// DSCP (IPv4) / traffic class (IPv6).
    pub const DSCP: u8 = 11;
    pub const FRAGMENT: u8 = 12;
    /// IPv6 only.
    pub const FLOW_LABEL: u8 = 13;
}

/// Operator bits.
pub mod op {
    pub const END: u8 = 0x80;
    pub const AND: u8 = 0x40;
    pub const LEN_MASK: u8 = 0x30;
    pub const LT: u8 = 0x04;
    pub const GT: u8 = 0x02;
    pub const EQ: u8 = 0x01;
    pub const NOT: u8 = 0x02;
    pub const MATCH: u8 = 0x01;
}

/// Largest NLRI length the two-byte form can carry.
pub const MAX_LEN: usize = 0x0FFF;

/// One (operator, value) term of a numeric or bitmask component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Term {
    /// The operator byte as on the wire (end-of-list and length bits
    /// included).
    pub op: u8,
    pub value: u64,
}

impl Term {
    /// A term with `flags` (AND, lt/gt/eq or not/match) and the shortest
    /// value length ExaBGP would use; the end-of-list bit is set by
    /// [`Component::ops`].
    pub fn new(flags: u8, value: u64) -> Term {
        let len_bits = match value {
            0..=0xFF => 0x00,
            0x100..=0xFFFF => 0x10,
            0x1_0000..=0xFFFF_FFFF => 0x20,
            _ => 0x30,
        };
        Term {
            op: (flags & !(op::END | op::LEN_MASK)) | len_bits,
            value,
        }
    }

    /// Bytes of the value (1, 2, 4 or 8).
    pub fn value_len(&self) -> usize {
        1 << ((self.op & op::LEN_MASK) >> 4)
    }
}

/// One match component of a flow rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Component {
    /// Destination (1) or source (2) IPv4 prefix; `addr` holds the prefix
    /// bytes as received (host bits kept).
    Prefix4 { kind: u8, len: u8, addr: [u8; 4] },
    /// Destination (1) or source (2) IPv6 prefix with its offset.
    Prefix6 {
        kind: u8,
        len: u8,
        offset: u8,
        addr: [u8; 16],
    },
    /// Any other component: its (operator, value) terms.
    Ops { kind: u8, terms: Vec<Term> },
}

impl Component {
    /// A numeric or bitmask component; the last term gets end-of-list.
    pub fn ops(kind: u8, mut terms: Vec<Term>) -> Component {
        let n = terms.len();
        for (i, t) in terms.iter_mut().enumerate() {
            t.op &= !op::END;
            if i + 1 == n {
                t.op |= op::END;
            }
        }
        Component::Ops { kind, terms }
    }

    pub fn prefix4(kind: u8, addr: Ipv4Addr, len: u8) -> Component {
        Component::Prefix4 {
            kind,
            len: len.min(32),
            addr: addr.octets(),
        }
    }

    pub fn prefix6(kind: u8, addr: Ipv6Addr, len: u8, offset: u8) -> Component {
        Component::Prefix6 {
            kind,
            len: len.min(128),
            offset,
            addr: addr.octets(),
        }
    }

    pub fn kind(&self) -> u8 {
        match self {
            Component::Prefix4 { kind, .. }
            | Component::Prefix6 { kind, .. }
            | Component::Ops { kind, .. } => *kind,
        }
    }

    fn encode(&self, out: &mut Vec<u8>) {
        out.push(self.kind());
        match self {
            Component::Prefix4 { len, addr, .. } => {
                out.push(*len);
                out.extend_from_slice(&addr[..usize::from(*len).div_ceil(8)]);
            }
            Component::Prefix6 {
                len, offset, addr, ..
            } => {
                out.push(*len);
                out.push(*offset);
                out.extend_from_slice(&addr[..usize::from(*len).div_ceil(8)]);
            }
            Component::Ops { terms, .. } => {
                for t in terms {
                    out.push(t.op);
                    let n = t.value_len();
                    out.extend_from_slice(&t.value.to_be_bytes()[8 - n..]);
                }
            }
        }
    }

    fn decode(afi: Afi, r: &mut Reader<'_>) -> Result<Component, NlriError> {
        let trunc = |_| NlriError::new("truncated flow component");
        let kind = r.u8().map_err(trunc)?;
        match kind {
            kind::DESTINATION | kind::SOURCE if afi == Afi::IPV6 => {
                let len = r.u8().map_err(trunc)?;
                let offset = r.u8().map_err(trunc)?;
                if len > 128 || offset > len {
                    return Err(NlriError::new(format!(
                        "flow IPv6 prefix /{len} offset {offset} invalid"
                    )));
                }
                let b = r.take(usize::from(len).div_ceil(8)).map_err(trunc)?;
                let mut addr = [0u8; 16];
                addr[..b.len()].copy_from_slice(b);
                Ok(Component::Prefix6 {
                    kind,
                    len,
                    offset,
                    addr,
                })
            }
            kind::DESTINATION | kind::SOURCE => {
                let len = r.u8().map_err(trunc)?;
                if len > 32 {
                    return Err(NlriError::new(format!("flow IPv4 prefix /{len} > 32")));
                }
                let b = r.take(usize::from(len).div_ceil(8)).map_err(trunc)?;
                let mut addr = [0u8; 4];
                addr[..b.len()].copy_from_slice(b);
                Ok(Component::Prefix4 { kind, len, addr })
            }
            3..=12 | kind::FLOW_LABEL if kind != kind::FLOW_LABEL || afi == Afi::IPV6 => {
                let mut terms = Vec::new();
                loop {
                    let o = r.u8().map_err(trunc)?;
                    let t = Term { op: o, value: 0 };
                    let b = r.take(t.value_len()).map_err(trunc)?;
                    let value = b.iter().fold(0u64, |v, x| (v << 8) | u64::from(*x));
                    terms.push(Term { op: o, value });
                    if o & op::END != 0 {
                        break;
                    }
                }
                Ok(Component::Ops { kind, terms })
            }
            _ => Err(NlriError::new(format!(
                "unknown flow component type {kind}"
            ))),
        }
    }
}

/// A FlowSpec rule (`flow` or `flow-vpn`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Flow {
    pub afi: Afi,
    /// Present exactly for `flow-vpn`.
    pub rd: Option<RouteDistinguisher>,
    /// In wire order (strictly increasing type when valid).
    pub components: Vec<Component>,
}

impl Flow {
    /// A rule from components given in any order: they are sorted by type
    /// (stable, as ExaBGP does).
    pub fn new(afi: Afi, rd: Option<RouteDistinguisher>, mut components: Vec<Component>) -> Flow {
        components.sort_by_key(Component::kind);
        Flow {
            afi,
            rd,
            components,
        }
    }

    pub fn family(&self) -> Family {
        let safi = if self.rd.is_some() {
            Safi::FLOW_VPN
        } else {
            Safi::FLOW
        };
        Family::new(self.afi, safi)
    }

    fn body(&self) -> Vec<u8> {
        let mut b = Vec::with_capacity(32);
        if let Some(rd) = &self.rd {
            b.extend_from_slice(&rd.0);
        }
        for c in &self.components {
            c.encode(&mut b);
        }
        b
    }

    /// Appends the wire form. A rule longer than 4095 bytes cannot be
    /// written; its length is clamped (the packer refuses such rules first
    /// through [`Flow::encodable`]).
    pub fn encode(&self, out: &mut Vec<u8>) {
        let b = self.body();
        let n = b.len().min(MAX_LEN);
        if n < 240 {
            out.push(n as u8);
        } else {
            out.extend_from_slice(&(0xF000 | n as u16).to_be_bytes());
        }
        out.extend_from_slice(&b[..n]);
    }

    /// Whether the rule fits the NLRI length field.
    pub fn encodable(&self) -> bool {
        self.body().len() <= MAX_LEN
    }

    pub fn wire_len(&self) -> usize {
        let n = self.body().len().min(MAX_LEN);
        n + if n < 240 { 1 } else { 2 }
    }

    /// Reads one rule of `family` (SAFI 133 or 134).
    pub fn decode(family: Family, r: &mut Reader<'_>) -> Result<Flow, NlriError> {
        let first = r
            .u8()
            .map_err(|_| NlriError::new("missing flow NLRI length"))?;
        let len = if first >= 0xF0 {
            let second = r
                .u8()
                .map_err(|_| NlriError::new("truncated flow NLRI length"))?;
            usize::from(u16::from_be_bytes([first & 0x0F, second]))
        } else {
            usize::from(first)
        };
        let mut body = r
            .sub(len)
            .map_err(|_| NlriError::new("flow NLRI overruns its field"))?;
        let rd = if family.safi == Safi::FLOW_VPN {
            Some(RouteDistinguisher(body.array().map_err(|_| {
                NlriError::new("flow-vpn NLRI shorter than its RD")
            })?))
        } else {
            None
        };
        let mut components: Vec<Component> = Vec::new();
        while !body.is_empty() {
            let c = Component::decode(family.afi, &mut body)?;
            if components.last().is_some_and(|p| p.kind() >= c.kind()) {
                return Err(NlriError::new("flow components out of order"));
            }
            components.push(c);
        }
        if components.is_empty() {
            return Err(NlriError::new("flow NLRI without component"));
        }
        Ok(Flow {
            afi: family.afi,
            rd,
            components,
        })
    }

    /// The rule's identity for a RIB: its wire bytes.
    pub fn key_bytes(&self) -> Vec<u8> {
        self.body()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conf_flow_rule_round_trips() {
        // conf-flow-redirect: destination 192.168.0.1/32 source 10.0.0.1/32
        let wire = [
            0x0C, 0x01, 0x20, 0xC0, 0xA8, 0x00, 0x01, 0x02, 0x20, 0x0A, 0x00, 0x00, 0x01,
        ];
        let mut r = Reader::new(&wire);
        let f = Flow::decode(Family::IPV4_FLOW, &mut r).unwrap();
        assert!(r.is_empty());
        let mut out = Vec::new();
        f.encode(&mut out);
        assert_eq!(out, wire);
        assert_eq!(
            f.to_string(),
            "flow destination-ipv4 192.168.0.1/32 source-ipv4 10.0.0.1/32"
        );
        let built = Flow::new(
            Afi::IPV4,
            None,
            vec![
                Component::prefix4(kind::SOURCE, "10.0.0.1".parse().unwrap(), 32),
                Component::prefix4(kind::DESTINATION, "192.168.0.1".parse().unwrap(), 32),
            ],
        );
        assert_eq!(built, f);
    }

    #[test]
    fn one_anded_term_of_two_pairs_is_bracketed() {
        // recorded from ExaBGP 5.0.15 (text event of a received UPDATE):
        // `... protocol =udp packet-length [ >=1000&<=1500 ]`
        let wire = [
            0x14, 0x01, 0x20, 0xc0, 0x00, 0x02, 0x02, 0x02, 0x10, 0x0a, 0x01, 0x03, 0x81, 0x11,
            0x0a, 0x13, 0x03, 0xe8, 0xd5, 0x05, 0xdc,
        ];
        let f = Flow::decode(Family::IPV4_FLOW, &mut Reader::new(&wire)).unwrap();
        assert_eq!(
            f.to_string(),
            "flow destination-ipv4 192.0.2.2/32 source-ipv4 10.1.0.0/16 protocol =udp \
             packet-length [ >=1000&<=1500 ]"
        );
    }

    #[test]
    fn operators_and_long_length() {
        let f = Flow::new(
            Afi::IPV4,
            None,
            vec![
                Component::ops(
                    kind::DESTINATION_PORT,
                    vec![
                        Term::new(op::GT, 8080),
                        Term::new(op::AND | op::LT, 8088),
                        Term::new(op::EQ, 3128),
                    ],
                ),
                Component::ops(kind::PROTOCOL, vec![Term::new(op::EQ, 6)]),
                Component::ops(
                    kind::TCP_FLAGS,
                    vec![
                        Term::new(0, 2),
                        Term::new(0, 4),
                        Term::new(op::AND, 1),
                        Term::new(op::AND | op::NOT | op::MATCH, 8),
                    ],
                ),
            ],
        );
        let mut out = Vec::new();
        f.encode(&mut out);
        assert_eq!(
            out,
            [
                0x16, 0x03, 0x81, 0x06, 0x05, 0x12, 0x1F, 0x90, 0x54, 0x1F, 0x98, 0x91, 0x0C, 0x38,
                0x09, 0x00, 0x02, 0x00, 0x04, 0x40, 0x01, 0xC3, 0x08
            ][..]
        );
        assert_eq!(
            f.text(None),
            "flow protocol =tcp destination-port [ >8080&<8088 =3128 ] tcp-flags [ syn rst&fin&!=push ]"
        );
        // 0xF0nn form at 240 bytes and above
        let big = Flow::new(
            Afi::IPV4,
            None,
            vec![Component::ops(
                kind::PORT,
                (0..100).map(|i| Term::new(op::EQ, 1000 + i)).collect(),
            )],
        );
        let mut out = Vec::new();
        big.encode(&mut out);
        assert_eq!(&out[..2], &[0xF1, 0x2D]);
        assert_eq!(out.len(), big.wire_len());
        let mut r = Reader::new(&out);
        assert_eq!(Flow::decode(Family::IPV4_FLOW, &mut r).unwrap(), big);
    }

    #[test]
    fn malformed() {
        let bad: [&[u8]; 6] = [
            &[0x03, 0x05, 0x01, 0x01],                   // missing end-of-list value
            &[0x04, 0x01, 0x21, 0x0A, 0x00],             // /33
            &[0x02, 0x0E, 0x81],                         // unknown type 14
            &[0x06, 0x03, 0x81, 0x06, 0x03, 0x81, 0x11], // repeated type
            &[0x00],                                     // empty rule
            &[0x02, 0x0D, 0x81],                         // flow-label on IPv4
        ];
        for b in bad {
            let mut r = Reader::new(b);
            assert!(Flow::decode(Family::IPV4_FLOW, &mut r).is_err(), "{b:02X?}");
        }
    }
}
