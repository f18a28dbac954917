//! UPDATE messages (RFC 4271 section 4.3, RFC 4760): the wire-level
//! [`Update`], its decoding with RFC 7606 verdicts ([`decode`]), its
//! encoding for a negotiated [`Context`], MP_REACH_NLRI / MP_UNREACH_NLRI
//! reading with per-NLRI error handling ([`mp`]), End-of-RIB markers ([`eor`]) and
//! the packing of route changes into the fewest UPDATEs ExaBGP would send
//! ([`pack()`]).

pub mod decode;
pub mod eor;
pub mod error;
pub mod mp;
pub mod pack;
mod received;

pub use decode::Received;
pub use error::{Malformation, Verdict};
pub use pack::{pack, pack_unit, unit_list, Packed, UnitList, UnitNlris, Unsendable};

use crate::attribute::{code, flag, put_attribute, Attributes, MpReach, MpUnreach};
use crate::family::{Afi, Family};
use crate::negotiated::Negotiated;
use crate::nlri::Nlri;
use crate::{Error, Result};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr};

/// BGP message header length (marker, length, type).
pub const HEADER_LEN: usize = 19;
/// BGP message type of UPDATE.
pub const MESSAGE_TYPE: u8 = 2;

/// What encoding and decoding UPDATEs depends on: the negotiated
/// capabilities plus the few neighbor settings that shape UPDATEs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// Both sides announced 4-octet AS numbers.
    pub asn4: bool,
    pub local_as: u32,
    pub peer_as: u32,
    /// Families whose NLRIs we receive with path identifiers.
    pub addpath_rx: BTreeSet<Family>,
    /// Families whose NLRIs we send with path identifiers.
    pub addpath_tx: BTreeSet<Family>,
    /// Largest message (4096, or 65535 with extended message).
    pub max_size: usize,
    /// (NLRI family, next-hop AFI) pairs allowed by extended next hop.
    pub ext_nexthop: BTreeSet<(Family, Afi)>,
    /// Families negotiated; NLRIs of other families are not sent. Empty
    /// means every family.
    pub families: Vec<Family>,
    /// `group-updates` (default on).
    pub group_updates: bool,
    /// AIGP is sent to eBGP peers only when enabled.
    pub aigp: bool,
    /// Local address of the session (resolves `next-hop self`). When
    /// decoding, its presence means a live session: the checks that only
    /// make sense there apply (RFC 4271 6.3: unrecognized well-known
    /// attribute, multicast prefix in the unicast NLRI field); `ferrobgp
    /// decode` leaves it unset.
    pub local_address: Option<IpAddr>,
    /// The peer's address on a live session. A NEXT_HOP equal to
    /// `local_address` is our own address only when the two differ (on one
    /// host, as in the conformance suite, the peer's next hop is both).
    pub peer_address: Option<IpAddr>,
    /// Our router-id (resolves `next-hop self` of IPv4 routes on an IPv6
    /// session).
    pub router_id: Ipv4Addr,
}

impl Default for Context {
    /// An ASN4 iBGP session with AS 65000, no add-path, 4096-byte messages.
    fn default() -> Context {
        Context {
            asn4: true,
            local_as: 65000,
            peer_as: 65000,
            addpath_rx: BTreeSet::new(),
            addpath_tx: BTreeSet::new(),
            max_size: 4096,
            ext_nexthop: BTreeSet::new(),
            families: Vec::new(),
            group_updates: true,
            aigp: false,
            local_address: None,
            peer_address: None,
            router_id: Ipv4Addr::UNSPECIFIED,
        }
    }
}

impl From<&Negotiated> for Context {
    fn from(n: &Negotiated) -> Context {
        Context {
            asn4: n.asn4,
            local_as: n.local_as,
            peer_as: n.peer_as,
            addpath_rx: n.addpath_receive.clone(),
            addpath_tx: n.addpath_send.clone(),
            max_size: n.max_message_size(),
            ext_nexthop: n.ext_nexthop.clone(),
            families: n.families.clone(),
            group_updates: true,
            aigp: false,
            local_address: None,
            peer_address: None,
            router_id: n.local_router_id,
        }
    }
}

impl Context {
    /// The context of a live session with `n` negotiated, between our
    /// `local` address and the `peer`'s: the one both the session worker
    /// and the rib decode received UPDATEs with, so that the checks of RFC
    /// 4271 6.3 that need the addresses (see [`Context::local_address`])
    /// give the same verdict in both.
    pub fn live(n: &Negotiated, local: Option<IpAddr>, peer: Option<IpAddr>) -> Context {
        Context {
            local_address: local,
            peer_address: peer,
            ..Context::from(n)
        }
    }

    pub fn ibgp(&self) -> bool {
        self.local_as == self.peer_as
    }

