//! EXTENDED_COMMUNITIES (type code 16), RFC 4360, with the types of RFC 5668
//! (4-octet AS), RFC 7153 (registry), RFC 8955 / RFC 5575 / RFC 7674
//! (FlowSpec actions), RFC 4761 (Layer2 Info), RFC 9012 (encapsulation),
//! draft-ietf-idr-link-bandwidth and draft-mpmz-bess-mup-safi (MUP).
//!
//! > The Extended Communities Attribute is a transitive optional BGP
//! > attribute, with the Type Code 16. The attribute consists of a set of
//! > "extended communities". [...] Each Extended Community is encoded as an
//! > 8-octet quantity: Type (1 or 2 octets), Value (6 or 7 octets).
//!
//! An [`ExtendedCommunity`] is kept as its 8 bytes (every type round-trips);
//! constructors build the typed forms and [`fmt::Display`] renders them as
//! ExaBGP does (`target:65000:1`, `target:1.2.3.4:5`, `redirect:65000:1`,
//! `rate-limit:1000`, `action sample-terminal`, `mark 10`, `l2info:1:2:3:4`,
//! `encap:VXLAN`, `mup:1:2`, ...; unknown types as `0x` and 16 hex digits;
//! ExaBGP 5.0.15's quirks are kept: link bandwidth renders empty, the
//! IPv4-admin origin prints its number first, the 4-byte redirect is raw).
//! Flags 0xC0; sorted on the wire. RFC 7606 section 7.14: a length of 0 or
//! not a multiple of 8 is handled by "treat-as-withdraw".

use super::AttrError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

/// One extended community, its 8 wire bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExtendedCommunity(pub [u8; 8]);

/// Sub-types shared by the three "administrator" type families.
pub mod subtype {
    pub const ROUTE_TARGET: u8 = 0x02;
    pub const ROUTE_ORIGIN: u8 = 0x03;
    pub const LINK_BANDWIDTH: u8 = 0x04;
    pub const TRAFFIC_RATE: u8 = 0x06;
    pub const TRAFFIC_ACTION: u8 = 0x07;
    pub const REDIRECT: u8 = 0x08;
    pub const TRAFFIC_MARK: u8 = 0x09;
    pub const L2INFO: u8 = 0x0A;
    pub const ENCAPSULATION: u8 = 0x0C;
}

impl ExtendedCommunity {
    /// Type + sub-type + 2-byte admin + 4-byte value (types 0x00, 0x40).
    fn two(t: u8, st: u8, admin: u16, value: u32) -> ExtendedCommunity {
        let mut b = [t, st, 0, 0, 0, 0, 0, 0];
        b[2..4].copy_from_slice(&admin.to_be_bytes());
        b[4..8].copy_from_slice(&value.to_be_bytes());
        ExtendedCommunity(b)
    }

    /// Type + sub-type + 4-byte admin + 2-byte value (types 0x01, 0x02).
    fn four(t: u8, st: u8, admin: u32, value: u16) -> ExtendedCommunity {
        let mut b = [t, st, 0, 0, 0, 0, 0, 0];
        b[2..6].copy_from_slice(&admin.to_be_bytes());
        b[6..8].copy_from_slice(&value.to_be_bytes());
        ExtendedCommunity(b)
    }

    /// Route target with a 2-byte ASN (type 0x00) or, when the ASN exceeds
    /// 65535 or `force4` (the `L` suffix / `target4:`), a 4-byte ASN
    /// administrator: RFC 5668's type 0x02 (ExaBGP writes 0x01, the IPv4
    /// administrator type; [`ExtendedCommunity::reference_layout`]
    /// reproduces that for the conformance suite).
    pub fn target_asn(asn: u32, number: u32, force4: bool) -> Option<ExtendedCommunity> {
        Self::admin_asn(subtype::ROUTE_TARGET, asn, number, force4)
    }

