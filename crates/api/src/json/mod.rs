//! ExaBGP's JSON encoder (spec §3.2-3.4): one line per event, with the
//! envelope `{ "exabgp": "5.0.0", "time": ..., "host" : ..., "pid" : ...,
//! "ppid" : ..., "counter": N, "type": ..., "neighbor": { ... } }` spaced
//! exactly as the reference writes it. Values the reference prints as
//! invalid JSON (spec §9 #3) are printed as valid JSON of the same shape.
//!
//! The pieces inside `"neighbor": { ... }` are built from crates/wire's
//! decoded messages as `serde_json::Value`s with keys in ExaBGP's order
//! (serde_json's `preserve_order`): [`message`] (open, notification,
//! route-refresh, operational), [`capability`], [`update`] (attributes and
//! NLRIs), [`nlri`] (EVPN, BGP-LS, RTC, Prefix-SID), [`bgp_ls`] (the BGP-LS
//! attribute), and the envelope `ferrobgp decode` prints ([`decode`]).
//! Where the reference prints invalid JSON (spec 9.3: quoted route-refresh
//! / operational values) they are valid JSON, what a JSON parser of the
//! reference's output yields wherever it can parse at all.

pub mod bgp_ls;
pub mod capability;
pub mod decode;
pub mod message;
pub mod nlri;
pub mod update;

pub use capability::{capabilities_json, capability_code_name};
pub use decode::{decode_hex_json, decode_json, messages_json, DecodeEnvelope};
pub use message::{notification_json, open_json, operational_json, route_refresh_json};

use crate::event::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

/// Who writes the events: the fields of the envelope that do not change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The JSON format version (`5.0.0`).
    pub version: String,
    pub host: String,
    pub pid: u32,
    pub ppid: u32,
}

/// The JSON format version ExaBGP 5 writes.
pub const JSON_VERSION: &str = "5.0.0";

/// A JSON encoder for one helper process; keeps the per-neighbor counters.
#[derive(Debug, Clone)]
pub struct JsonEncoder {
    envelope: Envelope,
    counters: HashMap<(IpAddr, IpAddr), u64>,
}

/// A JSON string literal (quotes and escapes).
pub fn quote(s: &str) -> String {
    let mut q = String::with_capacity(s.len() + 2);
    push_quoted(&mut q, s);
    q
}

/// Appends `text` as a JSON string, escaped as serde_json escapes it:
/// `"` and `\`, the short forms `\b \f \n \r \t`, other control
/// characters as `\u00xx`; everything else as it is.
pub(crate) fn push_quoted(s: &mut String, text: &str) {
    s.push('"');
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let short = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        s.push_str(&text[start..i]);
        if short.is_empty() {
            let _ = write!(s, "\\u{b:04x}");
        } else {
            s.push_str(short);
        }
        start = i + 1;
    }
    s.push_str(&text[start..]);
    s.push('"');
}

/// Python's repr of a float, as `time.time()` is printed.
pub fn float_repr(t: f64) -> String {
    let s = format!("{t}");
    if s.contains('.') || s.contains('e') || s.contains("inf") || s.contains("NaN") {
        s
    } else {
        format!("{s}.0")
    }
}

fn escape_reason(reason: &str) -> String {
    // ExaBGP replaces brackets and braces in reasons by parentheses
    reason.replace(['[', '{'], "(").replace([']', '}'], ")")
}

/// The `"negotiated": { ... } ` object (valid JSON, unlike the reference's
/// unquoted family lists).
pub fn negotiated_json(n: &Negotiated) -> String {
    let list = |fs: &[String]| -> String {
        let items: Vec<String> = fs.iter().map(|f| quote(f)).collect();
        format!("[{}]", items.join(", "))
    };
    let fam =
        |fs: &[ferrobgp_wire::Family]| -> Vec<String> { fs.iter().map(|f| f.spaced()).collect() };
    let nexthop: Vec<String> = n
        .nexthop
        .iter()
        .map(|(f, nh)| format!("{} {}", f.spaced(), nh))
        .collect();
    format!(
        "{{ \"message_size\": {}, \"hold_time\": {}, \"asn4\": {}, \"multisession\": {}, \"operational\": {}, \"refresh\": {}, \"families\": {}, \"nexthop\": {}, \"add_path\": {{\"send\": {}, \"receive\": {}}} }} ",
        n.message_size,
        n.hold_time,
        n.asn4,
        n.multisession,
        n.operational,
        quote(&n.refresh),
        list(&fam(&n.families)),
        list(&nexthop),
        list(&fam(&n.add_path_send)),
        list(&fam(&n.add_path_receive)),
    )
}

/// `"message": { "eor": { "afi" : "ipv4", "safi" : "unicast" } }` value.
pub fn eor_message(f: ferrobgp_wire::Family) -> String {
    format!(
        "{{ \"eor\": {{ \"afi\" : \"{}\", \"safi\" : \"{}\" }} }}",
        f.afi, f.safi
    )
}

impl JsonEncoder {
    pub fn new(envelope: Envelope) -> JsonEncoder {
        JsonEncoder {
            envelope,
            counters: HashMap::new(),
        }
    }

