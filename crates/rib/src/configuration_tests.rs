use super::*;
use std::net::IpAddr;

const A: &str = "process p { run /bin/cat; encoder text; }\n\
neighbor 10.0.0.1 {\n router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2;\n static {\n  route 10.1.0.0/24 next-hop 10.0.0.254;\n }\n}\n\
neighbor 10.0.0.2 { router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 3; }\n";

const B: &str = "neighbor 10.0.0.1 {\n router-id 1.1.1.1; local-address 10.0.0.254; local-as 1; peer-as 2; hold-time 30;\n static {\n  route 10.2.0.0/24 next-hop 10.0.0.254 med x;\n }\n}\n";

fn file(name: &str, text: &str) -> ipc::ConfigFile {
    ipc::ConfigFile {
        path: name.into(),
        absolute: format!("/etc/exabgp/{name}").into(),
        text: ipc::PackedText::pack(text).expect("packs"),
    }
}

fn peer(id: PeerId, ip: &str) -> ipc::ConfiguredPeer {
    ipc::ConfiguredPeer {
        id,
        peer_address: ip.parse::<IpAddr>().expect("address"),
    }
}

#[test]
fn the_settings_come_back_from_their_sources() {
    let source = ipc::SettingsSource {
        vars: vec![
            ("exabgp_tcp_port".into(), "1790".into()),
            ("exabgp.api.ack".into(), "false".into()),
            ("ferrobgp.compat.reference-open".into(), "true".into()),
        ],
        ini: Some(ipc::IniFile {
            path: "/etc/exabgp/exabgp.env".into(),
            text: "[exabgp.log]\nlevel = DEBUG\n[exabgp.tcp]\nport = 1\n".into(),
        }),
    };
    let s = settings(&source).expect("loads");
    assert_eq!(s.tcp.port.0, 1790, "the environment wins over the ini");
    assert!(!s.api.ack);
    assert_eq!(s.log.level.0, "DEBUG");
    assert!(s.compat.reference_open);
    assert_ne!(s, Settings::default());
    assert_eq!(settings(&Default::default()), Ok(Settings::default()));
    let bad = ipc::SettingsSource {
        vars: vec![("exabgp.tcp.port".into(), "port".into())],
        ini: None,
    };
    assert!(settings(&bad).is_err());
}

#[test]
fn the_neighbors_are_numbered_as_the_supervisor_did() {
    let files = [file("a.conf", A), file("b.conf", B)];
    let ids = [
        peer(1, "10.0.0.1"),
        peer(2, "10.0.0.2"),
        peer(1, "10.0.0.1"),
    ];
    let loaded = load(&files, &Settings::default(), &ids).expect("loads");
    assert_eq!(loaded.config.processes.len(), 1);
    assert!(loaded.config.neighbors.is_empty());
    let numbered: Vec<PeerId> = loaded.peers.iter().map(|(id, _)| *id).collect();
    assert_eq!(numbered, vec![1, 2]);
    // the last definition of peer 1, its route section as text
    let (_, n) = &loaded.peers[0];
    assert_eq!(n.hold_time, 30);
    assert!(n.routes.is_empty());
    assert_eq!(n.route_text.len(), 1);
    assert_eq!(n.route_text[0].file, "b.conf");
    let errors = ferrobgp_config::parse_routes(n, |_| {}).expect_err("med x");
    assert_eq!(
        errors[0].to_string().split(": ").next(),
        Some("b.conf:4:45")
    );
}

#[test]
fn a_configuration_that_is_not_the_supervisors_is_refused() {
    let files = [file("a.conf", A)];
    let ok = [peer(1, "10.0.0.1"), peer(2, "10.0.0.2")];
    assert!(load(&files, &Settings::default(), &ok).is_ok());
    assert!(load(&files, &Settings::default(), &ok[..1]).is_err());
    let swapped = [peer(1, "10.0.0.2"), peer(2, "10.0.0.1")];
    assert!(load(&files, &Settings::default(), &swapped).is_err());
    let broken = [file("a.conf", "neighbor 10.0.0.1 {\n")];
    let errors = load(&broken, &Settings::default(), &[]).expect_err("unbalanced");
    assert!(errors[0].starts_with("a.conf:"), "{errors:?}");
}

#[test]
fn the_route_sections_of_each_peer_come_back() {
    let files = [file("a.conf", A), file("b.conf", B)];
    let ids = [
        peer(1, "10.0.0.1"),
        peer(2, "10.0.0.2"),
        peer(1, "10.0.0.1"),
    ];
    let texts = route_texts(&files, &Settings::default(), &ids).expect("loads");
    assert_eq!(texts.keys().copied().collect::<Vec<_>>(), vec![1, 2]);
    assert_eq!(texts[&1].len(), 1);
    assert!(
        texts[&1][0].text.contains("10.2.0.0/24"),
        "the last definition"
    );
    assert!(texts[&2].is_empty());
    assert!(route_texts(&files, &Settings::default(), &ids[..2]).is_err());
}
