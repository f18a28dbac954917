//! The ordering contract of ARCHITECTURE.md checked in-process on the
//! batch core and the pipelines, the way the rib process drives them:
//! random command streams (announce, withdraw, flush, operational
//! messages, a selector that matches no peer) from two sources over three
//! peers with different configured families, the fake workers
//! writing their messages and acknowledging in random interleavings (one
//! of them slow), the journal acknowledged in random steps, and sessions
//! going down and up mid-stream. A simple reference model (each peer's
//! Adj-RIB-Out as a map, each command applied in order) predicts every
//! reply's outcome and each peer's view; the checks:
//!
//! - an operational message goes to each selected peer that has its
//!   family configured and is established, in command order, and nowhere
//!   else; the others are reported with why; an advisory (ASM) is kept for
//!   each selected peer that has its family configured;
//! - each peer's changes follow command order: once a peer wrote the
//!   message of batch `s`, what it holds equals the model after batch `s`,
//!   and its messages' sequence numbers only grow;
//! - nothing is sent to a peer whose session is down;
//! - an answer (`done`) is released only once every peer whose routes the
//!   batch changed acknowledged it (or went away) and the supervisor
//!   acknowledged its journal message;
//! - one source's answers are released in submission order, and an answer
//!   is never held back once it and every earlier answer of its source may
//!   go: a slow peer holds only the answers that wait for it.

use super::*;
use crate::pipeline::{Bounds, Pipelines, Send};
use crate::PeerRib;
use ferrobgp_config::route::operational::OperationalKind;
use ferrobgp_wire::Family;
use std::collections::BTreeMap;

const PEERS: [PeerId; 3] = [1, 2, 3];

/// The families each peer has configured (for its operational messages).
fn configured(peer: PeerId) -> &'static [Family] {
    match peer {
        1 => &[Family::IPV4_UNICAST, Family::IPV6_UNICAST],
        2 => &[Family::IPV4_UNICAST],
        _ => &[Family::IPV6_UNICAST],
    }
}
const SOURCES: u8 = 2;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// A peer's routes as prefix -> next hop.
type Routes = BTreeMap<String, String>;

fn name(peer: PeerId) -> String {
    ferrobgp_api::PeerName {
        peer_address: format!("10.0.0.{peer}").parse().unwrap(),
        local_address: Some("127.0.0.1".parse().unwrap()),
        local_as: 65000,
        peer_as: 65001,
        router_id: Some("1.2.3.4".parse().unwrap()),
        family_allowed: ferrobgp_api::FamilyAllowed::InOpen,
    }
    .render()
}

/// One random line and, in the model, the peers it selects (`None`: a
/// selector matching no peer) and what it does.
enum Cmd {
    Announce(String, String),
    Withdraw(String),
    Flush,
    /// An operational message of this family, `asm` (kept) or not, and
    /// the tag a worker sees it as (see [`tag`]).
    Operational {
        family: Family,
        asm: bool,
        tag: String,
    },
}

/// An operational message as a fake worker records it.
fn tag(m: &OperationalMessage) -> String {
    let n = match m.kind {
        OperationalKind::Asm => m.advisory.clone().unwrap_or_default(),
        _ => m.sequence.unwrap_or_default().to_string(),
    };
    format!("{:?} {} {n}", m.kind, m.family)
}

/// A random operational message: its line (without selector) and command.
fn random_operational(rng: &mut Rng) -> (String, Cmd) {
    let (afi, family) = match rng.below(2) {
        0 => ("ipv4", Family::IPV4_UNICAST),
        _ => ("ipv6", Family::IPV6_UNICAST),
    };
    let n = rng.below(1000);
    if rng.below(2) == 0 {
        let line = format!("announce operational asm afi {afi} safi unicast advisory m{n}");
        let tag = format!("{:?} {family} m{n}", OperationalKind::Asm);
        (
            line,
            Cmd::Operational {
                family,
                asm: true,
                tag,
            },
        )
    } else {
        // sequence 0 stands for 1: the tags start at 1
        let line = format!(
            "announce operational rpcq afi {afi} safi unicast sequence {}",
            n + 1
        );
        let tag = format!("{:?} {family} {}", OperationalKind::Rpcq, n + 1);
        (
            line,
            Cmd::Operational {
                family,
                asm: false,
                tag,
            },
        )
    }
}

