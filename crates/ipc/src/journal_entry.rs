//! One entry of the route journal as the supervisor holds it: a few bytes
//! in its peer's arena (about 18 for an IPv4 unicast route) instead of a
//! 64-byte route, its attribute set a number into the journal's pool.
//!
//! Layout: the length of the rest (LEB128), a flags byte (the kind of
//! entry, dead, a watchdog group follows, the NLRI is its key), the
//! watchdog group number (4 bytes little-endian, when flagged: fixed so
//! that numbering the groups again rewrites it in place), the set number
//! (LEB128), the key's length (LEB128) and the key, the NLRI's length
//! and the NLRI (bincode; left out for a prefix, whose NLRI is its key),
//! and the next hop to the end. The key comes whole so that the index
//! compares bytes. The key of a prefix and the common next hops are
//! written by hand ([`put_key`], [`put_next_hop`]: bincode writes a byte at
//! a time, and that was most of the supervisor's time), anything else as
//! bincode behind a tag byte.

use ferrobgp_wire::nlri::{Nlri, NlriKey, Prefix};
use ferrobgp_wire::route::NextHop;
use ferrobgp_wire::Safi;
use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::net::{Ipv4Addr, Ipv6Addr};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Announced = 0,
    /// Announced withdrawn (`withdraw` with `watchdog`).
    AnnouncedWithdrawn = 1,
    Withdrawn = 2,
}

const KIND: u8 = 3;
/// The kind bits of an entry that a later one replaced.
const DEAD: u8 = 3;
const WATCHDOG: u8 = 4;
const NLRI_IS_KEY: u8 = 8;

fn config() -> impl bincode::config::Config {
    bincode::config::standard()
}

fn put_varint(out: &mut Vec<u8>, mut v: usize) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// The number at `*at` in `b`, `*at` moved past it.
fn varint(b: &[u8], at: &mut usize) -> Option<usize> {
    let mut v = 0usize;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*at)?;
        *at += 1;
        v |= usize::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(v);
        }
    }
    None
}

fn bincode_of<T: Serialize>(v: &T, out: &mut Vec<u8>) -> Option<()> {
    bincode::serde::encode_into_std_write(v, out, config()).ok()?;
    Some(())
}

fn value<T: DeserializeOwned>(b: &[u8]) -> Option<T> {
    let (v, used) = bincode::serde::decode_from_slice(b, config()).ok()?;
    (used == b.len()).then_some(v)
}

/// Tag of a part written as bincode.
const BINCODE: u8 = 0;
/// Key tags: a prefix without, or with, a path identifier.
const KEY_PREFIX: u8 = 1;
const KEY_PREFIX_PATH: u8 = 2;
/// Next hop tags.
const HOP_NONE: u8 = 1;
const HOP_V4: u8 = 2;
const HOP_V6: u8 = 3;
const HOP_SELF: u8 = 4;

/// Writes the key of `nlri`: a prefix as its tag, SAFI, prefix length,
/// address (4 or 16 bytes) and path identifier; another kind as bincode.
fn put_key(nlri: &Nlri, out: &mut Vec<u8>) -> Option<()> {
    let Nlri::Prefix(p) = nlri else {
        out.push(BINCODE);
        return bincode_of(&nlri.key(), out);
    };
    out.push(if p.path_id.is_some() {
        KEY_PREFIX_PATH
    } else {
        KEY_PREFIX
    });
    out.push(p.safi.0);
    out.push(p.net.prefix_len());
    match p.net {
        IpNet::V4(n) => out.extend_from_slice(&n.addr().octets()),
        IpNet::V6(n) => out.extend_from_slice(&n.addr().octets()),
    }
    if let Some(id) = p.path_id {
        out.extend_from_slice(&id.to_le_bytes());
    }
    Some(())
}

fn key(b: &[u8]) -> Option<NlriKey> {
    let (&tag, rest) = b.split_first()?;
    let (path_id, rest) = match tag {
        BINCODE => return value(rest),
        KEY_PREFIX => (None, rest),
        KEY_PREFIX_PATH => {
            let (addr, id) = rest.split_at_checked(rest.len().checked_sub(4)?)?;
            (Some(u32::from_le_bytes(id.try_into().ok()?)), addr)
        }
        _ => return None,
    };
    let [safi, len, addr @ ..] = rest else {
        return None;
    };
    let net = match addr.len() {
        4 => IpNet::V4(Ipv4Net::new(Ipv4Addr::from(<[u8; 4]>::try_from(addr).ok()?), *len).ok()?),
        16 => IpNet::V6(Ipv6Net::new(Ipv6Addr::from(<[u8; 16]>::try_from(addr).ok()?), *len).ok()?),
        _ => return None,
    };
    Some(NlriKey::Prefix(Prefix::new(net, Safi(*safi), path_id)))
}

