//! `show neighbor extensive|configuration|json` and `show adj-rib out json`
//! through `ferrobgp cli` against a real daemon with two established
//! in-test peers: the answers parse and carry those sessions' facts (the
//! peers' router ids and hold times, message counts, the configuration).

mod common;

use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn neighbor(ip: &str, port: u16, route: &str, extra: &str) -> String {
    format!(
        r#"
neighbor {ip} {{
    description "peer {ip}";
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {port};
    {extra}
    family {{ ipv4 unicast; }}
    static {{ route {route} next-hop 127.0.0.1; }}
}}
"#
    )
}

/// Runs `ferrobgp cli --socket SOCK ARGS...`; returns stdout (exit 0 checked).
fn cli(sock: &Path, args: &[&str], log: &dyn Fn() -> String) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("cli")
        .arg("--socket")
        .arg(sock)
        .args(args)
        .output()
        .expect("run ferrobgp cli");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {stdout}\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        log()
    );
    stdout
}

/// The answer's lines (`ferrobgp cli`, as `exabgp cli`, prints no final `done`).
fn body(answer: &str) -> Vec<&str> {
    let lines: Vec<&str> = answer.lines().collect();
    assert_ne!(lines.last(), Some(&"done"), "{answer}");
    lines
}

/// Reads UPDATEs until one announces `prefix`.
fn wait_route(s: &mut Session, prefix: &str, log: &dyn Fn() -> String) {
    let deadline = Instant::now() + LONG;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{prefix} not announced\n{}", log());
        let m = s
            .read_non_keepalive(left)
            .unwrap_or_else(|| panic!("closed before {prefix} was announced\n{}", log()));
        if m.kind == UPDATE && update_prefixes(&m.body).0.iter().any(|p| p == prefix) {
            return;
        }
    }
}

/// The peer object of `show neighbor json` whose peer address is `ip`.
fn peer<'a>(all: &'a Value, ip: &str) -> &'a Value {
    all.as_array()
        .and_then(|a| a.iter().find(|p| p["peer"]["address"] == ip))
        .unwrap_or_else(|| panic!("no {ip} in {all}"))
}

