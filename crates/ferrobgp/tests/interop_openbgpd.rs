//! Interoperability with OpenBGPD (Debian package `openbgpd`): an eBGP
//! session on loopback between ferrobgp (127.0.0.1, AS 65001) and a bgpd we
//! start (127.0.0.5, AS 65005, passive on a free port, its control socket
//! in the test's directory), IPv4 and IPv6 unicast both ways. bgpd needs
//! root, its user `_openbgpd` (created by the package) and its chroot
//! `/run/openbgpd` (created here when missing); the test skips (and passes)
//! when bgpd/bgpctl are not installed, we are not root or the user is
//! missing. bgpctl is the judge: `show neighbor`, `show rib detail`.
//! Configurations: qa/interop/openbgpd.conf and
//! qa/interop/ferrobgp-openbgpd.conf.

mod interop_common;

use interop_common::*;
use std::path::PathBuf;
use std::process::Command;

const BGPD_CONF: &str = include_str!("../../../qa/interop/openbgpd.conf");
const FERRO_CONF: &str = include_str!("../../../qa/interop/ferrobgp-openbgpd.conf");
const BGPD_CONF_IPV6: &str = include_str!("../../../qa/interop/openbgpd-ipv6.conf");
const FERRO_CONF_IPV6: &str = include_str!("../../../qa/interop/ferrobgp-openbgpd-ipv6.conf");

struct Pair {
    work: Workdir,
    bgpctl: PathBuf,
    daemon: Proc,
    ferro: Ferro,
    /// ferrobgp's address, as bgpd names the neighbor.
    us: String,
    /// bgpd's program and configuration file (to start it again).
    bgpd: PathBuf,
    conf: PathBuf,
}

impl Pair {
    fn start(test: &str) -> Option<Pair> {
        Pair::start_on(test, "127.0.0.5", "127.0.0.1", BGPD_CONF, FERRO_CONF)
    }

    /// bgpd listening on `listen` with `bgpd_conf`, ferrobgp on
    /// `ferro_conf` (`@PORT@`, `@SOCK@` replaced), and the wait until bgpd
    /// has its neighbor `us` (ferrobgp's address) Established.
    fn start_on(
        test: &str,
        listen: &str,
        us: &str,
        bgpd_conf: &str,
        ferro_conf: &str,
    ) -> Option<Pair> {
        let bins = require(test, "openbgpd", &["bgpd", "bgpctl"])?;
        if !is_root() {
            skip(
                test,
                "OpenBGPD's bgpd needs root (it chroots to /run/openbgpd)",
            );
            return None;
        }
        let users = std::fs::read_to_string("/etc/passwd").unwrap_or_default();
        if !users.lines().any(|l| l.starts_with("_openbgpd:")) {
            skip(
                test,
                "user _openbgpd missing (created by the openbgpd package's sysusers file)",
            );
            return None;
        }
        if let Err(e) = std::fs::create_dir_all("/run/openbgpd") {
            skip(test, &format!("cannot create /run/openbgpd: {e}"));
            return None;
        }
        let work = Workdir::new();
        let port = free_port(listen);
        let conf = work.write(
            "bgpd.conf",
            &bgpd_conf
                .replace("@PORT@", &port.to_string())
                .replace("@SOCK@", &work.path("bgpd.sock").display().to_string()),
            false,
        );
        let daemon = spawn_bgpd(&work, &bins[0], &conf);
        let ferro = Ferro::start(&work, &ferro_conf.replace("@PORT@", &port.to_string()));
        let mut pair = Pair {
            work,
            bgpctl: bins[1].clone(),
            daemon,
            ferro,
            us: us.to_string(),
            bgpd: bins[0].clone(),
            conf,
        };
        pair.wait("bgpd sees the session Established", |p| {
            p.ctl(&["show", "neighbor", &p.us])
                .filter(|s| s.contains("BGP state = Established"))
        });
        Some(pair)
    }

    /// `bgpctl -s SOCK ARGS`: its stdout when it succeeded.
    fn ctl(&self, args: &[&str]) -> Option<String> {
        run_client(
            Command::new(&self.bgpctl)
                .arg("-s")
                .arg(self.work.path("bgpd.sock"))
                .args(args),
        )
    }

    /// `show rib detail PREFIX` when bgpd has the prefix.
    fn rib(&self, prefix: &str) -> Option<String> {
        self.ctl(&["show", "rib", "detail", prefix])
            .filter(|s| s.contains("BGP routing table entry"))
    }

