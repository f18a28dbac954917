//! Fault injection: `kill -9` of the rib loses no route and resets no
//! session. The sessions carry on through the crash (no NOTIFICATION, no
//! new connection) and get the new rib's table as an implicit replace:
//! routes from the configuration, from the control socket (`ferrobgp cli`)
//! and from a helper are all announced again, `show adj-rib out` lists
//! them, and a route the API withdrew is withdrawn, never re-announced;
//! with a helper streaming announcements while the rib is killed, every
//! route the helper was answered `done` for is announced on the same
//! session at the end. The helpers announce only in their first run (a
//! marker file), so what comes back after the crash comes from the
//! supervisor's route journal, not from a helper saying it again. A `done`
//! is written only once the supervisor has journaled the route: with the
//! supervisor stopped, the route reaches the peers but its answer waits.

mod common;

use common::*;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn neighbor(ip: &str, port: u16) -> String {
    format!(
        r#"
neighbor {ip} {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {port};
    family {{ ipv4 unicast; }}
    api {{ processes [ helper ]; }}
    static {{ route 10.1.0.0/24 next-hop 127.0.0.1; }}
}}
"#
    )
}

fn conf(a: &Peer, b: &Peer) -> String {
    "process helper {\n    run ./helper.sh;\n    encoder text;\n}\n".to_string()
        + &neighbor("127.0.0.1", a.addr.port())
        + &neighbor("127.0.0.2", b.addr.port())
}

/// Announces 10.3.0.0/24 to both neighbors once (its first run only), then
/// stays, answering nothing.
const ONCE: &str = r#"#!/bin/sh
d=$(dirname "$0")
if [ ! -e "$d/announced" ]; then
    touch "$d/announced"
    echo "announce route 10.3.0.0/24 next-hop 127.0.0.1"
    read -r reply && echo "$reply" > "$d/reply"
fi
exec sleep 3600
"#;

/// In its first run, announces 10.100.0.0/24 ... one command at a time and
/// writes each prefix whose `done` it received into `acked`.
const STREAM: &str = r#"#!/bin/sh
d=$(dirname "$0")
[ -e "$d/streamed" ] && exec sleep 3600
touch "$d/streamed"
i=0
while [ $i -lt 6000 ]; do
    p="10.$((100 + i / 250)).$((i % 250)).0/24"
    echo "announce route $p next-hop 127.0.0.1"
    read -r reply || exit 0
    [ "$reply" = done ] && echo "$p" >> "$d/acked"
    i=$((i + 1))
done
exec sleep 3600
"#;

