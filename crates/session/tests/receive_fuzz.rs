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
//! `crates/wire/tests`) and from the committed corpus below, each corrupted or not (bit flips, bytes set,
//! truncated or extended bodies with the header length kept consistent,
//! random bytes, a broken header), the whole stream cut at random read
//! boundaries. Asserted for every message: no panic; the framer holds less
//! than one maximum message once drained; memory stays bounded (a counting
//! allocator: at most 64 MiB live during one execution); an UPDATE that
//! decodes has no verdict or one of RFC 7606's outcomes short of a session
//! reset (treat-as-withdraw, attribute discard, NLRI discard), warnings
//! exactly when it has one, and under treat-as-withdraw the rib gets
//! withdrawals only, of exactly the routes the UPDATE carries (withdrawn
//! routes and NLRI, MP_UNREACH and MP_REACH in their families); every NOTIFICATION that ends the session is one RFC
//! 4271 / 7313 defines for that message (header 1/1-1/3, a length below
//! the type's minimum 1/2, OPEN 2/x, UPDATE 3/1-3/11 but 3/7, ROUTE-REFRESH
//! 7/1; ExaBGP's 5/0 for an OPERATIONAL, whose draft defines none), and the
//! stream stops there as the session does.
//!
//! Bounded by time: `FERROBGP_RECEIVE_FUZZ_SECS` (default 3 s), from the
//! seed `FERROBGP_RECEIVE_FUZZ_SEED` (default fixed, so a run is
//! reproducible for a given number of executions). It prints the number of
//! executions and the outcomes seen (`--nocapture`).
//!
//! The committed corpus, `tests/receive_corpus/`: `inputs/<FNV-1a 64 of
//! the bytes>` are byte streams sent after the OPEN exchange (mostly one
//! message each), kept by a fuzz run because each reached a feature no
//! earlier input had (an outcome, the families of a clean UPDATE, an RFC
//! 7606 malformation by verdict, attribute, family and reason, a
//! NOTIFICATION by message type); `outcomes.txt` holds what each must come
//! to (the outcome of every message, with the verdict and the attribute or
//! family of every malformation). `the_committed_corpus_replays` runs them
//! all, fed whole and cut at random boundaries, with every check above,
//! and compares with `outcomes.txt`. `FERROBGP_RECEIVE_CORPUS_ADD=1` on a
//! fuzz run adds the inputs that reach a new feature;
//! `FERROBGP_RECEIVE_CORPUS_BLESS=1` on the replay rewrites `outcomes.txt`
//! after a deliberate change of verdicts (review its diff); it still fails
//! on any failed invariant, rewriting nothing then.
//!
//! `outcomes.txt` records ferrobgp's own verdicts: it is a regression
//! snapshot (a change of outcome must be deliberate), not an independent
//! oracle. The independent checks are the invariants above (no panic,
//! bounded memory and buffer, RFC 7606 outcomes short of a reset with
//! warnings exactly then, treat-as-withdraw withdrawing exactly the
//! UPDATE's routes, NOTIFICATIONs RFC 4271 / 7313 define for the message).

#[allow(dead_code)]
mod common;

use ferrobgp_session::encode;
use ferrobgp_session::receive::{self, Outcome, Step};
use ferrobgp_session::received;
use ferrobgp_wire::message::{Framer, Message, OpenConfig, UpdateMessage};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::route::RouteChange;
use ferrobgp_wire::update::{Context, Verdict};
use ferrobgp_wire::Family;
use std::alloc::{GlobalAlloc, Layout, System};
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
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

/// What the fuzz run saw, by outcome.
#[derive(Default)]
struct Tally {
    outcomes: BTreeMap<String, u64>,
}