    /// Route origin, same forms as [`ExtendedCommunity::target_asn`].
    pub fn origin_asn(asn: u32, number: u32, force4: bool) -> Option<ExtendedCommunity> {
        Self::admin_asn(subtype::ROUTE_ORIGIN, asn, number, force4)
    }

    fn admin_asn(st: u8, asn: u32, number: u32, force4: bool) -> Option<ExtendedCommunity> {
        if asn <= 0xFFFF && !force4 {
            Some(Self::two(0x00, st, asn as u16, number))
        } else {
            // RFC 5668: Four-Octet AS Specific, transitive
            Some(Self::four(0x02, st, asn, u16::try_from(number).ok()?))
        }
    }

    /// The layout ExaBGP (the reference commit and 5.0.15) gives its
    /// 4-byte-ASN route target and origin: type 0x01 (IPv4 administrator)
    /// instead of RFC 5668's 0x02, so that a peer reads `target:4200000001:7`
    /// as `250.86.234.1:7`. Only for `ferrobgp.compat.reference-extended-community`,
    /// which the conformance suite (conf-extended-attributes) needs.
    pub fn reference_layout(self) -> ExtendedCommunity {
        let mut b = self.0;
        if b[0] == 0x02 && matches!(b[1], subtype::ROUTE_TARGET | subtype::ROUTE_ORIGIN) {
            b[0] = 0x01;
        }
        ExtendedCommunity(b)
    }

    /// Route target with an IPv4 administrator (type 0x01).
    pub fn target_ip(ip: Ipv4Addr, number: u16) -> ExtendedCommunity {
        Self::four(0x01, subtype::ROUTE_TARGET, u32::from(ip), number)
    }

    /// Route origin with an IPv4 administrator (type 0x01).
    pub fn origin_ip(ip: Ipv4Addr, number: u16) -> ExtendedCommunity {
        Self::four(0x01, subtype::ROUTE_ORIGIN, u32::from(ip), number)
    }

    /// FlowSpec traffic-rate (RFC 8955 7.3): ASN and a float in bytes/s.
    pub fn traffic_rate(asn: u16, rate: f32) -> ExtendedCommunity {
        Self::two(0x80, subtype::TRAFFIC_RATE, asn, rate.to_bits())
    }

    /// FlowSpec traffic-action: sample (bit 0x02), terminal (bit 0x01).
    pub fn traffic_action(sample: bool, terminal: bool) -> ExtendedCommunity {
        let bits = (u8::from(sample) << 1) | u8::from(terminal);
        ExtendedCommunity([0x80, subtype::TRAFFIC_ACTION, 0, 0, 0, 0, 0, bits])
    }

    /// FlowSpec redirect to VRF, RFC 5575 form (2-byte ASN, type 0x80) or
    /// RFC 7674 4-byte ASN form (type 0x82) when the ASN exceeds 65535.
    pub fn redirect(asn: u32, number: u32) -> Option<ExtendedCommunity> {
        if asn <= 0xFFFF {
            Some(Self::two(0x80, subtype::REDIRECT, asn as u16, number))
        } else {
            Some(Self::four(
                0x82,
                subtype::REDIRECT,
                asn,
                u16::try_from(number).ok()?,
            ))
        }
    }

    /// FlowSpec redirect to a VRF named by an IPv4 route target (RFC
    /// 8955 section 7.4, type 0x81 sub-type 0x08).
    pub fn redirect_ip(ip: Ipv4Addr, number: u16) -> ExtendedCommunity {
        let mut b = [0x81, subtype::REDIRECT, 0, 0, 0, 0, 0, 0];
        b[2..6].copy_from_slice(&ip.octets());
        b[6..8].copy_from_slice(&number.to_be_bytes());
        ExtendedCommunity(b)
    }

    /// FlowSpec traffic-marking (DSCP).
    pub fn traffic_mark(dscp: u8) -> ExtendedCommunity {
        ExtendedCommunity([0x80, subtype::TRAFFIC_MARK, 0, 0, 0, 0, 0, dscp])
    }