/// Writes `next_hop`: none, an address or `self` as a tag (and the
/// address), another kind as bincode.
fn put_next_hop(next_hop: &NextHop, out: &mut Vec<u8>) -> Option<()> {
    match next_hop {
        NextHop::None => out.push(HOP_NONE),
        NextHop::V4(a) => {
            out.push(HOP_V4);
            out.extend_from_slice(&a.octets());
        }
        NextHop::V6(a) => {
            out.push(HOP_V6);
            out.extend_from_slice(&a.octets());
        }
        NextHop::SelfAddress => out.push(HOP_SELF),
        other => {
            out.push(BINCODE);
            return bincode_of(other, out);
        }
    }
    Some(())
}

fn next_hop(b: &[u8]) -> Option<NextHop> {
    let (&tag, rest) = b.split_first()?;
    Some(match (tag, rest.len()) {
        (BINCODE, _) => value(rest)?,
        (HOP_NONE, 0) => NextHop::None,
        (HOP_V4, 4) => NextHop::V4(Ipv4Addr::from(<[u8; 4]>::try_from(rest).ok()?)),
        (HOP_V6, 16) => NextHop::V6(Ipv6Addr::from(<[u8; 16]>::try_from(rest).ok()?)),
        (HOP_SELF, 0) => NextHop::SelfAddress,
        _ => return None,
    })
}

/// Buffers reused from entry to entry.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scratch {
    key: Vec<u8>,
    body: Vec<u8>,
}

/// Appends the entry of a route to `out`; None (nothing appended) when a
/// part does not encode.
pub(crate) fn encode(
    out: &mut Vec<u8>,
    scratch: &mut Scratch,
    kind: Kind,
    watchdog: u32,
    set: u32,
    nlri: &Nlri,
    next_hop: &NextHop,
) -> Option<()> {
    let Scratch { key, body } = scratch;
    key.clear();
    body.clear();
    let is_key = matches!(nlri, Nlri::Prefix(_));
    put_key(nlri, key)?;
    let mut flags = kind as u8;
    if watchdog != 0 {
        flags |= WATCHDOG;
    }
    if is_key {
        flags |= NLRI_IS_KEY;
    }
    body.push(flags);
    if watchdog != 0 {
        body.extend_from_slice(&watchdog.to_le_bytes());
    }
    put_varint(body, set as usize);
    put_varint(body, key.len());
    body.extend_from_slice(key);
    if !is_key {
        key.clear();
        bincode_of(nlri, key)?;
        put_varint(body, key.len());
        body.extend_from_slice(key);
    }
    put_next_hop(next_hop, body)?;
    put_varint(out, body.len());
    out.extend_from_slice(body);
    Some(())
}

/// An entry read in place.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry<'a> {
    /// Bytes the whole entry takes.
    pub len: usize,
    /// Where its flags byte is, from the entry's start.
    flags_at: usize,
    flags: u8,
    pub watchdog: u32,
    pub set: u32,
    pub key: &'a [u8],
    nlri: Option<&'a [u8]>,
    next_hop: &'a [u8],
}

