//! OPEN (RFC 4271 section 4.2) with optional parameters, including the
//! RFC 9072 extended optional-parameter length.
//!
//! > Version (1), My Autonomous System (2), Hold Time (2), BGP Identifier
//! > (4), Opt Parm Len (1), Optional Parameters (variable): each
//! > <Parm. Type (1), Parm. Length (1), Parameter Value>.
//!
//! RFC 9072 section 2: when Opt Parm Len ("Non-Ext OP Len") is not zero
//! and the next octet (where a parameter type would be, "Non-Ext OP
//! Type") is 255, the real length follows as two octets and every
//! parameter length is two octets, whatever the value of Non-Ext OP Len
//! (the sender SHOULD set it to 255). The base encoding is used when the
//! parameters fit it: 255 bytes at most, and a first parameter whose type
//! is not 255 (the type RFC 9072 reserves).
//!
//! Parameter type 2 holds capabilities (RFC 5492), possibly several per
//! parameter; ExaBGP sends one per parameter. Other parameter types are
//! kept raw; whether to refuse them (2/4) is the negotiation's call.

use crate::capability::{self, Capability};
use crate::codec::{Reader, Writer};
use crate::error::{code, subcode, Error, Result};
use crate::family::Family;
use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

/// The only BGP version.
pub const BGP_VERSION: u8 = 4;
/// Optional parameter type of capabilities.
pub const PARAM_CAPABILITIES: u8 = 2;
/// Opt Parm Len and parameter type that announce RFC 9072 extended lengths.
pub const EXTENDED_PARAMS_MARKER: u8 = 255;

/// One optional parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum OptionalParameter {
    /// Type 2: zero or more capabilities.
    Capabilities(Vec<Capability>),
    /// Any other type, kept as received.
    Other { kind: u8, value: Vec<u8> },
}

/// An OPEN message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Open {
    pub version: u8,
    /// The 2-octet "My Autonomous System" field (AS_TRANS when the AS does
    /// not fit; see [`Open::asn`]).
    pub my_as: u16,
    pub hold_time: u16,
    pub router_id: Ipv4Addr,
    pub params: Vec<OptionalParameter>,
    /// Encode (or was received) with RFC 9072 extended parameter lengths.
    /// Encoding switches to them anyway when the parameters exceed 255
    /// bytes.
    pub extended_params: bool,
}

fn malformed(reason: String) -> Error {
    Error::malformed(code::OPEN_MESSAGE, subcode::open::UNSPECIFIC, reason)
}

impl Open {
    /// Decodes an OPEN body (after the 19-byte header). A version other
    /// than 4 is answered 2/1 with data 0x0004 (RFC 4271 6.2: the largest
    /// locally supported version) before anything else is read; a
    /// parameter or capability length that overruns its container, or
    /// bytes left after the parameters, is 2/0 (as ExaBGP answers).
    pub fn decode(body: &[u8]) -> Result<Open> {
        let mut r = Reader::new(body);
        let version = r
            .u8()
            .map_err(|_| super::header::bad_length(19, "empty OPEN"))?;
        if version != BGP_VERSION {
            return Err(Error::malformed_data(
                code::OPEN_MESSAGE,
                subcode::open::UNSUPPORTED_VERSION,
                vec![0, BGP_VERSION],
                format!("unsupported BGP version {version}"),
            ));
        }
        let (Ok(my_as), Ok(hold_time), Ok(router_id), Ok(opt_len)) =
            (r.u16(), r.u16(), r.ipv4(), r.u8())
        else {
            return Err(super::header::bad_length(
                (body.len() + super::header::HEADER_LEN).min(usize::from(u16::MAX)) as u16,
                "OPEN shorter than 29 bytes",
            ));
        };
        let extended = opt_len != 0 && r.rest().first() == Some(&EXTENDED_PARAMS_MARKER);
        let params_len = if extended {
            r.u8()
                .map_err(|e| malformed(format!("extended parameters: {e}")))?;
            r.u16()
                .map_err(|e| malformed(format!("extended parameters length: {e}")))?
                as usize
        } else {
            opt_len as usize
        };
        let mut pr = r.sub(params_len).map_err(|e| {
            malformed(format!(
                "optional parameters length {params_len} overruns the OPEN: {e}"
            ))
        })?;
        if !r.is_empty() {
            return Err(malformed(format!(
                "{} byte(s) after the optional parameters",
                r.left()
            )));
        }
        let mut params = Vec::new();
        while !pr.is_empty() {
            let kind = pr
                .u8()
                .map_err(|e| malformed(format!("parameter type: {e}")))?;
            let len = if extended {
                pr.u16().map(usize::from)
            } else {
                pr.u8().map(usize::from)
            }
            .map_err(|e| malformed(format!("parameter {kind} length: {e}")))?;
            let value = pr.take(len).map_err(|e| {
                malformed(format!(
                    "parameter {kind} length {len} overruns the parameters: {e}"
                ))
            })?;
            params.push(if kind == PARAM_CAPABILITIES {
                OptionalParameter::Capabilities(capability::decode_list(value)?)
            } else {
                OptionalParameter::Other {
                    kind,
                    value: value.to_vec(),
                }
            });
        }
        Ok(Open {
            version,
            my_as,
            hold_time,
            router_id,
            params,
            extended_params: extended,
        })
    }

