//! ExaBGP's JSON for the messages of this half of the crate: the pieces a
//! helper sees inside `"neighbor": { ... }` (`"open"`, `"notification"`,
//! `"route-refresh"`, `"operational"`), built as `serde_json::Value` with
//! keys in ExaBGP's order (serde_json's `preserve_order`), and the
//! envelope `ferrobgp decode` prints ([`decode`]); and, because it merges
//! capabilities the same way, the text encoder's rendering of them
//! ([`text`]). The live API envelope
//! (time, pid, counter...) is built by the api crate around these pieces.
//!
//! The values are valid JSON where the reference prints invalid JSON
//! (spec 9.3: quoted route-refresh / operational values are kept as
//! strings, which is what a JSON parser of the reference's output yields
//! wherever it can parse at all).

pub mod attr_text;
pub mod bgpls_text;
pub mod capability;
pub mod decode;
pub mod message;
pub mod text;
pub mod update;
pub mod update_text;

pub use capability::{capabilities_json, capability_code_name};
pub use decode::{decode_hex_json, decode_json, messages_json, DecodeEnvelope};
pub use message::{
    message_content, notification_json, open_json, operational_json, route_refresh_json,
};
pub use text::capabilities_text;

use serde_json::{Map, Value};

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

/// A JSON object from key/value pairs, in order.
pub fn object<I, K>(pairs: I) -> Value
where
    I: IntoIterator<Item = (K, Value)>,
    K: Into<String>,
{
    let mut m = Map::new();
    for (k, v) in pairs {
        m.insert(k.into(), v);
    }
    Value::Object(m)
}
