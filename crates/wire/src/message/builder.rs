//! Builds our OPEN from what a neighbor's configuration asks to advertise,
//! exactly as the reference ExaBGP lays it out (spec 7.2): every capability
//! in its own optional parameter (type 2), each family its own
//! Multiprotocol capability, in this order: Multiprotocol (families sorted
//! by AFI, SAFI), 4-octet AS, Extended Next Hop, ADD-PATH (one capability
//! for all families), Graceful Restart, Route Refresh, Enhanced Route
//! Refresh, Operational, Extended Message, FQDN, Software Version,
//! Multisession (last). Parameters of more than 255 bytes switch to RFC
//! 9072 extended lengths (ExaBGP 5.0.15 switches at 255 already; RFC 9072
//! section 2 keeps the base encoding while it fits).
//!
//! The reference commit omits capabilities whose value is empty (spec 7.2
//! and defect 9.1; ExaBGP fixed it in 5.0.7):
//! [`OpenConfig::omit_empty_capabilities`] replicates that for the
//! conformance suite only (setting `ferrobgp.compat.reference-open`) and is
//! off by default. Either way the negotiation counts only what the OPEN
//! actually carries.

use super::open::{Open, OptionalParameter, BGP_VERSION};
use crate::capability::cap_065_asn4::AS_TRANS;
use crate::capability::{cap_064_graceful_restart as gr, AddPathMode};
use crate::capability::{
    cap_073_fqdn, cap_075_software_version, AddPathEntry, Capability, Fqdn, GracefulRestart,
    GracefulRestartFamily, Multisession, NextHopEntry, RouteRefreshVariant,
};
use crate::error::{Error, Result};
use crate::family::{Afi, Family};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Graceful Restart as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GracefulRestartConfig {
    /// Restart time in seconds; masked to 12 bits on the wire.
    pub time: u16,
    /// Set the Restart State (R) bit: the session is re-established on
    /// request (SIGALRM / `restart` / a reload that changed the neighbor).
    pub restarted: bool,
}

/// What to advertise. Plain data: the configuration fills it (the
/// supervisor sends it to the worker in its `PeerConfig`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenConfig {
    pub local_as: u32,
    pub hold_time: u16,
    pub router_id: Ipv4Addr,
    /// Configured families (any order; sorted and deduplicated here).
    pub families: Vec<Family>,
    /// Advertise the 4-octet AS capability (`capability { asn4 }`,
    /// default on). Off with a local AS above 65535 is an error.
    pub asn4: bool,
    /// `None`: no Extended Next Hop capability. `Some(list)`: the
    /// capability, with the entries of the list that ExaBGP may advertise
    /// (IPv4 unicast, multicast, nlri-mpls, mpls-vpn with an IPv6 next
    /// hop), in ExaBGP's order.
    pub nexthop: Option<Vec<NextHopEntry>>,
    /// `None`: no ADD-PATH capability. `Some(list)`: the capability, with
    /// the entries whose family ExaBGP may advertise (IPv4/IPv6 unicast,
    /// nlri-mpls, mpls-vpn, mup), in ExaBGP's order.
    pub add_path: Option<Vec<AddPathEntry>>,
    /// Graceful Restart for every configured family, F bit set.
    pub graceful_restart: Option<GracefulRestartConfig>,
    /// Route Refresh (2) and Enhanced Route Refresh (70).
    pub route_refresh: bool,
    pub operational: bool,
    pub extended_message: bool,
    /// FQDN capability, sent only when the host name is not empty.
    pub host_name: Option<String>,
    pub domain_name: Option<String>,
    /// Software Version capability value, e.g. `ExaBGP/5.0.0-0+test`
    /// (cut to 64 bytes as ExaBGP does).
    pub software_version: Option<String>,
    pub multisession: bool,
    /// Replicate the reference commit's defect: leave out Route Refresh,
    /// Enhanced Route Refresh, Extended Message, Operational (and any other
    /// capability whose value came out empty). Default `false` (ExaBGP
    /// 5.0.15 sends them). What is left out is not negotiated: the
    /// negotiation takes the capabilities the OPEN carries
    /// ([`OpenConfig::sent_capabilities`]).
    pub omit_empty_capabilities: bool,
}

