//! A real client, unchanged: `exabgp healthcheck` from ExaBGP 5.0.15 (the
//! virtualenv of `$EXABGP_VENV`, else `qa/.venv`, which `.ci/run`
//! installs) as a helper of ferrobgp, driven through up / down / up /
//! disabled / shutdown with metrics and `--withdraw-on-down`. The peer
//! compares the UPDATE bytes of each step with what ExaBGP 5.0.15 sent in
//! the same scenario (`qa/clients/exabgp-5.0.15/healthcheck.wire` and
//! `healthcheck_ip.wire`, recorded by `qa/clients/record-exabgp`): the
//! static route, the End-of-RIB and the announcement with MED 100 when up,
//! a withdrawal when down or disabled, repeated every second while it
//! lasts (the healthcheck repeats its command; both daemons send each
//! one). One difference, on purpose (README, "Signals"): on SIGTERM
//! ferrobgp sends the healthcheck's final withdrawal (its EXIT state) and
//! then a Cease, where 5.0.15 closes the connection with neither.
//!
//! With `--ip` and no `--no-ip-setup`, as root (`exabgp.daemon.user=root`)
//! in a network namespace of its own, the healthcheck adds its service IP
//! to the namespace's `lo` and removes it when ferrobgp stops it: the
//! addresses on `lo` after each step are the ones recorded with 5.0.15.

mod clients_recorded;
mod common;
mod interop_common;

use clients_recorded::Wire;
use common::*;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::Command;
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

/// The scenario's configuration, as `qa/clients/record-exabgp` writes it:
/// the healthcheck as `hc`, `extra` added to its arguments, and the static
/// route 10.9.0.0/24.
fn healthcheck_conf(port: u16, state: &Path, extra: &str) -> String {
    let neighbor = static_neighbor("127.0.0.1", port, "10.9.0.0/24").replace(
        "    static {",
        "    api { processes [ hc ]; }\n    static {",
    );
    format!(
        "process hc {{\n    run ./healthcheck.sh --no-syslog {extra}--ip {IP} \
         --next-hop 127.0.0.1 --interval 1 --fast-interval 1 --rise 1 --fall 1 \
         --up-metric 100 --down-metric 1000 --disabled-metric 500 --withdraw-on-down \
         --disable {} --cmd \"test ! -e {}\";\n    encoder text;\n}}\n{neighbor}",
        state.join("disabled").display(),
        state.join("down").display(),
    )
}

/// The session comes up: the UPDATEs ExaBGP 5.0.15 sent then (the static
/// route, the End-of-RIB, the healthcheck's announcement). The static
/// route and the End-of-RIB come in the recorded order; only the
/// healthcheck's announcement (of `IP`) may come anywhere among them (the
/// healthcheck starts with the session: its line may come before or after
/// the End-of-RIB).
fn expect_established(s: &mut Session, rec: &Wire, log: &dyn Fn() -> String) {
    let mut want = rec.updates("established");
    let mut got = Vec::new();
    while got.len() < want.len() {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("connection closed\n{}", log()));
        assert_eq!(m.kind, UPDATE, "{m:?}\n{}", log());
        got.push(m.body);
    }
    let helpers = |v: &[Vec<u8>]| -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
        v.iter()
            .cloned()
            .partition(|b| update_prefixes(b).0.iter().any(|p| p == IP))
    };
    let (want_helper, want_rest) = helpers(&want);
    let (got_helper, got_rest) = helpers(&got);
    assert_eq!(want_helper.len(), 1, "the recording's announcement of {IP}");
    assert_eq!(
        got_rest,
        want_rest,
        "not what ExaBGP 5.0.15 sent, in its order, besides the announcement of {IP}\n{}",
        log()
    );
    assert_eq!(
        got_helper,
        want_helper,
        "the announcement of {IP}\n{}",
        log()
    );
    want.sort();
    got.sort();
    assert_eq!(got, want, "not what ExaBGP 5.0.15 sent\n{}", log());
}

