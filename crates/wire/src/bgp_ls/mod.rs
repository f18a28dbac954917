//! The BGP-LS typed model (RFC 9552, which obsoletes RFC 7752; the segment
//! routing TLVs of RFC 9085; the SRv6 TLVs of RFC 9514): the TLVs of a
//! BGP-LS NLRI ([`descriptors`]) and of the BGP-LS attribute
//! ([`attribute`], with the SR / SRv6 structures in [`sr`]), so that the
//! renderings (the api crate's JSON and text) read typed values and never
//! parse TLV bytes themselves. The model is decoded where it is read, not
//! once: the attribute travels as bytes, and the framing check
//! (`attribute::attr_29_bgp_ls::validate`, with `tlvs`), the JSON renderer
//! and the text renderer (each with [`LsAttribute::decode`]) each walk them.
//!
//! Decoding is lenient where ExaBGP 5.0.15 is (its renderings are the
//! contract): a value kept as a [`Number`] remembers its wire length, so
//! that a rendering which refuses a length the RFC does not allow can say
//! so. A TLV this crate does not know is kept as `(type, bytes)`.
//! Validation for RFC 7606 / RFC 9552 section 8.2.2 (what makes an NLRI or
//! attribute malformed) is unchanged and stays with the NLRI and attribute
//! codecs (`nlri::bgpls`, `attribute::attr_29_bgp_ls`), which use the TLV
//! framing of `tlvs`.

pub mod attribute;
pub mod descriptors;
pub mod sr;

pub use attribute::{LsAttribute, LsAttributeTlv};
pub use descriptors::{IgpRouterId, LsNlriDescriptors, NlriTlv, NodeDescriptor};

use crate::codec::Reader;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// One `(type, value)` TLV (RFC 9552 section 5.1: type 2 octets, length 2
/// octets, value) from `r`; `None` when the header or value overruns `r`.
pub(crate) fn tlv<'a>(r: &mut Reader<'a>) -> Option<(u16, &'a [u8])> {
    let t = r.u16().ok()?;
    let l = r.u16().ok()?;
    Some((t, r.take(usize::from(l)).ok()?))
}

/// The TLVs of `value` in order; an item is `None` (and the last) where a
/// TLV overruns `value`.
pub(crate) fn tlvs(value: &[u8]) -> impl Iterator<Item = Option<(u16, &[u8])>> {
    let mut r = Reader::new(value);
    let mut failed = false;
    std::iter::from_fn(move || {
        if r.is_empty() || failed {
            return None;
        }
        let t = tlv(&mut r);
        failed = t.is_none();
        Some(t)
    })
}

/// An unsigned big-endian field read as ExaBGP reads it: the value of its
/// first (at most) 8 octets, and the length it had on the wire (a
/// rendering that refuses a length the RFC does not define checks `len`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Number {
    pub value: u64,
    pub len: usize,
}

impl Number {
    pub fn of(b: &[u8]) -> Number {
        Number {
            value: b.iter().take(8).fold(0u64, |v, x| (v << 8) | u64::from(*x)),
            len: b.len(),
        }
    }
}

/// An IPv4 (4 octets) or IPv6 (16 octets) address; `None` for any other
/// length.
pub fn ip(b: &[u8]) -> Option<IpAddr> {
    match b.len() {
        4 => Some(IpAddr::V4(Ipv4Addr::from(<[u8; 4]>::try_from(b).ok()?))),
        16 => Some(IpAddr::V6(Ipv6Addr::from(<[u8; 16]>::try_from(b).ok()?))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framing_and_numbers() {
        let v = [0, 1, 0, 1, 0xAA, 0, 2, 0, 0, 0, 3, 0, 5, 1];
        let got: Vec<_> = tlvs(&v).collect();
        assert_eq!(got, vec![Some((1, &[0xAA][..])), Some((2, &[][..])), None]);
        assert_eq!(Number::of(&[1, 0]), Number { value: 256, len: 2 });
        assert_eq!(Number::of(&[0; 9]).len, 9);
        assert_eq!(ip(&[10, 0, 0, 1]), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(ip(&[1, 2, 3]), None);
    }
}
