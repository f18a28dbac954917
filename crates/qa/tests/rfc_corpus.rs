//! The RFC corpus (`qa/rfc/cases.txt`) against ferrobgp: every case listed
//! in `qa/rfc/passing.txt` (a ratchet: it only grows) must pass. Needs the
//! release `ferrobgp` binary next to `rfc-corpus` (`cargo build --release
//! --workspace --bins`, as `qa/bin/test-all` does first) and python3 (the
//! corpus's JSON helper).

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn every_ratcheted_case_passes() {
    let corpus = PathBuf::from(env!("CARGO_BIN_EXE_rfc-corpus"));
    let ferrobgp = corpus.with_file_name("ferrobgp");
    assert!(
        ferrobgp.exists(),
        "{} is missing: run `cargo build --release --workspace --bins` first",
        ferrobgp.display()
    );
    let python = Command::new("python3").arg("--version").output();
    assert!(
        python.is_ok_and(|o| o.status.success()),
        "the corpus needs python3 on the PATH (its JSON helper)"
    );
    let dir = tempfile::tempdir().expect("temporary folder");
    let results = dir.path().join("results");
    let out = Command::new(&corpus)
        .arg("--results")
        .arg(&results)
        .output()
        .expect("rfc-corpus runs");
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    let results = std::fs::read_to_string(&results).unwrap_or_default();
    let status = |name: &str| {
        results
            .lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix('\t'))
            .map(str::to_string)
    };
    let passing = std::fs::read_to_string(root().join("qa/rfc/passing.txt")).unwrap();
    let mut failed = Vec::new();
    for name in passing
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        if status(name).as_deref() != Some("passed") {
            failed.push(name.to_string());
        }
    }
    assert!(
        failed.is_empty(),
        "ratcheted cases not passing: {failed:?}\n{report}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // a newly passing case should be added to the ratchet
    let newly: Vec<&str> = results
        .lines()
        .filter_map(|l| l.strip_suffix("\tpassed"))
        .filter(|n| !passing.lines().any(|p| p.trim() == *n))
        .collect();
    assert!(
        newly.is_empty(),
        "cases passing but not in qa/rfc/passing.txt (add them): {newly:?}"
    );
}
