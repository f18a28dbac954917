//! Parsing speed: a generated configuration with 100,000 static routes.

use criterion::{criterion_group, criterion_main, Criterion};
use ferrobgp_config::{load_str, LoadOptions};
use std::path::Path;

/// A neighbor with `n` static routes, one per line.
pub fn generate(n: usize) -> String {
    let mut s = String::with_capacity(n * 96 + 512);
    s.push_str("neighbor 127.0.0.1 {\n\trouter-id 1.2.3.4;\n\tlocal-address 127.0.0.1;\n\tlocal-as 65000;\n\tpeer-as 65000;\n\tfamily { ipv4 unicast; }\n\tstatic {\n");
    for i in 0..n {
        let (a, b) = ((i >> 8) & 0xff, i & 0xff);
        s.push_str(&format!(
            "\t\troute 10.{a}.{b}.0/24 next-hop 192.0.2.1 med {i} community [65000:{b} 65000:1] as-path [ 65001 65002 ];\n"
        ));
    }
    s.push_str("\t}\n}\n");
    s
}

fn bench(c: &mut Criterion) {
    let text = generate(100_000);
    let opts = LoadOptions::default();
    let mut g = c.benchmark_group("parse");
    g.sample_size(10);
    g.bench_function("100k static routes", |b| {
        b.iter(|| {
            let l = load_str(Path::new("/tmp/bench.conf"), &text, &opts).expect("valid");
            assert_eq!(l.config.neighbors[0].routes.len(), 100_000);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
