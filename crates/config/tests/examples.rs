//! The example configurations shipped in etc/ must validate and mean what
//! their comments say.

use ferrobgp_config::*;
use ferrobgp_wire::{Afi, Family};
use std::path::PathBuf;

#[test]
fn example_full() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../etc/example-full.conf");
    let l = load_file(&path, &LoadOptions::default()).unwrap_or_else(|e| panic!("{e}"));
    let c = &l.config;
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
    assert_eq!(c.processes.len(), 2);
    assert_eq!(
        c.processes[0].argv[..2],
        ["/usr/bin/env".to_string(), "python3".to_string()]
    );
    assert!(!c.process("logger").unwrap().respawn);
    let a = &c.neighbors[0];
    assert_eq!(
        (a.hold_time, a.local_as, a.peer_as),
        (90, AsNumber::Asn(65000), AsNumber::Asn(64496))
    );
    assert_eq!(a.is_ibgp(), Some(false));
    assert_eq!(a.capabilities.graceful_restart, Some(120));
    assert!(a.capabilities.route_refresh && a.capabilities.nexthop);
    assert_eq!(
        a.nexthop,
        vec![NextHopFamily {
            family: Family::IPV4_UNICAST,
            nexthop_afi: Afi::IPV6
        }]
    );
    assert_eq!(a.add_path, vec![Family::IPV4_UNICAST]);
    assert_eq!(a.api.len(), 2);
    assert_eq!(a.processes(), vec!["announcer", "logger"]);
    assert_eq!(a.outgoing_ttl, Some(2));
    assert_eq!(a.md5.as_ref().map(|m| m.password.as_str()), Some("s3cret"));
    let b = &c.neighbors[1];
    assert!(b.passive && !b.adj_rib_in && b.adj_rib_out);
    assert_eq!(b.routes.len(), 4);
}
