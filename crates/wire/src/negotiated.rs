//! The session context both OPENs agree on: what a session may send and
//! must expect (4-octet AS, ADD-PATH per family and direction, message size,
//! extended next hop, route refresh, ...). The UPDATE codec reads it to
//! encode and decode; the session computes it once, when the peer's OPEN
//! is accepted, with `negotiate` (added with the OPEN codec),
//! which also runs the OPEN checks of RFC 4271 6.2.

use crate::capability::GracefulRestart;
use crate::family::{Afi, Family};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Largest BGP message without the Extended Message capability (RFC 4271).
pub const STANDARD_MAX_MESSAGE_SIZE: usize = 4096;
/// Largest BGP message once Extended Message is negotiated (RFC 8654).
pub const EXTENDED_MAX_MESSAGE_SIZE: usize = 65535;

/// Which ROUTE-REFRESH flavour both sides support (ExaBGP's
/// `"refresh": "absent|normal|enhanced"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Refresh {
    #[default]
    Absent,
    Normal,
    Enhanced,
}

impl Refresh {
    pub fn name(self) -> &'static str {
        match self {
            Refresh::Absent => "absent",
            Refresh::Normal => "normal",
            Refresh::Enhanced => "enhanced",
        }
    }
}

/// What was negotiated for one session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Negotiated {
    /// Our AS (the real one, not AS_TRANS).
    pub local_as: u32,
    /// The peer's AS: its ASN4 capability value when it sent one, else the
    /// OPEN's 2-octet field.
    pub peer_as: u32,
    /// `local_as == peer_as`.
    pub ibgp: bool,
    pub local_router_id: Ipv4Addr,
    pub peer_router_id: Ipv4Addr,
    /// min(ours, theirs), in seconds; 0 means no keepalives and no hold timer.
    pub hold_time: u16,
    /// hold_time / 3.
    pub keepalive: u16,
    /// Both sides advertised 4-octet AS support: AS numbers in AS_PATH and
    /// AGGREGATOR are 4 octets, no AS4_PATH.
    pub asn4: bool,
    /// Families both sides advertised, sorted by (AFI, SAFI).
    pub families: Vec<Family>,
    /// Families for which WE send path identifiers (we advertised send,
    /// the peer advertised receive).
    pub addpath_send: BTreeSet<Family>,
    /// Families for which the PEER sends path identifiers (we advertised
    /// receive, the peer advertised send): decode NLRI with a path id.
    pub addpath_receive: BTreeSet<Family>,
    /// Extended Message negotiated: messages up to 65535 bytes.
    pub extended_message: bool,
    /// RFC 8950 pairs both sides advertised: NLRI family and next-hop AFI.
    pub ext_nexthop: BTreeSet<(Family, Afi)>,
    pub refresh: Refresh,
    pub multisession: bool,
    pub operational: bool,
    /// The peer's Graceful Restart capability, when it sent one and we did
    /// too.
    pub graceful_restart: Option<GracefulRestart>,
}

impl Negotiated {
    /// The largest message either side may send on this session.
    pub fn max_message_size(&self) -> usize {
        if self.extended_message {
            EXTENDED_MAX_MESSAGE_SIZE
        } else {
            STANDARD_MAX_MESSAGE_SIZE
        }
    }

    /// NLRI we send for `family` carry a path identifier.
    pub fn sends_path_id(&self, family: Family) -> bool {
        self.addpath_send.contains(&family)
    }

    /// NLRI the peer sends for `family` carry a path identifier.
    pub fn receives_path_id(&self, family: Family) -> bool {
        self.addpath_receive.contains(&family)
    }

    /// `family` routes may carry a next hop of `nexthop_afi` (RFC 8950).
    pub fn ext_nexthop_allowed(&self, family: Family, nexthop_afi: Afi) -> bool {
        self.ext_nexthop.contains(&(family, nexthop_afi))
    }

    pub fn family_negotiated(&self, family: Family) -> bool {
        self.families.contains(&family)
    }

    /// A context for decoding messages outside a session (`ferrobgp
    /// decode`, tests): ExaBGP's decode defaults, i.e. iBGP 65533 with
    /// router-id 10.0.0.2, 4-octet AS, every known family, no ADD-PATH,
    /// and messages up to 65535 bytes accepted.
    pub fn standalone() -> Negotiated {
        Negotiated {
            local_as: 65533,
            peer_as: 65533,
            ibgp: true,
            local_router_id: Ipv4Addr::new(10, 0, 0, 2),
            peer_router_id: Ipv4Addr::new(10, 0, 0, 2),
            hold_time: 180,
            keepalive: 60,
            asn4: true,
            families: Family::ALL_KNOWN.to_vec(),
            addpath_send: BTreeSet::new(),
            addpath_receive: BTreeSet::new(),
            extended_message: true,
            ext_nexthop: BTreeSet::new(),
            refresh: Refresh::Absent,
            multisession: false,
            operational: false,
            graceful_restart: None,
        }
    }

    /// As [`Negotiated::standalone`] with path identifiers expected and sent
    /// for every family (`exabgp decode -i`).
    pub fn standalone_addpath() -> Negotiated {
        let all: BTreeSet<Family> = Family::ALL_KNOWN.into_iter().collect();
        Negotiated {
            addpath_send: all.clone(),
            addpath_receive: all,
            ..Negotiated::standalone()
        }
    }
}
