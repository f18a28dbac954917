//! Text-encoder renderings of the attributes ExaBGP 5.0.15 decodes beyond
//! the basic ones: BGP Prefix-SID (40), IPv6 address specific extended
//! communities (25), PMSI tunnel (22, also its JSON string) and BGP-LS
//! (29). Each reproduces the reference's
//! output, defects included (documented per function), so that helpers
//! parsing ExaBGP's text keep working.

use ferrobgp_wire::attribute::attr_40_prefix_sid::PrefixSidTlv;
use ferrobgp_wire::attribute::{Ipv6ExtendedCommunities, PrefixSid};

pub use super::bgp_ls::bgp_ls_text;

/// `bgp-prefix-sid` value: `[ 777 ]` (label index), `[ 300, [ ( 800000,4096
/// ), ( 1000000,5000 ) ] ]` (with originator SRGB), or for SRv6 `[
/// l3-service [ sid-information [ sid:2001:db8:1:1:: flags:0
/// endpoint_behavior:0x48  [ sid-structure [64,24,16,0,0,0] ] ] ]`.
///
/// Reference defects kept: the SID information's closing bracket is never
/// written (its brackets do not balance), a structure sub-sub-TLV is
/// preceded by two spaces, and `flags:0` is printed whatever the flags.
pub fn prefix_sid_text(p: &PrefixSid) -> String {
    let index = p.tlvs.iter().find_map(|t| match t {
        PrefixSidTlv::LabelIndex { index, .. } => Some(*index),
        _ => None,
    });
    if let Some(index) = index {
        let srgb = p.tlvs.iter().find_map(|t| match t {
            PrefixSidTlv::Srgb { ranges, .. } => Some(ranges),
            _ => None,
        });
        return match srgb {
            Some(ranges) => {
                let items: Vec<String> =
                    ranges.iter().map(|(b, r)| format!("( {b},{r} )")).collect();
                format!("[ {index}, [ {} ] ]", items.join(", "))
            }
            None => format!("[ {index} ]"),
        };
    }
    let parts: Vec<String> = p
        .tlvs
        .iter()
        .map(|t| match t {
            PrefixSidTlv::LabelIndex { index, .. } => index.to_string(),
            PrefixSidTlv::Srgb { ranges, .. } => {
                let items: Vec<String> =
                    ranges.iter().map(|(b, r)| format!("( {b},{r} )")).collect();
                format!("[ {} ]", items.join(", "))
            }
            PrefixSidTlv::Srv6Service { l2, sids } => {
                let infos: Vec<String> = sids
                    .iter()
                    .map(|s| {
                        let mut t = format!(
                            "sid-information [ sid:{} flags:0 endpoint_behavior:0x{:x} ",
                            s.sid, s.behavior
                        );
                        if let Some(st) = &s.structure {
                            t.push_str(&format!(
                                " [ sid-structure [{},{},{},{},{},{}] ]",
                                st.locator_block,
                                st.locator_node,
                                st.function,
                                st.argument,
                                st.transposition_length,
                                st.transposition_offset
                            ));
                        }
                        t
                    })
                    .collect();
                let name = if *l2 { "l2-service" } else { "l3-service" };
                format!("{name} [ {} ]", infos.join(", "))
            }
            PrefixSidTlv::Other { kind, .. } => {
                format!("Attribute with code [ {kind} ] not implemented")
            }
        })
        .collect();
    format!("[ {} ]", parts.join(", "))
}

/// `extended-community-ipv6` value: one community alone, several as `[ a
/// b ]`, sorted by their bytes (see
/// [`ferrobgp_wire::attribute::attr_25_ipv6_extended_communities`]). `None` when
/// the value is not a whole number of communities.
pub fn ipv6_extended_communities_text(value: &[u8]) -> Option<String> {
    let c = Ipv6ExtendedCommunities::parse(value).ok()?;
    (!c.is_empty()).then(|| c.to_string())
}

/// PMSI_TUNNEL (type 22, RFC 6514 section 5) as ExaBGP 5.0.15 writes it
/// (text after `pmsi ` and JSON `"pmsi"` alike):
/// `pmsi:<tunnel type name>:<flags>:<label>[(<raw label field>)]:<tunnel>`
/// (the raw field only for ingress replication, when not zero),
/// the name lower-cased without spaces (`ingressreplication`,
/// `pim-ssmtree`, ... `unknown`), the tunnel identifier an IPv4 address
/// for ingress replication (4 bytes), empty for no tunnel, `0x` + upper
/// hex otherwise. `None` for a value shorter than its 5-byte header.
pub fn pmsi_text(value: &[u8]) -> Option<String> {
    let (&flags, rest) = value.split_first()?;
    let (&kind, rest) = rest.split_first()?;
    let raw = u32::from_be_bytes([0, *rest.first()?, *rest.get(1)?, *rest.get(2)?]);
    let tunnel = &rest[3..];
    let label = raw >> 4;
    let name = match kind {
        0 => "notunnel",
        1 => "rsvp-tep2mplsp",
        2 => "mldpp2mplsp",
        3 => "pim-ssmtree",
        4 => "pim-smtree",
        5 => "bidir-pimtree",
        6 => "ingressreplication",
        7 => "mldpmp2mplsp",
        _ => "unknown",
    };
    let hex = || -> String {
        if tunnel.is_empty() {
            String::new()
        } else {
            let h: String = tunnel.iter().map(|b| format!("{b:02X}")).collect();
            format!("0x{h}")
        }
    };
    // only ExaBGP's ingress replication class (a 4-byte tunnel) keeps the
    // raw label field; its other forms are built without it
    let (raw_shown, tunnel_text) = match (kind, tunnel.len()) {
        (0, 0) => (false, String::new()),
        (6, 4) => (
            true,
            std::net::Ipv4Addr::new(tunnel[0], tunnel[1], tunnel[2], tunnel[3]).to_string(),
        ),
        _ => (false, hex()),
    };
    let label_text = if raw_shown && raw != 0 {
        format!("{label}({raw})")
    } else {
        label.to_string()
    };
    Some(format!("pmsi:{name}:{flags}:{label_text}:{tunnel_text}"))
}
