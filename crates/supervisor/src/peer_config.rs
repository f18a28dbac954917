//! Builds a worker's session configuration (the IPC's [`PeerConfig`],
//! sent in its `Init`) from the configuration crate's resolved `Neighbor`
//! and the daemon's `Settings`; the outgoing connections made for the
//! workers (`outgoing.rs`) use it too.

use crate::error::{Error, Result};
use ferrobgp_config::{Md5Base64, Neighbor, Settings};
use ferrobgp_ipc::peer::{
    AddPathEntry, AddPathMode, FsmConfig, GracefulRestartConfig, NextHopEntry, OpenConfig,
    PeerConfig,
};
use ferrobgp_session::sockopt::base64_decode;
use std::time::Duration;

/// The version advertised in the Software Version capability when
/// `exabgp_version` is not set.
pub const DEFAULT_VERSION: &str = env!("CARGO_PKG_VERSION");

fn md5_key(n: &Neighbor) -> Result<Option<Vec<u8>>> {
    let Some(md5) = &n.md5 else {
        return Ok(None);
    };
    let raw = md5.password.as_bytes().to_vec();
    let key = match md5.base64 {
        Md5Base64::No => raw,
        Md5Base64::Yes => base64_decode(&md5.password)
            .ok_or_else(|| Error::Config("md5-password is not valid base64".into()))?,
        Md5Base64::Auto => base64_decode(&md5.password).unwrap_or(raw),
    };
    Ok(Some(key))
}

