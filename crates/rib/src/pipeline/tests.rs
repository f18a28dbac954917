//! The ordering contract of [`Pipelines`]: unit cases, then random command
//! streams checked against a reference model (every answer released once,
//! per source in submission order, never before its peers acknowledged
//! unless it expired or they went away, and never held back once it and
//! every earlier answer of its source may go).

use super::*;
use proptest::prelude::*;

fn send(peer: PeerId, seq: Seq) -> Send {
    Send {
        peer,
        seq,
        changes: 1,
        bytes: 10,
    }
}

fn replies(p: &mut Pipelines<u8, &'static str>) -> Vec<(u8, &'static str, bool)> {
    p.ready()
        .into_iter()
        .map(|(s, r, e)| (s, r, e.is_some()))
        .collect()
}

#[test]
fn a_slow_peer_holds_back_only_the_answers_that_wait_for_it() {
    let mut p = Pipelines::new(Bounds::default());
    // source 1 talks to peers 1 (slow) and 2; source 2 only to peer 2
    p.submit(1, "a", &[send(1, 1), send(2, 1)], 0, None);
    p.submit(2, "b", &[send(2, 2)], 0, None);
    p.submit(1, "c", &[send(2, 3)], 0, None);
    assert!(replies(&mut p).is_empty());
    p.acked(2, 3);
    // "c" is complete but "a" (same source) still waits for peer 1
    assert_eq!(replies(&mut p), [(2, "b", false)]);
    p.acked(1, 1);
    assert_eq!(replies(&mut p), [(1, "a", false), (1, "c", false)]);
    assert_eq!(p.queued(1), (0, 0, 0));
}

#[test]
fn a_gone_peer_or_an_expired_bound_releases_the_answer() {
    let mut p = Pipelines::new(Bounds::default());
    let (t1, _) = p.submit(1, "a", &[send(1, 1)], 0, None);
    p.submit(1, "b", &[send(2, 2)], 0, None);
    p.acked(2, 2);
    assert!(p.expire(t1));
    assert!(!p.expire(t1), "already expired");
    let out = p.ready();
    assert_eq!(out.len(), 2);
    assert_eq!(
        out[0].2,
        Some(Expired {
            peers: vec![1],
            reloads: 0,
            journal: false,
        })
    );
    assert_eq!(out[1].2, None);
    p.submit(1, "c", &[send(1, 3)], 0, None);
    p.peer_gone(1);
    assert_eq!(replies(&mut p), [(1, "c", false)]);
    assert_eq!(p.queued(1), (0, 0, 0));
}

#[test]
fn reloads_are_answered_in_order_of_asking() {
    let mut p: Pipelines<u8, Vec<u8>> = Pipelines::new(Bounds::default());
    p.submit(1, vec![], &[], 1, None);
    p.submit(2, vec![], &[], 1, None);
    p.reload_done().expect("first").push(1);
    let out = p.ready();
    assert_eq!(out, vec![(1, vec![1], None)]);
    p.reload_done().expect("second").push(2);
    assert_eq!(p.ready(), vec![(2, vec![2], None)]);
    assert!(p.reload_done().is_none());
}

#[test]
fn the_backlog_behind_the_entry_in_progress_is_bounded() {
    let b = Bounds {
        changes: 10,
        bytes: 1000,
        stall: Duration::from_secs(10),
    };
    let mut p: Pipelines<u8, ()> = Pipelines::new(b);
    // a large first entry (a full table) is what the worker is writing
    let big = Send {
        peer: 1,
        seq: 1,
        changes: 500,
        bytes: 50_000,
    };
    assert!(!p.send(big));
    for seq in 2..=21 {
        assert!(!p.send(send(1, seq)), "seq {seq}");
    }
    // past the bound (10), not past twice the bound (20)
    assert_eq!(p.queued(1), (21, 20, 200));
    let (_, over) = p.submit(1, (), &[send(1, 22), send(2, 22)], 0, None);
    assert_eq!(over, vec![1]);
    // acknowledgements shrink the backlog
    p.acked(1, 5);
    assert_eq!(p.queued(1), (17, 16, 160));
    let bytes = Send {
        peer: 1,
        seq: 23,
        changes: 1,
        bytes: 2000,
    };
    assert!(p.send(bytes));
    p.peer_gone(1);
    assert_eq!(p.queued(1), (0, 0, 0));
}

