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
const BGPD_CONF_IPV6: &str = include_str!("../../../qa/interop/frr-bgpd-ipv6.conf");
const FERRO_CONF_IPV6: &str = include_str!("../../../qa/interop/ferrobgp-frr-ipv6.conf");
/// FRR's bgpd (not in PATH; OpenBGPD's `bgpd` may be).
const FRR_BGPD: &str = "/usr/lib/frr/bgpd";

struct Pair {
    work: Workdir,
    vtysh: PathBuf,
    daemon: Proc,
    ferro: Ferro,
    /// ferrobgp's address, as bgpd names the neighbor.
    us: String,
    /// bgpd's configuration file, listen address and port (to start it
    /// again).
    conf: PathBuf,
    listen: String,
    port: u16,
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
        Pair::start_on(
            test,
            "127.0.0.4",
            "127.0.0.1",
            &bgpd(BGPD_CONF),
            &ferro(FERRO_CONF.to_string()),
        )
    }

    /// bgpd listening on `listen` with `bgpd_conf`, ferrobgp on
    /// `ferro_conf` (`@PORT@` replaced in both), and the wait until bgpd
    /// has its neighbor `us` (ferrobgp's address) Established.
    fn start_on(
        test: &str,
        listen: &str,
        us: &str,
        bgpd_conf: &str,
        ferro_conf: &str,
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
        let port = free_port(listen);
        let conf = work.write(
            "bgpd.conf",
            &bgpd_conf.replace("@PORT@", &port.to_string()),
            false,
        );
        let daemon = spawn_bgpd(&work, &conf, listen, port, &[]);
        let ferro = Ferro::start(&work, &ferro_conf.replace("@PORT@", &port.to_string()));
        let mut pair = Pair {
            work,
            vtysh,
            daemon,
            ferro,
            us: us.to_string(),
            conf,
            listen: listen.to_string(),
            port,
        };
        pair.wait("bgpd sees the session Established", |p| {
            (p.neighbor()?["bgpState"] == "Established").then_some(())
        });
        Some(pair)
    }

    /// bgpd's `show bgp neighbors US json` for ferrobgp.
    fn neighbor(&self) -> Option<serde_json::Value> {
        let v = self.show(&format!("show bgp neighbors {} json", self.us))?;
        v.get(&self.us).cloned()
    }

    /// One counter of the neighbor's `messageStats` (0 when unknown).
    fn stat(&self, name: &str) -> u64 {
        self.neighbor()
            .and_then(|n| n["messageStats"][name].as_u64())
            .unwrap_or(0)
    }

    /// `vtysh -c CMD` on our bgpd, as text.
    fn text(&self, cmd: &str) -> Option<String> {
        run_client(
            Command::new(&self.vtysh)
                .arg("--vty_socket")
                .arg(self.work.path("rw"))
                .args(["-d", "bgpd", "-c", cmd]),
        )
    }

    /// `vtysh -c CMD` on our bgpd, parsed as JSON.
    fn show(&self, cmd: &str) -> Option<serde_json::Value> {
        serde_json::from_str(&self.text(cmd)?).ok()
    }

    /// bgpd's paths for `prefix` in `afi` (`ipv4`/`ipv6`), when it has any.
    fn paths(&self, afi: &str, prefix: &str) -> Option<Vec<serde_json::Value>> {
        let v = self.show(&format!("show bgp {afi} unicast {prefix} json"))?;
        let paths = v["paths"].as_array()?.clone();
        (!paths.is_empty()).then_some(paths)
    }
}

