//! Interoperability with BIRD 2 (Debian package `bird2`): an eBGP session on
//! loopback between ferrobgp (127.0.0.1, AS 65001) and a BIRD we start
//! (127.0.0.2, AS 65002, passive on a free port), IPv4 and IPv6 unicast
//! both ways, and a BIRD crash and restart. What BIRD learned is read with
//! `birdc show route all`; what ferrobgp learned is the JSON its helper
//! received. Skips (and passes) when `bird`/`birdc` are not installed.
//! Configurations: qa/interop/bird.conf and qa/interop/ferrobgp-bird.conf.

mod interop_common;

use interop_common::*;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

const BIRD_CONF: &str = include_str!("../../../qa/interop/bird.conf");
const FERRO_CONF: &str = include_str!("../../../qa/interop/ferrobgp-bird.conf");
const BIRD_CONF_IPV6: &str = include_str!("../../../qa/interop/bird-ipv6.conf");
const FERRO_CONF_IPV6: &str = include_str!("../../../qa/interop/ferrobgp-bird-ipv6.conf");

/// A BIRD daemon of one test, with its control socket in the workdir.
struct Bird {
    bird: PathBuf,
    birdc: PathBuf,
    conf: PathBuf,
    sock: PathBuf,
    log: PathBuf,
    proc: Option<Proc>,
}

impl Bird {
    fn start(work: &Workdir, bird: PathBuf, birdc: PathBuf, conf: &str) -> Bird {
        let conf = work.write("bird.conf", conf, false);
        let mut b = Bird {
            bird,
            birdc,
            conf,
            sock: work.path("rw/bird.ctl"),
            log: work.path("bird.log"),
            proc: None,
        };
        b.spawn();
        b
    }

    /// Starts (or restarts) the daemon and waits for its control socket.
    fn spawn(&mut self) {
        self.spawn_with(&[]);
    }

    /// [`Bird::spawn`] with more options (`-R`: graceful restart recovery).
    fn spawn_with(&mut self, extra: &[&str]) {
        let _ = std::fs::remove_file(&self.sock);
        let mut cmd = unprivileged(&self.bird);
        cmd.args(extra)
            .arg("-f")
            .arg("-c")
            .arg(&self.conf)
            .arg("-s")
            .arg(&self.sock);
        let mut proc = Proc::spawn(cmd, self.log.clone());
        let log = self.log.clone();
        wait_for(
            "BIRD's control socket",
            LONG,
            || {
                proc.assert_running("bird");
                self.birdc(&["show", "status"])
                    .filter(|s| s.contains("Daemon is up"))
            },
            || std::fs::read_to_string(&log).unwrap_or_default(),
        );
        self.proc = Some(proc);
    }

    /// `birdc graceful restart`: BIRD closes its sessions with no
    /// NOTIFICATION (keeping its forwarding state) and exits.
    fn graceful_restart(&mut self) {
        let _ = self.birdc(&["graceful", "restart"]);
        if let Some(mut p) = self.proc.take() {
            let deadline = std::time::Instant::now() + EXIT;
            while std::time::Instant::now() < deadline {
                if let Ok(Some(_)) = p.child.try_wait() {
                    return;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            crash_child(&mut p.child);
        }
    }

    /// Kills BIRD at once (as a crash looks to its peer).
    fn crash(&mut self) {
        if let Some(mut p) = self.proc.take() {
            crash_child(&mut p.child);
        }
    }

    fn birdc(&self, args: &[&str]) -> Option<String> {
        run_client(
            Command::new(&self.birdc)
                .arg("-s")
                .arg(&self.sock)
                .args(args),
        )
    }

    fn log_text(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| format!("--- bird log ---\n{}", String::from_utf8_lossy(&b)))
            .unwrap_or_default()
    }

    fn established(&self) -> bool {
        self.birdc(&["show", "protocols", "ferro"])
            .is_some_and(|s| s.contains("Established"))
    }

    /// The `received` column of the first channel's (ipv4) `Import
    /// updates` in `show protocols all ferro`: UPDATEs' routes from us.
    fn import_updates(&self) -> u64 {
        self.birdc(&["show", "protocols", "all", "ferro"])
            .and_then(|t| {
                t.lines()
                    .find(|l| l.trim_start().starts_with("Import updates:"))
                    .and_then(|l| l.split_whitespace().nth(2))
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(0)
    }

    /// Routes BIRD learned from ferrobgp: prefix -> lines of `show route all`
    /// (the route line, then one line per attribute, trimmed).
    fn routes(&self) -> BTreeMap<String, Vec<String>> {
        let text = self
            .birdc(&["show", "route", "all", "protocol", "ferro"])
            .unwrap_or_default();
        parse_show_route(&text)
    }
}

/// Parses `birdc show route all` output into prefix -> lines.
fn parse_show_route(text: &str) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if line.starts_with("BIRD ") || line.starts_with("Table ") || line.trim().is_empty() {
            continue;
        }
        if !line.starts_with(char::is_whitespace) {
            let prefix = line
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            out.entry(prefix.clone())
                .or_default()
                .push(line.trim().to_string());
            current = Some(prefix);
        } else if let Some(p) = &current {
            out.entry(p.clone())
                .or_default()
                .push(line.trim().to_string());
        }
    }
    out
}

/// Asserts that BIRD's route `prefix` carries every attribute line in `want`.
fn assert_attrs(routes: &BTreeMap<String, Vec<String>>, prefix: &str, want: &[&str]) {
    let lines = routes
        .get(prefix)
        .unwrap_or_else(|| panic!("BIRD has no route {prefix}: {routes:#?}"));
    for w in want {
        assert!(
            lines.iter().any(|l| l == w),
            "BIRD's {prefix} lacks `{w}`: {lines:#?}"
        );
    }
}

/// One test's pair of daemons.
struct Pair {
    work: Workdir,
    bird: Bird,
    ferro: Ferro,
}

impl Pair {
    fn start(test: &str) -> Option<Pair> {
        Pair::start_with(test, |c| c, |c| c)
    }

    /// As [`Pair::start`] with `bird` applied to BIRD's configuration and
    /// `ferro` to ferrobgp's.
    fn start_with(
        test: &str,
        bird: impl Fn(String) -> String,
        ferro: impl Fn(String) -> String,
    ) -> Option<Pair> {
        Pair::start_on(
            test,
            "127.0.0.2",
            &bird(BIRD_CONF.to_string()),
            &ferro(FERRO_CONF.to_string()),
        )
    }