impl Default for OpenConfig {
    fn default() -> OpenConfig {
        OpenConfig {
            local_as: 0,
            hold_time: 180,
            router_id: Ipv4Addr::UNSPECIFIED,
            families: vec![Family::IPV4_UNICAST],
            asn4: true,
            nexthop: None,
            add_path: None,
            graceful_restart: None,
            route_refresh: false,
            operational: false,
            extended_message: true,
            host_name: None,
            domain_name: None,
            software_version: None,
            multisession: false,
            omit_empty_capabilities: false,
        }
    }
}

/// Extended next-hop entries ExaBGP may advertise, in its order.
pub const EXABGP_NEXTHOP_ORDER: [(Family, Afi); 4] = [
    (Family::IPV4_UNICAST, Afi::IPV6),
    (Family::IPV4_MULTICAST, Afi::IPV6),
    (Family::IPV4_NLRI_MPLS, Afi::IPV6),
    (Family::IPV4_MPLS_VPN, Afi::IPV6),
];

/// ADD-PATH families ExaBGP may advertise, in its order (reference
/// version; MUP was dropped in later releases).
pub const EXABGP_ADDPATH_ORDER: [Family; 8] = [
    Family::IPV4_UNICAST,
    Family::IPV6_UNICAST,
    Family::IPV4_NLRI_MPLS,
    Family::IPV6_NLRI_MPLS,
    Family::IPV4_MPLS_VPN,
    Family::IPV6_MPLS_VPN,
    Family::IPV4_MUP,
    Family::IPV6_MUP,
];

/// What our OPEN carries: the input of the negotiation for our side.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Advertised {
    pub capabilities: Vec<Capability>,
}

impl OpenConfig {
    /// The capabilities in ExaBGP's order, none omitted.
    pub fn capabilities(&self) -> Result<Vec<Capability>> {
        let mut caps = Vec::new();
        let mut families = self.families.clone();
        families.sort();
        families.dedup();
        caps.extend(families.iter().map(|f| Capability::Multiprotocol(*f)));
        if self.asn4 {
            caps.push(Capability::Asn4(self.local_as));
        } else if self.local_as > u32::from(u16::MAX) {
            return Err(Error::Encode(
                "a four-octet local AS requires the asn4 capability".into(),
            ));
        }
        caps.extend(self.extended_next_hop_capability());
        caps.extend(self.add_path_capability());
        caps.extend(self.graceful_restart_capability(&families));
        if self.route_refresh {
            caps.push(Capability::RouteRefresh(RouteRefreshVariant::Rfc));
            caps.push(Capability::EnhancedRouteRefresh);
        }
        if self.operational {
            caps.push(Capability::Operational);
        }
        if self.extended_message {
            caps.push(Capability::ExtendedMessage);
        }
        if let Some(host) = self.host_name.as_deref().filter(|h| !h.is_empty()) {
            caps.push(Capability::Fqdn(Fqdn {
                host_name: cap_073_fqdn::truncate(host, cap_073_fqdn::MAX_NAME_LEN).to_string(),
                domain_name: cap_073_fqdn::truncate(
                    self.domain_name.as_deref().unwrap_or(""),
                    cap_073_fqdn::MAX_NAME_LEN,
                )
                .to_string(),
            }));
        }
        if let Some(v) = &self.software_version {
            caps.push(Capability::SoftwareVersion(
                cap_075_software_version::exabgp_limit(v),
            ));
        }
        if self.multisession {
            // ExaBGP's layout: the flags octet and each Session Id code
            // (only Multiprotocol) as separate one-octet TLVs.
            for octet in [0u8, crate::capability::codes::MULTIPROTOCOL] {
                caps.push(Capability::Multisession(Multisession {
                    cisco: false,
                    flags: Some(octet),
                    codes: Vec::new(),
                }));
            }
        }
        Ok(caps)
    }

