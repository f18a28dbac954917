//! The route journal on the API path: 100,000 announcements of IPv4 /24s
//! sharing one attribute set, in messages of 1,000 as the rib sends a
//! batch, folded in (what the supervisor does for every API route), the
//! same keys announced again (replaced in place), the replay a new rib
//! gets, and the messages written and read as they travel.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ferrobgp_ipc::{Journal, JournalOps};
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route};
use std::net::Ipv4Addr;
use std::sync::Arc;

const ROUTES: u32 = 100_000;
const BATCH: u32 = 1_000;

fn messages(med: u32) -> Vec<JournalOps> {
    let set = Arc::new(Attributes {
        med: Some(med),
        ..Attributes::default()
    });
    (0..ROUTES / BATCH)
        .map(|b| {
            let mut ops = JournalOps::new();
            for i in b * BATCH..(b + 1) * BATCH {
                let net = ipnet::Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24).unwrap();
                let route = Route::new(
                    Prefix::unicast(net.into()),
                    NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)),
                    set.clone(),
                );
                ops.announce(1, &route, None, false);
            }
            ops
        })
        .collect()
}

fn config() -> impl bincode::config::Config {
    bincode::config::standard()
}

fn encoded(messages: &[JournalOps]) -> Vec<Vec<u8>> {
    messages
        .iter()
        .map(|m| bincode::serde::encode_to_vec(m, config()).unwrap())
        .collect()
}

/// The messages as the supervisor reads them: each with its own copy of
/// its set.
fn decoded(bytes: &[Vec<u8>]) -> Vec<JournalOps> {
    bytes
        .iter()
        .map(|b| bincode::serde::decode_from_slice(b, config()).unwrap().0)
        .collect()
}

fn journal(c: &mut Criterion) {
    let mut g = c.benchmark_group("journal");
    g.sample_size(20);
    let first = decoded(&encoded(&messages(1)));
    g.bench_function("apply 100k", |b| {
        b.iter_batched(
            || first.clone(),
            |messages| {
                let mut j = Journal::new();
                for m in &messages {
                    j.apply_ops(m);
                }
                j
            },
            BatchSize::LargeInput,
        )
    });
    let mut full = Journal::new();
    first.iter().for_each(|m| full.apply_ops(m));
    let second = decoded(&encoded(&messages(2)));
    g.bench_function("replace 100k", |b| {
        b.iter_batched(
            || (full.clone(), second.clone()),
            |(mut j, messages)| {
                for m in &messages {
                    j.apply_ops(m);
                }
                j
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("replay 100k", |b| b.iter(|| full.replay(10_000)));
    let built = messages(1);
    g.bench_function("write and read 100k", |b| {
        b.iter(|| decoded(&encoded(&built)))
    });
    g.finish();
}

criterion_group!(benches, journal);
criterion_main!(benches);
