//! The resolved configuration model: what a file means once templates are
//! merged and ExaBGP's defaults applied. Every type is serde-serialisable so
//! the supervisor can hand each process its part over IPC.

use crate::route::ConfigRoute;
use ferrobgp_wire::{Afi, Family};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

/// One configuration file, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// The file this came from.
    pub source: PathBuf,
    /// `process` blocks, in file order.
    pub processes: Vec<Process>,
    /// `neighbor` blocks, in file order, templates merged.
    pub neighbors: Vec<Neighbor>,
}

impl Config {
    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
    }

    /// Several loaded files as one model, as the daemon runs them
    /// (processes and neighbors in file order). A process name defined
    /// twice keeps its first definition; neighbors are all kept (the
    /// daemon keys them by identity: the last definition wins).
    pub fn merge(configs: Vec<Config>) -> Config {
        let mut out = Config {
            source: configs
                .first()
                .map(|c| c.source.clone())
                .unwrap_or_default(),
            processes: Vec::new(),
            neighbors: Vec::new(),
        };
        for c in configs {
            for p in c.processes {
                if out.process(&p.name).is_none() {
                    out.processes.push(p);
                }
            }
            out.neighbors.extend(c.neighbors);
        }
        out
    }
}

/// `local-address`: an address, or `auto` (the kernel chooses).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum LocalAddress {
    Auto,
    Ip(IpAddr),
}

impl LocalAddress {
    pub fn ip(&self) -> Option<IpAddr> {
        match self {
            LocalAddress::Ip(a) => Some(*a),
            LocalAddress::Auto => None,
        }
    }
}

impl fmt::Display for LocalAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LocalAddress::Auto => f.write_str("auto"),
            LocalAddress::Ip(a) => write!(f, "{a}"),
        }
    }
}

/// `local-as` / `peer-as`: a number, or `auto`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AsNumber {
    /// `local-as auto`: use what the peer puts in its OPEN; `peer-as auto`: accept any.
    Auto,
    Asn(u32),
}

impl AsNumber {
    pub fn asn(&self) -> Option<u32> {
        match self {
            AsNumber::Asn(a) => Some(*a),
            AsNumber::Auto => None,
        }
    }
}

impl fmt::Display for AsNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsNumber::Auto => f.write_str("auto"),
            AsNumber::Asn(a) => write!(f, "{a}"),
        }
    }
}

/// The stable identity of a neighbor: what makes two configured neighbors
/// "the same" across reloads (ExaBGP's neighbor name is built from these).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct NeighborId {
    pub peer_address: IpNet,
    pub local_address: LocalAddress,
    pub local_as: Option<u32>,
    pub peer_as: Option<u32>,
    pub router_id: Ipv4Addr,
    /// Family names, joined by `/`, only when `multi-session` is on (ExaBGP
    /// then keys sessions by family too).
    pub families: Option<String>,
}

impl fmt::Display for NeighborId {
    /// ExaBGP's neighbor name: `neighbor 127.0.0.1 local-ip 127.0.0.1 local-as 1 peer-as 1 router-id 1.2.3.4 family-allowed in-open`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let peer = if self.peer_address.prefix_len() == self.peer_address.max_prefix_len() {
            self.peer_address.addr().to_string()
        } else {
            self.peer_address.to_string()
        };
        let las = self.local_as.map_or("auto".to_string(), |a| a.to_string());
        let pas = self.peer_as.map_or("auto".to_string(), |a| a.to_string());
        write!(
            f,
            "neighbor {peer} local-ip {} local-as {las} peer-as {pas} router-id {} family-allowed {}",
            self.local_address,
            self.router_id,
            self.families.as_deref().unwrap_or("in-open")
        )
    }
}

/// `md5-base64`: whether the key is base64 encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Md5Base64 {
    No,
    Yes,
    /// Decode when the key is valid base64.
    Auto,
}

/// TCP-MD5 (RFC 2385) settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Md5 {
    pub password: String,
    pub base64: Md5Base64,
    /// Address the key is bound to (default: local-address).
    pub ip: Option<IpAddr>,
}

/// `capability { add-path ...; }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum AddPathMode {
    Disable,
    Receive,
    Send,
    SendReceive,
}

impl AddPathMode {
    pub fn sends(self) -> bool {
        matches!(self, AddPathMode::Send | AddPathMode::SendReceive)
    }
    pub fn receives(self) -> bool {
        matches!(self, AddPathMode::Receive | AddPathMode::SendReceive)
    }
}

/// The `capability` block, defaults applied (spec §1.4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Capabilities {
    pub asn4: bool,
    pub route_refresh: bool,
    /// Restart time in seconds; `None` = disabled.
    pub graceful_restart: Option<u16>,
    pub add_path: AddPathMode,
    pub multi_session: bool,
    pub operational: bool,
    pub extended_message: bool,
    /// Extended next hop (RFC 8950).
    pub nexthop: bool,
    pub aigp: bool,
    pub software_version: bool,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            asn4: true,
            route_refresh: false,
            graceful_restart: None,
            add_path: AddPathMode::Disable,
            multi_session: false,
            operational: false,
            extended_message: true,
            nexthop: false,
            aigp: false,
            software_version: false,
        }
    }
}

