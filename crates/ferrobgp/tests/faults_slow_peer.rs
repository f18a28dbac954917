//! Fault injection: a peer that stops reading costs the other peers
//! nothing. A helper announces `ROUTES` routes (each with its own MED, so
//! each in its own UPDATE) to two peers as fast as it can write; the
//! healthy peer counts what it receives within a bounded window. Run once
//! with both peers reading (the unloaded reference), once with the second
//! peer never reading after the OPEN exchange (a tiny receive buffer, so
//! that the daemon's socket buffers fill quickly): the healthy peer must
//! get at least 90 % of the reference count, and the stuck peer is closed
//! with RFC 9687's Send Hold Timer Expired once its backlog is past the
//! bound and it wrote nothing for the stall bound. The healthy peer may
//! pass the bound in a burst: it reads on, so it is not closed.

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

const ROUTES: usize = 150_000;
/// Upper bound of each run (the count within it is what is compared).
const WINDOW: Duration = Duration::from_secs(120);

fn neighbor(ip: &str, port: u16) -> String {
    format!(
        r#"
neighbor {ip} {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 600;
    connect {port};
    family {{ ipv4 unicast; }}
    api {{
        processes [ pump ];
    }}
}}
"#
    )
}

/// Waits for the file `go`, writes every announcement in 16 KiB writes,
/// and drains its standard input meanwhile.
const HELPER: &str = r#"#!/usr/bin/env python3
import os, sys, threading, time
here = os.path.dirname(os.path.abspath(__file__))
n = int(open(os.path.join(here, 'routes')).read())
def drain():
    while sys.stdin.buffer.read(65536):
        pass
threading.Thread(target=drain, daemon=True).start()
while not os.path.exists(os.path.join(here, 'go')):
    time.sleep(0.05)
buf = []
size = 0
for i in range(n):
    line = 'announce route 10.%d.%d.0/24 next-hop 127.0.0.1 med %d\n' % (i >> 8 & 255, i & 255, i + 1)
    buf.append(line)
    size += len(line)
    if size > 16000:
        os.write(1, ''.join(buf).encode())
        buf = []
        size = 0
if buf:
    os.write(1, ''.join(buf).encode())
while True:
    time.sleep(1)
"#;

