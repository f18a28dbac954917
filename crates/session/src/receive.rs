//! The receive path's pure core: what the worker makes of the bytes read
//! from its connection, one message at a time. The framer cuts a message
//! (or finds the stream broken: a bad marker or length is the header's
//! NOTIFICATION), the decoder reads it with the session's context (an
//! UPDATE with its RFC 7606 verdict, see [`crate::received`]), and the
//! result is an [`Outcome`]: a message for the FSM, or the NOTIFICATION
//! that ends the session. The worker ([`crate::worker`]) adds the I/O:
//! counting, reporting the raw message to the rib, feeding the FSM.
//!
//! No I/O here, so the whole path can be driven in-process by tests and
//! fuzzing (`tests/receive_fuzz.rs`).

use crate::notify;
use ferrobgp_wire::message::{
    Frame, Framer, Message, Notification, Open, RouteRefresh, UpdateMessage,
};
use ferrobgp_wire::update::Context;
use ferrobgp_wire::Notify;

/// What one received message means to the session.
#[derive(Debug)]
pub enum Outcome {
    Open(Open),
    Keepalive,
    Notification {
        code: u8,
        subcode: u8,
    },
    /// An UPDATE that decoded; its RFC 7606 verdict (never a session reset:
    /// that is a decode error, [`Outcome::Fatal`]) is in
    /// `received.verdict()`.
    Update(Box<UpdateMessage>),
    RouteRefresh(RouteRefresh),
    Operational,
    /// The session ends with this NOTIFICATION.
    Fatal(Notify),
}

/// One step of the receive path.
#[derive(Debug)]
pub enum Step {
    /// A whole message and what it means.
    Message(Frame, Outcome),
    /// The byte stream cannot be framed any further (bad marker, bad
    /// length, too long): the session ends with this NOTIFICATION.
    Broken(Notify),
}

/// The next message buffered in `framer`, decoded with `ctx`; `None` when
/// no whole message is buffered. `reference_unknown_message`: answer a
/// message of unknown type as the conformance suite's reference commit
/// does (see [`Notification::reference_unknown_message_type`]).
pub fn next(framer: &mut Framer, ctx: &Context, reference_unknown_message: bool) -> Option<Step> {
    match framer.next_frame() {
        Ok(Some(fr)) => {
            let outcome = classify(&fr, ctx, reference_unknown_message);
            Some(Step::Message(fr, outcome))
        }
        Ok(None) => None,
        Err(e) => Some(Step::Broken(
            e.notify().cloned().unwrap_or_else(|| notify::named(1, 0)),
        )),
    }
}

/// What the message `fr` means, decoded with `ctx`.
pub fn classify(fr: &Frame, ctx: &Context, reference_unknown_message: bool) -> Outcome {
    match fr.decode_with(ctx) {
        Ok(Message::Open(open)) => Outcome::Open(open),
        Ok(Message::Keepalive) => Outcome::Keepalive,
        Ok(Message::Notification(n)) => Outcome::Notification {
            code: n.code,
            subcode: n.subcode,
        },
        Ok(Message::Update(u)) => Outcome::Update(u),
        Ok(Message::RouteRefresh(rr)) => Outcome::RouteRefresh(rr),
        Ok(Message::Operational(_)) => Outcome::Operational,
        Ok(Message::Unknown { kind, .. }) => {
            Outcome::Fatal(from_notification(if reference_unknown_message {
                Notification::reference_unknown_message_type(kind)
            } else {
                Notification::unknown_message_type(kind)
            }))
        }
        Err(e) => Outcome::Fatal(e.notify().cloned().unwrap_or_else(|| {
            from_notification(Notification::new(
                1,
                0,
                format!("can not decode update message of type \"{}\"", fr.kind).into_bytes(),
            ))
        })),
    }
}

fn from_notification(n: Notification) -> Notify {
    Notify::new(n.code, n.subcode, n.data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::negotiated::Negotiated;

    fn ctx() -> Context {
        Context::from(&Negotiated::standalone())
    }

    #[test]
    fn messages_split_anywhere_come_out_whole() {
        // KEEPALIVE, then an unknown type 99, fed one byte at a time
        let mut bytes = vec![0xff; 16];
        bytes.extend_from_slice(&[0, 19, 4]);
        bytes.extend_from_slice(&[0xff; 16]);
        bytes.extend_from_slice(&[0, 19, 99]);
        let mut framer = Framer::default();
        let mut seen = Vec::new();
        for b in bytes {
            framer.feed(&[b]);
            while let Some(step) = next(&mut framer, &ctx(), false) {
                seen.push(step);
            }
        }
        assert!(matches!(seen[0], Step::Message(_, Outcome::Keepalive)));
        match &seen[1] {
            Step::Message(fr, Outcome::Fatal(n)) => {
                assert_eq!(fr.kind, 99);
                assert_eq!((n.code, n.subcode, n.data.as_slice()), (1, 3, &[99][..]));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(seen.len(), 2);
    }

    #[test]
    fn a_broken_stream_is_the_header_notification() {
        let mut framer = Framer::default();
        framer.feed(&[0u8; 19]);
        match next(&mut framer, &ctx(), false) {
            Some(Step::Broken(n)) => assert_eq!((n.code, n.subcode), (1, 1)),
            other => panic!("{other:?}"),
        }
    }
}
