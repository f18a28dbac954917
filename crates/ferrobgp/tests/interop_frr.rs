//! Interoperability with FRR's bgpd (Debian package `frr`): an eBGP session
//! on loopback between ferrobgp (127.0.0.1, AS 65001) and a bgpd we start
//! without zebra (127.0.0.4, AS 65004, passive on a free port, its vty
//! socket in the test's directory), IPv4 and IPv6 unicast both ways. What
//! bgpd learned is read with `vtysh -c 'show bgp ... json'`; what ferrobgp
//! learned is the JSON its helper received. Skips (and passes) when
//! `bgpd` (/usr/lib/frr) or `vtysh` is not installed.
//! Configurations: qa/interop/frr-bgpd.conf and qa/interop/ferrobgp-frr.conf.

mod interop_common;

use interop_common::*;
use std::path::PathBuf;
use std::process::Command;

const BGPD_CONF: &str = include_str!("../../../qa/interop/frr-bgpd.conf");
const FERRO_CONF: &str = include_str!("../../../qa/interop/ferrobgp-frr.conf");
/// FRR's bgpd (not in PATH; OpenBGPD's `bgpd` may be).
const FRR_BGPD: &str = "/usr/lib/frr/bgpd";

struct Pair {
    work: Workdir,
    vtysh: PathBuf,
    daemon: Proc,
    ferro: Ferro,
}

/// ferrobgp's capability block for the issue 12 checks.
const FERRO_CAPS: &str =
    "capability {\n\t\troute-refresh;\n\t\tgraceful-restart 120;\n\t}\n\tfamily {";

impl Pair {
    fn start(test: &str) -> Option<Pair> {
        Pair::start_with(test, |c| c.to_string(), |c| c)
    }

    /// As [`Pair::start`] with `bgpd` applied to bgpd's configuration and
    /// `ferro` to ferrobgp's.
    fn start_with(
        test: &str,
        bgpd: impl Fn(&str) -> String,
        ferro: impl Fn(String) -> String,
    ) -> Option<Pair> {
        let vtysh = require(test, "frr", &["vtysh"])?.remove(0);
        // FRR's bgpd by its path: OpenBGPD's /usr/sbin/bgpd comes first in
        // PATH when both are installed.
        let frr_bgpd = PathBuf::from(FRR_BGPD);
        if !frr_bgpd.is_file() {
            skip(
                test,
                &format!("{FRR_BGPD} not found (install the Debian package `frr`)"),
            );
            return None;
        }
        let work = Workdir::new();
        let port = free_port("127.0.0.4");
        let conf = work.write("bgpd.conf", &bgpd(BGPD_CONF), false);
        let rw = work.path("rw");
        let mut cmd = unprivileged(&frr_bgpd);
        // -Z no zebra, -n no kernel, -S no user switch (we already are
        // unprivileged, or an ordinary user), -P 0 no TCP vty.
        cmd.arg("-f")
            .arg(&conf)
            .args(["-Z", "-S", "-n", "-l", "127.0.0.4", "-p", &port.to_string()])
            .args(["-P", "0", "--log", "stdout"])
            .arg("--vty_socket")
            .arg(&rw)
            .arg("-i")
            .arg(rw.join("bgpd.pid"));
        let daemon = Proc::spawn(cmd, work.path("bgpd.log"));
        let ferro = Ferro::start(
            &work,
            &ferro(FERRO_CONF.replace("@PORT@", &port.to_string())),
        );
        let mut pair = Pair {
            work,
            vtysh,
            daemon,
            ferro,
        };
        pair.wait("bgpd sees the session Established", |p| {
            let v = p.show("show bgp neighbors 127.0.0.1 json")?;
            (v["127.0.0.1"]["bgpState"] == "Established").then_some(())
        });
        Some(pair)
    }

    /// `vtysh -c CMD` on our bgpd, parsed as JSON.
    fn show(&self, cmd: &str) -> Option<serde_json::Value> {
        let out = run_client(
            Command::new(&self.vtysh)
                .arg("--vty_socket")
                .arg(self.work.path("rw"))
                .args(["-d", "bgpd", "-c", cmd]),
        )?;
        serde_json::from_str(&out).ok()
    }

    /// bgpd's paths for `prefix` in `afi` (`ipv4`/`ipv6`), when it has any.
    fn paths(&self, afi: &str, prefix: &str) -> Option<Vec<serde_json::Value>> {
        let v = self.show(&format!("show bgp {afi} unicast {prefix} json"))?;
        let paths = v["paths"].as_array()?.clone();
        (!paths.is_empty()).then_some(paths)
    }
}

impl DaemonPair for Pair {
    const PEER: &'static str = "bgpd";
    fn parts(&mut self) -> (&mut Ferro, &mut Proc, &Workdir) {
        (&mut self.ferro, &mut self.daemon, &self.work)
    }
}

/// The announcement of `prefix` that came from bgpd's own AS (bgpd also
/// reflects our routes back to us, with 65004 prepended).
fn from_frr(events: &[serde_json::Value], prefix: &str) -> Option<Announced> {
    announced(&updates(events))
        .into_iter()
        .rev()
        .find(|a| a.prefix() == Some(prefix) && a.as_path() == vec![65004])
}

