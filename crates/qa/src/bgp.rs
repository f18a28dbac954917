//! The little of BGP the runner needs, written independently of the project's
//! wire crate: message framing (RFC 4271 §4.1), the fixed messages the test
//! peer sends, and a one-line decoded summary of any message for failure
//! reports.

/// Length of the BGP header: marker, length, type.
pub const HEADER_LEN: usize = 19;
/// Largest message length the peer accepts (RFC 8654 extended messages).
pub const MAX_LEN: usize = 65535;
/// The all-ones marker.
pub const MARKER: [u8; 16] = [0xff; 16];

/// Message type codes.
pub const OPEN: u8 = 1;
pub const UPDATE: u8 = 2;
pub const NOTIFICATION: u8 = 3;
pub const KEEPALIVE: u8 = 4;
pub const ROUTE_REFRESH: u8 = 5;

/// What the start of a byte stream holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A complete message of this many bytes is at the start.
    Complete(usize),
    /// More bytes are needed.
    Partial,
    /// The header is not valid (reason given); the stream cannot be framed.
    Invalid(String),
}

/// Frames the first message of `buf`.
pub fn frame(buf: &[u8]) -> Frame {
    if buf.len() < HEADER_LEN {
        return Frame::Partial;
    }
    let length = usize::from(u16::from_be_bytes([buf[16], buf[17]]));
    if length < HEADER_LEN {
        return Frame::Invalid(format!(
            "message length {length} is shorter than a header (header {})",
            crate::hex::encode(&buf[..HEADER_LEN])
        ));
    }
    if buf.len() < length {
        Frame::Partial
    } else {
        Frame::Complete(length)
    }
}

/// Builds a message from its type and body.
pub fn message(kind: u8, body: &[u8]) -> Vec<u8> {
    let length = HEADER_LEN + body.len();
    let mut out = Vec::with_capacity(length);
    out.extend_from_slice(&MARKER);
    // The bodies built here are small and fixed; clamp rather than wrap.
    let length = u16::try_from(length).unwrap_or(u16::MAX);
    out.extend_from_slice(&length.to_be_bytes());
    out.push(kind);
    out.extend_from_slice(body);
    out
}

/// A KEEPALIVE.
pub fn keepalive() -> Vec<u8> {
    message(KEEPALIVE, &[])
}

/// A header-only message of the unknown type 255.
pub fn unknown_message() -> Vec<u8> {
    message(255, &[])
}

/// A NOTIFICATION Cease (6), subcode 0, with `data`.
pub fn cease(data: &[u8]) -> Vec<u8> {
    let mut body = vec![6, 0];
    body.extend_from_slice(data);
    message(NOTIFICATION, &body)
}

/// The UPDATE of `option:update:send-default-route`: ORIGIN IGP, empty
/// AS_PATH, NEXT_HOP 127.0.0.1, LOCAL_PREF 100, NLRI 0.0.0.0/32.
pub fn default_route() -> Vec<u8> {
    let body: [u8; 30] = [
        0x00, 0x00, // withdrawn routes length
        0x00, 0x15, // path attributes length (21)
        0x40, 0x01, 0x01, 0x00, // ORIGIN IGP
        0x40, 0x02, 0x00, // AS_PATH empty
        0x40, 0x03, 0x04, 0x7f, 0x00, 0x00, 0x01, // NEXT_HOP 127.0.0.1
        0x40, 0x05, 0x04, 0x00, 0x00, 0x00, 0x64, // LOCAL_PREF 100
        0x20, 0x00, 0x00, 0x00, 0x00, // 0.0.0.0/32
    ];
    message(UPDATE, &body)
}

/// Type code of a framed message (0 when too short).
pub fn kind(msg: &[u8]) -> u8 {
    msg.get(18).copied().unwrap_or(0)
}

