//! IPV6_ADDRESS_SPECIFIC_EXTENDED_COMMUNITY (type 25, RFC 5701): a list
//! of 20-byte communities, each type (1), sub-type (1), global
//! administrator (an IPv6 address, 16) and local administrator (2).
//!
//! The attribute travels in [`crate::attribute::Attributes::other`] as a
//! raw attribute (its bytes are kept exactly as received); this module
//! parses and builds its value. Its rendering follows ExaBGP 5.0.15, which
//! names only the FlowSpec redirect-to-IP community (sub-type 0x0C,
//! draft-ietf-idr-flowspec-redirect-ip: `redirect-to-nexthop-ietf <ip>`,
//! `copy-to-nexthop-ietf <ip> (with copy)` when the copy bit is set) and
//! shows every other one as `0x` + its 40 upper-case hex digits.

use super::{AttrError, RawAttribute};
use std::fmt;
use std::net::Ipv6Addr;

/// The attribute type code.
pub const CODE: u8 = 25;
/// The flags it is sent with: optional, transitive.
pub const FLAGS: u8 = 0xC0;
/// Size of one community.
pub const SIZE: usize = 20;

/// Sub-types (RFC 5701, RFC 7153 registry "Transitive IPv6-Address-Specific
/// Extended Community Sub-Types").
pub mod subtype {
    /// Route Target (RFC 5701).
    pub const ROUTE_TARGET: u8 = 0x02;
    /// Route Origin (RFC 5701).
    pub const ROUTE_ORIGIN: u8 = 0x03;
    /// Flow-spec redirect to an IPv6 VRF (RFC 8956 / draft-ietf-idr-flow-spec-v6).
    pub const REDIRECT_VRF: u8 = 0x0B;
    /// Flow-spec redirect-to-IP (draft-ietf-idr-flowspec-redirect-ip).
    pub const REDIRECT_IP: u8 = 0x0C;
}

/// One IPv6 address specific extended community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv6ExtendedCommunity(pub [u8; SIZE]);

impl Ipv6ExtendedCommunity {
    /// A community from its parts (`kind` is the high type octet, 0x00 for
    /// transitive, 0x40 for non-transitive).
    pub fn new(kind: u8, subtype: u8, global: Ipv6Addr, local: u16) -> Ipv6ExtendedCommunity {
        let mut b = [0u8; SIZE];
        b[0] = kind;
        b[1] = subtype;
        b[2..18].copy_from_slice(&global.octets());
        b[18..20].copy_from_slice(&local.to_be_bytes());
        Ipv6ExtendedCommunity(b)
    }

    /// Route target `ip:n` (transitive, sub-type 0x02).
    pub fn route_target(ip: Ipv6Addr, n: u16) -> Ipv6ExtendedCommunity {
        Self::new(0x00, subtype::ROUTE_TARGET, ip, n)
    }

    /// Route origin `ip:n` (transitive, sub-type 0x03).
    pub fn route_origin(ip: Ipv6Addr, n: u16) -> Ipv6ExtendedCommunity {
        Self::new(0x00, subtype::ROUTE_ORIGIN, ip, n)
    }

    /// FlowSpec redirect-to-IP towards `ip` (copy bit = `copy`).
    pub fn redirect_to_nexthop_ietf(ip: Ipv6Addr, copy: bool) -> Ipv6ExtendedCommunity {
        Self::new(0x00, subtype::REDIRECT_IP, ip, u16::from(copy))
    }

    /// The high type octet.
    pub fn kind(&self) -> u8 {
        self.0[0]
    }

    /// The sub-type octet.
    pub fn subtype(&self) -> u8 {
        self.0[1]
    }

    /// Whether the community is transitive (bit 0x40 of the type clear).
    pub fn is_transitive(&self) -> bool {
        self.0[0] & 0x40 == 0
    }

    /// The global administrator.
    pub fn global(&self) -> Ipv6Addr {
        let mut a = [0u8; 16];
        a.copy_from_slice(&self.0[2..18]);
        Ipv6Addr::from(a)
    }

    /// The local administrator.
    pub fn local(&self) -> u16 {
        u16::from_be_bytes([self.0[18], self.0[19]])
    }

    /// The community's 20 bytes read as one unsigned big-endian integer, in
    /// decimal (ExaBGP's JSON `value`; wider than any native integer).
    pub fn value_decimal(&self) -> String {
        // repeated division by 10 of the big-endian digits (base 256)
        let mut digits = self.0.to_vec();
        let mut out = Vec::new();
        while digits.iter().any(|d| *d != 0) {
            let mut rem = 0u32;
            for d in digits.iter_mut() {
                let cur = (rem << 8) | u32::from(*d);
                *d = (cur / 10) as u8;
                rem = cur % 10;
            }
            out.push(b'0' + rem as u8);
        }
        if out.is_empty() {
            out.push(b'0');
        }
        out.reverse();
        String::from_utf8_lossy(&out).into_owned()
    }