    /// BIRD on `listen` (a free port there) with `bird_conf`, ferrobgp with
    /// `ferro_conf` (`@PORT@` replaced in both); waits for the session.
    fn start_on(test: &str, listen: &str, bird_conf: &str, ferro_conf: &str) -> Option<Pair> {
        let bins = require(test, "bird2", &["bird", "birdc"])?;
        let work = Workdir::new();
        let port = free_port(listen);
        let bird = Bird::start(
            &work,
            bins[0].clone(),
            bins[1].clone(),
            &bird_conf.replace("@PORT@", &port.to_string()),
        );
        let ferro = Ferro::start(&work, &ferro_conf.replace("@PORT@", &port.to_string()));
        let mut pair = Pair { work, bird, ferro };
        pair.wait_established("the first session");
        Some(pair)
    }

    /// A BIRD-side wait: `probe` on BIRD until it gives a value (ferrobgp
    /// must stay up unless `ferro_may_exit`).
    fn wait_bird<T>(
        &mut self,
        what: &str,
        ferro_may_exit: bool,
        probe: impl Fn(&Bird) -> Option<T>,
    ) -> T {
        let (bird, ferro) = (&self.bird, &mut self.ferro);
        let got = poll(what, || {
            if !ferro_may_exit {
                ferro.assert_running();
            }
            probe(bird)
        });
        match got {
            Some(v) => v,
            None => panic!("timed out: {what}\n{}", self.context()),
        }
    }

    fn context(&mut self) -> String {
        format!(
            "--- ferrobgp log ---\n{}\n--- helper received ---\n{}\n{}\n--- workdir {} ---",
            self.ferro.log_text(),
            self.ferro.received_text(),
            self.bird.log_text(),
            self.work.dir.path().display()
        )
    }

    fn wait_established(&mut self, what: &str) {
        let (bird, ferro) = (&self.bird, &mut self.ferro);
        let ok = poll(
            &format!("{what}: BIRD's protocol `ferro` Established"),
            || {
                ferro.assert_running();
                bird.established().then_some(())
            },
        );
        if ok.is_none() {
            panic!("{what}: session never came up\n{}", self.context());
        }
    }

    /// Waits until BIRD's routes from ferrobgp satisfy `pred`.
    fn wait_bird_routes(
        &mut self,
        what: &str,
        pred: impl Fn(&BTreeMap<String, Vec<String>>) -> bool,
    ) -> BTreeMap<String, Vec<String>> {
        let (bird, ferro) = (&self.bird, &mut self.ferro);
        let got = poll(what, || {
            ferro.assert_running();
            let r = bird.routes();
            pred(&r).then_some(r)
        });
        match got {
            Some(r) => r,
            None => {
                let now = self.bird.routes();
                panic!("{what}: BIRD has {now:#?}\n{}", self.context())
            }
        }
    }

