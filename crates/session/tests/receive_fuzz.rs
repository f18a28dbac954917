//! The worker's receive path under fuzz, in-process: the bytes a peer sends
//! on an established session go through exactly what the worker runs
//! (`receive::next`: framer -> decode with the negotiated context -> the
//! RFC 7606 verdict; `received::warnings`; the routes the rib takes from
//! the UPDATE, `Received::changes`), without the sockets.
//!
//! Each execution opens a session as the worker does (the peer's OPEN and
//! KEEPALIVE decoded with the standalone context, then our OPEN negotiated
//! against it: every family, 4-octet AS, extended message), then
//! sends one to eight messages taken from the project's decoded corpora
//! (the conformance suite's UPDATEs, the RFC examples and real captures of
//! `crates/wire/tests`), each corrupted or not (bit flips, bytes set,
//! truncated or extended bodies with the header length kept consistent,
//! random bytes, a broken header), the whole stream cut at random read
//! boundaries. Asserted for every message: no panic; the framer holds less
//! than one maximum message once drained; memory stays bounded (a counting
//! allocator: at most 64 MiB live during one execution); an UPDATE that
//! decodes has no verdict or one of RFC 7606's outcomes short of a session
//! reset (treat-as-withdraw, attribute discard, NLRI discard), warnings
//! exactly when it has one, and under treat-as-withdraw the rib gets
//! withdrawals only; every NOTIFICATION that ends the session is one RFC
//! 4271 / 7313 defines for that message (header 1/1-1/3, a length below
//! the type's minimum 1/2, OPEN 2/x, UPDATE 3/1-3/11 but 3/7, ROUTE-REFRESH
//! 7/1; ExaBGP's 5/0 for an OPERATIONAL, whose draft defines none), and the
//! stream stops there as the session does.
//!
//! Bounded by time: `FERROBGP_RECEIVE_FUZZ_SECS` (default 3 s), from the
//! seed `FERROBGP_RECEIVE_FUZZ_SEED` (default fixed, so a run is
//! reproducible for a given number of executions). It prints the number of
//! executions and the outcomes seen (`--nocapture`).

#[allow(dead_code)]
mod common;

use ferrobgp_session::encode;
use ferrobgp_session::receive::{self, Outcome, Step};
use ferrobgp_session::received;
use ferrobgp_wire::message::{Framer, Message, OpenConfig};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::route::RouteChange;
use ferrobgp_wire::update::{Context, Verdict};
use ferrobgp_wire::Family;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Counts live heap bytes and the peak since the last reset.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Live heap growth allowed during one execution.
const MEMORY_BOUND: usize = 64 << 20;

/// xorshift64*: small, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn unhex(s: &str) -> Vec<u8> {
    let d: Vec<u8> = s
        .bytes()
        .filter(u8::is_ascii_hexdigit)
        .map(|c| (c as char).to_digit(16).unwrap() as u8)
        .collect();
    d.chunks(2).map(|p| p[0] << 4 | p[1]).collect()
}

/// Every whole message (`"hex": "FFFF..."`) of the wire crate's corpora.
fn seeds() -> Vec<Vec<u8>> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../wire/tests");
    let mut out = Vec::new();
    for dir in ["golden", "data"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for part in text.split("\"hex\": \"").skip(1) {
                let hex = &part[..part.find('"').unwrap_or(0)];
                if hex.len() >= 38 && hex.starts_with("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF") {
                    out.push(unhex(hex));
                }
            }
        }
    }
    out
}

/// Sets the header's length field to the message's length.
fn fix_length(m: &mut [u8]) {
    if m.len() >= 19 {
        let len = u16::try_from(m.len()).unwrap_or(u16::MAX);
        m[16..18].copy_from_slice(&len.to_be_bytes());
    }
}

