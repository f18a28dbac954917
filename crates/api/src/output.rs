//! What one helper process is written: the events of its neighbors that
//! its `api` blocks select, in its encoder's format, framed as they go on
//! its stdin (JSON: one line; text: the event's lines and an empty line),
//! and the shutdown notice.

use crate::event::{
    Content, Direction, Event, MessageType, Negotiated, PeerInfo, Report, Subscription,
};
use crate::json::{Envelope, JsonEncoder};
use crate::neighbor_api::NeighborApi;
use crate::text;
use ferrobgp_config::model::Api;

/// A helper's encoder (`process { encoder json|text; }`).
#[derive(Debug, Clone)]
pub enum Encoding {
    Json(JsonEncoder),
    Text,
}

/// A BGP message a session sent or received, as the rib gets it.
#[derive(Debug, Clone, Copy)]
pub struct RawMessage<'a> {
    pub direction: Direction,
    /// The whole message, header included.
    pub raw: &'a [u8],
    /// The session's negotiated data (for `negotiated` subscribers).
    pub negotiated: Option<&'a Negotiated>,
}

/// The event writer of one helper process.
#[derive(Debug, Clone)]
pub struct HelperOutput {
    encoding: Encoding,
    envelope: Envelope,
}

/// The union of a neighbor's `api` blocks that name `process`, with the
/// union of all its blocks for the switches ExaBGP merges per neighbor
/// ([`crate::neighbor_api`]); None when no block names it (the process then
/// neither hears of nor may address the neighbor).
pub fn subscription(apis: &[Api], process: &str) -> Option<Subscription> {
    let mut out: Option<Subscription> = None;
    for api in apis
        .iter()
        .filter(|a| a.processes.iter().any(|p| p == process))
    {
        let s = Subscription {
            neighbor_changes: api.neighbor_changes,
            negotiated: api.negotiated,
            fsm: api.fsm,
            signal: api.signal,
            receive: api.receive,
            send: api.send,
            neighbor: None,
        };
        out.get_or_insert_with(Subscription::default).union(&s);
    }
    if let Some(s) = out.as_mut() {
        s.neighbor = Some(NeighborApi::of(apis));
    }
    out
}

/// The message type of a raw message's type code.
pub fn message_type(code: u8) -> Option<MessageType> {
    Some(match code {
        1 => MessageType::Open,
        2 => MessageType::Update,
        3 => MessageType::Notification,
        4 => MessageType::Keepalive,
        5 => MessageType::Refresh,
        6 => MessageType::Operational,
        _ => return None,
    })
}

impl HelperOutput {
    /// `json`: the process's encoder is JSON (else text). `envelope`: the
    /// envelope's version/host/pid/ppid.
    pub fn new(json: bool, envelope: Envelope) -> HelperOutput {
        let encoding = if json {
            Encoding::Json(JsonEncoder::new(envelope.clone()))
        } else {
            Encoding::Text
        };
        HelperOutput { encoding, envelope }
    }

    fn frame(&mut self, time: f64, peer: &PeerInfo, event: &Event) -> Option<String> {
        match &mut self.encoding {
            Encoding::Json(e) => {
                let mut s = e.encode(time, peer, event);
                s.push('\n');
                Some(s)
            }
            Encoding::Text => text::encode(peer, event).map(|mut s| {
                s.push('\n');
                s
            }),
        }
    }

    /// The bytes to write for a non-message event (state, fsm, signal,
    /// negotiated), if `sub` selects it and the encoder has a form for it.
    pub fn event(
        &mut self,
        sub: &Subscription,
        time: f64,
        peer: &PeerInfo,
        event: &Event,
    ) -> Option<String> {
        if !sub.wants(event) {
            return None;
        }
        self.frame(time, peer, event)
    }

    /// The bytes to write for one BGP message (`raw`: header included)
    /// sent or received: `packets` and/or decoded reports as `sub` selects.
    /// `decode` is called only when a decoded report is wanted; a message
    /// it cannot render (None) gets no decoded report.
    pub fn message(
        &mut self,
        sub: &Subscription,
        time: f64,
        peer: &PeerInfo,
        message: RawMessage<'_>,
        decode: impl FnOnce() -> Option<Content>,
    ) -> String {
        let RawMessage {
            direction,
            raw,
            negotiated,
        } = message;
        let mut out = String::new();
        if raw.len() < 19 {
            return out;
        }
        let Some(t) = message_type(raw[18]) else {
            return out;
        };
        let negotiated = if sub.message_negotiated() {
            negotiated.cloned()
        } else {
            None
        };
        let mut decode = Some(decode);
        let mut content: Option<Option<Content>> = None;
        for report in sub.reports(direction, t) {
            let event = match report {
                Report::Packets => Event::Packets {
                    direction,
                    category: raw[18],
                    header: raw[..19].to_vec(),
                    body: raw[19..].to_vec(),
                    negotiated: negotiated.clone(),
                },
                Report::Parsed { raw: with_raw } => {
                    if content.is_none() {
                        content = Some(decode.take().and_then(|d| d()));
                    }
                    let Some(Some(c)) = content.clone() else {
                        continue;
                    };
                    Event::Message {
                        direction,
                        content: c,
                        raw: with_raw.then(|| (raw[..19].to_vec(), raw[19..].to_vec())),
                        negotiated: negotiated.clone(),
                    }
                }
            };
            if let Some(s) = self.frame(time, peer, &event) {
                out.push_str(&s);
            }
        }
        out
    }

    /// The notice written when the daemon exits.
    pub fn shutdown(&self, time: f64) -> String {
        match &self.encoding {
            Encoding::Json(e) => format!("{}\n", e.shutdown(time)),
            Encoding::Text => format!(
                "{}\n",
                text::shutdown(self.envelope.pid, self.envelope.ppid)
            ),
        }
    }
}
