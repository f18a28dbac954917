//! Turns the rib's changes into the BGP messages to write, for what was
//! negotiated: runs of route announcements and withdrawals are packed into
//! UPDATEs by the wire crate's [`pack()`] (ExaBGP's grouping rules live
//! there), End-of-RIB markers come from [`eor`], ROUTE-REFRESH requests and
//! pre-encoded messages are framed here.

use crate::error::{Error, Result};
use crate::peer::PeerConfig;
use ferrobgp_ipc::Change;
use ferrobgp_wire::message::header::{frame, kind};
use ferrobgp_wire::message::RouteRefresh;
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::route::{Route, RouteChange};
use ferrobgp_wire::update::{eor, pack, Context};
use std::net::SocketAddr;

/// One message to write; `update` says whether rate-limit applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub bytes: Vec<u8>,
    pub update: bool,
}

/// The UPDATE context of a session: what was negotiated plus the neighbor
/// settings that shape UPDATEs (group-updates, aigp, next-hop self).
pub fn context(neg: &Negotiated, cfg: &PeerConfig, local: Option<SocketAddr>) -> Context {
    let mut ctx = Context::from(neg);
    ctx.group_updates = cfg.group_updates;
    ctx.aigp = cfg.aigp;
    ctx.local_address = cfg.local_address.or(local.map(|a| a.ip()));
    ctx
}

fn route(s: &ferrobgp_ipc::Serialized) -> Result<Route> {
    s.to::<Route>()
        .map_err(|e| Error::Ipc(format!("route from the rib: {e}")))
}

/// Packs the pending run of route changes.
fn flush_routes(run: &mut Vec<RouteChange>, ctx: &Context, out: &mut Vec<Outgoing>) {
    if run.is_empty() {
        return;
    }
    let packed = pack(run, ctx);
    for e in &packed.errors {
        tracing::error!("{e}");
    }
    out.extend(packed.messages.into_iter().map(|bytes| Outgoing {
        bytes,
        update: true,
    }));
    run.clear();
}

/// Encodes `changes`, in order.
pub fn encode_changes(
    changes: &[Change],
    ctx: &Context,
    cfg: &PeerConfig,
) -> Result<Vec<Outgoing>> {
    let max = ctx.max_size;
    let mut out = Vec::new();
    let mut run: Vec<RouteChange> = Vec::new();
    for change in changes {
        match change {
            Change::Announce(r) => run.push(RouteChange::Announce(route(r)?)),
            Change::Withdraw(r) => run.push(RouteChange::Withdraw(route(r)?)),
            Change::Eor(family) => {
                flush_routes(&mut run, ctx, &mut out);
                out.push(Outgoing {
                    bytes: eor::message(*family),
                    update: true,
                });
            }
            Change::Raw { kind, body } => {
                flush_routes(&mut run, ctx, &mut out);
                out.push(Outgoing {
                    bytes: frame(*kind, body, max).map_err(|e| Error::Encode(e.to_string()))?,
                    update: *kind == kind::UPDATE,
                });
            }
            Change::RouteRefresh(family) => {
                flush_routes(&mut run, ctx, &mut out);
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
        }
    }
    flush_routes(&mut run, ctx, &mut out);
    Ok(out)
}