impl Tally {
    fn see(&mut self, what: &str) {
        *self.outcomes.entry(what.to_string()).or_default() += 1;
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

/// The established session the streams are sent on.
struct Session {
    peer_open: Vec<u8>,
    ctx: Context,
    max_size: usize,
}

/// Our OPEN negotiated against the peer's, as the worker does.
fn session() -> Session {
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
    Session {
        peer_open,
        ctx,
        max_size,
    }
}

/// What one message of a stream came to.
#[derive(Debug)]
struct Seen {
    /// Where its bytes are in the stream.
    range: Range<usize>,
    /// Its outcome, as the tally counts it.
    outcome: String,
    /// What the committed corpus expects of it: the outcome with the
    /// verdict and the attribute or family of every malformation.
    expect: String,
    /// What makes an input new to the corpus.
    features: Vec<String>,
}

fn verdict_name(v: &Verdict) -> &'static str {
    match v {
        Verdict::TreatAsWithdraw => "treat-as-withdraw",
        Verdict::AttributeDiscard => "attribute-discard",
        Verdict::NlriDiscard => "nlri-discard",
        Verdict::SessionReset(_) => "session-reset",
    }
}

/// A reason or family without its numbers (lengths, values, the bytes of
/// an NLRI, unknown AFI/SAFI codes), so that one kind of malformation is
/// one feature.
fn without_numbers(s: &str) -> String {
    s.split(' ')
        .filter(|w| {
            let w = w.trim_end_matches(':');
            !(w.starts_with("0x") || (w.len() > 2 && w.bytes().all(|b| b.is_ascii_hexdigit())))
        })
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_ascii_digit())
        .collect()
}

/// What one UPDATE that decoded came to, after the checks.
fn update_seen(u: &UpdateMessage, body: &[u8], range: Range<usize>) -> Result<Seen, String> {
    let verdict = u.received.verdict().cloned();
    let warnings = received::warnings(&u.received, body);
    if warnings.is_empty() != verdict.is_none() {
        return Err(format!("verdict {verdict:?} but warnings {warnings:?}"));
    }
    let changes = u.received.changes();
    let outcome = match &verdict {
        None => "update clean".to_string(),
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
            // and withdraws exactly every route the UPDATE carries, each
            // in the family the UPDATE gives it (RFC 7606 2)
            let up = &u.received.update;
            let mut want: Vec<(String, String)> = up
                .withdrawn
                .iter()
                .chain(&up.nlri)
                .map(|n| (Family::IPV4_UNICAST.to_string(), format!("{n:?}")))
                .chain(up.mp_unreach.iter().flat_map(|m| {
                    m.nlri
                        .iter()
                        .map(|n| (m.family.to_string(), format!("{n:?}")))
                }))
                .chain(up.mp_reach.iter().flat_map(|m| {
                    m.nlri
                        .iter()
                        .map(|n| (m.family.to_string(), format!("{n:?}")))
                }))
                .collect();
            let mut got: Vec<(String, String)> = changes
                .iter()
                .map(|c| {
                    let n = &c.route().nlri;
                    (n.family().to_string(), format!("{n:?}"))
                })
                .collect();
            want.sort();
            got.sort();
            if got != want {
                return Err(format!(
                    "treat-as-withdraw withdraws {got:?}, the UPDATE carries {want:?}"
                ));
            }
            "update treat-as-withdraw".to_string()
        }
        Some(v) => format!("update {v:?}"),
    };
    let up = &u.received.update;
    let families: BTreeSet<String> = up
        .mp_reach
        .iter()
        .map(|r| r.family.to_string())
        .chain(up.mp_unreach.iter().map(|r| r.family.to_string()))
        .chain(
            (!up.nlri.is_empty() || !up.withdrawn.is_empty())
                .then(|| Family::IPV4_UNICAST.to_string()),
        )
        .collect();
    let families = families.into_iter().collect::<Vec<_>>().join(",");
    let mut features = vec![format!("{outcome} [{}]", without_numbers(&families))];
    let mut expect = outcome.clone();
    for m in &u.received.malformations {
        let what = match (m.attribute, m.family) {
            (Some(c), Some(f)) => format!("attribute {c} {f}"),
            (Some(c), None) => format!("attribute {c}"),
            (None, Some(f)) => f.to_string(),
            (None, None) => "update".to_string(),
        };
        let key = format!("{} {what}", verdict_name(&m.verdict));
        // codes above 40 (BGP Prefix-SID, the highest this project reads)
        // are one feature
        let code = match m.attribute {
            Some(c) if c > 40 => "attribute other".to_string(),
            Some(c) => format!("attribute {c}"),
            None => String::new(),
        };
        features.push(format!(
            "{} {code} {}: {}",
            verdict_name(&m.verdict),
            m.family.map(|f| f.to_string()).unwrap_or_default(),
            without_numbers(&m.reason)
        ));
        expect.push_str(&format!("; {key}"));
    }
    Ok(Seen {
        range,
        outcome,
        expect,
        features,
    })
}