/// Shrinks the receive buffer of sockets accepted on `peer` (set on the
/// listener, inherited by accepted sockets).
fn small_receive_buffer(peer: &Peer) {
    use std::os::fd::AsRawFd;
    let size: libc::c_int = 4096;
    // SAFETY: setsockopt(2) on a socket this test owns, with a valid int.
    let rc = unsafe {
        libc::setsockopt(
            peer.listener_fd().as_raw_fd(),
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            &size as *const libc::c_int as *const libc::c_void,
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    };
    assert_eq!(rc, 0, "setsockopt SO_RCVBUF");
}

/// Counts the prefixes the healthy peer receives until `ROUTES` or the
/// window ends; returns the count and the time it took.
fn count(s: &mut Session, stop: &AtomicBool) -> (usize, Duration) {
    let start = Instant::now();
    let mut n = 0;
    while n < ROUTES && start.elapsed() < WINDOW && !stop.load(Ordering::Relaxed) {
        let left = WINDOW.saturating_sub(start.elapsed());
        let Some(m) = s.read_non_keepalive(left.max(Duration::from_millis(1))) else {
            break;
        };
        if m.kind == UPDATE {
            n += update_prefixes(&m.body).0.len();
        }
    }
    (n, start.elapsed())
}

struct Run {
    healthy: usize,
    took: Duration,
    log: String,
    /// What the stuck peer got once it read again (a NOTIFICATION?).
    stuck_end: Vec<Msg>,
}

fn run(stuck: bool) -> Run {
    let a = Peer::bind("127.0.0.1");
    let b = Peer::bind("127.0.0.2");
    if stuck {
        small_receive_buffer(&b);
    }
    let conf = format!(
        "process pump {{\n    run ./pump.py;\n    encoder text;\n}}\n{}{}",
        neighbor("127.0.0.1", a.addr.port()),
        neighbor("127.0.0.2", b.addr.port())
    );
    let mut d = Daemon::start_args(
        &conf,
        &[("pump.py", HELPER)],
        &[],
        // the healthy peer may pass the bound in a burst (it reads on);
        // the stuck one stops writing and is closed after a second
        &["--peer-queue-changes", "50000", "--peer-queue-stall", "1"],
    );
    std::fs::write(d.path("routes"), ROUTES.to_string()).expect("routes");
    let log = {
        let p = d.log.clone();
        move || std::fs::read_to_string(&p).unwrap_or_default()
    };
    let mut sa = a.accept();
    let mut sb = b.accept();
    sa.establish(65000, [10, 0, 0, 2], 600);
    sb.establish(65000, [10, 0, 0, 3], 600);
    read_table(&mut sa, &log);
    read_table(&mut sb, &log);
    d.wait_children(&["__rib", "pump.py"]);
    // the second peer: reads everything (reference) or nothing (stuck)
    let stop = Arc::new(AtomicBool::new(false));
    let reader = (!stuck).then(|| {
        let stop = stop.clone();
        let mut sb = Session::from_stream(sb.s.try_clone().expect("clone"));
        std::thread::spawn(move || {
            let _ = count(&mut sb, &stop);
        })
    });
    std::fs::write(d.path("go"), "").expect("go");
    let (healthy, took) = count(&mut sa, &AtomicBool::new(false));
    stop.store(true, Ordering::Relaxed);
    let mut stuck_end = Vec::new();
    if stuck {
        // the stuck peer stays stuck until the daemon gives up on it
        wait_file_contains(&d.log, "neighbor 127.0.0.2: ", &log);
        // read what piled up: UPDATEs, then RFC 9687's NOTIFICATION
        let deadline = Instant::now() + LONG * 3;
        while Instant::now() < deadline {
            match sb.read(deadline.saturating_duration_since(Instant::now())) {
                Some(m) if m.kind == NOTIFICATION => {
                    stuck_end.push(m);
                    break;
                }
                Some(_) => {}
                None => break,
            }
        }
    }
    drop(reader);
    Run {
        healthy,
        took,
        log: log(),
        stuck_end,
    }
}

#[test]
fn a_peer_that_does_not_read_costs_the_others_nothing() {
    let reference = run(false);
    let loaded = run(true);
    let rate = |r: &Run| r.healthy as f64 / r.took.as_secs_f64().max(0.001);
    eprintln!(
        "healthy peer: {} routes in {:?} ({:.0}/s) unloaded, {} in {:?} ({:.0}/s) with a stuck peer",
        reference.healthy,
        reference.took,
        rate(&reference),
        loaded.healthy,
        loaded.took,
        rate(&loaded)
    );
    assert_eq!(reference.healthy, ROUTES, "{}", reference.log);
    assert!(
        loaded.healthy * 10 >= reference.healthy * 9,
        "{} of {} routes with a stuck peer\n{}",
        loaded.healthy,
        reference.healthy,
        loaded.log
    );
    // the stuck peer was closed as RFC 9687's send hold timer, the
    // healthy one never
    assert!(
        loaded.log.contains("send hold timer expired"),
        "{}",
        loaded.log
    );
    for run in [&reference, &loaded] {
        assert!(
            !run.log.contains("neighbor 127.0.0.1: "),
            "the healthy peer was closed\n{}",
            run.log
        );
    }
    assert_eq!(
        loaded
            .stuck_end
            .last()
            .map(|m| (m.kind, m.body.get(..2).map(<[u8]>::to_vec))),
        Some((NOTIFICATION, Some(vec![8, 0]))),
        "{}",
        loaded.log
    );
}