fn random_line(rng: &mut Rng) -> (String, Option<Vec<PeerId>>, Cmd) {
    let (selector, peers) = match rng.below(8) {
        0..=1 => (String::new(), Some(PEERS.to_vec())),
        2 => ("neighbor 10.0.0.9 ".to_string(), None),
        n => {
            let p = PEERS[(n % 3) as usize];
            (format!("neighbor 10.0.0.{p} "), Some(vec![p]))
        }
    };
    let prefix = format!("10.{}.0.0/16", rng.below(6));
    let (text, cmd) = match rng.below(12) {
        10..=11 => random_operational(rng),
        0..=4 => {
            let nh = format!("192.0.2.{}", 1 + rng.below(2));
            (
                format!("announce route {prefix} next-hop {nh}"),
                Cmd::Announce(prefix, nh),
            )
        }
        5..=8 => (format!("withdraw route {prefix}"), Cmd::Withdraw(prefix)),
        _ => ("flush adj-rib out".to_string(), Cmd::Flush),
    };
    (format!("{selector}{text}"), peers, cmd)
}

fn apply_changes(view: &mut Routes, changes: &[PeerChange]) {
    for c in changes {
        match c {
            PeerChange::Announce(r) => {
                view.insert(r.nlri.to_string(), r.next_hop.to_string());
            }
            PeerChange::Withdraw(r) => {
                view.remove(&r.nlri.to_string());
            }
            PeerChange::Eor(_) | PeerChange::RouteRefresh(_) => {}
        }
    }
}

/// A message on its way to a fake worker, with what the peer must hold
/// once it is written.
struct InFlight {
    seq: u64,
    operational: Vec<String>,
    changes: Vec<PeerChange>,
    expect: Routes,
    /// The operational messages the peer must have had this session.
    expect_operational: Vec<String>,
}

struct PeerModel {
    up: bool,
    /// The Adj-RIB-Out, commands applied in order.
    table: Routes,
    /// What the BGP peer holds: the changes its worker wrote.
    view: Routes,
    /// The operational messages sent this session, in command order.
    operational: Vec<String>,
    /// The operational messages its worker wrote this session.
    view_operational: Vec<String>,
    in_flight: VecDeque<InFlight>,
    written: u64,
}

struct AnswerModel {
    source: u8,
    /// Its batch's sequence number.
    seq: u64,
    waiting: BTreeSet<PeerId>,
    journal: bool,
    released: bool,
}

struct World {
    rng: Rng,
    /// The advisories kept per peer and family: the model's, and what the
    /// plans said to keep.
    asm: BTreeMap<(PeerId, Family), String>,
    kept: BTreeMap<(PeerId, Family), String>,
    /// The operational messages of the current batch not sent, with why.
    unsent: Vec<(PeerId, Family, Unsent)>,
    seq: u64,
    table: Rib,
    peers: BTreeMap<PeerId, PeerModel>,
    pipes: Pipelines<u8, usize>,
    answers: Vec<AnswerModel>,
    journal: VecDeque<(u64, usize)>,
    addressable: Vec<(PeerId, String)>,
}