    /// Redirect-to-next-hop (draft-simpson, type 0x08 sub-type 0x00); `copy`
    /// sets the copy bit.
    pub fn redirect_to_nexthop(copy: bool) -> ExtendedCommunity {
        ExtendedCommunity([0x08, 0x00, 0, 0, 0, 0, 0, u8::from(copy)])
    }

    /// Layer2 Info (RFC 4761 3.2.4): encapsulation, control flags, MTU, reserved.
    pub fn l2info(encaps: u8, control: u8, mtu: u16, reserved: u16) -> ExtendedCommunity {
        let mut b = [0x80, subtype::L2INFO, encaps, control, 0, 0, 0, 0];
        b[4..6].copy_from_slice(&mtu.to_be_bytes());
        b[6..8].copy_from_slice(&reserved.to_be_bytes());
        ExtendedCommunity(b)
    }

    /// Link bandwidth (non-transitive 0x40/0x04): ASN and a float in bytes/s.
    pub fn bandwidth(asn: u16, speed: f32) -> ExtendedCommunity {
        Self::two(0x40, subtype::LINK_BANDWIDTH, asn, speed.to_bits())
    }

    /// Encapsulation (RFC 9012, 0x03/0x0C) with a tunnel type.
    pub fn encapsulation(tunnel: u16) -> ExtendedCommunity {
        let mut b = [0x03, subtype::ENCAPSULATION, 0, 0, 0, 0, 0, 0];
        b[6..8].copy_from_slice(&tunnel.to_be_bytes());
        ExtendedCommunity(b)
    }

    /// MUP direct segment (0x0C/0x00): 2-byte and 4-byte segment ids.
    /// FlowSpec interface-set: `transitive` picks type 0x07 (else 0x47);
    /// `direction` 1 input, 2 output, 3 both; `group` keeps its low 14 bits.
    pub fn interface_set(
        transitive: bool,
        direction: u8,
        asn: u32,
        group: u16,
    ) -> ExtendedCommunity {
        let mut b = [0u8; 8];
        b[0] = if transitive { 0x07 } else { 0x47 };
        b[1] = 0x02;
        b[2..6].copy_from_slice(&asn.to_be_bytes());
        let g = (u16::from(direction & 3) << 14) | (group & 0x3FFF);
        b[6..8].copy_from_slice(&g.to_be_bytes());
        ExtendedCommunity(b)
    }

    pub fn mup(sgid2: u16, sgid4: u32) -> ExtendedCommunity {
        Self::two(0x0C, 0x00, sgid2, sgid4)
    }

    /// The 8 bytes as one big-endian integer (the `value` in ExaBGP's JSON).
    pub fn value(&self) -> u64 {
        u64::from_be_bytes(self.0)
    }

    fn u16at(&self, i: usize) -> u16 {
        u16::from_be_bytes([self.0[i], self.0[i + 1]])
    }

    fn u32at(&self, i: usize) -> u32 {
        u32::from_be_bytes([self.0[i], self.0[i + 1], self.0[i + 2], self.0[i + 3]])
    }

    fn ip_at(&self, i: usize) -> Ipv4Addr {
        Ipv4Addr::new(self.0[i], self.0[i + 1], self.0[i + 2], self.0[i + 3])
    }
}

/// ExaBGP's names for encapsulation tunnel types.
fn tunnel_name(t: u16) -> Option<&'static str> {
    Some(match t {
        0 => "Default",
        1 => "L2TPv3",
        2 => "GRE",
        7 => "IP-in-IP",
        8 => "VXLAN",
        9 => "NVGRE",
        10 => "MPLS",
        12 => "VXLAN-GPE",
        13 => "MPLS-in-UDP",
        _ => return None,
    })
}

