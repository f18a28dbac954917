//! NOTIFICATION (RFC 4271 section 4.5): error code, subcode, data; with the
//! names ExaBGP prints (RFC 4271, 4486, 5492, 6608, 7313, 8203, 9003,
//! draft-ietf-idr-bgp-multisession) and the Shutdown Communication of
//! Cease subcodes 2 and 4 (RFC 8203 / RFC 9003: one length octet, then up
//! to 255 bytes of UTF-8).

use crate::codec::Writer;
use crate::error::{code, subcode, Error, Notify, Result};
use serde::{Deserialize, Serialize};

/// A NOTIFICATION message.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Notification {
    pub code: u8,
    pub subcode: u8,
    pub data: Vec<u8>,
}

/// RFC 8203 limited the Shutdown Communication to 128 bytes; RFC 9003
/// raised it to 255. ExaBGP still reports longer ones as too large.
pub const SHUTDOWN_COMMUNICATION_LEGACY_MAX: usize = 128;

impl Notification {
    pub fn new(code: u8, subcode: u8, data: impl Into<Vec<u8>>) -> Notification {
        Notification {
            code,
            subcode,
            data: data.into(),
        }
    }

    /// Cease with a Shutdown Communication (subcode 2 Administrative
    /// Shutdown or 4 Administrative Reset): one length octet, then the
    /// UTF-8 text cut to 255 bytes at a character boundary. ExaBGP's
    /// default texts are the subcode names: `03 06 02 17 "Administrative
    /// Shutdown"`.
    pub fn shutdown(subcode: u8, text: &str) -> Notification {
        let t = crate::capability::cap_073_fqdn::truncate(text, 255);
        let mut data = Vec::with_capacity(1 + t.len());
        data.put_u8(t.len() as u8);
        data.put_slice(t.as_bytes());
        Notification::new(code::CEASE, subcode, data)
    }

    /// What ExaBGP sends for an internally detected error without a
    /// specific text: the subcode's name as ASCII data, except Cease 2/4
    /// which carry it as a Shutdown Communication.
    pub fn with_default_text(code: u8, subcode: u8) -> Notification {
        let text = subcode_name(code, subcode).unwrap_or("unknown notification type");
        if code == code::CEASE
            && (subcode == subcode::cease::ADMINISTRATIVE_SHUTDOWN
                || subcode == subcode::cease::ADMINISTRATIVE_RESET)
        {
            Notification::shutdown(subcode, text)
        } else {
            Notification::new(code, subcode, text.as_bytes().to_vec())
        }
    }

    /// The answer to a message of unknown type, RFC 4271 section 6.1:
    /// "If the Type field of the message header is not recognized, then
    /// the Error Subcode MUST be set to Bad Message Type. The Data field
    /// MUST contain the erroneous Type field."
    pub fn unknown_message_type(kind: u8) -> Notification {
        Notification::new(code::MESSAGE_HEADER, 3, vec![kind])
    }

    /// ExaBGP's answer to a message of unknown type (spec 7.1, reference
    /// defect 9.8, still in 5.0.15): 1/0 with a text. Sent only under
    /// `ferrobgp.compat.reference-unknown-message`, for the conformance
    /// suite that pins it.
    pub fn reference_unknown_message_type(kind: u8) -> Notification {
        Notification::new(
            code::MESSAGE_HEADER,
            0,
            format!("can not decode update message of type \"{kind}\"").into_bytes(),
        )
    }

    /// Decodes a NOTIFICATION body. A body shorter than 2 bytes cannot
    /// carry a code; RFC 4271 6.5 says not to answer a bad NOTIFICATION, so
    /// the caller just closes (the error names 1/2 for completeness).
    pub fn decode(body: &[u8]) -> Result<Notification> {
        match body {
            [code, subcode, data @ ..] => Ok(Notification::new(*code, *subcode, data.to_vec())),
            _ => Err(super::header::bad_length(
                (body.len() + super::header::HEADER_LEN) as u16,
                "NOTIFICATION shorter than 21 bytes",
            )),
        }
    }

    pub fn encode_body(&self, out: &mut Vec<u8>) {
        out.put_u8(self.code);
        out.put_u8(self.subcode);
        out.put_slice(&self.data);
    }