    /// Waits until the helper's events satisfy `pred`.
    fn wait_events(
        &mut self,
        what: &str,
        pred: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value> {
        let ferro = &mut self.ferro;
        let got = poll(what, || {
            ferro.assert_running();
            let ev = ferro.events();
            pred(&ev).then_some(ev)
        });
        match got {
            Some(ev) => ev,
            None => panic!("{what}\n{}", self.context()),
        }
    }
}

#[test]
fn bird_ipv4_unicast_both_ways() {
    let Some(mut pair) = Pair::start("interop_bird::bird_ipv4_unicast_both_ways") else {
        return;
    };

    // ferrobgp -> BIRD: the static routes of the configuration.
    let routes = pair.wait_bird_routes("BIRD learns ferrobgp's IPv4 static routes", |r| {
        r.contains_key("192.0.2.0/24") && r.contains_key("198.51.100.0/25")
    });
    assert_attrs(
        &routes,
        "192.0.2.0/24",
        &[
            "BGP.origin: IGP",
            "BGP.as_path: 65001",
            "BGP.next_hop: 127.0.0.1",
            "BGP.med: 10",
            "BGP.community: (65001,1) (65001,2)",
            "BGP.large_community: (65001, 3, 4)",
        ],
    );
    // An explicit AS_PATH is sent as configured (ExaBGP does not prepend).
    assert_attrs(
        &routes,
        "198.51.100.0/25",
        &[
            "BGP.origin: EGP",
            "BGP.as_path: 64500",
            "BGP.next_hop: 127.0.0.1",
        ],
    );
    assert!(
        !routes["198.51.100.0/25"]
            .iter()
            .any(|l| l.starts_with("BGP.med") || l.starts_with("BGP.community")),
        "198.51.100.0/25 got attributes it was not given: {:#?}",
        routes["198.51.100.0/25"]
    );

    // BIRD -> ferrobgp: the helper gets the parsed UPDATE as JSON.
    let ev = pair.wait_events("the helper receives BIRD's IPv4 routes", |ev| {
        find(ev, "10.20.0.0/24").is_some() && find(ev, "10.21.0.0/16").is_some()
    });
    for prefix in ["10.20.0.0/24", "10.21.0.0/16"] {
        let a = find(&ev, prefix).expect("announced");
        assert_eq!(a.family, "ipv4 unicast", "{a:?}");
        assert_eq!(a.next_hop, "127.0.0.2", "{a:?}");
        assert_eq!(a.as_path(), vec![65002], "{a:?}");
        assert_eq!(a.attributes["origin"], "igp", "{a:?}");
        assert_eq!(a.attributes["med"], 5, "{a:?}");
        assert_eq!(
            a.attributes["community"],
            serde_json::json!([[65002, 7]]),
            "{a:?}"
        );
        assert_eq!(
            a.attributes["large-community"],
            serde_json::json!([[65002, 1, 2]]),
            "{a:?}"
        );
    }
    assert!(
        states(&ev).iter().any(|s| s == "up"),
        "no `up` event: {ev:#?}"
    );
    pair.wait_events("End-of-RIB ipv4 unicast from BIRD", |ev| {
        eors(ev).iter().any(|f| f == "ipv4 unicast")
    });

    // API announce and withdraw reach BIRD.
    pair.ferro.command(
        "announce route 203.0.113.0/24 next-hop 127.0.0.1 med 77 community [ 65001:77 no-export ] large-community [ 65001:0:77 ]",
    );
    let routes = pair.wait_bird_routes("BIRD learns the API route", |r| {
        r.contains_key("203.0.113.0/24")
    });
    assert_attrs(
        &routes,
        "203.0.113.0/24",
        &[
            "BGP.med: 77",
            "BGP.community: (65001,77) (65535,65281)",
            "BGP.large_community: (65001, 0, 77)",
        ],
    );
    pair.ferro
        .command("withdraw route 203.0.113.0/24 next-hop 127.0.0.1");
    let routes = pair.wait_bird_routes("BIRD drops the withdrawn API route", |r| {
        !r.contains_key("203.0.113.0/24")
    });
    assert!(
        routes.contains_key("192.0.2.0/24"),
        "the withdrawal took a static route with it: {routes:#?}"
    );
    let ferro = &pair.ferro;
    let done = poll("`done` for both API commands", || {
        (ferro.replies("done") >= 2).then_some(())
    });
    assert!(done.is_some(), "replies missing\n{}", pair.context());
    assert_eq!(pair.ferro.replies("error"), 0, "{}", pair.context());

    // SIGTERM: Cease 6/2 "Administrative Shutdown" (README "Session
    // endings"), BIRD drops our routes at once.
    assert!(
        pair.ferro.terminate(),
        "ferrobgp did not exit on SIGTERM\n{}",
        pair.context()
    );
    pair.wait_bird("BIRD logs the Cease 6/2", true, |b| {
        b.log_text()
            .contains("Received: Administrative shutdown")
            .then_some(())
    });
    pair.wait_bird("BIRD drops our routes", true, |b| {
        b.routes().is_empty().then_some(())
    });
}

#[test]
fn bird_ipv6_unicast_both_ways() {
    let Some(mut pair) = Pair::start("interop_bird::bird_ipv6_unicast_both_ways") else {
        return;
    };

    // ferrobgp -> BIRD, in MP_REACH_NLRI over the IPv4 session.
    let routes = pair.wait_bird_routes("BIRD learns ferrobgp's IPv6 static route", |r| {
        r.contains_key("2001:db8:100::/48")
    });
    assert_attrs(
        &routes,
        "2001:db8:100::/48",
        &[
            "BGP.origin: IGP",
            "BGP.as_path: 65001",
            "BGP.next_hop: 2001:db8::1",
            "BGP.med: 20",
            "BGP.community: (65001,6)",
            "BGP.large_community: (65001, 7, 8)",
        ],
    );

    // BIRD -> ferrobgp.
    let ev = pair.wait_events("the helper receives BIRD's IPv6 route", |ev| {
        find(ev, "2001:db8:20::/48").is_some()
    });
    let a = find(&ev, "2001:db8:20::/48").expect("announced");
    assert_eq!(a.family, "ipv6 unicast", "{a:?}");
    assert_eq!(a.next_hop, "2001:db8::2", "{a:?}");
    assert_eq!(a.as_path(), vec![65002], "{a:?}");
    assert_eq!(a.attributes["med"], 9, "{a:?}");
    assert_eq!(
        a.attributes["community"],
        serde_json::json!([[65002, 8]]),
        "{a:?}"
    );
    pair.wait_events("End-of-RIB ipv6 unicast from BIRD", |ev| {
        eors(ev).iter().any(|f| f == "ipv6 unicast")
    });

    // API announce and withdraw of an IPv6 route.
    pair.ferro.command(
        "announce route 2001:db8:200::/48 next-hop 2001:db8::1 med 66 large-community [ 65001:6:6 ]",
    );
    let routes = pair.wait_bird_routes("BIRD learns the IPv6 API route", |r| {
        r.contains_key("2001:db8:200::/48")
    });
    assert_attrs(
        &routes,
        "2001:db8:200::/48",
        &[
            "BGP.next_hop: 2001:db8::1",
            "BGP.med: 66",
            "BGP.large_community: (65001, 6, 6)",
        ],
    );
    pair.ferro
        .command("withdraw route 2001:db8:200::/48 next-hop 2001:db8::1");
    let routes = pair.wait_bird_routes("BIRD drops the withdrawn IPv6 API route", |r| {
        !r.contains_key("2001:db8:200::/48")
    });
    assert!(routes.contains_key("2001:db8:100::/48"), "{routes:#?}");
}

#[test]
fn bird_restart_ferrobgp_reconnects_and_resends() {
    let Some(mut pair) = Pair::start("interop_bird::bird_restart_ferrobgp_reconnects_and_resends")
    else {
        return;
    };
    pair.wait_bird_routes("BIRD learns the static routes", |r| {
        r.contains_key("192.0.2.0/24") && r.contains_key("2001:db8:100::/48")
    });
    pair.wait_events("the helper receives BIRD's routes", |ev| {
        find(ev, "10.20.0.0/24").is_some()
    });

    // BIRD dies: ferrobgp notices and reports the session down.
    pair.bird.crash();
    pair.wait_events("a `down` event after BIRD died", |ev| {
        states(ev).iter().any(|s| s == "down")
    });

    // A route announced while the peer is away goes into the Adj-RIB-Out.
    pair.ferro
        .command("announce route 203.0.113.0/24 next-hop 127.0.0.1 med 55");

    // BIRD comes back on the same address and port: ferrobgp reconnects and
    // sends everything again, the new route included; BIRD's routes come in
    // a second time.
    pair.bird.spawn();
    pair.wait_established("the session after BIRD's restart");
    let routes = pair.wait_bird_routes("BIRD relearns every route after its restart", |r| {
        [
            "192.0.2.0/24",
            "198.51.100.0/25",
            "2001:db8:100::/48",
            "203.0.113.0/24",
        ]
        .iter()
        .all(|p| r.contains_key(*p))
    });
    assert_attrs(
        &routes,
        "192.0.2.0/24",
        &[
            "BGP.med: 10",
            "BGP.community: (65001,1) (65001,2)",
            "BGP.large_community: (65001, 3, 4)",
        ],
    );
    assert_attrs(&routes, "203.0.113.0/24", &["BGP.med: 55"]);
    let ev = pair.wait_events("BIRD's routes received again", |ev| {
        count_announced(ev, "10.20.0.0/24") >= 2 && count_announced(ev, "2001:db8:20::/48") >= 2
    });
    let st = states(&ev);
    assert!(
        st.iter().filter(|s| *s == "up").count() >= 2,
        "expected two `up` events: {st:?}"
    );
    let first_down = st.iter().position(|s| s == "down").expect("down");
    assert!(
        st[first_down..].iter().any(|s| s == "up"),
        "no `up` after `down`: {st:?}"
    );
}

#[test]
fn split_since_sample() {
    let (state, ms) = split_since("ferro BGP --- up 03:44:39.952 Established");
    assert_eq!(state, "ferro BGP --- up Established");
    assert_eq!(ms, ((3 * 60 + 44) * 60 + 39) * 1000 + 952);
    assert_eq!(split_since("p BGP --- up 00:00:01 Idle").1, 1000);
    assert_eq!(parse_clock("10.20.0.0/24"), None);
    assert_eq!(parse_clock("1:2:3:4"), None);
}

#[test]
fn parse_show_route_sample() {
    let text = "BIRD 2.0.12 ready.\nTable master4:\n192.0.2.0/24         unreachable [ferro 17:15:09.907 from 127.0.0.1] * (100) [AS65001i]\n\tType: BGP univ\n\tBGP.med: 10\n\nTable master6:\n2001:db8:100::/48    unreachable [ferro 17:15:09.907 from 127.0.0.1] * (100) [AS65001i]\n\tBGP.next_hop: 2001:db8::1\n";
    let r = parse_show_route(text);
    assert_eq!(r.len(), 2, "{r:#?}");
    assert_eq!(r["192.0.2.0/24"][2], "BGP.med: 10");
    assert_eq!(r["2001:db8:100::/48"][1], "BGP.next_hop: 2001:db8::1");
}

/// The `Neighbor capabilities` block of `birdc show protocols all ferro`.
fn neighbor_caps(text: &str) -> String {
    let start = text.find("Neighbor capabilities").unwrap_or(text.len());
    let rest = &text[start..];
    let end = rest.find("Session:").unwrap_or(rest.len());
    rest[..end].to_string()
}

/// Issue 12 against BIRD: the configured route refresh (with enhanced
/// refresh) and the default extended message reach our OPEN, so BIRD lists
/// them under `Neighbor capabilities`; route refresh both ways (BIRD's
/// `reload in` gets our routes again, our `announce route-refresh` gets
/// BIRD's between BoRR and EoRR); a
/// 4-octet AS route target arrives as `(rt, 4200000001, 7)`; and
/// `neighbor IP teardown 4` with graceful restart negotiated is a
/// NOTIFICATION BIRD logs as "Administrative reset", not a graceful restart.
#[test]
fn bird_capabilities_route_target_and_teardown() {
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_capabilities_route_target_and_teardown",
        |c| c.replacen("\tpassive on;", "\tpassive on;\n\tgraceful restart on;", 1),
        |c| {
            c.replacen(
                "family {",
                "capability {\n\t\troute-refresh;\n\t\tgraceful-restart 120;\n\t}\n\tfamily {",
                1,
            )
            .replacen(
                "receive { parsed; update; }",
                "receive { parsed; update; refresh; }",
                1,
            )
        },
    ) else {
        return;
    };
    let all = pair
        .bird
        .birdc(&["show", "protocols", "all", "ferro"])
        .unwrap_or_default();
    let caps = neighbor_caps(&all);
    for cap in [
        "Route refresh",
        "Enhanced refresh",
        "Extended message",
        "Graceful restart",
        "4-octet AS numbers",
    ] {
        assert!(caps.contains(cap), "{cap}: {all}");
    }
    // BIRD asks (`reload in`: a ROUTE-REFRESH): the helper sees the query,
    // BIRD receives our routes again (its import counter grows)
    pair.wait_bird("BIRD imported our routes", false, |b| {
        (b.import_updates() >= 2).then_some(())
    });
    let imported = pair.bird.import_updates();
    let reload = pair
        .bird
        .birdc(&["reload", "in", "ferro"])
        .unwrap_or_default();
    assert!(!reload.contains("not supported"), "{reload}");
    pair.wait_events("the helper sees BIRD's ROUTE-REFRESH", |ev| {
        count_refresh(ev, "ipv4 unicast", "query") >= 1
    });
    pair.wait_bird("BIRD receives our routes again", false, |b| {
        (b.import_updates() >= imported + 2).then_some(())
    });
    // we ask (helper `announce route-refresh`): BIRD resends its routes
    // between BoRR and EoRR (enhanced route refresh is negotiated)
    let ev = pair.wait_events("BIRD's routes", |ev| find(ev, "10.20.0.0/24").is_some());
    let n = count_announced(&ev, "10.20.0.0/24");
    pair.ferro
        .command("neighbor 127.0.0.2 announce route-refresh ipv4 unicast");
    let ev = pair.wait_events("BIRD resends its routes", |ev| {
        count_announced(ev, "10.20.0.0/24") > n && count_refresh(ev, "ipv4 unicast", "end") >= 1
    });
    assert!(
        count_refresh(&ev, "ipv4 unicast", "begin") >= 1,
        "{:?}",
        refreshes(&ev)
    );

