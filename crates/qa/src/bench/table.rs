//! A synthetic full table for the receive benchmark: IPv4 prefixes of mixed
//! lengths (mostly /24, some /21 to /25), grouped in runs of 1 to 8 that
//! share an attribute set, about one attribute set per five prefixes, each
//! set with its own ORIGIN, AS_PATH (1 to 7 four-octet ASNs), NEXT_HOP,
//! LOCAL_PREF, sometimes a MED and 0 to 4 COMMUNITIES — the variety a
//! routing-table feed has. Encoded here, independently of ferrobgp's own
//! encoder, as complete UPDATE messages.

use crate::bgp::{self, UPDATE};

/// A deterministic pseudo-random sequence (SplitMix64): the same table on
/// every run, for every daemon.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The prefix lengths, one per prefix in turn.
const LENGTHS: [u8; 10] = [24, 24, 24, 24, 24, 24, 23, 22, 21, 25];

/// The path attributes of attribute set `set` (an iBGP feed: LOCAL_PREF is
/// present).
fn attributes(set: u64) -> Vec<u8> {
    let mut mix = Mix(set.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut out = Vec::with_capacity(64);
    // ORIGIN, well-known mandatory, transitive.
    let origin = [0u8, 0, 0, 0, 0, 0, 1, 2][mix.below(8) as usize];
    out.extend_from_slice(&[0x40, 1, 1, origin]);
    // AS_PATH: one AS_SEQUENCE of 1 to 7 four-octet ASNs.
    let hops = 1 + mix.below(7) as u8;
    out.extend_from_slice(&[0x40, 2, 2 + 4 * hops, 2, hops]);
    for _ in 0..hops {
        let asn = 1 + mix.below(400_000) as u32;
        out.extend_from_slice(&asn.to_be_bytes());
    }
    // NEXT_HOP: one of 64 addresses in 10.0.0.0/26.
    out.extend_from_slice(&[0x40, 3, 4, 10, 0, 0, 1 + mix.below(62) as u8]);
    // MULTI_EXIT_DISC on a third of the sets.
    if mix.below(3) == 0 {
        out.extend_from_slice(&[0x80, 4, 4]);
        out.extend_from_slice(&(mix.below(1000) as u32).to_be_bytes());
    }
    // LOCAL_PREF.
    out.extend_from_slice(&[0x40, 5, 4, 0, 0, 0, 100]);
    // COMMUNITIES: 0 to 4.
    let communities = mix.below(5) as u8;
    if communities > 0 {
        out.extend_from_slice(&[0xC0, 8, 4 * communities]);
        for _ in 0..communities {
            out.extend_from_slice(&(65000 + mix.below(500) as u16).to_be_bytes());
            out.extend_from_slice(&(mix.below(65536) as u16).to_be_bytes());
        }
    }
    out
}

/// Appends prefix `addr/len` in NLRI form.
fn push_prefix(out: &mut Vec<u8>, addr: u32, len: u8) {
    out.push(len);
    out.extend_from_slice(&addr.to_be_bytes()[..usize::from(len).div_ceil(8)]);
}

/// The UPDATE messages announcing `routes` distinct prefixes, concatenated,
/// and the number of UPDATEs.
pub fn updates(routes: u32) -> (Vec<u8>, u32) {
    let sets = u64::from(routes / 5).max(1);
    let mut mix = Mix(0x00F1_EEBB_u64);
    let mut out = Vec::with_capacity(routes as usize * 12);
    let mut count = 0;
    // Prefixes are allocated upwards from 1.0.0.0, each aligned to its size.
    let mut cursor: u32 = 0x0100_0000;
    let mut done = 0u32;
    let mut body = Vec::with_capacity(512);
    while done < routes {
        let run = (1 + mix.below(8) as u32).min(routes - done);
        let attrs = attributes(mix.below(sets));
        body.clear();
        body.extend_from_slice(&[0, 0]);
        body.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
        body.extend_from_slice(&attrs);
        for _ in 0..run {
            let len = LENGTHS[(done % 10) as usize];
            let size = 1u32 << (32 - len);
            cursor = cursor.div_ceil(size) * size;
            push_prefix(&mut body, cursor, len);
            cursor += size;
            done += 1;
        }
        out.extend_from_slice(&bgp::message(UPDATE, &body));
        count += 1;
    }
    (out, count)
}

/// The most routes the plan holds below 224.0.0.0 (about 537 addresses a
/// prefix on average).
pub const MAX_ROUTES: u32 = 6_000_000;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::sink::count_prefixes;
    use crate::bgp::Frame;

    fn split(mut bytes: &[u8]) -> Vec<&[u8]> {
        let mut out = Vec::new();
        while !bytes.is_empty() {
            let Frame::Complete(n) = bgp::frame(bytes) else {
                panic!("not a message");
            };
            out.push(&bytes[..n]);
            bytes = &bytes[n..];
        }
        out
    }

    #[test]
    fn the_table_holds_every_prefix_once_in_valid_updates() {
        let (bytes, count) = updates(10_000);
        let messages = split(&bytes);
        assert_eq!(messages.len(), count as usize);
        let total: u64 = messages.iter().map(|m| count_prefixes(m)).sum();
        assert_eq!(total, 10_000);
        // Runs of 1 to 8 prefixes: about 2,200 UPDATEs for 10,000.
        assert!((1_500..4_000).contains(&count), "{count} UPDATEs");
        let distinct: std::collections::HashSet<&[u8]> = messages
            .iter()
            .map(|m| {
                let attrs = usize::from(u16::from_be_bytes([m[21], m[22]]));
                &m[23..23 + attrs]
            })
            .collect();
        assert!(distinct.len() > 1_000, "{} attribute sets", distinct.len());
    }

    #[test]
    fn the_largest_table_stays_below_class_d() {
        // The allocation cursor after MAX_ROUTES prefixes, computed without
        // encoding them.
        let mut cursor: u64 = 0x0100_0000;
        for done in 0..u64::from(MAX_ROUTES) {
            let size = 1u64 << (32 - LENGTHS[(done % 10) as usize]);
            cursor = cursor.div_ceil(size) * size + size;
        }
        assert!(cursor <= 0xE000_0000, "{cursor:#x}");
    }
}
