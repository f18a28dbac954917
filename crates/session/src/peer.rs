//! Everything the worker needs to know about its neighbor, as plain data:
//! addresses and socket options, AS numbers, what the OPEN advertises, the
//! FSM settings and the sending policy. Filled from the configuration
//! crate's `Neighbor` and `Settings` (see `from_config`), or directly by
//! tests.

use crate::fsm::FsmConfig;
use ferrobgp_wire::message::OpenConfig;
use std::net::IpAddr;

/// The neighbor as the session worker sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerConfig {
    /// Remote address.
    pub peer_address: IpAddr,
    /// Source address of outgoing connections (`None`: `local-address auto`).
    pub local_address: Option<IpAddr>,
    /// Destination port of outgoing connections (`connect`, else `tcp.port`).
    pub port: u16,
    pub source_interface: Option<String>,
    pub outgoing_ttl: Option<u8>,
    pub incoming_ttl: Option<u8>,
    /// TCP-MD5 key, already base64-decoded when configured so.
    pub md5_key: Option<Vec<u8>>,
    /// `None` for `local-as auto` (the peer's AS is mirrored).
    pub local_as: Option<u32>,
    /// `None` for `peer-as auto` (any AS accepted).
    pub peer_as: Option<u32>,
    /// What our OPEN advertises; its `local_as` is replaced by the
    /// resolved one when the OPEN is built.
    pub open: OpenConfig,
    pub fsm: FsmConfig,
    /// `group-updates`: pack IPv4 unicast NLRIs sharing attributes.
    pub group_updates: bool,
    /// `manual-eor`: do not ask the rib for End-of-RIB markers.
    pub manual_eor: bool,
    /// `rate-limit`: at most this many UPDATEs per second (0 = no limit).
    pub rate_limit: u32,
    /// Report every received message to the rib (api receive events,
    /// Adj-RIB-In).
    pub report_received: bool,
    /// Report every sent message to the rib (api send events).
    pub report_sent: bool,
    /// `capability { aigp }`: AIGP may be sent to eBGP peers.
    pub aigp: bool,
    /// Graceful restart advertised (a teardown still sends its Cease).
    pub graceful_restart: bool,
    /// `ferrobgp.compat.reference-extended-community`: send 4-byte-ASN
    /// route targets and origins with ExaBGP's type 0x01, not RFC 5668's
    /// 0x02.
    pub reference_extended_community: bool,
    /// `ferrobgp.compat.reference-unknown-message`: answer a message of
    /// unknown type with ExaBGP's 1/0 and a text, not RFC 4271's 1/3.
    pub reference_unknown_message: bool,
}
