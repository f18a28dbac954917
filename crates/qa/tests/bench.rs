//! `functional bench` against the real daemon, small: every scenario
//! (static, API all at once and lock-step, reload, receive, many peers,
//! `--compare`) runs to its end, delivers exactly the routes asked for, and
//! the report names the daemon's processes. Figures are printed, never
//! asserted: this keeps the benchmark from rotting, it does not judge speed.
//! Needs `ferrobgp` built next to `functional` (qa/bin/test-all builds
//! every binary first); skips with a message otherwise.

use std::path::PathBuf;
use std::process::Command;

fn ferrobgp() -> Option<PathBuf> {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_functional"));
    let daemon = exe.parent()?.join("ferrobgp");
    daemon.is_file().then_some(daemon)
}

fn bench(args: &[&str]) -> Option<String> {
    let Some(daemon) = ferrobgp() else {
        ferrobgp_testkit::skip(
            "functional bench",
            "build ferrobgp next to functional (cargo build --workspace --bins)",
        );
        return None;
    };
    let output = Command::new(env!("CARGO_BIN_EXE_functional"))
        .arg("bench")
        .args(["--daemon", &format!("{} run", daemon.display())])
        .args(["--timeout", "60"])
        .args(args)
        .output()
        .expect("functional bench");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "bench failed\n{text}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    Some(text)
}

fn peer_lines(text: &str) -> Vec<&str> {
    text.lines().filter(|l| l.starts_with("peer ")).collect()
}

#[test]
fn every_source_delivers_exactly_the_routes_asked_for() {
    for source in ["static", "route", "attributes"] {
        let Some(text) = bench(&["--routes", "2500", "--source", source, "--batch", "300"]) else {
            return;
        };
        let peers = peer_lines(&text);
        assert_eq!(peers.len(), 1, "{text}");
        assert!(peers[0].starts_with("peer 1: 2500 prefixes in "), "{text}");
        assert!(
            text.contains("__rib"),
            "the rib process is measured\n{text}"
        );
        assert!(text.contains("__session"), "the worker is measured\n{text}");
        assert!(
            text.lines()
                .last()
                .is_some_and(|l| l.starts_with("result: routes=2500 peers=1 complete=true ")),
            "{text}"
        );
    }
}

#[test]
fn several_peers_each_get_every_route() {
    let Some(text) = bench(&["--routes", "1000", "--peers", "3"]) else {
        return;
    };
    let peers = peer_lines(&text);
    assert_eq!(peers.len(), 3, "{text}");
    for (i, line) in peers.iter().enumerate() {
        assert!(
            line.starts_with(&format!("peer {}: 1000 prefixes in ", i + 1)),
            "{text}"
        );
    }
    assert_eq!(text.matches("__session").count(), 3, "{text}");
}

/// The value of `key` on the report's `result:` line.
fn result_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let line = text.lines().rev().find(|l| l.starts_with("result: "))?;
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

#[test]
fn lock_step_waits_for_each_done_and_delivers_every_route() {
    let Some(text) = bench(&["--routes", "300", "--source", "lock-step"]) else {
        return;
    };
    assert_eq!(result_value(&text, "complete"), Some("true"), "{text}");
    let peers = peer_lines(&text);
    assert!(peers[0].starts_with("peer 1: 300 prefixes in "), "{text}");
    // One command at a time: nothing to pack, about one UPDATE per route.
    let updates: u32 = peers[0]
        .split_whitespace()
        .nth(5)
        .and_then(|n| n.parse().ok())
        .expect("UPDATE count");
    assert!(updates >= 150, "lock-step packed {updates} UPDATEs\n{text}");
}

#[test]
fn a_reload_changing_one_route_sends_only_that_route() {
    let Some(text) = bench(&["--routes", "2000", "--peers", "2", "--source", "reload"]) else {
        return;
    };
    assert_eq!(result_value(&text, "complete"), Some("true"), "{text}");
    // One changed route, two peers: announced once to each, nothing else.
    assert!(
        text.contains("reload: 2 prefixes announced, 0 withdrawn in "),
        "{text}"
    );
    assert_eq!(
        result_value(&text, "reload_prefixes"),
        Some("2.000"),
        "{text}"
    );
}

#[test]
fn a_received_table_is_taken_in_and_reaches_a_json_helper() {
    for source in ["receive", "receive-json"] {
        let Some(text) = bench(&["--routes", "3000", "--source", source]) else {
            return;
        };
        assert_eq!(result_value(&text, "complete"), Some("true"), "{text}");
        assert!(
            result_value(&text, "settled_seconds").is_some_and(|v| v != "-"),
            "{text}"
        );
        if source == "receive-json" {
            assert!(
                !text.contains("JSON helper complete after incomplete"),
                "{text}"
            );
            assert!(
                text.contains("bench-helper"),
                "the helper is measured\n{text}"
            );
        }
    }
}

#[test]
fn many_peers_are_summarised_with_their_private_memory() {
    let Some(text) = bench(&["--routes", "200", "--peers", "12"]) else {
        return;
    };
    assert_eq!(result_value(&text, "complete"), Some("true"), "{text}");
    assert!(text.contains("12 session workers: PSS "), "{text}");
    let private: u64 = result_value(&text, "max_worker_private_kib")
        .and_then(|v| v.parse().ok())
        .expect("max_worker_private_kib");
    assert!(private > 0, "{text}");
    let pss: f64 = result_value(&text, "daemon_pss_kib")
        .and_then(|v| v.parse().ok())
        .expect("daemon_pss_kib");
    assert!(pss > 0.0, "{text}");
}

#[test]
fn compare_runs_bird_and_exabgp_side_by_side() {
    // ExaBGP 5.0.15 where .ci/run and qa/bin/reference-check install it
    let venv = std::env::var("EXABGP_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| ferrobgp_testkit::workspace_root().join("qa/.venv"));
    let exabgp = venv.join("bin/exabgp");
    if !std::path::Path::new("/usr/sbin/bird").is_file() || !exabgp.is_file() {
        ferrobgp_testkit::skip(
            "compare_runs_bird_and_exabgp_side_by_side",
            &format!("--compare needs /usr/sbin/bird and {}", exabgp.display()),
        );
        return;
    }
    let Some(text) = bench(&["--routes", "300", "--source", "static", "--compare"]) else {
        return;
    };
    for name in ["=== ferrobgp", "=== bird", "=== exabgp"] {
        assert!(text.contains(name), "{text}");
    }
    assert!(!text.contains("not measured"), "{text}");
    assert_eq!(
        text.matches("result: routes=300 peers=1 complete=true")
            .count(),
        3,
        "{text}"
    );
    let header = text
        .lines()
        .find(|l| l.starts_with("figure "))
        .expect("comparison table");
    assert!(
        header.contains("vs bird") && header.contains("vs exabgp"),
        "{text}"
    );
}
