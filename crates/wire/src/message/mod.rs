//! BGP messages: the header and framing, and every message type except the
//! UPDATE body (which lives in `crate::update`): OPEN, NOTIFICATION,
//! KEEPALIVE, ROUTE-REFRESH, ExaBGP's OPERATIONAL, and messages of unknown
//! type kept raw so that the session decides what to answer.
//!
//! [`Message::decode`] takes a type and a body (as cut by [`Framer`]) and
//! applies the per-type length rules of RFC 4271 6.1; [`Message::encode`]
//! produces the whole message, header included.

pub mod builder;
mod counts;
pub mod framer;
pub mod header;
pub mod keepalive;
pub mod notification;
pub mod open;
pub mod operational;
pub mod route_refresh;

pub use builder::{Advertised, GracefulRestartConfig, OpenConfig};
pub use counts::MessageCounts;
pub use framer::{Frame, Framer};
pub use header::{kind, Header, HEADER_LEN, MARKER};
pub use notification::Notification;
pub use open::{Open, OptionalParameter};
pub use operational::Operational;
pub use route_refresh::RouteRefresh;

/// Whether a message was received from the peer or sent to it (ExaBGP's
/// `receive` / `send` in events and `api` blocks).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Direction {
    Receive,
    Send,
}

impl Direction {
    /// ExaBGP's word for it: `receive` or `send`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Receive => "receive",
            Direction::Send => "send",
        }
    }
}

use crate::error::Result;
use crate::negotiated::{Negotiated, STANDARD_MAX_MESSAGE_SIZE};
use crate::update::{Context, Received, Update};
use bytes::Bytes;

/// An UPDATE: its body bytes (re-encoded verbatim) and what they mean
/// (decoded by `crate::update` with RFC 7606 verdicts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateMessage {
    /// Shared with the framer's buffer when cut by [`Framer`] (no copy).
    pub body: Bytes,
    pub received: Received,
}

impl UpdateMessage {
    /// Decodes an UPDATE body for the session context `ctx`.
    pub fn decode(body: &[u8], ctx: &Context) -> Result<UpdateMessage> {
        UpdateMessage::decode_bytes(Bytes::copy_from_slice(body), ctx)
    }

    /// As [`UpdateMessage::decode`], keeping `body` without copying it.
    pub fn decode_bytes(body: Bytes, ctx: &Context) -> Result<UpdateMessage> {
        let received = Update::decode(&body, ctx)?;
        Ok(UpdateMessage { body, received })
    }

    /// Encodes `update` for `ctx`.
    pub fn from_update(update: &Update, ctx: &Context) -> UpdateMessage {
        let mut body = Vec::new();
        update.encode_body(ctx, &mut body);
        UpdateMessage {
            body: body.into(),
            received: Received {
                update: update.clone(),
                malformations: Vec::new(),
            },
        }
    }
}

/// Smallest OPEN: header + 10 fixed bytes.
pub const OPEN_MIN_LEN: usize = 29;
/// Smallest UPDATE: header + two 2-byte lengths.
pub const UPDATE_MIN_LEN: usize = 23;
/// Smallest NOTIFICATION: header + code + subcode.
pub const NOTIFICATION_MIN_LEN: usize = 21;

/// One BGP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message {
    Open(Open),
    /// Boxed: a decoded UPDATE is much larger than the other variants.
    Update(Box<UpdateMessage>),
    Notification(Notification),
    Keepalive,
    RouteRefresh(RouteRefresh),
    Operational(Operational),
    /// A message type this crate does not know, kept as received.
    Unknown {
        kind: u8,
        body: Vec<u8>,
    },
}

impl Message {
    /// The message type code.
    pub fn kind(&self) -> u8 {
        match self {
            Message::Open(_) => kind::OPEN,
            Message::Update(_) => kind::UPDATE,
            Message::Notification(_) => kind::NOTIFICATION,
            Message::Keepalive => kind::KEEPALIVE,
            Message::RouteRefresh(_) => kind::ROUTE_REFRESH,
            Message::Operational(_) => kind::OPERATIONAL,
            Message::Unknown { kind, .. } => *kind,
        }
    }

