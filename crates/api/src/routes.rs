//! Builds the routes of a route command with the configuration's route
//! grammar (crates/config `route::parse_*`, spec §2.4: "Route commands use
//! the same attribute grammar as §1.9") and turns them into crates/wire
//! routes. Routes of one command share one attribute set (`Arc`).
//!
//! Every kind `ConfigRoute::to_wire` converts (prefix routes of every
//! SAFI, FlowSpec, VPLS, MVPN, MUP) is accepted; a route it cannot convert
//! is refused with an error that says so.

use crate::command::{RouteCommand, RouteKind, Verb};
use crate::error::{ApiError, Result};
use ferrobgp_config::route::AttrSet;
use ferrobgp_config::route::{self, flow, vpls, ConfigRoute};
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::route::Route;
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

/// The routes `cmd` announces or withdraws. `announce route PREFIX ...`
/// lines that repeat the previous line's attributes take the fast path of
/// `crate::template`.
pub fn routes(cmd: &RouteCommand) -> Result<Vec<ApiRoute>> {
    if let Some(route) = crate::template::lookup(cmd) {
        return Ok(vec![route]);
    }
    let built = build(cmd)?;
    crate::template::remember(cmd, &built);
    Ok(built)
}

/// The routes of `cmd` through the configuration's route grammar, read
/// from the line's own words (crate::tokens: no second lexing).
fn build(cmd: &RouteCommand) -> Result<Vec<ApiRoute>> {
    let announce = cmd.action == Verb::Announce;
    let family = match cmd.kind {
        RouteKind::Family(f) => Some((f.afi.to_string(), f.safi.to_string())),
        _ => None,
    };
    let prefix = family.iter().flat_map(|(a, s)| [a.as_str(), s.as_str()]);
    let lexed = crate::tokens::tokens(prefix.chain(cmd.words.iter().map(String::as_str)))?;
    let (tokens, end) = (&lexed.tokens, lexed.end);
    let err = |e: ferrobgp_config::ParseError| ApiError::Route(e.message);
    let parsed: Vec<ConfigRoute> = match cmd.kind {
        RouteKind::Route => route::parse_route(tokens, end, announce).map_err(err)?,
        RouteKind::Attributes => route::parse_attributes(tokens, end, announce).map_err(err)?,
        RouteKind::Family(_) => route::parse_family_route(tokens, end, announce).map_err(err)?,
        RouteKind::Flow => vec![ConfigRoute::Flow(
            flow::parse_flow_tokens(tokens, end).map_err(err)?,
        )],
        RouteKind::Vpls => vec![ConfigRoute::Vpls(
            vpls::parse_vpls(tokens, end, announce).map_err(err)?,
        )],
    };
    let mut cache = AttrCache::default();
    parsed.iter().map(|r| cache.convert(r)).collect()
}

/// Converts configuration routes to wire routes (crates/config
/// `ConfigRoute::to_wire`, which knows which kinds wire can encode), giving
/// consecutive routes with equal attributes one shared `Arc<Attributes>`.
/// Prefix routes that share the configuration's attribute set (`Arc`: the
/// routes of one statement, `nlri` lists and `split` included) have it
/// converted once, not once a route.
#[derive(Debug, Default)]
pub struct AttrCache {
    last: Option<Arc<Attributes>>,
    /// The configuration attribute set `last` was converted from, when
    /// `last` is exactly its conversion (a prefix route's).
    source: Option<Arc<AttrSet>>,
}

impl AttrCache {
    /// The wire route of `r`, or why it cannot be sent yet.
    pub fn convert(&mut self, r: &ConfigRoute) -> Result<ApiRoute> {
        let shared = match (r, &self.source, &self.last) {
            (ConfigRoute::Prefix(p), Some(s), Some(a)) if Arc::ptr_eq(&p.attrs, s) => {
                Some(p.to_wire_with(a.clone()))
            }
            _ => None,
        };
        let route = match shared {
            Some(route) => route,
            None => {
                let route = r.to_wire();
                if let Some(route) = &route {
                    self.source = match r {
                        ConfigRoute::Prefix(p) => Some(p.attrs.clone()),
                        _ => None,
                    };
                    match &self.last {
                        Some(a) if **a == *route.attributes => {}
                        _ => self.last = Some(route.attributes.clone()),
                    }
                }
                route.map(|mut route| {
                    if let Some(a) = &self.last {
                        route.attributes = a.clone();
                    }
                    route
                })
            }
        };
        let Some(route) = route else {
            return Err(unsupported(r.family().spaced()));
        };
        let meta = r.meta();
        Ok(ApiRoute {
            route,
            name: meta.name.clone(),
            watchdog: meta.watchdog.clone(),
            withdrawn: meta.withdrawn,
        })
    }
}
