//! The `message_decoder` fuzz property on the stable toolchain: replays
//! seeds built by our own encoders, every message of the conformance suite
//! (read in place when ../shared/conformance exists), any corpus left by
//! `cargo fuzz` in fuzz/corpus/message_decoder, and a bounded number of
//! deterministic mutations of all of them.

mod msg_common;
mod msg_fuzz;

use ferrobgp_wire::capability::{AddPathEntry, AddPathMode, NextHopEntry};
use ferrobgp_wire::message::operational::types;
use ferrobgp_wire::message::{
    GracefulRestartConfig, Message, Notification, OpenConfig, Operational, RouteRefresh,
};
use ferrobgp_wire::{Afi, Family};
use std::net::Ipv4Addr;
use std::path::PathBuf;

fn seeds() -> Vec<Vec<u8>> {
    let open = OpenConfig {
        local_as: 4_200_000_000,
        router_id: Ipv4Addr::new(10, 0, 0, 1),
        families: Family::ALL_KNOWN.to_vec(),
        nexthop: Some(vec![NextHopEntry {
            family: Family::IPV4_UNICAST,
            nexthop_afi: Afi::IPV6,
        }]),
        add_path: Some(vec![AddPathEntry {
            family: Family::IPV4_UNICAST,
            mode: AddPathMode::BOTH,
        }]),
        graceful_restart: Some(GracefulRestartConfig {
            time: 120,
            restarted: true,
        }),
        route_refresh: true,
        operational: true,
        host_name: Some("host".into()),
        domain_name: Some("example.com".into()),
        software_version: Some("ferrobgp/0.1".into()),
        multisession: true,
        omit_empty_capabilities: false,
        ..OpenConfig::default()
    }
    .build()
    .unwrap();
    let msgs = vec![
        Message::Open(open),
        Message::Keepalive,
        Message::Notification(Notification::shutdown(2, "maintenance")),
        Message::RouteRefresh(RouteRefresh::new(Family::IPV6_UNICAST, 1)),
        Message::Operational(Operational::advisory(types::ASM, Family::IPV4_UNICAST, "x")),
        msg_common::update(&[0, 0, 0, 0]),
    ];
    let mut out = Vec::new();
    for m in &msgs {
        let bytes = m.encode(65535).unwrap();
        for flags in [0u8, 1, 2, 3, 0xfd] {
            let mut s = vec![flags];
            s.extend_from_slice(&bytes);
            out.push(s);
        }
        out.push(bytes[19..].to_vec());
    }
    let mut stream = vec![0x01];
    for m in &msgs {
        stream.extend(m.encode(65535).unwrap());
    }
    out.push(stream);
    out
}

fn conformance() -> Vec<Vec<u8>> {
    let Some(dir) = msg_common::conformance_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir.join("encoding")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "msg") {
            for raw in msg_common::raw_lines(&std::fs::read_to_string(&p).unwrap()) {
                let mut s = vec![3u8];
                s.extend(raw);
                out.push(s);
            }
        }
    }
    out
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/message_decoder");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .collect()
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut v = input.to_vec();
    for _ in 0..=rng.below(4) {
        match rng.below(5) {
            0 if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] = rng.next() as u8;
            }
            1 if !v.is_empty() => {
                let i = rng.below(v.len());
                v.truncate(i);
            }
            2 => {
                let i = rng.below(v.len() + 1);
                v.insert(i, rng.next() as u8);
            }
            3 if v.len() > 1 => {
                let i = rng.below(v.len());
                v.remove(i);
            }
            _ if !v.is_empty() => {
                let i = rng.below(v.len());
                v[i] ^= 1 << rng.below(8);
            }
            _ => v.push(rng.next() as u8),
        }
    }
    v
}

#[test]
fn replay_seeds_conformance_and_corpus() {
    let inputs: Vec<Vec<u8>> = seeds()
        .into_iter()
        .chain(conformance())
        .chain(corpus())
        .collect();
    for input in &inputs {
        msg_fuzz::check(input);
    }
    assert!(inputs.len() >= 37);
}

#[test]
fn bounded_mutation_run() {
    let inputs: Vec<Vec<u8>> = seeds().into_iter().chain(conformance()).collect();
    let mut rng = Rng(0x5eed_0ff3_220b_9d01);
    // 4 000 mutated inputs keep this test at a few seconds in debug
    // builds; `cargo fuzz` is the open-ended run.
    for _ in 0..4_000 {
        let base = &inputs[rng.below(inputs.len())];
        msg_fuzz::check(&mutate(&mut rng, base));
    }
}