    /// Extended Next Hop (RFC 8950) for the configured pairs, in
    /// ExaBGP's order.
    fn extended_next_hop_capability(&self) -> Option<Capability> {
        let nh = self.nexthop.as_ref()?;
        let entries = EXABGP_NEXTHOP_ORDER
            .iter()
            .map(|(family, nexthop_afi)| NextHopEntry {
                family: *family,
                nexthop_afi: *nexthop_afi,
            })
            .filter(|e| nh.contains(e))
            .collect();
        Some(Capability::ExtendedNextHop(entries))
    }

    /// ADD-PATH (RFC 7911) for the families with a mode, in ExaBGP's order.
    fn add_path_capability(&self) -> Option<Capability> {
        let ap = self.add_path.as_ref()?;
        let entries = EXABGP_ADDPATH_ORDER
            .iter()
            .filter_map(|f| ap.iter().find(|e| e.family == *f).copied())
            .filter(|e| e.mode != AddPathMode(0))
            .collect();
        Some(Capability::AddPath(entries))
    }

    /// Graceful Restart (RFC 4724): the restart state when restarted, the
    /// forwarding state kept for every family.
    fn graceful_restart_capability(&self, families: &[Family]) -> Option<Capability> {
        let g = self.graceful_restart.as_ref()?;
        Some(Capability::GracefulRestart(GracefulRestart {
            flags: if g.restarted { gr::RESTART_STATE } else { 0 },
            time: g.time & gr::TIME_MASK,
            families: families
                .iter()
                .map(|f| GracefulRestartFamily {
                    family: *f,
                    flags: gr::FORWARDING_STATE,
                })
                .collect(),
        }))
    }

    /// The capabilities the OPEN carries: [`OpenConfig::capabilities`]
    /// less the empty ones when [`OpenConfig::omit_empty_capabilities`]
    /// replicates the reference defect.
    pub fn sent_capabilities(&self) -> Result<Vec<Capability>> {
        let mut caps = self.capabilities()?;
        if self.omit_empty_capabilities {
            caps.retain(|c| {
                let mut value = Vec::new();
                c.encode_value(&mut value);
                !value.is_empty()
            });
        }
        Ok(caps)
    }

    /// What the OPEN carries, for the negotiation: a capability left out
    /// is never negotiated.
    pub fn advertised(&self) -> Result<Advertised> {
        Ok(Advertised {
            capabilities: self.sent_capabilities()?,
        })
    }

    /// The OPEN to send.
    pub fn build(&self) -> Result<Open> {
        let params = self
            .sent_capabilities()?
            .into_iter()
            .map(|c| OptionalParameter::Capabilities(vec![c]))
            .collect();
        let mut open = Open {
            version: BGP_VERSION,
            my_as: u16::try_from(self.local_as).unwrap_or(AS_TRANS),
            hold_time: self.hold_time,
            router_id: self.router_id,
            params,
            extended_params: false,
        };
        // RFC 9072 section 2: the base encoding while the parameters fit
        // it (255 bytes at most); ExaBGP 5.0.15 already switches at 255.
        let mut body = Vec::new();
        open.encode_body(&mut body)?;
        open.extended_params = body.len() - 10 > 255;
        Ok(open)
    }
}

impl OpenConfig {
    /// Negotiates against the peer's OPEN with what our OPEN carries (see
    /// [`crate::negotiated::negotiate`]).
    pub fn negotiate(
        &self,
        peer: &Open,
        expected_peer_as: Option<u32>,
    ) -> Result<crate::negotiated::Negotiated> {
        let caps = self.sent_capabilities()?;
        crate::negotiated::negotiate(
            &crate::negotiated::Local {
                local_as: self.local_as,
                hold_time: self.hold_time,
                router_id: self.router_id,
                capabilities: &caps,
                expected_peer_as,
            },
            peer,
        )
    }
}
