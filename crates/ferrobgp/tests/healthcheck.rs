//! `ferrobgp healthcheck` against ExaBGP 5.0.15's `exabgp healthcheck`:
//! both run the same scripted scenario (check command succeeding, failing,
//! the disable file appearing and going away, rise/fall, hooks, SIGTERM)
//! with this test acting as ExaBGP (reading the API lines, answering
//! `done`), and must write the same lines and run the same hooks. The
//! scenario is driven by the check command's own sequence, not by timing,
//! so the transcripts are deterministic. Our transcript is also checked
//! against a literal one, so the test fails without ExaBGP too; ExaBGP
//! comes from `$EXABGP_VENV` or `qa/.venv` (skip notice when absent).
//!
//! A second test runs the helper in a new network namespace to check that
//! addresses are set up on `lo` over netlink with their label.

mod interop_common;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const FERROBGP: &str = env!("CARGO_BIN_EXE_ferrobgp");

/// The check command: each run takes the next word of `seq`: `ok`, `fail`,
/// `disable` (create the disable file, succeed), `hang` (say so, then wait
/// for `release`); past the end: `ok`.
const CHECK: &str = r#"#!/bin/sh
d=$(dirname "$0")
n=$(cat "$d/n" 2>/dev/null || echo 0)
n=$((n+1))
echo $n > "$d/n"
w=$(sed -n "${n}p" "$d/seq")
case "$w" in
  fail) exit 1 ;;
  disable) touch "$d/disabled"; exit 0 ;;
  hang) touch "$d/hanging"; i=0
        while [ ! -e "$d/release" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done
        exit 0 ;;
  *) exit 0 ;;
esac
"#;

/// What a run produced: API lines, hook lines, exit status.
#[derive(Debug, PartialEq)]
struct Transcript {
    lines: Vec<String>,
    hooks: Vec<String>,
    status: Option<i32>,
}

fn exabgp() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Ok(v) = std::env::var("EXABGP_VENV") {
        candidates.push(PathBuf::from(v).join("bin/exabgp"));
    }
    candidates.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../qa/.venv/bin/exabgp"));
    candidates.into_iter().find(|p| p.is_file())
}

