//! The NOTIFICATIONs this worker generates itself, with the data ExaBGP puts
//! in them: an explanatory text, or the subcode's English name when no text
//! is given, and for Cease subcodes 2 and 4 an RFC 8203 shutdown
//! communication (one length byte, then the text). Built with the wire
//! crate's [`Notification`] constructors.

use ferrobgp_wire::message::Notification;
use ferrobgp_wire::Notify;

fn from(n: Notification) -> Notify {
    Notify::new(n.code, n.subcode, n.data)
}

/// A NOTIFICATION carrying `text`; Cease 2 and 4 carry it as a shutdown
/// communication.
pub fn with_text(code: u8, subcode: u8, text: &str) -> Notify {
    if code == 6 && (subcode == 2 || subcode == 4) {
        from(Notification::shutdown(subcode, text))
    } else {
        Notify::new(code, subcode, text.as_bytes().to_vec())
    }
}

/// A NOTIFICATION whose data is the subcode's name (ExaBGP's default).
pub fn named(code: u8, subcode: u8) -> Notify {
    from(Notification::with_default_text(code, subcode))
}

/// Cease `subcode` with `message`, or the default text when it is empty.
pub fn cease(subcode: u8, message: &str) -> Notify {
    if message.is_empty() {
        named(6, subcode)
    } else {
        with_text(6, subcode, message)
    }
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
        let n = cease(4, "");
        assert_eq!(n.data[0], 0x14);
        assert_eq!(&n.data[1..], b"Administrative Reset");
        let n = cease(2, "bye");
        assert_eq!(n.data, b"\x03bye");
        assert_eq!(named(6, 3).data, b"Peer De-configured");
        assert_eq!(bare(4, 0).data, b"");
    }
}
