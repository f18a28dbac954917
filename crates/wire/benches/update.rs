//! UPDATE decoding and packing throughput on full-size (4096-byte) UPDATEs:
//! one of IPv4 /24s (NLRI field) and one of IPv6 /48s (MP_REACH_NLRI).
//! Throughput is reported in prefixes per second (criterion "elements").
//!
//! Targets (release, one core): decode >= 20 M IPv4 prefixes/s, pack >=
//! 10 M/s. Time is measured as the benchmark thread's CPU time
//! (`CLOCK_THREAD_CPUTIME_ID`), so that other processes competing for the
//! machine's cores do not distort the figures. Packing IPv6 is one UPDATE per NLRI (ExaBGP's rule), so the
//! IPv6 pack bench measures that, plus a group-updates-off-free MP case
//! built directly with `Update::to_message`.

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ferrobgp_wire::attribute::MpReach;
use ferrobgp_wire::attribute::{AsPath, Attributes, Communities, Community, Origin};
use ferrobgp_wire::family::Family;
use ferrobgp_wire::nlri::{Nlri, Prefix};
use ferrobgp_wire::route::{NextHop, Route, RouteChange};
use ferrobgp_wire::update::{pack, Context, Update};
use std::sync::Arc;
use std::time::Duration;

/// The calling thread's CPU time.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime only writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Criterion measurement of thread CPU time.
struct CpuTime;

impl Measurement for CpuTime {
    type Intermediate = Duration;
    type Value = Duration;
    fn start(&self) -> Duration {
        thread_cpu()
    }
    fn end(&self, start: Duration) -> Duration {
        thread_cpu().saturating_sub(start)
    }
    fn add(&self, a: &Duration, b: &Duration) -> Duration {
        *a + *b
    }
    fn zero(&self) -> Duration {
        Duration::ZERO
    }
    fn to_f64(&self, v: &Duration) -> f64 {
        v.as_nanos() as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// Values in nanoseconds, shown in µs; throughput in million elements/s.
struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, _typical: f64, values: &mut [f64]) -> &'static str {
        values.iter_mut().for_each(|v| *v /= 1000.0);
        "µs (cpu)"
    }
    fn scale_throughputs(&self, _typical: f64, t: &Throughput, values: &mut [f64]) -> &'static str {
        let n = match t {
            Throughput::Elements(n) | Throughput::Bytes(n) | Throughput::BytesDecimal(n) => {
                *n as f64
            }
        };
        values.iter_mut().for_each(|v| *v = n * 1e3 / *v);
        "M/s (cpu)"
    }
    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

fn attrs() -> Arc<Attributes> {
    Arc::new(Attributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(vec![65001, 65002])),
        med: Some(10),
        communities: Communities::new(vec![Community::new(65000, 1)]),
        ..Default::default()
    })
}

fn v4_changes(n: u32) -> Vec<RouteChange> {
    let a = attrs();
    (0..n)
        .map(|i| {
            let net = format!("{}.{}.{}.0/24", 10 + (i >> 16), (i >> 8) & 255, i & 255);
            RouteChange::Announce(Route::new(
                Prefix::unicast(net.parse().unwrap()),
                NextHop::V4("192.0.2.1".parse().unwrap()),
                a.clone(),
            ))
        })
        .collect()
}

fn v6_nlri(n: u32) -> Vec<Nlri> {
    (0..n)
        .map(|i| {
            let net = format!("2001:{:x}:{:x}::/48", 0x100 + (i >> 16), i & 0xFFFF);
            Nlri::Prefix(Prefix::unicast(net.parse().unwrap()))
        })
        .collect()
}

fn bench(c: &mut Criterion<CpuTime>) {
    let ctx = Context::default();

    // one full IPv4 UPDATE: as many /24 as fit in 4096 bytes
    let packed = pack(&v4_changes(2000), &ctx);
    let v4msg = packed.messages[0].clone();
    let v4count = Update::decode(&v4msg[19..], &ctx)
        .unwrap()
        .update
        .nlri
        .len();
    assert!(v4msg.len() > 4090);

    // one full IPv6 UPDATE: /48s in MP_REACH_NLRI
    let mut nlri = v6_nlri(1000);
    let a = attrs();
    let mut u6 = Update {
        attributes: (*a).clone(),
        mp_reach: Some(MpReach {
            family: Family::IPV6_UNICAST,
            next_hop: NextHop::V6("2001:db8::1".parse().unwrap()),
            nlri: Vec::new(),
        }),
        ..Default::default()
    };
    while let Some(n) = nlri.pop() {
        u6.mp_reach.as_mut().unwrap().nlri.push(n);
        if u6.to_message(&ctx).is_err() {
            u6.mp_reach.as_mut().unwrap().nlri.pop();
            break;
        }
    }
    let v6msg = u6.to_message(&ctx).unwrap();
    let v6count = u6.mp_reach.as_ref().unwrap().nlri.len();

    let mut g = c.benchmark_group("decode");
    g.throughput(Throughput::Elements(v4count as u64));
    g.bench_function(
        format!("ipv4 /24 x{v4count} ({} bytes)", v4msg.len()),
        |b| b.iter(|| Update::decode(black_box(&v4msg[19..]), &ctx).unwrap()),
    );
    g.throughput(Throughput::Elements(v6count as u64));
    g.bench_function(
        format!("ipv6 /48 x{v6count} ({} bytes)", v6msg.len()),
        |b| b.iter(|| Update::decode(black_box(&v6msg[19..]), &ctx).unwrap()),
    );
    g.finish();

    let mut g = c.benchmark_group("pack");
    let changes = v4_changes(v4count as u32);
    g.throughput(Throughput::Elements(v4count as u64));
    g.bench_function(format!("ipv4 /24 x{v4count} into 1 UPDATE"), |b| {
        b.iter(|| {
            let p = pack(black_box(&changes), &ctx);
            assert_eq!(p.messages.len(), 1);
            p
        })
    });
    let changes: Vec<RouteChange> = u6
        .mp_reach
        .as_ref()
        .unwrap()
        .nlri
        .iter()
        .map(|n| {
            RouteChange::Announce(Route::new(
                n.clone(),
                NextHop::V6("2001:db8::1".parse().unwrap()),
                a.clone(),
            ))
        })
        .collect();
    g.throughput(Throughput::Elements(v6count as u64));
    g.bench_function(
        format!("ipv6 /48 x{v6count}, one UPDATE each (ExaBGP rule)"),
        |b| b.iter(|| pack(black_box(&changes), &ctx)),
    );
    g.bench_function(format!("ipv6 /48 x{v6count} encoded as 1 UPDATE"), |b| {
        b.iter(|| black_box(&u6).to_message(&ctx).unwrap())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().with_measurement(CpuTime);
    targets = bench
}
criterion_main!(benches);