    fn encode_params(&self, extended: bool) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for p in &self.params {
            let (kind, value) = match p {
                OptionalParameter::Capabilities(caps) => {
                    let mut v = Vec::new();
                    for c in caps {
                        c.encode(&mut v)?;
                    }
                    (PARAM_CAPABILITIES, v)
                }
                OptionalParameter::Other { kind, value } => (*kind, value.clone()),
            };
            out.put_u8(kind);
            if extended {
                let len = u16::try_from(value.len())
                    .map_err(|_| Error::Encode("OPEN parameter exceeds 65535 bytes".into()))?;
                out.put_u16(len);
            } else {
                let len = u8::try_from(value.len())
                    .map_err(|_| Error::Encode("OPEN parameter exceeds 255 bytes".into()))?;
                out.put_u8(len);
            }
            out.put_slice(&value);
        }
        Ok(out)
    }

    /// Writes the OPEN body. Uses RFC 9072 extended lengths when
    /// [`Open::extended_params`] is set, when the parameters (or one of
    /// them) do not fit one-octet lengths, or when the first parameter's
    /// type is 255 (which a receiver would read as the extended marker).
    pub fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        out.put_u8(self.version);
        out.put_u16(self.my_as);
        out.put_u16(self.hold_time);
        out.put_slice(&self.router_id.octets());
        let first_is_marker = matches!(
            self.params.first(),
            Some(OptionalParameter::Other { kind, .. }) if *kind == EXTENDED_PARAMS_MARKER
        );
        let normal = if self.extended_params || first_is_marker {
            None
        } else {
            self.encode_params(false).ok().filter(|p| p.len() <= 255)
        };
        match normal {
            Some(p) => {
                out.put_u8(p.len() as u8);
                out.put_slice(&p);
            }
            None => {
                let p = self.encode_params(true)?;
                let len = u16::try_from(p.len())
                    .map_err(|_| Error::Encode("OPEN parameters exceed 65535 bytes".into()))?;
                out.put_u8(EXTENDED_PARAMS_MARKER);
                out.put_u8(EXTENDED_PARAMS_MARKER);
                out.put_u16(len);
                out.put_slice(&p);
            }
        }
        Ok(())
    }

    /// Every capability, in order, from every type-2 parameter.
    pub fn capabilities(&self) -> impl Iterator<Item = &Capability> {
        self.params.iter().flat_map(|p| match p {
            OptionalParameter::Capabilities(c) => c.as_slice(),
            OptionalParameter::Other { .. } => &[],
        })
    }

    /// The 4-octet AS capability value, if any.
    pub fn asn4(&self) -> Option<u32> {
        self.capabilities().find_map(|c| match c {
            Capability::Asn4(a) => Some(*a),
            _ => None,
        })
    }

    /// The speaker's AS: the ASN4 capability value when present, else
    /// My Autonomous System.
    pub fn asn(&self) -> u32 {
        self.asn4().unwrap_or(u32::from(self.my_as))
    }

    /// Multiprotocol families, in the order advertised, without duplicates.
    pub fn families(&self) -> Vec<Family> {
        let mut out: Vec<Family> = Vec::new();
        for c in self.capabilities() {
            if let Capability::Multiprotocol(f) = c {
                if !out.contains(f) {
                    out.push(*f);
                }
            }
        }
        out
    }

    /// True if a capability with this code was advertised.
    pub fn has_capability(&self, code: u8) -> bool {
        self.capabilities().any(|c| c.code() == code)
    }
}