/// The worker's view of `neighbor`.
pub fn peer_config(n: &Neighbor, s: &Settings) -> Result<PeerConfig> {
    let caps = &n.capabilities;
    let add_mode = match caps.add_path {
        ferrobgp_config::AddPathMode::Disable => None,
        ferrobgp_config::AddPathMode::Receive => Some(AddPathMode::RECEIVE),
        ferrobgp_config::AddPathMode::Send => Some(AddPathMode::SEND),
        ferrobgp_config::AddPathMode::SendReceive => Some(AddPathMode::BOTH),
    };
    let open = OpenConfig {
        local_as: n.local_as.asn().unwrap_or(0),
        hold_time: n.hold_time,
        router_id: n.router_id,
        families: n.families.clone(),
        asn4: caps.asn4,
        nexthop: caps.nexthop.then(|| {
            n.nexthop
                .iter()
                .map(|e| NextHopEntry {
                    family: e.family,
                    nexthop_afi: e.nexthop_afi,
                })
                .collect()
        }),
        add_path: add_mode.map(|mode| {
            n.add_path
                .iter()
                .map(|f| AddPathEntry { family: *f, mode })
                .collect()
        }),
        graceful_restart: caps.graceful_restart.map(|time| GracefulRestartConfig {
            time,
            restarted: false,
        }),
        route_refresh: caps.route_refresh,
        operational: caps.operational,
        extended_message: caps.extended_message,
        host_name: n.host_name.clone(),
        domain_name: n.domain_name.clone(),
        software_version: caps
            .software_version
            .then(|| format!("ExaBGP/{}", s.version_or(DEFAULT_VERSION))),
        multisession: caps.multi_session,
        omit_empty_capabilities: s.compat.reference_open,
    };
    Ok(PeerConfig {
        peer_address: n.peer_address.addr(),
        local_address: n.local_address.ip(),
        port: crate::spawn::peer_port(n, s),
        source_interface: n.source_interface.clone(),
        outgoing_ttl: n.outgoing_ttl,
        incoming_ttl: n.incoming_ttl,
        md5_key: md5_key(n)?,
        local_as: n.local_as.asn(),
        peer_as: n.peer_as.asn(),
        open,
        fsm: FsmConfig {
            passive: n.passive || s.bgp.passive,
            read_open_first: n.local_as.asn().is_none(),
            hold_time: n.hold_time,
            router_id: n.router_id,
            open_wait: Duration::from_secs(u64::from(s.bgp.openwait)),
            max_attempts: s.connection_attempts(),
        },
        group_updates: n.group_updates,
        manual_eor: n.manual_eor,
        rate_limit: n.rate_limit,
        report_received: n.adj_rib_in || n.api.iter().any(|a| a.receive.any()),
        report_sent: n.api.iter().any(|a| a.send.any()),
        aigp: caps.aigp,
        reference_extended_community: s.compat.reference_extended_community,
        reference_unknown_message: s.compat.reference_unknown_message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_config::{load_str, LoadOptions};
    use ferrobgp_ipc::peer::Family;
    use std::net::{IpAddr, Ipv4Addr};
    use std::path::Path;

    fn load(text: &str, s: Settings) -> PeerConfig {
        let opts = LoadOptions::new(s.clone(), None);
        let loaded = load_str(Path::new("test.conf"), text, &opts).expect("config loads");
        peer_config(&loaded.config.neighbors[0], &s).unwrap()
    }

    #[test]
    fn api_teardown_like_neighbor() {
        let mut s = Settings::default();
        s.tcp.attempts = 3;
        let c = load(
            "neighbor 127.0.0.1 {\n router-id 1.2.3.4;\n local-address 127.0.0.1;\n local-as 1;\n peer-as 1;\n group-updates false;\n family { ipv4 unicast; }\n}\n",
            s,
        );
        assert_eq!(c.peer_address, IpAddr::V4(Ipv4Addr::LOCALHOST));
        assert_eq!(c.local_address, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert_eq!(c.port, 179);
        assert_eq!((c.local_as, c.peer_as), (Some(1), Some(1)));
        assert!(!c.group_updates);
        assert_eq!(c.fsm.max_attempts, 3);
        assert_eq!(c.fsm.hold_time, 180);
        assert!(!c.fsm.read_open_first);
        assert_eq!(c.open.families, vec![Family::IPV4_UNICAST]);
        // default OPEN as ExaBGP 5.0.15 sends it: MP, ASN4, Extended Message
        let mut body = Vec::new();
        let mut oc = c.open.clone();
        oc.local_as = 1;
        oc.build().unwrap().encode_body(&mut body).unwrap();
        assert_eq!(
            body,
            [
                4, 0, 1, 0, 0xb4, 1, 2, 3, 4, 20, 2, 6, 1, 4, 0, 1, 0, 1, 2, 6, 0x41, 4, 0, 0, 0,
                1, 2, 2, 6, 0
            ]
        );
    }

    /// The OPEN message, header included.
    fn open_hex(c: &PeerConfig) -> String {
        let mut body = Vec::new();
        c.open.build().unwrap().encode_body(&mut body).unwrap();
        let len = u16::try_from(19 + body.len()).unwrap().to_be_bytes();
        let mut out = vec![0xff; 16];
        out.extend([len[0], len[1], 1]);
        out.extend(body);
        out.iter().map(|b| format!("{b:02X}")).collect()
    }

    const NEIGHBOR: &str = "neighbor 127.0.0.1 {\n router-id 1.2.3.4;\n local-address 127.0.0.1;\n local-as 65001;\n peer-as 65002;\n family { ipv4 unicast; }\n";

    /// The OPEN of a neighbor with and without a capability block, byte for
    /// byte as ExaBGP 5.0.15 sent it to a loopback listener (issue 12: the
    /// configured capabilities never reached the OPEN). The reference
    /// commit's OPEN (empty capabilities left out) only under
    /// `ferrobgp.compat.reference-open`.
    #[test]
    fn open_with_and_without_capability_block_as_exabgp_5_0_15() {
        let plain = load(&format!("{NEIGHBOR}}}\n"), Settings::default());
        assert_eq!(
            open_hex(&plain),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00310104FDE900B401020304140206010400010001020641040000FDE902020600"
        );
        let block = format!(
            "{NEIGHBOR} capability {{ route-refresh; operational; extended-message; }}\n}}\n"
        );
        let caps = load(&block, Settings::default());
        assert_eq!(
            open_hex(&caps),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF003D0104FDE900B401020304200206010400010001020641040000FDE902020200020246000202B90002020600"
        );
        let mut compat = Settings::default();
        compat.compat.reference_open = true;
        let reference = load(&block, compat);
        assert_eq!(
            open_hex(&reference),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002D0104FDE900B401020304100206010400010001020641040000FDE9"
        );
    }

    #[test]
    fn auto_as_md5_and_connect_port() {
        let c = load(
            "neighbor 10.0.0.1 {\n router-id 10.0.0.2;\n local-address 10.0.0.2;\n local-as auto;\n peer-as auto;\n connect 1790;\n md5-password c2VjcmV0;\n md5-base64 true;\n passive true;\n}\n",
            Settings::default(),
        );
        assert_eq!((c.local_as, c.peer_as), (None, None));
        assert!(c.fsm.read_open_first);
        assert!(c.fsm.passive);
        assert_eq!(c.port, 1790);
        assert_eq!(c.md5_key.as_deref(), Some(&b"secret"[..]));
    }
}
