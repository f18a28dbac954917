//! ExaBGP's OPERATIONAL message (BGP message type 6, from
//! draft-ietf-idr-operational-message-00), sent only when both sides
//! advertised capability 185.
//!
//! Body: Type (2 octets), Length (2 octets, of what follows), then for the
//! subtypes ExaBGP implements: AFI (2) SAFI (1) and
//! - advisories ADM (1) / ASM (2): UTF-8 text (ExaBGP cuts it to 2048 bytes);
//! - queries RPCQ (3) / APCQ (5) / LPCQ (7): Router-ID (4), Sequence (4);
//! - counters RPCP (4) / APCP (6) / LPCP (8): Router-ID (4), Sequence (4),
//!   Counter (4).
//!
//! Decoding is total and raw-preserving: any other type, or a known type
//! whose Length field disagrees with the body, is kept as
//! [`Operational::Raw`] and re-encoded byte for byte. A body too short for
//! its header or for a known type's fixed fields is answered 5/0, as
//! ExaBGP does.

use crate::codec::{Reader, Writer};
use crate::error::{code, Error, Result};
use crate::family::{Afi, Family, Safi};
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// Operational message type codes.
pub mod types {
    pub const ADM: u16 = 1;
    pub const ASM: u16 = 2;
    pub const RPCQ: u16 = 3;
    pub const RPCP: u16 = 4;
    pub const APCQ: u16 = 5;
    pub const APCP: u16 = 6;
    pub const LPCQ: u16 = 7;
    pub const LPCP: u16 = 8;
}

/// ExaBGP's limit on advisory text.
pub const MAX_ADVISORY: usize = 2048;

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Operational {
    /// ADM or ASM.
    Advisory {
        kind: u16,
        family: Family,
        text: Vec<u8>,
    },
    /// RPCQ, APCQ or LPCQ.
    Query {
        kind: u16,
        family: Family,
        router_id: Ipv4Addr,
        sequence: u32,
    },
    /// RPCP, APCP or LPCP.
    Counter {
        kind: u16,
        family: Family,
        router_id: Ipv4Addr,
        sequence: u32,
        counter: u32,
    },
    /// Anything else: type and the bytes after the Length field. `length`
    /// is the Length field as received.
    Raw {
        kind: u16,
        length: u16,
        data: Vec<u8>,
    },
}

fn short(what: &str) -> Error {
    Error::malformed(
        code::FSM,
        0,
        format!("invalid operational {what}, not enough data"),
    )
}

/// ExaBGP's name for an operational type (`ASM`, `RPCQ`...).
pub fn type_name(kind: u16) -> Option<&'static str> {
    Some(match kind {
        types::ADM => "ADM",
        types::ASM => "ASM",
        types::RPCQ => "RPCQ",
        types::RPCP => "RPCP",
        types::APCQ => "APCQ",
        types::APCP => "APCP",
        types::LPCQ => "LPCQ",
        types::LPCP => "LPCP",
        _ => return None,
    })
}

impl Operational {
    /// An advisory (ADM/ASM), with ExaBGP's truncation of long texts to
    /// 2045 bytes plus `...`.
    pub fn advisory(kind: u16, family: Family, text: &str) -> Operational {
        let mut t = text.as_bytes().to_vec();
        if t.len() > MAX_ADVISORY {
            t.truncate(MAX_ADVISORY - 3);
            t.extend_from_slice(b"...");
        }
        Operational::Advisory {
            kind,
            family,
            text: t,
        }
    }

    pub fn kind(&self) -> u16 {
        match self {
            Operational::Advisory { kind, .. }
            | Operational::Query { kind, .. }
            | Operational::Counter { kind, .. }
            | Operational::Raw { kind, .. } => *kind,
        }
    }

    pub fn family(&self) -> Option<Family> {
        match self {
            Operational::Advisory { family, .. }
            | Operational::Query { family, .. }
            | Operational::Counter { family, .. } => Some(*family),
            Operational::Raw { .. } => None,
        }
    }

    pub fn decode(body: &[u8]) -> Result<Operational> {
        let mut r = Reader::new(body);
        let (Ok(kind), Ok(length)) = (r.u16(), r.u16()) else {
            return Err(Error::malformed(
                code::FSM,
                0,
                "invalid operational message, not enough data for the header",
            ));
        };
        let consistent = usize::from(length) == r.left();
        let family = |r: &mut Reader<'_>| -> Option<Family> {
            Some(Family::new(Afi(r.u16().ok()?), Safi(r.u8().ok()?)))
        };
        let raw = |r: &Reader<'_>| Operational::Raw {
            kind,
            length,
            data: r.rest().to_vec(),
        };
        match kind {
            types::ADM | types::ASM => {
                if r.left() < 3 {
                    return Err(short("advisory"));
                }
                if !consistent {
                    return Ok(raw(&r));
                }
                let family = family(&mut r).ok_or_else(|| short("advisory"))?;
                Ok(Operational::Advisory {
                    kind,
                    family,
                    text: r.take_rest().to_vec(),
                })
            }
            types::RPCQ | types::APCQ | types::LPCQ => {
                if r.left() < 11 {
                    return Err(short("query"));
                }
                if !consistent || r.left() != 11 {
                    return Ok(raw(&r));
                }
                let family = family(&mut r).ok_or_else(|| short("query"))?;
                let (Ok(router_id), Ok(sequence)) = (r.ipv4(), r.u32()) else {
                    return Err(short("query"));
                };
                Ok(Operational::Query {
                    kind,
                    family,
                    router_id,
                    sequence,
                })
            }
            types::RPCP | types::APCP | types::LPCP => {
                if r.left() < 15 {
                    return Err(short("counter"));
                }
                if !consistent || r.left() != 15 {
                    return Ok(raw(&r));
                }
                let family = family(&mut r).ok_or_else(|| short("counter"))?;
                let (Ok(router_id), Ok(sequence), Ok(counter)) = (r.ipv4(), r.u32(), r.u32())
                else {
                    return Err(short("counter"));
                };
                Ok(Operational::Counter {
                    kind,
                    family,
                    router_id,
                    sequence,
                    counter,
                })
            }
            _ => Ok(raw(&r)),
        }
    }

    /// Writes the body. Fails when an advisory does not fit the 16-bit
    /// Length field.
    pub fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.put_u16(self.kind());
        let fam = |out: &mut Vec<u8>, f: &Family| {
            out.put_u16(f.afi.0);
            out.put_u8(f.safi.0);
        };
        match self {
            Operational::Advisory { family, text, .. } => {
                if text.len() + 3 > usize::from(u16::MAX) {
                    return Err(Error::Encode("operational advisory too long".into()));
                }
                out.put_u16((text.len() + 3) as u16);
                fam(out, family);
                out.put_slice(text);
            }
            Operational::Query {
                family,
                router_id,
                sequence,
                ..
            } => {
                out.put_u16(11);
                fam(out, family);
                out.put_slice(&router_id.octets());
                out.put_u32(*sequence);
            }
            Operational::Counter {
                family,
                router_id,
                sequence,
                counter,
                ..
            } => {
                out.put_u16(15);
                fam(out, family);
                out.put_slice(&router_id.octets());
                out.put_u32(*sequence);
                out.put_u32(*counter);
            }
            Operational::Raw { length, data, .. } => {
                out.put_u16(*length);
                out.put_slice(data);
            }
        }
        Ok(())
    }
}