    pub fn addpath_rx(&self, f: Family) -> bool {
        self.addpath_rx.contains(&f)
    }

    pub fn addpath_tx(&self, f: Family) -> bool {
        self.addpath_tx.contains(&f)
    }

    pub fn family_allowed(&self, f: Family) -> bool {
        self.families.is_empty() || self.families.contains(&f)
    }
}

/// One UPDATE as it is on the wire. IPv4 unicast withdrawals and
/// announcements use the message's own fields (`withdrawn`, `nlri`, with
/// NEXT_HOP in `next_hop`); every other family uses `mp_unreach` /
/// `mp_reach`. Attribute values are normalised (communities sorted, AS4_PATH
/// merged into AS_PATH for a 2-octet peer).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Update {
    pub withdrawn: Vec<Nlri>,
    pub attributes: Attributes,
    /// The NEXT_HOP attribute.
    pub next_hop: Option<Ipv4Addr>,
    pub mp_unreach: Option<MpUnreach>,
    pub mp_reach: Option<MpReach>,
    pub nlri: Vec<Nlri>,
}

impl Update {
    /// The family this UPDATE ends the initial RIB of, if it is an
    /// End-of-RIB marker (RFC 4724 section 2): an empty UPDATE for IPv4
    /// unicast, an UPDATE with only an empty MP_UNREACH_NLRI otherwise.
    pub fn eor(&self) -> Option<Family> {
        if !self.withdrawn.is_empty()
            || !self.nlri.is_empty()
            || self.mp_reach.is_some()
            || self.next_hop.is_some()
            || !self.attributes.is_empty()
        {
            return None;
        }
        match &self.mp_unreach {
            None => Some(Family::IPV4_UNICAST),
            Some(u) if u.nlri.is_empty() => Some(u.family),
            Some(_) => None,
        }
    }

    /// Decodes an UPDATE body (the bytes after the 19-byte header).
    pub fn decode(body: &[u8], ctx: &Context) -> Result<Received> {
        decode::decode(body, ctx)
    }

    /// Appends the UPDATE body. Path identifiers are written for the
    /// families in `ctx.addpath_tx`; AS numbers as `ctx.asn4` says.
    pub fn encode_body(&self, ctx: &Context, out: &mut Vec<u8>) {
        if self.eor().is_some() {
            if let Some(u) = &self.mp_unreach {
                out.extend_from_slice(&eor::body(u.family));
                return;
            }
        }
        let v4 = ctx.addpath_tx(Family::IPV4_UNICAST);
        let at = out.len();
        out.extend_from_slice(&[0, 0]);
        for n in &self.withdrawn {
            n.encode(out, v4);
        }
        let wlen = out.len() - at - 2;
        out[at..at + 2].copy_from_slice(&(wlen as u16).to_be_bytes());
        let at = out.len();
        out.extend_from_slice(&[0, 0]);
        self.attributes.encode(self.next_hop, ctx.asn4, out);
        if let Some(u) = &self.mp_unreach {
            put_attribute(out, flag::OPTIONAL, code::MP_UNREACH_NLRI, |w| {
                u.encode(ctx.addpath_tx(u.family), w)
            });
        }
        if let Some(r) = &self.mp_reach {
            put_attribute(out, flag::OPTIONAL, code::MP_REACH_NLRI, |w| {
                r.encode(ctx.addpath_tx(r.family), w)
            });
        }
        let alen = out.len() - at - 2;
        out[at..at + 2].copy_from_slice(&(alen as u16).to_be_bytes());
        for n in &self.nlri {
            n.encode(out, v4);
        }
    }

    /// The complete message (header included), or an error when it exceeds
    /// `ctx.max_size`.
    pub fn to_message(&self, ctx: &Context) -> Result<Vec<u8>> {
        let mut out = Vec::with_capacity(128);
        start_message(&mut out);
        self.encode_body(ctx, &mut out);
        finish_message(&mut out, 0, ctx.max_size)?;
        Ok(out)
    }
}

/// Appends a BGP header for an UPDATE with a zero length; returns nothing,
/// [`finish_message`] fills the length.
#[inline]
pub(crate) fn start_message(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0xFF; 16]);
    out.extend_from_slice(&[0, 0, MESSAGE_TYPE]);
}

/// Fills the length of the message starting at `at`.
#[inline]
pub(crate) fn finish_message(out: &mut [u8], at: usize, max: usize) -> Result<()> {
    let len = out.len() - at;
    if len > max || len > 0xFFFF {
        return Err(Error::Encode(
            format!("UPDATE of {len} bytes exceeds the maximum message size {max}").into(),
        ));
    }
    out[at + 16..at + 18].copy_from_slice(&(len as u16).to_be_bytes());
    Ok(())
}
