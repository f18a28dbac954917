//! IP prefixes of the unicast and multicast families (RFC 4271 section 4.3,
//! RFC 4760 section 5): a length in bits followed by the fewest bytes that
//! hold it, optionally preceded by a 4-byte ADD-PATH path identifier
//! (RFC 7911 section 3).
//!
//! A [`Prefix`] is `Copy` and stored inline: decoding a list of prefixes
//! allocates nothing per prefix.

use super::{Nlri, NlriError};
use crate::codec::Reader;
use crate::family::{Afi, Family, Safi};
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A unicast or multicast prefix, with its ADD-PATH path identifier when it
/// has one (received with add-path, or configured with `path-information`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Prefix {
    /// `Safi::UNICAST` or `Safi::MULTICAST`; the AFI follows from `net`.
    pub safi: Safi,
    pub net: IpNet,
    pub path_id: Option<u32>,
}

impl Prefix {
    /// A unicast prefix without path identifier.
    pub fn unicast(net: IpNet) -> Prefix {
        Prefix {
            safi: Safi::UNICAST,
            net,
            path_id: None,
        }
    }

    pub fn new(net: IpNet, safi: Safi, path_id: Option<u32>) -> Prefix {
        Prefix { safi, net, path_id }
    }

    pub fn afi(&self) -> Afi {
        match self.net {
            IpNet::V4(_) => Afi::IPV4,
            IpNet::V6(_) => Afi::IPV6,
        }
    }

    pub fn family(&self) -> Family {
        Family::new(self.afi(), self.safi)
    }

    /// Bytes this prefix takes on the wire.
    #[inline]
    pub fn wire_len(&self, addpath: bool) -> usize {
        1 + usize::from(self.net.prefix_len()).div_ceil(8) + if addpath { 4 } else { 0 }
    }

    /// Appends the wire form; with `addpath` the path identifier (0 when
    /// there is none) comes first.
    #[inline]
    pub fn encode(&self, out: &mut Vec<u8>, addpath: bool) {
        if addpath {
            out.extend_from_slice(&self.path_id.unwrap_or(0).to_be_bytes());
        }
        let len = self.net.prefix_len();
        let n = usize::from(len).div_ceil(8);
        out.push(len);
        match self.net {
            IpNet::V4(v4) => out.extend_from_slice(&v4.addr().octets()[..n]),
            IpNet::V6(v6) => out.extend_from_slice(&v6.addr().octets()[..n]),
        }
    }

    /// Reads one prefix of `afi`. Bits past the prefix length inside the
    /// last byte are kept as received, so the prefix re-encodes identically.
    #[inline]
    pub fn decode(
        afi: Afi,
        safi: Safi,
        r: &mut Reader<'_>,
        addpath: bool,
    ) -> Result<Prefix, NlriError> {
        let path_id = if addpath {
            Some(
                r.u32()
                    .map_err(|_| NlriError::new("truncated path identifier"))?,
            )
        } else {
            None
        };
        let len = r
            .u8()
            .map_err(|_| NlriError::new("missing prefix length"))?;
        let n = usize::from(len).div_ceil(8);
        let net = if afi == Afi::IPV6 {
            if len > 128 {
                return Err(NlriError::new(format!("IPv6 prefix length {len} > 128")));
            }
            let bytes = r
                .take(n)
                .map_err(|_| NlriError::new("truncated IPv6 prefix"))?;
            let mut a = [0u8; 16];
            a[..n].copy_from_slice(bytes);
            IpNet::V6(Ipv6Net::new_assert(Ipv6Addr::from(a), len))
        } else {
            if len > 32 {
                return Err(NlriError::new(format!("IPv4 prefix length {len} > 32")));
            }
            let bytes = r
                .take(n)
                .map_err(|_| NlriError::new("truncated IPv4 prefix"))?;
            let mut a = [0u8; 4];
            a[..n].copy_from_slice(bytes);
            IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::from(a), len))
        };
        Ok(Prefix { safi, net, path_id })
    }

    /// The address as an integer wide enough for both families.
    #[inline]
    fn addr_key(&self) -> u128 {
        match self.net {
            IpNet::V4(a) => u128::from(u32::from(a.addr())),
            IpNet::V6(a) => u128::from(a.addr()),
        }
    }
}