#[test]
fn frr_unicast_both_ways() {
    let Some(mut pair) = Pair::start("interop_frr::frr_unicast_both_ways") else {
        return;
    };

    // ferrobgp -> bgpd (FRR calls 127.0.0.0/8 next hops martian: the
    // configuration uses 10.0.0.1).
    let p4 = pair.wait("bgpd learns the IPv4 static route", |p| {
        p.paths("ipv4", "192.0.2.0/24")
    });
    let path = &p4[0];
    assert_eq!(path["aspath"]["string"], "65001", "{path:#}");
    assert_eq!(path["origin"], "IGP", "{path:#}");
    assert_eq!(path["metric"], 10, "{path:#}");
    assert_eq!(path["community"]["string"], "65001:1", "{path:#}");
    assert_eq!(path["largeCommunity"]["string"], "65001:3:4", "{path:#}");
    assert_eq!(path["nexthops"][0]["ip"], "10.0.0.1", "{path:#}");

    let p6 = pair.wait("bgpd learns the IPv6 static route", |p| {
        p.paths("ipv6", "2001:db8:100::/48")
    });
    let path = &p6[0];
    assert_eq!(path["metric"], 20, "{path:#}");
    assert_eq!(path["community"]["string"], "65001:6", "{path:#}");
    assert_eq!(path["nexthops"][0]["ip"], "2001:db8::1", "{path:#}");

    // bgpd -> ferrobgp.
    let ev = pair.wait_events("the helper receives bgpd's routes", |ev| {
        from_frr(ev, "10.50.0.0/24").is_some() && from_frr(ev, "2001:db8:50::/48").is_some()
    });
    let a = from_frr(&ev, "10.50.0.0/24").expect("ipv4");
    assert_eq!(a.family, "ipv4 unicast", "{a:?}");
    assert_eq!(a.next_hop, "127.0.0.4", "{a:?}");
    assert_eq!(a.attributes["med"], 11, "{a:?}");
    assert_eq!(
        a.attributes["community"],
        serde_json::json!([[65004, 4]]),
        "{a:?}"
    );
    assert_eq!(
        a.attributes["large-community"],
        serde_json::json!([[65004, 4, 4]]),
        "{a:?}"
    );
    let a = from_frr(&ev, "2001:db8:50::/48").expect("ipv6");
    assert_eq!(a.family, "ipv6 unicast", "{a:?}");
    // bgpd's IPv6 next hop over an IPv4 session is its IPv4-mapped address.
    assert_eq!(a.next_hop, "::ffff:127.0.0.4", "{a:?}");

    // API announce and withdraw.
    pair.ferro
        .command("announce route 203.0.113.0/24 next-hop 10.0.0.1 med 44 community [ 65001:44 ]");
    let p = pair.wait("bgpd learns the API route", |p| {
        p.paths("ipv4", "203.0.113.0/24")
    });
    assert_eq!(p[0]["metric"], 44, "{:#}", p[0]);
    assert_eq!(p[0]["community"]["string"], "65001:44", "{:#}", p[0]);
    pair.ferro
        .command("withdraw route 203.0.113.0/24 next-hop 10.0.0.1");
    pair.wait("bgpd drops the withdrawn API route", |p| {
        p.paths("ipv4", "203.0.113.0/24").is_none().then_some(())
    });
    assert!(
        pair.paths("ipv4", "192.0.2.0/24").is_some(),
        "{}",
        pair.context()
    );
}

/// Issue 12 against FRR's bgpd: every capability of the block reaches our
/// OPEN (FRR reports route refresh, enhanced route refresh, extended
/// message and graceful restart "advertisedAndReceived"), a 4-octet AS
/// route target arrives as `RT:4200000001:7` (not `RT:250.86.234.1:7`),
/// and `neighbor IP teardown 4` with graceful restart negotiated is a
/// NOTIFICATION Cease/Administrative Reset that FRR records.
#[test]
fn frr_capabilities_route_target_and_teardown() {
    let Some(mut pair) = Pair::start_with(
        "interop_frr::frr_capabilities_route_target_and_teardown",
        |c| {
            c.replacen(
                " no bgp ebgp-requires-policy",
                " bgp graceful-restart\n no bgp ebgp-requires-policy",
                1,
            )
        },
        |c| c.replacen("family {", FERRO_CAPS, 1),
    ) else {
        return;
    };
    let n = pair
        .show("show bgp neighbors 127.0.0.1 json")
        .expect("neighbor json");
    let caps = &n["127.0.0.1"]["neighborCapabilities"];
    for cap in [
        "routeRefresh",
        "enhancedRouteRefresh",
        "extendedMessage",
        "gracefulRestart",
        "4byteAs",
    ] {
        // routeRefresh: "advertisedAndReceivedNew" (code 2, not Cisco's 128)
        assert!(
            caps[cap]
                .as_str()
                .is_some_and(|v| v.starts_with("advertisedAndReceived")),
            "{cap}: {caps:#}"
        );
    }
    pair.ferro.command(
        "announce route 203.0.113.0/24 next-hop 10.0.0.1 extended-community [ target:4200000001:7 target:65000:5 ]",
    );
    let p = pair.wait("bgpd learns the API route", |p| {
        p.paths("ipv4", "203.0.113.0/24")
    });
    assert_eq!(
        p[0]["extendedCommunity"]["string"], "RT:65000:5 RT:4200000001:7",
        "{:#}",
        p[0]
    );
    let cease = |p: &mut Pair, mark: usize| {
        let logged = p.daemon.log_text()[mark..].contains("6/4 (Cease/Administrative Reset)");
        logged
            || p.show("show bgp neighbors 127.0.0.1 json")
                .is_some_and(|n| n.to_string().contains("Administrative Reset"))
    };
    let mark = pair.daemon.log_text().len();
    pair.ferro.command("neighbor 127.0.0.4 teardown 4");
    // We reconnect at once after a teardown (as ExaBGP), once bgpd closed
    // the old connection: the reset reason `show bgp neighbors` records may
    // already be the next session's by the time it is read, so bgpd's log
    // of the NOTIFICATION counts too (bgp log-neighbor-changes in
    // qa/interop/frr-bgpd.conf).
    pair.wait("bgpd records the Cease 6/4", |p| {
        cease(p, mark).then_some(())
    });
}
