//! `ferrobgp generate` writes man pages and completions from the real
//! command-line definitions, and every public subcommand's `--help` ends
//! with an example.

use std::process::Command;

const FERROBGP: &str = env!("CARGO_BIN_EXE_ferrobgp");

fn run(args: &[&str]) -> String {
    let out = Command::new(FERROBGP)
        .args(args)
        .output()
        .expect("run ferrobgp");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn man_pages_cover_every_subcommand_and_the_healthcheck_options() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let listed = run(&["generate", "man", d]);
    assert_eq!(listed.lines().count(), 4, "{listed}");
    let main = std::fs::read_to_string(dir.path().join("ferrobgp.8")).unwrap();
    assert!(main.contains(".TH FERROBGP 8"), "{main}");
    for sub in [
        "run",
        "validate",
        "decode",
        "cli",
        "healthcheck",
        "generate",
        "version",
    ] {
        assert!(
            main.contains(&format!("ferrobgp\\-{sub}")) || main.contains(sub),
            "{sub}"
        );
    }
    assert!(!main.contains("__rib"), "hidden roles stay out of the page");
    let hc = std::fs::read_to_string(dir.path().join("ferrobgp-healthcheck.8")).unwrap();
    for opt in [
        "withdraw\\-on\\-down",
        "fast\\-interval",
        "disabled\\-execute",
        "ip\\-ifname",
    ] {
        assert!(
            hc.contains(opt),
            "{opt} missing from ferrobgp-healthcheck.8"
        );
    }
    let cli = std::fs::read_to_string(dir.path().join("ferrobgp-cli.8")).unwrap();
    assert!(
        cli.contains(".TH FERROBGP\\-CLI 8") || cli.contains(".TH FERROBGP-CLI 8"),
        "{cli}"
    );
    let conf = std::fs::read_to_string(dir.path().join("ferrobgp.conf.5")).unwrap();
    assert!(conf.contains("neighbor 192.0.2.1 {"));
}

#[test]
fn completions_know_the_subcommands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    run(&["generate", "completions", d]);
    for f in ["ferrobgp.bash", "_ferrobgp", "ferrobgp.fish"] {
        let text = std::fs::read_to_string(dir.path().join(f)).unwrap();
        assert!(
            text.contains("healthcheck") && text.contains("validate"),
            "{f}"
        );
    }
}

#[test]
fn every_public_subcommand_help_has_an_example() {
    for sub in ["run", "validate", "decode", "cli", "generate", "version"] {
        let help = run(&[sub, "--help"]);
        assert!(
            help.contains("Example"),
            "`ferrobgp {sub} --help` has no example:\n{help}"
        );
    }
    let help = run(&["healthcheck", "--help"]);
    assert!(
        help.contains("Examples:") && help.contains("--withdraw-on-down"),
        "{help}"
    );
    assert!(help.contains("Usage: ferrobgp healthcheck"), "{help}");
}
