//! The raw UPDATEs of ExaBGP's conformance suite, read in place from
//! `../shared/conformance` (never copied into the repository), and the
//! decoding contexts their configurations imply; shared by the
//! conformance tests of the unicast and of the other families.

#![allow(dead_code)]

use ferrobgp_wire::family::Family;
use ferrobgp_wire::update::Context;
use std::path::{Path, PathBuf};

/// The suite's folder, `None` (after saying so) when it is absent.
pub fn suite() -> Option<PathBuf> {
    ferrobgp_testkit::conformance_suite(module_path!())
}

pub fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap())
        .collect()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02X}")).collect()
}

/// (case, configuration text, message) of every `raw` UPDATE line.
pub fn updates(root: &Path) -> Vec<(String, String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(root.join("encoding"))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "msg"))
        .collect();
    names.sort();
    for msg in names {
        let name = msg.file_stem().unwrap().to_string_lossy().to_string();
        let ci = std::fs::read_to_string(msg.with_extension("ci")).unwrap_or_default();
        let mut conf = String::new();
        for c in ci.lines().next().unwrap_or("").split_whitespace() {
            conf += &std::fs::read_to_string(root.join("etc").join(c)).unwrap_or_default();
        }
        for line in std::fs::read_to_string(&msg).unwrap().lines() {
            let line = line.trim();
            if line.is_empty() || line.contains('#') || line.contains("notification:") {
                continue;
            }
            let line = line.replace(' ', "").to_lowercase();
            let mut parts = line.splitn(3, ':');
            if let (Some(_), Some("raw"), Some(content)) =
                (parts.next(), parts.next(), parts.next())
            {
                let bytes = unhex(content);
                if bytes.len() >= 19 && bytes[18] == 2 {
                    out.push((name.clone(), conf.clone(), bytes));
                }
            }
        }
    }
    out
}

/// The contexts to decode a case's UPDATEs in: ASN4 unless disabled,
/// extended messages, and with ADD-PATH on every family first when the
/// configuration mentions add-path.
pub fn contexts(conf: &str) -> Vec<Context> {
    let plain = Context {
        asn4: !conf.contains("asn4 disable"),
        max_size: 65535,
        ..Context::default()
    };
    let mut addpath = plain.clone();
    for f in Family::ALL_KNOWN {
        addpath.addpath_rx.insert(f);
        addpath.addpath_tx.insert(f);
    }
    if conf.contains("add-path") {
        vec![addpath, plain]
    } else {
        vec![plain]
    }
}