impl fmt::Display for ExtendedCommunity {
    /// ExaBGP's rendering. Like ExaBGP, the type is looked up by its low
    /// nibble and the sub-type (the transitive / IANA bits are ignored).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.0[0] & 0x0F;
        let st = self.0[1];
        match (t, st) {
            (0x00..=0x02, subtype::ROUTE_TARGET | subtype::ROUTE_ORIGIN) => {
                self.fmt_target_origin(f, t, st)
            }
            (
                0x00,
                subtype::TRAFFIC_RATE
                | 0x0C
                | subtype::TRAFFIC_ACTION
                | subtype::REDIRECT
                | subtype::TRAFFIC_MARK,
            )
            | (0x01, subtype::REDIRECT | 0x0C)
            | (0x08, 0x00)
            | (0x07, 0x02) => self.fmt_flowspec(f, t, st),
            // ExaBGP 5.0.15 renders link bandwidth as an empty string
            (0x00, subtype::LINK_BANDWIDTH) => Ok(()),
            (0x00, subtype::L2INFO) => write!(
                f,
                "l2info:{}:{}:{}:{}",
                self.0[2],
                self.0[3],
                self.u16at(4),
                self.u16at(6)
            ),
            (0x03, subtype::ENCAPSULATION) => {
                let tt = self.u16at(6);
                match tunnel_name(tt) {
                    Some(n) => write!(f, "encap:{n}"),
                    None => write!(f, "encap:encap:UNKNOWN-{tt}"),
                }
            }
            (0x0C, 0x00) => write!(f, "mup:{}:{}", self.u16at(2), self.u32at(4)),
            _ => self.fmt_raw(f),
        }
    }
}

