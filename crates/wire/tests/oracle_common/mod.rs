//! The comparison the decode-oracle tests make: each line of a golden
//! file (`tests/golden/*.jsonl`, recorded with `qa/bin/decode-oracle`)
//! holds a case name, an UPDATE in hex and what `exabgp decode <hex>` of
//! ExaBGP 5.0.15 printed for it (`"decode"`), or its output when it printed
//! no JSON (`"error"`); `ferrobgp decode`'s JSON (the function the binary
//! calls, with its default negotiated context) must be the same envelope
//! without the process facts (exabgp / time / host / pid / ppid). The JSON
//! a helper is given for the message (`from_wire::content`, what the rib
//! sends to helpers; compared for UPDATEs without an RFC 7606 verdict) must
//! be that envelope's `"message"`.
//!
//! Where 5.0.15 is wrong, the line says why (`"why"`, listed in README.md's
//! table of 5.0.15's decode errors) and holds what ferrobgp must print
//! instead (`"ferrobgp"`, the whole envelope), except for 5.0.15's SRv6
//! service TLVs printed with unformatted `"%s"` / `%d` (not JSON): there
//! its text, with our SID and endpoint behaviour put in the placeholders,
//! must equal ours.
//!
//! What is not an oracle here: in those SRv6 cases (12 of the capture
//! cases) the SID and the endpoint behaviour are ours, so only the rest of
//! the message is checked against 5.0.15; and a `"ferrobgp"` envelope is
//! ferrobgp's output, reviewed against the RFC when the line was written,
//! not an independent recording.

use ferrobgp_api::event::Content;
use ferrobgp_api::from_wire;
use ferrobgp_api::json::decode::{decode_hex_json, DecodeEnvelope};
use ferrobgp_wire::hex::decode_messages;
use ferrobgp_wire::message::Message;
use ferrobgp_wire::negotiated::Negotiated;
use serde_json::Value;
use std::path::Path;

/// How the cases of a golden file compared.
#[derive(Debug, PartialEq, Eq)]
pub struct Counts {
    /// ferrobgp prints what 5.0.15 printed.
    pub equal: usize,
    /// 5.0.15 is wrong (`"why"`) and ferrobgp prints what the line says.
    pub differ: usize,
    /// Cases (UPDATEs without an RFC 7606 verdict) whose JSON for a
    /// helper was compared with decode's.
    pub helper: usize,
}

/// Decodes every case of `golden` (relative to the crate) and compares it
/// with the oracle's JSON; panics with every difference. The number of
/// cases compared and of those whose JSON for a helper was compared too;
/// none may differ from 5.0.15.
pub fn compare_with_exabgp(golden: &str) -> (usize, usize) {
    let c = compare(golden);
    assert_eq!(c.differ, 0, "{golden}: cases where 5.0.15 is wrong");
    (c.equal, c.helper)
}

fn strip_process_facts(v: &mut Value) {
    if let Some(o) = v.as_object_mut() {
        for k in ["exabgp", "time", "host", "pid", "ppid"] {
            o.shift_remove(k);
        }
    }
}

/// 5.0.15 adds the neighbor's "router-id", which the reference this
/// project follows (spec 3.2) does not print yet.
fn strip_router_id(v: &mut Value) {
    if let Some(nb) = v.get_mut("neighbor").and_then(|v| v.as_object_mut()) {
        assert_eq!(nb.shift_remove("router-id"), Some(Value::from("10.0.0.2")));
    }
}

/// 5.0.15's text for an SRv6 service TLV (`"sid": "%s"`,
/// `"endpoint_behavior": %d`) with the values of ours put in, parsed.
fn fill_placeholders(error: &str, ours: &Value) -> Value {
    let mut text = error[error.find('{').expect("5.0.15 printed no JSON text")..].to_string();
    let services = ours["neighbor"]["message"]["update"]["attribute"]["bgp-prefix-sid"]
        ["l3-service"]
        .as_array()
        .expect("ours has no SRv6 L3 service");
    for s in services {
        text = text.replacen("\"%s\"", &s["sid"].to_string(), 1);
        text = text.replacen("%d", &s["endpoint_behavior"].to_string(), 1);
    }
    let mut v: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("5.0.15's text is not JSON once filled ({e}): {text}"));
    strip_process_facts(&mut v);
    strip_router_id(&mut v);
    v
}

/// Decodes every case of `golden` and compares it as the module says;
/// panics with every difference.
pub fn compare(golden: &str) -> Counts {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(golden);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let env = DecodeEnvelope::default();
    let mut failures = Vec::new();
    let mut counts = Counts {
        equal: 0,
        differ: 0,
        helper: 0,
    };
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let g: Value = serde_json::from_str(line).unwrap();
        let case = g["case"].as_str().unwrap();
        let hex = g["hex"].as_str().unwrap();
        let out = decode_hex_json(hex, &Negotiated::standalone(), &env)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(out.len(), 1, "{case}");
        let mut got = out[0].clone();
        strip_process_facts(&mut got);

        // what a helper is told
        let messages = decode_messages(hex, &Negotiated::standalone()).unwrap();
        if let [Message::Update(u)] = messages.as_slice() {
            if u.received.verdict().is_none() {
                match from_wire::content(messages[0].clone()) {
                    Some(Content::Update(u)) => {
                        let json = u.json();
                        // as text: serde_json's Map (preserve_order) ignores
                        // key order in ==, a consumer of the text does not
                        let told = serde_json::to_string(&json).unwrap();
                        let printed = serde_json::to_string(&got["neighbor"]["message"]).unwrap();
                        if told != printed {
                            failures.push(format!(
                                "{case}: a helper is told {told}\n  decode prints {printed}"
                            ));
                        }
                        counts.helper += 1;
                    }
                    // an End-of-RIB: the helper's event is built from the
                    // family alone, there is no UPDATE JSON to compare
                    Some(Content::Eor(_)) => {}
                    other => failures.push(format!(
                        "{case}: an UPDATE without a verdict gives a helper {other:?}"
                    )),
                }
            }
        }

        let why = g.get("why").and_then(Value::as_str);
        let want = match (
            &g.get("decode"),
            g.get("error").and_then(Value::as_str),
            why,
        ) {
            (Some(d), None, None) => {
                let mut d = (*d).clone();
                strip_router_id(&mut d);
                counts.equal += 1;
                d
            }
            (Some(d), None, Some(_)) => {
                let mut d = (*d).clone();
                strip_router_id(&mut d);
                assert_ne!(d, got, "{case}: 5.0.15 prints ours: drop the \"why\"");
                counts.differ += 1;
                g["ferrobgp"].clone()
            }
            (None, Some(e), Some(_)) if e.starts_with("not JSON") => {
                counts.differ += 1;
                fill_placeholders(e, &got)
            }
            (None, Some(_), Some(_)) => {
                counts.differ += 1;
                g["ferrobgp"].clone()
            }
            _ => panic!("{case}: 5.0.15 printed no JSON and no \"why\" says why"),
        };
        let got = serde_json::to_string(&got).unwrap();
        let want = serde_json::to_string(&want).unwrap();
        if got != want {
            failures.push(format!("{case}\n  expected {want}\n  got      {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(counts.helper > 0, "{golden}: no helper JSON compared");
    counts
}
