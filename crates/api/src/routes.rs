//! Builds the routes of a route command with the configuration's route
//! grammar (crates/config `route::parse_*`, spec §2.4: "Route commands use
//! the same attribute grammar as §1.9") and turns them into crates/wire
//! routes. Routes of one command share one attribute set (`Arc`).
//!
//! Families crates/wire has no NLRI type for yet (nlri-mpls, mpls-vpn,
//! FlowSpec, VPLS, MVPN, MUP) are refused with an error that says so.

use crate::command::{Action, RouteCommand, RouteKind};
use crate::error::{ApiError, Result};
use ferrobgp_config::lexer::tokenize;
use ferrobgp_config::route::{self, flow, vpls, ConfigRoute};
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route};
use std::sync::Arc;

/// A route of an API command, with the options that are not sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    pub route: Route,
    /// `name <word>`.
    pub name: Option<String>,
    /// `watchdog <name>`.
    pub watchdog: Option<String>,
    /// `withdraw` with `watchdog`: start withdrawn.
    pub withdrawn: bool,
}

fn unsupported(what: String) -> ApiError {
    ApiError::Route(format!("{what} routes are not supported yet"))
}

/// The routes `cmd` announces or withdraws.
pub fn routes(cmd: &RouteCommand) -> Result<Vec<ApiRoute>> {
    let announce = cmd.action == Action::Announce;
    let mut text = String::new();
    if let RouteKind::Family(f) = cmd.kind {
        text.push_str(&format!("{} {} ", f.afi, f.safi));
    }
    text.push_str(&cmd.words.join(" "));
    let lexed = tokenize(&text);
    if let Some(e) = lexed.errors.first() {
        return Err(ApiError::Route(e.message.clone()));
    }
    let (tokens, end) = (&lexed.tokens, lexed.end);
    let err = |e: ferrobgp_config::ParseError| ApiError::Route(e.message);
    let parsed: Vec<ConfigRoute> = match cmd.kind {
        RouteKind::Route => route::parse_route(tokens, end, announce).map_err(err)?,
        RouteKind::Attributes => route::parse_attributes(tokens, end, announce).map_err(err)?,
        RouteKind::Family(_) => route::parse_family_route(tokens, end, announce).map_err(err)?,
        RouteKind::Flow => {
            let f = flow::parse_flow_tokens(tokens, end).map_err(err)?;
            return Err(unsupported(f.family.spaced()));
        }
        RouteKind::Vpls => {
            vpls::parse_vpls(tokens, end, announce).map_err(err)?;
            return Err(unsupported("l2vpn vpls".into()));
        }
    };
    let mut cache = AttrCache::default();
    parsed.iter().map(|r| cache.convert(r)).collect()
}

/// Converts configuration routes to wire routes, giving routes with equal
/// attribute sets one shared `Arc<Attributes>`.
#[derive(Debug, Default)]
pub struct AttrCache {
    last: Option<(Arc<route::AttrSet>, Arc<Attributes>)>,
}

impl AttrCache {
    /// The wire route of `r`, or why it cannot be sent yet.
    pub fn convert(&mut self, r: &ConfigRoute) -> Result<ApiRoute> {
        let Some(p) = r.as_prefix() else {
            return Err(unsupported(r.family().spaced()));
        };
        if !ferrobgp_wire::nlri::Nlri::is_parsed(p.family) || p.labels.is_some() || p.rd.is_some() {
            return Err(unsupported(p.family.spaced()));
        }
        let attrs = match &self.last {
            Some((set, a)) if Arc::ptr_eq(set, &p.attrs) || **set == *p.attrs => a.clone(),
            _ => {
                let a = Arc::new(p.attrs.to_wire());
                self.last = Some((p.attrs.clone(), a.clone()));
                a
            }
        };
        let next_hop = p.next_hop.map_or(NextHop::None, |n| n.to_wire());
        let route = Route::new(
            Prefix::new(p.prefix, p.family.safi, p.path_id),
            next_hop,
            attrs,
        );
        Ok(ApiRoute {
            route,
            name: p.meta.name.clone(),
            watchdog: p.meta.watchdog.clone(),
            withdrawn: p.meta.withdrawn,
        })
    }
}
