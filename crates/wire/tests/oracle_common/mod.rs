//! The comparison both decode-oracle tests make: each line of a golden
//! file (`tests/golden/*.jsonl`, recorded with `qa/bin/decode-oracle`)
//! holds a case name, an UPDATE in hex and what `exabgp decode <hex>` of
//! ExaBGP 5.0.15 printed for it; `ferrobgp decode`'s JSON (the function
//! the binary calls, with its default negotiated context) must be the same
//! envelope without the process facts (exabgp / time / host / pid / ppid).

use ferrobgp_api::json::decode::{decode_hex_json, DecodeEnvelope};
use ferrobgp_wire::negotiated::Negotiated;
use serde_json::Value;
use std::path::Path;

/// Decodes every case of `golden` (relative to the crate) and compares it
/// with the oracle's JSON; panics with every difference. The number of
/// cases compared.
pub fn compare_with_exabgp(golden: &str) -> usize {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(golden);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    let env = DecodeEnvelope::default();
    let mut failures = Vec::new();
    let mut n = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let g: Value = serde_json::from_str(line).unwrap();
        let case = g["case"].as_str().unwrap();
        let out = decode_hex_json(g["hex"].as_str().unwrap(), &Negotiated::standalone(), &env)
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(out.len(), 1, "{case}");
        let mut got = out[0].clone();
        if let Some(o) = got.as_object_mut() {
            for k in ["exabgp", "time", "host", "pid", "ppid"] {
                o.shift_remove(k);
            }
        }
        let got = serde_json::to_string(&got).unwrap();
        // 5.0.15 adds the neighbor's "router-id", which the reference this
        // project follows (spec 3.2) does not print yet
        let mut want = g["decode"].clone();
        if let Some(nb) = want.get_mut("neighbor").and_then(|v| v.as_object_mut()) {
            assert_eq!(nb.shift_remove("router-id"), Some(Value::from("10.0.0.2")));
        }
        let want = serde_json::to_string(&want).unwrap();
        if got != want {
            failures.push(format!("{case}\n  expected {want}\n  got      {got}"));
        }
        n += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    n
}
