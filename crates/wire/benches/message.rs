//! Throughput of the message layer: cutting a stream of KEEPALIVEs and
//! OPENs with the Framer, decoding OPENs, and building our OPEN.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ferrobgp_wire::message::{Framer, Message, OpenConfig};
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::Family;
use std::net::Ipv4Addr;

fn open_config() -> OpenConfig {
    OpenConfig {
        local_as: 65000,
        router_id: Ipv4Addr::new(10, 0, 0, 1),
        families: Family::ALL_KNOWN.to_vec(),
        route_refresh: true,
        host_name: Some("host".into()),
        software_version: Some("ferrobgp/0.1".into()),
        ..OpenConfig::default()
    }
}

fn bench(c: &mut Criterion) {
    let neg = Negotiated::standalone();
    let open = Message::Open(open_config().build().unwrap());
    let open_bytes = open.encode(4096).unwrap();
    let keepalive = Message::Keepalive.encode(4096).unwrap();
    let mut stream = Vec::new();
    for i in 0..1000 {
        stream.extend_from_slice(if i % 10 == 0 { &open_bytes } else { &keepalive });
    }

    let mut g = c.benchmark_group("message");
    g.throughput(Throughput::Bytes(stream.len() as u64));
    g.bench_function("framer_1000_messages", |b| {
        b.iter(|| {
            let mut f = Framer::new(4096);
            let mut n = 0;
            for chunk in stream.chunks(1460) {
                f.feed(chunk);
                while let Some(m) = f.next_message(&neg).unwrap() {
                    black_box(&m);
                    n += 1;
                }
            }
            assert_eq!(n, 1000);
        })
    });
    g.finish();

    c.bench_function("decode_open", |b| {
        b.iter(|| Message::decode_bytes(black_box(&open_bytes), 4096, &neg).unwrap())
    });
    c.bench_function("build_open", |b| {
        let cfg = open_config();
        b.iter(|| black_box(&cfg).build().unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
