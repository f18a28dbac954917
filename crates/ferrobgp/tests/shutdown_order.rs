//! Shutdown lets helpers clean up, as ExaBGP's order does and better: the
//! notice, SIGTERM, then a bounded wait with the sessions still up, so what
//! a helper writes in its SIGTERM handler (its withdrawals) reaches the
//! peers, and its stdout is still open (no EPIPE); only then do the
//! sessions close (Cease) and what is left is killed.

mod common;

use common::*;

/// Announces a route, and withdraws it when told to stop; records that its
/// handler ran and that writing to stdout still worked.
const CLEANER: &str = r#"#!/bin/sh
dir=$(dirname "$0")
trap 'if echo "withdraw route 10.7.0.0/24 next-hop 127.0.0.1"; then echo wrote >> "$dir/trapped"; else echo EPIPE >> "$dir/trapped"; fi; exit 0' TERM
echo "announce route 10.7.0.0/24 next-hop 127.0.0.1"
while :; do sleep 0.1; done
"#;

#[test]
fn a_helper_withdraws_on_sigterm_before_the_sessions_close() {
    let peer = Peer::bind("127.0.0.1");
    let conf = static_neighbor("127.0.0.1", peer.addr.port(), "10.9.0.0/24").replace(
        "    static {",
        "    api { processes [ cleaner ]; }\n    static {",
    );
    let conf = format!("process cleaner {{\n    run ./cleaner.sh;\n    encoder text;\n}}\n{conf}");
    let mut d = Daemon::start(
        &conf,
        &[("cleaner.sh", CLEANER)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();
    wait_route(&mut s, "10.7.0.0/24", LONG, &log);

    d.signal(libc::SIGTERM);
    let mut withdrawn = false;
    let m = loop {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("connection closed without NOTIFICATION\n{}", d.log_text()));
        if m.kind != UPDATE {
            break m;
        }
        let (_, w) = update_prefixes(&m.body);
        withdrawn |= w.iter().any(|p| p == "10.7.0.0/24");
    };
    assert_eq!(m.kind, NOTIFICATION, "{m:?}");
    assert_eq!(&m.body[..2], &[6, 2], "Cease / Administrative Shutdown");
    assert!(
        withdrawn,
        "the helper's withdrawal did not come before the NOTIFICATION\n{}",
        d.log_text()
    );
    assert_clean_exit(&mut d);
    let trapped = std::fs::read_to_string(d.path("trapped")).unwrap_or_default();
    assert_eq!(trapped.trim(), "wrote", "{}", d.log_text());
}
