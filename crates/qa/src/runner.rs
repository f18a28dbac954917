//! Running tests: one test peer (in a thread of the runner) and one daemon
//! process per test, several tests in parallel, each on its own port, and
//! the report of what passed and why anything failed.

use crate::daemon::{self, Daemon, DaemonCommand};
use crate::error::QaError;
use crate::msgfile::MsgFile;
use crate::peer::{Control, Peer, Verdict};
use crate::suite::TestCase;
use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant};

/// How long the daemon may take to exit by itself after a successful verdict.
pub const EXIT_GRACE: Duration = Duration::from_secs(3);
/// How long the peer may still read after the daemon exited before the end.
const DAEMON_GONE_GRACE: Duration = Duration::from_secs(1);
/// Lines of the daemon's output shown for a failed test.
const STDERR_LINES: usize = 25;
const STDOUT_LINES: usize = 10;

/// Set by SIGINT/SIGTERM (see [`stop_on_signals`]).
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// True once the runner was asked to stop.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

extern "C" fn on_stop_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Makes SIGINT and SIGTERM stop the run cleanly: running tests stop their
/// daemons' process groups (which a terminal's Ctrl-C does not reach, as
/// they run in their own groups) and no new test starts. Children get the
/// default dispositions back when they exec.
pub fn stop_on_signals() -> Result<(), QaError> {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    let action = SigAction::new(
        SigHandler::Handler(on_stop_signal),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    for signal in [Signal::SIGINT, Signal::SIGTERM] {
        // SAFETY: the handler only stores to an atomic, which is
        // async-signal-safe.
        unsafe { sigaction(signal, &action) }
            .map_err(|e| QaError::io(format!("cannot handle {signal}"), e.into()))?;
    }
    Ok(())
}

/// Settings of a run.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The daemon under test.
    pub daemon: DaemonCommand,
    /// The folder configuration names are relative to.
    pub etc: PathBuf,
    /// Per-test time limit.
    pub timeout: Duration,
    /// Tests run at the same time.
    pub jobs: usize,
    /// Runs of each test.
    pub times: usize,
    /// Extra environment for the daemon (after the suite's).
    pub extra_env: Vec<(String, String)>,
}

/// The result of one run of one test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Passed; the text notes anything unusual (empty otherwise).
    Passed(String),
    /// Failed; the text is the full report.
    Failed(String),
    /// Not run; the text says why.
    Skipped(String),
}

/// One finished run.
#[derive(Debug, Clone)]
pub struct TestResult {
    pub name: String,
    /// 1-based run number (for `--times`).
    pub run: usize,
    pub outcome: Outcome,
    pub elapsed: Duration,
}

/// Runs one test once.
pub fn run_test(test: &TestCase, settings: &Settings) -> Outcome {
    if !test.msg.exists() {
        return Outcome::Skipped(format!("no {} file", test.msg.display()));
    }
    let msg = match MsgFile::read(&test.msg) {
        Ok(msg) => msg,
        Err(e) => return Outcome::Failed(format!("invalid test: {e}")),
    };
    let configs = match test.configs(&settings.etc) {
        Ok(configs) => configs,
        Err(e) => return Outcome::Failed(format!("invalid test: {e}")),
    };
    let connections = msg.options.tcp_connections.unwrap_or(1);
    let mut peer = match Peer::bind(msg, 0) {
        Ok(peer) => peer,
        Err(e) => return Outcome::Failed(format!("cannot start the test peer: {e}")),
    };
    let port = match peer.local_addr() {
        Ok(addr) => addr.port(),
        Err(e) => return Outcome::Failed(format!("cannot start the test peer: {e}")),
    };
    let control = Control::default();
    let peer_control = control.clone();
    let (tx, rx) = mpsc::channel();
    let peer_thread = std::thread::spawn(move || {
        let verdict = peer.run(&peer_control);
        let _ = tx.send(verdict);
    });
    let mut env = daemon::environment(port, connections);
    env.extend(settings.extra_env.iter().cloned());
    let mut daemon = match Daemon::spawn(&settings.daemon, &configs, &env) {
        Ok(daemon) => daemon,
        Err(e) => {
            control.cancel.store(true, Ordering::SeqCst);
            let _ = peer_thread.join();
            return Outcome::Failed(format!("{e}"));
        }
    };
    control.daemon_pid.store(daemon.pid(), Ordering::SeqCst);
    let (verdict, why_stopped) = wait_for_verdict(&rx, &control, &mut daemon, settings.timeout);
    let _ = peer_thread.join();
    let successful = verdict == Verdict::Successful;
    let status = daemon.stop(if successful {
        EXIT_GRACE
    } else {
        Duration::ZERO
    });
    if successful {
        return Outcome::Passed(passed_note(&status));
    }
    daemon.wait_output(Duration::from_millis(500));
    let mut report = String::new();
    if let Some(why) = why_stopped {
        report.push_str(&why);
        report.push('\n');
    }
    match verdict {
        Verdict::Failed(text) | Verdict::Stopped(text) => report.push_str(&text),
        Verdict::Successful => {}
    }
    report.push_str(&format!(
        "\ndaemon: {} {} (port {port}): {status}",
        settings.daemon.display(),
        configs
            .iter()
            .map(|c| c.display().to_string())
            .collect::<Vec<_>>()
            .join(" ")
    ));
    push_daemon_output(&mut report, &daemon);
    Outcome::Failed(report)
}

