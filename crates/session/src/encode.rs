//! Turns the rib's changes into the BGP messages to write, for what was
//! negotiated: UPDATEs (through the wire crate's packing), End-of-RIB
//! markers, ROUTE-REFRESH requests, and pre-encoded messages.

use crate::error::{Error, Result};
use crate::peer::PeerConfig;
use ferrobgp_ipc::Change;
use ferrobgp_wire::message::header::{frame, kind};
use ferrobgp_wire::message::RouteRefresh;
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::Family;

/// One message to write; `update` says whether rate-limit applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub bytes: Vec<u8>,
    pub update: bool,
}

/// The body of an End-of-RIB UPDATE (RFC 4724, spec 7.6): empty for IPv4
/// unicast; otherwise an MP_UNREACH_NLRI holding only AFI/SAFI, written
/// with the extended-length flag as ExaBGP does (`900F 0003`).
pub fn eor_body(family: Family) -> Vec<u8> {
    if family == Family::IPV4_UNICAST {
        return vec![0, 0, 0, 0];
    }
    let [a, b] = family.afi.0.to_be_bytes();
    vec![0, 0, 0, 7, 0x90, 0x0f, 0, 3, a, b, family.safi.0]
}

/// Encodes `changes`, in order.
pub fn encode_changes(
    changes: &[Change],
    negotiated: &Negotiated,
    cfg: &PeerConfig,
) -> Result<Vec<Outgoing>> {
    let max = negotiated.max_message_size();
    let mut out = Vec::new();
    for change in changes {
        match change {
            Change::Raw { kind, body } => out.push(Outgoing {
                bytes: frame(*kind, body, max).map_err(|e| Error::Encode(e.to_string()))?,
                update: *kind == kind::UPDATE,
            }),
            Change::RouteRefresh(family) => {
                // ExaBGP sends it whenever `route-refresh` is configured,
                // whatever the peer advertised.
                if !cfg.open.route_refresh {
                    continue;
                }
                let mut body = Vec::new();
                RouteRefresh::new(*family, 0).encode_body(&mut body);
                out.push(Outgoing {
                    bytes: frame(kind::ROUTE_REFRESH, &body, max)
                        .map_err(|e| Error::Encode(e.to_string()))?,
                    update: false,
                });
            }
            Change::Eor(family) => out.push(Outgoing {
                bytes: frame(kind::UPDATE, &eor_body(*family), max)
                    .map_err(|e| Error::Encode(e.to_string()))?,
                update: true,
            }),
            Change::Announce(_) | Change::Withdraw(_) => {
                return Err(Error::Encode(
                    "UPDATE packing is not available yet in crates/wire".into(),
                ))
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_of_rib_bytes() {
        assert_eq!(eor_body(Family::IPV4_UNICAST), [0, 0, 0, 0]);
        assert_eq!(
            eor_body(Family::IPV6_UNICAST),
            [0, 0, 0, 7, 0x90, 0x0f, 0, 3, 0, 2, 1]
        );
        assert_eq!(
            eor_body(Family::IPV4_FLOW),
            [0, 0, 0, 7, 0x90, 0x0f, 0, 3, 0, 1, 133]
        );
    }
}