    pair.ferro.command(
        "announce route 203.0.113.0/24 next-hop 127.0.0.1 extended-community [ target:4200000001:7 target:65000:5 ]",
    );
    let routes = pair.wait_bird_routes("BIRD learns the API route", |r| {
        r.contains_key("203.0.113.0/24")
    });
    assert_attrs(
        &routes,
        "203.0.113.0/24",
        &["BGP.ext_community: (rt, 65000, 5) (rt, 4200000001, 7)"],
    );
    pair.ferro.command("neighbor 127.0.0.2 teardown 4");
    let log = pair.bird.log.clone();
    let ok = poll("BIRD logs the Cease 6/4", || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.contains("Received: Administrative reset")
            .then_some(text)
    });
    let text = ok.unwrap_or_else(|| panic!("no Cease 6/4 in BIRD's log\n{}", pair.context()));
    assert!(!text.contains("graceful restart"), "{text}");
}

/// The session over IPv6 transport (both ends on ::1): IPv4 and IPv6
/// unicast both ways over it, with their next hops (ours as configured,
/// BIRD's from its `next hop address`).
#[test]
fn bird_ipv6_transport() {
    let Some(mut pair) = Pair::start_on(
        "interop_bird::bird_ipv6_transport",
        "::1",
        BIRD_CONF_IPV6,
        FERRO_CONF_IPV6,
    ) else {
        return;
    };
    let all = pair
        .bird
        .birdc(&["show", "protocols", "all", "ferro"])
        .unwrap_or_default();
    assert!(all.contains("Neighbor address: ::1"), "{all}");
    assert!(all.contains("Source address:   ::1"), "{all}");
    let caps = neighbor_caps(&all);
    assert!(caps.contains("AF announced: ipv4 ipv6"), "{all}");
    let routes = pair.wait_bird_routes("BIRD learns both routes", |r| {
        r.contains_key("192.0.2.0/24") && r.contains_key("2001:db8:100::/48")
    });
    assert_attrs(
        &routes,
        "192.0.2.0/24",
        &[
            "BGP.next_hop: 127.0.0.1",
            "BGP.med: 10",
            "BGP.community: (65001,1)",
        ],
    );
    assert_attrs(
        &routes,
        "2001:db8:100::/48",
        &[
            "BGP.next_hop: 2001:db8::1",
            "BGP.med: 20",
            "BGP.community: (65001,6)",
        ],
    );
    let ev = pair.wait_events("the helper receives BIRD's routes", |ev| {
        find(ev, "10.20.0.0/24").is_some() && find(ev, "2001:db8:20::/48").is_some()
    });
    let a = find(&ev, "10.20.0.0/24").expect("ipv4");
    assert_eq!(a.family, "ipv4 unicast", "{a:?}");
    assert_eq!(a.next_hop, "10.0.0.2", "{a:?}");
    assert_eq!(a.attributes["med"], 5, "{a:?}");
    let a = find(&ev, "2001:db8:20::/48").expect("ipv6");
    assert_eq!(a.family, "ipv6 unicast", "{a:?}");
    assert_eq!(a.next_hop, "2001:db8::2", "{a:?}");
    assert_eq!(a.attributes["med"], 9, "{a:?}");
}