/// Reads a whole field of IPv4 prefixes without path identifiers (the
/// Withdrawn Routes and NLRI fields of most UPDATEs) straight from the
/// slice: the fast path of the UPDATE decoder.
#[inline]
pub fn decode_ipv4_all(safi: Safi, bytes: &[u8], out: &mut Vec<Nlri>) -> Result<(), NlriError> {
    out.reserve(bytes.len() / 4 + 1);
    let mut i = 0;
    while i < bytes.len() {
        let len = bytes[i];
        if len > 32 {
            return Err(NlriError::new(format!("IPv4 prefix length {len} > 32")));
        }
        let n = usize::from(len).div_ceil(8);
        let Some(b) = bytes.get(i + 1..i + 1 + n) else {
            return Err(NlriError::new("truncated IPv4 prefix"));
        };
        let mut a = [0u8; 4];
        for (d, s) in a.iter_mut().zip(b) {
            *d = *s;
        }
        out.push(Nlri::Prefix(Prefix {
            safi,
            net: IpNet::V4(Ipv4Net::new_assert(Ipv4Addr::from(a), len)),
            path_id: None,
        }));
        i += 1 + n;
    }
    Ok(())
}

impl Ord for Prefix {
    /// ExaBGP's order inside an UPDATE: path identifier, then prefix length,
    /// then address bytes (then family, to be total).
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        self.path_id
            .unwrap_or(0)
            .cmp(&other.path_id.unwrap_or(0))
            .then(self.net.prefix_len().cmp(&other.net.prefix_len()))
            .then_with(|| self.afi().cmp(&other.afi()))
            .then_with(|| self.addr_key().cmp(&other.addr_key()))
            .then(self.safi.cmp(&other.safi))
            .then(self.path_id.is_some().cmp(&other.path_id.is_some()))
    }
}

impl PartialOrd for Prefix {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Prefix {
    /// `10.0.0.0/24` (the text form ExaBGP prints for a unicast NLRI).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.net)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rt(p: Prefix, addpath: bool, wire: &[u8]) {
        let mut out = Vec::new();
        p.encode(&mut out, addpath);
        assert_eq!(out, wire);
        assert_eq!(p.wire_len(addpath), wire.len());
        let mut r = Reader::new(wire);
        assert_eq!(Prefix::decode(p.afi(), p.safi, &mut r, addpath).unwrap(), p);
        assert!(r.is_empty());
    }

    #[test]
    fn wire_forms() {
        rt(
            Prefix::unicast("10.1.0.0/24".parse().unwrap()),
            false,
            &[24, 10, 1, 0],
        );
        rt(Prefix::unicast("0.0.0.0/0".parse().unwrap()), false, &[0]);
        rt(
            Prefix::new("10.0.0.10/32".parse().unwrap(), Safi::UNICAST, Some(2)),
            true,
            &[0, 0, 0, 2, 32, 10, 0, 0, 10],
        );
        rt(
            Prefix::new("2001:db8::/32".parse().unwrap(), Safi::MULTICAST, None),
            false,
            &[32, 0x20, 0x01, 0x0d, 0xb8],
        );
    }

    #[test]
    fn bad_lengths() {
        let mut r = Reader::new(&[33, 1, 2, 3, 4, 5]);
        assert!(Prefix::decode(Afi::IPV4, Safi::UNICAST, &mut r, false).is_err());
        let mut r = Reader::new(&[129]);
        assert!(Prefix::decode(Afi::IPV6, Safi::UNICAST, &mut r, false).is_err());
        let mut r = Reader::new(&[24, 1, 2]);
        assert!(Prefix::decode(Afi::IPV4, Safi::UNICAST, &mut r, false).is_err());
        let mut r = Reader::new(&[0, 0, 1]);
        assert!(Prefix::decode(Afi::IPV4, Safi::UNICAST, &mut r, true).is_err());
    }

    #[test]
    fn exabgp_order() {
        let p = |s: &str, id| Prefix::new(s.parse().unwrap(), Safi::UNICAST, id);
        let mut v = vec![
            p("10.0.0.0/24", None),
            p("9.0.0.0/8", None),
            p("1.0.0.0/24", None),
            p("1.0.0.0/8", Some(1)),
        ];
        v.sort();
        assert_eq!(
            v,
            [
                p("9.0.0.0/8", None),
                p("1.0.0.0/24", None),
                p("10.0.0.0/24", None),
                p("1.0.0.0/8", Some(1))
            ]
        );
    }
}
