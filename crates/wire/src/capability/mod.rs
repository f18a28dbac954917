//! BGP capabilities (RFC 5492) carried in the OPEN message's optional
//! parameter of type 2: one file per capability code (or small group of
//! codes), named for the code, with the RFC text in its doc comment.
//!
//! Every capability decodes to a typed [`Capability`] value and encodes back
//! to the same bytes when the input was canonical. A capability code we do
//! not know is kept as raw bytes ([`Capability::Unknown`]) and re-encoded
//! byte for byte. A known capability whose value cannot be read is a
//! malformed OPEN (NOTIFICATION 2/0, as ExaBGP answers).
//!
//! AIGP has no capability code: ExaBGP's `capability { aigp; }` only
//! allows the AIGP attribute on eBGP sessions (its internal "code" 0xFF00
//! cannot go on the wire), so nothing here represents it.

pub(crate) mod cap_001_multiprotocol;
pub(crate) mod cap_002_route_refresh;
pub(crate) mod cap_005_extended_next_hop;
pub(crate) mod cap_006_extended_message;
pub mod cap_064_graceful_restart;
pub(crate) mod cap_065_asn4;
pub(crate) mod cap_068_multisession;
pub(crate) mod cap_069_add_path;
pub(crate) mod cap_070_enhanced_route_refresh;
pub(crate) mod cap_073_fqdn;
pub(crate) mod cap_075_software_version;
pub(crate) mod cap_185_operational;

pub use cap_005_extended_next_hop::NextHopEntry;
pub use cap_064_graceful_restart::{GracefulRestart, GracefulRestartFamily};
pub use cap_068_multisession::Multisession;
pub use cap_069_add_path::{AddPathEntry, AddPathMode};
pub use cap_073_fqdn::Fqdn;

use crate::codec::{Reader, Writer};
use crate::error::{code, subcode, Error, Result};
use crate::family::Family;
use serde::{Deserialize, Serialize};

/// Capability codes (IANA "Capability Codes" registry) that this crate knows.
pub mod codes {
    pub const MULTIPROTOCOL: u8 = 1;
    pub const ROUTE_REFRESH: u8 = 2;
    pub const EXTENDED_NEXT_HOP: u8 = 5;
    pub const EXTENDED_MESSAGE: u8 = 6;
    pub const GRACEFUL_RESTART: u8 = 64;
    pub const ASN4: u8 = 65;
    pub const MULTISESSION: u8 = 68;
    pub const ADD_PATH: u8 = 69;
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
    pub const FQDN: u8 = 73;
    pub const SOFTWARE_VERSION: u8 = 75;
    pub const ROUTE_REFRESH_CISCO: u8 = 128;
    pub const MULTISESSION_CISCO: u8 = 131;
    pub const OPERATIONAL: u8 = 185;
}

/// Which code a Route Refresh capability was sent with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RouteRefreshVariant {
    /// Code 2 (RFC 2918).
    Rfc,
    /// Code 128, the pre-standard code Cisco still sends.
    Cisco,
}

/// One capability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Capability {
    /// Code 1: one (AFI, SAFI) the speaker can exchange.
    Multiprotocol(Family),
    /// Code 2 or 128.
    RouteRefresh(RouteRefreshVariant),
    /// Code 5: NLRI family / next-hop AFI pairs (RFC 8950).
    ExtendedNextHop(Vec<NextHopEntry>),
    /// Code 6 (RFC 8654).
    ExtendedMessage,
    /// Code 64 (RFC 4724).
    GracefulRestart(GracefulRestart),
    /// Code 65: the speaker's 4-octet AS number (RFC 6793).
    Asn4(u32),
    /// Code 68 or 131 (draft-ietf-idr-bgp-multisession).
    Multisession(Multisession),
    /// Code 69 (RFC 7911).
    AddPath(Vec<AddPathEntry>),
    /// Code 70 (RFC 7313).
    EnhancedRouteRefresh,
    /// Code 73 (draft-walton-bgp-hostname-capability).
    Fqdn(Fqdn),
    /// Code 75 (draft-abraitis-bgp-version-capability).
    SoftwareVersion(String),
    /// Code 185: ExaBGP's Operational message support.
    Operational,
    /// Any other code, kept as received.
    Unknown { code: u8, value: Vec<u8> },
}

