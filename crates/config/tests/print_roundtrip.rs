//! `print::neighbor` (what `show neighbor configuration` prints) loads back
//! into the same neighbor: for every configuration of the conformance
//! suite (../shared/conformance/etc, skipped when absent), qa's own
//! (qa/etc) and hand-written ones covering every printed keyword.

use ferrobgp_config::*;
use std::path::{Path, PathBuf};

fn opts(check: bool) -> LoadOptions {
    let mut o = LoadOptions::default();
    o.settings.tcp.port = ferrobgp_config::settings::Port(1790);
    o.run = RunLookup {
        path: None,
        check,
        user: None,
    };
    o
}

/// What a printed neighbor cannot carry: where it was written, the
/// template names (their values are printed in place), and the routes and
/// operational messages the printer leaves out (it says so in a comment).
fn comparable(n: &Neighbor) -> Neighbor {
    let mut n = n.clone();
    n.source = PathBuf::new();
    n.line = 0;
    n.inherit.clear();
    n.routes.retain(|r| print::route_statement(r).is_some());
    n.operational.clear();
    n
}

/// Prints every neighbor of `config` and loads each back (with stub
/// `process` blocks of the same names); returns how many were checked.
fn round_trip(config: &Config, what: &str) -> usize {
    let stubs: String = config
        .processes
        .iter()
        .map(|p| {
            format!(
                "process {} {{\n  run /bin/true;\n  encoder text;\n}}\n",
                p.name
            )
        })
        .collect();
    for n in &config.neighbors {
        let printed = print::neighbor(n);
        assert!(printed.ends_with("}\n"), "{what}:\n{printed}");
        for line in printed.lines().skip(1) {
            assert!(
                line == "}" || line.starts_with("  "),
                "{what}: not indented: {line:?}"
            );
        }
        let text = format!("{stubs}{printed}");
        let back = match load_str(Path::new("/printed.conf"), &text, &opts(false)) {
            Ok(l) => l.config.neighbors,
            Err(e) => panic!("{what}: printed neighbor does not load:\n{e}\n{text}"),
        };
        assert_eq!(back.len(), 1, "{what}:\n{text}");
        assert_eq!(
            comparable(&back[0]),
            comparable(n),
            "{what}: not the same neighbor once printed:\n{printed}"
        );
    }
    config.neighbors.len()
}

/// `reference` turns on the compatibility settings `qa/bin/conformance`
/// uses for the suite's files (one of them ends with an unbalanced `}`).
fn round_trip_dir(dir: &Path, reference: bool) -> usize {
    let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "conf"))
        .collect();
    names.sort();
    let mut checked = 0;
    let (mut routes, mut printed) = (0, 0);
    for name in names {
        let mut o = opts(false);
        o.settings.compat.reference_trailing_brace = reference;
        let loaded = load_file(&name, &o)
            .unwrap_or_else(|e| panic!("{} does not load:\n{e}", name.display()));
        checked += round_trip(&loaded.config, &name.display().to_string());
        for n in &loaded.config.neighbors {
            routes += n.routes.len();
            printed += n
                .routes
                .iter()
                .filter(|r| print::route_statement(r).is_some())
                .count();
        }
    }
    eprintln!(
        "{}: {checked} neighbors, {printed} of {routes} routes printed",
        dir.display()
    );
    assert!(routes == 0 || printed > 0, "no route printed at all");
    checked
}

#[test]
fn conformance_suite_configurations() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/etc");
    if !dir.is_dir() {
        ferrobgp_testkit::skip(
            "conformance_suite_configurations",
            &format!("conformance suite not found at {}", dir.display()),
        );
        return;
    }
    assert!(round_trip_dir(&dir, true) >= 50);
}

#[test]
fn qa_own_configurations() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../qa/etc");
    assert!(round_trip_dir(&dir, false) >= 1);
}