/// Starts FRR's bgpd on `conf`, listening on `listen`:`port`, its vty
/// socket and pid file in `work`'s `rw`, with `extra` options.
fn spawn_bgpd(
    work: &Workdir,
    conf: &std::path::Path,
    listen: &str,
    port: u16,
    extra: &[&str],
) -> Proc {
    let rw = work.path("rw");
    let mut cmd = unprivileged(std::path::Path::new(FRR_BGPD));
    // -Z no zebra, -n no kernel, -S no user switch (we already are
    // unprivileged, or an ordinary user), -P 0 no TCP vty.
    cmd.arg("-f")
        .arg(conf)
        .args(["-Z", "-S", "-n", "-l", listen, "-p", &port.to_string()])
        .args(["-P", "0", "--log", "stdout"])
        .arg("--vty_socket")
        .arg(&rw)
        .arg("-i")
        .arg(rw.join("bgpd.pid"))
        .args(extra);
    Proc::spawn(cmd, work.path("bgpd.log"))
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

    // SIGTERM: the session ends with Cease 6/2 "Administrative Shutdown"
    // (README "Session endings"), bgpd drops our routes at once.
    sigterm_cease(&mut pair);
}

/// SIGTERM to ferrobgp: it exits, bgpd logs the NOTIFICATION 6/2 and has
/// none of our routes left.
fn sigterm_cease(pair: &mut Pair) {
    let mark = pair.daemon.log_text().len();
    assert!(
        pair.ferro.terminate(),
        "ferrobgp did not exit on SIGTERM\n{}",
        pair.context()
    );
    let logged = poll("bgpd logs the Cease 6/2", || {
        pair.daemon.log_text()[mark..]
            .contains("received from neighbor 127.0.0.1 6/2 (Cease/Administrative Shutdown)")
            .then_some(())
    });
    assert!(logged.is_some(), "no Cease 6/2 logged\n{}", pair.context());
    let gone = poll("bgpd drops our routes", || {
        pair.paths("ipv4", "192.0.2.0/24").is_none().then_some(())
    });
    assert!(
        gone.is_some(),
        "route kept after the Cease\n{}",
        pair.context()
    );
}

