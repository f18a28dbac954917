//! The Prometheus/OpenMetrics endpoint, scraped over loopback and checked
//! against a known session: the test peer counts what it receives and
//! sends, the control socket gives a known number of commands and errors,
//! a helper that exits at once is restarted, and the peer drops the
//! session once to count a flap and the totals across connections.

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// Appends one line per start to `starts` in its directory, then exits.
const CRASHER: &str = "#!/bin/sh\necho start >> \"$(dirname \"$0\")/starts\"\nexit 0\n";

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// One HTTP exchange: the status line, the headers and the body.
fn http(port: u16, request: &str) -> (String, String, String) {
    let mut c = TcpStream::connect(("127.0.0.1", port)).expect("connect to metrics");
    c.set_read_timeout(Some(LONG)).ok();
    c.write_all(request.as_bytes()).expect("write request");
    let mut out = String::new();
    c.read_to_string(&mut out).expect("read answer");
    let (head, body) = out.split_once("\r\n\r\n").unwrap_or((&out, ""));
    let (status, headers) = head.split_once("\r\n").unwrap_or((head, ""));
    (status.to_string(), headers.to_string(), body.to_string())
}

fn scrape(port: u16) -> String {
    let (status, headers, body) = http(
        port,
        "GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: application/openmetrics-text; version=1.0.0\r\n\r\n",
    );
    assert_eq!(status, "HTTP/1.1 200 OK", "{headers}\n{body}");
    assert!(
        headers.contains("Content-Type: application/openmetrics-text; version=1.0.0"),
        "{headers}"
    );
    body
}