    /// Decodes the body of a message of type `kind` (the header was
    /// already checked by [`header::decode_header`] / [`Framer`]).
    /// `negotiated` is the session context (for UPDATE decoding, through
    /// `Context::from(negotiated)`); use [`Negotiated::standalone`] outside
    /// a session, or [`Message::decode_with`] to give the UPDATE context
    /// (AIGP, ...) yourself.
    pub fn decode(kind: u8, body: &[u8], negotiated: &Negotiated) -> Result<Message> {
        // The UPDATE context is only built for UPDATEs.
        Message::decode_impl(kind, body, |b| {
            UpdateMessage::decode(b, &Context::from(negotiated))
        })
    }

    /// As [`Message::decode`] with the UPDATE context given.
    pub fn decode_with(kind: u8, body: &[u8], ctx: &Context) -> Result<Message> {
        Message::decode_impl(kind, body, |b| UpdateMessage::decode(b, ctx))
    }

    pub(crate) fn decode_impl(
        kind: u8,
        body: &[u8],
        update: impl FnOnce(&[u8]) -> Result<UpdateMessage>,
    ) -> Result<Message> {
        let total = body.len() + HEADER_LEN;
        let len16 = total.min(usize::from(u16::MAX)) as u16;
        Ok(match kind {
            kind::OPEN => {
                if total < OPEN_MIN_LEN {
                    return Err(header::bad_length(len16, "OPEN shorter than 29 bytes"));
                }
                if total > STANDARD_MAX_MESSAGE_SIZE {
                    return Err(header::bad_length(len16, "OPEN longer than 4096 bytes"));
                }
                Message::Open(Open::decode(body)?)
            }
            kind::UPDATE => {
                if total < UPDATE_MIN_LEN {
                    return Err(header::bad_length(len16, "UPDATE shorter than 23 bytes"));
                }
                Message::Update(Box::new(update(body)?))
            }
            kind::NOTIFICATION => {
                if total < NOTIFICATION_MIN_LEN {
                    return Err(header::bad_length(
                        len16,
                        "NOTIFICATION shorter than 21 bytes",
                    ));
                }
                Message::Notification(Notification::decode(body)?)
            }
            kind::KEEPALIVE => {
                if !body.is_empty() {
                    return Err(header::bad_length(len16, "KEEPALIVE is not 19 bytes"));
                }
                Message::Keepalive
            }
            kind::ROUTE_REFRESH => Message::RouteRefresh(RouteRefresh::decode(body)?),
            kind::OPERATIONAL => Message::Operational(Operational::decode(body)?),
            kind => Message::Unknown {
                kind,
                body: body.to_vec(),
            },
        })
    }

    /// Decodes one complete message (header included), checking the
    /// header against `max_size` and that the buffer is exactly one
    /// message long.
    pub fn decode_bytes(bytes: &[u8], max_size: usize, negotiated: &Negotiated) -> Result<Message> {
        let mut f = Framer::new(max_size);
        f.feed(bytes);
        match f.next_frame()? {
            Some(frame) if f.buffered() == 0 => frame.decode(negotiated),
            Some(_) => Err(crate::Error::Parse(
                format!("{} byte(s) after the message", f.buffered()).into(),
            )),
            None => Err(crate::Error::Parse(
                format!("incomplete message: {} byte(s)", bytes.len()).into(),
            )),
        }
    }

    /// Appends the message body (no header).
    pub fn encode_body(&self, out: &mut Vec<u8>) -> Result<()> {
        match self {
            Message::Open(o) => o.encode_body(out)?,
            Message::Update(u) => out.extend_from_slice(&u.body),
            Message::Notification(n) => n.encode_body(out),
            Message::Keepalive => {}
            Message::RouteRefresh(r) => r.encode_body(out),
            Message::Operational(o) => o.encode_body(out)?,
            Message::Unknown { body, .. } => out.extend_from_slice(body),
        }
        Ok(())
    }

    /// The whole message, header included. Fails when it is longer than
    /// `max_size` (use [`Negotiated::max_message_size`]; OPEN and
    /// KEEPALIVE are always limited to 4096, RFC 8654).
    pub fn encode(&self, max_size: usize) -> Result<Vec<u8>> {
        let mut body = Vec::new();
        self.encode_body(&mut body)?;
        let max = match self {
            Message::Open(_) | Message::Keepalive => max_size.min(STANDARD_MAX_MESSAGE_SIZE),
            _ => max_size,
        };
        header::frame(self.kind(), &body, max)
    }
}
