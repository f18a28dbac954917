//! ExaBGP's example helpers wait for each `done` with `select()` on stdin
//! then `sys.stdin.readline()` (buffered). With two answers in one read the
//! second `select()` waits out its timeout (5 s); ferrobgp writes each
//! answer on its own and holds the next one while the previous is unread
//! (`rib::process::ack_pacing`), so both patterns below take milliseconds.
//! Measured against ExaBGP 5.0.15 with the same helper: two commands
//! written 1 ms apart, 4-5 ms; both in one write, 5 s (the second
//! `select()` times out there too).

mod common;

use common::*;
use std::time::Duration;

const HELPER: &str = r#"#!/usr/bin/env python3
import os, select, sys, time
def wait_done():
    r, _, _ = select.select([sys.stdin], [], [], 5)
    return sys.stdin.readline().strip() if r else 'TIMEOUT'
here = os.path.dirname(os.path.abspath(__file__))
time.sleep(0.5)
for together in (False, True):
    t0 = time.time()
    a = 'announce route 10.1.0.0/24 next-hop 127.0.0.1\n'
    b = 'announce route 10.2.0.0/24 next-hop 127.0.0.1\n'
    if together:
        sys.stdout.write(a + b); sys.stdout.flush()
    else:
        sys.stdout.write(a); sys.stdout.flush(); time.sleep(0.001)
        sys.stdout.write(b); sys.stdout.flush()
    x = wait_done(); y = wait_done()
    with open(os.path.join(here, 'acks.out'), 'a') as f:
        f.write('%s %s %s %.3f\n' % (together, x, y, time.time() - t0))
time.sleep(60)
"#;

#[test]
fn each_done_is_its_own_read_for_a_select_readline_helper() {
    let conf = r#"
process h {
    run ./helper.py;
    encoder text;
}
neighbor 127.0.0.1 {
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    passive;
    family { ipv4 unicast; }
    api { processes [ h ]; }
}
"#;
    let port = ferrobgp_testkit_free_port();
    let mut d = Daemon::start(
        conf,
        &[("helper.py", HELPER)],
        &[("exabgp_tcp_port", port.to_string())],
    );
    let out = d.path("acks.out");
    let text = wait_file_contains(&out, "True ", || d.log_text());
    for line in text.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(&f[1..3], ["done", "done"], "{text}\n{}", d.log_text());
        let secs: f64 = f[3].parse().expect("seconds");
        assert!(
            Duration::from_secs_f64(secs) < Duration::from_secs(1),
            "{text}"
        );
    }
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}

/// A port no one listens on (the neighbor is passive and never connected).
fn ferrobgp_testkit_free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}