/// True for an UPDATE that is an End-of-RIB: a body of 4 bytes (IPv4
/// unicast) or 11 bytes (an empty MP_UNREACH_NLRI).
pub fn is_end_of_rib(msg: &[u8]) -> bool {
    kind(msg) == UPDATE && matches!(msg.len().checked_sub(HEADER_LEN), Some(4) | Some(11))
}

fn type_name(kind: u8) -> String {
    match kind {
        OPEN => "OPEN".into(),
        UPDATE => "UPDATE".into(),
        NOTIFICATION => "NOTIFICATION".into(),
        KEEPALIVE => "KEEPALIVE".into(),
        ROUTE_REFRESH => "ROUTE-REFRESH".into(),
        other => format!("type-{other}"),
    }
}

/// A one-line human summary of a message: type and length, and for the
/// common types the layout of the body. Never fails: what cannot be decoded
/// is said so.
pub fn summary(msg: &[u8]) -> String {
    if msg.len() < HEADER_LEN {
        return format!("{} bytes, too short for a BGP header", msg.len());
    }
    let mut out = String::new();
    if msg[..16] != MARKER {
        out.push_str("bad marker, ");
    }
    let declared = u16::from_be_bytes([msg[16], msg[17]]);
    let kind = msg[18];
    out.push_str(&format!("{} length {declared}", type_name(kind)));
    if usize::from(declared) != msg.len() {
        out.push_str(&format!(" (but {} bytes)", msg.len()));
    }
    let body = &msg[HEADER_LEN..];
    let detail = match kind {
        OPEN => open_summary(body),
        UPDATE => update_summary(body),
        NOTIFICATION => notification_summary(body),
        ROUTE_REFRESH if body.len() >= 4 => Some(format!(
            "afi {} safi {} subtype {}",
            u16::from_be_bytes([body[0], body[1]]),
            body[3],
            body[2]
        )),
        _ => None,
    };
    match detail {
        Some(detail) => {
            out.push_str(": ");
            out.push_str(&detail);
        }
        None if !body.is_empty() && matches!(kind, OPEN | UPDATE | NOTIFICATION) => {
            out.push_str(": body cannot be decoded");
        }
        None => {}
    }
    out
}

fn open_summary(body: &[u8]) -> Option<String> {
    if body.len() < 10 {
        return None;
    }
    let mut caps = Vec::new();
    let params = body.get(10..)?;
    let mut i = 0;
    while i + 2 <= params.len() {
        let (ptype, plen) = (params[i], usize::from(params[i + 1]));
        let value = params.get(i + 2..i + 2 + plen)?;
        if ptype == 2 {
            let mut j = 0;
            while j + 2 <= value.len() {
                caps.push(value[j].to_string());
                j += 2 + usize::from(value[j + 1]);
            }
        }
        i += 2 + plen;
    }
    Some(format!(
        "version {}, AS {}, hold time {}, id {}.{}.{}.{}, optional parameters {} bytes, capabilities [{}]",
        body[0],
        u16::from_be_bytes([body[1], body[2]]),
        u16::from_be_bytes([body[3], body[4]]),
        body[5],
        body[6],
        body[7],
        body[8],
        body[9],
        caps.join(" ")
    ))
}