/// ADD-PATH (RFC 7911) both ways with BIRD (`add paths on` in both
/// channels, `add-path send/receive` on ours): BIRD reports ADD-PATH RX and
/// TX for IPv4 and IPv6; two paths of one prefix announced by the helper
/// with path IDs 1 and 2 are two routes in BIRD, and withdrawing path 1
/// leaves path 2; BIRD's routes reach the helper with their path IDs.
#[test]
fn bird_add_path_both_ways() {
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_add_path_both_ways",
        |c| c.replace("\timport all;", "\timport all;\n\t\tadd paths on;"),
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
    let all = pair
        .bird
        .birdc(&["show", "protocols", "all", "ferro"])
        .unwrap_or_default();
    let caps = neighbor_caps(&all);
    assert!(caps.contains("ADD-PATH"), "{all}");
    assert!(caps.contains("RX: ipv4 ipv6"), "{all}");
    assert!(caps.contains("TX: ipv4 ipv6"), "{all}");

    for (id, med) in [("0.0.0.1", 1), ("0.0.0.2", 2)] {
        pair.ferro.command(&format!(
            "announce route 203.0.113.0/24 path-information {id} next-hop 127.0.0.1 med {med}"
        ));
    }
    let meds = |r: &BTreeMap<String, Vec<String>>| -> Vec<String> {
        r.get("203.0.113.0/24")
            .map(|l| {
                l.iter()
                    .filter(|x| x.starts_with("BGP.med:"))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let routes = pair.wait_bird_routes("BIRD has both paths", |r| meds(r).len() == 2);
    let mut m = meds(&routes);
    m.sort();
    assert_eq!(m, ["BGP.med: 1", "BGP.med: 2"], "{routes:#?}");
    pair.ferro
        .command("withdraw route 203.0.113.0/24 path-information 0.0.0.1 next-hop 127.0.0.1");
    let routes = pair.wait_bird_routes("BIRD keeps only path 2", |r| meds(r).len() == 1);
    assert_eq!(meds(&routes), ["BGP.med: 2"], "{routes:#?}");

    let ev = pair.wait_events("the helper receives BIRD's paths", |ev| {
        find(ev, "10.20.0.0/24").is_some() && find(ev, "2001:db8:20::/48").is_some()
    });
    for p in ["10.20.0.0/24", "10.21.0.0/16", "2001:db8:20::/48"] {
        let a = find(&ev, p).unwrap_or_else(|| panic!("{p} missing"));
        let id = a.nlri["path-information"].as_str().unwrap_or_default();
        assert!(
            !id.is_empty() && id != "0.0.0.0",
            "{p} has no path ID: {a:?}"
        );
    }
}

/// `show adj-rib in` through the helper ([`Ferro::adj_rib_in`]).
fn adj_rib_in(pair: &mut Pair) -> Vec<String> {
    match pair.ferro.adj_rib_in() {
        Some(lines) => lines,
        None => panic!("no answer\n{}", pair.context()),
    }
}

/// Graceful restart, receiving side (RFC 4724 4.2), with BIRD as the
/// restarting speaker (`graceful restart on`, restart time 8 s) and
/// ferrobgp configured with graceful restart:
/// - `birdc graceful restart` (the connection closes with no NOTIFICATION):
///   the helper gets `down`, and `show adj-rib in` still has BIRD's routes
///   (stale);
/// - BIRD comes back (`bird -R`: forwarding state kept) without
///   10.21.0.0/16: after its End-of-RIB the Adj-RIB-In
///   has 10.20.0.0/24 again and not 10.21.0.0/16 (ferrobgp logs the stale
///   route it dropped); no withdrawal is made up for the helper (as ExaBGP
///   5.0.15 tells helpers nothing about stale routes);
/// - BIRD is killed (SIGKILL) and stays away: its routes are stale until
///   the restart time is over, then gone.
#[test]
fn bird_graceful_restart_receiving_side() {
    let gr = |c: String| {
        c.replacen(
            "\tpassive on;",
            "\tpassive on;\n\tgraceful restart on;\n\tgraceful restart time 8;",
            1,
        )
    };
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_graceful_restart_receiving_side",
        gr,
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
    pair.wait_events("BIRD's routes and End-of-RIB", |ev| {
        find(ev, "10.21.0.0/16").is_some() && eors(ev).iter().any(|e| e == "ipv4 unicast")
    });
    let rib = adj_rib_in(&mut pair);
    assert!(
        holds(&rib, "10.20.0.0/24") && holds(&rib, "10.21.0.0/16"),
        "{rib:#?}"
    );

    // BIRD restarts gracefully: its routes stay, stale
    pair.bird.graceful_restart();
    pair.wait_events("`down` after BIRD died", |ev| {
        states(ev).iter().any(|s| s == "down")
    });
    let rib = adj_rib_in(&mut pair);
    assert!(
        holds(&rib, "10.20.0.0/24")
            && holds(&rib, "10.21.0.0/16")
            && holds(&rib, "2001:db8:20::/48"),
        "stale routes dropped at once: {rib:#?}\n{}",
        pair.context()
    );

    // back without 10.21.0.0/16: End-of-RIB drops the stale route
    let conf = std::fs::read_to_string(&pair.bird.conf).expect("bird.conf");
    std::fs::write(
        &pair.bird.conf,
        conf.replacen("\troute 10.21.0.0/16 blackhole;\n", "", 1),
    )
    .expect("write bird.conf");
    // -R: BIRD's new OPEN has the Restart State and Forwarding State bits,
    // so its stale routes wait for its End-of-RIB
    pair.bird.spawn_with(&["-R"]);
    pair.wait_established("the session after BIRD's restart");
    let ferro_log = pair.ferro.log.clone();
    let swept = poll("the stale route dropped at End-of-RIB", || {
        let log = std::fs::read_to_string(&ferro_log).unwrap_or_default();
        log.contains("End-of-RIB: 1 stale route(s) withdrawn")
            .then_some(())
    });
    assert!(swept.is_some(), "{}", pair.context());
    let rib = adj_rib_in(&mut pair);
    assert!(holds(&rib, "10.20.0.0/24"), "{rib:#?}");
    assert!(holds(&rib, "2001:db8:20::/48"), "{rib:#?}");
    assert!(!holds(&rib, "10.21.0.0/16"), "{rib:#?}");
    let ev = pair.ferro.events();
    assert!(
        !withdrawn(&updates(&ev))
            .iter()
            .any(|(_, p)| p == "10.21.0.0/16"),
        "a withdrawal was made up for the helper\n{}",
        pair.context()
    );

    // BIRD goes and stays away: stale until the restart time (8 s) is over
    pair.bird.crash();
    let downs = |ev: &[serde_json::Value]| states(ev).iter().filter(|s| *s == "down").count();
    pair.wait_events("a second `down`", |ev| downs(ev) >= 2);
    let rib = adj_rib_in(&mut pair);
    assert!(holds(&rib, "10.20.0.0/24"), "{rib:#?}");
    let ferro_log = pair.ferro.log.clone();
    let expired = poll("the restart time ends the stale routes", || {
        let log = std::fs::read_to_string(&ferro_log).unwrap_or_default();
        log.contains("restart time over").then_some(())
    });
    assert!(expired.is_some(), "{}", pair.context());
    let rib = adj_rib_in(&mut pair);
    assert!(rib.iter().all(|l| !l.contains("unicast")), "{rib:#?}");
}

/// An UPDATE larger than 4,096 octets both ways with extended message
/// (RFC 8654) negotiated (`enable extended messages on` in BIRD, the
/// default of our capability block): both sides list "Extended message";
/// our route with 1,200 communities (4,800 octets of COMMUNITIES) is in
/// BIRD with all 1,200; BIRD's 10.21.0.0/16, to which its export filter adds
/// 1,200 communities, reaches the helper with all of them; the session
/// stays up (one `up`, no NOTIFICATION in BIRD's log).
#[test]
fn bird_extended_message_both_ways() {
    let many: String = (1..=1200)
        .map(|i| format!("\t\t\t\tbgp_community.add((65002,{i}));\n"))
        .collect();
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_extended_message_both_ways",
        |c| {
            c.replacen(
                "\tpassive on;",
                "\tpassive on;\n\tenable extended messages on;",
                1,
            )
            .replacen(
                "\t\t\tbgp_large_community.add((65002,1,2));\n",
                &format!("\t\t\tbgp_large_community.add((65002,1,2));\n\t\t\tif net = 10.21.0.0/16 then {{\n{many}\t\t\t}}\n"),
                1,
            )
        },
        with_route_refresh,
    ) else {
        return;
    };
    let all = pair
        .bird
        .birdc(&["show", "protocols", "all", "ferro"])
        .unwrap_or_default();
    let caps = neighbor_caps(&all);
    assert!(caps.contains("Extended message"), "{all}");
    let local = &all[all.find("Local capabilities").unwrap_or(0)..];
    assert!(
        local[..local.find("Neighbor capabilities").unwrap_or(0)].contains("Extended message"),
        "{all}"
    );

    // ours: 1,200 communities, BIRD lists all of them (on wrapped lines)
    pair.ferro.command(&announce_many_communities(
        "203.0.113.0/24",
        "127.0.0.1",
        1200,
    ));
    let ours = |r: &BTreeMap<String, Vec<String>>| -> usize {
        r.get("203.0.113.0/24")
            .map(|l| l.iter().map(|x| x.matches("(65001,").count()).sum())
            .unwrap_or(0)
    };
    let routes = pair.wait_bird_routes("BIRD has the 1,200-community route", |r| ours(r) > 0);
    assert_eq!(ours(&routes), 1200, "{routes:#?}");
    let text = routes["203.0.113.0/24"].join(" ");
    assert!(
        text.contains("(65001,1)") && text.contains("(65001,1200)"),
        "{text}"
    );

    // BIRD's: 10.21.0.0/16 with 1,200 communities (65002,7 among them)
    let ev = pair.wait_events("the helper receives BIRD's big route", |ev| {
        find(ev, "10.21.0.0/16").is_some()
    });
    let a = find(&ev, "10.21.0.0/16").expect("10.21.0.0/16");
    let mut got: Vec<(u64, u64)> = a.attributes["community"]
        .as_array()
        .expect("communities")
        .iter()
        .map(|c| (c[0].as_u64().unwrap_or(0), c[1].as_u64().unwrap_or(0)))
        .collect();
    got.sort();
    let want: Vec<(u64, u64)> = (1..=1200).map(|i| (65002, i)).collect();
    assert_eq!(got, want, "{a:?}");
    assert_eq!(
        states(&pair.ferro.events())
            .iter()
            .filter(|s| *s == "up")
            .count(),
        1,
        "{}",
        pair.context()
    );
    let log = pair.bird.log_text();
    assert!(!log.contains("Error:"), "{log}");
}

/// The same 1,200-community route when BIRD does not enable extended
/// messages (its default): BIRD lists our "Extended message" but not its
/// own; ferrobgp refuses the route ("attributes too large for one UPDATE",
/// as 5.0.15 sends nothing), BIRD never has it, the next route reaches
/// BIRD, and the session stays up (one `up`, no error in BIRD's log).
#[test]
fn bird_without_extended_message() {
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_without_extended_message",
        |c| c,
        with_route_refresh,
    ) else {
        return;
    };
    let all = pair
        .bird
        .birdc(&["show", "protocols", "all", "ferro"])
        .unwrap_or_default();
    assert!(neighbor_caps(&all).contains("Extended message"), "{all}");
    let local = &all[all.find("Local capabilities").unwrap_or(0)..];
    assert!(
        !local[..local.find("Neighbor capabilities").unwrap_or(0)].contains("Extended message"),
        "{all}"
    );
    pair.ferro.command(&announce_many_communities(
        "203.0.113.64/26",
        "127.0.0.1",
        1200,
    ));
    let refused = poll("ferrobgp refuses the UPDATE", || {
        pair.ferro
            .log_text()
            .contains("cannot send 203.0.113.64/26: attributes too large for one UPDATE")
            .then_some(())
    });
    assert!(refused.is_some(), "{}", pair.context());
    pair.ferro
        .command("announce route 203.0.113.0/24 next-hop 127.0.0.1 med 3");
    let routes = pair.wait_bird_routes("BIRD learns the next route", |r| {
        r.contains_key("203.0.113.0/24")
    });
    assert!(!routes.contains_key("203.0.113.64/26"), "{routes:#?}");
    assert_eq!(
        states(&pair.ferro.events())
            .iter()
            .filter(|s| *s == "up")
            .count(),
        1,
        "{}",
        pair.context()
    );
    assert!(pair.bird.established(), "{}", pair.context());
    let log = pair.bird.log_text();
    assert!(!log.contains("Error:"), "{log}");
}

/// FlowSpec (RFC 8955/8956) both ways with BIRD's flow4/flow6 tables and
/// channels: our IPv4 rule (destination, source, protocol, destination
/// port; discard) is `flow4 { dst 198.51.100.1/32; src 10.1.0.0/16; proto
/// 6; dport 80; }` in BIRD with traffic-rate 0, our IPv6 rule (destination,
/// next header; rate-limit 1000) `flow6 { dst 2001:db8:99::/48; next header
/// 17; }` with traffic-rate 1000.0 (0x447a0000); BIRD's static flow4 and
/// flow6 rules reach the helper as `ipv4 flow` and `ipv6 flow` with their
/// components and AS path 65002.
#[test]
fn bird_flowspec_both_ways() {
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_flowspec_both_ways",
        |c| {
            c.replacen(
                "protocol device",
                "flow4 table flowtab4;\nflow6 table flowtab6;\n\nprotocol static fs4 {\n\tflow4 { table flowtab4; };\n\troute flow4 { dst 10.40.0.1/32; proto = 17; dport = 53; };\n}\nprotocol static fs6 {\n\tflow6 { table flowtab6; };\n\troute flow6 { dst 2001:db8:40::/48; next header = 6; };\n}\n\nprotocol device",
                1,
            )
            .replacen(
                "\t# IPv6 over the IPv4 session",
                "\tflow4 { table flowtab4; import all; export all; };\n\tflow6 { table flowtab6; import all; export all; };\n\t# IPv6 over the IPv4 session",
                1,
            )
        },
        |c| {
            c.replacen("family {", "family {\n\t\tipv4 flow;\n\t\tipv6 flow;", 1)
                .replacen(
                    "\tstatic {",
                    "\tflow {\n\t\troute block-web {\n\t\t\tmatch {\n\t\t\t\tdestination 198.51.100.1/32;\n\t\t\t\tsource 10.1.0.0/16;\n\t\t\t\tprotocol tcp;\n\t\t\t\tdestination-port =80;\n\t\t\t}\n\t\t\tthen {\n\t\t\t\tdiscard;\n\t\t\t}\n\t\t}\n\t\troute v6 {\n\t\t\tmatch {\n\t\t\t\tdestination 2001:db8:99::/48/0;\n\t\t\t\tnext-header udp;\n\t\t\t}\n\t\t\tthen {\n\t\t\t\trate-limit 1000;\n\t\t\t}\n\t\t}\n\t}\n\tstatic {",
                    1,
                )
        },
    ) else {
        return;
    };
    // ferrobgp -> BIRD, as BIRD decoded it (discard is traffic-rate 0,
    // rate-limit 1000 traffic-rate 1000.0 as an IEEE float)
    let flows = |bird: &Bird, table: &str| -> BTreeMap<String, Vec<String>> {
        parse_show_route(
            &bird
                .birdc(&["show", "route", "table", table, "all"])
                .unwrap_or_default(),
        )
    };
    let wait_flow = |pair: &mut Pair, table: &str, rule: &str| -> Vec<String> {
        let (bird, ferro) = (&pair.bird, &mut pair.ferro);
        let got = poll(&format!("BIRD's {table} has {rule}"), || {
            ferro.assert_running();
            let mut t = flows(bird, table);
            // the key is the first word of the line: `flow4`; find by rule
            t.remove("flow4")
                .into_iter()
                .chain(t.remove("flow6"))
                .flat_map(|l| split_routes(&l))
                .find(|r| r[0].starts_with(rule) && r[0].contains("[ferro"))
        });
        got.unwrap_or_else(|| panic!("{rule} missing\n{}", pair.context()))
    };
    let r = wait_flow(
        &mut pair,
        "flowtab4",
        "flow4 { dst 198.51.100.1/32; src 10.1.0.0/16; proto 6; dport 80; }",
    );
    assert!(r.contains(&"BGP.as_path: 65001".to_string()), "{r:#?}");
    assert!(
        r.contains(&"BGP.ext_community: (generic, 0x80060000, 0x0)".to_string()),
        "{r:#?}"
    );
    let r = wait_flow(
        &mut pair,
        "flowtab6",
        "flow6 { dst 2001:db8:99::/48; next header 17; }",
    );
    assert!(
        r.contains(&"BGP.ext_community: (generic, 0x80060000, 0x447a0000)".to_string()),
        "{r:#?}"
    );

    // BIRD -> ferrobgp
    let of = |ev: &[serde_json::Value], family: &str| -> Option<Announced> {
        announced(&updates(ev))
            .into_iter()
            .find(|a| a.family == family)
    };
    let ev = pair.wait_events("the helper receives BIRD's flow rules", |ev| {
        of(ev, "ipv4 flow").is_some() && of(ev, "ipv6 flow").is_some()
    });
    let f = of(&ev, "ipv4 flow").expect("ipv4 flow");
    assert_eq!(
        f.nlri["destination-ipv4"],
        serde_json::json!(["10.40.0.1/32"]),
        "{f:?}"
    );
    assert_eq!(f.nlri["protocol"], serde_json::json!(["=udp"]), "{f:?}");
    assert_eq!(
        f.nlri["destination-port"],
        serde_json::json!(["=53"]),
        "{f:?}"
    );
    assert_eq!(f.as_path(), vec![65002], "{f:?}");
    let f = of(&ev, "ipv6 flow").expect("ipv6 flow");
    assert_eq!(
        f.nlri["destination-ipv6"],
        serde_json::json!(["2001:db8:40::/48/0"]),
        "{f:?}"
    );
    assert_eq!(f.nlri["next-header"], serde_json::json!(["=tcp"]), "{f:?}");
}