/// The note of a passed test: whether the daemon had to be stopped.
fn passed_note(status: &str) -> String {
    if status.contains("stopped by the runner") {
        format!(
            "the daemon did not exit within {} s; {status}",
            EXIT_GRACE.as_secs()
        )
    } else {
        String::new()
    }
}

/// The test peer's verdict, and why the runner told it to stop (interrupt,
/// time limit, the daemon gone) if it did.
fn wait_for_verdict(
    rx: &mpsc::Receiver<Verdict>,
    control: &Control,
    daemon: &mut Daemon,
    timeout: Duration,
) -> (Verdict, Option<String>) {
    let start = Instant::now();
    let mut daemon_exited_at: Option<Instant> = None;
    let mut why_stopped = None;
    let verdict = loop {
        match rx.recv_timeout(Duration::from_millis(20)) {
            Ok(verdict) => break verdict,
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Verdict::Failed("the test peer ended without a verdict".into())
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
        }
        if why_stopped.is_none() {
            if interrupted() {
                why_stopped = Some("interrupted".into());
            } else if start.elapsed() >= timeout {
                why_stopped = Some(format!("timed out after {} s", timeout.as_secs_f64()));
            } else if daemon.has_exited() {
                let at = *daemon_exited_at.get_or_insert_with(Instant::now);
                if at.elapsed() >= DAEMON_GONE_GRACE {
                    why_stopped = Some("the daemon exited before the test was complete".into());
                }
            }
            if why_stopped.is_some() {
                control.cancel.store(true, Ordering::SeqCst);
            }
        }
    };
    (verdict, why_stopped)
}

/// The last lines of the daemon's stderr and stdout, for a failure report.
fn push_daemon_output(report: &mut String, daemon: &Daemon) {
    let stderr = daemon.stderr_tail(STDERR_LINES);
    if !stderr.is_empty() {
        report.push_str(&format!(
            "\ndaemon stderr (last {STDERR_LINES} lines):\n{stderr}"
        ));
    }
    let stdout = daemon.stdout_tail(STDOUT_LINES);
    if !stdout.is_empty() {
        report.push_str(&format!(
            "\ndaemon stdout (last {STDOUT_LINES} lines):\n{stdout}"
        ));
    }
}