    /// One counter row of `show neighbor` (`Begin-of-RR   0   1`):
    /// (sent, received).
    fn counter(&self, row: &str) -> (u64, u64) {
        let text = self
            .ctl(&["show", "neighbor", &self.us])
            .unwrap_or_default();
        text.lines()
            .map(str::trim)
            .find(|l| l.starts_with(row))
            .map(|l| {
                let n: Vec<u64> = l[row.len()..]
                    .split_whitespace()
                    .filter_map(|w| w.parse().ok())
                    .collect();
                (
                    n.first().copied().unwrap_or(0),
                    n.get(1).copied().unwrap_or(0),
                )
            })
            .unwrap_or((0, 0))
    }
}

/// Starts `bgpd` in the foreground on `conf`, its output in `work`.
fn spawn_bgpd(work: &Workdir, bgpd: &std::path::Path, conf: &std::path::Path) -> Proc {
    let mut cmd = Command::new(bgpd);
    cmd.arg("-d").arg("-f").arg(conf);
    Proc::spawn(cmd, work.path("bgpd.log"))
}

/// Kills bgpd and its session engine and RDE at once (SIGKILL: the
/// connection closes with no NOTIFICATION, as in a crash).
fn crash_bgpd(daemon: &mut Proc) {
    for child in children_of(daemon.child.id()) {
        signal(child, libc::SIGKILL);
    }
    crash_child(&mut daemon.child);
}

impl DaemonPair for Pair {
    const PEER: &'static str = "bgpd";
    fn parts(&mut self) -> (&mut Ferro, &mut Proc, &Workdir) {
        (&mut self.ferro, &mut self.daemon, &self.work)
    }
    fn extra_context(&mut self) -> String {
        let n = self
            .ctl(&["show", "neighbor", &self.us])
            .unwrap_or_default();
        let rib = self.ctl(&["show", "rib"]).unwrap_or_default();
        format!("--- bgpctl show neighbor ---\n{n}\n--- bgpctl show rib ---\n{rib}\n")
    }
}

