//! An EVPN route (RFC 7432 types 1 to 4, RFC 9136 type 5) as ExaBGP
//! 5.0.15 writes its NLRI's `str()`, the form `show adj-rib` prints:
//! `evpn:<short name>::<rd>:` then the route type's fields separated by
//! `:`, the labels last as ` label 100 (1601)`:
//!
//! - 1 `evpn:ethernetad::RD:ESI:TAG:LABELS`
//! - 2 `evpn:macadv::RD:ESI:TAG:MAC/48:IP:LABELS` (IP empty when absent)
//! - 3 `evpn:multicast::RD:TAG:IP`
//! - 4 `evpn:segment::RD:ESI:IP`
//! - 5 `evpn:prfxadv::RD:ESI:TAG:PREFIX/LEN:GATEWAY:LABELS`
//!
//! The ESI is lower-case hex or `-` when all zero, the MAC upper-case hex
//! (the fields of ExaBGP's JSON, [`crate::json::nlri`], read the same
//! way). A route of another type, or whose body does not parse, is
//! written as ExaBGP's generic EVPN route: `evpn:<short name>:0x<body in
//! lower-case hex>`.

use crate::json::hex_lower;
use crate::json::nlri::{esi, mac};
use ferrobgp_wire::nlri::evpn::{EvpnFields, EvpnRoute};
use ferrobgp_wire::nlri::Evpn;

/// ExaBGP's short name of the route type, lower-cased.
fn short_name(route_type: u8) -> &'static str {
    match route_type {
        1 => "ethernetad",
        2 => "macadv",
        3 => "multicast",
        4 => "segment",
        5 => "prfxadv",
        _ => "unknown",
    }
}

/// ExaBGP's `Labels.__str__` of raw 3-octet labels: ` label N (RAW)` for
/// one label, ` label [ N (RAW) M (RAW) ]` for several, nothing for none;
/// a raw value of 0 is not shown.
fn labels_text(raw: &[u32]) -> String {
    let one = |raw: &u32| match raw {
        0 => "0".to_string(),
        raw => format!("{} ({raw})", raw >> 4),
    };
    match raw {
        [] => String::new(),
        [l] => format!(" label {}", one(l)),
        ls => format!(
            " label [ {} ]",
            ls.iter().map(one).collect::<Vec<_>>().join(" ")
        ),
    }
}

/// The text of a parsed route.
fn fields_text(route_type: u8, f: &EvpnFields) -> String {
    let rest = match &f.route {
        EvpnRoute::EthernetAd {
            esi: e,
            tag,
            labels,
        } => format!("{}:{tag}:{}", esi(e), labels_text(labels)),
        // ExaBGP shows the first label only (label 2 is skipped)
        EvpnRoute::MacIp {
            esi: e,
            tag,
            mac: m,
            ip,
            label,
            ..
        } => format!(
            "{}:{tag}:{}/48:{}:{}",
            esi(e),
            mac(m),
            ip.map(|a| a.to_string()).unwrap_or_default(),
            labels_text(&[*label])
        ),
        EvpnRoute::InclusiveMulticast { tag, ip } => format!("{tag}:{ip}"),
        EvpnRoute::EthernetSegment { esi: e, ip } => format!("{}:{ip}", esi(e)),
        EvpnRoute::IpPrefix(p) => format!(
            "{}:{}:{}/{}:{}:{}",
            esi(&p.esi),
            p.tag,
            p.prefix,
            p.prefix_len,
            p.gateway,
            labels_text(&p.labels)
        ),
    };
    format!("evpn:{}::{}:{rest}", short_name(route_type), f.rd)
}

/// The route as 5.0.15's `show adj-rib` prints it (no next hop).
pub fn evpn_text(e: &Evpn) -> String {
    match e.fields() {
        Some(f) => fields_text(e.route_type, &f),
        None => format!("evpn:{}:0x{}", short_name(e.route_type), hex_lower(&e.body)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_as_show_prints_them() {
        // RFC 7432 type 2 with IP and two labels (label 2 not shown)
        let mut b = vec![0, 0, 0xFD, 0xE8, 0, 0, 0, 1];
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 48, 0, 0x11, 0x22, 0x33, 0x44, 0x55]);
        b.extend_from_slice(&[32, 10, 0, 0, 1, 0, 0x06, 0x41, 0, 0x07, 0xD1]);
        let e = Evpn {
            route_type: 2,
            body: b.into(),
        };
        assert_eq!(
            evpn_text(&e),
            "evpn:macadv::65000:1:-:0:00:11:22:33:44:55/48:10.0.0.1: label 100 (1601)"
        );
        // type 1 with two labels, one of them raw 0
        let mut b = vec![0, 0, 0xFD, 0xE8, 0, 0, 0, 1];
        b.extend_from_slice(&[1; 10]);
        b.extend_from_slice(&[0, 0, 0, 7, 0, 0x06, 0x41, 0, 0, 0]);
        let e = Evpn {
            route_type: 1,
            body: b.into(),
        };
        assert_eq!(
            evpn_text(&e),
            "evpn:ethernetad::65000:1:01:01:01:01:01:01:01:01:01:01:7: label [ 100 (1601) 0 ]"
        );
        // a body that does not parse
        let bad = Evpn {
            route_type: 3,
            body: vec![1, 2, 3].into(),
        };
        assert_eq!(evpn_text(&bad), "evpn:multicast:0x010203");
    }
}