/// After `act`, the next UPDATE is the one ExaBGP 5.0.15 sent in `step`.
/// `repeated`: the withdrawal of the step before, which the healthcheck
/// repeats every second while down or disabled, so one more may come
/// before the change (skipped).
fn expect_step(
    s: &mut Session,
    rec: &Wire,
    step: &str,
    act: impl FnOnce(),
    repeated: Option<&[u8]>,
    log: &dyn Fn() -> String,
) -> Vec<u8> {
    let want = rec.updates(step);
    assert!(!want.is_empty(), "nothing recorded for {step}");
    act();
    let m = loop {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("connection closed in {step}\n{}", log()));
        if m.kind != UPDATE || Some(&m.body[..]) != repeated {
            break m;
        }
    };
    assert_eq!(
        (m.kind, &m.body),
        (UPDATE, &want[0]),
        "{step}: not what ExaBGP 5.0.15 sent\n{}",
        log()
    );
    m.body
}

/// While down or disabled the healthcheck repeats its `withdraw` every
/// second (`--interval 1`), and 5.0.15 put each repeat on the wire (the
/// recording's step holds the same bytes again and again): so does
/// ferrobgp. For `quiet`, every UPDATE is that withdrawal, at least one.
fn expect_repeats(
    s: &mut Session,
    rec: &Wire,
    step: &str,
    quiet: Duration,
    log: &dyn Fn() -> String,
) {
    let want = rec.updates(step);
    assert!(want.len() > 1, "5.0.15 repeated the {step} withdrawal");
    assert!(want.iter().all(|w| *w == want[0]), "{step}: {want:?}");
    let deadline = Instant::now() + quiet;
    let mut repeats = 0;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            break;
        }
        s.s.set_read_timeout(Some(left)).expect("timeout");
        match s.s.peek(&mut [0u8; 1]) {
            Ok(0) => panic!("connection closed in {step}\n{}", log()),
            Ok(_) => {
                let m = s.read(LONG).expect("message");
                if m.kind == KEEPALIVE {
                    continue;
                }
                assert_eq!((m.kind, &m.body), (UPDATE, &want[0]), "{step}\n{}", log());
                repeats += 1;
            }
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                break
            }
            Err(e) => panic!("read: {e}"),
        }
    }
    assert!(
        repeats > 0,
        "{step}: the withdrawal was not repeated\n{}",
        log()
    );
}

/// SIGTERM to ferrobgp: the healthcheck's EXIT withdrawal (the bytes
/// 5.0.15 sent when the check failed), then a Cease, before the close.
/// 5.0.15 sent neither (the recording's `sigterm` step is empty).
fn expect_shutdown(d: &mut Daemon, s: &mut Session, rec: &Wire, withdrawal: &[u8]) {
    assert!(
        rec.msgs.iter().all(|m| m.step != "sigterm"),
        "5.0.15 sent nothing at shutdown"
    );
    d.signal(libc::SIGTERM);
    let t0 = Instant::now();
    let m = s
        .read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("closed without a withdrawal\n{}", d.log_text()));
    assert_eq!(
        (m.kind, &m.body[..]),
        (UPDATE, withdrawal),
        "the EXIT withdrawal first\n{}",
        d.log_text()
    );
    let m = s
        .read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("closed without NOTIFICATION\n{}", d.log_text()));
    assert_eq!((m.kind, &m.body[..2]), (NOTIFICATION, &[6u8, 2][..]));
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    assert_clean_exit(d);
    let text = d.log_text();
    assert!(
        !text.contains("Traceback") && !text.contains("BrokenPipe"),
        "the healthcheck failed on its way out\n{text}"
    );
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
    let rec = clients_recorded::wire("healthcheck");
    let state = service_user_dir();
    let down = state.path().join("down");
    let disabled = state.path().join("disabled");
    let peer = Peer::bind("127.0.0.1");
    let conf = healthcheck_conf(peer.addr.port(), state.path(), "--no-ip-setup ");
    let mut d = Daemon::start(
        &conf,
        &[("healthcheck.sh", &healthcheck_wrapper(&site))],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();

    // up: the static route, the End-of-RIB, the IP with the up metric
    expect_established(&mut s, &rec, &log);
    // the check fails: withdrawn (--withdraw-on-down)
    let touch = |p: &Path| std::fs::write(p, "").expect("touch");
    let rm = |p: &Path| std::fs::remove_file(p).expect("rm");
    let withdrawal = expect_step(&mut s, &rec, "down", || touch(&down), None, &log);
    // repeated while it keeps failing, as with 5.0.15
    expect_repeats(&mut s, &rec, "down", Duration::from_millis(2500), &log);
    // it passes again
    let w = Some(&withdrawal[..]);
    expect_step(&mut s, &rec, "up", || rm(&down), w, &log);
    // disabled by the operator: withdrawn as well, and repeated
    expect_step(&mut s, &rec, "disabled", || touch(&disabled), None, &log);
    expect_repeats(&mut s, &rec, "disabled", Duration::from_millis(2500), &log);
    expect_step(&mut s, &rec, "enabled", || rm(&disabled), w, &log);

    // shutdown: the healthcheck's EXIT withdrawal comes before the Cease
    expect_shutdown(&mut d, &mut s, &rec, &withdrawal);
}

