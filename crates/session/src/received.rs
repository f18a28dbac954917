//! What the worker does with the RFC 7606 verdict of a received UPDATE
//! that decoded (a session reset never gets here: it is a decode error,
//! answered with its NOTIFICATION by the FSM).
//!
//! The session stays up whatever the verdict. The UPDATE is handed to the
//! rib as received (`SessionToRib::Message`), which renders it for the
//! helpers as ExaBGP does and takes the routes it means from
//! `Received::changes()`: with treat-as-withdraw every route the UPDATE
//! announces becomes a withdrawal of that route (those of the family whose
//! NLRI was malformed included), and an NLRI discard just leaves the bad
//! NLRI out. What this module adds is the log RFC 7606 section 6 asks for:
//! each error, the NLRI concerned, what was done, and the whole malformed
//! UPDATE.

use ferrobgp_wire::capability::Capability;
use ferrobgp_wire::family::Family;
use ferrobgp_wire::message::Open;
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::update::{Received, Verdict};
use std::collections::BTreeSet;

/// The largest message accepted from the peer once the OPENs are
/// exchanged: 65535 bytes when we advertised the extended message
/// capability (RFC 8654 section 4: a speaker that advertised it accepts
/// extended messages, whether or not the peer advertised it too), else
/// what was negotiated. What we send stays within the negotiated size.
pub fn max_receive_size(ours: Option<&Open>, negotiated: &Negotiated) -> usize {
    let advertised = ours.is_some_and(|o| {
        o.capabilities()
            .any(|c| matches!(c, Capability::ExtendedMessage))
    });
    if advertised {
        ferrobgp_wire::negotiated::EXTENDED_MAX_MESSAGE_SIZE
    } else {
        negotiated.max_message_size()
    }
}

/// The warning lines for a received UPDATE (`body`: the bytes after the
/// header); none when nothing in it is malformed.
pub fn warnings(rx: &Received, body: &[u8]) -> Vec<String> {
    let Some(verdict) = rx.verdict() else {
        return Vec::new();
    };
    let mut lines: Vec<String> = rx.malformations.iter().map(|m| m.to_string()).collect();
    let u = &rx.update;
    let families: BTreeSet<Family> = u
        .mp_reach
        .iter()
        .map(|r| r.family)
        .chain(u.mp_unreach.iter().map(|r| r.family))
        .chain((!u.nlri.is_empty() || !u.withdrawn.is_empty()).then_some(Family::IPV4_UNICAST))
        .collect();
    let families: Vec<String> = families.iter().map(|f| f.to_string()).collect();
    let families = if families.is_empty() {
        "no family".to_string()
    } else {
        families.join(", ")
    };
    let announced = u.nlri.len() + u.mp_reach.as_ref().map_or(0, |r| r.nlri.len());
    lines.push(match verdict {
        Verdict::TreatAsWithdraw => format!(
            "treat-as-withdraw: the {announced} route(s) announced ({families}) are withdrawn; the session stays up"
        ),
        Verdict::NlriDiscard => format!(
            "malformed NLRI(s) discarded, the rest of the UPDATE ({families}) is processed; the session stays up"
        ),
        Verdict::AttributeDiscard => {
            "malformed attribute(s) discarded, the UPDATE is processed; the session stays up".to_string()
        }
        Verdict::SessionReset(n) => format!("session reset ({}/{})", n.code, n.subcode),
    });
    let hex: String = body.iter().map(|b| format!("{b:02X}")).collect();
    lines.push(format!("malformed UPDATE body: {hex}"));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::update::{Context, Update};

    fn unhex(s: &str) -> Vec<u8> {
        let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
        (0..s.len() / 2)
            .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn flow_rule_with_unknown_component() {
        // ORIGIN, AS_PATH, MP_REACH ipv4 flow: 10.0.0.1/32, then component 14
        let body = unhex("0000 001A 40010100 400200 800E10 0001850000 0601200A000001 030E8101");
        let rx = Update::decode(&body, &Context::default()).unwrap();
        let lines = warnings(&rx, &body);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with(
            "treated as withdraw: attribute 14 (ipv4 flow): malformed NLRI 0x030E8101"
        ));
        assert_eq!(
            lines[1],
            "treat-as-withdraw: the 1 route(s) announced (ipv4 flow) are withdrawn; the session stays up"
        );
        assert_eq!(
            lines[2],
            "malformed UPDATE body: 0000001A40010100400200800E100001850000\
             0601200A000001030E8101"
        );
        assert!(rx.changes().iter().all(|c| !c.is_announce()));
    }

    /// RFC 8654 section 4: our advertisement alone decides what we accept.
    #[test]
    fn extended_messages_are_accepted_once_we_advertised_them() {
        let with = Open::decode(&unhex("04 FDE8 00B4 0A000001 04 0202 0600")).unwrap();
        let without = Open::decode(&unhex("04 FDE8 00B4 0A000001 00")).unwrap();
        let not_negotiated = Negotiated {
            extended_message: false,
            ..Negotiated::standalone()
        };
        assert_eq!(max_receive_size(Some(&with), &not_negotiated), 65535);
        assert_eq!(max_receive_size(Some(&without), &not_negotiated), 4096);
        assert_eq!(max_receive_size(None, &not_negotiated), 4096);
        assert_eq!(
            max_receive_size(Some(&without), &Negotiated::standalone()),
            65535
        );
    }

    #[test]
    fn nothing_to_say_about_a_clean_update() {
        let body = unhex("0000 0016 40010100 400200 800E0C 0001850000 0601200A000001");
        let rx = Update::decode(&body, &Context::default()).unwrap();
        assert!(warnings(&rx, &body).is_empty());
    }
}