/// The session opened, then `stream` fed in the pieces `cut` chooses (it
/// is given the bytes left and returns how many to feed). What every
/// message came to, up to the NOTIFICATION that ends the session if one
/// does; an error names the check that failed.
fn execute(
    cut: &mut dyn FnMut(usize) -> usize,
    s: &Session,
    stream: &[u8],
) -> Result<Vec<Seen>, String> {
    // the OPEN exchange, as the worker reads it before negotiating
    let mut framer = Framer::default();
    let standalone = Context::from(&Negotiated::standalone());
    framer.feed(&s.peer_open);
    match receive::next(&mut framer, &standalone, false) {
        Some(Step::Message(_, Outcome::Open(_))) => {}
        other => return Err(format!("the peer's OPEN: {other:?}")),
    }
    framer.set_max_size(s.max_size);
    let mut seen = Vec::new();
    // the stream's bytes framed so far
    let mut framed = 0;
    let mut at = 0;
    while at < stream.len() {
        let n = cut(stream.len() - at).clamp(1, stream.len() - at);
        framer.feed(&stream[at..at + n]);
        at += n;
        while let Some(step) = receive::next(&mut framer, &s.ctx, false) {
            match step {
                Step::Broken(n) => {
                    if n.code != 1 || !rfc_notification(n.code, n.subcode) {
                        return Err(format!("framing: NOTIFICATION {}/{}", n.code, n.subcode));
                    }
                    let outcome = format!("broken {}/{}", n.code, n.subcode);
                    seen.push(Seen {
                        range: framed..(framed + 19).min(stream.len()),
                        expect: outcome.clone(),
                        features: vec![outcome.clone()],
                        outcome,
                    });
                    return Ok(seen);
                }
                Step::Message(fr, outcome) => {
                    let range = framed..framed + 19 + fr.body.len();
                    framed = range.end;
                    match outcome {
                        Outcome::Fatal(n) => {
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
                            if !(n.code == expected_code || length)
                                || !rfc_notification(n.code, n.subcode)
                            {
                                return Err(format!(
                                    "message type {}: NOTIFICATION {}/{}",
                                    fr.kind, n.code, n.subcode
                                ));
                            }
                            let outcome = format!("fatal {}/{}", n.code, n.subcode);
                            seen.push(Seen {
                                range,
                                expect: outcome.clone(),
                                features: vec![format!("{outcome} type {}", fr.kind.min(7))],
                                outcome,
                            });
                            return Ok(seen);
                        }
                        Outcome::Update(u) => seen.push(update_seen(&u, &fr.body, range)?),
                        o => {
                            let outcome = format!("{o:?}")
                                .split(['(', ' ', '{'])
                                .next()
                                .unwrap_or("")
                                .to_string();
                            seen.push(Seen {
                                range,
                                expect: outcome.clone(),
                                features: vec![outcome.clone()],
                                outcome,
                            });
                        }
                    }
                }
            }
            if framer.buffered() >= s.max_size {
                return Err(format!("{} bytes left buffered", framer.buffered()));
            }
        }
    }
    Ok(seen)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// [`execute`] with the memory bound checked.
fn execute_bounded(
    cut: &mut dyn FnMut(usize) -> usize,
    s: &Session,
    stream: &[u8],
) -> Result<Vec<Seen>, String> {
    // LIVE and PEAK count the whole process: one measured execution at a
    // time (the tests run in parallel threads), none resetting PEAK while
    // another measures. A test that panicked here poisons nothing it
    // measured, so a poisoned lock is taken as it is.
    static MEASURING: Mutex<()> = Mutex::new(());
    let _one = MEASURING.lock().unwrap_or_else(|e| e.into_inner());
    let base = LIVE.load(Ordering::Relaxed);
    PEAK.store(base, Ordering::Relaxed);
    let result = execute(cut, s, stream);
    let grown = PEAK.load(Ordering::Relaxed).saturating_sub(base);
    if grown > MEMORY_BOUND {
        return Err(format!("{grown} bytes of heap"));
    }
    result
}

/// Random read boundaries: often a few bytes, otherwise anything left.
fn random_cut(rng: &mut Rng, left: usize) -> usize {
    if rng.chance(3) {
        1 + rng.below(8)
    } else {
        1 + rng.below(left)
    }
}

/// FNV-1a, 64 bits: a corpus input's name, stable across toolchains.
fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/receive_corpus")
}

