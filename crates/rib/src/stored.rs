//! How a route table slot holds a route: an IPv4 unicast or multicast
//! prefix with an IPv4 (or `self`, or no) next hop — nearly every route of
//! a large table — packed in 24 bytes beside its shared attribute set; an
//! IPv6 one (next hop without link-local address) packed in a 48-byte box;
//! any other route boxed whole. A [`Route`] is 64 bytes; the table is most
//! of the rib's memory per route.
//!
//! Packing is lossless: [`Stored::into_route`] gives back the route that
//! went in, field for field.

use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::{Nlri, NlriKey, Prefix};
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::Safi;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::borrow::Cow;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

/// `flags` bits of [`Stored::V4`].
const MULTICAST: u8 = 1;
const HAS_PATH_ID: u8 = 2;
const NEXT_HOP_V4: u8 = 4;
const NEXT_HOP_SELF: u8 = 8;
const NEXT_HOP_V6: u8 = 16;

/// An IPv6 prefix route, packed (48 bytes, a size class of the allocator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct V6 {
    attributes: Arc<Attributes>,
    addr: [u8; 16],
    /// IPv6, or IPv4 in the first 4 bytes, as `flags` says.
    next_hop: [u8; 16],
    path_id: u32,
    len: u8,
    flags: u8,
}

/// A route as a table slot holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// An IPv4 prefix route, packed.
    V4 {
        attributes: Arc<Attributes>,
        addr: u32,
        next_hop: u32,
        path_id: u32,
        len: u8,
        /// [`MULTICAST`], [`HAS_PATH_ID`], and [`NEXT_HOP_V4`] or
        /// [`NEXT_HOP_SELF`] (neither: no next hop).
        flags: u8,
    },
    /// An IPv6 prefix route, packed.
    V6(Box<V6>),
    /// Any other route.
    Boxed(Box<Route>),
}

#[cfg(target_pointer_width = "64")]
const _: () =
    assert!(std::mem::size_of::<Option<Stored>>() == 24 && std::mem::size_of::<V6>() == 48);

impl Stored {
    pub fn new(route: Route) -> Stored {
        let Route {
            nlri,
            next_hop,
            attributes,
        } = route;
        Self::pack(&nlri, &next_hop, attributes).unwrap_or_else(|attributes| {
            Stored::Boxed(Box::new(Route {
                nlri,
                next_hop,
                attributes,
            }))
        })
    }

    /// As [`Stored::new`] from a borrowed route: its attribute set is
    /// shared, the rest copied (a whole `Route` is cloned only to be boxed).
    pub fn from_ref(route: &Route) -> Stored {
        Self::pack(&route.nlri, &route.next_hop, route.attributes.clone())
            .unwrap_or_else(|_| Stored::Boxed(Box::new(route.clone())))
    }

    /// The packed form of a route, or its `attributes` back when it has
    /// none.
    fn pack(
        nlri: &Nlri,
        next_hop: &NextHop,
        attributes: Arc<Attributes>,
    ) -> Result<Stored, Arc<Attributes>> {
        let Nlri::Prefix(p) = nlri else {
            return Err(attributes);
        };
        let Some(safi_flag) = safi_flag(p.safi) else {
            return Err(attributes);
        };
        let path_flag = if p.path_id.is_some() { HAS_PATH_ID } else { 0 };
        let net = match p.net {
            IpNet::V4(net) => net,
            IpNet::V6(net) => {
                return Self::pack_v6(net, p.path_id, safi_flag | path_flag, next_hop, attributes)
            }
        };
        let (next_hop, nh_flag) = match next_hop {
            NextHop::V4(a) => (u32::from(*a), NEXT_HOP_V4),
            NextHop::SelfAddress => (0, NEXT_HOP_SELF),
            NextHop::None => (0, 0),
            _ => return Err(attributes),
        };
        Ok(Stored::V4 {
            addr: u32::from(net.addr()),
            len: net.prefix_len(),
            path_id: p.path_id.unwrap_or(0),
            next_hop,
            flags: safi_flag | path_flag | nh_flag,
            attributes,
        })
    }