/// The matrix against OpenBGPD, in one session: negotiated capabilities,
/// our routes with their attributes (4-octet AS path and route target,
/// IPv6 next hop), End-of-RIB, bgpd's routes as our helper receives them,
/// route refresh both ways (bgpd's request answered with BoRR, the routes,
/// EoRR; ours reaches bgpd), a
/// graceful restart of ours (`neighbor IP restart`: bgpd keeps our routes
/// until our End-of-RIB), a withdrawal, `teardown` as a Cease that
/// drops our routes at once, and SIGTERM as Cease 6/2.
#[test]
fn openbgpd_matrix() {
    let Some(mut pair) = Pair::start("interop_openbgpd::openbgpd_matrix") else {
        return;
    };
    let n = pair
        .ctl(&["show", "neighbor", "127.0.0.1"])
        .expect("neighbor");
    let negotiated = &n[n.find("Negotiated capabilities").expect("negotiated")..];
    let negotiated = &negotiated[..negotiated
        .find("Message statistics")
        .unwrap_or(negotiated.len())];
    for cap in [
        "Multiprotocol extensions: IPv4 unicast, IPv6 unicast",
        "4-byte AS numbers",
        "Route Refresh",
        "Enhanced Route Refresh",
        "Graceful Restart: Timeout: 120",
    ] {
        assert!(negotiated.contains(cap), "{cap}: {n}");
    }

    // ferrobgp -> bgpd
    let r = pair.wait("bgpd has our IPv4 route", |p| p.rib("192.0.2.0/24"));
    for want in [
        "65001 4200000010",
        "Nexthop 10.0.0.1",
        "Origin IGP, metric 10",
        "Communities: 65001:1",
        "Ext. Communities: rt 65000:5 rt 4200000001:7",
        "Large Communities: 65001:3:4",
    ] {
        assert!(r.contains(want), "{want}: {r}");
    }
    let r = pair.wait("bgpd has our IPv6 route", |p| p.rib("2001:db8:100::/48"));
    assert!(r.contains("Nexthop 2001:db8::1"), "{r}");
    assert!(r.contains("metric 20"), "{r}");
    assert!(r.contains("Communities: 65001:6"), "{r}");
    pair.wait("bgpd got our End-of-RIB for both families", |p| {
        (p.counter("End-of-Rib").1 >= 2).then_some(())
    });

    // bgpd -> ferrobgp
    let ev = pair.wait_events("the helper receives bgpd's routes", |ev| {
        find(ev, "10.60.0.0/24").is_some() && find(ev, "2001:db8:60::/48").is_some()
    });
    let a = find(&ev, "10.60.0.0/24").expect("ipv4");
    assert_eq!(a.next_hop, "127.0.0.5", "{a:?}");
    assert_eq!(a.as_path(), vec![65005], "{a:?}");
    assert_eq!(a.attributes["med"], 12, "{a:?}");
    assert_eq!(
        a.attributes["community"],
        serde_json::json!([[65005, 6]]),
        "{a:?}"
    );
    assert_eq!(
        a.attributes["large-community"],
        serde_json::json!([[65005, 1, 2]]),
        "{a:?}"
    );
    let a = find(&ev, "2001:db8:60::/48").expect("ipv6");
    assert_eq!(a.family, "ipv6 unicast", "{a:?}");
    assert_eq!(a.attributes["med"], 13, "{a:?}");

    // bgpd asks: we resend between BoRR and EoRR (enhanced route refresh)
    pair.ctl(&["neighbor", "127.0.0.1", "refresh"])
        .expect("bgpctl refresh");
    pair.wait("bgpd receives BoRR and EoRR", |p| {
        (p.counter("Begin-of-RR").1 >= 1 && p.counter("End-of-RR").1 >= 1).then_some(())
    });
    assert!(pair.rib("192.0.2.0/24").is_some(), "{}", pair.context());
    // our helper asks: bgpd receives the request (bgpd 7.7 then logs
    // "route refresh: AID IPv4 unicast not negotiated" and does not resend,
    // for ExaBGP 5.0.15's identical request too: qa/interop/README.md)
    pair.ferro
        .command("neighbor 127.0.0.5 announce route-refresh ipv4 unicast");
    pair.wait("bgpd receives our ROUTE-REFRESH", |p| {
        (p.counter("Request").1 >= 1).then_some(())
    });

    // graceful restart on purpose (RFC 4724, we restart): bgpd keeps our
    // routes as stale, we resend them and End-of-RIB, no flap
    let mark = pair.daemon.log_text().len();
    pair.ferro.command("neighbor 127.0.0.5 restart");
    pair.wait("bgpd keeps our routes over our restart", |p| {
        p.daemon.log_text()[mark..]
            .contains("graceful restart of IPv4 unicast, keeping routes")
            .then_some(())
    });
    assert!(pair.rib("192.0.2.0/24").is_some(), "{}", pair.context());
    pair.wait("bgpd ends the graceful restart with our End-of-RIB", |p| {
        p.daemon.log_text()[mark..]
            .contains("graceful restart of IPv4 unicast finished")
            .then_some(())
    });
    let r = pair.rib("192.0.2.0/24").unwrap_or_default();
    assert!(r.contains("rt 4200000001:7"), "{r}");

    // withdrawal
    pair.ferro
        .command("withdraw route 192.0.2.0/24 next-hop 10.0.0.1");
    pair.wait("bgpd drops the withdrawn route", |p| {
        p.rib("192.0.2.0/24").is_none().then_some(())
    });

    // teardown with graceful restart negotiated: a Cease, routes gone
    pair.wait("the IPv6 route is still there", |p| {
        p.rib("2001:db8:100::/48")
    });
    let mark = pair.daemon.log_text().len();
    pair.ferro.command("neighbor 127.0.0.5 teardown 4");
    // We reconnect at once, but only after bgpd closed the old connection
    // (it has read the Cease): a new connection first made bgpd take the
    // teardown for a restart of ours and keep the routes as stale.
    let cease = "received notification: Cease, administrative reset";
    pair.wait("bgpd logs the Cease 6/4", |p| {
        p.daemon.log_text()[mark..].contains(cease).then_some(())
    });
    let log = pair.daemon.log_text();
    assert!(!log[mark..].contains("keeping routes"), "{log}");

    // SIGTERM once we are back: Cease 6/2 "Administrative Shutdown" (bgpd
    // says "administratively down")
    // (README "Session endings"), our routes dropped at once
    pair.wait("the session is back after the teardown", |p| {
        p.ctl(&["show", "neighbor", "127.0.0.1"])
            .filter(|s| s.contains("BGP state = Established"))
            .and(p.rib("2001:db8:100::/48"))
    });
    let mark = pair.daemon.log_text().len();
    assert!(
        pair.ferro.terminate(),
        "ferrobgp did not exit on SIGTERM\n{}",
        pair.context()
    );
    let p = &pair;
    let gone = poll("bgpd logs the Cease 6/2 and drops our routes", || {
        let cease = p.daemon.log_text()[mark..]
            .contains("received notification: Cease, administratively down");
        (cease && p.rib("2001:db8:100::/48").is_none()).then_some(())
    });
    assert!(
        gone.is_some(),
        "no Cease 6/2, or routes kept\n{}",
        pair.daemon.log_text()
    );
}