impl<'a> Entry<'a> {
    /// The entry at `at` in `arena`.
    pub(crate) fn at(arena: &'a [u8], at: usize) -> Option<Entry<'a>> {
        let mut p = at;
        let body_len = varint(arena, &mut p)?;
        let flags_at = p - at;
        let body = arena.get(p..p.checked_add(body_len)?)?;
        let flags = *body.first()?;
        let mut q = 1;
        let mut watchdog = 0;
        if flags & WATCHDOG != 0 {
            watchdog = u32::from_le_bytes(body.get(1..5)?.try_into().ok()?);
            q = 5;
        }
        let set = u32::try_from(varint(body, &mut q)?).ok()?;
        let key_len = varint(body, &mut q)?;
        let key = body.get(q..q.checked_add(key_len)?)?;
        q += key_len;
        let mut nlri = None;
        if flags & NLRI_IS_KEY == 0 {
            let n = varint(body, &mut q)?;
            nlri = Some(body.get(q..q.checked_add(n)?)?);
            q += n;
        }
        Some(Entry {
            len: flags_at + body_len,
            flags_at,
            flags,
            watchdog,
            set,
            key,
            nlri,
            next_hop: body.get(q..)?,
        })
    }

    pub(crate) fn is_dead(&self) -> bool {
        self.flags & KIND == DEAD
    }

    pub(crate) fn kind(&self) -> Kind {
        match self.flags & KIND {
            0 => Kind::Announced,
            1 => Kind::AnnouncedWithdrawn,
            _ => Kind::Withdrawn,
        }
    }

    /// The route's key, decoded.
    pub(crate) fn key(&self) -> Option<NlriKey> {
        key(self.key)
    }

    /// The route's key, NLRI and next hop, decoded.
    pub(crate) fn decode(&self) -> Option<(NlriKey, Nlri, NextHop)> {
        let key = key(self.key)?;
        let nlri = match (self.nlri, &key) {
            (None, NlriKey::Prefix(p)) => Nlri::Prefix(*p),
            (None, NlriKey::Other { .. }) => return None,
            (Some(b), _) => value(b)?,
        };
        Some((key, nlri, next_hop(self.next_hop)?))
    }
}

/// Marks the entry at `at` dead (a later one replaced it).
pub(crate) fn kill(arena: &mut [u8], at: usize) {
    if let Some(e) = Entry::at(arena, at) {
        let f = at + e.flags_at;
        arena[f] |= DEAD;
    }
}

/// Writes `watchdog` as the group number of the entry at `at`, when it
/// has one.
pub(crate) fn renumber(arena: &mut [u8], at: usize, watchdog: u32) {
    if let Some(e) = Entry::at(arena, at).filter(|e| e.flags & WATCHDOG != 0) {
        let w = at + e.flags_at + 1;
        arena[w..w + 4].copy_from_slice(&watchdog.to_le_bytes());
    }
}

/// The entries of `arena` with where each starts, dead ones included.
pub(crate) fn entries(arena: &[u8]) -> impl Iterator<Item = (usize, Entry<'_>)> {
    let mut at = 0;
    std::iter::from_fn(move || {
        let e = Entry::at(arena, at)?;
        let here = at;
        at += e.len;
        Some((here, e))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::nlri::Prefix;

    fn check(nlri: Nlri, next_hop: NextHop, kind: Kind, watchdog: u32, set: u32) {
        let mut arena = vec![7u8; 3];
        let mut s = Scratch::default();
        encode(&mut arena, &mut s, kind, watchdog, set, &nlri, &next_hop).expect("encodes");
        let e = Entry::at(&arena, 3).expect("reads");
        assert_eq!(e.len, arena.len() - 3);
        assert_eq!((e.kind(), e.watchdog, e.set), (kind, watchdog, set));
        assert!(!e.is_dead());
        let key = nlri.key();
        assert_eq!(e.decode(), Some((key, nlri, next_hop)));
        if watchdog != 0 {
            renumber(&mut arena, 3, 77);
            assert_eq!(Entry::at(&arena, 3).unwrap().watchdog, 77);
        }
        kill(&mut arena, 3);
        assert!(Entry::at(&arena, 3).unwrap().is_dead());
    }

    #[test]
    fn entries_read_back_as_written() {
        let p4 = Prefix::unicast("10.1.2.0/24".parse().unwrap());
        let p6 = Prefix::new(
            "2001:db8::/32".parse().unwrap(),
            ferrobgp_wire::Safi::UNICAST,
            Some(9),
        );
        let nh = NextHop::V4("192.0.2.1".parse().unwrap());
        check(Nlri::Prefix(p4), nh.clone(), Kind::Announced, 0, 0);
        check(
            Nlri::Prefix(p6),
            NextHop::SelfAddress,
            Kind::AnnouncedWithdrawn,
            3,
            300,
        );
        check(Nlri::Prefix(p4), NextHop::None, Kind::Withdrawn, 0, 1 << 20);
        let unknown = Nlri::Unknown(ferrobgp_wire::nlri::UnknownNlri {
            family: ferrobgp_wire::Family::new(
                ferrobgp_wire::family::Afi::IPV4,
                ferrobgp_wire::Safi(99),
            ),
            bytes: vec![1u8; 300].into(),
        });
        check(unknown, nh, Kind::Announced, 1, 2);
        let ll = NextHop::v6_link_local("2001:db8::1".parse().unwrap(), "fe80::1".parse().unwrap());
        check(Nlri::Prefix(p6), ll, Kind::Withdrawn, 0, 4);
        let v6 = NextHop::V6("2001:db8::1".parse().unwrap());
        let m4 = Prefix::new(
            "224.1.0.0/16".parse().unwrap(),
            ferrobgp_wire::Safi::MULTICAST,
            Some(0),
        );
        check(Nlri::Prefix(m4), v6, Kind::Announced, 0, 0);
    }

    #[test]
    fn a_cut_entry_does_not_read() {
        let mut arena = Vec::new();
        let p4 = Prefix::unicast("10.1.2.0/24".parse().unwrap());
        let nh = NextHop::V4("192.0.2.1".parse().unwrap());
        encode(
            &mut arena,
            &mut Scratch::default(),
            Kind::Announced,
            5,
            1,
            &Nlri::Prefix(p4),
            &nh,
        )
        .unwrap();
        for cut in 0..arena.len() {
            assert!(Entry::at(&arena[..cut], 0).is_none(), "cut at {cut}");
        }
    }
}