/// ferrobgp's FlowSpec rule for the FRR test (RFC 8955: destination,
/// source, protocol, destination port; discard is traffic-rate 0).
const FERRO_FLOW: &str = "\tflow {
\t\troute block-web {
\t\t\tmatch {
\t\t\t\tdestination 198.51.100.1/32;
\t\t\t\tsource 10.1.0.0/16;
\t\t\t\tprotocol tcp;
\t\t\t\tdestination-port =80;
\t\t\t}
\t\t\tthen {
\t\t\t\tdiscard;
\t\t\t}
\t\t}
\t}
\tstatic {";

/// Route refresh both ways (RFC 2918 / RFC 7313), FlowSpec from us, and an
/// UPDATE larger than 4,096 octets (RFC 8654) both ways, in one session
/// with route refresh and graceful restart configured:
/// - `clear bgp ipv4 unicast 127.0.0.1 soft in` makes bgpd send a
///   ROUTE-REFRESH: the helper sees the `query`, bgpd counts our BoRR and
///   EoRR and one more UPDATE (our Adj-RIB-Out again);
/// - the helper's `announce route-refresh ipv4 unicast` makes bgpd resend
///   its routes between BoRR and EoRR, which the helper sees;
/// - our FlowSpec rule is in `show bgp ipv4 flowspec` as we meant it;
/// - a route with 1,200 communities (4,800 octets of COMMUNITIES) reaches
///   bgpd whole, and bgpd's copy of it (reflected back, 65004 prepended)
///   reaches the helper whole, the session staying up.
#[test]
fn frr_route_refresh_flowspec_and_extended_message() {
    let Some(mut pair) = Pair::start_with(
        "interop_frr::frr_route_refresh_flowspec_and_extended_message",
        |c| {
            c.replacen(
                " no bgp ebgp-requires-policy",
                " bgp graceful-restart\n no bgp ebgp-requires-policy",
                1,
            ) + "router bgp 65004\n address-family ipv4 flowspec\n  neighbor 127.0.0.1 activate\n exit-address-family\n"
        },
        |c| {
            c.replacen("family {", FERRO_CAPS, 1)
                .replacen("family {", "family {\n\t\tipv4 flow;", 1)
                .replacen("\tstatic {", FERRO_FLOW, 1)
                .replacen(
                    "receive { parsed; update; }",
                    "receive { parsed; update; refresh; }",
                    1,
                )
        },
    ) else {
        return;
    };
    pair.wait("bgpd learns the IPv4 static route", |p| {
        p.paths("ipv4", "192.0.2.0/24")
    });
    pair.wait_events("the helper receives bgpd's route", |ev| {
        from_frr(ev, "10.50.0.0/24").is_some()
    });

    // FlowSpec, as bgpd decoded it
    let rule = pair.wait("bgpd has our FlowSpec rule", |p| {
        let v = p.show("show bgp ipv4 flowspec json")?;
        let routes = v["routes"].as_object()?.clone();
        routes.values().next()?.as_array()?.first().cloned()
    });
    assert_eq!(rule["to"], "198.51.100.1/32", "{rule:#}");
    assert_eq!(rule["from"], "10.1.0.0/16", "{rule:#}");
    assert_eq!(rule["proto"], "= 6 ", "{rule:#}");
    assert_eq!(rule["dstp"], "= 80 ", "{rule:#}");
    assert_eq!(rule["path"], "65001", "{rule:#}");
    let detail = pair
        .text("show bgp ipv4 flowspec detail")
        .unwrap_or_default();
    // discard is traffic-rate 0 (RFC 8955 7.3)
    assert!(detail.contains("FS:rate 0.000000"), "{detail}");

    // bgpd asks, we answer with BoRR, our Adj-RIB-Out, EoRR
    let (rr_in, upd_in) = (pair.stat("routeRefreshRecv"), pair.stat("updatesRecv"));
    pair.text("clear bgp ipv4 unicast 127.0.0.1 soft in")
        .expect("clear soft in");
    pair.wait("the helper sees bgpd's ROUTE-REFRESH", |p| {
        (count_refresh(&p.ferro.events(), "ipv4 unicast", "query") >= 1).then_some(())
    });
    pair.wait("bgpd receives BoRR, our routes again, EoRR", |p| {
        (p.stat("routeRefreshRecv") >= rr_in + 2 && p.stat("updatesRecv") > upd_in).then_some(())
    });

    // we ask, bgpd resends between BoRR and EoRR
    let before = pair.ferro.events();
    let n = announced(&updates(&before))
        .iter()
        .filter(|a| a.prefix() == Some("10.50.0.0/24") && a.as_path() == vec![65004])
        .count();
    pair.ferro
        .command("neighbor 127.0.0.4 announce route-refresh ipv4 unicast");
    let ev = pair.wait_events("bgpd resends its routes", |ev| {
        let again = announced(&updates(ev))
            .iter()
            .filter(|a| a.prefix() == Some("10.50.0.0/24") && a.as_path() == vec![65004])
            .count();
        again > n && count_refresh(ev, "ipv4 unicast", "end") >= 1
    });
    assert!(
        count_refresh(&ev, "ipv4 unicast", "begin") >= 1,
        "{:?}",
        refreshes(&ev)
    );

    // an UPDATE of more than 4,096 octets, both ways
    pair.ferro.command(&announce_many_communities(
        "203.0.113.64/26",
        "10.0.0.1",
        1200,
    ));
    let p = pair.wait("bgpd learns the 1,200-community route", |p| {
        p.paths("ipv4", "203.0.113.64/26")
    });
    // (bgpd clips the `string` form; `list` has every community)
    let got = p[0]["community"]["list"].as_array().map(Vec::len);
    assert_eq!(got, Some(1200), "{:#}", p[0]["community"]["list"]);
    let ev = pair.wait_events("bgpd's copy of the large route reaches the helper", |ev| {
        announced(&updates(ev))
            .iter()
            .any(|a| a.prefix() == Some("203.0.113.64/26") && a.as_path() == vec![65004, 65001])
    });
    let back = announced(&updates(&ev))
        .into_iter()
        .find(|a| a.prefix() == Some("203.0.113.64/26"))
        .expect("large route");
    assert_eq!(
        back.attributes["community"].as_array().map(Vec::len),
        Some(1200),
        "{back:?}"
    );
    let n = pair.neighbor().expect("neighbor");
    assert_eq!(n["bgpState"], "Established", "{n:#}");
    assert_eq!(n["messageStats"]["notificationsRecv"], 0, "{n:#}");
    assert_eq!(n["messageStats"]["notificationsSent"], 0, "{n:#}");
}

/// Without extended message on our side (`extended-message disable`),
/// bgpd's OPEN still offers it but nothing above 4,096 octets may go
/// either way: our 1,200-community route is refused by ferrobgp (logged
/// "attributes too large for one UPDATE", as ExaBGP 5.0.15 logs "attributes
/// size is so large we can not even pack one NLRI"), bgpd never sees it,
/// the session stays up and the next route goes through.
#[test]
fn frr_without_extended_message() {
    let Some(mut pair) = Pair::start_with(
        "interop_frr::frr_without_extended_message",
        |c| c.to_string(),
        |c| {
            c.replacen(
                "family {",
                "capability {\n\t\textended-message disable;\n\t}\n\tfamily {",
                1,
            )
        },
    ) else {
        return;
    };
    let n = pair.neighbor().expect("neighbor");
    assert_eq!(
        n["neighborCapabilities"]["extendedMessage"], "advertised",
        "{n:#}"
    );
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
    pair.wait("bgpd learns the next route", |p| {
        p.paths("ipv4", "203.0.113.0/24")
    });
    assert!(
        pair.paths("ipv4", "203.0.113.64/26").is_none(),
        "{}",
        pair.context()
    );
    let n = pair.neighbor().expect("neighbor");
    assert_eq!(n["bgpState"], "Established", "{n:#}");
    assert_eq!(n["messageStats"]["notificationsRecv"], 0, "{n:#}");
    assert_eq!(n["messageStats"]["opensRecv"], 1, "{n:#}");
}

/// The session over IPv6 transport (both ends on ::1): IPv4 and IPv6
/// unicast both ways over it, with their next hops: ours as configured
/// (10.0.0.1 in NEXT_HOP, 2001:db8::1 in MP_REACH_NLRI), bgpd's IPv6 route
/// with its session address ::1, its IPv4 route with the route-map's
/// 10.0.0.4.
#[test]
fn frr_ipv6_transport() {
    let Some(mut pair) = Pair::start_on(
        "interop_frr::frr_ipv6_transport",
        "::1",
        "::1",
        BGPD_CONF_IPV6,
        FERRO_CONF_IPV6,
    ) else {
        return;
    };
    let n = pair.neighbor().expect("neighbor");
    assert_eq!(n["hostLocal"], "::1", "{n:#}");
    let fams = n["neighborCapabilities"]["multiprotocolExtensions"].to_string();
    assert!(
        fams.contains("ipv4Unicast") && fams.contains("ipv6Unicast"),
        "{n:#}"
    );
    let p4 = pair.wait("bgpd learns our IPv4 route", |p| {
        p.paths("ipv4", "192.0.2.0/24")
    });
    assert_eq!(p4[0]["nexthops"][0]["ip"], "10.0.0.1", "{:#}", p4[0]);
    assert_eq!(p4[0]["metric"], 10, "{:#}", p4[0]);
    assert_eq!(p4[0]["community"]["string"], "65001:1", "{:#}", p4[0]);
    let p6 = pair.wait("bgpd learns our IPv6 route", |p| {
        p.paths("ipv6", "2001:db8:100::/48")
    });
    assert_eq!(p6[0]["nexthops"][0]["ip"], "2001:db8::1", "{:#}", p6[0]);
    assert_eq!(p6[0]["metric"], 20, "{:#}", p6[0]);

    let ev = pair.wait_events("the helper receives bgpd's routes", |ev| {
        from_frr(ev, "10.50.0.0/24").is_some() && from_frr(ev, "2001:db8:50::/48").is_some()
    });
    let a = from_frr(&ev, "10.50.0.0/24").expect("ipv4");
    assert_eq!(a.family, "ipv4 unicast", "{a:?}");
    assert_eq!(a.next_hop, "10.0.0.4", "{a:?}");
    assert_eq!(a.attributes["med"], 11, "{a:?}");
    let a = from_frr(&ev, "2001:db8:50::/48").expect("ipv6");
    assert_eq!(a.family, "ipv6 unicast", "{a:?}");
    assert_eq!(a.next_hop, "::1", "{a:?}");
    let ev = pair.ferro.events();
    let peer = ev
        .iter()
        .find(|e| e["type"] == "update")
        .map(|e| e["neighbor"]["address"].clone())
        .unwrap_or_default();
    assert_eq!(peer["peer"], "::1", "{peer}");
    assert_eq!(peer["local"], "::1", "{peer}");
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

/// ADD-PATH (RFC 7911) with bgpd's `addpath-tx-all-paths`: bgpd reports
/// ADD-PATH send and receive negotiated for IPv4 and IPv6 unicast; our two paths of
/// 203.0.113.0/24 (path IDs 1 and 2, MED 1 and 2) are two paths in bgpd,
/// each with its received path ID; withdrawing path 1 leaves the MED 2
/// path; bgpd's routes reach the helper with a non-zero
/// `path-information`, bgpd sends our two paths back (65004 prepended) as
/// two paths with distinct non-zero IDs, and withdraws one of them, by its
/// ID, when we withdraw path 1.
#[test]
fn frr_add_path_both_ways() {
    let Some(mut pair) = Pair::start_with(
        "interop_frr::frr_add_path_both_ways",
        |c| {
            c.replacen(
                "  neighbor 127.0.0.1 activate\n",
                "  neighbor 127.0.0.1 activate\n  neighbor 127.0.0.1 addpath-tx-all-paths\n",
                1,
            )
        },
        |c| {
            c.replacen(
                "family {",
                "capability {\n\t\tadd-path send/receive;\n\t}\n\tfamily {",
                1,
            )
        },
    ) else {
        return;
    };
    let n = pair.neighbor().expect("bgpd's neighbor");
    for afi in ["ipv4Unicast", "ipv6Unicast"] {
        let ap = &n["neighborCapabilities"]["addPath"][afi];
        assert_eq!(ap["txAdvertisedAndReceived"], true, "{afi}: {n:#}");
        assert_eq!(ap["rxAdvertisedAndReceived"], true, "{afi}: {n:#}");
    }

    for (id, med) in [(1, 1), (2, 2)] {
        pair.ferro.command(&format!(
            "announce route 203.0.113.0/24 path-information 0.0.0.{id} next-hop 10.0.0.1 med {med}"
        ));
    }
    let ids = |paths: &[serde_json::Value]| -> Vec<(u64, u64)> {
        let mut v: Vec<(u64, u64)> = paths
            .iter()
            .map(|p| {
                (
                    p["addpathRxId"].as_u64().unwrap_or(0),
                    p["metric"].as_u64().unwrap_or(0),
                )
            })
            .collect();
        v.sort();
        v
    };
    let paths = pair.wait("bgpd has both paths", |p| {
        p.paths("ipv4", "203.0.113.0/24").filter(|v| v.len() == 2)
    });
    assert_eq!(ids(&paths), [(1, 1), (2, 2)], "{paths:#?}");

    // bgpd -> ferrobgp: its own route and, with tx-all-paths, both of ours
    // sent back (65004 prepended), each with its own path ID.
    let reflected = |ev: &[serde_json::Value]| -> Vec<String> {
        let mut v: Vec<String> = announced(&updates(ev))
            .into_iter()
            .filter(|a| a.prefix() == Some("203.0.113.0/24") && a.as_path() == vec![65004, 65001])
            .filter_map(|a| a.nlri["path-information"].as_str().map(str::to_string))
            .collect();
        v.sort();
        v.dedup();
        v
    };
    let ev = pair.wait_events("the helper receives bgpd's paths", |ev| {
        from_frr(ev, "10.50.0.0/24").is_some() && reflected(ev).len() == 2
    });
    let a = from_frr(&ev, "10.50.0.0/24").expect("ipv4");
    let id = a.nlri["path-information"].as_str().unwrap_or_default();
    assert!(!id.is_empty() && id != "0.0.0.0", "no path ID: {a:?}");
    let sent_back = reflected(&ev);
    assert!(!sent_back.contains(&"0.0.0.0".to_string()), "{sent_back:?}");

    // withdrawing path 1 leaves path 2 in bgpd, which withdraws one of the
    // two paths it sent us, by its path ID
    pair.ferro
        .command("withdraw route 203.0.113.0/24 path-information 0.0.0.1 next-hop 10.0.0.1");
    let paths = pair.wait("bgpd keeps only path 2", |p| {
        p.paths("ipv4", "203.0.113.0/24").filter(|v| v.len() == 1)
    });
    assert_eq!(ids(&paths), [(2, 2)], "{paths:#?}");
    let ev = pair.wait_events("bgpd withdraws one path from the helper", |ev| {
        updates(ev).iter().any(|u| {
            u["withdraw"]["ipv4 unicast"]
                .as_array()
                .is_some_and(|l| l.iter().any(|n| n["nlri"] == "203.0.113.0/24"))
        })
    });
    let gone: Vec<String> = updates(&ev)
        .iter()
        .filter_map(|u| u["withdraw"]["ipv4 unicast"].as_array().cloned())
        .flatten()
        .filter(|n| n["nlri"] == "203.0.113.0/24")
        .filter_map(|n| n["path-information"].as_str().map(str::to_string))
        .collect();
    assert_eq!(gone.len(), 1, "{gone:?}");
    assert!(
        sent_back.contains(&gone[0]),
        "{gone:?} not in {sent_back:?}"
    );
}

/// Graceful restart, receiving side (RFC 4724 4.2), with bgpd as the
/// restarting speaker (`bgp graceful-restart`, restart time 8 s,
/// `preserve-fw-state`: the Forwarding State bit) and ferrobgp configured
/// with graceful restart:
/// - bgpd is killed (SIGKILL: the connection closes with no NOTIFICATION):
///   the helper gets `down` and `show adj-rib in` still has bgpd's routes
///   (stale);
/// - bgpd comes back without 10.51.0.0/24: after its End-of-RIB the
///   Adj-RIB-In has 10.50.0.0/24 and 2001:db8:50::/48 again and not
///   10.51.0.0/24 (ferrobgp logs the stale route it dropped), no
///   withdrawal is made up for the helper, and bgpd has our routes again;
/// - bgpd is killed again and stays away: its routes are stale until the
///   restart time is over, then gone.
#[test]
fn frr_graceful_restart_receiving_side() {
    let Some(mut pair) = Pair::start_with(
        "interop_frr::frr_graceful_restart_receiving_side",
        |c| {
            c.replacen(
                " no bgp ebgp-requires-policy",
                " bgp graceful-restart\n bgp graceful-restart restart-time 8\n bgp graceful-restart preserve-fw-state\n no bgp ebgp-requires-policy",
                1,
            )
            // no route-map here: bgpd 8.4 (without zebra) sends a
            // route-mapped `network` about 2 s after its End-of-RIB when it
            // comes back, and that End-of-RIB rightly sweeps it as stale
            .replacen(
                "  network 10.50.0.0/24 route-map tag4\n",
                "  network 10.50.0.0/24\n  network 10.51.0.0/24\n",
                1,
            )
        },
        |c| {
            c.replacen(
                "family {",
                "capability {\n\t\tgraceful-restart 120;\n\t}\n\tfamily {",
                1,
            )
        },
    ) else {
        return;
    };
    let n = pair.neighbor().expect("bgpd's neighbor");
    let caps = &n["neighborCapabilities"];
    assert_eq!(caps["gracefulRestart"], "advertisedAndReceived", "{n:#}");
    let gr = &n["gracefulRestartInfo"];
    assert_eq!(gr["ipv4Unicast"]["fBit"], true, "{n:#}");
    assert_eq!(gr["timers"]["configuredRestartTimer"], 8, "{n:#}");
    pair.wait_events("bgpd's routes and End-of-RIB", |ev| {
        from_frr(ev, "10.50.0.0/24").is_some()
            && from_frr(ev, "10.51.0.0/24").is_some()
            && from_frr(ev, "2001:db8:50::/48").is_some()
            && eors(ev).iter().any(|e| e == "ipv4 unicast")
    });
    let ours = ["10.50.0.0/24", "10.51.0.0/24", "2001:db8:50::/48"];
    let rib = pair.ferro.adj_rib_in().expect("show adj-rib in");
    assert!(ours.iter().all(|p| holds(&rib, p)), "{rib:#?}");

    // bgpd dies (no NOTIFICATION): its routes stay, stale
    crash_child(&mut pair.daemon.child);
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
    assert!(
        ours.iter().all(|p| holds(&rib, p)),
        "stale routes dropped at once: {rib:#?}\n{}",
        pair.context()
    );

    // back without 10.51.0.0/24 (Forwarding State bit set): its End-of-RIB
    // drops the stale route
    let conf = std::fs::read_to_string(&pair.conf).expect("bgpd.conf");
    std::fs::write(&pair.conf, conf.replacen("  network 10.51.0.0/24\n", "", 1))
        .expect("write bgpd.conf");
    pair.daemon = spawn_bgpd(&pair.work, &pair.conf, &pair.listen, pair.port, &[]);
    pair.wait("bgpd sees the session Established again", |p| {
        (p.neighbor()?["bgpState"] == "Established").then_some(())
    });
    let ferro_log = pair.ferro.log.clone();
    let swept = poll("the stale route dropped at End-of-RIB", || {
        let log = std::fs::read_to_string(&ferro_log).unwrap_or_default();
        log.contains("End-of-RIB: 1 stale route(s) withdrawn")
            .then_some(())
    });
    assert!(swept.is_some(), "{}", pair.context());
    let rib = pair.wait("the Adj-RIB-In without 10.51.0.0/24", |p| {
        let rib = p.ferro.adj_rib_in()?;
        (holds(&rib, "10.50.0.0/24") && holds(&rib, "2001:db8:50::/48")).then_some(rib)
    });
    assert!(!holds(&rib, "10.51.0.0/24"), "{rib:#?}");
    // we reconnected and sent ours again
    let p4 = pair.wait("bgpd has our IPv4 route again", |p| {
        p.paths("ipv4", "192.0.2.0/24")
    });
    assert_eq!(p4[0]["metric"], 10, "{:#}", p4[0]);
    pair.wait("bgpd has our IPv6 route again", |p| {
        p.paths("ipv6", "2001:db8:100::/48")
    });
    let ev = pair.ferro.events();
    assert!(
        !withdrawn(&updates(&ev))
            .iter()
            .any(|(_, p)| p == "10.51.0.0/24"),
        "a withdrawal was made up for the helper\n{}",
        pair.context()
    );

    // bgpd goes and stays away: stale until the restart time (8 s) is over
    crash_child(&mut pair.daemon.child);
    let ferro = &mut pair.ferro;
    let downs = poll("a second `down`", || {
        ferro.assert_running();
        (states(&ferro.events())
            .iter()
            .filter(|s| *s == "down")
            .count()
            >= 2)
            .then_some(())
    });
    assert!(downs.is_some(), "{}", pair.context());
    let rib = pair.ferro.adj_rib_in().expect("show adj-rib in");
    assert!(holds(&rib, "10.50.0.0/24"), "{rib:#?}");
    let expired = poll("the restart time ends the stale routes", || {
        let log = std::fs::read_to_string(&ferro_log).unwrap_or_default();
        log.contains("restart time over").then_some(())
    });
    assert!(expired.is_some(), "{}", pair.context());
    let rib = pair.ferro.adj_rib_in().expect("show adj-rib in");
    assert!(rib.iter().all(|l| !l.contains("unicast")), "{rib:#?}");
}

/// Graceful restart, we restart on purpose (RFC 4724, `neighbor IP
/// restart`), with `bgp graceful-restart` in bgpd: bgpd logs the session
/// down as "NSF peer closed the session" (kept, not flushed), our route is
/// in bgpd at every poll until our End-of-RIB of the new session, bgpd got
/// a second OPEN and no NOTIFICATION, and the route is no longer stale.
#[test]
fn frr_graceful_restart_we_restart() {
    let Some(mut pair) = Pair::start_with(
        "interop_frr::frr_graceful_restart_we_restart",
        |c| {
            c.replacen(
                " no bgp ebgp-requires-policy",
                " bgp graceful-restart\n no bgp ebgp-requires-policy",
                1,
            )
        },
        |c| {
            c.replacen(
                "family {",
                "capability {\n\t\tgraceful-restart 120;\n\t}\n\tfamily {",
                1,
            )
        },
    ) else {
        return;
    };
    pair.wait("bgpd learns the IPv4 static route", |p| {
        p.paths("ipv4", "192.0.2.0/24")
    });
    let mark = pair.daemon.log_text().len();
    pair.ferro.command("neighbor 127.0.0.4 restart");
    // our route stays in bgpd through the restart, until our End-of-RIB of
    // the new session (polled every 100 ms: never missing)
    let deadline = std::time::Instant::now() + LONG;
    loop {
        pair.ferro.assert_running();
        assert!(
            pair.paths("ipv4", "192.0.2.0/24").is_some(),
            "our route left bgpd during the restart\n{}",
            pair.context()
        );
        let log = pair.daemon.log_text();
        let new = &log[mark..];
        if new.contains("Up") && new.contains("rcvd End-of-RIB for IPv4 Unicast") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no End-of-RIB after the restart\n{}",
            pair.context()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let log = pair.daemon.log_text();
    assert!(
        log[mark..].contains("Down NSF peer closed the session"),
        "{log}"
    );
    let n = pair.neighbor().expect("neighbor");
    assert_eq!(n["messageStats"]["opensRecv"], 2, "{n:#}");
    assert_eq!(n["messageStats"]["notificationsRecv"], 0, "{n:#}");
    let p = pair.paths("ipv4", "192.0.2.0/24").expect("route");
    assert_eq!(p[0]["metric"], 10, "{:#}", p[0]);
    assert!(p[0].get("stale").is_none(), "{:#}", p[0]);
}

/// A peer that resets the session on every UPDATE is paced by our
/// back-off: bgpd takes a 127.0.0.0/8 next hop for a martian and resets
/// the session, and our Adj-RIB-Out sends the route again on every new
/// session. The delay before each reconnect goes on growing (1, 2, 3 ...
/// s) instead of going back to 0 (README "Reconnecting"), so bgpd gets a
/// handful of sessions in nine seconds, not a tight loop.
#[test]
fn frr_resetting_peer_is_paced_by_the_back_off() {
    let Some(mut pair) = Pair::start("interop_frr::frr_resetting_peer_is_paced_by_the_back_off")
    else {
        return;
    };
    pair.ferro
        .command("announce route 198.51.100.0/24 next-hop 127.0.0.9");
    std::thread::sleep(std::time::Duration::from_secs(9));
    let events = pair.ferro.events();
    let times = |state: &str| -> Vec<f64> {
        events
            .iter()
            .filter(|e| e["type"] == "state" && e["neighbor"]["state"] == state)
            .filter_map(|e| e["time"].as_f64())
            .collect()
    };
    let (downs, connects) = (times("down"), times("connected"));
    assert!(
        downs.len() >= 2,
        "bgpd did not reset the session on the martian next hop: {:?}\n{}",
        states(&events),
        pair.context()
    );
    assert!(
        downs.len() <= 6,
        "{} sessions reset in 9 s: not paced\n{}",
        downs.len(),
        pair.context()
    );
    // the wait between each reset and the next connection grows
    let mut gaps = Vec::new();
    for d in &downs {
        if let Some(c) = connects.iter().find(|c| *c > d) {
            gaps.push(c - d);
        }
    }
    assert!(gaps.len() >= 2, "{gaps:?}\n{}", pair.context());
    for pair_of in gaps.windows(2) {
        assert!(
            pair_of[0] >= 0.9 && pair_of[1] >= pair_of[0] + 0.5,
            "reconnect delays not growing: {gaps:?}"
        );
    }
}
