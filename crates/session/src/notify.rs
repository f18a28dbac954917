//! The NOTIFICATIONs this worker generates itself, with the data ExaBGP puts
//! in them: an explanatory text, or the subcode's English name when no text
//! is given, and for Cease subcodes 2 and 4 an RFC 8203 shutdown
//! communication (one length byte, then the text).

use ferrobgp_wire::Notify;

/// The English name ExaBGP gives a (code, subcode) pair.
pub fn subcode_name(code: u8, subcode: u8) -> &'static str {
    match (code, subcode) {
        (1, 0) | (2, 0) | (3, 0) | (4, 0) | (5, 0) | (6, 0) => "Unspecific",
        (1, 1) => "Connection Not Synchronized",
        (1, 2) => "Bad Message Length",
        (1, 3) => "Bad Message Type",
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
        (5, 1) => "Receive Unexpected Message in OpenSent State",
        (5, 2) => "Receive Unexpected Message in OpenConfirm State",
        (5, 3) => "Receive Unexpected Message in Established State",
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
        _ => "unknown notification type",
    }
}

/// A NOTIFICATION carrying `text`; Cease 2 and 4 get the RFC 8203 length
/// byte in front (texts longer than 255 bytes are cut).
pub fn with_text(code: u8, subcode: u8, text: &str) -> Notify {
    let bytes = text.as_bytes();
    let mut data = Vec::with_capacity(bytes.len() + 1);
    if code == 6 && (subcode == 2 || subcode == 4) {
        let n = bytes.len().min(255);
        data.push(n as u8);
        data.extend_from_slice(&bytes[..n]);
    } else {
        data.extend_from_slice(bytes);
    }
    Notify::new(code, subcode, data)
}

/// A NOTIFICATION whose data is the subcode's name (ExaBGP's default).
pub fn named(code: u8, subcode: u8) -> Notify {
    with_text(code, subcode, subcode_name(code, subcode))
}

/// A NOTIFICATION with no data at all.
pub fn bare(code: u8, subcode: u8) -> Notify {
    Notify::new(code, subcode, Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shutdown_communication() {
        let n = named(6, 2);
        assert_eq!(n.data[0], 0x17);
        assert_eq!(&n.data[1..], b"Administrative Shutdown");
        let n = named(6, 4);
        assert_eq!(n.data[0], 0x14);
        assert_eq!(&n.data[1..], b"Administrative Reset");
        let n = named(6, 3);
        assert_eq!(n.data, b"Peer De-configured");
        assert_eq!(bare(4, 0).data, b"");
    }
}
