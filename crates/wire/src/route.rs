//! Routes as the configuration, the RIB and the session exchange them: an
//! NLRI, its next hop, and a shared attribute set.
//!
//! Routes whose attributes are identical share one [`Attributes`] through an
//! `Arc`, which is what keeps a large Adj-RIB-Out small and what UPDATE
//! packing groups by.

use crate::attribute::Attributes;
use crate::family::{Afi, Family, Safi};
use crate::nlri::{Nlri, NlriKey};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// The next hop of a route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum NextHop {
    /// No next hop (FlowSpec; withdrawals).
    None,
    V4(Ipv4Addr),
    V6(Ipv6Addr),
    /// An IPv6 global address with a link-local one (RFC 2545, 32 bytes);
    /// boxed, so that the common next hops keep [`NextHop`] at 24 bytes.
    V6LinkLocal(Box<LinkLocalPair>),
    /// `next-hop self`: the session resolves it (local address, or router-id
    /// for IPv4 routes on an IPv6 session); unresolved it is sent as 0.0.0.0.
    SelfAddress,
    /// The next-hop field of a family this crate does not parse, as received.
    Other(Box<[u8]>),
}

/// The two addresses of an RFC 2545 next hop (global first, as on the wire).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LinkLocalPair {
    pub global: Ipv6Addr,
    pub link_local: Ipv6Addr,
}

impl NextHop {
    /// An IPv6 global + link-local next hop.
    pub fn v6_link_local(global: Ipv6Addr, link_local: Ipv6Addr) -> NextHop {
        NextHop::V6LinkLocal(Box::new(LinkLocalPair { global, link_local }))
    }

    pub fn from_ip(ip: IpAddr) -> NextHop {
        match ip {
            IpAddr::V4(a) => NextHop::V4(a),
            IpAddr::V6(a) => NextHop::V6(a),
        }
    }

    /// The address family of the next hop, when it has an address.
    pub fn afi(&self) -> Option<Afi> {
        match self {
            NextHop::V4(_) => Some(Afi::IPV4),
            NextHop::V6(_) | NextHop::V6LinkLocal(_) => Some(Afi::IPV6),
            _ => None,
        }
    }

    pub fn ipv4(&self) -> Option<Ipv4Addr> {
        match self {
            NextHop::V4(a) => Some(*a),
            _ => None,
        }
    }

    /// Whether the family prefixes its next hop with an 8-byte zero RD
    /// (ExaBGP: mpls-vpn and bgp-ls-vpn, whose next hop RFC 7752 section
    /// 3.4 encodes as for VPN-IPv4 — ExaBGP 5.0.15 refuses one without RD;
    /// flow-vpn next hops carry none).
    fn has_rd(family: Family) -> bool {
        family.safi == Safi::MPLS_VPN || family.safi == Safi::BGP_LS_VPN
    }

    /// Appends the MP_REACH_NLRI next-hop field (length byte and address)
    /// for `family`. VPN families get the 8 zero bytes of RD in front.
    pub fn encode_mp(&self, family: Family, out: &mut Vec<u8>) {
        let rd: &[u8] = if Self::has_rd(family) { &[0u8; 8] } else { &[] };
        match self {
            NextHop::None => out.push(0),
            NextHop::V4(a) => {
                out.push((rd.len() + 4) as u8);
                out.extend_from_slice(rd);
                out.extend_from_slice(&a.octets());
            }
            NextHop::SelfAddress => {
                out.push((rd.len() + 4) as u8);
                out.extend_from_slice(rd);
                out.extend_from_slice(&[0; 4]);
            }
            NextHop::V6(a) => {
                out.push((rd.len() + 16) as u8);
                out.extend_from_slice(rd);
                out.extend_from_slice(&a.octets());
            }
            NextHop::V6LinkLocal(pair) => {
                out.push((2 * rd.len() + 32) as u8);
                out.extend_from_slice(rd);
                out.extend_from_slice(&pair.global.octets());
                out.extend_from_slice(rd);
                out.extend_from_slice(&pair.link_local.octets());
            }
            NextHop::Other(b) => {
                out.push(b.len() as u8);
                out.extend_from_slice(b);
            }
        }
    }