/// The committed inputs, by name, sorted.
fn corpus_inputs() -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir().join("inputs");
    let mut out: Vec<(String, Vec<u8>)> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd
            .filter_map(|e| e.ok())
            .map(|e| {
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    out.sort();
    out
}

/// What every input comes to, one line per input:
/// `name<TAB>expect | expect ...`.
fn outcome_line(seen: &[Seen]) -> String {
    seen.iter()
        .map(|s| s.expect.as_str())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn write_outcomes(lines: &BTreeMap<String, String>) {
    let text: String = lines.iter().map(|(n, o)| format!("{n}\t{o}\n")).collect();
    std::fs::write(corpus_dir().join("outcomes.txt"), text).unwrap();
}

/// Adds to the committed corpus the inputs that reach a feature it lacks
/// (`FERROBGP_RECEIVE_CORPUS_ADD`): the one message that reached it, or
/// the rest of the stream from it when the message alone does not.
struct CorpusAdder {
    known: BTreeSet<String>,
    outcomes: BTreeMap<String, String>,
    added: usize,
}

impl CorpusAdder {
    fn new(s: &Session) -> CorpusAdder {
        let mut known = BTreeSet::new();
        let mut outcomes = BTreeMap::new();
        for (name, bytes) in corpus_inputs() {
            let seen = execute(&mut |left| left, s, &bytes).unwrap();
            known.extend(seen.iter().flat_map(|x| x.features.iter().cloned()));
            outcomes.insert(name, outcome_line(&seen));
        }
        std::fs::create_dir_all(corpus_dir().join("inputs")).unwrap();
        CorpusAdder {
            known,
            outcomes,
            added: 0,
        }
    }

    fn offer(&mut self, s: &Session, stream: &[u8], seen: &[Seen]) {
        for x in seen {
            for f in &x.features {
                if self.known.contains(f) {
                    continue;
                }
                for candidate in [&stream[x.range.clone()], &stream[x.range.start..]] {
                    let Ok(got) = execute(&mut |left| left, s, candidate) else {
                        continue;
                    };
                    if got.iter().any(|g| g.features.contains(f)) {
                        let name = format!("{:016x}", fnv(candidate));
                        std::fs::write(corpus_dir().join("inputs").join(&name), candidate).unwrap();
                        self.known
                            .extend(got.iter().flat_map(|g| g.features.iter().cloned()));
                        self.outcomes.insert(name, outcome_line(&got));
                        self.added += 1;
                        break;
                    }
                }
            }
        }
    }
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
    let mut seeds = seeds();
    assert!(seeds.len() > 200, "only {} seed messages", seeds.len());
    // and what earlier runs kept
    seeds.extend(
        corpus_inputs()
            .into_iter()
            .map(|(_, bytes)| bytes)
            .filter(|b| b.len() >= 19),
    );
    let s = session();
    let mut adder = std::env::var_os("FERROBGP_RECEIVE_CORPUS_ADD").map(|_| CorpusAdder::new(&s));

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
        let stream = messages.concat();
        let mut cut_rng = Rng(rng.next() | 1);
        let seen = execute_bounded(&mut |left| random_cut(&mut cut_rng, left), &s, &stream)
            .unwrap_or_else(|why| {
                panic!("execution {executions}: {why}\nstream: {}", hex(&stream))
            });
        for x in &seen {
            tally.see(&x.outcome);
        }
        if let Some(a) = adder.as_mut() {
            a.offer(&s, &stream, &seen);
        }
        executions += 1;
    }
    println!("receive path: {executions} executions in {secs} s (seed {seed})");
    for (what, n) in &tally.outcomes {
        println!("  {what}: {n}");
    }
    if let Some(a) = adder {
        write_outcomes(&a.outcomes);
        println!(
            "corpus: {} inputs added, {} in all, {} features",
            a.added,
            a.outcomes.len(),
            a.known.len()
        );
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

/// Every committed input, fed whole and cut at random boundaries, passes
/// every check of the fuzz run and comes to what `outcomes.txt` says.
#[test]
fn the_committed_corpus_replays() {
    let s = session();
    let inputs = corpus_inputs();
    assert!(
        inputs.len() >= 100,
        "{}: only {} inputs",
        corpus_dir().display(),
        inputs.len()
    );
    let expected: BTreeMap<String, String> =
        std::fs::read_to_string(corpus_dir().join("outcomes.txt"))
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, o)| (n.to_string(), o.to_string()))
            .collect();
    let mut got = BTreeMap::new();
    // every failed check; `mismatches`: the inputs whose outcome differs
    // from outcomes.txt only (what a bless rewrites)
    let mut failures = Vec::new();
    let mut mismatches = Vec::new();
    let mut reached = BTreeSet::new();
    for (name, bytes) in &inputs {
        if *name != format!("{:016x}", fnv(bytes)) {
            failures.push(format!(
                "{name}: not named by its FNV-1a, {:016x}",
                fnv(bytes)
            ));
        }
        let whole = execute_bounded(&mut |left| left, &s, bytes);
        let mut rng = Rng(fnv(bytes) | 1);
        let cut = execute_bounded(&mut |left| random_cut(&mut rng, left), &s, bytes);
        match (whole, cut) {
            (Ok(whole), Ok(cut)) => {
                let line = outcome_line(&whole);
                if line != outcome_line(&cut) {
                    failures.push(format!(
                        "{name}: fed whole {line:?}, cut {:?}",
                        outcome_line(&cut)
                    ));
                }
                if expected.get(name) != Some(&line) {
                    mismatches.push(format!(
                        "{name}: expected {:?}, got {line:?}",
                        expected.get(name)
                    ));
                }
                reached.extend(whole.iter().map(|x| x.outcome.clone()));
                got.insert(name.clone(), line);
            }
            (Err(why), _) | (_, Err(why)) => {
                failures.push(format!("{name}: {why}\nstream: {}", hex(bytes)))
            }
        }
    }
    for name in expected.keys().filter(|n| !got.contains_key(*n)) {
        mismatches.push(format!("outcomes.txt names {name}, which is not an input"));
    }
    // a bless rewrites the expected outcomes, never a failed invariant
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    if std::env::var_os("FERROBGP_RECEIVE_CORPUS_BLESS").is_some() {
        write_outcomes(&got);
        println!("outcomes.txt rewritten: {} change(s)", mismatches.len());
        return;
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    println!("receive corpus: {} inputs replayed", inputs.len());
    for want in [
        "update clean",
        "update treat-as-withdraw",
        "update AttributeDiscard",
        "update NlriDiscard",
        "fatal 3/",
        "fatal 1/",
        "broken 1/",
    ] {
        assert!(
            reached.iter().any(|k| k.starts_with(want)),
            "the corpus never reaches {want:?}: {reached:?}"
        );
    }
}