/// The next hop bgpd's Adj-RIB-Out (`show rib out neighbor US detail`)
/// lists for `prefix`.
fn rib_out_next_hop(pair: &Pair, prefix: &str) -> Option<String> {
    let text = pair.ctl(&["show", "rib", "out", "neighbor", &pair.us, "detail"])?;
    let entry = text.split(&format!("entry for {prefix}\n")).nth(1)?;
    let line = entry.lines().find(|l| l.trim().starts_with("Nexthop "))?;
    line.split_whitespace().nth(1).map(str::to_string)
}

/// The session over `::1` (qa/interop/openbgpd-ipv6.conf,
/// qa/interop/ferrobgp-openbgpd-ipv6.conf): bgpd's neighbor `::1` is
/// Established with local and remote host ::1 and IPv4 and IPv6 unicast
/// negotiated; our IPv4 route (next hop 10.0.0.1, MED 10, community
/// 65001:1) and IPv6 route (next hop 2001:db8::1, MED 20) are in `show rib
/// detail`, with End-of-RIB for both families; bgpd's two routes reach the
/// helper with the next hops bgpd's own Adj-RIB-Out lists for them (IPv4:
/// its IPv4 source address, IPv6: ::1), MED and AS path, in events naming
/// peer and local address ::1.
#[test]
fn openbgpd_ipv6_transport() {
    let Some(mut pair) = Pair::start_on(
        "interop_openbgpd::openbgpd_ipv6_transport",
        "::1",
        "::1",
        BGPD_CONF_IPV6,
        FERRO_CONF_IPV6,
    ) else {
        return;
    };
    let n = pair.ctl(&["show", "neighbor", "::1"]).expect("neighbor");
    assert!(n.contains("Local host:                   ::1,"), "{n}");
    assert!(n.contains("Remote host:                  ::1,"), "{n}");
    let negotiated = &n[n.find("Negotiated capabilities").expect("negotiated")..];
    assert!(
        negotiated.contains("Multiprotocol extensions: IPv4 unicast, IPv6 unicast"),
        "{n}"
    );

    // ferrobgp -> bgpd
    let r = pair.wait("bgpd has our IPv4 route", |p| p.rib("192.0.2.0/24"));
    for want in [
        "Nexthop 10.0.0.1",
        "Neighbor ::1",
        "Origin IGP, metric 10",
        "Communities: 65001:1",
    ] {
        assert!(r.contains(want), "{want}: {r}");
    }
    let r = pair.wait("bgpd has our IPv6 route", |p| p.rib("2001:db8:100::/48"));
    assert!(r.contains("Nexthop 2001:db8::1"), "{r}");
    assert!(r.contains("metric 20"), "{r}");
    pair.wait("bgpd got our End-of-RIB for both families", |p| {
        (p.counter("End-of-Rib").1 >= 2).then_some(())
    });

    // bgpd -> ferrobgp
    let ev = pair.wait_events("the helper receives bgpd's routes", |ev| {
        find(ev, "10.60.0.0/24").is_some() && find(ev, "2001:db8:60::/48").is_some()
    });
    let a = find(&ev, "10.60.0.0/24").expect("ipv4");
    assert_eq!(a.family, "ipv4 unicast", "{a:?}");
    let nh4 = rib_out_next_hop(&pair, "10.60.0.0/24").expect("bgpd's rib out");
    assert!(nh4.parse::<std::net::Ipv4Addr>().is_ok(), "{nh4}");
    assert_eq!(a.next_hop, nh4, "{a:?}");
    assert_eq!(a.as_path(), vec![65005], "{a:?}");
    assert_eq!(a.attributes["med"], 12, "{a:?}");
    assert_eq!(
        a.attributes["community"],
        serde_json::json!([[65005, 6]]),
        "{a:?}"
    );
    let a = find(&ev, "2001:db8:60::/48").expect("ipv6");
    assert_eq!(a.family, "ipv6 unicast", "{a:?}");
    assert_eq!(a.next_hop, "::1", "{a:?}");
    assert_eq!(
        rib_out_next_hop(&pair, "2001:db8:60::/48").as_deref(),
        Some("::1")
    );
    assert_eq!(a.attributes["med"], 13, "{a:?}");
    let peer = ev
        .iter()
        .find(|e| e["type"] == "update")
        .map(|e| e["neighbor"]["address"].clone())
        .unwrap_or_default();
    assert_eq!(peer["peer"], "::1", "{peer}");
    assert_eq!(peer["local"], "::1", "{peer}");
}

