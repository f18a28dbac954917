//! A real client, unchanged: `exabgp healthcheck` from ExaBGP 5.0.15 (the
//! virtualenv of `$EXABGP_VENV`, else `qa/.venv`, which `.ci/run`
//! installs) as a helper of ferrobgp, driven through up / down / up /
//! disabled / shutdown with metrics and `--withdraw-on-down`. The peer
//! checks what reaches the wire; the expectations are what ExaBGP 5.0.15
//! does with the same commands (see `qa/clients/README.md`): an UPDATE with
//! MED 100 when up, a withdrawal when down or disabled, and on SIGTERM the
//! healthcheck's final withdrawal (its EXIT state) before the Cease, with
//! no traceback (ferrobgp used to close its pipes first: EPIPE).

mod common;
mod interop_common;

use common::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

const IP: &str = "10.66.0.1/32";

/// The `site-packages` directory of the ExaBGP 5.0.15 virtualenv.
fn exabgp_site_packages() -> Option<PathBuf> {
    let venv = std::env::var_os("EXABGP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../qa/.venv")));
    std::fs::read_dir(venv.join("lib"))
        .ok()?
        .flatten()
        .map(|e| e.path().join("site-packages"))
        .find(|p| p.join("exabgp/application/healthcheck.py").is_file())
}

/// Runs ExaBGP's healthcheck with the system python3 and the venv's
/// packages: as root, helpers run as the service user, who may not reach
/// the venv's own interpreter (pyenv under /root, mode 0700).
fn healthcheck_wrapper(site: &std::path::Path) -> String {
    format!(
        "#!/bin/sh\nPYTHONPATH={} exec python3 -m exabgp healthcheck \"$@\"\n",
        site.display()
    )
}

/// The MED of an UPDATE body, if it has one.
fn med(body: &[u8]) -> Option<u32> {
    let wlen = u16::from_be_bytes([body[0], body[1]]) as usize;
    let alen = u16::from_be_bytes([body[2 + wlen], body[3 + wlen]]) as usize;
    let mut a = &body[4 + wlen..4 + wlen + alen];
    while a.len() >= 3 {
        let flags = a[0];
        let code = a[1];
        let (len, head) = if flags & 0x10 != 0 {
            (u16::from_be_bytes([a[2], a[3]]) as usize, 4)
        } else {
            (a[2] as usize, 3)
        };
        let v = &a[head..head + len];
        if code == 4 && len == 4 {
            return Some(u32::from_be_bytes([v[0], v[1], v[2], v[3]]));
        }
        a = &a[head + len..];
    }
    None
}

/// Reads UPDATEs until one announces (`Some(med)`) or withdraws (`None`) the IP.
fn next_change(s: &mut Session, log: &dyn Fn() -> String) -> Option<u32> {
    let deadline = Instant::now() + LONG;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no change of {IP}\n{}", log());
        let m = s
            .read_non_keepalive(left)
            .unwrap_or_else(|| panic!("connection closed\n{}", log()));
        assert_eq!(m.kind, UPDATE, "{m:?}\n{}", log());
        let (nlri, withdrawn) = update_prefixes(&m.body);
        if nlri.iter().any(|p| p == IP) {
            return Some(med(&m.body).expect("MED"));
        }
        if withdrawn.iter().any(|p| p == IP) {
            return None;
        }
    }
}

#[test]
fn exabgp_healthcheck_up_down_disabled_and_shutdown() {
    let Some(site) = exabgp_site_packages() else {
        interop_common::skip(
            "clients_healthcheck",
            "ExaBGP 5.0.15 not installed in $EXABGP_VENV or qa/.venv (.ci/run installs it)",
        );
        return;
    };
    let state = service_user_dir();
    let down = state.path().join("down");
    let disabled = state.path().join("disabled");
    let peer = Peer::bind("127.0.0.1");
    let neighbor = static_neighbor("127.0.0.1", peer.addr.port(), "10.9.0.0/24").replace(
        "    static {",
        "    api { processes [ hc ]; }\n    static {",
    );
    let conf = format!(
        "process hc {{\n    run ./healthcheck.sh --no-syslog --no-ip-setup --ip {IP} \
         --next-hop 127.0.0.1 --interval 1 --fast-interval 1 --rise 1 --fall 1 \
         --up-metric 100 --down-metric 1000 --disabled-metric 500 --withdraw-on-down \
         --disable {} --cmd \"test ! -e {}\";\n    encoder text;\n}}\n{neighbor}",
        disabled.display(),
        down.display(),
    );
    let mut d = Daemon::start(
        &conf,
        &[("healthcheck.sh", &healthcheck_wrapper(&site))],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();

    // up: announced with the up metric
    assert_eq!(next_change(&mut s, &log), Some(100));
    // the check fails: withdrawn (--withdraw-on-down)
    std::fs::write(&down, "").expect("touch down");
    assert_eq!(next_change(&mut s, &log), None);
    // it passes again
    std::fs::remove_file(&down).expect("rm down");
    assert_eq!(next_change(&mut s, &log), Some(100));
    // disabled by the operator: withdrawn as well
    std::fs::write(&disabled, "").expect("touch disabled");
    assert_eq!(next_change(&mut s, &log), None);
    std::fs::remove_file(&disabled).expect("rm disabled");
    assert_eq!(next_change(&mut s, &log), Some(100));

    // shutdown: the healthcheck's EXIT withdrawal comes before the Cease
    d.signal(libc::SIGTERM);
    let mut withdrawn = false;
    let t0 = Instant::now();
    let m = loop {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("closed without NOTIFICATION\n{}", d.log_text()));
        if m.kind != UPDATE {
            break m;
        }
        withdrawn |= update_prefixes(&m.body).1.iter().any(|p| p == IP);
    };
    assert_eq!((m.kind, &m.body[..2]), (NOTIFICATION, &[6u8, 2][..]));
    assert!(
        withdrawn,
        "no withdrawal before the Cease\n{}",
        d.log_text()
    );
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    assert_clean_exit(&mut d);
    let text = d.log_text();
    assert!(
        !text.contains("Traceback") && !text.contains("BrokenPipe"),
        "the healthcheck failed on its way out\n{text}"
    );
}