impl Capability {
    /// The capability code this value is sent with.
    pub fn code(&self) -> u8 {
        match self {
            Capability::Multiprotocol(_) => codes::MULTIPROTOCOL,
            Capability::RouteRefresh(RouteRefreshVariant::Rfc) => codes::ROUTE_REFRESH,
            Capability::RouteRefresh(RouteRefreshVariant::Cisco) => codes::ROUTE_REFRESH_CISCO,
            Capability::ExtendedNextHop(_) => codes::EXTENDED_NEXT_HOP,
            Capability::ExtendedMessage => codes::EXTENDED_MESSAGE,
            Capability::GracefulRestart(_) => codes::GRACEFUL_RESTART,
            Capability::Asn4(_) => codes::ASN4,
            Capability::Multisession(m) => m.code(),
            Capability::AddPath(_) => codes::ADD_PATH,
            Capability::EnhancedRouteRefresh => codes::ENHANCED_ROUTE_REFRESH,
            Capability::Fqdn(_) => codes::FQDN,
            Capability::SoftwareVersion(_) => codes::SOFTWARE_VERSION,
            Capability::Operational => codes::OPERATIONAL,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// True for the capabilities whose value is empty (Route Refresh,
    /// Enhanced Route Refresh, Extended Message, Operational): the ones the
    /// reference ExaBGP omits from its OPEN (spec 7.2).
    pub fn has_empty_value(&self) -> bool {
        matches!(
            self,
            Capability::RouteRefresh(_)
                | Capability::EnhancedRouteRefresh
                | Capability::ExtendedMessage
                | Capability::Operational
        )
    }

    /// Decodes the value of capability `code`.
    pub fn decode(code: u8, value: &[u8]) -> Result<Capability> {
        Ok(match code {
            codes::MULTIPROTOCOL => {
                Capability::Multiprotocol(cap_001_multiprotocol::decode(value)?)
            }
            codes::ROUTE_REFRESH => Capability::RouteRefresh(RouteRefreshVariant::Rfc),
            codes::ROUTE_REFRESH_CISCO => Capability::RouteRefresh(RouteRefreshVariant::Cisco),
            codes::EXTENDED_NEXT_HOP => {
                Capability::ExtendedNextHop(cap_005_extended_next_hop::decode(value)?)
            }
            codes::EXTENDED_MESSAGE => Capability::ExtendedMessage,
            codes::GRACEFUL_RESTART => {
                Capability::GracefulRestart(cap_064_graceful_restart::decode(value)?)
            }
            codes::ASN4 => Capability::Asn4(cap_065_asn4::decode(value)?),
            codes::MULTISESSION | codes::MULTISESSION_CISCO => {
                Capability::Multisession(cap_068_multisession::decode(code, value))
            }
            codes::ADD_PATH => Capability::AddPath(cap_069_add_path::decode(value)?),
            codes::ENHANCED_ROUTE_REFRESH => Capability::EnhancedRouteRefresh,
            codes::FQDN => Capability::Fqdn(cap_073_fqdn::decode(value)?),
            codes::SOFTWARE_VERSION => {
                Capability::SoftwareVersion(cap_075_software_version::decode(value)?)
            }
            codes::OPERATIONAL => Capability::Operational,
            code => Capability::Unknown {
                code,
                value: value.to_vec(),
            },
        })
    }

    /// Appends the capability value (without code and length).
    pub fn encode_value(&self, out: &mut Vec<u8>) {
        match self {
            Capability::Multiprotocol(f) => cap_001_multiprotocol::encode(*f, out),
            Capability::RouteRefresh(_)
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh
            | Capability::Operational => {}
            Capability::ExtendedNextHop(e) => cap_005_extended_next_hop::encode(e, out),
            Capability::GracefulRestart(g) => cap_064_graceful_restart::encode(g, out),
            Capability::Asn4(asn) => out.put_u32(*asn),
            Capability::Multisession(m) => m.encode(out),
            Capability::AddPath(e) => cap_069_add_path::encode(e, out),
            Capability::Fqdn(f) => f.encode(out),
            Capability::SoftwareVersion(s) => cap_075_software_version::encode(s, out),
            Capability::Unknown { value, .. } => out.put_slice(value),
        }
    }

    /// Appends code, length and value. Fails when the value does not fit
    /// the one-octet capability length.
    pub fn encode(&self, out: &mut Vec<u8>) -> Result<()> {
        let mut value = Vec::new();
        self.encode_value(&mut value);
        let len = u8::try_from(value.len()).map_err(|_| {
            Error::Encode(
                format!(
                    "capability {} value of {} bytes exceeds 255",
                    self.code(),
                    value.len()
                )
                .into(),
            )
        })?;
        out.put_u8(self.code());
        out.put_u8(len);
        out.put_slice(&value);
        Ok(())
    }
}

/// A malformed capability value: OPEN Message Error / Unspecific, as
/// ExaBGP answers.
pub(crate) fn malformed(reason: String) -> Error {
    Error::malformed(code::OPEN_MESSAGE, subcode::open::UNSPECIFIC, reason)
}

/// Decodes the capability TLVs of one optional parameter of type 2 (which
/// may hold several capabilities; ExaBGP sends one per parameter).
pub fn decode_list(value: &[u8]) -> Result<Vec<Capability>> {
    let mut r = Reader::new(value);
    let mut caps = Vec::new();
    while !r.is_empty() {
        let code = r
            .u8()
            .map_err(|e| malformed(format!("capability code: {e}")))?;
        let len = r
            .u8()
            .map_err(|e| malformed(format!("capability {code} length: {e}")))?;
        let v = r.take(len as usize).map_err(|e| {
            malformed(format!(
                "capability {code} length {len} overruns the parameter: {e}"
            ))
        })?;
        caps.push(Capability::decode(code, v)?);
    }
    Ok(caps)
}