    /// Bytes [`NextHop::encode_mp`] writes, length byte included.
    pub fn mp_len(&self, family: Family) -> usize {
        let rd = if Self::has_rd(family) { 8 } else { 0 };
        1 + match self {
            NextHop::None => 0,
            NextHop::V4(_) | NextHop::SelfAddress => rd + 4,
            NextHop::V6(_) => rd + 16,
            NextHop::V6LinkLocal(_) => 2 * rd + 32,
            NextHop::Other(b) => b.len(),
        }
    }

    /// Parses an MP_REACH_NLRI next-hop field of `family` (without its
    /// length byte). Lengths 4/12 are IPv4, 16/24 IPv6, 32/40/48 IPv6 global +
    /// link-local (12, 24, 40, 48: after an RD). Families without a parser keep
    /// the bytes. `None` when the length fits no form (RFC 7606 7.11: the
    /// NLRI cannot be located reliably; the caller resets the session).
    pub fn decode_mp(family: Family, b: &[u8]) -> Option<NextHop> {
        if !Nlri::is_parsed(family) && !Self::has_rd(family) {
            return Some(if b.is_empty() {
                NextHop::None
            } else {
                NextHop::Other(b.into())
            });
        }
        let v6 = |s: &[u8]| {
            let mut a = [0u8; 16];
            a.copy_from_slice(s);
            Ipv6Addr::from(a)
        };
        Some(match b.len() {
            0 => NextHop::None,
            4 => NextHop::V4(Ipv4Addr::new(b[0], b[1], b[2], b[3])),
            12 => NextHop::V4(Ipv4Addr::new(b[8], b[9], b[10], b[11])),
            16 => NextHop::V6(v6(b)),
            24 => NextHop::V6(v6(&b[8..])),
            32 => NextHop::v6_link_local(v6(&b[..16]), v6(&b[16..])),
            40 => NextHop::v6_link_local(v6(&b[8..24]), v6(&b[24..])),
            48 => NextHop::v6_link_local(v6(&b[8..24]), v6(&b[32..])),
            // other typed families (FlowSpec, EVPN, BGP-LS, ...): an odd
            // next hop does not prevent locating the NLRI; keep it as is
            _ if !Nlri::is_prefix_family(family) && !Self::has_rd(family) => {
                NextHop::Other(b.into())
            }
            _ => return None,
        })
    }
}

impl fmt::Display for NextHop {
    /// The address (ExaBGP's JSON key); `global` for a global+link-local
    /// pair (see [`NextHop::addresses`]); `self`; `no-nexthop`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NextHop::None => f.write_str("no-nexthop"),
            NextHop::V4(a) => write!(f, "{a}"),
            NextHop::V6(a) => write!(f, "{a}"),
            NextHop::V6LinkLocal(pair) => write!(f, "{}", pair.global),
            NextHop::SelfAddress => f.write_str("self"),
            NextHop::Other(b) => {
                f.write_str("0x")?;
                b.iter().try_for_each(|x| write!(f, "{x:02X}"))
            }
        }
    }
}

impl NextHop {
    /// The addresses ExaBGP lists an NLRI under: one, or two for a global
    /// + link-local pair.
    pub fn addresses(&self) -> Vec<String> {
        match self {
            NextHop::V6LinkLocal(pair) => {
                vec![pair.global.to_string(), pair.link_local.to_string()]
            }
            other => vec![other.to_string()],
        }
    }
}

/// A route: what is announced for one NLRI.
///
/// 64 bytes on 64-bit targets (NLRI 32, next hop 24, attributes pointer 8):
/// the rib keeps one per route of every Adj-RIB, so this is most of its
/// per-route memory. The const assertion below and the `sizes` test keep
/// it from growing unnoticed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Route {
    pub nlri: Nlri,
    pub next_hop: NextHop,
    pub attributes: Arc<Attributes>,
}