    /// Packs an IPv6 prefix route (`flags`: its SAFI and path-id bits).
    fn pack_v6(
        net: Ipv6Net,
        path_id: Option<u32>,
        flags: u8,
        next_hop: &NextHop,
        attributes: Arc<Attributes>,
    ) -> Result<Stored, Arc<Attributes>> {
        let mut packed_next_hop = [0; 16];
        let nh_flag = match next_hop {
            NextHop::V6(a) => {
                packed_next_hop = a.octets();
                NEXT_HOP_V6
            }
            NextHop::V4(a) => {
                packed_next_hop[..4].copy_from_slice(&a.octets());
                NEXT_HOP_V4
            }
            NextHop::SelfAddress => NEXT_HOP_SELF,
            NextHop::None => 0,
            _ => return Err(attributes),
        };
        Ok(Stored::V6(Box::new(V6 {
            addr: net.addr().octets(),
            len: net.prefix_len(),
            path_id: path_id.unwrap_or(0),
            next_hop: packed_next_hop,
            flags: flags | nh_flag,
            attributes,
        })))
    }

    /// The prefix of a packed route.
    #[inline]
    fn v4_prefix(addr: u32, len: u8, path_id: u32, flags: u8) -> Prefix {
        let net = Ipv4Net::new(Ipv4Addr::from(addr), len).expect("a packed length is at most 32");
        packed_prefix(IpNet::V4(net), path_id, flags)
    }

    /// The route's key (that of [`Route::key`]).
    #[inline]
    pub fn key(&self) -> NlriKey {
        match self {
            Stored::V4 {
                addr,
                len,
                path_id,
                flags,
                ..
            } => NlriKey::Prefix(Self::v4_prefix(*addr, *len, *path_id, *flags)),
            Stored::V6(v6) => NlriKey::Prefix(v6.prefix()),
            Stored::Boxed(route) => match &route.nlri {
                Nlri::Prefix(p) => NlriKey::Prefix(*p),
                other => other.key(),
            },
        }
    }

    /// Whether the route's key is `key`, without building the key of an IP
    /// prefix (only an IP prefix has a `NlriKey::Prefix` key).
    #[inline]
    pub fn has_key(&self, key: &NlriKey) -> bool {
        match (self, key) {
            (
                Stored::V4 {
                    addr,
                    len,
                    path_id,
                    flags,
                    ..
                },
                NlriKey::Prefix(k),
            ) => Self::v4_prefix(*addr, *len, *path_id, *flags) == *k,
            (Stored::V6(v6), NlriKey::Prefix(k)) => v6.prefix() == *k,
            (Stored::V4 { .. } | Stored::V6(_), _) => false,
            (Stored::Boxed(route), key) => match (&route.nlri, key) {
                (Nlri::Prefix(p), NlriKey::Prefix(k)) => p == k,
                (Nlri::Prefix(_), _) | (_, NlriKey::Prefix(_)) => false,
                (other, key) => other.key() == *key,
            },
        }
    }

    /// The route: rebuilt when packed (its attribute set shared, not
    /// copied), borrowed when boxed.
    pub fn route(&self) -> Cow<'_, Route> {
        match self {
            Stored::V4 {
                attributes,
                addr,
                next_hop,
                path_id,
                len,
                flags,
            } => Cow::Owned(Route {
                nlri: Nlri::Prefix(Self::v4_prefix(*addr, *len, *path_id, *flags)),
                next_hop: v4_next_hop(*next_hop, *flags),
                attributes: attributes.clone(),
            }),
            Stored::V6(v6) => Cow::Owned(Route {
                nlri: Nlri::Prefix(v6.prefix()),
                next_hop: v6.next_hop(),
                attributes: v6.attributes.clone(),
            }),
            Stored::Boxed(route) => Cow::Borrowed(route),
        }
    }

    /// The route that went in (a boxed one moved out, a packed one
    /// rebuilt as [`Stored::route`] does).
    pub fn into_route(self) -> Route {
        match self {
            Stored::Boxed(route) => *route,
            packed => packed.route().into_owned(),
        }
    }
}

