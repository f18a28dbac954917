//! The batch encoder against `encode_changes` on random batches, and its
//! bound on a first table.

use super::*;
use crate::encode::{context, encode_changes, tests::cfg};
use ferrobgp_ipc::{channel::encode_frame, RibFrame, RibToSession};
use ferrobgp_wire::attribute::{ExtendedCommunities, ExtendedCommunity};
use ferrobgp_wire::message::operational::{types, Operational};
use ferrobgp_wire::message::route_refresh::{RouteRefresh, SUBTYPE_BORR};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::Family;
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

/// The batch as the worker reads it from the rib's channel.
fn frame_of(msg: &RibToSession) -> ChangesFrame {
    let payload = bytes::Bytes::from(encode_frame(msg, 0).expect("encode").split_off(4));
    match RibFrame::decode(payload).expect("decode").1 {
        RibFrame::Changes(f) => f,
        RibFrame::Other(_) => panic!("not a batch"),
    }
}

/// Attribute sets: two equal by value (one group), one with a MED,
/// one with a 4-byte-ASN route target (its layout is configurable).
fn sets() -> Vec<Arc<Attributes>> {
    let target = Attributes {
        extended_communities: ExtendedCommunities::new(vec!["target:4200000001:7"
            .parse::<ExtendedCommunity>()
            .expect("community")]),
        ..Attributes::default()
    };
    vec![
        Arc::new(Attributes::default()),
        Arc::new(Attributes {
            med: Some(5),
            ..Attributes::default()
        }),
        Arc::new(Attributes::default()),
        Arc::new(target),
    ]
}

fn next_hop(i: u8) -> NextHop {
    match i % 4 {
        0 => NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)),
        1 => NextHop::V4(Ipv4Addr::new(192, 0, 2, 2)),
        2 => NextHop::SelfAddress,
        _ => NextHop::V6("2001:db8::1".parse().expect("v6")),
    }
}

/// One change of a generated batch.
fn change() -> impl Strategy<Value = Change> {
    let route = (
        any::<bool>(),
        any::<u32>(),
        0u8..=32,
        any::<u8>(),
        0u32..4,
        proptest::option::of(0u32..3),
    )
        .prop_map(|(v6, addr, len, nh, set, path_id)| {
            let net = if v6 {
                ipnet::Ipv6Net::new(Ipv6Addr::from(u128::from(addr) << 96), len)
                    .expect("len")
                    .trunc()
                    .into()
            } else {
                ipnet::Ipv4Net::new(Ipv4Addr::from(addr & 0xffff_0f00), len)
                    .expect("len")
                    .trunc()
                    .into()
            };
            let mut p = Prefix::unicast(net);
            p.path_id = path_id;
            (Nlri::from(p), next_hop(nh), set)
        });
    prop_oneof![
        8 => route.clone().prop_map(|(nlri, next_hop, attributes)| Change::Announce { nlri, next_hop, attributes }),
        3 => route.clone().prop_map(|(nlri, next_hop, attributes)| Change::Withdraw { nlri, next_hop, attributes }),
        1 => route.prop_map(|(nlri, next_hop, attributes)| Change::Resend { nlri, next_hop, attributes }),
        1 => Just(Change::Eor(Family::IPV4_UNICAST)),
        1 => prop_oneof![Just(SUBTYPE_NORMAL), Just(SUBTYPE_BORR)]
            .prop_map(|s| Change::RouteRefresh(RouteRefresh::new(Family::IPV4_UNICAST, s))),
        1 => Just(Change::Operational(Operational::advisory(types::ASM, Family::IPV4_UNICAST, "x"))),
    ]
}