impl Route {
    pub fn new(nlri: impl Into<Nlri>, next_hop: NextHop, attributes: Arc<Attributes>) -> Route {
        Route {
            nlri: nlri.into(),
            next_hop,
            attributes,
        }
    }

    /// A route carrying only an NLRI, for withdrawals.
    pub fn bare(nlri: impl Into<Nlri>) -> Route {
        Route {
            nlri: nlri.into(),
            next_hop: NextHop::None,
            attributes: Arc::new(Attributes::default()),
        }
    }

    pub fn family(&self) -> Family {
        self.nlri.family()
    }

    /// The RIB key (family + path-id + prefix (+ RD)).
    pub fn key(&self) -> NlriKey {
        self.nlri.key()
    }

    /// Same NLRI, next hop and attributes: re-announcing it changes nothing.
    pub fn same_as(&self, other: &Route) -> bool {
        self.nlri == other.nlri
            && self.next_hop == other.next_hop
            && (Arc::ptr_eq(&self.attributes, &other.attributes)
                || self.attributes == other.attributes)
    }
}

#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Route>() <= 64);

/// One change to send to a peer, in the order the RIB decided.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RouteChange {
    Announce(Route),
    /// Withdraw this route's NLRI. The attributes matter only for the
    /// families whose withdrawals carry attributes (FlowSpec, VPN, ...) and
    /// for grouping; [`Route::bare`] is the usual withdrawal.
    Withdraw(Route),
}

impl RouteChange {
    pub fn route(&self) -> &Route {
        match self {
            RouteChange::Announce(r) | RouteChange::Withdraw(r) => r,
        }
    }

    pub fn is_announce(&self) -> bool {
        matches!(self, RouteChange::Announce(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sizes the rib's per-route memory is made of (README
    /// "Performance (issue #14)"): a change here changes it.
    #[test]
    #[cfg(target_pointer_width = "64")]
    fn sizes() {
        use std::mem::size_of;
        assert_eq!(size_of::<Nlri>(), 32);
        assert_eq!(size_of::<NextHop>(), 24);
        assert_eq!(size_of::<Route>(), 64);
        // the rib's table slots cost nothing more; a change in transit has
        // its own tag (two variants of one type leave no niche)
        assert_eq!(size_of::<Option<Route>>(), 64);
        assert_eq!(size_of::<RouteChange>(), 72);
    }

    #[test]
    fn mp_next_hops() {
        let f = Family::IPV6_UNICAST;
        for (nh, len) in [
            (NextHop::V6("2001:db8::1".parse().unwrap()), 16),
            (NextHop::V4("192.0.2.1".parse().unwrap()), 4),
            (
                NextHop::v6_link_local("2001:db8::1".parse().unwrap(), "fe80::1".parse().unwrap()),
                32,
            ),
        ] {
            let mut v = Vec::new();
            nh.encode_mp(f, &mut v);
            assert_eq!(v[0] as usize, len);
            assert_eq!(v.len(), nh.mp_len(f));
            assert_eq!(NextHop::decode_mp(f, &v[1..]), Some(nh));
        }
        assert_eq!(NextHop::decode_mp(f, &[1, 2, 3]), None);
        let mut v = Vec::new();
        NextHop::V4("10.0.0.1".parse().unwrap()).encode_mp(Family::IPV4_MPLS_VPN, &mut v);
        assert_eq!(v, [12, 0, 0, 0, 0, 0, 0, 0, 0, 10, 0, 0, 1]);
        assert_eq!(
            NextHop::decode_mp(Family::IPV4_MPLS_VPN, &v[1..]),
            Some(NextHop::V4("10.0.0.1".parse().unwrap()))
        );
        assert_eq!(
            NextHop::decode_mp(Family::IPV4_FLOW, &[]),
            Some(NextHop::None)
        );
    }
}
