//! A peer's configured routes before its session is up, then its first
//! table: N IPv4 /24s sharing one attribute set installed with
//! `set_static` into an empty Adj-RIB-Out (as the rib does at start), then
//! the session comes up and the whole table is handed out. This is the
//! rib's part of `functional bench --source static`. `cargo bench -p
//! ferrobgp-rib --bench first_table`.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use ferrobgp_rib::{PeerRib, RouteEntry};
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::Family;
use ipnet::{IpNet, Ipv4Net};
use std::net::Ipv4Addr;
use std::sync::Arc;

const N: u32 = 200_000;

fn entries() -> Vec<RouteEntry> {
    let attributes = Arc::new(Attributes::default());
    (0..N)
        .map(|i| {
            let net = Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24).expect("prefix");
            RouteEntry::plain(Route::new(
                Prefix::unicast(IpNet::V4(net)),
                NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)),
                attributes.clone(),
            ))
        })
        .collect()
}

fn first_table(c: &mut Criterion) {
    let mut group = c.benchmark_group("first_table");
    group.throughput(Throughput::Elements(u64::from(N)));
    group.sample_size(10);
    let routes = entries();
    group.bench_function("set_static 200k", |b| {
        b.iter_batched(
            || routes.clone(),
            |rs| {
                let mut p = PeerRib::new(true, true);
                assert!(p.set_static(Vec::new(), rs).is_empty());
                p
            },
            BatchSize::LargeInput,
        )
    });
    let mut loaded = PeerRib::new(true, true);
    loaded.set_static(Vec::new(), routes.clone());
    group.bench_function("session up, first table 200k", |b| {
        b.iter_batched(
            || loaded.clone(),
            |mut p| {
                p.session_up(vec![Family::IPV4_UNICAST]);
                let table = p.full_table(&[Family::IPV4_UNICAST], true);
                assert_eq!(table.len(), N as usize + 1);
                (p, table)
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, first_table);
criterion_main!(benches);
