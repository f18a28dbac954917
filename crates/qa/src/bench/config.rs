//! The configurations of a benchmark run: ExaBGP's format (read by
//! ferrobgp and ExaBGP alike) and BIRD 2's, for the same peers, routes and
//! helper.

use super::helper::{self, Form};
use super::{Scenario, Settings, Source};
use std::fmt::Write as _;
use std::net::Ipv4Addr;

/// The address of benchmark peer `k` (1-based): 127.0.0.1, 127.0.0.2, ...,
/// continuing past 127.0.0.255 into 127.0.1.0 for large peer counts.
pub fn peer_address(k: u16) -> Ipv4Addr {
    Ipv4Addr::from(u32::from(Ipv4Addr::new(127, 0, 0, 0)) + u32::from(k))
}

/// The next hop of the route at `index` in a configuration; the reload
/// scenario's second configuration changes route 0's.
fn next_hop(index: u32, changed: bool) -> &'static str {
    if changed && index == 0 {
        helper::CHANGED_NEXT_HOP
    } else {
        helper::NEXT_HOP
    }
}

/// The helper's arguments for `settings`, `None` when the run has none.
fn helper_args(settings: &Settings) -> Option<String> {
    let form = match settings.scenario {
        Scenario::Announce(Source::Api(Form::Route)) => "--form route".to_owned(),
        Scenario::Announce(Source::Api(Form::Attributes { batch })) => {
            format!("--form attributes --batch {batch}")
        }
        Scenario::Announce(Source::Api(Form::LockStep)) => "--form lock-step".to_owned(),
        Scenario::ReceiveJson => format!("--form receive --report {}", settings.report.display()),
        Scenario::Announce(Source::Static) | Scenario::Reload | Scenario::Receive => return None,
    };
    Some(format!(
        "{} bench-helper --routes {} --peers {} {form}",
        settings.helper.display(),
        settings.routes,
        settings.peers
    ))
}

/// The configuration in ExaBGP's format: one neighbor per peer, the helper
/// process when the scenario has one, the static routes otherwise. With
/// `changed`, route 0 has another next hop (the reload's second version).
pub fn exabgp(settings: &Settings, changed: bool) -> String {
    let mut conf = String::new();
    let helper = helper_args(settings);
    if let Some(run) = &helper {
        let _ = write!(
            conf,
            "process bench {{\n    run {run};\n    encoder json;\n}}\n\n"
        );
    }
    let statics = matches!(
        settings.scenario,
        Scenario::Announce(Source::Static) | Scenario::Reload
    );
    for k in 1..=settings.peers {
        let _ = write!(
            conf,
            "neighbor {} {{\n    router-id 10.0.0.1;\n    local-address 127.0.0.1;\n    local-as 65000;\n    peer-as 65000;\n    family {{ ipv4 unicast; }}\n",
            peer_address(k)
        );
        if helper.is_some() {
            if settings.scenario == Scenario::ReceiveJson {
                conf.push_str(
                    "    api { processes [ bench ]; neighbor-changes; receive { parsed; update; } }\n",
                );
            } else {
                conf.push_str("    api { processes [ bench ]; neighbor-changes; }\n");
            }
        }
        if statics {
            conf.push_str("    static {\n");
            for i in 0..settings.routes {
                let _ = writeln!(
                    conf,
                    "        route {} next-hop {};",
                    helper::prefix(i),
                    next_hop(i, changed)
                );
            }
            conf.push_str("    }\n");
        }
        conf.push_str("}\n");
    }
    conf
}

/// The configuration in BIRD 2's format: the static routes (blackhole, the
/// next hop set on export) exported over iBGP to every peer, or, in the
/// receive scenarios, every route imported from the feeding peer. `port`
/// is the peers' port; BIRD listens on `listen` so that it never competes
/// for port 179.
pub fn bird(settings: &Settings, changed: bool, port: u16, listen: u16) -> String {
    let mut conf = String::from("router id 10.0.0.1;\nprotocol device { }\n");
    let receive = matches!(settings.scenario, Scenario::Receive | Scenario::ReceiveJson);
    if !receive {
        conf.push_str("protocol static {\n    ipv4;\n");
        for i in 0..settings.routes {
            if changed && i == 0 {
                // BIRD sets the next hop on export, in a filter that must
                // stay the same (a changed filter re-exports every route):
                // the changed route gets a community instead.
                let _ = writeln!(
                    conf,
                    "    route {} blackhole {{ bgp_community.add((65000, 1)); }};",
                    helper::prefix(i)
                );
            } else {
                let _ = writeln!(conf, "    route {} blackhole;", helper::prefix(i));
            }
        }
        conf.push_str("}\n");
        let _ = writeln!(
            conf,
            "filter bench_out {{ bgp_next_hop = {}; accept; }}",
            helper::NEXT_HOP
        );
    }
    for k in 1..=settings.peers {
        let channel = if receive {
            "import all; export none;".to_owned()
        } else {
            "import none; export filter bench_out;".to_owned()
        };
        let _ = writeln!(
            conf,
            "protocol bgp peer{k} {{\n    local 127.0.0.1 port {listen} as 65000;\n    neighbor {} port {port} as 65000;\n    multihop;\n    ipv4 {{ {channel} }};\n}}",
            peer_address(k)
        );
    }
    conf
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::daemon::DaemonCommand;
    use std::time::Duration;

    fn settings(scenario: Scenario, peers: u16) -> Settings {
        Settings {
            routes: 2,
            peers,
            scenario,
            daemon: DaemonCommand::parse("ferrobgp run").expect("command"),
            helper: "/bin/functional".into(),
            timeout: Duration::from_secs(1),
            env: Vec::new(),
            report: "/tmp/r".into(),
        }
    }

    #[test]
    fn peer_addresses_continue_past_the_last_octet() {
        assert_eq!(peer_address(1), Ipv4Addr::new(127, 0, 0, 1));
        assert_eq!(peer_address(255), Ipv4Addr::new(127, 0, 0, 255));
        assert_eq!(peer_address(1000), Ipv4Addr::new(127, 0, 3, 232));
    }

    #[test]
    fn the_reload_changes_one_next_hop() {
        let s = settings(Scenario::Reload, 1);
        let before = exabgp(&s, false);
        let after = exabgp(&s, true);
        let diff: Vec<_> = before
            .lines()
            .zip(after.lines())
            .filter(|(a, b)| a != b)
            .collect();
        assert_eq!(
            diff,
            vec![(
                "        route 1.0.0.0/24 next-hop 192.0.2.1;",
                "        route 1.0.0.0/24 next-hop 192.0.2.2;"
            )]
        );
    }

    #[test]
    fn the_json_receiver_gets_parsed_updates() {
        let conf = exabgp(&settings(Scenario::ReceiveJson, 2), false);
        assert!(conf.contains("--form receive --report /tmp/r"));
        assert_eq!(conf.matches("receive { parsed; update; }").count(), 2);
        assert!(!conf.contains("static"));
    }

    #[test]
    fn bird_exports_blackholes_with_the_benchmark_next_hop() {
        let conf = bird(
            &settings(Scenario::Announce(Source::Static), 2),
            false,
            1790,
            1791,
        );
        assert!(conf.contains("route 1.0.1.0/24 blackhole;"));
        assert!(conf.contains("neighbor 127.0.0.2 port 1790 as 65000;"));
        assert!(conf.contains("local 127.0.0.1 port 1791 as 65000;"));
        assert!(conf.contains("bgp_next_hop = 192.0.2.1;"));
    }
}
