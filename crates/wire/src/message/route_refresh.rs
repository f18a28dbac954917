//! ROUTE-REFRESH (RFC 2918 section 3, subtypes from RFC 7313 section 3.2):
//! AFI (2 octets), Message Subtype (1 octet; "Reserved" in RFC 2918), SAFI
//! (1 octet).
//!
//! > 0 - Normal route refresh request \[RFC2918\] ... 1 - Demarcation of the
//! > beginning of a route refresh (BoRR) operation, 2 - Demarcation of the
//! > ending of a route refresh (EoRR) operation, 255 - Reserved.
//! > ... If the length, excluding the fixed-size message header, of the
//! > received ROUTE-REFRESH message with Message Subtype 1 and 2 is not 4,
//! > then the BGP speaker MUST send a NOTIFICATION message with the Error
//! > Code of "ROUTE-REFRESH Message Error" and the subcode of "Invalid
//! > Message Length". The Data field of the NOTIFICATION message MUST
//! > contain the complete ROUTE-REFRESH message.
//!
//! The length rule is applied to every subtype. Other subtypes are kept
//! (RFC 7313: the receiver MUST ignore them; the session decides).

use super::header::{kind, HEADER_LEN, MARKER};
use crate::codec::Writer;
use crate::error::{code, subcode, Error, Result};
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};

pub const SUBTYPE_NORMAL: u8 = 0;
pub const SUBTYPE_BORR: u8 = 1;
pub const SUBTYPE_EORR: u8 = 2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RouteRefresh {
    pub family: Family,
    pub subtype: u8,
}

impl RouteRefresh {
    pub fn new(family: Family, subtype: u8) -> RouteRefresh {
        RouteRefresh { family, subtype }
    }

    pub fn decode(body: &[u8]) -> Result<RouteRefresh> {
        match body {
            [a, b, subtype, safi] => Ok(RouteRefresh {
                family: Family::new(Afi(u16::from_be_bytes([*a, *b])), Safi(*safi)),
                subtype: *subtype,
            }),
            _ => {
                let total = HEADER_LEN + body.len();
                let mut data = Vec::with_capacity(total);
                data.put_slice(&MARKER);
                data.put_u16(total.min(usize::from(u16::MAX)) as u16);
                data.put_u8(kind::ROUTE_REFRESH);
                data.put_slice(body);
                Err(Error::malformed_data(
                    code::ROUTE_REFRESH,
                    subcode::route_refresh::INVALID_MESSAGE_LENGTH,
                    data,
                    format!("ROUTE-REFRESH body of {} bytes, expected 4", body.len()),
                ))
            }
        }
    }

    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_u16(self.family.afi.0);
        out.put_u8(self.subtype);
        out.put_u8(self.family.safi.0);
    }

    /// ExaBGP's name of the subtype: `query`, `begin`, `end`, `invalid`.
    pub fn subtype_name(&self) -> &'static str {
        match self.subtype {
            SUBTYPE_NORMAL => "query",
            SUBTYPE_BORR => "begin",
            SUBTYPE_EORR => "end",
            _ => "invalid",
        }
    }
}