    fn counter(&mut self, peer: &PeerInfo) -> u64 {
        let c = self
            .counters
            .entry((peer.local_address, peer.peer_address))
            .or_insert(0);
        *c += 1;
        *c
    }

    fn envelope(
        &self,
        time: f64,
        counter: Option<u64>,
        kind: &str,
        raw: Option<(&[u8], &[u8])>,
        content: &str,
    ) -> String {
        let mut s = String::with_capacity(256 + content.len());
        let _ = write!(
            s,
            "{{ \"exabgp\": {}, \"time\": {}, \"host\" : {}, \"pid\" : {}, \"ppid\" : {}, ",
            quote(&self.envelope.version),
            float_repr(time),
            quote(&self.envelope.host),
            self.envelope.pid,
            self.envelope.ppid
        );
        if let Some(c) = counter {
            let _ = write!(s, "\"counter\": {c}, ");
        }
        let _ = write!(s, "\"type\": \"{kind}\", ");
        if let Some((header, body)) = raw {
            if !header.is_empty() {
                let _ = write!(s, "\"header\": \"{}\", ", hexstring(header));
            }
            if !body.is_empty() {
                let _ = write!(s, "\"body\": \"{}\", ", hexstring(body));
            }
        }
        s.push_str(content);
        s.push_str(" }");
        s
    }

    fn neighbor(peer: &PeerInfo, direction: Option<Direction>, content: &str) -> String {
        format!(
            "\"neighbor\": {{ \"address\": {{ \"local\": \"{}\", \"peer\": \"{}\" }}, \"asn\": {{ \"local\": {}, \"peer\": {} }}{} {}{}{}{} }}",
            peer.local_address,
            peer.peer_address,
            peer.local_as,
            peer.peer_as,
            peer.router_id
                .map(|r| format!(", \"router-id\": \"{r}\""))
                .unwrap_or_default(),
            if direction.is_some() { ", " } else { "" },
            direction.map(|d| format!("\"direction\": \"{}\"", d.as_str())).unwrap_or_default(),
            if content.is_empty() { " " } else { ", " },
            content
        )
    }

    /// The line (without newline) for `event` about `peer` at `time`.
    pub fn encode(&mut self, time: f64, peer: &PeerInfo, event: &Event) -> String {
        let counter = Some(self.counter(peer));
        let (kind, direction, raw, content) = event_content(event);
        self.envelope(
            time,
            counter,
            kind,
            raw,
            &Self::neighbor(peer, direction, &content),
        )
    }

    /// The notice every JSON helper gets when the daemon exits.
    pub fn shutdown(&self, time: f64) -> String {
        self.envelope(
            time,
            None,
            "notification",
            None,
            "\"notification\": \"shutdown\"",
        )
    }
}

/// Raw header and body of a message, when the helper asked for them.
type RawParts<'a> = Option<(&'a [u8], &'a [u8])>;

/// What `event` puts in its envelope: its `type`, the direction inside
/// `"neighbor"` (messages only), the raw parts, and the content after the
/// neighbor's address and ASNs.
fn event_content(event: &Event) -> (&'static str, Option<Direction>, RawParts<'_>, String) {
    match event {
        Event::State(state) => {
            let content = match state {
                State::Connected => "\"state\": \"connected\"".to_string(),
                State::Up => "\"state\": \"up\"".to_string(),
                State::Down(reason) => format!(
                    "\"state\": \"down\", \"reason\": {}",
                    quote(&escape_reason(reason))
                ),
            };
            ("state", None, None, content)
        }
        Event::Fsm(name) => ("fsm", None, None, format!("\"state\": {}", quote(name))),
        Event::Signal { code, name } => (
            "signal",
            None,
            None,
            format!("\"code\": \"{code}\", \"name\": {}", quote(name)),
        ),
        Event::Negotiated(n) => (
            "negotiated",
            None,
            None,
            format!("\"negotiated\": {}", negotiated_json(n)),
        ),
        Event::Packets {
            direction,
            category,
            header,
            body,
            negotiated,
        } => {
            let mut content = format!(
                "\"message\": {{ \"category\": {category}, \"header\": \"{}\", \"body\": \"{}\" }} ",
                hexstring(header),
                hexstring(body)
            );
            if let Some(n) = negotiated {
                let _ = write!(content, ", \"negotiated\": {}", negotiated_json(n));
            }
            let kind = MessageType::name_of(*category);
            (kind, Some(*direction), None, content)
        }
        Event::Message {
            direction,
            content,
            raw,
            negotiated,
        } => {
            let (kind, body) = message_content(content, negotiated.as_ref());
            let raw = raw.as_ref().map(|(h, b)| (h.as_slice(), b.as_slice()));
            (kind, Some(*direction), raw, body)
        }
    }
}

/// A JSON value written the way ExaBGP spaces its output: `{ "k": v, "k2": v2 }`,
/// `[ a, b ]`, `{ }`, `[ ]`.
pub fn exabgp_style(v: &serde_json::Value) -> String {
    let mut s = String::new();
    write_value(&mut s, v);
    s
}

