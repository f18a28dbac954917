//! An UPDATE's renderings for helpers, made when first asked for and shared.
//!
//! A received UPDATE goes to every helper that subscribed to it, some in
//! JSON, some in text. [`UpdateRendering`] holds the UPDATE as it is reported
//! (RFC 7606: what it meant, see `Received::reported`) and renders each form
//! once, on the first helper that needs it: a daemon whose helpers all read
//! JSON never builds the text lines, and a second JSON helper reuses the
//! first one's string. Clones share the renderings (an `Arc`).

use crate::json::exabgp_style;
use crate::json::update::{update_message_json, update_text_lines};
use ferrobgp_wire::update::{Update, Verdict};
use serde_json::{Map, Value};
use std::sync::{Arc, OnceLock};

/// The JSON and text renderings of one UPDATE (not an End-of-RIB).
#[derive(Clone)]
pub struct UpdateRendering(Arc<Inner>);

struct Inner {
    /// What is rendered; `None` when the renderings were given.
    update: Option<Update>,
    /// ExaBGP's `"error"` marker of an UPDATE RFC 7606 handling changed.
    marker: Option<&'static str>,
    json: OnceLock<Value>,
    json_text: OnceLock<String>,
    text: OnceLock<Vec<String>>,
}

impl UpdateRendering {
    /// The renderings of `reported` (the UPDATE as helpers are told it),
    /// marked with ExaBGP's `"error"` attribute when `verdict` is one ExaBGP
    /// reports.
    pub fn new(reported: Update, verdict: Option<&Verdict>) -> Self {
        let marker = match verdict {
            Some(Verdict::TreatAsWithdraw) => Some("treat-as-withdraw"),
            Some(Verdict::AttributeDiscard) => Some("discard"),
            _ => None,
        };
        UpdateRendering(Arc::new(Inner {
            update: Some(reported),
            marker,
            json: OnceLock::new(),
            json_text: OnceLock::new(),
            text: OnceLock::new(),
        }))
    }

    /// Renderings made elsewhere: `json` is the value of `"message"`
    /// (`{ "update": ... }`), `text` the text encoder's lines without their
    /// `neighbor <ip> <dir> update ` prefix.
    pub fn given(json: Value, text: Vec<String>) -> Self {
        UpdateRendering(Arc::new(Inner {
            update: None,
            marker: None,
            json: OnceLock::from(json),
            json_text: OnceLock::new(),
            text: OnceLock::from(text),
        }))
    }

    /// The value of `"message"`: `{ "update": { ... } }`.
    pub fn json(&self) -> &Value {
        let i = &*self.0;
        i.json.get_or_init(|| {
            let mut v = i.update.as_ref().map_or(Value::Null, update_message_json);
            if let Some(marker) = i.marker {
                mark_error(&mut v, marker);
            }
            v
        })
    }

    /// [`Self::json`] printed with ExaBGP's spacing.
    pub fn json_text(&self) -> &str {
        self.0.json_text.get_or_init(|| exabgp_style(self.json()))
    }

    /// The text encoder's lines without the `neighbor <ip> <dir> update `
    /// prefix: `announced ...`, `withdrawn ...`.
    pub fn text(&self) -> &[String] {
        let i = &*self.0;
        i.text
            .get_or_init(|| i.update.as_ref().map_or_else(Vec::new, update_text_lines))
    }
}

impl PartialEq for UpdateRendering {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
            || (self.json() == other.json() && self.text() == other.text())
    }
}

impl std::fmt::Debug for UpdateRendering {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UpdateRendering")
            .field("json", self.json())
            .field("text", &self.text())
            .finish()
    }
}

/// ExaBGP's marker of an UPDATE that RFC 7606 error handling changed: the
/// last attribute is `"error": "treat-as-withdraw"` (its routes are
/// reported withdrawn) or `"error": "discard"` (an attribute was dropped),
/// the strongest verdict when there are several. An NLRI discard (an
/// action ExaBGP does not take) has no marker.
fn mark_error(json: &mut Value, marker: &str) {
    let Some(Value::Object(update)) = json.get_mut("update") else {
        return;
    };
    // "attribute" stays the first key of the update object
    let mut rebuilt = Map::new();
    let mut attrs = match update.remove("attribute") {
        Some(Value::Object(a)) => a,
        _ => Map::new(),
    };
    attrs.insert("error".into(), Value::String(marker.into()));
    rebuilt.insert("attribute".into(), Value::Object(attrs));
    rebuilt.append(update);
    *update = rebuilt;
}

#[cfg(test)]
mod tests {
    use super::*;
    use ferrobgp_wire::nlri::{Nlri, Prefix};
    use std::net::Ipv4Addr;

    fn update() -> Update {
        Update {
            next_hop: Some(Ipv4Addr::new(192, 0, 2, 1)),
            nlri: vec![Nlri::Prefix(Prefix::unicast(
                "10.0.0.0/24".parse().unwrap(),
            ))],
            ..Update::default()
        }
    }

    #[test]
    fn renders_each_form_on_demand_and_shares_it() {
        let r = UpdateRendering::new(update(), None);
        assert!(r.0.json.get().is_none() && r.0.text.get().is_none());
        let copy = r.clone();
        assert_eq!(
            copy.json_text(),
            r#"{ "update": { "announce": { "ipv4 unicast": { "192.0.2.1": [ { "nlri": "10.0.0.0/24" } ] } } } }"#
        );
        // the clone rendered JSON for both; the text is still not built
        assert!(r.0.json.get().is_some() && r.0.text.get().is_none());
        assert_eq!(r.text(), ["announced 10.0.0.0/24 next-hop 192.0.2.1"]);
    }

    #[test]
    fn treat_as_withdraw_is_marked_last_in_the_attributes() {
        let r = UpdateRendering::new(update(), Some(&Verdict::TreatAsWithdraw));
        assert_eq!(
            r.json()["update"]["attribute"]["error"],
            "treat-as-withdraw"
        );
        let keys: Vec<_> = r.json()["update"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        assert_eq!(keys, ["attribute", "announce"]);
    }

    #[test]
    fn given_renderings_compare_by_value() {
        let a = UpdateRendering::new(update(), None);
        let b = UpdateRendering::given(a.json().clone(), a.text().to_vec());
        assert_eq!(a, b);
        assert_ne!(a, UpdateRendering::given(Value::Null, vec![]));
    }
}