/// The value of the series `name{labels}` (labels exactly as rendered).
fn value(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Scrapes until `ready` holds (bounded), returns that scrape.
fn scrape_until(
    port: u16,
    what: &str,
    ready: impl Fn(&str) -> bool,
    log: &dyn Fn() -> String,
) -> String {
    let deadline = Instant::now() + LONG;
    loop {
        let t = scrape(port);
        if ready(&t) {
            return t;
        }
        assert!(
            Instant::now() < deadline,
            "never {what}; last scrape:\n{t}\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Reads UPDATEs until one announces `prefix`; returns how many UPDATEs came.
fn updates_until(s: &mut Session, prefix: &str, log: &dyn Fn() -> String) -> u64 {
    let mut n = 0;
    loop {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("closed before {prefix}\n{}", log()));
        assert_eq!(m.kind, UPDATE, "{m:?}");
        n += 1;
        if update_prefixes(&m.body).0.iter().any(|p| p == prefix) {
            return n;
        }
    }
}

#[test]
fn a_scrape_tells_what_the_test_peer_saw() {
    let peer = Peer::bind("127.0.0.1");
    let port = free_port();
    let conf = format!(
        "process crasher {{\n    run ./crasher.sh;\n    encoder text;\n}}\n{}",
        static_neighbor("127.0.0.1", peer.addr.port(), "10.8.0.0/24")
    );
    let port_arg = port.to_string();
    let mut w = start_with_cli_args(
        &conf,
        &[("crasher.sh", CRASHER)],
        &["--metrics-port", &port_arg],
    );
    let log = || w.d.log_text();

    // The session: the static route and End-of-RIB, then one route from
    // the control socket; the peer sends two UPDATEs of its own.
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let mut sent_updates = updates_until(&mut s, "10.8.0.0/24", &log);
    let (code, out) = cli(&w.sock, "announce route 10.7.0.0/24 next-hop 127.0.0.1");
    assert_eq!(code, Some(0), "{out}\n{}", log());
    sent_updates += updates_until(&mut s, "10.7.0.0/24", &log);
    let (code, _) = cli(&w.sock, "frobnicate everything");
    assert_eq!(code, Some(1));
    s.send(UPDATE, &announce_24([10, 6, 1]));
    s.send(UPDATE, &announce_24([10, 6, 2]));

    let t = scrape_until(
        port,
        "the peer's UPDATEs counted and the helper restarted",
        |t| {
            value(t, "bgp_received_update_total{peer=\"127.0.0.1\"}") == Some(2.0)
                && value(t, "ferrobgp_helper_restarts_total{helper=\"crasher\"}")
                    .is_some_and(|v| v >= 1.0)
        },
        &log,
    );
    let v = |series: &str| value(&t, series).unwrap_or_else(|| panic!("no {series} in:\n{t}"));
    // The End-of-RIB is an UPDATE too: the peer counted it in `sent_updates`
    // only if it came before the routes we waited for; count the rest now.
    let eor_after = v("bgp_sent_update_total{peer=\"127.0.0.1\"}") - sent_updates as f64;
    assert!(
        eor_after == 0.0 || eor_after == 1.0,
        "sent {} UPDATEs by the daemon's count, {sent_updates} seen by the peer\n{t}",
        v("bgp_sent_update_total{peer=\"127.0.0.1\"}")
    );
    if eor_after == 1.0 {
        let m = s.read_non_keepalive(LONG).expect("End-of-RIB");
        assert_eq!((m.kind, m.body.as_slice()), (UPDATE, &EOR[..]));
    }
    assert!(t.ends_with("# EOF\n"), "{t}");
    assert_eq!(v("ferrobgp_rib_up"), 1.0);
    assert_eq!(
        v("bgp_peer_state{peer=\"127.0.0.1\",session_state=\"established\"}"),
        6.0
    );
    assert!(v("bgp_peer_uptime_seconds{peer=\"127.0.0.1\"}") > 0.0);
    assert_eq!(v("bgp_peer_flap_count{peer=\"127.0.0.1\"}"), 0.0);
    assert_eq!(v("bgp_sent_open_total{peer=\"127.0.0.1\"}"), 1.0);
    assert_eq!(v("bgp_received_open_total{peer=\"127.0.0.1\"}"), 1.0);
    assert_eq!(
        v("bgp_received_notification_total{peer=\"127.0.0.1\"}"),
        0.0
    );
    assert!(v("bgp_received_keepalive_total{peer=\"127.0.0.1\"}") >= 1.0);
    assert_eq!(
        v("bgp_received_message_total{peer=\"127.0.0.1\"}"),
        v("bgp_received_open_total{peer=\"127.0.0.1\"}")
            + v("bgp_received_update_total{peer=\"127.0.0.1\"}")
            + v("bgp_received_keepalive_total{peer=\"127.0.0.1\"}")
    );
    assert_eq!(v("bgp_routes_advertised{peer=\"127.0.0.1\"}"), 2.0);
    assert_eq!(v("bgp_routes_received{peer=\"127.0.0.1\"}"), 2.0);
    assert_eq!(v("ferrobgp_peer_queue_messages{peer=\"127.0.0.1\"}"), 0.0);
    assert_eq!(
        v("ferrobgp_api_commands_total{source=\"control socket\"}"),
        2.0
    );
    assert_eq!(
        v("ferrobgp_api_errors_total{source=\"control socket\"}"),
        1.0
    );
    assert_eq!(v("ferrobgp_api_done_latency_seconds_count"), 2.0);
    assert_eq!(
        v("ferrobgp_api_done_latency_seconds_bucket{le=\"+Inf\"}"),
        2.0
    );
    let starts = std::fs::read_to_string(w.d.path("starts"))
        .unwrap_or_default()
        .lines()
        .count() as f64;
    let restarts = v("ferrobgp_helper_restarts_total{helper=\"crasher\"}");
    assert!(
        restarts == starts - 1.0 || restarts == starts,
        "{restarts} restarts counted, {starts} starts seen\n{t}"
    );
    let states: f64 = ["running", "stopped", "failed"]
        .iter()
        .map(|s| {
            v(&format!(
                "ferrobgp_helper_state{{helper=\"crasher\",state=\"{s}\"}}"
            ))
        })
        .sum();
    assert_eq!(states, 1.0, "exactly one state: {t}");
    assert_eq!(v("ferrobgp_rib_restarts_total"), 0.0);
    assert_eq!(v("ferrobgp_worker_restarts_total{peer=\"127.0.0.1\"}"), 0.0);
    assert_eq!(v("ferrobgp_worker_up{peer=\"127.0.0.1\"}"), 1.0);

    // The peer drops the session: a flap; after the reconnection the
    // counters go on across connections.
    drop(s);
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let t = scrape_until(
        port,
        "the second session established and counted",
        |t| {
            value(t, "bgp_sent_open_total{peer=\"127.0.0.1\"}") == Some(2.0)
                && value(
                    t,
                    "bgp_peer_state{peer=\"127.0.0.1\",session_state=\"established\"}",
                ) == Some(6.0)
        },
        &log,
    );
    assert_eq!(
        value(&t, "bgp_peer_flap_count{peer=\"127.0.0.1\"}"),
        Some(1.0),
        "{t}"
    );
    assert_eq!(
        value(&t, "bgp_received_update_total{peer=\"127.0.0.1\"}"),
        Some(2.0),
        "the first connection's UPDATEs stay counted: {t}"
    );
    assert_eq!(
        value(&t, "bgp_routes_received{peer=\"127.0.0.1\"}"),
        Some(0.0),
        "the Adj-RIB-In of the lost session is gone: {t}"
    );

    // Prometheus text for a scraper that does not ask for OpenMetrics;
    // nothing but GET/HEAD /metrics.
    let (status, headers, body) = http(port, "GET /metrics HTTP/1.0\r\n\r\n");
    assert_eq!(status, "HTTP/1.1 200 OK");
    assert!(
        headers.contains("Content-Type: text/plain; version=0.0.4"),
        "{headers}"
    );
    assert!(
        body.contains("bgp_sent_open_total{peer=\"127.0.0.1\"} 2"),
        "{body}"
    );
    let (status, _, _) = http(port, "GET / HTTP/1.1\r\n\r\n");
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    let (status, headers, _) = http(port, "POST /metrics HTTP/1.1\r\n\r\n");
    assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
    assert!(headers.contains("Allow: GET, HEAD"), "{headers}");

    // A killed worker, then a killed rib: each restart is counted by the
    // supervisor (the rib's own counters start again with it).
    let worker = worker_of(&w.d, "127.0.0.1").expect("the worker");
    // SAFETY: kill(2) on a process of ours.
    unsafe { libc::kill(worker as i32, libc::SIGKILL) };
    scrape_until(
        port,
        "the worker restart counted",
        |t| value(t, "ferrobgp_worker_restarts_total{peer=\"127.0.0.1\"}") == Some(1.0),
        &log,
    );
    let rib = rib_of(&w.d).expect("the rib");
    // SAFETY: as above.
    unsafe { libc::kill(rib as i32, libc::SIGKILL) };
    let t = scrape_until(
        port,
        "the rib restart counted and the new rib answering",
        |t| {
            value(t, "ferrobgp_rib_restarts_total") == Some(1.0)
                && value(t, "ferrobgp_rib_up") == Some(1.0)
        },
        &log,
    );
    assert_eq!(
        value(&t, "ferrobgp_api_commands_total{source=\"control socket\"}"),
        None,
        "a new rib has answered no command yet: {t}"
    );
    drop(s);

    w.d.signal(libc::SIGTERM);
    assert_clean_exit(&mut w.d);
}

#[test]
fn off_by_default_and_bound_where_asked() {
    let peer = Peer::bind("127.0.0.1");
    let port = free_port();
    // Without the setting: nothing listens on that port.
    let mut d = Daemon::start(
        &static_neighbor("127.0.0.1", peer.addr.port(), "10.8.0.0/24"),
        &[],
        &[("ferrobgp_metrics_port", port.to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    assert!(
        TcpStream::connect(("127.0.0.1", port)).is_err(),
        "metrics served while off\n{}",
        d.log_text()
    );
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);

    // On through the environment, on the address given.
    let mut d = Daemon::start(
        &static_neighbor("127.0.0.1", peer.addr.port(), "10.8.0.0/24"),
        &[],
        &[
            ("ferrobgp_metrics_enable", "true".to_string()),
            ("ferrobgp_metrics_bind", "127.0.0.1".to_string()),
            ("ferrobgp_metrics_port", port.to_string()),
        ],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();
    let t = scrape_until(
        port,
        "established",
        |t| {
            value(
                t,
                "bgp_peer_state{peer=\"127.0.0.1\",session_state=\"established\"}",
            ) == Some(6.0)
        },
        &log,
    );
    assert_eq!(
        value(&t, "bgp_routes_advertised{peer=\"127.0.0.1\"}"),
        Some(1.0)
    );
    assert!(
        d.log_text()
            .contains(&format!("metrics on http://127.0.0.1:{port}/metrics")),
        "{}",
        d.log_text()
    );
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
