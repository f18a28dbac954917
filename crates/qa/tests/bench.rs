//! `functional bench` against the real daemon, small: every source form
//! delivers exactly the routes asked for to every peer, and the report
//! names the daemon's processes. Figures are printed, never asserted.
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