#[test]
fn a_peer_past_its_bound_is_stalled_only_without_progress() {
    let b = Bounds {
        changes: 10,
        bytes: 1 << 20,
        stall: Duration::from_secs(10),
    };
    let mut p: Pipelines<u8, ()> = Pipelines::new(b);
    let t0 = Instant::now();
    let at = |s: u64| t0 + Duration::from_secs(s);
    for seq in 1..=12 {
        assert!(!p.send(send(1, seq)));
        assert!(!p.send(send(2, seq)));
    }
    // 11 behind the first: past the bound; the watch starts now
    assert_eq!(p.stalled(at(0)), Vec::<PeerId>::new());
    assert_eq!(p.stalled(at(9)), Vec::<PeerId>::new());
    // peer 2 acknowledges one entry: still past the bound, but it reads
    p.acked(2, 1);
    assert_eq!(p.queued(2).1, 10);
    assert!(!p.send(send(2, 13)));
    assert_eq!(p.stalled(at(10)), vec![1], "peer 1 made no progress");
    // peer 2's stall counts from the progress it made
    assert_eq!(p.stalled(at(19)), vec![1]);
    assert_eq!(p.stalled(at(20)), vec![1, 2]);
    // back under the bound: the watch ends, a new one starts afresh
    p.acked(2, 5);
    assert_eq!(p.stalled(at(21)), vec![1]);
    for seq in 14..=18 {
        p.send(send(2, seq));
    }
    assert_eq!(p.stalled(at(22)), vec![1]);
    assert_eq!(p.stalled(at(31)), vec![1]);
    assert_eq!(p.stalled(at(32)), vec![1, 2]);
    p.peer_gone(1);
    assert_eq!(p.stalled(at(40)), vec![2]);
}

#[test]
fn a_gone_source_gets_nothing() {
    let mut p: Pipelines<u8, ()> = Pipelines::new(Bounds::default());
    p.submit(1, (), &[send(1, 1)], 0, None);
    assert_eq!(p.unanswered(1), 1);
    p.source_gone(1);
    p.acked(1, 1);
    assert!(p.ready().is_empty());
    assert_eq!(p.unanswered(1), 0);
}

#[test]
fn an_answer_waits_for_its_journal_as_for_its_peers() {
    let mut p = Pipelines::new(Bounds::default());
    // batch 1 changed API routes for peer 1; batch 2 only shows something
    p.submit(1, "a", &[send(1, 1)], 0, Some(1));
    p.submit(2, "b", &[], 0, None);
    p.submit(1, "c", &[send(1, 3)], 0, Some(3));
    assert_eq!(replies(&mut p), [(2, "b", false)], "no journal, no wait");
    // written on the wire, not yet journaled: held
    p.acked(1, 3);
    assert!(replies(&mut p).is_empty());
    p.journaled(1);
    assert_eq!(replies(&mut p), [(1, "a", false)]);
    // journaled before the peer wrote it: still held by the peer
    p.submit(1, "d", &[send(1, 4)], 0, Some(4));
    p.journaled(4);
    assert_eq!(replies(&mut p), [(1, "c", false)]);
    p.acked(1, 4);
    assert_eq!(replies(&mut p), [(1, "d", false)]);
}

#[test]
fn an_acknowledgement_covers_every_earlier_batch_and_only_those() {
    let mut p = Pipelines::new(Bounds::default());
    p.submit(1, "a", &[], 0, Some(2));
    p.submit(2, "b", &[], 0, Some(5));
    p.submit(3, "c", &[], 0, Some(9));
    p.journaled(6);
    assert_eq!(replies(&mut p), [(1, "a", false), (2, "b", false)]);
    // an answer submitted for a batch already acknowledged does not wait
    p.submit(1, "d", &[], 0, Some(6));
    assert_eq!(replies(&mut p), [(1, "d", false)]);
    p.journaled(8);
    assert!(replies(&mut p).is_empty());
    p.journaled(9);
    assert_eq!(replies(&mut p), [(3, "c", false)]);
}

#[test]
fn an_answer_never_journaled_is_released_by_its_bound() {
    let mut p = Pipelines::new(Bounds::default());
    let (t, _) = p.submit(1, "a", &[send(1, 1)], 0, Some(1));
    p.acked(1, 1);
    assert!(p.expire(t));
    let out = p.ready();
    assert_eq!(
        out,
        vec![(
            1,
            "a",
            Some(Expired {
                peers: vec![],
                reloads: 0,
                journal: true,
            })
        )]
    );
    // a late acknowledgement of a released answer is harmless
    p.journaled(1);
    assert!(p.ready().is_empty());
    assert!(p.is_idle());
}

// ---------------------------------------------------------------------------
// Random streams against a reference model.

