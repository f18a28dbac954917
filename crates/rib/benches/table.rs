//! The route table's insert path, as the rib drives it for API routes:
//! N IPv4 /32s sharing one attribute set inserted into an empty table,
//! the same N replaced, then all removed. `cargo bench -p ferrobgp-rib
//! --bench table`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ferrobgp_rib::table::RouteTable;
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route};
use ipnet::{IpNet, Ipv4Net};
use std::net::Ipv4Addr;
use std::sync::Arc;

const N: u32 = 100_000;

fn routes(next_hop: u8) -> Vec<Route> {
    let attributes = Arc::new(Attributes::default());
    (0..N)
        .map(|i| {
            let net = Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + i), 32).expect("prefix");
            Route::new(
                Prefix::unicast(IpNet::V4(net)),
                NextHop::V4(Ipv4Addr::new(192, 0, 2, next_hop)),
                attributes.clone(),
            )
        })
        .collect()
}

fn table(c: &mut Criterion) {
    let mut group = c.benchmark_group("route_table");
    group.throughput(Throughput::Elements(u64::from(N)));
    group.sample_size(20);
    let first = routes(1);
    let second = routes(2);
    group.bench_function("insert 100k", |b| {
        b.iter_batched(
            || first.clone(),
            |rs| {
                let mut t = RouteTable::new();
                for r in rs {
                    t.insert(r);
                }
                t
            },
            BatchSize::LargeInput,
        )
    });
    let mut full = RouteTable::new();
    for r in first.iter().cloned() {
        full.insert(r);
    }
    group.bench_function("replace 100k", |b| {
        b.iter_batched(
            || (full.clone(), second.clone()),
            |(mut t, rs)| {
                for r in rs {
                    t.insert(r);
                }
                t
            },
            BatchSize::LargeInput,
        )
    });
    let keys: Vec<_> = first.iter().map(Route::key).collect();
    group.bench_function("remove 100k", |b| {
        b.iter_batched(
            || full.clone(),
            |mut t| {
                for k in &keys {
                    t.remove(k);
                }
                t
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, table);
criterion_main!(benches);