/// One `nexthop { <afi> <safi> <nexthop-afi>; }` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NextHopFamily {
    pub family: Family,
    pub nexthop_afi: Afi,
}

/// Which BGP messages are reported to helpers in one direction, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ApiDirection {
    pub parsed: bool,
    pub packets: bool,
    pub consolidate: bool,
    pub open: bool,
    pub update: bool,
    pub notification: bool,
    pub keepalive: bool,
    pub refresh: bool,
    pub operational: bool,
}

impl ApiDirection {
    /// True when some message type and some format are selected.
    pub fn any(&self) -> bool {
        (self.parsed || self.packets || self.consolidate)
            && (self.open
                || self.update
                || self.notification
                || self.keepalive
                || self.refresh
                || self.operational)
    }
}

/// One `api [<name>] { ... }` block of a neighbor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Api {
    /// The block's name (`api-<n>` when it had none).
    pub name: String,
    /// `processes [ ... ]` after `processes-match` resolution: every process
    /// this block binds, in file order.
    pub processes: Vec<String>,
    /// `processes-match [ ... ]` as written (regular expressions).
    pub processes_match: Vec<String>,
    pub neighbor_changes: bool,
    pub negotiated: bool,
    pub fsm: bool,
    pub signal: bool,
    pub receive: ApiDirection,
    pub send: ApiDirection,
}

/// A configured BGP neighbor, templates merged and defaults applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Neighbor {
    pub id: NeighborId,
    /// The configuration file (for relative paths and messages).
    pub source: PathBuf,
    /// Line of the `neighbor` keyword in `source`.
    pub line: u32,
    pub description: String,
    pub router_id: Ipv4Addr,
    pub local_address: LocalAddress,
    /// The section argument; a prefix shorter than a host makes a dynamic neighbor.
    pub peer_address: IpNet,
    pub source_interface: Option<String>,
    pub local_as: AsNumber,
    pub peer_as: AsNumber,
    pub hold_time: u16,
    pub passive: bool,
    /// Port to listen on for this neighbor; 0 = none.
    pub listen: u16,
    /// Destination port of outgoing connections (default `exabgp.tcp.port`).
    pub connect: u16,
    pub outgoing_ttl: Option<u8>,
    pub incoming_ttl: Option<u8>,
    pub md5: Option<Md5>,
    pub group_updates: bool,
    /// Accepted, no effect (as in ExaBGP).
    pub auto_flush: bool,
    pub adj_rib_out: bool,
    pub adj_rib_in: bool,
    pub manual_eor: bool,
    /// Messages per second, 0 = no limit.
    pub rate_limit: u32,
    pub host_name: Option<String>,
    pub domain_name: Option<String>,
    pub capabilities: Capabilities,
    /// Families to negotiate, sorted by (AFI, SAFI).
    pub families: Vec<Family>,
    /// Extended next-hop encodings offered (lines whose families are configured).
    pub nexthop: Vec<NextHopFamily>,
    /// Families offered in the ADD-PATH capability (empty when add-path is disabled).
    pub add_path: Vec<Family>,
    pub api: Vec<Api>,
    /// Static routes: the neighbor's own first, then each template's.
    pub routes: Vec<ConfigRoute>,
    /// The same, when the file was loaded with
    /// [`crate::LoadOptions::defer_routes`]: the route sections as text,
    /// for [`crate::parse_routes`] (and `routes` is empty).
    #[serde(default)]
    pub route_text: Vec<crate::RouteText>,
    pub operational: Vec<crate::route::OperationalMessage>,
    /// Template names this neighbor inherits, in order.
    pub inherit: Vec<String>,
}

impl Neighbor {
    /// iBGP when both AS numbers are known and equal; `None` when one is `auto`.
    pub fn is_ibgp(&self) -> Option<bool> {
        Some(self.local_as.asn()? == self.peer_as.asn()?)
    }
    /// A range (`10.0.0.0/24`): any peer in it is accepted (passive only).
    pub fn is_dynamic(&self) -> bool {
        self.peer_address.prefix_len() != self.peer_address.max_prefix_len()
    }
    /// Every process name bound to this neighbor by its `api` blocks.
    pub fn processes(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for a in &self.api {
            for p in &a.processes {
                if !v.contains(&p.as_str()) {
                    v.push(p);
                }
            }
        }
        v
    }
}

/// Encoder of a helper process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoder {
    Text,
    Json,
}

impl fmt::Display for Encoder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoder::Text => "text",
            Encoder::Json => "json",
        })
    }
}

/// A `process <name> { run ...; encoder ...; }` block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Process {
    pub name: String,
    /// The `run` line split into words, the program resolved (spec §1.7).
    pub argv: Vec<String>,
    pub encoder: Encoder,
    pub respawn: bool,
    /// The configuration file that defined it.
    pub source: PathBuf,
}
