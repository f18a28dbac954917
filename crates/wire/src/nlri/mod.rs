//! NLRI (Network Layer Reachability Information) of every address family:
//! one [`Nlri`] variant per kind of NLRI, with the family dispatch for
//! decoding and encoding, the key the RIB indexes routes by, and the order
//! ExaBGP puts NLRIs in inside one UPDATE.
//!
//! Implemented kinds: [`Prefix`] (IPv4/IPv6 unicast and multicast, with
//! optional ADD-PATH path identifier), [`Labelled`] (nlri-mpls, mpls-vpn),
//! [`Flow`] (flow, flow-vpn), [`Vpls`], [`Evpn`], [`Mvpn`] (mcast-vpn),
//! [`Mup`], [`Rtc`] and [`BgpLs`] (bgp-ls, bgp-ls-vpn). Every other family
//! decodes into [`Nlri::Unknown`], which keeps the family's NLRI bytes
//! whole, so that receiving any family never fails the session. New kinds
//! are added as variants with their own file and an arm in
//! [`Nlri::decode`], [`Nlri::encode`], [`Nlri::key`] and the ordering.
//!
//! [`Nlri::decode_all`] refuses a field with any malformed NLRI; received
//! MP_REACH_NLRI / MP_UNREACH_NLRI fields are read by
//! [`malformed::decode_field`], which applies each family's RFC 7606 rule
//! (treat-as-withdraw, NLRI discard or session reset).

pub mod bgpls;
pub mod evpn;
pub mod flow;
pub mod label;
pub mod labelled;
pub mod malformed;
pub mod mup;
pub mod mvpn;
pub mod prefix;
pub mod rd;
pub mod rtc;
pub mod vpls;

pub use bgpls::BgpLs;
pub use evpn::Evpn;
pub use flow::Flow;
pub use label::Labels;
pub use labelled::Labelled;
pub use mup::Mup;
pub use mvpn::Mvpn;
pub use prefix::Prefix;
pub use rd::RouteDistinguisher;
pub use rtc::Rtc;
pub use vpls::Vpls;

use crate::codec::Reader;
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::fmt;

/// Why an NLRI could not be parsed: not an error of the crate's API (that
/// is [`crate::Error`]) but the reason the caller turns into a
/// NOTIFICATION or an RFC 7606 action, depending on where the NLRI was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NlriError(pub Cow<'static, str>);

