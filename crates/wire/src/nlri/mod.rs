//! NLRI (Network Layer Reachability Information) of every address family:
//! one [`Nlri`] variant per kind of NLRI, with the family dispatch for
//! decoding and encoding, the key the RIB indexes routes by, and the order
//! ExaBGP puts NLRIs in inside one UPDATE.
//!
//! Implemented kinds: [`Prefix`] (IPv4/IPv6 unicast and multicast, with
//! optional ADD-PATH path identifier). Every other family decodes into
//! [`Nlri::Unknown`], which keeps the family's NLRI bytes whole, so that
//! receiving any family never fails the session. New kinds (labelled,
//! VPN, FlowSpec, EVPN, ...) are added as variants with their own file and an
//! arm in [`Nlri::decode`], [`Nlri::encode`], [`Nlri::key`] and the ordering.

pub mod label;
pub mod prefix;
pub mod rd;

pub use label::Labels;
pub use prefix::Prefix;
pub use rd::RouteDistinguisher;

use crate::codec::Reader;
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// An NLRI could not be parsed; the caller decides which NOTIFICATION (or
/// RFC 7606 action) that means where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NlriError(pub Cow<'static, str>);

impl NlriError {
    pub fn new(reason: impl Into<Cow<'static, str>>) -> NlriError {
        NlriError(reason.into())
    }
}

/// The NLRI of a family this crate does not parse yet: every NLRI byte of
/// one MP_REACH / MP_UNREACH for that family, kept whole.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UnknownNlri {
    pub family: Family,
    pub bytes: Box<[u8]>,
}

/// One NLRI of any family.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Nlri {
    /// IPv4/IPv6 unicast or multicast prefix.
    Prefix(Prefix),
    /// A family without a parser here (kept as bytes).
    Unknown(UnknownNlri),
}

/// What the RIB indexes a route by: family + path-id + prefix (+ RD for VPN
/// families; labels are not part of the key).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NlriKey {
    Prefix(Prefix),
    /// Other kinds: family and the bytes that identify the route.
    Other {
        family: Family,
        bytes: Box<[u8]>,
    },
}

impl Nlri {
    /// Whether NLRIs of `family` decode into a typed variant (rather than
    /// [`Nlri::Unknown`]).
    pub fn is_parsed(family: Family) -> bool {
        matches!(family.afi, Afi::IPV4 | Afi::IPV6)
            && matches!(family.safi, Safi::UNICAST | Safi::MULTICAST)
    }

    pub fn family(&self) -> Family {
        match self {
            Nlri::Prefix(p) => p.family(),
            Nlri::Unknown(u) => u.family,
        }
    }

    /// The ADD-PATH path identifier, when the NLRI has one.
    pub fn path_id(&self) -> Option<u32> {
        match self {
            Nlri::Prefix(p) => p.path_id,
            Nlri::Unknown(_) => None,
        }
    }

    pub fn as_prefix(&self) -> Option<&Prefix> {
        match self {
            Nlri::Prefix(p) => Some(p),
            _ => None,
        }
    }

    /// Reads one NLRI of `family`. For families without a parser the rest
    /// of the reader is taken as one [`Nlri::Unknown`].
    #[inline]
    pub fn decode(family: Family, r: &mut Reader<'_>, addpath: bool) -> Result<Nlri, NlriError> {
        if Nlri::is_parsed(family) {
            Prefix::decode(family.afi, family.safi, r, addpath).map(Nlri::Prefix)
        } else {
            Ok(Nlri::Unknown(UnknownNlri {
                family,
                bytes: r.take_rest().into(),
            }))
        }
    }

    /// Reads every NLRI in `bytes` into `out` (which is reserved for the
    /// likely count first: one allocation for the whole list).
    pub fn decode_all(
        family: Family,
        bytes: &[u8],
        addpath: bool,
        out: &mut Vec<Nlri>,
    ) -> Result<(), NlriError> {
        if bytes.is_empty() {
            return Ok(());
        }
        if !Nlri::is_parsed(family) {
            out.push(Nlri::Unknown(UnknownNlri {
                family,
                bytes: bytes.into(),
            }));
            return Ok(());
        }
        // a /24 IPv4 prefix is 4 bytes, a /48 IPv6 prefix 7: a cheap guess
        let per = if family.afi == Afi::IPV6 { 7 } else { 4 } + if addpath { 4 } else { 0 };
        out.reserve(bytes.len() / per + 1);
        let mut r = Reader::new(bytes);
        while !r.is_empty() {
            out.push(Nlri::Prefix(Prefix::decode(
                family.afi,
                family.safi,
                &mut r,
                addpath,
            )?));
        }
        Ok(())
    }

    /// Appends the wire form. With `addpath` a path identifier (0 when the
    /// NLRI has none) precedes it.
    #[inline]
    pub fn encode(&self, out: &mut Vec<u8>, addpath: bool) {
        match self {
            Nlri::Prefix(p) => p.encode(out, addpath),
            Nlri::Unknown(u) => out.extend_from_slice(&u.bytes),
        }
    }

    /// Bytes [`Nlri::encode`] writes.
    #[inline]
    pub fn wire_len(&self, addpath: bool) -> usize {
        match self {
            Nlri::Prefix(p) => p.wire_len(addpath),
            Nlri::Unknown(u) => u.bytes.len(),
        }
    }

    /// The RIB key of this NLRI.
    pub fn key(&self) -> NlriKey {
        match self {
            Nlri::Prefix(p) => NlriKey::Prefix(*p),
            Nlri::Unknown(u) => NlriKey::Other {
                family: u.family,
                bytes: u.bytes.clone(),
            },
        }
    }
}

impl From<Prefix> for Nlri {
    fn from(p: Prefix) -> Nlri {
        Nlri::Prefix(p)
    }
}

impl Ord for Nlri {
    /// ExaBGP's order inside an UPDATE: path identifier, then prefix
    /// length, then address bytes; NLRIs of different kinds by family.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Nlri::Prefix(a), Nlri::Prefix(b)) => a.cmp(b),
            (Nlri::Unknown(a), Nlri::Unknown(b)) => a.cmp(b),
            (Nlri::Prefix(_), Nlri::Unknown(_)) => Ordering::Less,
            (Nlri::Unknown(_), Nlri::Prefix(_)) => Ordering::Greater,
        }
    }
}

impl PartialOrd for Nlri {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Nlri {
    /// The NLRI as ExaBGP's text encoder prints it (`10.0.0.0/24`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Nlri::Prefix(p) => write!(f, "{p}"),
            Nlri::Unknown(u) => {
                write!(f, "{} 0x", u.family)?;
                for b in u.bytes.iter() {
                    write!(f, "{b:02X}")?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_family_is_kept_whole() {
        let mut out = Vec::new();
        Nlri::decode_all(Family::IPV4_FLOW, &[5, 1, 2, 3, 4, 5], false, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].family(), Family::IPV4_FLOW);
        let mut w = Vec::new();
        out[0].encode(&mut w, false);
        assert_eq!(w, [5, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn decode_all_prefixes() {
        let mut out = Vec::new();
        Nlri::decode_all(Family::IPV4_UNICAST, &[24, 10, 0, 1, 8, 9], false, &mut out).unwrap();
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].to_string(), "9.0.0.0/8");
        assert!(Nlri::decode_all(Family::IPV4_UNICAST, &[24, 10], false, &mut out).is_err());
    }
}