/// Graceful restart when the peer cannot restart gracefully: bgpd 7.7 is a
/// receiving speaker only, its GR capability has restart time 0 and no
/// family (as the OPEN the helper gets shows), so when it crashes (SIGKILL,
/// no NOTIFICATION) nothing of it is kept (RFC 4724 4.2 keeps only the
/// families the capability lists): `show adj-rib in` is empty at once,
/// with ferrobgp configured with graceful restart; bgpd started again
/// sends its routes again, and we reconnect and send ours again.
#[test]
fn openbgpd_crash_without_restart_capability() {
    let Some(mut pair) = Pair::start_on(
        "interop_openbgpd::openbgpd_crash_without_restart_capability",
        "127.0.0.5",
        "127.0.0.1",
        BGPD_CONF,
        &FERRO_CONF.replacen(
            "receive { parsed; update; refresh; }",
            "receive { parsed; update; refresh; open; }",
            1,
        ),
    ) else {
        return;
    };
    let ev = pair.wait_events("bgpd's routes", |ev| {
        find(ev, "10.60.0.0/24").is_some() && find(ev, "2001:db8:60::/48").is_some()
    });
    let open = ev
        .iter()
        .find(|e| e["type"] == "open" && e["neighbor"]["direction"] == "receive")
        .map(|e| e["neighbor"]["open"]["capabilities"]["64"].clone())
        .unwrap_or_default();
    assert_eq!(open["time"], 0, "{open}");
    assert_eq!(
        open["address-family-flags"],
        serde_json::json!({}),
        "{open}"
    );
    let ours = ["10.60.0.0/24", "2001:db8:60::/48"];
    let rib = pair.ferro.adj_rib_in().expect("show adj-rib in");
    assert!(ours.iter().all(|p| holds(&rib, p)), "{rib:#?}");

    crash_bgpd(&mut pair.daemon);
    let ferro = &mut pair.ferro;
    let down = poll("`down` after bgpd died", || {
        ferro.assert_running();
        states(&ferro.events())
            .iter()
            .any(|s| s == "down")
            .then_some(())
    });
    assert!(down.is_some(), "{}", pair.context());
    let rib = pair.ferro.adj_rib_in().expect("show adj-rib in");
    assert!(rib.iter().all(|l| !l.contains("unicast")), "{rib:#?}");

    pair.daemon = spawn_bgpd(&pair.work, &pair.bgpd, &pair.conf);
    let rib = pair.wait("bgpd's routes again", |p| {
        let rib = p.ferro.adj_rib_in()?;
        ours.iter().all(|x| holds(&rib, x)).then_some(rib)
    });
    assert_eq!(
        rib.iter().filter(|l| l.contains("unicast")).count(),
        2,
        "{rib:#?}"
    );
    // and we reconnected and sent ours again
    let r = pair.wait("bgpd has our routes again", |p| p.rib("192.0.2.0/24"));
    assert!(r.contains("65001 4200000010"), "{r}");
    pair.wait("bgpd has our IPv6 route again", |p| {
        p.rib("2001:db8:100::/48")
    });
}