/// Every keyword the printer can write, with values other than the defaults.
const EVERYTHING: &str = r#"
process watcher {
    run /bin/true;
    encoder json;
}
process checker-1 {
    run /bin/true;
    encoder text;
}
template {
    neighbor base {
        hold-time 30;
        capability { route-refresh; }
    }
}
neighbor 2001:db8::1 {
    inherit base;
    description 'say "hi" \u005c o/';
    router-id 192.0.2.1;
    host-name edge-1;
    domain-name example.net;
    local-address 2001:db8::2;
    source-interface eth0;
    local-as 4200000000;
    peer-as auto;
    rate-limit 50;
    manual-eor true;
    listen 1791;
    connect 1792;
    group-updates false;
    auto-flush false;
    adj-rib-in false;
    adj-rib-out false;
    md5-password "s3cr=t key";
    md5-base64 auto;
    md5-ip 2001:db8::2;
    outgoing-ttl 5;
    incoming-ttl 250;
    capability {
        asn4 enable;
        graceful-restart;
        add-path send;
        multi-session;
        operational;
        extended-message disable;
        nexthop;
        aigp;
        software-version enable;
    }
    family {
        ipv4 unicast;
        ipv4 nlri-mpls;
        ipv6 unicast;
        ipv4 flow;
        l2vpn vpls;
    }
    nexthop {
        ipv4 unicast ipv6;
    }
    add-path {
        ipv6 unicast;
    }
    api {
        processes [ watcher ];
        neighbor-changes;
        negotiated;
        fsm;
        signal;
        receive { parsed; update; keepalive; }
        send { packets; open; refresh; operational; }
    }
    api matching {
        processes-match [ "^check" ];
        receive { consolidate; notification; }
    }
}
neighbor 10.0.0.0/24 {
    router-id 10.0.0.254;
    local-address auto;
    local-as auto;
    peer-as 65000;
    passive;
    hold-time 0;
    capability { graceful-restart 300; add-path receive; }
}
"#;

#[test]
fn every_printed_keyword() {
    let loaded = load_str(Path::new("/everything.conf"), EVERYTHING, &opts(false)).unwrap();
    assert_eq!(loaded.config.neighbors[0].description, "say \"hi\" \\ o/");
    assert_eq!(round_trip(&loaded.config, "everything"), 2);
    let printed = print::neighbor(&loaded.config.neighbors[0]);
    for expected in [
        "neighbor 2001:db8::1 {",
        "  # values of template(s) base included",
        "  description \"say \\u0022hi\\u0022 \\u005c o/\";",
        "  hold-time 30;",
        "  local-as 4200000000;",
        "  peer-as auto;",
        "  md5-base64 auto;",
        "    route-refresh enable;",
        "    add-path send;",
        "    ipv4 unicast ipv6;",
        "    processes-match [ \"^check\" ];",
        "      update;",
    ] {
        assert!(
            printed.lines().any(|l| l == expected),
            "missing {expected:?} in:\n{printed}"
        );
    }
    let range = print::neighbor(&loaded.config.neighbors[1]);
    assert!(range.starts_with("neighbor 10.0.0.0/24 {\n"), "{range}");
    assert!(range.contains("\n  local-address auto;\n"), "{range}");
}

#[test]
fn prefix_routes_printed_others_counted() {
    let text = r#"
neighbor 127.0.0.1 {
    local-address 127.0.0.1;
    local-as 1;
    peer-as 1;
    family { ipv4 unicast; ipv4 mpls-vpn; ipv4 flow; }
    static {
        route 10.0.0.0/24 next-hop 1.2.3.4 origin egp as-path [ 1 2 ] ( 3 4 ) med 5 local-preference 7 atomic-aggregate aggregator ( 65000:1.1.1.1 ) community [ 65000:1 no-export ] extended-community [ target:65000:1 ] large-community [ 1:2:3 ] originator-id 2.2.2.2 cluster-list [ 3.3.3.3 ] aigp 9 attribute [ 0x63 0xc0 0x0102 ] name web watchdog dog withdraw;
        route 10.0.1.0/24 rd 65000:1 label [ 100 ] path-information 4 next-hop self;
    }
    flow {
        route drop-it { match { destination 10.9.0.0/24; } then { discard; } }
    }
}
"#;
    let loaded = load_str(Path::new("/r.conf"), text, &opts(false)).unwrap();
    let n = &loaded.config.neighbors[0];
    assert_eq!(n.routes.len(), 3);
    let printed = print::neighbor(n);
    assert!(
        printed.contains("\n  # 1 static route(s) not shown: see show adj-rib out\n"),
        "{printed}"
    );
    assert_eq!(
        printed
            .lines()
            .filter(|l| l.starts_with("    route "))
            .count(),
        2,
        "{printed}"
    );
    assert_eq!(round_trip(&loaded.config, "routes"), 1);
    // the two prefix routes came back, in order, with everything they carry
    let back = load_str(Path::new("/b.conf"), &printed, &opts(false)).unwrap();
    assert_eq!(back.config.neighbors[0].routes, n.routes[..2]);
}