#[test]
fn show_neighbor_views_and_adj_rib_json() {
    let runtime = tempfile::tempdir().expect("runtime dir");
    let peers = [Peer::bind("127.0.0.2"), Peer::bind("127.0.0.3")];
    let routes = ["10.2.0.0/24", "10.3.0.0/24"];
    let extras = ["capability { route-refresh; }", ""];
    let conf: String = peers
        .iter()
        .zip(routes)
        .zip(extras)
        .map(|((p, r), x)| neighbor(&p.addr.ip().to_string(), p.addr.port(), r, x))
        .collect();
    let d = Daemon::start(
        &conf,
        &[],
        &[
            ("exabgp_api_cli", "true".to_string()),
            ("exabgp_api_socketname", "ctl".to_string()),
            (
                "RUNTIME_DIRECTORY",
                runtime.path().to_string_lossy().into_owned(),
            ),
        ],
    );
    let log = || d.log_text();
    // 127.0.0.2 answers with router id 10.0.0.9 and hold time 20,
    // 127.0.0.3 with 10.0.0.8 and 25.
    let _sessions: Vec<Session> = peers
        .iter()
        .zip(routes)
        .zip([([10, 0, 0, 9], 20), ([10, 0, 0, 8], 25)])
        .map(|((p, r), (id, hold))| {
            let mut s = p.accept();
            s.establish(65000, id, hold);
            wait_route(&mut s, r, &log);
            s
        })
        .collect();
    let sock = runtime.path().join("ctl.sock");
    let deadline = Instant::now() + LONG;
    while !sock.exists() {
        assert!(Instant::now() < deadline, "no control socket\n{}", log());
        std::thread::sleep(Duration::from_millis(50));
    }

    // JSON (`--json` appends the word): poll until the rib knows both
    // sessions are up and the workers' counters include the UPDATE sent.
    let deadline = Instant::now() + LONG;
    let all: Value = loop {
        let answer = cli(&sock, &["--json", "show", "neighbor"], &log);
        let lines = body(&answer);
        assert_eq!(lines.len(), 1, "one JSON document on one line: {answer}");
        let v: Value =
            serde_json::from_str(lines[0]).unwrap_or_else(|e| panic!("not JSON ({e}): {answer}"));
        let ready = v.as_array().is_some_and(|a| {
            a.len() == 2
                && a.iter().all(|p| {
                    p["state"] == "up" && p["messages"]["sent"]["update"].as_u64() >= Some(1)
                })
        });
        if ready {
            break v;
        }
        assert!(Instant::now() < deadline, "not both up: {v}\n{}", log());
        std::thread::sleep(Duration::from_millis(100));
    };
    let p2 = peer(&all, "127.0.0.2");
    assert_eq!(p2["fsm"], "ESTABLISHED");
    assert_eq!(p2["peer"]["id"], "10.0.0.9");
    assert_eq!(p2["peer"]["hold"], 20);
    assert_eq!(p2["peer"]["as"], 65000);
    assert_eq!(p2["local"]["address"], "127.0.0.1");
    assert_eq!(p2["local"]["id"], "10.0.0.1");
    assert_eq!(p2["local"]["hold"], 30);
    assert_eq!(p2["local"]["capabilities"]["route-refresh"], true);
    // the test peer announces neither route refresh nor extended message
    assert_eq!(p2["peer"]["capabilities"]["route-refresh"], false);
    assert_eq!(p2["peer"]["capabilities"]["asn4"], true);
    assert_eq!(p2["capabilities"], serde_json::json!(["asn4"]));
    assert_eq!(p2["families"], serde_json::json!(["ipv4 unicast"]));
    assert_eq!(p2["add-path"]["ipv4 unicast"], "disabled");
    assert_eq!(p2["messages"]["sent"]["open"], 1);
    assert_eq!(p2["messages"]["received"]["open"], 1);
    assert!(p2["messages"]["received"]["keepalive"].as_u64() >= Some(1));
    let total = &p2["messages"]["sent"];
    let sum: u64 = ["open", "notification", "keepalive", "update", "refresh"]
        .iter()
        .map(|k| total[k].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(total["total"].as_u64(), Some(sum));
    let p3 = peer(&all, "127.0.0.3");
    assert_eq!(p3["peer"]["id"], "10.0.0.8");
    assert_eq!(p3["peer"]["hold"], 25);
    assert_eq!(p3["local"]["capabilities"]["route-refresh"], false);

    // extensive: one block per peer with the same facts, then done
    let answer = cli(&sock, &["show", "neighbor", "extensive"], &log);
    let lines = body(&answer);
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("Neighbor ")).count(),
        2,
        "{answer}"
    );
    let block = |ip: &str| -> Vec<&str> {
        let head = format!("Neighbor {ip}");
        let start = lines.iter().position(|l| *l == head).expect("block");
        lines[start..]
            .iter()
            .skip(1)
            .take_while(|l| !l.starts_with("Neighbor "))
            .copied()
            .collect()
    };
    let b2 = block("127.0.0.2");
    let field = |b: &[&str], key: &str| -> Vec<String> {
        b.iter()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("no {key} in {b:?}"))
            .split_whitespace()
            .skip(key.split_whitespace().count())
            .map(str::to_string)
            .collect()
    };
    assert_eq!(field(&b2, "state"), ["ESTABLISHED"]);
    assert_eq!(field(&b2, "ID"), ["10.0.0.1", "10.0.0.9"]);
    assert_eq!(field(&b2, "hold-time"), ["30", "20"]);
    assert_eq!(field(&b2, "AS"), ["65000", "65000"]);
    assert_eq!(field(&b2, "route-refresh:"), ["enabled", "disabled"]);
    assert_eq!(
        field(&b2, "ipv4 unicast:"),
        ["enabled", "enabled", "disabled"]
    );
    assert_eq!(field(&b2, "open:"), ["1", "1"]);
    assert_eq!(field(&b2, "up for").len(), 1);
    assert_eq!(field(&block("127.0.0.3"), "ID"), ["10.0.0.1", "10.0.0.8"]);
    // filtered by address
    let answer = cli(&sock, &["show", "neighbor", "extensive", "127.0.0.3"], &log);
    let heads: Vec<&str> = body(&answer)
        .into_iter()
        .filter(|l| l.starts_with("Neighbor "))
        .collect();
    assert_eq!(heads, ["Neighbor 127.0.0.3"]);

    // configuration: loads back into the configured neighbors
    let answer = cli(&sock, &["show", "neighbor", "configuration"], &log);
    let printed = body(&answer).join("\n") + "\n";
    let opts = ferrobgp_config::LoadOptions::default();
    let load = |text: &str| {
        ferrobgp_config::load_str(Path::new("/t.conf"), text, &opts)
            .unwrap_or_else(|e| panic!("{e}\n{text}"))
            .config
            .neighbors
    };
    let comparable = |n: &ferrobgp_config::Neighbor| {
        let mut n = n.clone();
        n.source = Default::default();
        n.line = 0;
        n
    };
    let back: Vec<_> = load(&printed).iter().map(comparable).collect();
    let configured: Vec<_> = load(&conf).iter().map(comparable).collect();
    assert_eq!(back, configured, "{printed}");
    assert!(
        printed.contains("  description \"peer 127.0.0.2\";\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\n  static {\n    route 10.2.0.0/24 next-hop 127.0.0.1;\n  }\n"),
        "{printed}"
    );

    // adj-rib out json: one object per route line, the configured routes
    let answer = cli(&sock, &["show", "adj-rib", "out", "json"], &log);
    let objects: Vec<Value> = body(&answer)
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    for (ip, route) in [("127.0.0.2", "10.2.0.0/24"), ("127.0.0.3", "10.3.0.0/24")] {
        assert!(
            objects.iter().any(|o| {
                o[ip]["routes"][0]["prefix"] == route
                    && o[ip]["routes"][0]["family"] == "ipv4 unicast"
            }),
            "{ip} {route} not in {answer}"
        );
    }
    // with extensive, the peer's facts come along
    let answer = cli(
        &sock,
        &["show", "adj-rib", "out", "extensive", "127.0.0.2", "json"],
        &log,
    );
    let lines = body(&answer);
    assert_eq!(lines.len(), 1, "{answer}");
    let o: Value = serde_json::from_str(lines[0]).expect("json");
    assert_eq!(o["127.0.0.2"]["routes"][0]["prefix"], "10.2.0.0/24");
    assert_eq!(o["127.0.0.2"]["peer"]["id"], "10.0.0.9");
    assert!(alive(d.pid()), "daemon died\n{}", log());
}