impl fmt::Display for NlriError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

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
///
/// 32 bytes: the IP prefix, which nearly every route of a large table is,
/// stays inline, and the kinds larger than 24 bytes are boxed, so that a
/// [`crate::route::Route`] fits in 64 bytes (pinned by a test in
/// `route.rs`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Nlri {
    /// IPv4/IPv6 unicast or multicast prefix.
    Prefix(Prefix),
    /// Labelled unicast (nlri-mpls) or MPLS VPN (mpls-vpn) prefix.
    Labelled(Box<Labelled>),
    /// FlowSpec rule (flow, flow-vpn).
    Flow(Box<Flow>),
    /// L2VPN VPLS.
    Vpls(Vpls),
    /// L2VPN EVPN.
    Evpn(Evpn),
    /// MCAST-VPN.
    Mvpn(Mvpn),
    /// Mobile User Plane.
    Mup(Mup),
    /// Route Target Constraint.
    Rtc(Box<Rtc>),
    /// BGP-LS (and BGP-LS-VPN).
    BgpLs(Box<BgpLs>),
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
        match family.afi {
            Afi::IPV4 | Afi::IPV6 => {
                matches!(
                    family.safi,
                    Safi::UNICAST
                        | Safi::MULTICAST
                        | Safi::NLRI_MPLS
                        | Safi::MPLS_VPN
                        | Safi::FLOW
                        | Safi::FLOW_VPN
                        | Safi::MCAST_VPN
                        | Safi::MUP
                ) || (family.afi == Afi::IPV4 && family.safi == Safi::RTC)
            }
            Afi::L2VPN => matches!(family.safi, Safi::VPLS | Safi::EVPN),
            Afi::BGP_LS => matches!(family.safi, Safi::BGP_LS | Safi::BGP_LS_VPN),
            _ => false,
        }
    }

    /// Whether `family` carries plain prefixes ([`Nlri::Prefix`]).
    pub fn is_prefix_family(family: Family) -> bool {
        matches!(family.afi, Afi::IPV4 | Afi::IPV6)
            && matches!(family.safi, Safi::UNICAST | Safi::MULTICAST)
    }

    /// Whether ADD-PATH path identifiers are read and written for NLRIs of
    /// `family` (the kinds that have one: prefixes, labelled, RTC).
    pub fn supports_addpath(family: Family) -> bool {
        Nlri::is_prefix_family(family)
            || matches!(family.safi, Safi::NLRI_MPLS | Safi::MPLS_VPN | Safi::RTC)
            || !Nlri::is_parsed(family)
    }

    pub fn family(&self) -> Family {
        match self {
            Nlri::Prefix(p) => p.family(),
            Nlri::Labelled(l) => l.family(),
            Nlri::Flow(f) => f.family(),
            Nlri::Vpls(_) => Family::L2VPN_VPLS,
            Nlri::Evpn(_) => Family::L2VPN_EVPN,
            Nlri::Mvpn(m) => m.family(),
            Nlri::Mup(m) => m.family(),
            Nlri::Rtc(_) => Family::IPV4_RTC,
            Nlri::BgpLs(b) if b.rd.is_some() => Family::BGP_LS_VPN,
            Nlri::BgpLs(_) => Family::BGP_LS,
            Nlri::Unknown(u) => u.family,
        }
    }

    /// The ADD-PATH path identifier, when the NLRI has one.
    pub fn path_id(&self) -> Option<u32> {
        match self {
            Nlri::Prefix(p) => p.path_id,
            Nlri::Labelled(l) => l.path_id,
            Nlri::Rtc(r) => r.path_id,
            _ => None,
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
        if !Nlri::is_parsed(family) {
            return Ok(Nlri::Unknown(UnknownNlri {
                family,
                bytes: r.take_rest().into(),
            }));
        }
        if Nlri::is_prefix_family(family) {
            return Prefix::decode(family.afi, family.safi, r, addpath).map(Nlri::Prefix);
        }
        let afi = family.afi;
        Ok(match family.safi {
            Safi::NLRI_MPLS | Safi::MPLS_VPN => {
                Nlri::Labelled(Box::new(Labelled::decode(family, r, addpath)?))
            }
            Safi::FLOW | Safi::FLOW_VPN => Nlri::Flow(Box::new(Flow::decode(family, r)?)),
            Safi::VPLS => Nlri::Vpls(Vpls::decode(r)?),
            Safi::EVPN => Nlri::Evpn(Evpn::decode(r)?),
            Safi::MCAST_VPN => Nlri::Mvpn(Mvpn::decode(afi, r)?),
            Safi::MUP => Nlri::Mup(Mup::decode(afi, r)?),
            Safi::RTC => Nlri::Rtc(Box::new(Rtc::decode(r, addpath)?)),
            Safi::BGP_LS | Safi::BGP_LS_VPN => {
                let n = BgpLs::decode(r, family.safi == Safi::BGP_LS_VPN)?;
                n.validate()?;
                Nlri::BgpLs(Box::new(n))
            }
            _ => Nlri::Unknown(UnknownNlri {
                family,
                bytes: r.take_rest().into(),
            }),
        })
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
        if !Nlri::is_prefix_family(family) {
            let addpath = addpath && Nlri::supports_addpath(family);
            while !r.is_empty() {
                out.push(Nlri::decode(family, &mut r, addpath)?);
            }
            return Ok(());
        }
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
            Nlri::Labelled(l) => l.encode(out, addpath),
            Nlri::Flow(f) => f.encode(out),
            Nlri::Vpls(v) => v.encode(out),
            Nlri::Evpn(e) => e.encode(out),
            Nlri::Mvpn(m) => m.encode(out),
            Nlri::Mup(m) => m.encode(out),
            Nlri::Rtc(r) => r.encode(out, addpath),
            Nlri::BgpLs(b) => b.encode(out),
            Nlri::Unknown(u) => out.extend_from_slice(&u.bytes),
        }
    }

    /// Bytes [`Nlri::encode`] writes.
    #[inline]
    pub fn wire_len(&self, addpath: bool) -> usize {
        match self {
            Nlri::Prefix(p) => p.wire_len(addpath),
            Nlri::Labelled(l) => l.wire_len(addpath),
            Nlri::Flow(f) => f.wire_len(),
            Nlri::Vpls(v) => v.wire_len(),
            Nlri::Evpn(e) => e.wire_len(),
            Nlri::Mvpn(m) => m.wire_len(),
            Nlri::Mup(m) => m.wire_len(),
            Nlri::Rtc(r) => r.wire_len(addpath),
            Nlri::BgpLs(b) => b.wire_len(),
            Nlri::Unknown(u) => u.bytes.len(),
        }
    }

    /// Whether the NLRI fits its own length field (a labelled prefix of at
    /// most 255 bits, a FlowSpec rule of at most 4095 bytes, a typed body of
    /// at most 255 bytes). Decoded NLRIs always do; built ones may not, and
    /// are then refused by the packer rather than sent truncated.
    pub fn encodable(&self) -> bool {
        match self {
            Nlri::Labelled(l) => {
                l.labels.len() * 8 + l.rd.map_or(0, |_| 64) + usize::from(l.net.prefix_len()) <= 255
            }
            Nlri::Flow(f) => f.encodable(),
            Nlri::Evpn(e) => e.body.len() <= 255,
            Nlri::Mvpn(m) => m.body.len() <= 255,
            Nlri::Mup(m) => m.body.len() <= 255,
            Nlri::BgpLs(b) => b.body.len() + b.rd.map_or(0, |_| 8) <= 0xFFFF,
            _ => true,
        }
    }

    /// The RIB key of this NLRI.
    pub fn key(&self) -> NlriKey {
        let other = |bytes: Vec<u8>| NlriKey::Other {
            family: self.family(),
            bytes: bytes.into(),
        };
        match self {
            Nlri::Prefix(p) => NlriKey::Prefix(*p),
            Nlri::Labelled(l) => other(l.key_bytes()),
            Nlri::Flow(f) => other(f.key_bytes()),
            Nlri::Vpls(v) => other(v.key_bytes()),
            Nlri::Evpn(e) => other(e.key_bytes()),
            Nlri::Rtc(r) => {
                let mut k = r.path_id.unwrap_or(0).to_be_bytes().to_vec();
                k.push(r.bits);
                k.extend_from_slice(&r.bytes);
                other(k)
            }
            Nlri::BgpLs(b) => other(b.key_bytes()),
            Nlri::Mvpn(_) | Nlri::Mup(_) => {
                let mut v = Vec::with_capacity(self.wire_len(false));
                self.encode(&mut v, false);
                other(v)
            }
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

impl From<Labelled> for Nlri {
    fn from(l: Labelled) -> Nlri {
        Nlri::Labelled(Box::new(l))
    }
}

impl From<Flow> for Nlri {
    fn from(f: Flow) -> Nlri {
        Nlri::Flow(Box::new(f))
    }
}

impl From<Rtc> for Nlri {
    fn from(r: Rtc) -> Nlri {
        Nlri::Rtc(Box::new(r))
    }
}

impl From<BgpLs> for Nlri {
    fn from(b: BgpLs) -> Nlri {
        Nlri::BgpLs(Box::new(b))
    }
}

impl Nlri {
    /// Rank of the variant, to order NLRIs of different kinds.
    fn rank(&self) -> u8 {
        match self {
            Nlri::Prefix(_) => 0,
            Nlri::Labelled(_) => 1,
            Nlri::Flow(_) => 2,
            Nlri::Vpls(_) => 3,
            Nlri::Evpn(_) => 4,
            Nlri::Mvpn(_) => 5,
            Nlri::Mup(_) => 6,
            Nlri::Rtc(_) => 7,
            Nlri::BgpLs(_) => 8,
            Nlri::Unknown(_) => 9,
        }
    }
}

impl Ord for Nlri {
    /// ExaBGP's order inside an UPDATE: path identifier, then prefix
    /// length, then address bytes; NLRIs of different kinds by family.
    fn cmp(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Nlri::Prefix(a), Nlri::Prefix(b)) => a.cmp(b),
            (Nlri::Labelled(a), Nlri::Labelled(b)) => a.cmp(b),
            (Nlri::Flow(a), Nlri::Flow(b)) => a.cmp(b),
            (Nlri::Vpls(a), Nlri::Vpls(b)) => a.cmp(b),
            (Nlri::Evpn(a), Nlri::Evpn(b)) => a.cmp(b),
            (Nlri::Mvpn(a), Nlri::Mvpn(b)) => a.cmp(b),
            (Nlri::Mup(a), Nlri::Mup(b)) => a.cmp(b),
            (Nlri::Rtc(a), Nlri::Rtc(b)) => a.cmp(b),
            (Nlri::BgpLs(a), Nlri::BgpLs(b)) => a.cmp(b),
            (Nlri::Unknown(a), Nlri::Unknown(b)) => a.cmp(b),
            (a, b) => a.rank().cmp(&b.rank()),
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
            Nlri::Labelled(l) => write!(f, "{l}"),
            Nlri::Flow(x) => write!(f, "{x}"),
            Nlri::Vpls(v) => write!(f, "{v}"),
            Nlri::Evpn(e) => write!(f, "{e}"),
            Nlri::Mvpn(m) => write!(f, "{m}"),
            Nlri::Mup(m) => write!(f, "{m}"),
            Nlri::Rtc(r) => write!(f, "{r}"),
            Nlri::BgpLs(b) => write!(f, "{b}"),
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
        let odd = Family::new(Afi::IPV4, Safi(200));
        Nlri::decode_all(odd, &[5, 1, 2, 3, 4, 5], false, &mut out).unwrap();
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].family(), odd);
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