/// Every chunk of `encoder`, each of at least `bound` bytes but the last.
fn chunks(
    mut encoder: BatchEncoder,
    ctx: &Context,
    cfg: &PeerConfig,
    bound: usize,
) -> Vec<Vec<Outgoing>> {
    let mut all = Vec::new();
    while !encoder.is_done() {
        let mut chunk = Vec::new();
        encoder
            .next_chunk(ctx, cfg, bound, &mut chunk)
            .expect("chunk");
        let bytes: usize = chunk.iter().map(|m| m.bytes.len()).sum();
        assert!(bytes >= bound || encoder.is_done(), "short chunk");
        all.push(chunk);
    }
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Whatever the batch, the session and the chunk bound: the
    /// messages, in order, are those the whole batch gives.
    #[test]
    fn chunks_are_the_whole_batch_encoded(
        mut changes in proptest::collection::vec(change(), 0..120),
        sorted_input in any::<bool>(),
        group_updates in any::<bool>(),
        extended in any::<bool>(),
        v4_only in any::<bool>(),
        addpath in any::<bool>(),
        operational in any::<bool>(),
        reference in any::<bool>(),
        bound in prop_oneof![Just(1usize), Just(60), Just(4096), Just(1 << 20)],
    ) {
        let mut c = cfg();
        c.group_updates = group_updates;
        c.reference_extended_community = reference;
        let mut ctx = context(&Negotiated::standalone(), &c, None);
        ctx.max_size = if extended { 65535 } else { 4096 };
        if v4_only {
            ctx.families = vec![Family::IPV4_UNICAST];
        }
        if addpath {
            ctx.addpath_tx.insert(Family::IPV4_UNICAST);
        }
        if sorted_input {
            // runs that come in packing order, as a first table does
            changes.sort_by(|a, b| route_nlri(a.clone()).map(|r| r.0).cmp(&route_nlri(b.clone()).map(|r| r.0)));
        }
        let msg = RibToSession::Changes { seq: 9, attributes: sets(), changes: changes.clone() };
        let sent: Vec<Change> = changes
            .into_iter()
            .filter(|c| operational || !matches!(c, Change::Operational(_)))
            .collect();
        let want = encode_changes(&sent, &sets(), &ctx, &c).expect("whole");
        let encoder = BatchEncoder::new(frame_of(&msg), &ctx, &c, operational).expect("plan");
        prop_assert_eq!(encoder.seq(), 9);
        prop_assert_eq!(encoder.has_eor(), sent.iter().any(|c| matches!(c, Change::Eor(_))));
        let got: Vec<Outgoing> = chunks(encoder, &ctx, &c, bound).into_iter().flatten().collect();
        prop_assert_eq!(got, want);
    }
}

/// 200,000 routes sharing one attribute set, as a first table comes:
/// the encoder holds the frame and 4 bytes a change, no plan (they
/// come in packing order), and hands out chunks of about the bound.
#[test]
fn a_first_table_is_encoded_in_bounded_chunks() {
    let c = cfg();
    let ctx = context(&Negotiated::standalone(), &c, None);
    let n = 200_000u32;
    let changes: Vec<Change> = (0..n)
        .map(|i| Change::Announce {
            nlri: Prefix::unicast(
                ipnet::Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24)
                    .expect("len")
                    .into(),
            )
            .into(),
            next_hop: next_hop(0),
            attributes: 0,
        })
        .chain([Change::Eor(Family::IPV4_UNICAST)])
        .collect();
    let msg = RibToSession::Changes {
        seq: 1,
        attributes: sets(),
        changes: changes.clone(),
    };
    let frame = frame_of(&msg);
    let frame_bytes = frame.held_bytes() - 4 * (n as usize + 1);
    let encoder = BatchEncoder::new(frame, &ctx, &c, false).expect("plan");
    assert_eq!(encoder.held_bytes(), frame_bytes + 4 * (n as usize + 1));
    assert!(
        frame_bytes < 17 * n as usize,
        "{frame_bytes} bytes of frame"
    );
    let bound = 64 * 1024;
    let all = chunks(encoder, &ctx, &c, bound);
    // one unit (800 KB of UPDATEs) is packed whole, the rest follows
    assert!(all.len() >= 2);
    for chunk in &all {
        let bytes: usize = chunk.iter().map(|m| m.bytes.len()).sum();
        assert!(bytes <= 4 * n as usize + bound, "chunk of {bytes} bytes");
    }
    let want = encode_changes(&changes, &sets(), &ctx, &c).expect("whole");
    assert_eq!(all.into_iter().flatten().collect::<Vec<_>>(), want);
}
