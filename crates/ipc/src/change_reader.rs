//! A reader of the commonest [`Change`]s of a changes frame written by
//! hand for bincode's layout: an announcement, withdrawal or re-send of an
//! IP prefix with no next hop, an IPv4 or IPv6 one, or `self`. Through
//! serde each took a dozen calls (the variant, the NLRI, the prefix and its
//! network, the next hop, the index), and the worker reads every change
//! twice (checking the frame, then packing it): that was about half of
//! its time on a first table. Anything else, or anything this reader does
//! not take, is left to bincode, so what it returns is always what bincode
//! would (`tests` hold it to that, on valid and on broken bytes).
//!
//! The layout (bincode's standard configuration: integers as varints, a
//! `u8` as itself, an enum as its variant index then its fields, a tuple
//! as its elements): the change's variant (0 announce, 1 withdraw, 5
//! re-send), the NLRI's (0 prefix), the prefix's SAFI, its network's
//! variant (0 IPv4: 4 address bytes and the length; 1 IPv6: 16 and the
//! length), its path identifier (0, or 1 and the number), the next hop's
//! variant (0 none, 1 IPv4 and 4 bytes, 2 IPv6 and 16, 4 `self`), the set
//! index.

use crate::messages::Change;
use ferrobgp_wire::nlri::{Nlri, Prefix};
use ferrobgp_wire::route::NextHop;
use ferrobgp_wire::Safi;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use std::net::{Ipv4Addr, Ipv6Addr};

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    fn byte(&mut self) -> Option<u8> {
        let v = *self.b.get(self.at)?;
        self.at += 1;
        Some(v)
    }

    fn bytes<const N: usize>(&mut self) -> Option<[u8; N]> {
        let v = self
            .b
            .get(self.at..self.at.checked_add(N)?)?
            .try_into()
            .ok()?;
        self.at += N;
        Some(v)
    }

    /// A `u32` varint: below 251 the byte itself, 251 then 2 bytes, 252
    /// then 4 (little-endian); a wider form is left to bincode.
    fn u32(&mut self) -> Option<u32> {
        match self.byte()? {
            b @ 0..=250 => Some(u32::from(b)),
            251 => Some(u32::from(u16::from_le_bytes(self.bytes()?))),
            252 => Some(u32::from_le_bytes(self.bytes()?)),
            _ => None,
        }
    }

    fn prefix(&mut self) -> Option<Prefix> {
        if self.u32()? != 0 {
            return None;
        }
        let safi = Safi(self.byte()?);
        let net = match self.u32()? {
            0 => {
                let addr = Ipv4Addr::from(self.bytes::<4>()?);
                IpNet::V4(Ipv4Net::new(addr, self.byte()?).ok()?)
            }
            1 => {
                let addr = Ipv6Addr::from(self.bytes::<16>()?);
                IpNet::V6(Ipv6Net::new(addr, self.byte()?).ok()?)
            }
            _ => return None,
        };
        let path_id = match self.byte()? {
            0 => None,
            1 => Some(self.u32()?),
            _ => return None,
        };
        Some(Prefix::new(net, safi, path_id))
    }

    fn next_hop(&mut self) -> Option<NextHop> {
        Some(match self.u32()? {
            0 => NextHop::None,
            1 => NextHop::V4(Ipv4Addr::from(self.bytes::<4>()?)),
            2 => NextHop::V6(Ipv6Addr::from(self.bytes::<16>()?)),
            4 => NextHop::SelfAddress,
            _ => return None,
        })
    }
}

/// The change at `at` in `body` and where the next one starts, when it
/// is one of the forms this module reads; None otherwise (read it with
/// bincode).
pub(crate) fn prefix_change(body: &[u8], at: usize) -> Option<(Change, usize)> {
    let mut r = Reader { b: body, at };
    let variant = r.u32()?;
    if !matches!(variant, 0 | 1 | 5) {
        return None;
    }
    let nlri = Nlri::Prefix(r.prefix()?);
    let next_hop = r.next_hop()?;
    let attributes = r.u32()?;
    Some((of_variant(variant, nlri, next_hop, attributes), r.at))
}