#[derive(Debug, Clone)]
enum Op {
    /// A batch from `source` to the peers in the mask, with a journal
    /// message or not.
    Submit {
        source: u8,
        peers: u8,
        journal: bool,
    },
    /// The supervisor acknowledges the `n` oldest journal messages.
    Journaled {
        n: u8,
    },
    /// The peer's worker acknowledges its `n` oldest messages.
    Ack {
        peer: u8,
        n: u8,
    },
    Gone {
        peer: u8,
    },
    /// The bound of the `i`-th submitted answer passed.
    Expire {
        i: u8,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..3, 0u8..16, any::<bool>())
            .prop_map(|(source, peers, journal)| Op::Submit { source, peers, journal }),
        2 => (1u8..4).prop_map(|n| Op::Journaled { n }),
        4 => (0u8..4, 1u8..4).prop_map(|(peer, n)| Op::Ack { peer, n }),
        1 => (0u8..4).prop_map(|peer| Op::Gone { peer }),
        1 => any::<u8>().prop_map(|i| Op::Expire { i }),
    ]
}

#[derive(Debug, Clone)]
struct Model {
    source: u8,
    waiting: BTreeSet<PeerId>,
    /// Its journal message is not acknowledged yet.
    journal: bool,
    expired: bool,
    released: bool,
}

proptest! {
    #[test]
    fn answers_follow_the_ordering_contract(ops in proptest::collection::vec(op(), 1..200)) {
        let mut p: Pipelines<u8, usize> = Pipelines::new(Bounds::default());
        let mut model: Vec<Model> = Vec::new();
        let mut tickets: Vec<Ticket> = Vec::new();
        // per peer, the outstanding (seq, answer index) in sending order
        let mut queues: BTreeMap<PeerId, VecDeque<(Seq, usize)>> = BTreeMap::new();
        let mut seq: Seq = 0;
        // journal messages not yet acknowledged: (batch seq, answer index)
        let mut journal: VecDeque<(Seq, usize)> = VecDeque::new();
        for o in ops {
            match o {
                Op::Submit { source, peers, journal: j } => {
                    seq += 1;
                    let i = model.len();
                    let sends: Vec<Send> = (0..4u32)
                        .filter(|b| peers & (1 << b) != 0)
                        .map(|peer| send(peer, seq))
                        .collect();
                    for s in &sends {
                        queues.entry(s.peer).or_default().push_back((seq, i));
                    }
                    if j {
                        journal.push_back((seq, i));
                    }
                    model.push(Model {
                        source,
                        waiting: sends.iter().map(|s| s.peer).collect(),
                        journal: j,
                        expired: false,
                        released: false,
                    });
                    let (t, over) = p.submit(source, i, &sends, 0, j.then_some(seq));
                    prop_assert!(over.is_empty());
                    tickets.push(t);
                }
                Op::Ack { peer, n } => {
                    let q = queues.entry(u32::from(peer)).or_default();
                    let take = (n as usize).min(q.len());
                    if take > 0 {
                        let upto = q[take - 1].0;
                        for (_, i) in q.drain(..take) {
                            model[i].waiting.remove(&u32::from(peer));
                        }
                        p.acked(u32::from(peer), upto);
                    }
                }
                Op::Journaled { n } => {
                    let take = (n as usize).min(journal.len());
                    if take > 0 {
                        let upto = journal[take - 1].0;
                        for (_, i) in journal.drain(..take) {
                            model[i].journal = false;
                        }
                        p.journaled(upto);
                    }
                }
                Op::Gone { peer } => {
                    for (_, i) in queues.remove(&u32::from(peer)).unwrap_or_default() {
                        model[i].waiting.remove(&u32::from(peer));
                    }
                    p.peer_gone(u32::from(peer));
                }
                Op::Expire { i } => {
                    if model.is_empty() {
                        continue;
                    }
                    let i = i as usize % model.len();
                    let fresh = !model[i].released
                        && !model[i].expired
                        && (!model[i].waiting.is_empty() || model[i].journal);
                    prop_assert_eq!(p.expire(tickets[i]), fresh);
                    if fresh {
                        model[i].expired = true;
                    }
                }
            }
            let out = p.ready();
            for (source, i, expired) in out {
                let m = &mut model[i];
                prop_assert!(!m.released, "answer {} released twice", i);
                prop_assert_eq!(m.source, source);
                prop_assert!(
                    m.expired || (m.waiting.is_empty() && !m.journal),
                    "answer {} released early",
                    i
                );
                prop_assert_eq!(expired.is_some(), m.expired);
                m.released = true;
            }
            // per source: released answers form a prefix, and the first
            // unreleased one really must wait
            for source in 0..3u8 {
                let mine: Vec<&Model> = model.iter().filter(|m| m.source == source).collect();
                let first = mine.iter().position(|m| !m.released).unwrap_or(mine.len());
                prop_assert!(mine[first..].iter().all(|m| !m.released), "out of order");
                if let Some(m) = mine.get(first) {
                    prop_assert!(
                        !m.expired && (!m.waiting.is_empty() || m.journal),
                        "held back"
                    );
                }
                prop_assert_eq!(p.unanswered(source), mine.len() - first);
            }
        }
    }
}
