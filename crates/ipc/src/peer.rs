//! A neighbor's session configuration as its worker needs it, as plain
//! data: addresses and socket options, AS numbers, what the OPEN
//! advertises, the FSM settings and the sending policy. The supervisor
//! builds it from the configuration (`supervisor/src/peer_config.rs`) and
//! sends it in [`SupervisorToSession::Init`](crate::SupervisorToSession::Init),
//! so the worker never reads the configuration model; tests fill it
//! directly.
//!
//! The wire types it is made of are re-exported here, so that its builder
//! names them without depending on the codec.

pub use ferrobgp_wire::capability::{AddPathEntry, AddPathMode, NextHopEntry};
pub use ferrobgp_wire::message::{GracefulRestartConfig, OpenConfig};
pub use ferrobgp_wire::Family;
use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

/// The neighbor as the session worker sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// `ferrobgp.compat.reference-extended-community`: send 4-byte-ASN
    /// route targets and origins with ExaBGP's type 0x01, not RFC 5668's
    /// 0x02.
    pub reference_extended_community: bool,
    /// `ferrobgp.compat.reference-unknown-message`: answer a message of
    /// unknown type with ExaBGP's 1/0 and a text, not RFC 4271's 1/3.
    pub reference_unknown_message: bool,
}

/// What the session's state machine (`session/src/fsm.rs`) needs from the
/// neighbor's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FsmConfig {
    /// Never initiate TCP; wait for connections handed in.
    pub passive: bool,
    /// `local-as auto`: read the peer's OPEN before sending ours.
    pub read_open_first: bool,
    /// Hold time we propose (0 = no keepalives).
    pub hold_time: u16,
    /// Our BGP identifier (for collision resolution).
    pub router_id: Ipv4Addr,
    /// How long we wait for the peer's OPEN once TCP is up (bgp.openwait).
    pub open_wait: Duration,
    /// Outgoing connection attempts allowed (0 = unlimited).
    pub max_attempts: u32,
}