/// The route change of bincode's `variant` number (0 announce, 1
/// withdraw, else resend).
fn of_variant(variant: u32, nlri: Nlri, next_hop: NextHop, attributes: u32) -> Change {
    match variant {
        0 => Change::Announce {
            nlri,
            next_hop,
            attributes,
        },
        1 => Change::Withdraw {
            nlri,
            next_hop,
            attributes,
        },
        _ => Change::Resend {
            nlri,
            next_hop,
            attributes,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::bincode_config;
    use ferrobgp_wire::Family;

    fn encoded(c: &Change) -> Vec<u8> {
        bincode::serde::encode_to_vec(c, bincode_config()).expect("encodes")
    }

    /// What bincode reads at the start of `b`, and how far.
    fn bincode_reads(b: &[u8]) -> Option<(Change, usize)> {
        bincode::serde::decode_from_slice(b, bincode_config()).ok()
    }

    fn changes() -> Vec<Change> {
        let v4 = |s: &str, path: Option<u32>| {
            let mut p = Prefix::unicast(s.parse().unwrap());
            p.path_id = path;
            Nlri::Prefix(p)
        };
        let hops = [
            NextHop::None,
            NextHop::V4("192.0.2.1".parse().unwrap()),
            NextHop::V6("2001:db8::1".parse().unwrap()),
            NextHop::SelfAddress,
            NextHop::v6_link_local("2001:db8::1".parse().unwrap(), "fe80::1".parse().unwrap()),
            NextHop::Other(vec![1, 2, 3].into()),
        ];
        let nlris = [
            v4("10.0.0.0/8", None),
            v4("0.0.0.0/0", Some(0)),
            v4("192.0.2.0/24", Some(300)),
            v4("2001:db8::/32", Some(70_000)),
            Nlri::Prefix(Prefix::new(
                "224.0.0.0/4".parse().unwrap(),
                Safi::MULTICAST,
                Some(u32::MAX),
            )),
        ];
        let mut out = Vec::new();
        for (i, nlri) in nlris.iter().enumerate() {
            for (j, next_hop) in hops.iter().enumerate() {
                let attributes = [0, 250, 251, 65_535, 65_536, u32::MAX][(i + j) % 6];
                let variant = [0, 1, 5][j % 3];
                out.push(of_variant(
                    variant,
                    nlri.clone(),
                    next_hop.clone(),
                    attributes,
                ));
            }
        }
        out.push(Change::Eor(Family::IPV4_UNICAST));
        out
    }

    #[test]
    fn reads_what_bincode_reads_or_leaves_it() {
        let mut read = 0;
        for c in changes() {
            let mut b = vec![9u8; 2];
            b.extend(encoded(&c));
            b.push(7);
            match prefix_change(&b, 2) {
                Some((got, end)) => {
                    read += 1;
                    assert_eq!(got, c);
                    assert_eq!(end, b.len() - 1);
                }
                None => assert!(
                    !matches!(
                        &c,
                        Change::Announce { next_hop, .. }
                        | Change::Withdraw { next_hop, .. }
                        | Change::Resend { next_hop, .. }
                        if matches!(next_hop, NextHop::None | NextHop::V4(_)
                            | NextHop::V6(_) | NextHop::SelfAddress)
                    ),
                    "{c:?} left to bincode"
                ),
            }
        }
        assert_eq!(read, 20);
    }

    /// Cut or with any byte changed, what it reads is what bincode reads.
    #[test]
    fn broken_bytes_read_as_bincode_reads_them() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for c in changes() {
            let whole = encoded(&c);
            for cut in 0..whole.len() {
                if let Some(got) = prefix_change(&whole[..cut], 0) {
                    assert_eq!(Some(got), bincode_reads(&whole[..cut]));
                }
            }
            for _ in 0..200 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let mut b = whole.clone();
                let i = (x % b.len() as u64) as usize;
                b[i] = (x >> 32) as u8;
                if let Some(got) = prefix_change(&b, 0) {
                    assert_eq!(Some(got), bincode_reads(&b), "{b:?}");
                }
            }
        }
    }
}