/// Runs `program args... scenario-options` through the scenario `seq`,
/// reads `before_term` lines, then SIGTERMs it while its check command
/// hangs and reads what it writes until it exits.
fn run(program: &[String], seq: &[&str], extra: &[&str], before_term: usize) -> Transcript {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("check.sh"), CHECK).unwrap();
    std::fs::write(d.join("seq"), seq.join("\n") + "\n").unwrap();
    let hooks = d.join("hooks");
    let mut cmd = Command::new(&program[0]);
    cmd.args(&program[1..])
        .arg("--cmd")
        .arg(format!("sh {}", d.join("check.sh").display()))
        .arg("--disable")
        .arg(d.join("disabled"))
        .args([
            "--interval",
            "0.05",
            "--fast-interval",
            "0.05",
            "--timeout",
            "0",
        ])
        .args(["--no-ip-setup", "--no-syslog"])
        .arg("--execute")
        .arg(format!("echo \"any $STATE\" >> {}", hooks.display()))
        .arg("--up-execute")
        .arg(format!("echo \"up $STATE\" >> {}", hooks.display()))
        .arg("--down-execute")
        .arg(format!("echo \"down $STATE\" >> {}", hooks.display()))
        .args(extra)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(d.join("stderr")).unwrap());
    let mut child = cmd.spawn().expect("start the healthcheck");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let fail = |why: &str| -> ! {
        let err = std::fs::read_to_string(d.join("stderr")).unwrap_or_default();
        panic!("{program:?}: {why}\nstderr:\n{err}");
    };
    let mut lines = Vec::new();
    while lines.len() < before_term {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok(line) = rx.recv_timeout(left) else {
            fail(&format!("only {} lines: {lines:#?}", lines.len()))
        };
        // the disable file goes away once the DISABLED state was reported
        let _ = std::fs::remove_file(d.join("disabled"));
        lines.push(line);
        stdin.write_all(b"done\n").unwrap();
        stdin.flush().unwrap();
    }
    while !d.join("hanging").exists() {
        if Instant::now() > deadline {
            fail("the check never reached `hang`");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill(2) on the PID of our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    while let Ok(line) = rx.recv_timeout(Duration::from_secs(20)) {
        lines.push(line);
        let _ = stdin.write_all(b"done\n");
        let _ = stdin.flush();
    }
    let status = child.wait().unwrap().code();
    std::fs::write(d.join("release"), "").unwrap();
    let hooks = std::fs::read_to_string(&hooks)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect();
    Transcript {
        lines,
        hooks,
        status,
    }
}

fn ours() -> Vec<String> {
    vec![FERROBGP.to_string(), "healthcheck".to_string()]
}

fn compare_with_exabgp(test: &str, ours: &Transcript, seq: &[&str], extra: &[&str], n: usize) {
    let Some(exa) = exabgp() else {
        interop_common::skip(test, "ExaBGP 5.0.15 not found ($EXABGP_VENV or qa/.venv)");
        return;
    };
    let theirs = run(
        &[exa.display().to_string(), "healthcheck".to_string()],
        seq,
        extra,
        n,
    );
    assert_eq!(
        ours, &theirs,
        "ferrobgp (left) and ExaBGP 5.0.15 (right) differ"
    );
}

#[test]
fn rise_fall_disable_and_exit_as_exabgp() {
    let seq = [
        "ok", "ok", "fail", "ok", "fail", "fail", "fail", "disable", "ok", "ok", "ok", "hang",
    ];
    let extra = [
        "--ip",
        "192.0.2.1",
        "--ip",
        "2001:db8::/64",
        "--rise",
        "2",
        "--fall",
        "2",
    ];
    let got = run(&ours(), &seq, &extra, 10);
    let up = [
        "neighbor * announce route 192.0.2.1/32 next-hop self med 100",
        "neighbor * announce route 2001:db8::/64 next-hop self med 101",
    ];
    let down = [
        "neighbor * announce route 192.0.2.1/32 next-hop self med 1000",
        "neighbor * announce route 2001:db8::/64 next-hop self med 1001",
    ];
    let disabled = [
        "neighbor * announce route 192.0.2.1/32 next-hop self med 500",
        "neighbor * announce route 2001:db8::/64 next-hop self med 501",
    ];
    let exit = [
        "neighbor * withdraw route 192.0.2.1/32 next-hop self",
        "neighbor * withdraw route 2001:db8::/64 next-hop self",
    ];
    let expected: Vec<String> = [&up, &down, &down, &disabled, &up, &exit]
        .iter()
        .flat_map(|l| l.iter().map(|s| s.to_string()))
        .collect();
    assert_eq!(got.lines, expected);
    assert_eq!(
        got.hooks,
        [
            "any RISING",
            "up UP",
            "any UP",
            "any FALLING",
            "any RISING",
            "any FALLING",
            "down DOWN",
            "any DOWN",
            "any RISING",
            "any DISABLED",
            "any INIT",
            "any RISING",
            "up UP",
            "any UP",
        ]
    );
    assert_eq!(got.status, Some(0));
    compare_with_exabgp(
        "rise_fall_disable_and_exit_as_exabgp",
        &got,
        &seq,
        &extra,
        10,
    );
}

#[test]
fn withdraw_on_down_debounce_and_attributes_as_exabgp() {
    let seq = [
        "ok", "ok", "fail", "fail", "ok", "disable", "ok", "ok", "hang",
    ];
    let extra = [
        "--ip",
        "192.0.2.0/31",
        "--ip",
        "198.51.100.7",
        "--deaggregate-networks",
        "--start-ip",
        "1",
        "--rise",
        "1",
        "--fall",
        "1",
        "--withdraw-on-down",
        "--debounce",
        "--neighbor",
        "127.0.0.2",
        "--neighbor",
        "127.0.0.3",
        "--next-hop",
        "192.0.2.254",
        "--path-id",
        "5",
        "--local-preference",
        "200",
        "--community",
        "65000:1",
        "--disabled-community",
        "65000:666",
        "--large-community",
        "65000:1:1",
        "--extended-community",
        "target:65000:1",
        "--as-path",
        "65000 65001",
        "--up-as-path",
        "65010",
        "--up-metric",
        "10",
        "--increase",
        "5",
    ];
    let got = run(&ours(), &seq, &extra, 15);
    let nb = "neighbor 127.0.0.2, neighbor 127.0.0.3";
    let attrs = "local-preference 200 community [ 65000:1 ] extended-community [ target:65000:1 ] \
                 large-community [ 65000:1:1 ] as-path [ 65010 ] path-information 5";
    let order = ["192.0.2.1/32", "198.51.100.7/32", "192.0.2.0/32"];
    let up: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{nb} announce route {p} next-hop 192.0.2.254 med {} {attrs}",
                10 + 5 * i
            )
        })
        .collect();
    let withdraw: Vec<String> = order
        .iter()
        .map(|p| format!("{nb} withdraw route {p} next-hop 192.0.2.254 path-information 5"))
        .collect();
    // UP, DOWN (withdraw), UP, DISABLED (withdraw), UP, then EXIT (withdraw)
    let expected: Vec<String> = [&up, &withdraw, &up, &withdraw, &up, &withdraw]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    assert_eq!(got.lines, expected);
    assert_eq!(got.status, Some(0));
    compare_with_exabgp(
        "withdraw_on_down_debounce_and_attributes_as_exabgp",
        &got,
        &seq,
        &extra,
        15,
    );
}

#[test]
fn addresses_are_set_up_on_lo_with_their_label_in_a_namespace() {
    let test = "addresses_are_set_up_on_lo_with_their_label_in_a_namespace";
    if !interop_common::is_root() {
        interop_common::skip(test, "needs root for a network namespace");
        return;
    }
    let Some(_) = interop_common::require(test, "util-linux", &["unshare"]) else {
        return;
    };
    // in a fresh namespace: lo up, one address already there, two to add
    let script = format!(
        "ip link set lo up && ip address add 192.0.2.9/32 dev lo label lo:web0 && \
         {FERROBGP} healthcheck --ip 192.0.2.9 --ip 192.0.2.10 --ip 2001:db8::a --label web \
         --interval 0 --rise 1 --no-syslog --no-ack > /dev/null && ip -o address show dev lo && \
         echo --- && {FERROBGP} healthcheck --label web --interval 0 --rise 1 --no-syslog --no-ack \
         --no-ip-setup"
    );
    let out = Command::new("unshare")
        .args(["-n", "sh", "-c", &script])
        .output()
        .expect("unshare");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (addrs, lines) = text.split_once("---\n").expect("both parts");
    assert!(
        addrs.contains("inet 192.0.2.10/32 scope global lo:web"),
        "{addrs}"
    );
    assert!(addrs.contains("inet6 2001:db8::a/128"), "{addrs}");
    // without --ip: the labelled non-loopback addresses of lo, in kernel order
    assert_eq!(
        lines.lines().collect::<Vec<_>>(),
        [
            "neighbor * announce route 192.0.2.9/32 next-hop self med 100",
            "neighbor * announce route 192.0.2.10/32 next-hop self med 101",
        ]
    );
}