/// `show route all` lines of one key (several routes under `flow4`) split
/// into one list per route.
fn split_routes(lines: &[String]) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    for l in lines {
        if l.starts_with("flow4 {") || l.starts_with("flow6 {") {
            out.push(vec![l.clone()]);
        } else if let Some(last) = out.last_mut() {
            last.push(l.clone());
        }
    }
    out
}

/// Graceful restart, we restart on purpose (RFC 4724, `neighbor IP
/// restart`), with `graceful restart on` in BIRD: our route's line in `show
/// route all` (its time included) is the same at every 100 ms poll until
/// BIRD has imported our two IPv4 routes again; our new OPEN is "Restart
/// recovery" with "AF preserved: ipv4 ipv6" in BIRD's neighbor
/// capabilities; BIRD ignored the two resent routes as identical (no
/// flap).
#[test]
fn bird_graceful_restart_we_restart() {
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_graceful_restart_we_restart",
        |c| c.replacen("\tpassive on;", "\tpassive on;\n\tgraceful restart on;", 1),
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
    let first = pair.wait_bird_routes("BIRD has our routes", |r| {
        r.contains_key("192.0.2.0/24") && r.contains_key("198.51.100.0/25")
    });
    let line = first["192.0.2.0/24"][0].clone();
    pair.wait_bird("BIRD imported our routes", false, |b| {
        (b.import_updates() >= 2).then_some(())
    });
    let before = pair.bird.import_updates();
    pair.ferro.command("neighbor 127.0.0.2 restart");
    // BIRD keeps the route (the same route line, its time included, at
    // every poll) while we restart, then counts our routes again
    let deadline = std::time::Instant::now() + LONG;
    loop {
        pair.ferro.assert_running();
        let r = pair.bird.routes();
        assert_eq!(
            r.get("192.0.2.0/24").map(|l| l[0].clone()),
            Some(line.clone()),
            "our route changed or left BIRD during the restart\n{}",
            pair.context()
        );
        if pair.bird.import_updates() >= before + 2 && pair.bird.established() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "BIRD never got our routes again\n{}",
            pair.context()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let all = pair
        .bird
        .birdc(&["show", "protocols", "all", "ferro"])
        .unwrap_or_default();
    let caps = neighbor_caps(&all);
    // the new OPEN: Restart State bit, both families with forwarding state
    assert!(caps.contains("Restart recovery"), "{all}");
    assert!(caps.contains("AF preserved: ipv4 ipv6"), "{all}");
    // the resent routes are identical: BIRD ignores them (no flap)
    let ignored = all
        .lines()
        .find(|l| l.trim_start().starts_with("Import updates:"))
        .and_then(|l| l.split_whitespace().nth(5))
        .and_then(|n| n.parse::<u64>().ok());
    assert_eq!(ignored, Some(2), "{all}");
}

/// A `show protocols` line without its `since` time, and that time in
/// milliseconds of the day: `ferro BGP --- up 03:44:39.952 Established`.
fn split_since(line: &str) -> (String, u64) {
    let mut since = None;
    let rest: Vec<&str> = line
        .split_whitespace()
        .filter(|word| {
            let ms = parse_clock(word);
            if ms.is_some() && since.is_none() {
                since = ms;
                return false;
            }
            true
        })
        .collect();
    let since = since.unwrap_or_else(|| panic!("no `since` time in `{line}`"));
    (rest.join(" "), since)
}

/// `HH:MM:SS.mmm` (or `HH:MM:SS`) in milliseconds of the day.
fn parse_clock(word: &str) -> Option<u64> {
    let (hms, ms) = word.split_once('.').unwrap_or((word, "0"));
    let mut parts = hms.split(':');
    let (h, m, s) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || ms.len() > 3 {
        return None;
    }
    let field = |t: &str| t.parse::<u64>().ok();
    let ms = field(ms)? * 10u64.pow(3 - ms.len() as u32);
    Some(((field(h)? * 60 + field(m)?) * 60 + field(s)?) * 1000 + ms)
}

/// `kill -9` of ferrobgp's rib with BIRD on the other side: BIRD's
/// protocol stays Established since the same moment (no NOTIFICATION, no
/// new session), keeps our route, and the new rib's route refresh brings
/// BIRD's route to the (restarted) helper again.
#[test]
fn bird_session_survives_a_rib_kill() {
    let Some(mut pair) = Pair::start_with(
        "interop_bird::bird_session_survives_a_rib_kill",
        |c| c,
        with_route_refresh,
    ) else {
        return;
    };
    pair.ferro
        .command("announce route 203.0.113.0/24 next-hop 10.0.0.1");
    pair.wait_bird("BIRD holds our route", false, |b| {
        b.routes().contains_key("203.0.113.0/24").then_some(())
    });
    let seen = poll("the helper receives BIRD's route", || {
        let n = count_announced(&pair.ferro.events(), "10.20.0.0/24");
        (n > 0).then_some(n)
    })
    .unwrap_or_else(|| panic!("no route from BIRD\n{}", pair.context()));
    // `ferro BGP --- up <since> Established`: the state and since when
    let line = |b: &Bird| -> Option<String> {
        b.birdc(&["show", "protocols", "ferro"])?
            .lines()
            .find(|l| l.starts_with("ferro"))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
    };
    let before = line(&pair.bird).expect("BIRD's protocol line");
    assert!(before.ends_with("Established"), "{before}");

    pair.ferro.kill_rib();
    let again = poll("BIRD's route again, after the rib kill", || {
        (count_announced(&pair.ferro.events(), "10.20.0.0/24") > seen).then_some(())
    });
    assert!(again.is_some(), "no route refresh\n{}", pair.context());
    let after = line(&pair.bird).expect("BIRD's protocol line");
    // BIRD prints `since` by converting its monotonic clock to wall time
    // at each `show`, so the same moment can print a millisecond apart; a
    // new session would be seconds later (the rib restart alone takes 1 s)
    let (state_before, since_before) = split_since(&before);
    let (state_after, since_after) = split_since(&after);
    assert_eq!(
        state_after,
        state_before,
        "BIRD's session\n{}",
        pair.context()
    );
    let apart = since_after
        .abs_diff(since_before)
        .min(86_400_000 - since_after.abs_diff(since_before));
    assert!(
        apart <= 100,
        "BIRD's session changed state: `{before}` then `{after}`\n{}",
        pair.context()
    );
    assert!(
        pair.bird.routes().contains_key("203.0.113.0/24"),
        "BIRD lost our route\n{}",
        pair.context()
    );
    eprintln!("BIRD before the rib kill `{before}`, after `{after}`");
}