    /// ExaBGP's name of the error code (`Cease`, `OPEN message error`...).
    pub fn code_name(&self) -> &'static str {
        code_name(self.code).unwrap_or("unknown error")
    }

    /// ExaBGP's name of the subcode (`Administrative Shutdown`...).
    pub fn subcode_name(&self) -> &'static str {
        subcode_name(self.code, self.subcode).unwrap_or("unknow reason")
    }

    /// True for Cease 2 and 4, whose data is a Shutdown Communication.
    pub fn is_shutdown(&self) -> bool {
        self.code == code::CEASE
            && (self.subcode == subcode::cease::ADMINISTRATIVE_SHUTDOWN
                || self.subcode == subcode::cease::ADMINISTRATIVE_RESET)
    }

    /// The Shutdown Communication text, when this is Cease 2/4 with a
    /// well-formed one (RFC 9003 lengths, valid UTF-8).
    pub fn shutdown_communication(&self) -> Option<&str> {
        if !self.is_shutdown() {
            return None;
        }
        let (len, rest) = self.data.split_first()?;
        let text = rest.get(..usize::from(*len))?;
        std::str::from_utf8(text).ok()
    }

    /// The data as ExaBGP interprets it for display (`"data"` and
    /// `"message"` in JSON): verbatim, except for Cease 2/4 where the
    /// Shutdown Communication is unwrapped to `Shutdown Communication:
    /// "text"` (or a description of what is wrong with it).
    pub fn display_data(&self) -> Vec<u8> {
        if !self.is_shutdown() || self.data.is_empty() {
            return self.data.clone();
        }
        let len = usize::from(self.data[0]);
        let rest = &self.data[1..];
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
        if len == 0 {
            return b"empty Shutdown Communication.".to_vec();
        }
        if rest.len() < len {
            return format!(
                "invalid Shutdown Communication (buffer underrun) length : {len} [{}]",
                hex(rest)
            )
            .into_bytes();
        }
        if len > SHUTDOWN_COMMUNICATION_LEGACY_MAX {
            return format!(
                "invalid Shutdown Communication (too large) length : {len} [{}]",
                hex(rest)
            )
            .into_bytes();
        }
        match std::str::from_utf8(&rest[..len]) {
            Ok(text) => {
                let mut s = format!(
                    "Shutdown Communication: \"{}\"",
                    text.replace(['\r', '\n'], " ")
                );
                let trailer = &rest[len..];
                if !trailer.is_empty() {
                    s.push_str(", trailing data: ");
                    s.push_str(&hex(trailer));
                }
                s.into_bytes()
            }
            Err(_) => format!(
                "invalid Shutdown Communication (invalid UTF-8) length : {len} [{}]",
                hex(rest)
            )
            .into_bytes(),
        }
    }
}

impl From<&Notify> for Notification {
    fn from(n: &Notify) -> Notification {
        Notification::new(n.code, n.subcode, n.data.clone())
    }
}

impl From<Notify> for Notification {
    fn from(n: Notify) -> Notification {
        Notification::new(n.code, n.subcode, n.data)
    }
}

impl TryFrom<&Error> for Notification {
    type Error = ();
    /// The NOTIFICATION to send for a decoding error, if it is one.
    fn try_from(e: &Error) -> std::result::Result<Notification, ()> {
        e.notify().map(Notification::from).ok_or(())
    }
}

/// ExaBGP's name for an error code.
pub fn code_name(code: u8) -> Option<&'static str> {
    Some(match code {
        1 => "Message header error",
        2 => "OPEN message error",
        3 => "UPDATE message error",
        4 => "Hold timer expired",
        5 => "State machine error",
        6 => "Cease",
        7 => "ROUTE-REFRESH message error",
        _ => return None,
    })
}

/// ExaBGP's name for a (code, subcode) pair.
pub fn subcode_name(code: u8, subcode: u8) -> Option<&'static str> {
    Some(match (code, subcode) {
        (1, 0) => "Unspecific",
        (1, 1) => "Connection Not Synchronized",
        (1, 2) => "Bad Message Length",
        (1, 3) => "Bad Message Type",
        (2, 0) => "Unspecific",
        (2, 1) => "Unsupported Version Number",
        (2, 2) => "Bad Peer AS",
        (2, 3) => "Bad BGP Identifier",
        (2, 4) => "Unsupported Optional Parameter",
        (2, 5) => "Authentication Notification (Deprecated)",
        (2, 6) => "Unacceptable Hold Time",
        (2, 7) => "Unsupported Capability",
        (2, 8) => "Grouping Conflict",
        (2, 9) => "Grouping Required",
        (2, 10) => "Capability Value Mismatch",
        (3, 0) => "Unspecific",
        (3, 1) => "Malformed Attribute List",
        (3, 2) => "Unrecognized Well-known Attribute",
        (3, 3) => "Missing Well-known Attribute",
        (3, 4) => "Attribute Flags Error",
        (3, 5) => "Attribute Length Error",
        (3, 6) => "Invalid ORIGIN Attribute",
        (3, 7) => "AS Routing Loop",
        (3, 8) => "Invalid NEXT_HOP Attribute",
        (3, 9) => "Optional Attribute Error",
        (3, 10) => "Invalid Network Field",
        (3, 11) => "Malformed AS_PATH",
        (4, 0) => "Unspecific",
        (5, 0) => "Unspecific",
        (5, 1) => "Receive Unexpected Message in OpenSent State",
        (5, 2) => "Receive Unexpected Message in OpenConfirm State",
        (5, 3) => "Receive Unexpected Message in Established State",
        (6, 0) => "Unspecific",
        (6, 1) => "Maximum Number of Prefixes Reached",
        (6, 2) => "Administrative Shutdown",
        (6, 3) => "Peer De-configured",
        (6, 4) => "Administrative Reset",
        (6, 5) => "Connection Rejected",
        (6, 6) => "Other Configuration Change",
        (6, 7) => "Connection Collision Resolution",
        (6, 8) => "Out of Resources",
        (7, 1) => "Invalid Message Length",
        (7, 2) => "Malformed Message Subtype",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_message_type_is_bad_message_type_with_the_type_octet() {
        let mut body = Vec::new();
        Notification::unknown_message_type(99).encode_body(&mut body);
        assert_eq!(body, [1, 3, 99]);
        let mut body = Vec::new();
        Notification::reference_unknown_message_type(255).encode_body(&mut body);
        assert_eq!(&body[..2], [1, 0]);
        assert_eq!(&body[2..], b"can not decode update message of type \"255\"");
    }
}
