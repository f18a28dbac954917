//! Test support shared by every test suite of the workspace: the one way a
//! test says that it cannot run on this machine, and where the things that
//! may be missing live.
//!
//! Outside CI a test whose tool, privilege or sibling folder is missing
//! prints `SKIP <test>: <why>` and passes, so that `cargo test` works on a
//! developer's laptop. In CI every tool is installed and the tests run as
//! root, so a skip there means coverage silently lost: when the environment
//! variable `CI` is set (to anything but `false` or `0`, as CI systems and
//! this project's `.ci/run` do), [`skip`] panics instead, and the test fails
//! with the same reason.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

/// True when running in CI, where a skipped test is a failure.
pub fn in_ci() -> bool {
    means_ci(std::env::var("CI").ok().as_deref())
}

/// Whether a value of `CI` means "this is CI".
fn means_ci(value: Option<&str>) -> bool {
    value.is_some_and(|v| {
        let v = v.trim();
        !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false")
    })
}

/// Says why `test` cannot run here. Outside CI it prints the reason (on
/// stdout and stderr, so it shows with and without `--nocapture`) and the
/// caller returns; in CI it panics with the reason.
#[track_caller]
pub fn skip(test: &str, why: &str) {
    if in_ci() {
        panic!(
            "{test} cannot run in CI, where every tool is installed and tests run as root: {why}"
        );
    }
    println!("SKIP {test}: {why}");
    eprintln!("SKIP {test}: {why}");
}

/// The workspace root (the folder holding the top `Cargo.toml`).
pub fn workspace_root() -> PathBuf {
    // this crate lives in <root>/crates/testkit
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../.."))
}

/// ExaBGP's functional encoding suite, `../shared/conformance` beside the
/// checkout, or `None` after [`skip`] when it is absent.
#[track_caller]
pub fn conformance_suite(test: &str) -> Option<PathBuf> {
    let p = workspace_root().join("../shared/conformance");
    if p.join("encoding").is_dir() {
        Some(p)
    } else {
        skip(
            test,
            &format!(
                "conformance suite not found at {} (../shared/conformance next to the checkout)",
                p.display()
            ),
        );
        None
    }
}

/// True when the test runs as root; otherwise [`skip`]s and returns false.
#[track_caller]
pub fn require_root(test: &str, why: &str) -> bool {
    if is_root() {
        true
    } else {
        skip(test, &format!("needs root: {why}"));
        false
    }
}

fn is_root() -> bool {
    // the effective uid, read without libc: /proc/self/status `Uid:` line,
    // second field
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|u| u == "0"))
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_root_holds_the_workspace_manifest() {
        let manifest = std::fs::read_to_string(workspace_root().join("Cargo.toml")).unwrap();
        assert!(manifest.contains("[workspace]"), "{manifest}");
    }

    #[test]
    fn ci_values() {
        for (v, want) in [
            (Some("true"), true),
            (Some("1"), true),
            (Some(""), false),
            (Some("0"), false),
            (Some("false"), false),
            (Some("FALSE"), false),
            (None, false),
        ] {
            assert_eq!(means_ci(v), want, "{v:?}");
        }
    }
}