impl ExtendedCommunity {
    /// `0x` and the 16 hex digits: ExaBGP's form for what it does not know.
    fn fmt_raw(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:016X}", self.value())
    }

    /// Route target and route origin of the three administrator types
    /// (type `t` low nibble 0, 1, 2; sub-type `st`).
    fn fmt_target_origin(&self, f: &mut fmt::Formatter<'_>, t: u8, st: u8) -> fmt::Result {
        match (t, st) {
            (0x00, subtype::ROUTE_TARGET) => {
                write!(f, "target:{}:{}", self.u16at(2), self.u32at(4))
            }
            (0x01, subtype::ROUTE_TARGET) => {
                write!(f, "target:{}:{}", self.ip_at(2), self.u16at(6))
            }
            (0x02, subtype::ROUTE_TARGET) => {
                write!(f, "target:{}:{}", self.u32at(2), self.u16at(6))
            }
            (0x00, subtype::ROUTE_ORIGIN) => {
                write!(f, "origin:{}:{}", self.u16at(2), self.ip_at(4))
            }
            // ExaBGP prints the number first (its decoder swaps the fields):
            // `origin:7000:7.7.7.7` for 0x0103 07070707 1B58
            (0x01, subtype::ROUTE_ORIGIN) => {
                write!(f, "origin:{}:{}", self.u16at(6), self.ip_at(2))
            }
            (0x02, subtype::ROUTE_ORIGIN) => {
                write!(f, "origin:{}:{}", self.u32at(2), self.u16at(6))
            }
            _ => self.fmt_raw(f),
        }
    }

    /// The FlowSpec actions (RFC 8955, RFC 7674, redirect-to-next-hop,
    /// interface-set) of type `t` low nibble and sub-type `st`.
    fn fmt_flowspec(&self, f: &mut fmt::Formatter<'_>, t: u8, st: u8) -> fmt::Result {
        match (t, st) {
            (0x00, subtype::TRAFFIC_RATE) => {
                let rate = f32::from_bits(self.u32at(4));
                if rate.is_finite() {
                    write!(f, "rate-limit:{}", rate.trunc() as i64)
                } else {
                    self.fmt_raw(f)
                }
            }
            (0x00, 0x0C) => {
                let rate = f32::from_bits(self.u32at(4));
                if rate.is_finite() {
                    write!(f, "rate-limit:{}:packets", rate.trunc() as i64)
                } else {
                    self.fmt_raw(f)
                }
            }
            (0x00, subtype::TRAFFIC_ACTION) => {
                let bits = self.0[7];
                let mut s = Vec::new();
                if bits & 0x02 != 0 {
                    s.push("sample");
                }
                if bits & 0x01 != 0 {
                    s.push("terminal");
                }
                write!(f, "action {}", s.join("-"))
            }
            (0x00, subtype::REDIRECT) => write!(f, "redirect:{}:{}", self.u16at(2), self.u32at(4)),
            // the IPv4-address redirect (0x8108) is an empty string in 5.0.15
            (0x01, subtype::REDIRECT) => Ok(()),
            // the RFC 7674 4-byte-ASN redirect (0x82) is shown raw by ExaBGP
            (0x00, subtype::TRAFFIC_MARK) => write!(f, "mark {}", self.0[7]),
            (0x08, 0x00) => f.write_str(if self.0[7] & 1 != 0 {
                "copy-to-nexthop"
            } else {
                "redirect-to-nexthop"
            }),
            (0x01, 0x0C) => {
                if self.u16at(6) & 1 != 0 {
                    write!(f, "copy-to-nexthop-ietf {} (with copy)", self.ip_at(2))
                } else {
                    write!(f, "redirect-to-nexthop-ietf {}", self.ip_at(2))
                }
            }
            // FlowSpec interface-set (draft-ietf-idr-flowspec-interfaceset):
            // 4-byte ASN, 2 direction bits, 14-bit group id
            (0x07, 0x02) => {
                let g = self.u16at(6);
                let dir = match g >> 14 {
                    1 => "input",
                    2 => "output",
                    3 => "input-output",
                    _ => "unspecified",
                };
                write!(f, "interface-set:{dir}:{}:{}", self.u32at(2), g & 0x3FFF)
            }
            _ => self.fmt_raw(f),
        }
    }

    /// A configuration ASN: digits, with an `l` suffix asking for the
    /// 4-byte form (the flag).
    fn parse_asn(x: &str) -> Option<(u32, bool)> {
        match x.strip_suffix('l') {
            Some(n) => n.parse().ok().map(|a| (a, true)),
            None => x.parse().ok().map(|a| (a, false)),
        }
    }

    /// `kind:a:b` for a route target or origin: IPv4 administrator,
    /// ExaBGP's `ASN:IPv4` (type 0), or an ASN administrator (4-byte when
    /// it needs it or `force4`).
    fn parse_target_origin(
        kind: &str,
        a: &str,
        b: &str,
        force4: bool,
    ) -> Option<ExtendedCommunity> {
        let st = if kind == "origin" {
            subtype::ROUTE_ORIGIN
        } else {
            subtype::ROUTE_TARGET
        };
        if let Ok(ip) = a.parse::<Ipv4Addr>() {
            return Some(ExtendedCommunity::four(
                0x01,
                st,
                u32::from(ip),
                b.parse().ok()?,
            ));
        }
        let (n, l) = Self::parse_asn(a)?;
        if let Ok(ip) = b.parse::<Ipv4Addr>() {
            // ExaBGP's origin:ASN:IPv4 (type 0 with a 4-byte IPv4 value)
            return Some(ExtendedCommunity::two(
                0x00,
                st,
                u16::try_from(n).ok()?,
                u32::from(ip),
            ));
        }
        Self::admin_asn(st, n, b.parse().ok()?, force4 || l)
    }
}

impl FromStr for ExtendedCommunity {
    type Err = crate::Error;

