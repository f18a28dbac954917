//! Helper programs hear exactly what their `api` blocks asked for (spec
//! §1.8, §3), end to end: a daemon with two test peers on loopback and
//! four helpers, two per encoder, each subscribed to something else:
//!
//! - `changes` (text, neighbor A): `neighbor-changes` only; it also sends
//!   an OPERATIONAL to A, which did not negotiate the capability (dropped),
//!   and a route;
//! - `updates` (json, neighbor A): `receive { parsed; update; }` only;
//! - `opener` (text, neighbor B): `receive { packets; open; }` and
//!   `send { parsed; update; operational; }`; it announces an OPERATIONAL
//!   advisory once B's End-of-RIB went out (B negotiated the capability),
//!   then `flush adj-rib out`;
//! - `consolidated` (json, neighbor B): `receive { parsed; packets;
//!   consolidate; refresh; }` and `send { packets; refresh; }`.
//!
//! The peers check the wire on the way (the OPERATIONAL bytes, the flush
//! and the route refresh answer between BoRR and EoRR), then the daemon is stopped and
//! every helper's input is compared with the exact list of lines / JSON
//! events it must have received, and nothing else.

mod common;

use common::*;
use serde_json::Value;
use std::time::{Duration, Instant};

const ROUTE_REFRESH: u8 = 5;
const OPERATIONAL: u8 = 6;

/// Writes every line it reads to `changes.out`; after `up` it sends an
/// OPERATIONAL (not negotiated with A: must not reach the wire), after the
/// reply a route, after that reply `flush adj-rib out` (no `route-refresh`
/// configured: no BoRR/EoRR).
const CHANGES: &str = r#"#!/bin/sh
out="$(dirname "$0")/changes.out"
: > "$out"
while IFS= read -r line; do
  printf '%s\n' "$line" >> "$out"
  case "$line" in
    *" up") echo 'announce operational adm afi ipv4 safi unicast advisory not-negotiated' ;;
    done) n=$((n + 1))
      if [ "$n" = 1 ]; then echo 'announce route 10.4.0.0/24 next-hop 127.0.0.1'; fi
      if [ "$n" = 2 ]; then echo 'flush adj-rib out'; fi ;;
  esac
done
"#;

/// Writes every line it reads to `opener.out`; once B's End-of-RIB was
/// sent, it announces an OPERATIONAL advisory, after its reply it flushes
/// the Adj-RIB-Out (`route-refresh` is configured: BoRR/EoRR around it).
const OPENER: &str = r#"#!/bin/sh
out="$(dirname "$0")/opener.out"
: > "$out"
while IFS= read -r line; do
  printf '%s\n' "$line" >> "$out"
  case "$line" in
    *"send update route eor 1/1"*) if [ -z "$sent" ]; then sent=1; echo 'announce operational asm afi ipv4 safi unicast advisory "hello there"'; fi ;;
    done) if [ -z "$flushed" ]; then flushed=1; echo 'flush adj-rib out'; fi ;;
  esac
done
"#;

const UPDATES: &str = "#!/bin/sh\nexec cat > \"$(dirname \"$0\")/updates.out\"\n";
const CONSOLIDATED: &str = "#!/bin/sh\nexec cat > \"$(dirname \"$0\")/consolidated.out\"\n";

fn conf(a: &Peer, b: &Peer) -> String {
    format!(
        r#"
process changes {{ run ./changes.sh; encoder text; }}
process updates {{ run ./updates.sh; encoder json; }}
process opener {{ run ./opener.sh; encoder text; }}
process consolidated {{ run ./consolidated.sh; encoder json; }}

neighbor 127.0.0.2 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 180;
    connect {pa};
    family {{ ipv4 unicast; }}
    capability {{ operational; }}
    api {{ processes [ changes ]; neighbor-changes; }}
    api {{ processes [ updates ]; receive {{ parsed; update; }} }}
}}