impl V6 {
    fn prefix(&self) -> Prefix {
        let net = Ipv6Net::new(Ipv6Addr::from(self.addr), self.len)
            .expect("a packed length is at most 128");
        packed_prefix(IpNet::V6(net), self.path_id, self.flags)
    }

    fn next_hop(&self) -> NextHop {
        if self.flags & NEXT_HOP_V6 != 0 {
            NextHop::V6(Ipv6Addr::from(self.next_hop))
        } else {
            let mut v4 = [0; 4];
            v4.copy_from_slice(&self.next_hop[..4]);
            v4_next_hop(u32::from_be_bytes(v4), self.flags)
        }
    }
}

/// The prefix of a packed route: `net`, and the SAFI and path identifier
/// `flags` says.
#[inline]
fn packed_prefix(net: IpNet, path_id: u32, flags: u8) -> Prefix {
    Prefix {
        safi: if flags & MULTICAST != 0 {
            Safi::MULTICAST
        } else {
            Safi::UNICAST
        },
        net,
        path_id: (flags & HAS_PATH_ID != 0).then_some(path_id),
    }
}

/// The `flags` bit of a SAFI that packs (unicast, multicast).
fn safi_flag(safi: Safi) -> Option<u8> {
    match safi {
        Safi::UNICAST => Some(0),
        Safi::MULTICAST => Some(MULTICAST),
        _ => None,
    }
}

