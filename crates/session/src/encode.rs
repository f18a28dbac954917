//! Turns the rib's changes into the BGP messages to write, for what was
//! negotiated: UPDATEs (through the wire crate's packing), End-of-RIB
//! markers, ROUTE-REFRESH requests, and pre-encoded messages.

use crate::error::{Error, Result};
use crate::peer::PeerConfig;
use ferrobgp_ipc::Change;
use ferrobgp_wire::message::header::{frame, kind};
use ferrobgp_wire::message::RouteRefresh;
use ferrobgp_wire::negotiated::Negotiated;

/// One message to write; `update` says whether rate-limit applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub bytes: Vec<u8>,
    pub update: bool,
}

/// Encodes `changes`, in order.
pub fn encode_changes(
    changes: &[Change],
    negotiated: &Negotiated,
    cfg: &PeerConfig,
) -> Result<Vec<Outgoing>> {
    let _ = cfg;
    let max = negotiated.max_message_size();
    let mut out = Vec::new();
    for change in changes {
        match change {
            Change::Raw { kind, body } => out.push(Outgoing {
                bytes: frame(*kind, body, max).map_err(|e| Error::Encode(e.to_string()))?,
                update: *kind == kind::UPDATE,
            }),
            Change::RouteRefresh(family) => {
                if negotiated.refresh == ferrobgp_wire::negotiated::Refresh::Absent {
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
            Change::Announce(_) | Change::Withdraw(_) | Change::Eor(_) => {
                return Err(Error::Encode(
                    "UPDATE packing is not available yet in crates/wire".into(),
                ))
            }
        }
    }
    Ok(out)
}
