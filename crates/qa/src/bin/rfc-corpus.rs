//! `rfc-corpus`: runs the RFC corpus (`qa/rfc/cases.txt`) against a daemon
//! (ferrobgp by default, or any command such as ExaBGP) and prints one line
//! per case: name, `passed`/`failed`, what was observed.

use clap::Parser;
use ferrobgp_qa::daemon::DaemonCommand;
use ferrobgp_qa::{rfc, rfc_peer};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "rfc-corpus",
    about = "RFC error-handling corpus against a BGP daemon"
)]
struct Cli {
    /// Case file; default: qa/rfc/cases.txt of the project.
    #[arg(long)]
    cases: Option<PathBuf>,
    /// Daemon command; the configuration path is appended.
    /// Default: `ferrobgp run`, ferrobgp being next to this binary.
    #[arg(long)]
    daemon: Option<String>,
    /// Extra environment for the daemon, KEY=VALUE.
    #[arg(long = "env")]
    env: Vec<String>,
    /// Write `NAME<TAB>passed|failed` lines here.
    #[arg(long)]
    results: Option<PathBuf>,
    /// Keep each case's folder (configuration, helper output) in the
    /// temporary directory.
    #[arg(long)]
    keep: bool,
    /// Cases to run (default: all).
    names: Vec<String>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let exe = std::env::current_exe().unwrap_or_default();
    let cases_path = cli.cases.unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../qa/rfc/cases.txt")
    });
    let text = match std::fs::read_to_string(&cases_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {e}", cases_path.display());
            return ExitCode::from(2);
        }
    };
    let cases = match rfc::parse(&text) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {e}", cases_path.display());
            return ExitCode::from(2);
        }
    };
    let daemon = match &cli.daemon {
        Some(d) => match DaemonCommand::parse(d) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::from(2);
            }
        },
        None => DaemonCommand::ferrobgp_next_to(&exe),
    };
    let env: Vec<(String, String)> = cli
        .env
        .iter()
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut results = String::new();
    let (mut passed, mut total, mut na) = (0, 0, 0);
    for case in cases
        .iter()
        .filter(|c| cli.names.is_empty() || cli.names.contains(&c.name))
    {
        total += 1;
        let dir =
            std::env::temp_dir().join(format!("rfc-corpus-{}-{}", std::process::id(), case.name));
        let _ = std::fs::create_dir_all(&dir);
        let verdict = rfc_peer::run(case, &daemon, &env, &dir)
            .map_err(|e| e.to_string())
            .and_then(|o| rfc::judge(case, &o).map(|()| rfc::describe(&o)));
        if !cli.keep {
            let _ = std::fs::remove_dir_all(&dir);
        }
        let (word, detail) = match verdict {
            Ok(d) if d.starts_with("n/a") => {
                na += 1;
                ("n/a", d)
            }
            Ok(d) => {
                passed += 1;
                ("passed", d)
            }
            Err(e) => ("failed", e),
        };
        println!("{}\t{word}\t[{}]\t{detail}", case.name, case.rfc);
        results.push_str(&format!("{}\t{word}\n", case.name));
    }
    println!("{passed}/{} passed ({na} not applicable)", total - na);
    if let Some(p) = cli.results {
        if let Err(e) = std::fs::write(&p, results) {
            eprintln!("{}: {e}", p.display());
            return ExitCode::from(2);
        }
    }
    if passed + na == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
