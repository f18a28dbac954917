//! The session context both OPENs agree on: what a session may send and
//! must expect (4-octet AS, ADD-PATH per family and direction, message size,
//! extended next hop, route refresh, ...). The UPDATE codec reads it to
//! encode and decode; the session computes it once, when the peer's OPEN
//! is accepted, with [`negotiate`], which also runs the OPEN checks of
//! RFC 4271 6.2 and ExaBGP's (peer AS 2/2, BGP identifier 2/3, hold time
//! 2/6, optional parameters 2/4, multisession 2/8 and 2/9).
//!
//! Our side is described by every capability we *advertise* (see
//! [`crate::message::OpenConfig::advertised`]), not by the OPEN bytes: the
//! reference leaves empty capabilities out of its OPEN but still counts
//! them as sent (spec 7.2), so that e.g. Extended Message is negotiated
//! when only the peer put it on the wire.

use crate::capability::{codes, Capability, GracefulRestart};
use crate::error::{code, subcode, Error, Result};
use crate::family::{Afi, Family};
use crate::message::open::{Open, OptionalParameter, BGP_VERSION};
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

/// Our side of the negotiation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Local<'a> {
    pub local_as: u32,
    pub hold_time: u16,
    pub router_id: Ipv4Addr,
    /// The capabilities our OPEN carries (never one it left out).
    pub capabilities: &'a [Capability],
    /// The peer AS the configuration expects (`peer-as`); `None` accepts
    /// any.
    pub expected_peer_as: Option<u32>,
}

/// OPEN Message Error subcodes of draft-ietf-idr-bgp-multisession.
pub const GROUPING_CONFLICT: u8 = 8;
pub const GROUPING_REQUIRED: u8 = 9;

fn open_error(sub: u8, data: impl Into<Vec<u8>>, reason: String) -> Error {
    Error::malformed_data(code::OPEN_MESSAGE, sub, data, reason)
}

fn text_error(sub: u8, text: String) -> Error {
    open_error(sub, text.clone().into_bytes(), text)
}

fn has(caps: &[&Capability], code: u8) -> bool {
    caps.iter().any(|c| c.code() == code)
}

/// The Session Id of the first Multisession capability with `code`, with
/// an empty one read as {Multiprotocol} (draft section 4).
fn session_id(caps: &[&Capability], code: u8) -> Option<BTreeSet<u8>> {
    caps.iter().find_map(|c| match c {
        Capability::Multisession(m) if m.code() == code => {
            let mut ids: BTreeSet<u8> = m
                .codes
                .iter()
                .copied()
                .filter(|c| *c != codes::MULTISESSION && *c != codes::MULTISESSION_CISCO)
                .collect();
            if ids.is_empty() {
                ids.insert(codes::MULTIPROTOCOL);
            }
            Some(ids)
        }
        _ => None,
    })
}