/// ADD-PATH (RFC 7911) with `announce add-path recv yes` and `announce
/// add-path send all` in bgpd: `show neighbor` negotiated "Add-path: IPv4
/// unicast bidir, IPv6 unicast bidir"; our two paths of 203.0.113.0/24
/// (path IDs 1 and 2, MED 1 and 2) are two entries of `show rib detail`
/// with `Path-Id: 1`/`2`, withdrawing path 1 leaves path 2; bgpd's routes
/// reach the helper with a non-zero `path-information`.
#[test]
fn openbgpd_add_path_both_ways() {
    let Some(mut pair) = Pair::start_on(
        "interop_openbgpd::openbgpd_add_path_both_ways",
        "127.0.0.5",
        "127.0.0.1",
        &BGPD_CONF.replacen(
            "\tannounce as-4byte yes\n",
            "\tannounce as-4byte yes\n\tannounce add-path recv yes\n\tannounce add-path send all\n",
            1,
        ),
        &FERRO_CONF.replacen(
            "\t\tgraceful-restart 120;\n",
            "\t\tgraceful-restart 120;\n\t\tadd-path send/receive;\n",
            1,
        ),
    ) else {
        return;
    };
    let n = pair
        .ctl(&["show", "neighbor", "127.0.0.1"])
        .expect("neighbor");
    let negotiated = &n[n.find("Negotiated capabilities").expect("negotiated")..];
    assert!(
        negotiated.contains("Add-path: IPv4 unicast bidir, IPv6 unicast bidir"),
        "{n}"
    );
    for (id, med) in [(1, 1), (2, 2)] {
        pair.ferro.command(&format!(
            "announce route 203.0.113.0/24 path-information 0.0.0.{id} next-hop 10.0.0.1 med {med}"
        ));
    }
    // (path ID, MED) of each entry of `show rib detail 203.0.113.0/24`
    let paths = |p: &Pair| -> Vec<(String, String)> {
        let text = p.rib("203.0.113.0/24").unwrap_or_default();
        let mut v: Vec<(String, String)> = text
            .split("BGP routing table entry")
            .skip(1)
            .map(|e| {
                let id = e
                    .split("Path-Id: ")
                    .nth(1)
                    .and_then(|x| x.split_whitespace().next())
                    .unwrap_or_default()
                    .to_string();
                let med = e
                    .split("metric ")
                    .nth(1)
                    .and_then(|x| x.split(',').next())
                    .unwrap_or_default()
                    .to_string();
                (id, med)
            })
            .collect();
        v.sort();
        v
    };
    let got = pair.wait("bgpd has both paths", |p| {
        Some(paths(p)).filter(|v| v.len() == 2)
    });
    let want = |l: &[(&str, &str)]| -> Vec<(String, String)> {
        l.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    };
    assert_eq!(got, want(&[("1", "1"), ("2", "2")]));
    pair.ferro
        .command("withdraw route 203.0.113.0/24 path-information 0.0.0.1 next-hop 10.0.0.1");
    let got = pair.wait("bgpd keeps only path 2", |p| {
        Some(paths(p)).filter(|v| v.len() == 1)
    });
    assert_eq!(got, want(&[("2", "2")]));

    // bgpd -> ferrobgp: its routes with its (non-zero) path IDs
    let ev = pair.wait_events("the helper receives bgpd's routes", |ev| {
        find(ev, "10.60.0.0/24").is_some() && find(ev, "2001:db8:60::/48").is_some()
    });
    for p in ["10.60.0.0/24", "2001:db8:60::/48"] {
        let a = find(&ev, p).expect("route");
        let id = a.nlri["path-information"].as_str().unwrap_or_default();
        assert!(
            !id.is_empty() && id != "0.0.0.0",
            "{p} has no path ID: {a:?}"
        );
    }
}

/// bgpd 7.7 has no extended message: our route with 1,200 communities is
/// refused by ferrobgp ("attributes too large for one UPDATE"), bgpd never
/// has it, the next route reaches bgpd, and the session stays up (one OPEN,
/// no NOTIFICATION in `show neighbor`).
#[test]
fn openbgpd_without_extended_message() {
    let Some(mut pair) = Pair::start("interop_openbgpd::openbgpd_without_extended_message") else {
        return;
    };
    pair.ferro.command(&announce_many_communities(
        "203.0.113.64/26",
        "10.0.0.1",
        1200,
    ));
    pair.wait("ferrobgp refuses the UPDATE", |p| {
        p.ferro
            .log_text()
            .contains("cannot send 203.0.113.64/26: attributes too large for one UPDATE")
            .then_some(())
    });
    pair.ferro
        .command("announce route 203.0.113.0/24 next-hop 10.0.0.1 med 3");
    pair.wait("bgpd learns the next route", |p| p.rib("203.0.113.0/24"));
    assert!(pair.rib("203.0.113.64/26").is_none(), "{}", pair.context());
    let n = pair
        .ctl(&["show", "neighbor", "127.0.0.1"])
        .expect("neighbor");
    assert!(n.contains("BGP state = Established"), "{n}");
    assert!(!n.contains("Extended message"), "{n}");
    assert_eq!(pair.counter("Opens"), (1, 1), "{n}");
    assert_eq!(pair.counter("Notifications"), (0, 0), "{n}");
}
