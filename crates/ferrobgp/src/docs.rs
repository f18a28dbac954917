//! Generated documentation: the man pages ferrobgp(8), ferrobgp-cli(8),
//! ferrobgp-healthcheck(8) (from the clap definitions, so they never drift
//! from `--help`), ferrobgp.conf(5) (hand-written, the configuration
//! language with examples) and shell completions for bash, zsh and fish.
//! `ferrobgp generate man DIR` / `ferrobgp generate completions DIR` write
//! them; the Debian package and `cargo install` users call it.

use clap::Command;
use clap_complete::Shell;
use std::path::Path;

/// The configuration language page, written by hand.
const CONF_PAGE: &str = include_str!("../man/ferrobgp.conf.5");

fn man(cmd: Command, title: &str, out: &Path) -> std::io::Result<()> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(cmd)
        .title(title.to_uppercase())
        .section("8")
        .source(format!("ferrobgp {}", env!("CARGO_PKG_VERSION")))
        .manual("System Manager's Manual")
        .render(&mut buf)?;
    std::fs::write(out.join(format!("{title}.8")), buf)
}

/// Writes the four man pages into `dir`; returns their file names.
pub fn man_pages(cli: Command, healthcheck: Command, dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let cli = cli.bin_name("ferrobgp");
    if let Some(sub) = cli.find_subcommand("cli") {
        let sub = sub.clone().name("ferrobgp-cli").bin_name("ferrobgp cli");
        man(sub, "ferrobgp-cli", dir)?;
    }
    let healthcheck = healthcheck.name("ferrobgp-healthcheck");
    man(healthcheck, "ferrobgp-healthcheck", dir)?;
    man(cli, "ferrobgp", dir)?;
    std::fs::write(dir.join("ferrobgp.conf.5"), CONF_PAGE)?;
    Ok(vec![
        "ferrobgp.8".into(),
        "ferrobgp-cli.8".into(),
        "ferrobgp-healthcheck.8".into(),
        "ferrobgp.conf.5".into(),
    ])
}

/// Writes completions for bash (`ferrobgp`), zsh (`_ferrobgp`) and fish
/// (`ferrobgp.fish`) into `dir`.
pub fn completions(mut cli: Command, dir: &Path) -> std::io::Result<Vec<String>> {
    std::fs::create_dir_all(dir)?;
    let mut names = Vec::new();
    for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
        let path = clap_complete::generate_to(shell, &mut cli, "ferrobgp", dir)?;
        names.push(
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
        );
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Command {
        Command::new("ferrobgp")
            .about("test")
            .subcommand(Command::new("cli").about("send a command"))
    }

    #[test]
    fn pages_and_completions_are_written() {
        let dir = tempfile::tempdir().unwrap();
        let names = man_pages(sample(), Command::new("healthcheck"), dir.path()).unwrap();
        for n in &names {
            let text = std::fs::read_to_string(dir.path().join(n)).unwrap();
            assert!(text.starts_with(".ie") || text.contains(".TH"), "{n}");
        }
        let conf = std::fs::read_to_string(dir.path().join("ferrobgp.conf.5")).unwrap();
        assert!(conf.contains(".TH FERROBGP.CONF 5"));
        let c = completions(sample(), dir.path()).unwrap();
        assert_eq!(c, ["ferrobgp.bash", "_ferrobgp", "ferrobgp.fish"]);
        let bash = std::fs::read_to_string(dir.path().join("ferrobgp.bash")).unwrap();
        assert!(bash.contains("cli"));
    }
}