fn v4_next_hop(addr: u32, flags: u8) -> NextHop {
    if flags & NEXT_HOP_V4 != 0 {
        NextHop::V4(Ipv4Addr::from(addr))
    } else if flags & NEXT_HOP_SELF != 0 {
        NextHop::SelfAddress
    } else {
        NextHop::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::nlri::Rtc;
    use proptest::prelude::*;

    fn prefix(net: &str, safi: Safi, path_id: Option<u32>) -> Nlri {
        Nlri::Prefix(Prefix::new(net.parse().expect("prefix"), safi, path_id))
    }

    /// Every kind of route comes back as it went in, with the key of
    /// `Route::key`; IPv4 prefix routes are packed inline ('4'), IPv6 ones
    /// in a box ('6'), the others boxed whole ('b').
    #[test]
    fn packing_is_lossless() {
        let attributes = Arc::new(Attributes {
            med: Some(7),
            ..Default::default()
        });
        let v4 = NextHop::V4("192.0.2.1".parse().expect("address"));
        let v6 = NextHop::V6("2001:db8::1".parse().expect("address"));
        let rtc = Rtc {
            path_id: None,
            bits: 0,
            bytes: Box::new([]),
        };
        let link_local = NextHop::v6_link_local(
            "2001:db8::1".parse().expect("address"),
            "fe80::1".parse().expect("address"),
        );
        let v6p = |net: &str, safi, path_id| prefix(net, safi, path_id);
        let cases = [
            (prefix("10.0.0.0/8", Safi::UNICAST, None), v4.clone(), '4'),
            (
                prefix("10.1.2.3/32", Safi::MULTICAST, Some(0)),
                NextHop::SelfAddress,
                '4',
            ),
            (
                prefix("0.0.0.0/0", Safi::UNICAST, Some(u32::MAX)),
                NextHop::None,
                '4',
            ),
            // host bits are kept as given
            (prefix("10.1.2.3/8", Safi::UNICAST, None), v4.clone(), '4'),
            (prefix("10.0.0.0/8", Safi::UNICAST, None), v6.clone(), 'b'),
            (v6p("2001:db8::/32", Safi::UNICAST, None), v6, '6'),
            (
                v6p("2001:db8::1/128", Safi::MULTICAST, Some(7)),
                v4.clone(),
                '6',
            ),
            (
                v6p("::/0", Safi::UNICAST, Some(0)),
                NextHop::SelfAddress,
                '6',
            ),
            (
                v6p("2001:db8::1/32", Safi::UNICAST, None),
                NextHop::None,
                '6',
            ),
            (v6p("2001:db8::/32", Safi::UNICAST, None), link_local, 'b'),
            (prefix("10.0.0.0/8", Safi::NLRI_MPLS, None), v4.clone(), 'b'),
            (Nlri::Rtc(Box::new(rtc)), v4, 'b'),
        ];
        for (nlri, next_hop, packed) in cases {
            let route = Route::new(nlri, next_hop, attributes.clone());
            let stored = Stored::new(route.clone());
            let kind = match stored {
                Stored::V4 { .. } => '4',
                Stored::V6(_) => '6',
                Stored::Boxed(_) => 'b',
            };
            assert_eq!(kind, packed, "{route:?}");
            assert_eq!(Stored::from_ref(&route), stored);
            assert_eq!(stored.key(), route.key());
            assert!(stored.has_key(&route.key()));
            assert_eq!(*stored.route(), route);
            assert_eq!(stored.into_route(), route);
        }
    }

    proptest! {
        /// Packed IPv4 routes: lossless, and `has_key` tells keys apart as
        /// `==` on `Route::key` does.
        #[test]
        fn packed_routes_round_trip(
            a in any::<u32>(), len in 0u8..=32, multicast: bool, path_id: Option<u32>,
            nh in prop::option::of(any::<u32>()), other_len in 0u8..=32, other_path_id: Option<u32>,
        ) {
            let safi = if multicast { Safi::MULTICAST } else { Safi::UNICAST };
            let nlri = |len, path_id| Nlri::Prefix(Prefix::new(
                IpNet::V4(Ipv4Net::new(Ipv4Addr::from(a), len).expect("length")), safi, path_id,
            ));
            let next_hop = nh.map_or(NextHop::SelfAddress, |n| NextHop::V4(Ipv4Addr::from(n)));
            let route = Route::new(nlri(len, path_id), next_hop, Arc::new(Attributes::default()));
            let stored = Stored::new(route.clone());
            let packed = matches!(stored, Stored::V4 { .. });
            prop_assert!(packed);
            let other = nlri(other_len, other_path_id).key();
            prop_assert_eq!(stored.has_key(&other), route.key() == other);
            prop_assert_eq!(stored.key(), route.key());
            prop_assert_eq!(stored.into_route(), route);
        }

        /// Packed IPv6 routes: the same, with every next hop that packs.
        #[test]
        fn packed_v6_routes_round_trip(
            a in any::<u128>(), len in 0u8..=128, multicast: bool, path_id: Option<u32>,
            nh in 0u8..4, nh_addr in any::<u128>(), other_len in 0u8..=128,
        ) {
            let safi = if multicast { Safi::MULTICAST } else { Safi::UNICAST };
            let nlri = |len| Nlri::Prefix(Prefix::new(
                IpNet::V6(Ipv6Net::new(Ipv6Addr::from(a), len).expect("length")), safi, path_id,
            ));
            let next_hop = match nh {
                0 => NextHop::V6(Ipv6Addr::from(nh_addr)),
                1 => NextHop::V4(Ipv4Addr::from(nh_addr as u32)),
                2 => NextHop::SelfAddress,
                _ => NextHop::None,
            };
            let route = Route::new(nlri(len), next_hop, Arc::new(Attributes::default()));
            let stored = Stored::new(route.clone());
            let packed = matches!(stored, Stored::V6(_));
            prop_assert!(packed);
            let other = nlri(other_len).key();
            prop_assert_eq!(stored.has_key(&other), route.key() == other);
            prop_assert_eq!(stored.key(), route.key());
            prop_assert_eq!(stored.into_route(), route);
        }
    }
}