/// One message, corrupted or not.
fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut m = seed.to_vec();
    if rng.chance(4) {
        return m;
    }
    for _ in 0..1 + rng.below(3) {
        let body = 19..m.len().max(20);
        match rng.below(8) {
            // flip bits in the body
            0 | 1 => {
                if m.len() > 19 {
                    let i = 19 + rng.below(m.len() - 19);
                    m[i] ^= 1 << rng.below(8);
                }
            }
            // set a body byte to a boundary value
            2 => {
                if m.len() > 19 {
                    let i = 19 + rng.below(m.len() - 19);
                    m[i] = [0, 1, 0x7f, 0x80, 0xfe, 0xff][rng.below(6)];
                }
            }
            // cut the body, header length kept consistent
            3 => {
                m.truncate(19 + rng.below(body.len()));
                fix_length(&mut m);
            }
            // insert random bytes, header length kept consistent
            4 => {
                let at = 19 + rng.below(m.len().saturating_sub(19) + 1).min(m.len() - 19);
                let n = 1 + rng.below(16);
                let extra: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                m.splice(at..at, extra);
                fix_length(&mut m);
            }
            // the header: length or type
            5 => {
                if rng.chance(2) {
                    m[16..18].copy_from_slice(&(rng.next() as u16).to_be_bytes());
                } else {
                    m[18] = rng.next() as u8;
                }
            }
            // a marker byte
            6 => {
                let i = rng.below(16);
                m[i] = rng.next() as u8;
            }
            // random bytes after a valid header
            _ => {
                let n = rng.below(64);
                m.truncate(19);
                m.extend((0..n).map(|_| rng.next() as u8));
                fix_length(&mut m);
            }
        }
    }
    m
}

fn our_open_config() -> OpenConfig {
    OpenConfig {
        local_as: 1,
        hold_time: 180,
        router_id: Ipv4Addr::new(1, 2, 3, 4),
        families: Family::ALL_KNOWN.to_vec(),
        ..OpenConfig::default()
    }
}

/// What one execution saw.
#[derive(Default)]
struct Tally {
    outcomes: BTreeMap<String, u64>,
}

impl Tally {
    fn see(&mut self, what: String) {
        *self.outcomes.entry(what).or_default() += 1;
    }
}

fn rfc_notification(code: u8, subcode: u8) -> bool {
    match code {
        1 => (1..=3).contains(&subcode),
        2 => subcode <= 11,
        3 => (1..=11).contains(&subcode) && subcode != 7,
        7 => subcode == 1,
        5 => subcode == 0,
        _ => false,
    }
}

/// One execution: the session opened, then `messages` cut at random
/// boundaries.
fn execute(
    rng: &mut Rng,
    peer_open: &[u8],
    ctx: &Context,
    max_size: usize,
    messages: &[Vec<u8>],
    tally: &mut Tally,
) -> Result<(), String> {
    // the OPEN exchange, as the worker reads it before negotiating
    let mut framer = Framer::default();
    let standalone = Context::from(&Negotiated::standalone());
    framer.feed(peer_open);
    match receive::next(&mut framer, &standalone, false) {
        Some(Step::Message(_, Outcome::Open(_))) => {}
        other => return Err(format!("the peer's OPEN: {other:?}")),
    }
    framer.set_max_size(max_size);
    let stream: Vec<u8> = messages.concat();
    let mut at = 0;
    while at < stream.len() {
        let n = if rng.chance(3) {
            1 + rng.below(8)
        } else {
            1 + rng.below(stream.len() - at)
        };
        let chunk = &stream[at..(at + n).min(stream.len())];
        at += chunk.len();
        framer.feed(chunk);
        while let Some(step) = receive::next(&mut framer, ctx, false) {
            match step {
                Step::Broken(n) => {
                    if n.code != 1 || !rfc_notification(n.code, n.subcode) {
                        return Err(format!("framing: NOTIFICATION {}/{}", n.code, n.subcode));
                    }
                    tally.see(format!("broken {}/{}", n.code, n.subcode));
                    return Ok(());
                }
                Step::Message(fr, Outcome::Fatal(n)) => {
                    let expected_code = match fr.kind {
                        1 => 2,
                        2 => 3,
                        5 => 7,
                        // OPERATIONAL (draft-ietf-idr-operational-message
                        // defines no error): ExaBGP's 5/0
                        6 => 5,
                        _ => 1,
                    };
                    // 1/2: a length below the type's minimum (RFC 4271 6.1)
                    let length = (n.code, n.subcode) == (1, 2);
                    if !(n.code == expected_code || length) || !rfc_notification(n.code, n.subcode)
                    {
                        return Err(format!(
                            "message type {}: NOTIFICATION {}/{}",
                            fr.kind, n.code, n.subcode
                        ));
                    }
                    tally.see(format!("fatal {}/{}", n.code, n.subcode));
                    return Ok(());
                }
                Step::Message(fr, Outcome::Update(u)) => {
                    let verdict = u.received.verdict().cloned();
                    let warnings = received::warnings(&u.received, &fr.body);
                    if warnings.is_empty() != verdict.is_none() {
                        return Err(format!("verdict {verdict:?} but warnings {warnings:?}"));
                    }
                    let changes = u.received.changes();
                    match &verdict {
                        None => tally.see("update clean".into()),
                        Some(Verdict::SessionReset(n)) => {
                            return Err(format!(
                                "a decoded UPDATE with a session reset {}/{}",
                                n.code, n.subcode
                            ))
                        }
                        Some(Verdict::TreatAsWithdraw) => {
                            if changes
                                .iter()
                                .any(|c| matches!(c, RouteChange::Announce(_)))
                            {
                                return Err("treat-as-withdraw announces a route".into());
                            }
                            tally.see("update treat-as-withdraw".into());
                        }
                        Some(v) => tally.see(format!("update {v:?}")),
                    }
                }
                Step::Message(_, o) => tally.see(
                    format!("{o:?}")
                        .split(['(', ' ', '{'])
                        .next()
                        .unwrap_or("")
                        .to_string(),
                ),
            }
            if framer.buffered() >= max_size {
                return Err(format!("{} bytes left buffered", framer.buffered()));
            }
        }
    }
    Ok(())
}