impl World {
    fn new(seed: u64) -> World {
        let mut table = Rib::new();
        let mut peers = BTreeMap::new();
        for p in PEERS {
            table.add_peer(p, PeerRib::new(true, true));
            peers.insert(
                p,
                PeerModel {
                    up: false,
                    table: Routes::new(),
                    view: Routes::new(),
                    operational: Vec::new(),
                    view_operational: Vec::new(),
                    in_flight: VecDeque::new(),
                    written: 0,
                },
            );
        }
        let mut w = World {
            rng: Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1),
            asm: BTreeMap::new(),
            kept: BTreeMap::new(),
            unsent: Vec::new(),
            seq: 0,
            table,
            peers,
            pipes: Pipelines::new(Bounds::default()),
            answers: Vec::new(),
            journal: VecDeque::new(),
            addressable: PEERS.iter().map(|p| (*p, name(*p))).collect(),
        };
        for p in PEERS {
            w.session_up(p);
        }
        w
    }

    /// The session comes up: the whole table goes, no answer waits for it.
    fn session_up(&mut self, p: PeerId) {
        let rib = self.table.peer_mut(p).unwrap();
        rib.session_up(vec![Family::IPV4_UNICAST]);
        let changes = rib.full_table(&[Family::IPV4_UNICAST], true);
        self.seq += 1;
        let m = self.peers.get_mut(&p).unwrap();
        m.up = true;
        m.view.clear();
        m.operational.clear();
        m.view_operational.clear();
        self.pipes.send(Send {
            peer: p,
            seq: self.seq,
            changes: changes.len(),
            bytes: 0,
        });
        m.in_flight.push_back(InFlight {
            seq: self.seq,
            operational: Vec::new(),
            changes,
            expect: m.table.clone(),
            expect_operational: Vec::new(),
        });
    }

    /// The session (and its worker's link) goes away mid-stream.
    fn session_down(&mut self, p: PeerId) {
        self.table.peer_mut(p).unwrap().session_down();
        let m = self.peers.get_mut(&p).unwrap();
        m.up = false;
        m.in_flight.clear();
        self.pipes.peer_gone(p);
        for a in &mut self.answers {
            a.waiting.remove(&p);
        }
    }

    /// Applies one command to the model; true when it should succeed.
    /// A flush of a non-empty table re-sends it: `flushed` gets the peer.
    fn model(
        &mut self,
        peers: &Option<Vec<PeerId>>,
        cmd: &Cmd,
        flushed: &mut BTreeSet<PeerId>,
    ) -> bool {
        let Some(peers) = peers else { return false };
        if matches!(cmd, Cmd::Flush) && !peers.iter().any(|p| self.peers[p].up) {
            return false;
        }
        if let Cmd::Operational { family, asm, tag } = cmd {
            for p in peers {
                self.operational(*p, *family, *asm, tag, flushed);
            }
            return true;
        }
        for p in peers {
            let m = self.peers.get_mut(p).unwrap();
            match cmd {
                Cmd::Announce(prefix, nh) => {
                    m.table.insert(prefix.clone(), nh.clone());
                }
                Cmd::Withdraw(prefix) => {
                    m.table.remove(prefix);
                }
                Cmd::Flush => {
                    if m.up && !m.table.is_empty() {
                        flushed.insert(*p);
                    }
                }
                Cmd::Operational { .. } => {}
            }
        }
        true
    }

    /// An operational message selecting `p`, in the model: sent (and
    /// `sent` gets the peer) when `p` has the family and is established.
    fn operational(
        &mut self,
        p: PeerId,
        family: Family,
        asm: bool,
        tag: &str,
        sent: &mut BTreeSet<PeerId>,
    ) {
        if !configured(p).contains(&family) {
            self.unsent.push((p, family, Unsent::FamilyNotConfigured));
            return;
        }
        if asm {
            self.asm.insert((p, family), tag.to_string());
        }
        let m = self.peers.get_mut(&p).unwrap();
        if !m.up {
            self.unsent.push((p, family, Unsent::NotEstablished));
            return;
        }
        m.operational.push(tag.to_string());
        sent.insert(p);
    }

    /// A random batch of lines, applied to the model: the lines, each
    /// non-blank line's expected outcome, the established peers whose
    /// routes it changed (net) or re-sent or that it sent an operational
    /// message, and whether it is journaled.
    fn random_batch(&mut self) -> (Vec<String>, Vec<bool>, BTreeSet<PeerId>, bool) {
        let n = 1 + self.rng.below(4);
        let mut lines = Vec::new();
        let mut outcomes = Vec::new();
        let before: BTreeMap<PeerId, Routes> = self
            .peers
            .iter()
            .map(|(p, m)| (*p, m.table.clone()))
            .collect();
        let mut changed = BTreeSet::new();
        // an announce or withdraw applied: the batch is journaled
        let mut journaled = false;
        for _ in 0..n {
            if self.rng.below(10) == 0 {
                lines.push("  ".to_string());
                continue;
            }
            let (line, peers, cmd) = random_line(&mut self.rng);
            let ok = self.model(&peers, &cmd, &mut changed);
            journaled |= ok && matches!(cmd, Cmd::Announce(..) | Cmd::Withdraw(_));
            outcomes.push(ok);
            lines.push(line);
        }
        // the peers whose routes the batch changed (net) or re-sent
        for (p, m) in &self.peers {
            if m.up && m.table != before[p] {
                changed.insert(*p);
            }
        }
        (lines, outcomes, changed, journaled)
    }

    /// `source` writes a batch: planned by the core, sent as the shell
    /// sends it (to the peers with a link), submitted to the pipelines.
    fn batch(&mut self, source: u8) {
        let (lines, outcomes, changed, journaled) = self.random_batch();
        let process = format!("source-{source}");
        let caller = Caller {
            process: &process,
            addressable: &self.addressable,
            version: "test",
        };
        let first = self.seq + 1;
        let parsed = parse(lines, &mut self.seq, &caller);
        assert!(parsed.shows.is_empty() && parsed.after.is_empty());
        let up: BTreeMap<PeerId, bool> = self.peers.iter().map(|(p, m)| (*p, m.up)).collect();
        let plan = apply(parsed, &mut self.table, &mut HashMap::new(), |p| {
            Some(SessionView {
                up: up[&p],
                families: configured(p),
            })
        });
        assert_eq!(plan.unsent, std::mem::take(&mut self.unsent), "not sent");
        for (p, m) in &plan.asm {
            self.kept.insert((*p, m.family), tag(m));
        }
        assert_eq!(self.kept, self.asm, "advisories kept");
        let got: Vec<bool> = plan
            .replies
            .iter()
            .map(|r| r.outcome == Outcome::Done)
            .collect();
        assert_eq!(got, outcomes, "replies");
        let seqs: Vec<u64> = plan.replies.iter().map(|r| r.seq).collect();
        assert_eq!(
            seqs,
            (first..=self.seq).collect::<Vec<_>>(),
            "sequence numbers"
        );
        let i = self.answers.len();
        let journal_seq = plan.journal_seq();
        let sends = self.send(plan.seq, plan.peers);
        let waiting: BTreeSet<PeerId> = sends.iter().map(|s| s.peer).collect();
        assert!(
            changed.is_subset(&waiting),
            "the answer must wait for {changed:?}, waits for {waiting:?}"
        );
        assert_eq!(
            journal_seq.is_some(),
            journaled,
            "a journal message exactly when a route change applied"
        );
        if let Some(seq) = journal_seq {
            self.journal.push_back((seq, i));
        }
        self.answers.push(AnswerModel {
            source,
            seq: plan.seq,
            waiting,
            journal: journal_seq.is_some(),
            released: false,
        });
        let (_, over) = self
            .pipes
            .submit(source, i, &sends, plan.reloads.len(), journal_seq);
        assert!(over.is_empty());
    }

    /// Each peer's part of batch `seq` to its fake worker, as the shell
    /// sends it; what the answer waits for.
    fn send(&mut self, seq: u64, peers: BTreeMap<PeerId, PeerPlan>) -> Vec<Send> {
        let mut sends = Vec::new();
        for (p, pp) in peers {
            let m = self.peers.get_mut(&p).unwrap();
            assert!(m.up, "peer {p} sent changes while down");
            assert!(
                !pp.changes.is_empty() || !pp.operational.is_empty(),
                "peer {p}: an empty plan"
            );
            sends.push(Send {
                peer: p,
                seq,
                changes: pp.changes.len(),
                bytes: 0,
            });
            m.in_flight.push_back(InFlight {
                seq,
                operational: pp.operational.iter().map(tag).collect(),
                changes: pp.changes,
                expect: m.table.clone(),
                expect_operational: m.operational.clone(),
            });
        }
        sends
    }

    /// `p`'s worker writes up to `k` messages and acknowledges the last.
    fn write(&mut self, p: PeerId, k: u64) {
        let m = self.peers.get_mut(&p).unwrap();
        let mut last = None;
        for _ in 0..k {
            let Some(f) = m.in_flight.pop_front() else {
                break;
            };
            assert!(
                f.seq > m.written,
                "peer {p}: seq {} after {}",
                f.seq,
                m.written
            );
            m.written = f.seq;
            m.view_operational.extend(f.operational);
            assert_eq!(
                m.view_operational, f.expect_operational,
                "peer {p}: operational messages after batch {}",
                f.seq
            );
            apply_changes(&mut m.view, &f.changes);
            assert_eq!(m.view, f.expect, "peer {p} after batch {}", f.seq);
            last = Some(f.seq);
        }
        if let Some(seq) = last {
            self.pipes.acked(p, seq);
            for a in self.answers.iter_mut().filter(|a| a.seq <= seq) {
                a.waiting.remove(&p);
            }
        }
    }

    /// The supervisor journaled up to `k` more batches.
    fn journaled(&mut self, k: u64) {
        let take = (k as usize).min(self.journal.len());
        if take == 0 {
            return;
        }
        let upto = self.journal[take - 1].0;
        for (_, i) in self.journal.drain(..take) {
            self.answers[i].journal = false;
        }
        self.pipes.journaled(upto);
    }

    /// Takes the answers the pipelines release and checks the contract.
    fn release(&mut self) {
        for (source, i, expired) in self.pipes.ready() {
            let a = &mut self.answers[i];
            assert!(expired.is_none());
            assert_eq!(a.source, source);
            assert!(!a.released, "answer {i} released twice");
            assert!(
                a.waiting.is_empty(),
                "answer {i} released before {:?} acknowledged",
                a.waiting
            );
            assert!(!a.journal, "answer {i} released before its journal message");
            a.released = true;
        }
        for source in 0..SOURCES {
            let mine: Vec<&AnswerModel> =
                self.answers.iter().filter(|a| a.source == source).collect();
            let first = mine.iter().position(|a| !a.released).unwrap_or(mine.len());
            assert!(
                mine[first..].iter().all(|a| !a.released),
                "source {source}: out of order"
            );
            if let Some(a) = mine.get(first) {
                assert!(
                    !a.waiting.is_empty() || a.journal,
                    "source {source}: an answer held back (waits for nothing)"
                );
            }
            assert_eq!(self.pipes.unanswered(source), mine.len() - first);
        }
    }

    fn step(&mut self) {
        match self.rng.below(20) {
            0..=6 => {
                let source = (self.rng.below(u64::from(SOURCES))) as u8;
                self.batch(source);
            }
            // peer 1 is slow: it gets one write turn for four of the others'
            7..=12 => {
                let p = PEERS[1 + self.rng.below(2) as usize];
                let k = 1 + self.rng.below(3);
                self.write(p, k);
            }
            13 => {
                let k = 1 + self.rng.below(2);
                self.write(PEERS[0], k);
            }
            14..=17 => {
                let k = 1 + self.rng.below(3);
                self.journaled(k);
            }
            _ => {
                let p = PEERS[self.rng.below(3) as usize];
                if self.peers[&p].up {
                    self.session_down(p);
                } else {
                    self.session_up(p);
                }
            }
        }
        self.release();
    }

    /// Every worker and the journal catch up: everything is answered and
    /// every established peer holds its Adj-RIB-Out.
    fn finish(&mut self) {
        for p in PEERS {
            self.write(p, u64::MAX);
        }
        self.journaled(u64::MAX);
        self.release();
        assert!(self.pipes.is_idle());
        assert!(self.answers.iter().all(|a| a.released));
        for (p, m) in &self.peers {
            if m.up {
                assert_eq!(m.view, m.table, "peer {p} at the end");
                assert_eq!(m.view_operational, m.operational, "peer {p} at the end");
            }
        }
    }
}

#[test]
fn batches_follow_the_ordering_contract() {
    let mut answers = 0;
    let mut operational = 0;
    for seed in 1..=400u64 {
        let mut w = World::new(seed);
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            for _ in 0..120 {
                w.step();
            }
            w.finish();
        }));
        if let Err(e) = result {
            eprintln!("seed {seed} failed");
            std::panic::resume_unwind(e);
        }
        answers += w.answers.len();
        operational += w.peers.values().map(|m| m.operational.len()).sum::<usize>();
    }
    assert!(answers > 400 * 20, "{answers} answers only");
    assert!(operational > 400, "{operational} operational messages only");
}