/// Checks the peer's OPEN against ours and computes the session context.
///
/// Errors carry the NOTIFICATION to send: version other than 4 (2/1, data
/// 0x0004), an optional parameter other than capabilities (2/4), peer AS
/// 0 (RFC 7607) or not the expected one (2/2; the 4-octet AS capability's
/// value when both sides advertise it, RFC 6793), BGP identifier 0.0.0.0 or equal to ours on
/// iBGP (2/3), hold time 1 or 2 (2/6), multisession Session Id mismatch
/// (2/8) or multisession required but not offered (2/9). The texts are
/// ExaBGP's.
pub fn negotiate(local: &Local<'_>, peer: &Open) -> Result<Negotiated> {
    check_version_and_parameters(peer)?;
    let ours: Vec<&Capability> = local.capabilities.iter().collect();
    let theirs: Vec<&Capability> = peer.capabilities().collect();

    let asn4 = has(&ours, codes::ASN4) && has(&theirs, codes::ASN4);
    let peer_as = check_peer_as(local, peer, asn4)?;
    let ibgp = peer_as == local.local_as;
    check_identifier_and_hold_time(local, peer, ibgp)?;
    let multisession = multisession(&ours, &theirs)?;
    let (addpath_send, addpath_receive) = addpath(&ours, &theirs);

    let both = |code: u8| has(&ours, code) && has(&theirs, code);
    let refresh = if both(codes::ENHANCED_ROUTE_REFRESH) {
        Refresh::Enhanced
    } else if both(codes::ROUTE_REFRESH) {
        Refresh::Normal
    } else {
        Refresh::Absent
    };
    let graceful_restart = if has(&ours, codes::GRACEFUL_RESTART) {
        theirs.iter().find_map(|c| match c {
            Capability::GracefulRestart(g) => Some(g.clone()),
            _ => None,
        })
    } else {
        None
    };
    let hold_time = local.hold_time.min(peer.hold_time);
    Ok(Negotiated {
        local_as: local.local_as,
        peer_as,
        ibgp,
        local_router_id: local.router_id,
        peer_router_id: peer.router_id,
        hold_time,
        keepalive: hold_time / 3,
        asn4,
        families: families(&ours, &theirs),
        addpath_send,
        addpath_receive,
        extended_message: both(codes::EXTENDED_MESSAGE),
        ext_nexthop: ext_nexthop(&ours, &theirs),
        refresh,
        multisession,
        operational: both(codes::OPERATIONAL),
        graceful_restart,
    })
}

/// Version 4 (else 2/1, data 0x0004) and no optional parameter other than
/// capabilities (else 2/4).
fn check_version_and_parameters(peer: &Open) -> Result<()> {
    if peer.version != BGP_VERSION {
        return Err(open_error(
            subcode::open::UNSUPPORTED_VERSION,
            vec![0, BGP_VERSION],
            format!("version number: {}", peer.version),
        ));
    }
    if let Some(OptionalParameter::Other { kind, .. }) = peer
        .params
        .iter()
        .find(|p| matches!(p, OptionalParameter::Other { .. }))
    {
        return Err(text_error(
            subcode::open::UNSUPPORTED_OPTIONAL_PARAMETER,
            format!("unknown OPEN parameter {kind:#x}"),
        ));
    }
    Ok(())
}

/// The peer's AS (the 4-octet AS capability's when both sides are NEW
/// speakers), checked against 0 and the expected one (2/2).
fn check_peer_as(local: &Local<'_>, peer: &Open, asn4: bool) -> Result<u32> {
    // RFC 6793 section 4.1: between two NEW speakers the capability
    // carries the peer's AS (My AS is AS_TRANS when it needs 4 octets);
    // an old speaker's is My AS, to be matched against `peer-as` as is.
    let peer_as = match (asn4, peer.asn4()) {
        (true, Some(a)) => a,
        _ => u32::from(peer.my_as),
    };
    // RFC 7607 section 2: AS 0 as the peer's AS, in My AS or in the
    // capability that replaces it, is Bad Peer AS.
    if peer.my_as == 0 || peer_as == 0 {
        return Err(text_error(
            subcode::open::BAD_PEER_AS,
            format!(
                "AS 0 in OPEN (My AS {}, 4-octet AS {}) is reserved",
                peer.my_as, peer_as
            ),
        ));
    }
    if let Some(expected) = local.expected_peer_as {
        if peer_as != expected {
            return Err(text_error(
                subcode::open::BAD_PEER_AS,
                // ExaBGP's text, with the AS that was compared (the
                // 4-octet AS capability's when it counts)
                format!("ASN in OPEN ({peer_as}) did not match ASN expected ({expected})"),
            ));
        }
    }
    Ok(peer_as)
}