fn update_summary(body: &[u8]) -> Option<String> {
    let withdrawn = usize::from(u16::from_be_bytes([*body.first()?, *body.get(1)?]));
    let at = 2 + withdrawn;
    let attr_len = usize::from(u16::from_be_bytes([*body.get(at)?, *body.get(at + 1)?]));
    let attrs = body.get(at + 2..at + 2 + attr_len)?;
    let nlri = body.len() - (at + 2 + attr_len);
    let mut codes = Vec::new();
    let mut i = 0;
    while i + 2 <= attrs.len() {
        let flags = attrs[i];
        let code = attrs[i + 1];
        let (len, head) = if flags & 0x10 != 0 {
            let len = u16::from_be_bytes([*attrs.get(i + 2)?, *attrs.get(i + 3)?]);
            (usize::from(len), 4)
        } else {
            (usize::from(*attrs.get(i + 2)?), 3)
        };
        let value = attrs.get(i + head..i + head + len)?;
        let mut text = code.to_string();
        if (code == 14 || code == 15) && value.len() >= 3 {
            let afi = u16::from_be_bytes([value[0], value[1]]);
            text.push_str(&format!("(afi {afi} safi {})", value[2]));
        }
        codes.push(text);
        i += head + len;
    }
    let eor = if body.len() == 4 || body.len() == 11 {
        " (End-of-RIB)"
    } else {
        ""
    };
    Some(format!(
        "withdrawn {withdrawn} bytes, attributes {attr_len} bytes [{}], NLRI {nlri} bytes{eor}",
        codes.join(" ")
    ))
}

fn notification_summary(body: &[u8]) -> Option<String> {
    let code = body.first()?;
    let subcode = body.get(1)?;
    let data = &body[2..];
    let text: String = data
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                '.'
            }
        })
        .collect();
    Some(format!(
        "code {code} subcode {subcode}, data {} bytes \"{text}\"",
        data.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hex;

    fn bytes(text: &str) -> Vec<u8> {
        hex::decode(&text.replace(':', "")).expect("test hex")
    }

    #[test]
    fn frames_messages() {
        let ka = keepalive();
        assert_eq!(ka.len(), 19);
        assert_eq!(frame(&ka), Frame::Complete(19));
        assert_eq!(frame(&ka[..18]), Frame::Partial);
        let mut two = ka.clone();
        two.extend_from_slice(&default_route());
        assert_eq!(frame(&two), Frame::Complete(19));
        let mut bad = ka.clone();
        bad[17] = 18;
        assert!(matches!(frame(&bad), Frame::Invalid(_)));
    }

    #[test]
    fn fixed_messages_are_byte_exact() {
        assert_eq!(
            hex::encode(&default_route()),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0031020000001540010100400200\
             4003047F000001400504000000642000000000"
        );
        assert_eq!(
            hex::encode(&unknown_message()),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0013FF"
        );
        assert_eq!(
            hex::encode(&cease(b"ab")),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170306006162"
        );
    }

    #[test]
    fn summarises_update() {
        let msg = bytes("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0031:02:00000015400101004002004003040A0000014005040000006420C0A80001");
        assert_eq!(
            summary(&msg),
            "UPDATE length 49: withdrawn 0 bytes, attributes 21 bytes [1 2 3 5], NLRI 5 bytes"
        );
        let eor = bytes("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000");
        assert!(is_end_of_rib(&eor));
        assert!(summary(&eor).ends_with("NLRI 0 bytes (End-of-RIB)"));
        let mp = bytes("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:001E:02:00000007900F0003000201");
        assert_eq!(
            summary(&mp),
            "UPDATE length 30: withdrawn 0 bytes, attributes 7 bytes [15(afi 2 safi 1)], NLRI 0 bytes (End-of-RIB)"
        );
    }

    #[test]
    fn summarises_other_messages() {
        let note = bytes("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:03:06046869");
        assert_eq!(
            summary(&note),
            "NOTIFICATION length 23: code 6 subcode 4, data 2 bytes \"hi\""
        );
        let open = bytes(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0025:01:04FFFD00B40A00000208:0206:41040000FFFD",
        );
        assert_eq!(
            summary(&open),
            "OPEN length 37: version 4, AS 65533, hold time 180, id 10.0.0.2, optional parameters 8 bytes, capabilities [65]"
        );
        let truncated = bytes("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0019:02:0000FF");
        assert_eq!(
            summary(&truncated),
            "UPDATE length 25 (but 22 bytes): body cannot be decoded"
        );
        assert_eq!(summary(&[1, 2]), "2 bytes, too short for a BGP header");
    }
}