    /// ExaBGP's configuration forms: `target:ASN:NN`, `target:IPv4:NN`,
    /// `origin:...` (also `target4:`/`origin4:` and an `L` ASN suffix for
    /// the 4-byte ASN subtype; `origin:ASN:IPv4` is ExaBGP's type-0 origin
    /// with an IPv4-looking value), a bare `A:B` meaning target,
    /// `redirect:ASN:NN`, `l2info:encaps:control:mtu:reserved`,
    /// `bandwidth:ASN:float`, `mup:A:B`, `redirect-to-nexthop`, `rate-limit:N`,
    /// `mark:N`, or raw `0x` + 16 hex digits.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || crate::Error::Parse(format!("invalid extended-community {s:?}").into());
        let lower = s.to_ascii_lowercase();
        if let Some(hex) = lower.strip_prefix("0x") {
            if hex.len() != 16 {
                return Err(err());
            }
            return u64::from_str_radix(hex, 16)
                .map(|v| ExtendedCommunity(v.to_be_bytes()))
                .map_err(|_| err());
        }
        if lower == "redirect-to-nexthop" {
            return Ok(ExtendedCommunity::redirect_to_nexthop(false));
        }
        if lower == "copy-to-nexthop" {
            return Ok(ExtendedCommunity::redirect_to_nexthop(true));
        }
        let parts: Vec<&str> = lower.split(':').collect();
        let admin = Self::parse_target_origin;
        let r = match parts.as_slice() {
            [k @ ("target" | "origin"), a, b] => admin(k, a, b, false),
            ["target4", a, b] => admin("target", a, b, true),
            ["origin4", a, b] => admin("origin", a, b, true),
            ["redirect", a, b] => {
                let (n, _) = Self::parse_asn(a).ok_or_else(err)?;
                ExtendedCommunity::redirect(n, b.parse().map_err(|_| err())?)
            }
            ["l2info", a, b, c, d] => Some(ExtendedCommunity::l2info(
                a.parse().map_err(|_| err())?,
                b.parse().map_err(|_| err())?,
                c.parse().map_err(|_| err())?,
                d.parse().map_err(|_| err())?,
            )),
            ["bandwidth", a, b] => Some(ExtendedCommunity::bandwidth(
                a.parse().map_err(|_| err())?,
                b.parse().map_err(|_| err())?,
            )),
            ["mup", a, b] => Some(ExtendedCommunity::mup(
                a.parse().map_err(|_| err())?,
                b.parse().map_err(|_| err())?,
            )),
            ["rate-limit", a] => Some(ExtendedCommunity::traffic_rate(
                0,
                a.parse().map_err(|_| err())?,
            )),
            ["mark", a] => Some(ExtendedCommunity::traffic_mark(
                a.parse().map_err(|_| err())?,
            )),
            [a, b] => admin("target", a, b, false),
            _ => None,
        };
        r.ok_or_else(err)
    }
}

/// An EXTENDED_COMMUNITIES value: sorted, duplicates kept.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize)]
pub struct ExtendedCommunities(Vec<ExtendedCommunity>);

impl ExtendedCommunities {
    pub fn new(mut v: Vec<ExtendedCommunity>) -> ExtendedCommunities {
        v.sort_unstable();
        ExtendedCommunities(v)
    }

    pub fn as_slice(&self) -> &[ExtendedCommunity] {
        &self.0
    }

    /// The set with [`ExtendedCommunity::reference_layout`] applied (and
    /// sorted again, as ExaBGP sorts the bytes it sends); `None` when that
    /// changes nothing.
    pub fn reference_layout(&self) -> Option<ExtendedCommunities> {
        let v: Vec<ExtendedCommunity> = self.0.iter().map(|c| c.reference_layout()).collect();
        (v != self.0).then(|| ExtendedCommunities::new(v))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn decode(value: &[u8]) -> Result<ExtendedCommunities, AttrError> {
        if value.is_empty() || value.len() % 8 != 0 {
            return Err(AttrError::length(value.len()));
        }
        Ok(ExtendedCommunities::new(
            value
                .chunks_exact(8)
                .map(|c| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(c);
                    ExtendedCommunity(b)
                })
                .collect(),
        ))
    }

    pub fn encode(&self, out: &mut Vec<u8>) {
        for c in &self.0 {
            out.extend_from_slice(&c.0);
        }
    }
}

impl fmt::Display for ExtendedCommunities {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        super::attr_08_communities::fmt_list(f, &self.0)
    }
}

#[cfg(test)]
#[path = "attr_16_extended_communities_tests.rs"]
mod tests;