neighbor 127.0.0.3 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 180;
    connect {pb};
    family {{ ipv4 unicast; }}
    capability {{ route-refresh; operational; }}
    static {{ route 10.3.0.0/24 next-hop 127.0.0.1; }}
    api {{ processes [ opener ]; receive {{ packets; open; }} send {{ parsed; update; operational; }} }}
    api {{
        processes [ consolidated ];
        receive {{ parsed; packets; consolidate; refresh; }}
        send {{ packets; refresh; }}
    }}
}}
"#,
        pa = a.addr.port(),
        pb = b.addr.port()
    )
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// The OPEN body of peer B: multiprotocol IPv4 unicast, ASN4 65000, route
/// refresh, enhanced route refresh, operational (each its own parameter).
fn open_b() -> Vec<u8> {
    let caps: [&[u8]; 5] = [
        &[1, 4, 0, 1, 0, 1],
        &[65, 4, 0, 0, 0xfd, 0xe8],
        &[2, 0],
        &[70, 0],
        &[185, 0],
    ];
    let mut params = Vec::new();
    for c in caps {
        params.push(2);
        params.push(c.len() as u8);
        params.extend_from_slice(c);
    }
    let mut body = vec![4, 0xfd, 0xe8, 0, 180, 10, 0, 0, 3, params.len() as u8];
    body.extend_from_slice(&params);
    body
}

/// Reads the daemon's OPEN, answers with `open`, then KEEPALIVE, and waits
/// for the daemon's KEEPALIVE.
fn establish_with(s: &mut Session, open: &[u8]) {
    let theirs = s.read(LONG).expect("daemon closed before OPEN");
    assert_eq!(theirs.kind, OPEN, "first message is not OPEN: {theirs:?}");
    s.send(OPEN, open);
    s.send(KEEPALIVE, &[]);
    let ka = s.read(LONG).expect("daemon closed after OPEN");
    assert_eq!(ka.kind, KEEPALIVE, "expected KEEPALIVE, got {ka:?}");
}

/// The next message that is not a KEEPALIVE (panics at end of stream).
fn next(s: &mut Session, what: &str, log: &dyn Fn() -> String) -> Msg {
    s.read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("closed while waiting for {what}\n{}", log()))
}

/// Waits until `path` holds at least `n` lines containing `needle`.
fn wait_count(path: &std::path::Path, needle: &str, n: usize, log: &dyn Fn() -> String) {
    let deadline = Instant::now() + LONG;
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.lines().filter(|l| l.contains(needle)).count() >= n {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{} never had {n} line(s) with {needle:?}: {text:?}\n{}",
            path.display(),
            log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn json_lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or("?"))
        .collect()
}

/// An UPDATE announcing `prefix` (IPv4 unicast, iBGP defaults).
fn update_body(prefix: [u8; 3], next_hop: [u8; 4]) -> Vec<u8> {
    let mut attrs = vec![0x40, 1, 1, 0, 0x40, 2, 0, 0x40, 3, 4];
    attrs.extend_from_slice(&next_hop);
    attrs.extend_from_slice(&[0x40, 5, 4, 0, 0, 0, 100]);
    let mut body = vec![0, 0];
    body.extend_from_slice(&(attrs.len() as u16).to_be_bytes());
    body.extend_from_slice(&attrs);
    body.push(24);
    body.extend_from_slice(&prefix);
    body
}