    /// The name ExaBGP 5.0.15 gives it, when it has one (the FlowSpec
    /// redirect-to-IP sub-type, transitive or not).
    pub fn name(&self) -> Option<String> {
        (self.0[0] & 0x0F == 0 && self.0[1] == subtype::REDIRECT_IP).then(|| {
            if self.local() & 1 == 1 {
                format!("copy-to-nexthop-ietf {} (with copy)", self.global())
            } else {
                format!("redirect-to-nexthop-ietf {}", self.global())
            }
        })
    }

    /// ExaBGP's JSON `string`: the name; the hex form for the sub-types it
    /// knows without naming (0x0B redirect to VRF); empty otherwise.
    pub fn json_string(&self) -> String {
        match self.name() {
            Some(n) => n,
            None if self.0[0] & 0x0F == 0 && self.0[1] == subtype::REDIRECT_VRF => self.hex_upper(),
            None => String::new(),
        }
    }

    fn hex_upper(&self) -> String {
        let mut s = String::from("0x");
        for b in &self.0 {
            s.push_str(&format!("{b:02X}"));
        }
        s
    }
}

impl fmt::Display for Ipv6ExtendedCommunity {
    /// ExaBGP's text: the name, or `0x` + 40 upper-case hex digits.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(&n),
            None => f.write_str(&self.hex_upper()),
        }
    }
}

/// The attribute's communities, in the order received.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Ipv6ExtendedCommunities(pub Vec<Ipv6ExtendedCommunity>);

impl Ipv6ExtendedCommunities {
    /// Parses the attribute value; its length must be a multiple of 20.
    pub fn parse(value: &[u8]) -> Result<Ipv6ExtendedCommunities, AttrError> {
        if value.len() % SIZE != 0 {
            return Err(AttrError::new(format!(
                "IPv6 extended communities: length {} is not a multiple of {SIZE}",
                value.len()
            )));
        }
        Ok(Ipv6ExtendedCommunities(
            value
                .chunks_exact(SIZE)
                .map(|c| {
                    let mut b = [0u8; SIZE];
                    b.copy_from_slice(c);
                    Ipv6ExtendedCommunity(b)
                })
                .collect(),
        ))
    }

    /// The attribute value (the communities back to back).
    pub fn encode(&self, out: &mut Vec<u8>) {
        for c in &self.0 {
            out.extend_from_slice(&c.0);
        }
    }

    /// The whole attribute, ready for [`crate::attribute::Attributes::other`]
    /// (communities sorted, as ExaBGP sends them).
    pub fn to_raw(&self) -> RawAttribute {
        let mut sorted = self.0.clone();
        sorted.sort();
        let mut value = Vec::with_capacity(sorted.len() * SIZE);
        Ipv6ExtendedCommunities(sorted).encode(&mut value);
        RawAttribute::new(CODE, FLAGS, value)
    }

    /// The communities in ExaBGP's presentation order (sorted by bytes).
    pub fn sorted(&self) -> Vec<Ipv6ExtendedCommunity> {
        let mut v = self.0.clone();
        v.sort();
        v
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Ipv6ExtendedCommunities {
    /// ExaBGP's text: one community alone, several as `[ a b ]`, sorted.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v: Vec<String> = self.sorted().iter().map(|c| c.to_string()).collect();
        match v.len() {
            0 => Ok(()),
            1 => f.write_str(&v[0]),
            _ => write!(f, "[ {} ]", v.join(" ")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_is_the_160_bit_integer() {
        let c = Ipv6ExtendedCommunity::redirect_to_nexthop_ietf(
            "2a02:b80:0:1::1".parse().unwrap(),
            false,
        );
        // ExaBGP 5.0.15's JSON value for this community
        assert_eq!(
            c.value_decimal(),
            "271268354242357201462255214013497395816497152"
        );
        assert_eq!(Ipv6ExtendedCommunity([0; SIZE]).value_decimal(), "0");
        let mut one = [0u8; SIZE];
        one[19] = 1;
        assert_eq!(Ipv6ExtendedCommunity(one).value_decimal(), "1");
    }

    #[test]
    fn parse_rejects_a_partial_community() {
        assert!(Ipv6ExtendedCommunities::parse(&[0; 19]).is_err());
        assert!(Ipv6ExtendedCommunities::parse(&[0; 41]).is_err());
        assert_eq!(Ipv6ExtendedCommunities::parse(&[]).unwrap().0.len(), 0);
    }
}
