//! The JSON `ferrobgp decode` prints for a message, as `exabgp decode`
//! does (spec 6): ExaBGP's envelope with the neighbor of its decode
//! template (127.0.0.1 both ways, AS 65533 both ways), `"direction":
//! "in"`, `counter` 1.
//!
//! Process facts (time, host name, pids) are inputs: this crate does no
//! I/O.

use ferrobgp_wire::error::{Error, Result};
use ferrobgp_wire::hex::decode_messages;
use ferrobgp_wire::message::Message;
use ferrobgp_wire::negotiated::Negotiated;
use serde_json::{json, Map, Value};

/// The envelope's variable parts.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodeEnvelope {
    /// JSON format version (`"5.0.0"` at the reference).
    pub version: String,
    pub time: f64,
    pub host: String,
    pub pid: u32,
    pub ppid: u32,
    pub local_address: String,
    pub peer_address: String,
    pub local_as: u32,
    pub peer_as: u32,
}

impl Default for DecodeEnvelope {
    /// ExaBGP's decode template.
    fn default() -> DecodeEnvelope {
        DecodeEnvelope {
            version: "5.0.0".into(),
            time: 0.0,
            host: String::new(),
            pid: 0,
            ppid: 0,
            local_address: "127.0.0.1".into(),
            peer_address: "127.0.0.1".into(),
            local_as: 65533,
            peer_as: 65533,
        }
    }
}

/// Wraps message content (`kind` is the event type such as `"open"`;
/// `content` the keys after `"direction"`, e.g. from
/// [`super::message::message_content`], or `{"message": {"update": ..}}` from the
/// UPDATE half) in the decode envelope.
pub fn decode_json(env: &DecodeEnvelope, kind: &str, content: Map<String, Value>) -> Value {
    let mut neighbor = Map::new();
    neighbor.insert(
        "address".into(),
        json!({ "local": env.local_address, "peer": env.peer_address }),
    );
    neighbor.insert(
        "asn".into(),
        json!({ "local": env.local_as, "peer": env.peer_as }),
    );
    neighbor.insert("direction".into(), json!("in"));
    neighbor.extend(content);
    json!({
        "exabgp": env.version,
        "time": env.time,
        "host": env.host,
        "pid": env.pid,
        "ppid": env.ppid,
        "counter": 1,
        "type": kind,
        "neighbor": Value::Object(neighbor),
    })
}

/// Everything `ferrobgp decode` prints for a hex dump (see
/// [`ferrobgp_wire::hex`] for the accepted forms): one envelope per message, in
/// order. UPDATEs render as `"type": "update"` with `"message": {
/// "update": .. }` or `{ "eor": .. }` (the UPDATE half's
/// [`super::update::update_message_json`]). A message ExaBGP cannot render
/// (unknown type, unknown operational type) is an error naming its type,
/// as `exabgp decode` prints `unknown type N`.
pub fn decode_hex_json(
    text: &str,
    negotiated: &Negotiated,
    env: &DecodeEnvelope,
) -> Result<Vec<Value>> {
    messages_json(&decode_messages(text, negotiated)?, env)
}

/// The envelopes of already decoded messages, as [`decode_hex_json`]
/// prints them.
pub fn messages_json(messages: &[Message], env: &DecodeEnvelope) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for m in messages {
        let (kind, content) = match m {
            Message::Update(u) => {
                let mut map = Map::new();
                map.insert(
                    "message".into(),
                    super::update::update_message_json(&u.received.update),
                );
                ("update", map)
            }
            other => super::message::message_content(other)
                .ok_or_else(|| Error::Parse(format!("unknown type {}", other.kind()).into()))?,
        };
        out.push(decode_json(env, kind, content));
    }
    Ok(out)
}