#[test]
fn each_helper_hears_exactly_what_it_subscribed_to() {
    let a = Peer::bind("127.0.0.2");
    let b = Peer::bind("127.0.0.3");
    let mut d = Daemon::start(
        &conf(&a, &b),
        &[
            ("changes.sh", CHANGES),
            ("updates.sh", UPDATES),
            ("opener.sh", OPENER),
            ("consolidated.sh", CONSOLIDATED),
        ],
        &[("exabgp_tcp_connections", "1".to_string())],
    );
    let log_path = d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let out = |name: &str| d.path(&format!("{name}.out"));
    let (changes, updates, opener, consolidated) = (
        out("changes"),
        out("updates"),
        out("opener"),
        out("consolidated"),
    );

    let mut sa = a.accept();
    let mut sb = b.accept();
    sa.establish(65000, [10, 0, 0, 2], 180);
    establish_with(&mut sb, &open_b());

    // B: its table, its End-of-RIB, then the helper's OPERATIONAL advisory
    let m = next(&mut sb, "B's table", &log);
    assert_eq!(
        (m.kind, hex(&m.body)),
        (
            UPDATE,
            "0000001540010100400200400304 7F00000140050400000064 180A0300".replace(' ', "")
        )
    );
    let m = next(&mut sb, "B's End-of-RIB", &log);
    assert_eq!((m.kind, hex(&m.body)), (UPDATE, "00000000".into()));
    let m = next(&mut sb, "the OPERATIONAL advisory", &log);
    let mut advisory = vec![0, 2, 0, 14, 0, 1, 1];
    advisory.extend_from_slice(b"hello there");
    assert_eq!((m.kind, m.body), (OPERATIONAL, advisory), "{}", log());
    // the helper's flush: BoRR, the table, EoRR
    let m = next(&mut sb, "BoRR of the flush", &log);
    assert_eq!((m.kind, m.body), (ROUTE_REFRESH, vec![0, 1, 1, 1]));
    let m = next(&mut sb, "the flushed route", &log);
    assert_eq!(update_prefixes(&m.body).0, vec!["10.3.0.0/24".to_string()]);
    let m = next(&mut sb, "EoRR of the flush", &log);
    assert_eq!((m.kind, m.body), (ROUTE_REFRESH, vec![0, 1, 2, 1]));

    // A: its End-of-RIB, then the helper's route; the OPERATIONAL the
    // helper asked for in between was dropped (not negotiated)
    let m = next(&mut sa, "A's End-of-RIB", &log);
    assert_eq!((m.kind, hex(&m.body)), (UPDATE, "00000000".into()));
    let m = next(&mut sa, "the helper's route", &log);
    assert_eq!(m.kind, UPDATE, "not an UPDATE (OPERATIONAL leaked?): {m:?}");
    assert_eq!(update_prefixes(&m.body).0, vec!["10.4.0.0/24".to_string()]);
    let flushed = next(&mut sa, "the flushed route", &log);
    assert_eq!(flushed, m, "the flush re-sends the same UPDATE");

    // A announces a route and its End-of-RIB
    sa.send(UPDATE, &update_body([10, 99, 0], [127, 0, 0, 2]));
    sa.send(UPDATE, &[0, 0, 0, 0]);
    wait_count(&updates, "\"eor\"", 1, &log);

    // B asks for a route refresh: the answer is bracketed by BoRR/EoRR
    sb.send(ROUTE_REFRESH, &[0, 1, 0, 1]);
    let m = next(&mut sb, "BoRR", &log);
    assert_eq!((m.kind, m.body), (ROUTE_REFRESH, vec![0, 1, 1, 1]));
    let m = next(&mut sb, "the re-sent route", &log);
    assert_eq!(update_prefixes(&m.body).0, vec!["10.3.0.0/24".to_string()]);
    let m = next(&mut sb, "EoRR", &log);
    assert_eq!((m.kind, m.body), (ROUTE_REFRESH, vec![0, 1, 2, 1]));
    wait_count(&opener, "announced 10.3.0.0/24", 3, &log);
    wait_count(&consolidated, "\"refresh\"", 5, &log);

    // A goes away (no reconnection: one connection per neighbor)
    wait_count(&changes, "done", 3, &log);
    drop(sa);
    wait_count(&changes, "neighbor 127.0.0.2 down - ", 1, &log);

    d.signal(libc::SIGTERM);
    d.wait_exit();
    let shutdown = format!("shutdown {} {}", d.pid(), std::process::id());
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap_or_default();

    // changes (text): the three state changes of A, the replies to its own
    // commands, the shutdown notice; nothing about B, no message
    let text = read(&changes);
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let down = lines
        .iter()
        .position(|l| l.starts_with("neighbor 127.0.0.2 down - "))
        .unwrap_or_else(|| panic!("no down line: {text:?}"));
    lines[down] = "neighbor 127.0.0.2 down - <reason>".into();
    assert_eq!(
        lines,
        [
            "neighbor 127.0.0.2 connected",
            "",
            "neighbor 127.0.0.2 up",
            "",
            "done",
            "done",
            "done",
            "neighbor 127.0.0.2 down - <reason>",
            "",
            shutdown.as_str(),
            "",
        ],
        "{}",
        log()
    );

    // updates (json): A's UPDATE and End-of-RIB as received, then the notice
    let events = json_lines(&read(&updates));
    assert_eq!(types(&events), ["update", "update", "notification"]);
    for e in &events[..2] {
        assert_eq!(e["neighbor"]["address"]["peer"], "127.0.0.2");
        assert_eq!(e["neighbor"]["direction"], "receive");
    }
    assert_eq!(
        events[0]["neighbor"]["message"]["update"]["announce"]["ipv4 unicast"]["127.0.0.2"],
        serde_json::json!([{ "nlri": "10.99.0.0/24" }])
    );
    assert_eq!(
        events[0]["neighbor"]["message"]["update"]["attribute"],
        serde_json::json!({ "origin": "igp", "local-preference": 100 })
    );
    assert_eq!(
        events[1]["neighbor"]["message"]["eor"],
        serde_json::json!({ "afi": "ipv4", "safi": "unicast" })
    );
    assert_eq!(events[2]["notification"], "shutdown");

    // opener (text): B's OPEN parsed with its bytes (`consolidate` in the
    // other block of B applies to the whole neighbor, as in ExaBGP 5.0.15,
    // and replaces this block's `packets`), our UPDATEs and the advisory
    // parsed, the reply to its command, the notice; no keepalive, no refresh
    let mut header = vec![0xffu8; 16];
    header.extend_from_slice(&((19 + open_b().len()) as u16).to_be_bytes());
    header.push(OPEN);
    let open_line = format!(
        "neighbor 127.0.0.3 receive open version 4 asn 65000 hold_time 180 router_id 10.0.0.3 \
         capabilities [multiprotocol(ipv4 unicast), route refresh, asn4(65000), \
         enhanced route refresh, operational] header 0x{} body 0x{}",
        hex(&header),
        hex(&open_b())
    );
    let p = "neighbor 127.0.0.3 send update";
    let route =
        format!("{p} announced 10.3.0.0/24 next-hop 127.0.0.1 origin igp local-preference 100");
    let (start, end) = (format!("{p} start"), format!("{p} end"));
    let eor = format!("{p} route eor 1/1 (ipv4 unicast)");
    let op =
        "neighbor 127.0.0.3 send operational ASM afi ipv4 safi unicast advisory \"hello there\"";
    let text = read(&opener);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines,
        [
            open_line.as_str(),
            "",
            &start,
            &route,
            &end,
            "",
            &start,
            &eor,
            &end,
            "",
            op, // no empty line after an operational event (as ExaBGP)
            "done",
            &start,
            &route,
            &end,
            "",
            "done",
            &start,
            &route,
            &end,
            "",
            shutdown.as_str(),
            "",
        ],
        "{}",
        log()
    );

    // consolidated (json): B's blocks are merged as ExaBGP 5.0.15 merges
    // them (`parsed` and the message types of `opener`'s block apply to the
    // whole neighbor), so besides the ROUTE-REFRESH messages it asked for it
    // gets the packets of every message another block of B asked for: our
    // UPDATE and End-of-RIB, the advisory; each BoRR/EoRR it sends comes as
    // packets then parsed; the ROUTE-REFRESH received is parsed with its
    // bytes (consolidate); then the notice
    let events = json_lines(&read(&consolidated));
    let (u, r, o) = ("update", "refresh", "operational");
    assert_eq!(
        types(&events),
        [u, u, o, r, r, u, r, r, r, r, r, u, r, r, "notification"],
        "{events:?}"
    );
    for (i, category) in [(0, 2), (1, 2), (2, 6), (5, 2), (11, 2)] {
        let e = &events[i]["neighbor"];
        assert_eq!(e["direction"], "send", "{i}");
        assert_eq!(e["message"]["category"], category, "{i}");
    }
    assert_eq!(events[1]["neighbor"]["message"]["body"], "0x00000000");
    for (i, body) in [
        (3, "0x00010101"),
        (6, "0x00010201"),
        (9, "0x00010101"),
        (12, "0x00010201"),
    ] {
        let e = &events[i]["neighbor"];
        assert_eq!(e["direction"], "send", "{i}");
        assert_eq!(e["message"]["category"], 5, "{i}");
        assert_eq!(e["message"]["body"], body, "{i}");
        // the same message parsed, without its bytes (send: no consolidate)
        let parsed = &events[i + 1];
        assert_eq!(parsed["neighbor"]["direction"], "send", "{i}");
        assert_eq!(
            parsed["neighbor"]["route-refresh"]["afi"], "ipv4",
            "{parsed}"
        );
        assert!(parsed.get("body").is_none(), "{parsed}");
    }
    let m = &events[8]["neighbor"];
    assert_eq!(m["direction"], "receive");
    assert_eq!(
        m["route-refresh"],
        serde_json::json!({ "afi": "ipv4", "safi": "unicast", "subtype": "query" })
    );
    assert_eq!(events[8]["body"], "0x00010001");
    assert_eq!(
        events[8]["header"],
        format!("0x{}0017{:02X}", "FF".repeat(16), ROUTE_REFRESH)
    );
    assert_eq!(events[14]["notification"], "shutdown");
}