#[test]
fn the_receive_path_survives_corrupted_streams() {
    let secs: u64 = std::env::var("FERROBGP_RECEIVE_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let seed: u64 = std::env::var("FERROBGP_RECEIVE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_f00d);
    let seeds = seeds();
    assert!(seeds.len() > 200, "only {} seed messages", seeds.len());

    // the session: our OPEN negotiated against the peer's, as the worker
    let ours = our_open_config();
    let mut peer_cfg = ours.clone();
    peer_cfg.router_id = Ipv4Addr::new(5, 6, 7, 8);
    let peer = peer_cfg.build().unwrap();
    let peer_open = Message::Open(peer.clone()).encode(4096).unwrap();
    let neg = ours.negotiate(&peer, Some(1)).unwrap();
    let mut cfg = common::config(179, 180, 1);
    cfg.open = ours.clone();
    let ctx = encode::context(&neg, &cfg, None);
    let max_size = received::max_receive_size(Some(&ours.build().unwrap()), &neg);
    assert_eq!(max_size, 65535);

    let mut rng = Rng(seed | 1);
    let mut tally = Tally::default();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut executions = 0u64;
    while executions == 0 || Instant::now() < deadline {
        let messages: Vec<Vec<u8>> = (0..1 + rng.below(8))
            .map(|_| {
                if rng.chance(40) {
                    // arbitrary bytes
                    (0..rng.below(128)).map(|_| rng.next() as u8).collect()
                } else {
                    let s = &seeds[rng.below(seeds.len())];
                    mutate(&mut rng, s)
                }
            })
            .collect();
        let base = LIVE.load(Ordering::Relaxed);
        PEAK.store(base, Ordering::Relaxed);
        let result = execute(&mut rng, &peer_open, &ctx, max_size, &messages, &mut tally);
        let grown = PEAK.load(Ordering::Relaxed).saturating_sub(base);
        let stream = || -> String {
            messages
                .concat()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect()
        };
        if let Err(why) = result {
            panic!("execution {executions}: {why}\nstream: {}", stream());
        }
        assert!(
            grown <= MEMORY_BOUND,
            "execution {executions}: {grown} bytes of heap\nstream: {}",
            stream()
        );
        executions += 1;
    }
    println!("receive path: {executions} executions in {secs} s (seed {seed})");
    for (what, n) in &tally.outcomes {
        println!("  {what}: {n}");
    }
    // the corpus reaches every kind of outcome
    for want in [
        "update clean",
        "update treat-as-withdraw",
        "fatal 3/",
        "fatal 1/",
        "broken 1/",
    ] {
        assert!(
            tally.outcomes.keys().any(|k| k.starts_with(want)),
            "never reached {want:?}: {:?}",
            tally.outcomes
        );
    }
}