/// Totals of a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Totals {
    /// The closing line: `N passed, M failed` and `, K skipped` when any.
    pub fn line(&self) -> String {
        let mut line = format!("{} passed, {} failed", self.passed, self.failed);
        if self.skipped > 0 {
            line.push_str(&format!(", {} skipped", self.skipped));
        }
        line
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("      {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Formats one result as printed by the runner.
pub fn format_result(result: &TestResult, times: usize) -> String {
    let name = if times > 1 {
        format!("{} (run {})", result.name, result.run)
    } else {
        result.name.clone()
    };
    let secs = result.elapsed.as_secs_f64();
    match &result.outcome {
        Outcome::Passed(note) if note.is_empty() => format!("ok    {name} ({secs:.1} s)"),
        Outcome::Passed(note) => format!("ok    {name} ({secs:.1} s; {note})"),
        Outcome::Skipped(why) => format!("skip  {name}: {why}"),
        Outcome::Failed(report) => format!("FAIL  {name} ({secs:.1} s)\n{}", indent(report)),
    }
}

/// Runs `tests` (each `settings.times` times) on `settings.jobs` threads,
/// printing each result to `out` as it finishes, then the closing line.
/// Returns every result, in the order they finished.
pub fn run_all(tests: &[TestCase], settings: &Settings, out: &mut dyn Write) -> Vec<TestResult> {
    let queue: VecDeque<(TestCase, usize)> = (1..=settings.times.max(1))
        .flat_map(|run| tests.iter().map(move |t| (t.clone(), run)))
        .collect();
    let total = queue.len();
    let queue = Arc::new(Mutex::new(queue));
    let (tx, rx) = mpsc::channel();
    let workers: Vec<_> = (0..settings.jobs.max(1).min(total.max(1)))
        .map(|_| {
            let queue = Arc::clone(&queue);
            let tx = tx.clone();
            let settings = settings.clone();
            std::thread::spawn(move || loop {
                if interrupted() {
                    return;
                }
                let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                let Some((test, run)) = next else { return };
                let start = Instant::now();
                let outcome = run_test(&test, &settings);
                let result = TestResult {
                    name: test.name.clone(),
                    run,
                    outcome,
                    elapsed: start.elapsed(),
                };
                if tx.send(result).is_err() {
                    return;
                }
            })
        })
        .collect();
    drop(tx);
    let mut results = Vec::with_capacity(total);
    let mut totals = Totals::default();
    for result in rx {
        match result.outcome {
            Outcome::Passed(_) => totals.passed += 1,
            Outcome::Failed(_) => totals.failed += 1,
            Outcome::Skipped(_) => totals.skipped += 1,
        }
        let _ = writeln!(out, "{}", format_result(&result, settings.times));
        let _ = out.flush();
        results.push(result);
    }
    for worker in workers {
        let _ = worker.join();
    }
    let _ = writeln!(out, "{}", totals.line());
    results
}

/// Per test name: `passed`, `failed` (any run failed) or `skipped`.
pub fn results_table(results: &[TestResult]) -> Vec<(String, &'static str)> {
    let mut table: Vec<(String, &'static str)> = Vec::new();
    for result in results {
        let word = match result.outcome {
            Outcome::Passed(_) => "passed",
            Outcome::Failed(_) => "failed",
            Outcome::Skipped(_) => "skipped",
        };
        match table.iter_mut().find(|(n, _)| *n == result.name) {
            Some(entry) => {
                if word == "failed" || entry.1 == "skipped" {
                    entry.1 = word;
                }
            }
            None => table.push((result.name.clone(), word)),
        }
    }
    table.sort();
    table
}

/// Writes [`results_table`] to `path` as `NAME<TAB>WORD` lines.
pub fn write_results(path: &Path, results: &[TestResult]) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, word) in results_table(results) {
        text.push_str(&format!("{name}\t{word}\n"));
    }
    std::fs::write(path, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closing_line() {
        let mut t = Totals {
            passed: 3,
            failed: 1,
            skipped: 0,
        };
        assert_eq!(t.line(), "3 passed, 1 failed");
        t.skipped = 2;
        assert_eq!(t.line(), "3 passed, 1 failed, 2 skipped");
    }

    #[test]
    fn a_test_fails_when_any_run_fails() {
        let r = |name: &str, run, outcome| TestResult {
            name: name.into(),
            run,
            outcome,
            elapsed: Duration::ZERO,
        };
        let results = [
            r("b", 1, Outcome::Passed(String::new())),
            r("a", 1, Outcome::Passed(String::new())),
            r("a", 2, Outcome::Failed("x".into())),
            r("a", 3, Outcome::Passed(String::new())),
            r("c", 1, Outcome::Skipped("no msg".into())),
        ];
        assert_eq!(
            results_table(&results),
            [
                ("a".to_string(), "failed"),
                ("b".to_string(), "passed"),
                ("c".to_string(), "skipped")
            ]
        );
        assert_eq!(
            format_result(&results[2], 3),
            "FAIL  a (run 2) (0.0 s)\n      x"
        );
        assert_eq!(format_result(&results[4], 1), "skip  c: no msg");
    }
}