fn write_value(s: &mut String, v: &serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::Object(m) if m.is_empty() => s.push_str("{ }"),
        Value::Object(m) => {
            s.push_str("{ ");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                push_quoted(s, k);
                s.push_str(": ");
                write_value(s, v);
            }
            s.push_str(" }");
        }
        Value::Array(a) if a.is_empty() => s.push_str("[ ]"),
        Value::Array(a) => {
            s.push_str("[ ");
            for (i, v) in a.iter().enumerate() {
                if i > 0 {
                    s.push_str(", ");
                }
                write_value(s, v);
            }
            s.push_str(" ]");
        }
        Value::String(t) => push_quoted(s, t),
        Value::Number(n) => {
            let _ = write!(s, "{n}");
        }
        Value::Bool(b) => s.push_str(if *b { "true" } else { "false" }),
        Value::Null => s.push_str("null"),
    }
}

fn message_content(content: &Content, negotiated: Option<&Negotiated>) -> (&'static str, String) {
    let with_negotiated = |mut s: String| {
        if let Some(n) = negotiated {
            let _ = write!(s, ", \"negotiated\": {}", negotiated_json(n));
        }
        s
    };
    match content {
        Content::Open { version, asn, hold_time, router_id, capabilities_json, .. } => (
            "open",
            format!(
                "\"open\": {{ \"version\": {version}, \"asn\": {asn}, \"hold_time\": {hold_time}, \"router_id\": \"{router_id}\", \"capabilities\": {} }}",
                exabgp_style(capabilities_json)
            ),
        ),
        Content::Update(u) => ("update", with_negotiated(format!("\"message\": {}", u.json_text()))),
        Content::Eor(f) => ("update", with_negotiated(format!("\"message\": {}", eor_message(*f)))),
        Content::Notification { code, subcode, data } => (
            "notification",
            format!(
                "\"notification\": {{ \"code\": {code}, \"subcode\": {subcode}, \"data\": \"{}\", \"message\": {} }} ",
                hexstring(data),
                quote(&String::from_utf8_lossy(data))
            ),
        ),
        Content::Keepalive => ("keepalive", String::new()),
        Content::Refresh { family, subtype } => (
            "refresh",
            format!(
                "\"route-refresh\": {{ \"afi\": \"{}\", \"safi\": \"{}\", \"subtype\": {} }}",
                family.afi,
                family.safi,
                quote(subtype)
            ),
        ),
        Content::Operational { name, family, kind } => {
            let mut s = format!(
                "\"operational\": {{ \"name\": {}, \"afi\": \"{}\", \"safi\": \"{}\"",
                quote(name),
                family.afi,
                family.safi
            );
            match kind {
                OperationalKind::Query => {}
                OperationalKind::Advisory(text) => {
                    let _ = write!(s, ", \"advisory\": {}", quote(text));
                }
                OperationalKind::Counter { router_id, sequence, counter } => {
                    let _ = write!(s, ", \"router-id\": \"{router_id}\", \"sequence\": {sequence}, \"counter\": {counter}");
                }
            }
            s.push_str(" }");
            ("operational", s)
        }
    }
}

/// Upper-case hex digits without prefix (ExaBGP's `raw` of unknown
/// capabilities).
pub fn hex_upper(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push_str(&format!("{b:02X}"));
    }
    s
}

/// `0x` + upper-case hex, ExaBGP's rendering of NOTIFICATION data and
/// packet dumps.
pub fn hex_prefixed(bytes: &[u8]) -> String {
    format!("0x{}", hex_upper(bytes))
}

/// Lower-case hex, no prefix (IS-IS system IDs, EVPN ESIs and bodies).
pub(crate) fn hex_lower(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `0x` + lower-case hex, ExaBGP's rendering of unknown NLRIs and of
/// attribute values it does not decode.
pub(crate) fn hex_lower_prefixed(b: &[u8]) -> String {
    format!("0x{}", hex_lower(b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    proptest! {
        /// Our escaping is serde_json's, byte for byte.
        #[test]
        fn quote_is_serde_jsons(text in "(\\PC|[\\x00-\\x1f\\x7f\"\\\\])*") {
            prop_assert_eq!(quote(&text), serde_json::to_string(&text).unwrap());
        }

        /// A value printed with ExaBGP's spacing reads back as the same value.
        #[test]
        fn exabgp_style_reads_back(keys in proptest::collection::vec("\\PC{0,6}", 0..5), n in any::<i64>(), b in any::<bool>()) {
            let mut m = serde_json::Map::new();
            for (i, k) in keys.iter().enumerate() {
                let v = match i % 4 {
                    0 => Value::String(k.clone()),
                    1 => Value::from(n),
                    2 => Value::Bool(b),
                    _ => Value::Array(vec![Value::Null, Value::String(k.clone())]),
                };
                m.insert(k.clone(), v);
            }
            let v = Value::Object(m);
            let back: Value = serde_json::from_str(&exabgp_style(&v)).unwrap();
            prop_assert_eq!(back, v);
        }
    }
}