/// Waits for the rib to be replaced after a kill of `old`.
fn new_rib(d: &Daemon, old: u32, log: &dyn Fn() -> String) -> u32 {
    let deadline = Instant::now() + LONG;
    loop {
        if let Some(p) = rib_of(d).filter(|p| *p != old) {
            return p;
        }
        assert!(Instant::now() < deadline, "no new rib\n{}", log());
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// What a session that outlived the rib gets from the new one: UPDATEs
/// (never a NOTIFICATION, never the end of the connection) until every
/// prefix of `want` was announced again, none of `want` withdrawn and none
/// of `forbidden` (routes the API withdrew from this neighbor) announced on
/// the way. Returns the prefixes withdrawn on the way.
fn resync(
    s: &mut Session,
    want: &BTreeSet<String>,
    forbidden: &BTreeSet<String>,
    log: &dyn Fn() -> String,
) -> BTreeSet<String> {
    let deadline = Instant::now() + LONG;
    let (mut seen, mut withdrawn) = (BTreeSet::new(), BTreeSet::new());
    while !want.is_subset(&seen) {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(
            !left.is_zero(),
            "no resync: {seen:?} of {want:?}\n{}",
            log()
        );
        let m = s
            .read_non_keepalive(left)
            .unwrap_or_else(|| panic!("session closed by the rib crash\n{}", log()));
        assert_eq!(m.kind, UPDATE, "{m:?}\n{}", log());
        let (ann, wd) = update_prefixes(&m.body);
        for p in &wd {
            assert!(!want.contains(p), "{p} withdrawn\n{}", log());
        }
        for p in &ann {
            assert!(
                !forbidden.contains(p),
                "{p} announced again after the API withdrew it\n{}",
                log()
            );
        }
        withdrawn.extend(wd);
        seen.extend(ann);
    }
    withdrawn
}

#[test]
fn a_rib_crash_loses_no_route() {
    let a = Peer::bind("127.0.0.1");
    let b = Peer::bind("127.0.0.2");
    let w = start_with_cli(&conf(&a, &b), &[("helper.sh", ONCE)]);
    let log = {
        let p = w.d.log.clone();
        move || std::fs::read_to_string(&p).unwrap_or_default()
    };
    let mut sa = a.accept();
    let mut sb = b.accept();
    sa.establish(65000, [10, 0, 0, 2], 30);
    sb.establish(65000, [10, 0, 0, 3], 30);
    read_table(&mut sa, &log);
    read_table(&mut sb, &log);
    wait_file_contains(&w.d.path("reply"), "done", &log);
    let (code, out) = cli(&w.sock, "announce route 10.2.0.0/24 next-hop 127.0.0.1");
    assert_eq!((code, out.trim()), (Some(0), ""), "{}", log());
    for s in [&mut sa, &mut sb] {
        wait_route(s, "10.2.0.0/24", LONG, &log);
    }
    // The API withdraws a configured route from one neighbor: that too
    // must survive the crash.
    let (code, out) = cli(&w.sock, "neighbor 127.0.0.2 withdraw route 10.1.0.0/24");
    assert_eq!((code, out.trim()), (Some(0), ""), "{}", log());
    let m = sb.read_non_keepalive(LONG).expect("withdrawal");
    assert_eq!(update_prefixes(&m.body).1, vec!["10.1.0.0/24".to_string()]);
    let want: BTreeSet<String> = ["10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"]
        .map(String::from)
        .into();
    let want_b: BTreeSet<String> = ["10.2.0.0/24", "10.3.0.0/24"].map(String::from).into();
    let withdrawn_b: BTreeSet<String> = ["10.1.0.0/24".to_string()].into();
    let none = BTreeSet::new();

    let rib = rib_of(&w.d).expect("rib");
    signal(rib, libc::SIGKILL);
    new_rib(&w.d, rib, &log);
    // Each session carries on and gets every route again; the one the API
    // withdrew from b is withdrawn (again), never announced.
    let gone_a = resync(&mut sa, &want, &none, &log);
    let gone_b = resync(&mut sb, &want_b, &withdrawn_b, &log);
    assert!(gone_a.is_empty(), "{gone_a:?}");
    assert!(gone_b.is_subset(&withdrawn_b), "{gone_b:?}");
    let reset = [&a, &b].iter().filter(|p| p.has_pending()).count();
    assert_eq!(reset, 0, "a session reconnected\n{}", log());
    eprintln!(
        "rib kill: {} and {} route(s) announced again, 0 of 2 sessions reset",
        want.len(),
        want_b.len()
    );
    let (code, out) = cli(&w.sock, "show adj-rib out");
    assert_eq!(code, Some(0), "{out}");
    for p in &want {
        let n = if want_b.contains(p) { 2 } else { 1 };
        assert_eq!(
            out.matches(p.as_str()).count(),
            n,
            "{p} for {n} neighbor(s) in:\n{out}"
        );
    }
    let (code, out) = cli(&w.sock, "announce route 10.4.0.0/24 next-hop 127.0.0.1");
    assert_eq!((code, out.trim()), (Some(0), ""), "{}", log());
    // whatever comes before 10.4.0.0/24 must not bring 10.1.0.0/24 back to b
    let next: BTreeSet<String> = ["10.4.0.0/24".to_string()].into();
    resync(&mut sa, &next, &none, &log);
    resync(&mut sb, &next, &withdrawn_b, &log);
}

/// Stops a process (SIGSTOP) until dropped (SIGCONT).
struct Stopped(u32);

impl Stopped {
    fn new(pid: u32) -> Stopped {
        signal(pid, libc::SIGSTOP);
        Stopped(pid)
    }
}

impl Drop for Stopped {
    fn drop(&mut self) {
        signal(self.0, libc::SIGCONT);
    }
}

/// `ferrobgp cli` in a thread: its outcome arrives on the channel.
fn cli_async(sock: &str, line: &'static str) -> std::sync::mpsc::Receiver<(Option<i32>, String)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let sock = sock.to_string();
    std::thread::spawn(move || {
        let _ = tx.send(cli(&sock, line));
    });
    rx
}

/// `done` waits until the route's journal message is written to the
/// supervisor's channel, not until the supervisor applied it: what is on
/// that channel is applied even when the rib died meanwhile.
#[test]
fn done_before_the_supervisor_applied_the_journal_survives_a_rib_crash() {
    let a = Peer::bind("127.0.0.1");
    let b = Peer::bind("127.0.0.2");
    let w = start_with_cli(&conf(&a, &b), &[("helper.sh", ONCE)]);
    let log = {
        let p = w.d.log.clone();
        move || std::fs::read_to_string(&p).unwrap_or_default()
    };
    let mut sa = a.accept();
    let mut sb = b.accept();
    sa.establish(65000, [10, 0, 0, 2], 30);
    sb.establish(65000, [10, 0, 0, 3], 30);
    read_table(&mut sa, &log);
    read_table(&mut sb, &log);
    wait_file_contains(&w.d.path("reply"), "done", &log);

    // The supervisor applies nothing while stopped: the route goes on the
    // wire and is answered `done`, its journal message waiting on the
    // supervisor's channel.
    let stopped = Stopped::new(w.d.pid());
    let announce = cli_async(&w.sock, "announce route 10.2.0.0/24 next-hop 127.0.0.1");
    for s in [&mut sa, &mut sb] {
        wait_route(s, "10.2.0.0/24", LONG, &log);
    }
    let (code, out) = announce.recv_timeout(LONG).expect("answered");
    assert_eq!((code, out.trim()), (Some(0), ""), "{}", log());

    // the rib dies before the supervisor read the message: what was
    // answered `done` survives
    let rib = rib_of(&w.d).expect("rib");
    signal(rib, libc::SIGKILL);
    drop(stopped);
    new_rib(&w.d, rib, &log);
    let want: BTreeSet<String> = ["10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"]
        .map(String::from)
        .into();
    resync(&mut sa, &want, &BTreeSet::new(), &log);
}

/// A peer read in the background: the prefixes it holds (announced, not
/// withdrawn since), and whether the session ended or got a NOTIFICATION
/// before the test closed it.
struct Reader {
    held: Arc<Mutex<BTreeSet<String>>>,
    ended: Arc<AtomicBool>,
    stream: std::net::TcpStream,
    thread: std::thread::JoinHandle<()>,
}

impl Reader {
    fn start(mut s: Session) -> Reader {
        let held = Arc::new(Mutex::new(BTreeSet::new()));
        let ended = Arc::new(AtomicBool::new(false));
        let stream = s.s.try_clone().expect("clone");
        let (h, e) = (held.clone(), ended.clone());
        let thread = std::thread::spawn(move || loop {
            match s.read(LONG) {
                Some(m) if m.kind == UPDATE => {
                    let (ann, wd) = update_prefixes(&m.body);
                    let mut held = h.lock().expect("lock");
                    for p in wd {
                        held.remove(&p);
                    }
                    held.extend(ann);
                }
                Some(m) if m.kind == KEEPALIVE => {}
                _ => {
                    e.store(true, Ordering::SeqCst);
                    return;
                }
            }
        });
        Reader {
            held,
            ended,
            stream,
            thread,
        }
    }

    /// Ends the connection; whether it had ended before.
    fn stop(self) -> bool {
        let ended = self.ended.load(Ordering::SeqCst);
        let _ = self.stream.shutdown(std::net::Shutdown::Both);
        let _ = self.thread.join();
        ended
    }
}

/// The prefixes `show adj-rib out` lists for neighbor `ip` (its lines
/// `<ip> ipv4 unicast <prefix> next-hop ...`).
fn adj_rib_out_of(out: &str, ip: &str) -> BTreeSet<String> {
    let head = format!("{ip} ");
    out.lines()
        .filter(|l| l.starts_with(&head))
        .map(|l| {
            l.split_whitespace()
                .find(|w| w.contains('/') && w.starts_with(|c: char| c.is_ascii_digit()))
                .unwrap_or_else(|| panic!("no prefix in {l:?}"))
                .to_string()
        })
        .collect()
}

#[test]
fn a_rib_crash_under_load_keeps_every_route_answered_done() {
    let a = Peer::bind("127.0.0.1");
    let b = Peer::bind("127.0.0.2");
    let w = start_with_cli(&conf(&a, &b), &[("helper.sh", STREAM)]);
    let log = {
        let p = w.d.log.clone();
        move || std::fs::read_to_string(&p).unwrap_or_default()
    };
    let acked_file = w.d.path("acked");
    let acked = || -> Vec<String> {
        std::fs::read_to_string(&acked_file)
            .unwrap_or_default()
            .lines()
            .map(String::from)
            .collect()
    };
    let mut sa = a.accept();
    let mut sb = b.accept();
    sa.establish(65000, [10, 0, 0, 2], 30);
    sb.establish(65000, [10, 0, 0, 3], 30);
    // The peers read in the background while the helper streams, until it
    // has a few hundred answers; then the rib is killed.
    let readers = [sa, sb].map(Reader::start);
    let deadline = Instant::now() + LONG;
    while acked().len() < 300 {
        assert!(Instant::now() < deadline, "helper stalled\n{}", log());
        std::thread::sleep(Duration::from_millis(5));
    }
    let rib = rib_of(&w.d).expect("rib");
    signal(rib, libc::SIGKILL);
    let before = acked();
    new_rib(&w.d, rib, &log);
    std::thread::sleep(Duration::from_millis(200));
    let done = acked();
    assert!(
        done.len() < 6000,
        "the stream ended before the kill: not a test of load in flight"
    );
    eprintln!(
        "rib killed with {} route(s) answered done ({} when the kill was sent)",
        done.len(),
        before.len()
    );
    for (r, id) in readers.iter().zip([2u8, 3u8]) {
        let deadline = Instant::now() + LONG;
        loop {
            let missing: Vec<String> = {
                let held = r.held.lock().expect("lock");
                done.iter()
                    .chain(["10.1.0.0/24".to_string()].iter())
                    .filter(|p| !held.contains(*p))
                    .cloned()
                    .collect()
            };
            if missing.is_empty() {
                break;
            }
            assert!(
                Instant::now() < deadline && !r.ended.load(Ordering::SeqCst),
                "peer {id}: {} of {} routes answered done are missing: {:?}\n{}",
                missing.len(),
                done.len(),
                &missing[..missing.len().min(5)],
                log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    // and no more than that: each peer ends up with exactly what the
    // daemon lists for it in `show adj-rib out` (a route announced before
    // the kill but never journaled is withdrawn by the new rib's table)
    for (r, ip) in readers.iter().zip(["127.0.0.1", "127.0.0.2"]) {
        let deadline = Instant::now() + LONG;
        loop {
            let (code, out) = cli(&w.sock, "show adj-rib out");
            assert_eq!(code, Some(0), "{out}");
            let listed = adj_rib_out_of(&out, ip);
            let held = r.held.lock().expect("lock").clone();
            if held == listed {
                break;
            }
            assert!(
                Instant::now() < deadline && !r.ended.load(Ordering::SeqCst),
                "peer {ip} holds {} route(s), show adj-rib out lists {}: held only {:?}, listed only {:?}, show adj-rib out: {:?}...\n{}",
                held.len(),
                listed.len(),
                held.difference(&listed).take(5).collect::<Vec<_>>(),
                listed.difference(&held).take(5).collect::<Vec<_>>(),
                out.lines().take(3).collect::<Vec<_>>(),
                log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    let ended: Vec<bool> = readers.into_iter().map(Reader::stop).collect();
    assert_eq!(ended, [false, false], "a session ended\n{}", log());
    assert!(
        !a.has_pending() && !b.has_pending(),
        "a session reconnected"
    );
}
