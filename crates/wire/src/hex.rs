//! Hex dumps of BGP messages as `exabgp decode` accepts them: spaces,
//! colons and an optional `0x` prefix (per word) are ignored, case does
//! not matter. A dump that starts with the 16-byte marker is one or more
//! whole messages; without the marker it is taken as a header without its
//! marker when its first two bytes are the dump's length plus 16 and its
//! third a known message type, and otherwise (as ExaBGP does) as the body
//! of one UPDATE.

use crate::error::{Error, Result};
use crate::message::header::{decode_header, kind, HEADER_LEN, MARKER};
use crate::message::Message;
use crate::negotiated::{Negotiated, EXTENDED_MAX_MESSAGE_SIZE};

/// Parses hex text into bytes.
pub fn parse_hex(text: &str) -> Result<Vec<u8>> {
    let mut digits = Vec::with_capacity(text.len());
    for word in text.split(|c: char| c.is_whitespace() || c == ':') {
        let word = word
            .strip_prefix("0x")
            .or_else(|| word.strip_prefix("0X"))
            .unwrap_or(word);
        for (i, c) in word.char_indices() {
            let d = c.to_digit(16).ok_or_else(|| {
                Error::Parse(format!("invalid hex digit {c:?} in {word:?} at offset {i}").into())
            })?;
            digits.push(d as u8);
        }
    }
    if digits.is_empty() {
        return Err(Error::Parse("no hex digits".into()));
    }
    if digits.len() % 2 != 0 {
        return Err(Error::Parse(
            format!("odd number of hex digits ({})", digits.len()).into(),
        ));
    }
    Ok(digits.chunks(2).map(|p| (p[0] << 4) | p[1]).collect())
}

/// Messages cut from a dump: (type, body) pairs.
pub fn parse_messages(text: &str) -> Result<Vec<(u8, Vec<u8>)>> {
    let bytes = parse_hex(text)?;
    if !bytes.starts_with(&MARKER) {
        let marker_less = bytes.len() >= 3
            && usize::from(u16::from_be_bytes([bytes[0], bytes[1]])) == bytes.len() + MARKER.len()
            && (kind::OPEN..=kind::OPERATIONAL).contains(&bytes[2]);
        return Ok(vec![if marker_less {
            (bytes[2], bytes[3..].to_vec())
        } else {
            (kind::UPDATE, bytes)
        }]);
    }
    let mut out = Vec::new();
    let mut rest = bytes.as_slice();
    while !rest.is_empty() {
        let Some(head) = rest.get(..HEADER_LEN) else {
            return Err(Error::Parse(
                format!("{} trailing byte(s) do not make a header", rest.len()).into(),
            ));
        };
        let mut h = [0u8; HEADER_LEN];
        h.copy_from_slice(head);
        let header = decode_header(&h, EXTENDED_MAX_MESSAGE_SIZE)?;
        let total = usize::from(header.length);
        let Some(msg) = rest.get(HEADER_LEN..total) else {
            return Err(Error::Parse(
                format!(
                    "the header says {total} bytes but only {} are given",
                    rest.len()
                )
                .into(),
            ));
        };
        out.push((header.kind, msg.to_vec()));
        rest = &rest[total..];
    }
    Ok(out)
}

/// Parses and decodes every message of a dump.
pub fn decode_messages(text: &str, negotiated: &Negotiated) -> Result<Vec<Message>> {
    parse_messages(text)?
        .into_iter()
        .map(|(k, body)| Message::decode(k, &body, negotiated))
        .collect()
}
