//! The crate dependency rules of `docs/ARCHITECTURE.md` hold: every
//! workspace crate's `[dependencies]` name only the workspace crates its row
//! of the table allows, and a crate whose row says no I/O uses none of the
//! I/O crates. The table is read from the document itself, so the document
//! and this check cannot drift apart.

use ferrobgp_testkit::workspace_root;
use std::collections::{BTreeMap, BTreeSet};

/// Crates that do I/O or system calls: a pure crate uses none of them.
const IO_CRATES: &[&str] = &["tokio", "tokio-util", "futures", "nix", "libc"];

struct Rule {
    allowed: BTreeSet<String>,
    io: bool,
}

/// The rows between the `dependency-rules` markers of the document.
fn rules(doc: &str) -> BTreeMap<String, Rule> {
    let begin = doc
        .find("<!-- dependency-rules: begin -->")
        .expect("begin marker in docs/ARCHITECTURE.md");
    let end = doc
        .find("<!-- dependency-rules: end -->")
        .expect("end marker in docs/ARCHITECTURE.md");
    let mut out = BTreeMap::new();
    for line in doc[begin..end].lines() {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // "", crate, holds, may depend on, io, ""
        if cells.len() < 6 || !cells[1].starts_with("`ferrobgp") {
            continue;
        }
        let name = cells[1].trim_matches('`').to_string();
        let allowed = cells[3]
            .split(',')
            .map(|c| c.trim().trim_matches('`').to_string())
            .filter(|c| c.starts_with("ferrobgp"))
            .collect();
        let io = match cells[4] {
            "yes" => true,
            "no" => false,
            other => panic!("{name}: I/O column must be yes or no, not {other:?}"),
        };
        out.insert(name, Rule { allowed, io });
    }
    out
}

/// The package name and the names in `[dependencies]` (not dev- or
/// build-dependencies) of a manifest written in this workspace's style.
fn manifest(text: &str) -> (String, BTreeSet<String>) {
    let mut name = None;
    let mut deps = BTreeSet::new();
    let mut section = "";
    for line in text.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            section = line;
            continue;
        }
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let key = line
            .split(['=', '.', ' '])
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        match section {
            "[package]" if key == "name" && name.is_none() => {
                let v = line.split_once('=').expect("name = value").1;
                name = Some(v.trim().trim_matches('"').to_string());
            }
            "[dependencies]" => {
                deps.insert(key.to_string());
            }
            _ => {}
        }
    }
    (name.expect("package name"), deps)
}

#[test]
fn every_crate_depends_only_on_what_the_architecture_allows() {
    let root = workspace_root();
    let doc =
        std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).expect("docs/ARCHITECTURE.md");
    let rules = rules(&doc);
    assert!(
        rules.len() >= 9,
        "the table has too few rows: {:?}",
        rules.keys()
    );
    let mut seen = BTreeSet::new();
    let mut broken = Vec::new();
    for entry in std::fs::read_dir(root.join("crates")).expect("crates/") {
        let path = entry.expect("dir entry").path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let (name, deps) = manifest(&text);
        let Some(rule) = rules.get(&name) else {
            broken.push(format!(
                "{name}: no row in docs/ARCHITECTURE.md's crate table"
            ));
            continue;
        };
        seen.insert(name.clone());
        for d in &deps {
            if d.starts_with("ferrobgp") && !rule.allowed.contains(d) {
                broken.push(format!(
                    "{name} depends on {d}, which its row does not allow"
                ));
            }
            if !rule.io && IO_CRATES.contains(&d.as_str()) {
                broken.push(format!("{name} is pure (no I/O) but depends on {d}"));
            }
        }
    }
    for name in rules.keys() {
        if !seen.contains(name) {
            broken.push(format!("{name}: a row in the table but no crate"));
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn the_manifest_reader_sees_dependencies_only() {
    let (name, deps) = manifest(
        "[package]\nname = \"x\"\n\n[dependencies]\nferrobgp-wire.workspace = true\ntokio = { workspace = true }\n# c\n\n[dev-dependencies]\nferrobgp-rib.workspace = true\n",
    );
    assert_eq!(name, "x");
    assert_eq!(
        deps,
        ["ferrobgp-wire", "tokio"]
            .map(String::from)
            .into_iter()
            .collect()
    );
}

#[test]
fn the_table_reader_reads_rows_and_refuses_a_bad_io_cell() {
    let doc = "<!-- dependency-rules: begin -->\n| crate | holds | may depend on | I/O |\n| --- | --- | --- | --- |\n| `ferrobgp-a` | a | `ferrobgp-b`, `ferrobgp-c` | no |\n<!-- dependency-rules: end -->";
    let r = rules(doc);
    let a = &r["ferrobgp-a"];
    assert!(!a.io);
    assert_eq!(a.allowed.len(), 2);
    let bad = doc.replace("| no |", "| maybe |");
    assert!(std::panic::catch_unwind(|| rules(&bad)).is_err());
}
