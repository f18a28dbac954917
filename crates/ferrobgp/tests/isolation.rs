//! Fault isolation: a session worker killed with SIGKILL costs its own
//! session only (restarted, table resent), and a helper that never reads
//! its stdin delays nobody but itself; a rib killed with SIGKILL comes back
//! with its helpers while the session carries on.

mod common;

use common::*;
use std::io::ErrorKind;
use std::time::{Duration, Instant};

/// The bound the design promises for a crashed worker's session to be back.
const RESTART_BOUND: Duration = Duration::from_secs(5);

/// True when the connection is still open (nothing, or data, to read; not EOF).
fn still_open(s: &Session) -> bool {
    s.s.set_nonblocking(true).expect("nonblocking");
    let mut b = [0u8; 1];
    let open = match s.s.peek(&mut b) {
        Ok(0) => false,
        Ok(_) => true,
        Err(e) => e.kind() == ErrorKind::WouldBlock,
    };
    s.s.set_nonblocking(false).expect("blocking");
    open
}

#[test]
fn a_killed_worker_loses_only_its_own_session() {
    let peers: Vec<Peer> = ["127.0.0.2", "127.0.0.3", "127.0.0.4"]
        .iter()
        .map(|ip| Peer::bind(ip))
        .collect();
    let routes = ["10.1.0.0/24", "10.2.0.0/24", "10.3.0.0/24"];
    let conf: String = peers
        .iter()
        .zip(routes)
        .map(|(p, r)| static_neighbor(&p.addr.ip().to_string(), p.addr.port(), r))
        .collect();
    let mut d = Daemon::start(&conf, &[], &[]);
    let mut sessions: Vec<Session> = Vec::new();
    for (p, r) in peers.iter().zip(routes) {
        let mut s = p.accept();
        s.establish(65000, [10, 0, 0, 9], 30);
        wait_route(&mut s, r, LONG, &|| d.log_text());
        sessions.push(s);
    }
    let kids = d.wait_children(&[
        "__rib",
        "--peer 127.0.0.2",
        "--peer 127.0.0.3",
        "--peer 127.0.0.4",
    ]);
    let worker = |ip: &str| {
        *kids
            .iter()
            .find(|p| cmdline(**p).contains(&format!("--peer {ip} ")))
            .expect("worker pid")
    };
    let victim = worker("127.0.0.3");
    let others = [worker("127.0.0.2"), worker("127.0.0.4")];

    // SAFETY: kill(2) of a process this test started (through the daemon).
    unsafe {
        libc::kill(victim as i32, libc::SIGKILL);
    }
    // The victim's peer sees its connection end.
    while sessions[1].read(LONG).is_some() {}

    // Re-established and the Adj-RIB-Out resent within the bound.
    let start = Instant::now();
    let mut again = peers[1].accept();
    again.establish(65000, [10, 0, 0, 9], 30);
    let left = RESTART_BOUND.saturating_sub(start.elapsed());
    wait_route(&mut again, routes[1], left, &|| d.log_text());

    // The other two sessions never noticed: same workers, same connections.
    for (i, pid) in [0usize, 2].iter().zip(others) {
        assert!(alive(pid), "worker {pid} of an untouched peer died");
        assert!(
            still_open(&sessions[*i]),
            "session {i} was disturbed\n{}",
            d.log_text()
        );
    }
    let now = d.children();
    assert!(now.contains(&others[0]) && now.contains(&others[1]));
    assert!(!now.contains(&victim));
}

#[test]
fn a_helper_that_never_reads_delays_only_itself() {
    // `deaf` writes 20000 commands whose replies (about 360 KB) overflow its
    // stdin pipe, and never reads. `polite` then asks five times and waits
    // for each answer.
    let deaf = "#!/bin/sh\nyes version | head -n 20000\nexec sleep 600\n";
    let polite = "#!/bin/sh\nout=\"$(dirname \"$0\")/polite.out\"\nsleep 1\n\
i=0\nwhile [ $i -lt 5 ]; do\n  echo version\n  read a\n  read b\n  echo \"$a $b\" >> \"$out\"\n  i=$((i+1))\ndone\nexec sleep 600\n";
    let conf = r#"
process deaf {
    run ./deaf.sh;
    encoder text;
}
process polite {
    run ./polite.sh;
    encoder text;
}
neighbor 127.0.0.9 {
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    passive;
    api { processes [ deaf polite ]; }
}
"#;
    let d = Daemon::start(conf, &[("deaf.sh", deaf), ("polite.sh", polite)], &[]);
    let out = d.path("polite.out");
    let deadline = Instant::now() + LONG;
    loop {
        let text = std::fs::read_to_string(&out).unwrap_or_default();
        if text.lines().count() >= 5 {
            for l in text.lines() {
                assert!(l.ends_with(" done"), "unexpected reply {l:?}");
            }
            break;
        }
        assert!(
            Instant::now() < deadline,
            "polite helper got {text:?}\n{}",
            d.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_killed_rib_comes_back_with_its_helpers_and_the_session_carries_on() {
    let peer = Peer::bind("127.0.0.5");
    let conf = format!(
        "process watcher {{\n    run ./watcher.sh;\n    encoder text;\n}}\n{}",
        static_neighbor("127.0.0.5", peer.addr.port(), "10.5.0.0/24")
    )
    .replace(
        "static {",
        "api { processes [ watcher ]; neighbor-changes; }\n    static {",
    );
    let watcher = "#!/bin/sh\ncat >> \"$(dirname \"$0\")/watcher.out\"\n";
    let mut d = Daemon::start(&conf, &[("watcher.sh", watcher)], &[]);
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 9], 30);
    wait_route(&mut s, "10.5.0.0/24", LONG, &|| d.log_text());
    let kids = d.wait_children(&["__rib", "__session", "watcher.sh"]);
    let rib = *kids
        .iter()
        .find(|p| cmdline(**p).contains("__rib"))
        .expect("rib pid");
    let helper = *kids
        .iter()
        .find(|p| cmdline(**p).contains("watcher.sh"))
        .expect("helper pid");
    let worker = *kids
        .iter()
        .find(|p| cmdline(**p).contains("__session"))
        .expect("worker pid");

    // The first helper heard about the first session before the crash.
    wait_file_contains(&d.path("watcher.out"), "neighbor 127.0.0.5 up", || {
        d.log_text()
    });
    // SAFETY: kill(2) of a process this test started (through the daemon).
    unsafe {
        libc::kill(rib as i32, libc::SIGKILL);
    }
    // The session carries on: the new rib sends its table again on it
    // (an implicit replace), the same worker still holds it.
    wait_route(&mut s, "10.5.0.0/24", LONG, &|| d.log_text());
    assert!(!peer.has_pending(), "the session reconnected");
    let now = d.wait_children(&["__rib", "__session", "watcher.sh"]);
    assert!(!now.contains(&rib), "a new rib");
    assert!(!now.contains(&helper), "a new helper");
    assert!(now.contains(&worker), "the same session worker");
    assert!(!alive(rib) && !alive(helper));
    // The new helper hears that the session is up (both append to one file).
    let deadline = Instant::now() + LONG;
    loop {
        let text = std::fs::read_to_string(d.path("watcher.out")).unwrap_or_default();
        if text.matches("neighbor 127.0.0.5 up").count() >= 2 {
            break;
        }
        assert!(Instant::now() < deadline, "{text:?}\n{}", d.log_text());
        std::thread::sleep(Duration::from_millis(50));
    }
}
