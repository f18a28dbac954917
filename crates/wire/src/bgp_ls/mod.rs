//! The BGP-LS typed model (RFC 9552, which obsoletes RFC 7752; the segment
//! routing TLVs of RFC 9085; the SRv6 TLVs of RFC 9514): the TLVs of a
//! BGP-LS NLRI ([`descriptors`]: node, link and prefix descriptors, SRv6
//! SID information) and of the BGP-LS attribute ([`attribute`]: node, link
//! and prefix attributes, with the SR / SRv6 structures in [`sr`]), so that
//! the renderings (the api crate's JSON and text) read typed values and
//! never walk TLV bytes themselves. The NLRI and the attribute travel as
//! bytes (the NLRI is the route's key, the attribute re-encodes byte for
//! byte); each rendering decodes them with [`LsNlriDescriptors::decode`] /
//! [`LsAttribute::decode`], and the framing check of the attribute codec
//! (`attribute::attr_29_bgp_ls::validate`) walks the same TLVs with
//! [`tlvs`].
//!
//! Decoding follows the codec's discipline: a [`crate::codec::Reader`],
//! and an [`LsError`] (never a panic) for a TLV that overruns what
//! encloses it or a value that does not decode. It is lenient where
//! ExaBGP 5.0.15 is (its renderings are the contract): a value kept as a
//! [`Number`] remembers its wire length, so that a rendering which refuses
//! a length the RFC does not allow can say so. A TLV this crate does not
//! know is kept as `(type, bytes)`. Validation for RFC 7606 / RFC 9552
//! section 8.2.2 (what makes an NLRI or attribute malformed) stays with the
//! NLRI and attribute codecs (`nlri::bgpls`, `attribute::attr_29_bgp_ls`).

pub mod attribute;
pub mod descriptors;
pub mod sr;

pub use attribute::{LsAttribute, LsAttributeTlv};
pub use descriptors::{IgpRouterId, LsNlriDescriptors, NlriTlv, NodeDescriptor};

use crate::codec::Reader;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why BGP-LS TLVs do not decode (RFC 9552 section 5.1 framing, or a value
/// of a type this crate decodes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LsError {
    /// Fewer than the 4 octets of a TLV header left (`left` of them).
    TruncatedHeader { left: usize },
    /// TLV `kind` says `len` octets of value where `left` are.
    Overrun { kind: u16, len: u16, left: usize },
    /// The value of TLV (or sub-TLV) `kind` does not decode: `what`.
    Value { kind: u16, what: &'static str },
}

impl fmt::Display for LsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LsError::TruncatedHeader { left } => {
                write!(f, "BGP-LS TLV header truncated ({left} octets left)")
            }
            LsError::Overrun { kind, len, left } => write!(
                f,
                "BGP-LS TLV {kind} of length {len} overruns its container ({left} octets left)"
            ),
            LsError::Value { kind, what } => write!(f, "BGP-LS TLV {kind}: {what}"),
        }
    }
}

/// `Option` / `Result` into an [`LsError::Value`] for TLV `kind`.
pub(crate) trait OrValue<T> {
    fn or_bad(self, kind: u16, what: &'static str) -> Result<T, LsError>;
}

impl<T> OrValue<T> for Option<T> {
    fn or_bad(self, kind: u16, what: &'static str) -> Result<T, LsError> {
        self.ok_or(LsError::Value { kind, what })
    }
}

impl<T, E> OrValue<T> for Result<T, E> {
    fn or_bad(self, kind: u16, what: &'static str) -> Result<T, LsError> {
        self.ok().or_bad(kind, what)
    }
}

/// One `(type, value)` TLV (RFC 9552 section 5.1: type 2 octets, length 2
/// octets, value) from `r`; an error when the header or value overruns
/// `r` (nothing of `r` is then consumed that a caller could go on from).
pub(crate) fn tlv<'a>(r: &mut Reader<'a>) -> Result<(u16, &'a [u8]), LsError> {
    let left = r.left();
    if left < 4 {
        return Err(LsError::TruncatedHeader { left });
    }
    let kind = r.u16().or_bad(0, "header")?;
    let len = r.u16().or_bad(kind, "header")?;
    let value = r.take(usize::from(len)).map_err(|_| LsError::Overrun {
        kind,
        len,
        left: left - 4,
    })?;
    Ok((kind, value))
}

/// The TLVs of `value` in order; an item is an error (and the last) where
/// a TLV overruns `value`.
pub(crate) fn tlvs(value: &[u8]) -> impl Iterator<Item = Result<(u16, &[u8]), LsError>> {
    let mut r = Reader::new(value);
    let mut failed = false;
    std::iter::from_fn(move || {
        if r.is_empty() || failed {
            return None;
        }
        let t = tlv(&mut r);
        failed = t.is_err();
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
        assert_eq!(
            got,
            vec![
                Ok((1, &[0xAA][..])),
                Ok((2, &[][..])),
                Err(LsError::Overrun {
                    kind: 3,
                    len: 5,
                    left: 1
                })
            ]
        );
        // a header cut short, nothing after a zero-length TLV, no TLV
        assert_eq!(
            tlvs(&[0, 1, 0]).collect::<Vec<_>>(),
            vec![Err(LsError::TruncatedHeader { left: 3 })]
        );
        assert_eq!(
            tlvs(&[0, 9, 0, 0]).collect::<Vec<_>>(),
            vec![Ok((9, &[][..]))]
        );
        assert_eq!(tlvs(&[]).count(), 0);
        assert_eq!(Number::of(&[1, 0]), Number { value: 256, len: 2 });
        assert_eq!(Number::of(&[0; 9]).len, 9);
        assert_eq!(ip(&[10, 0, 0, 1]), Some("10.0.0.1".parse().unwrap()));
        assert_eq!(ip(&[1, 2, 3]), None);
    }
}