/// BGP identifier not 0.0.0.0 and, on iBGP, not ours (2/3); hold time
/// not 1 or 2 (2/6).
fn check_identifier_and_hold_time(local: &Local<'_>, peer: &Open, ibgp: bool) -> Result<()> {
    if peer.router_id.is_unspecified() {
        return Err(text_error(
            subcode::open::BAD_BGP_IDENTIFIER,
            "0.0.0.0 is an invalid router_id".to_string(),
        ));
    }
    if ibgp && peer.router_id == local.router_id {
        return Err(text_error(
            subcode::open::BAD_BGP_IDENTIFIER,
            format!(
                "BGP Identifier collision, same router-id ({}) on both sides of this IBGP session",
                peer.router_id
            ),
        ));
    }
    if matches!(peer.hold_time, 1 | 2) {
        return Err(text_error(
            subcode::open::UNACCEPTABLE_HOLD_TIME,
            format!("Hold Time is invalid ({})", peer.hold_time),
        ));
    }
    Ok(())
}

/// Multisession (draft-ietf-idr-bgp-multisession, as ExaBGP checks it):
/// whether it is in use; a Session Id mismatch is 2/8, multisession
/// required by us but not offered 2/9.
fn multisession(ours: &[&Capability], theirs: &[&Capability]) -> Result<bool> {
    let mut multisession = false;
    for ms_code in [codes::MULTISESSION, codes::MULTISESSION_CISCO] {
        if let (Some(a), Some(b)) = (session_id(ours, ms_code), session_id(theirs, ms_code)) {
            if a != b {
                return Err(text_error(
                    GROUPING_CONFLICT,
                    "multisession, our peer did not reply with the same sessionid".to_string(),
                ));
            }
            multisession = true;
            break;
        }
    }
    if !multisession && (has(ours, codes::MULTISESSION) || has(ours, codes::MULTISESSION_CISCO)) {
        return Err(text_error(
            GROUPING_REQUIRED,
            "multisession is mandatory with this peer".to_string(),
        ));
    }
    Ok(multisession)
}

/// The Multiprotocol families both sides advertise, in order.
fn families(ours: &[&Capability], theirs: &[&Capability]) -> Vec<Family> {
    let fam_of = |caps: &[&Capability]| -> BTreeSet<Family> {
        caps.iter()
            .filter_map(|c| match c {
                Capability::Multiprotocol(f) => Some(*f),
                _ => None,
            })
            .collect()
    };
    let our_families = fam_of(ours);
    fam_of(theirs)
        .intersection(&our_families)
        .copied()
        .collect()
}

/// The families in which we may send, and receive, several paths (RFC
/// 7911: our send with their receive, our receive with their send).
fn addpath(ours: &[&Capability], theirs: &[&Capability]) -> (BTreeSet<Family>, BTreeSet<Family>) {
    let addpath_of = |caps: &[&Capability]| -> Vec<crate::capability::AddPathEntry> {
        caps.iter()
            .filter_map(|c| match c {
                Capability::AddPath(e) => Some(e.clone()),
                _ => None,
            })
            .flatten()
            .collect()
    };
    let (our_ap, their_ap) = (addpath_of(ours), addpath_of(theirs));
    let mut addpath_send = BTreeSet::new();
    let mut addpath_receive = BTreeSet::new();
    for o in &our_ap {
        for t in their_ap.iter().filter(|t| t.family == o.family) {
            if o.mode.send() && t.mode.receive() {
                addpath_send.insert(o.family);
            }
            if o.mode.receive() && t.mode.send() {
                addpath_receive.insert(o.family);
            }
        }
    }
    (addpath_send, addpath_receive)
}

/// The (family, next-hop AFI) pairs of the Extended Next Hop capability
/// both sides advertise (RFC 8950).
fn ext_nexthop(ours: &[&Capability], theirs: &[&Capability]) -> BTreeSet<(Family, Afi)> {
    let nh_of = |caps: &[&Capability]| -> BTreeSet<(Family, Afi)> {
        caps.iter()
            .filter_map(|c| match c {
                Capability::ExtendedNextHop(e) => Some(e.clone()),
                _ => None,
            })
            .flatten()
            .map(|e| (e.family, e.nexthop_afi))
            .collect()
    };
    nh_of(ours).intersection(&nh_of(theirs)).copied().collect()
}
