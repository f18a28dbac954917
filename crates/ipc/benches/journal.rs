//! The route journal on the API path: 100,000 announcements of IPv4 /24s
//! sharing one attribute set folded in (what the supervisor does for every
//! API route), the same keys announced again (replaced in place), and the
//! replay a new rib gets; and the announcements as the supervisor gets
//! them, decoded from the rib's message: each route with its own copy of
//! the set.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use ferrobgp_ipc::{Journal, JournalOp, JournalRoute};
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route};
use std::net::Ipv4Addr;
use std::sync::Arc;

const ROUTES: u32 = 100_000;

fn ops(med: u32) -> Vec<JournalOp> {
    let set = Arc::new(Attributes {
        med: Some(med),
        ..Attributes::default()
    });
    (0..ROUTES)
        .map(|i| {
            let net = ipnet::Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24).unwrap();
            JournalOp::Announce {
                peer: 1,
                value: JournalRoute {
                    route: Route::new(
                        Prefix::unicast(net.into()),
                        NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)),
                        set.clone(),
                    ),
                    watchdog: None,
                    withdrawn: false,
                },
            }
        })
        .collect()
}

/// `ops` as decoded from a message: every route with its own set.
fn decoded(mut ops: Vec<JournalOp>) -> Vec<JournalOp> {
    for op in &mut ops {
        if let JournalOp::Announce { value, .. } = op {
            value.route.attributes = Arc::new((*value.route.attributes).clone());
        }
    }
    ops
}

fn journal(c: &mut Criterion) {
    let mut g = c.benchmark_group("journal");
    g.sample_size(20);
    g.bench_function("apply 100k", |b| {
        b.iter_batched(
            || ops(1),
            |ops| {
                let mut j = Journal::new();
                for op in ops {
                    j.apply(op);
                }
                j
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("apply 100k decoded", |b| {
        b.iter_batched(
            || decoded(ops(1)),
            |ops| {
                let mut j = Journal::new();
                for op in ops {
                    j.apply(op);
                }
                j
            },
            BatchSize::LargeInput,
        )
    });
    let mut full = Journal::new();
    for op in ops(1) {
        full.apply(op);
    }
    g.bench_function("replace 100k", |b| {
        b.iter_batched(
            || (full.clone(), ops(2)),
            |(mut j, ops)| {
                for op in ops {
                    j.apply(op);
                }
                j
            },
            BatchSize::LargeInput,
        )
    });
    g.bench_function("replay 100k", |b| b.iter(|| full.replay(10_000)));
    g.finish();
}

criterion_group!(benches, journal);
criterion_main!(benches);