/// Sends an ASM once the session is up (first time only), writes what it
/// reads to `asm.out`.
const ASM: &str = r#"#!/bin/sh
out="$(dirname "$0")/asm.out"
: > "$out"
while IFS= read -r line; do
  printf '%s\n' "$line" >> "$out"
  case "$line" in
    *" up") if [ -z "$sent" ]; then sent=1; echo 'announce operational asm afi ipv4 safi unicast advisory kept'; fi ;;
  esac
done
"#;

/// ExaBGP re-sends the last ASM of each family when a session comes up:
/// the second session gets the helper's advisory before its End-of-RIB.
#[test]
fn the_last_asm_is_sent_again_on_the_next_session() {
    let a = Peer::bind("127.0.0.2");
    let conf = format!(
        r#"
process asm {{ run ./asm.sh; encoder text; }}
neighbor 127.0.0.2 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 180;
    connect {port};
    family {{ ipv4 unicast; }}
    capability {{ operational; }}
    api {{ processes [ asm ]; neighbor-changes; }}
}}
"#,
        port = a.addr.port()
    );
    let d = Daemon::start(
        &conf,
        &[("asm.sh", ASM)],
        &[("exabgp_tcp_connections", "2".to_string())],
    );
    let log = || d.log_text();
    let mut advisory = vec![0, 2, 0, 7, 0, 1, 1];
    advisory.extend_from_slice(b"kept");

    let mut s = a.accept();
    establish_with(&mut s, &open_b());
    // End-of-RIB and the helper's ASM, in either order (the helper answers
    // the `up` event while the table goes out)
    let mut first: Vec<(u8, Vec<u8>)> = (0..2)
        .map(|_| next(&mut s, "End-of-RIB and the ASM", &log))
        .map(|m| (m.kind, m.body))
        .collect();
    first.sort();
    assert_eq!(
        first,
        vec![(UPDATE, vec![0, 0, 0, 0]), (OPERATIONAL, advisory.clone())],
        "{}",
        log()
    );
    drop(s);

    let mut s = a.accept();
    establish_with(&mut s, &open_b());
    let m = next(&mut s, "the ASM again", &log);
    assert_eq!((m.kind, &m.body), (OPERATIONAL, &advisory), "{}", log());
    let m = next(&mut s, "End-of-RIB", &log);
    assert_eq!((m.kind, hex(&m.body)), (UPDATE, "00000000".into()));
    let text = std::fs::read_to_string(d.path("asm.out")).unwrap_or_default();
    assert_eq!(
        text.matches("done").count(),
        1,
        "one command, one reply: {text}"
    );
}