/// A network namespace of the test's own (`ip netns add`), its `lo` up,
/// deleted when dropped (also when the test fails).
struct Netns {
    name: String,
}

impl Netns {
    /// `Err` with `ip`'s message when the namespace cannot be made (no
    /// CAP_SYS_ADMIN, e.g. an unprivileged container).
    fn add() -> Result<Netns, String> {
        let name = format!("ferrohc{}", std::process::id());
        let out = Command::new("ip")
            .args(["netns", "add", &name])
            .output()
            .map_err(|e| e.to_string())?;
        if !out.status.success() {
            return Err(String::from_utf8_lossy(&out.stderr).into_owned());
        }
        let ns = Netns { name };
        ns.ip(&["netns", "exec", &ns.name, "ip", "link", "set", "lo", "up"]);
        Ok(ns)
    }

    fn ip(&self, args: &[&str]) -> String {
        let out = Command::new("ip").args(args).output().expect("run ip");
        assert!(
            out.status.success(),
            "ip {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The IPv4 addresses on the namespace's `lo`, sorted (as recorded).
    fn lo(&self) -> Vec<String> {
        let out = self.ip(&["-n", &self.name, "-o", "-4", "address", "show", "dev", "lo"]);
        let mut a: Vec<String> = out
            .lines()
            .filter_map(|l| l.split_whitespace().nth(3).map(String::from))
            .collect();
        a.sort();
        a
    }

    /// Moves the calling thread (and the processes it starts from now on)
    /// into the namespace.
    fn enter(&self) {
        let f = std::fs::File::open(format!("/run/netns/{}", self.name)).expect("open netns");
        // SAFETY: setns(2) on a namespace fd we hold; CLONE_NEWNET only
        // moves this thread, which a multi-threaded process may do.
        let rc = unsafe { libc::setns(f.as_raw_fd(), libc::CLONE_NEWNET) };
        assert_eq!(rc, 0, "setns: {}", std::io::Error::last_os_error());
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Command::new("ip")
            .args(["netns", "del", &self.name])
            .status();
    }
}

/// Polls `lo` until it holds `want` (the healthcheck adds its IP while the
/// session comes up), failing after [`LONG`].
fn wait_lo(ns: &Netns, want: &[String], log: &dyn Fn() -> String) {
    let deadline = Instant::now() + LONG;
    loop {
        let got = ns.lo();
        if got == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "lo holds {got:?}, not {want:?}\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn exabgp_healthcheck_as_root_sets_its_ip_up_in_a_namespace() {
    let Some(site) = exabgp_site_packages() else {
        interop_common::skip(
            "clients_healthcheck ip setup",
            "ExaBGP 5.0.15 not installed in $EXABGP_VENV or qa/.venv (.ci/run installs it)",
        );
        return;
    };
    if !nix::unistd::Uid::effective().is_root() {
        interop_common::skip(
            "clients_healthcheck ip setup",
            "not root: cannot create a network namespace or run helpers as root",
        );
        return;
    }
    let Some(_) = interop_common::require("clients_healthcheck ip setup", "iproute2", &["ip"])
    else {
        return;
    };
    let rec = clients_recorded::wire("healthcheck_ip");
    let ns = match Netns::add() {
        Ok(ns) => ns,
        Err(e) => {
            interop_common::skip(
                "clients_healthcheck ip setup",
                &format!("cannot create a network namespace: {e}"),
            );
            return;
        }
    };
    // The whole scenario (peer, daemon, helper) in the namespace: a thread
    // of its own enters it, so this one stays on the host to delete it.
    let run = {
        let ns_name = ns.name.clone();
        std::thread::spawn(move || {
            let ns = Netns { name: ns_name };
            ns.enter();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                ip_setup_scenario(&ns, &site, &rec)
            }));
            std::mem::forget(ns); // the outer guard deletes it
            if let Err(e) = r {
                std::panic::resume_unwind(e);
            }
        })
    };
    let r = run.join();
    drop(ns);
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

fn ip_setup_scenario(ns: &Netns, site: &Path, rec: &Wire) {
    assert_eq!(ns.lo(), ["127.0.0.1/8"], "a fresh namespace");
    let state = service_user_dir();
    let down = state.path().join("down");
    let peer = Peer::bind("127.0.0.1");
    let conf = healthcheck_conf(peer.addr.port(), state.path(), "");
    let mut d = Daemon::start(
        &conf,
        &[("healthcheck.sh", &healthcheck_wrapper(site))],
        &[
            ("exabgp_tcp_port", peer.addr.port().to_string()),
            ("exabgp_daemon_user", "root".into()),
        ],
    );
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let hc = d.wait_children(&["healthcheck"]);
    let hc_uids: Vec<String> = hc
        .iter()
        .filter(|p| cmdline(**p).contains("healthcheck"))
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/status")).ok())
        .filter_map(|st| st.lines().find(|l| l.starts_with("Uid:")).map(String::from))
        .collect();
    assert!(
        !hc_uids.is_empty()
            && hc_uids
                .iter()
                .all(|u| u.split_whitespace().nth(1) == Some("0")),
        "the healthcheck runs as root: {hc_uids:?}"
    );

    let log = || d.log_text();
    assert_eq!(
        log()
            .matches("daemon.user is root: helper programs run as root")
            .count(),
        1,
        "one warning line for helpers as root\n{}",
        log()
    );
    // up: announced, and the IP is on lo
    expect_established(&mut s, rec, &log);
    wait_lo(ns, &rec.lo_after("established"), &log);
    assert!(ns.lo().contains(&IP.to_string()), "{:?}", ns.lo());
    // down: withdrawn; the IP stays (no --dynamic-ip-setup), as with 5.0.15
    let withdrawal = expect_step(
        &mut s,
        rec,
        "down",
        || std::fs::write(&down, "").expect("touch"),
        None,
        &log,
    );
    assert_eq!(ns.lo(), rec.lo_after("down"));
    expect_step(
        &mut s,
        rec,
        "up",
        || std::fs::remove_file(&down).expect("rm"),
        Some(&withdrawal),
        &log,
    );
    assert_eq!(ns.lo(), rec.lo_after("up"));

    // SIGTERM: the withdrawal before the Cease, and by the time ferrobgp
    // has exited (it waits for its helpers) the IP is gone from lo
    expect_shutdown(&mut d, &mut s, rec, &withdrawal);
    assert_eq!(ns.lo(), rec.lo_after("exited"));
    assert!(!ns.lo().contains(&IP.to_string()));
}
