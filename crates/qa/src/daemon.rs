//! The daemon under test as a process: its command line, the environment the
//! suite README prescribes, start in its own process group with output
//! captured, exit detection without reaping, and stopping the whole group.

use crate::error::QaError;
use std::io::Read;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The value of `exabgp_version` given to the daemon.
pub const TEST_VERSION: &str = "5.0.0-0+test";

/// How much of each output stream is kept.
const KEEP_BYTES: usize = 256 * 1024;

/// The command that starts the daemon; configuration paths are appended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaemonCommand {
    pub program: String,
    pub args: Vec<String>,
}

impl DaemonCommand {
    /// Splits a command line at white space (no quoting).
    pub fn parse(text: &str) -> Result<DaemonCommand, QaError> {
        let mut words = text.split_whitespace().map(str::to_owned);
        let program = words
            .next()
            .ok_or_else(|| QaError::Usage("--daemon needs a command".into()))?;
        Ok(DaemonCommand {
            program,
            args: words.collect(),
        })
    }

    /// `ferrobgp run`, with the `ferrobgp` binary next to `exe` (the
    /// functional binary, i.e. `target/<profile>/`).
    pub fn ferrobgp_next_to(exe: &Path) -> DaemonCommand {
        let dir = exe.parent().unwrap_or_else(|| Path::new("."));
        DaemonCommand {
            program: dir.join("ferrobgp").display().to_string(),
            args: vec!["run".into()],
        }
    }

    /// The command as one line, for reports.
    pub fn display(&self) -> String {
        std::iter::once(self.program.as_str())
            .chain(self.args.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The environment of the daemon for a test (on top of the runner's own),
/// as in the suite README's table.
pub fn environment(port: u16, tcp_connections: u32) -> Vec<(String, String)> {
    [
        ("exabgp_tcp_port", port.to_string()),
        // ExaBGP's runner writes `''` in a shell command: the value is empty.
        ("exabgp_tcp_bind", String::new()),
        ("exabgp_tcp_connections", tcp_connections.to_string()),
        ("exabgp_version", TEST_VERSION.to_owned()),
        ("exabgp_api_cli", "false".to_owned()),
        ("exabgp_debug_rotate", "true".to_owned()),
        ("exabgp_debug_configuration", "true".to_owned()),
        ("exabgp_log_enable", "false".to_owned()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect()
}

/// The last bytes written to one output stream.
#[derive(Debug, Default)]
struct Tail {
    bytes: Vec<u8>,
    finished: bool,
}

fn capture(mut source: impl Read + Send + 'static) -> Arc<Mutex<Tail>> {
    let tail = Arc::new(Mutex::new(Tail::default()));
    let sink = Arc::clone(&tail);
    // Detached: helpers of the daemon may hold the pipe open a little longer;
    // the runner never waits for this thread, it only reads the buffer.
    std::thread::spawn(move || {
        let mut chunk = [0u8; 8192];
        loop {
            match source.read(&mut chunk) {
                Ok(0) | Err(_) => {
                    if let Ok(mut tail) = sink.lock() {
                        tail.finished = true;
                    }
                    return;
                }
                Ok(n) => {
                    let Ok(mut tail) = sink.lock() else { return };
                    tail.bytes.extend_from_slice(&chunk[..n]);
                    if tail.bytes.len() > KEEP_BYTES {
                        let cut = tail.bytes.len() - KEEP_BYTES;
                        tail.bytes.drain(..cut);
                    }
                }
            }
        }
    });
    tail
}

/// A running daemon.
pub struct Daemon {
    child: Child,
    pid: i32,
    stdout: Arc<Mutex<Tail>>,
    stderr: Arc<Mutex<Tail>>,
    status: Option<String>,
}

impl Daemon {
    /// Starts `command configs...` with `env`, stdin `/dev/null`, output
    /// captured, in a new process group (so the group can be stopped with
    /// every helper it started).
    pub fn spawn(
        command: &DaemonCommand,
        configs: &[PathBuf],
        env: &[(String, String)],
    ) -> Result<Daemon, QaError> {
        let mut cmd = Command::new(&command.program);
        cmd.args(&command.args)
            .args(configs)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        for (key, value) in env {
            // The dotted spelling takes precedence in ExaBGP: drop it.
            cmd.env_remove(key.replace('_', "."));
            cmd.env(key, value);
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| QaError::io(format!("cannot start `{}`", command.display()), e))?;
        let pid = i32::try_from(child.id())
            .map_err(|_| QaError::Usage("process id out of range".into()))?;
        let stdout = match child.stdout.take() {
            Some(out) => capture(out),
            None => Arc::default(),
        };
        let stderr = match child.stderr.take() {
            Some(err) => capture(err),
            None => Arc::default(),
        };
        Ok(Daemon {
            child,
            pid,
            stdout,
            stderr,
            status: None,
        })
    }

    /// The daemon's process id (also its process group id).
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// True once the daemon process has exited (it is not reaped, so its
    /// process group id stays reserved until [`Daemon::stop`]).
    pub fn has_exited(&self) -> bool {
        if self.status.is_some() {
            return true;
        }
        // SAFETY: siginfo_t is plain data; waitid fills it and only inspects
        // our own child; WNOWAIT leaves it waitable.
        unsafe {
            let mut info: libc::siginfo_t = std::mem::zeroed();
            let rc = libc::waitid(
                libc::P_PID,
                self.pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
            );
            rc == 0 && info.si_pid() != 0
        }
    }

    fn signal_group(&self, signal: nix::sys::signal::Signal) {
        let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(self.pid), signal);
    }

    fn wait_exit(&self, limit: Duration) -> bool {
        let start = Instant::now();
        loop {
            if self.has_exited() {
                return true;
            }
            if start.elapsed() >= limit {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Gives the daemon `grace` to exit by itself, then sends SIGTERM to its
    /// process group, and SIGKILL one second later; finally kills whatever
    /// is left of the group (helpers) and reaps the daemon. Returns how it
    /// ended, e.g. `exit status: 0`, with `(killed by the runner)` when it
    /// had to be stopped.
    pub fn stop(&mut self, grace: Duration) -> String {
        if let Some(status) = &self.status {
            return status.clone();
        }
        use nix::sys::signal::Signal;
        let mut note = "";
        if !self.wait_exit(grace) {
            note = " (stopped by the runner with SIGTERM)";
            self.signal_group(Signal::SIGTERM);
            if !self.wait_exit(Duration::from_secs(1)) {
                note = " (stopped by the runner with SIGKILL)";
                self.signal_group(Signal::SIGKILL);
                self.wait_exit(Duration::from_secs(2));
            }
        }
        // The daemon is a zombie or gone: its group id cannot have been
        // reused yet, so this only reaches helpers it left behind.
        self.signal_group(Signal::SIGKILL);
        let status = match self.child.wait() {
            Ok(status) => format!("{status}{note}"),
            Err(e) => format!("cannot be waited for: {e}"),
        };
        self.status = Some(status.clone());
        status
    }

    /// Waits (at most `limit`) until both output pipes are closed, so that
    /// the tails hold everything written.
    pub fn wait_output(&self, limit: Duration) {
        let start = Instant::now();
        let done = |t: &Arc<Mutex<Tail>>| t.lock().map(|t| t.finished).unwrap_or(true);
        while !(done(&self.stdout) && done(&self.stderr)) && start.elapsed() < limit {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// The last `lines` lines of the daemon's standard error.
    pub fn stderr_tail(&self, lines: usize) -> String {
        tail_lines(&self.stderr, lines)
    }

    /// The last `lines` lines of the daemon's standard output.
    pub fn stdout_tail(&self, lines: usize) -> String {
        tail_lines(&self.stdout, lines)
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if self.status.is_none() {
            self.stop(Duration::ZERO);
        }
    }
}

fn tail_lines(tail: &Arc<Mutex<Tail>>, lines: usize) -> String {
    let Ok(tail) = tail.lock() else {
        return String::new();
    };
    let text = String::from_utf8_lossy(&tail.bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands() {
        let cmd = DaemonCommand::parse("  /x/exabgp  server -d ").unwrap();
        assert_eq!(cmd.program, "/x/exabgp");
        assert_eq!(cmd.args, ["server", "-d"]);
        assert_eq!(cmd.display(), "/x/exabgp server -d");
        assert!(DaemonCommand::parse("  ").is_err());
        let ours = DaemonCommand::ferrobgp_next_to(Path::new("/t/release/functional"));
        assert_eq!(ours.display(), "/t/release/ferrobgp run");
    }

    #[test]
    fn environment_matches_the_readme_table() {
        let env = environment(1790, 3);
        let get = |k: &str| {
            env.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("exabgp_tcp_port"), Some("1790"));
        assert_eq!(get("exabgp_tcp_bind"), Some(""));
        assert_eq!(get("exabgp_tcp_connections"), Some("3"));
        assert_eq!(get("exabgp_version"), Some("5.0.0-0+test"));
        assert_eq!(get("exabgp_api_cli"), Some("false"));
        assert_eq!(get("exabgp_debug_rotate"), Some("true"));
        assert_eq!(get("exabgp_debug_configuration"), Some("true"));
        assert_eq!(get("exabgp_log_enable"), Some("false"));
        assert_eq!(env.len(), 8);
    }

    /// True when process `pid` is gone or a zombie.
    fn dead(pid: &str) -> bool {
        match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
            Err(_) => true,
            Ok(stat) => stat
                .rsplit(')')
                .next()
                .is_some_and(|rest| rest.trim_start().starts_with('Z')),
        }
    }

    #[test]
    fn runs_and_stops_a_process_group() {
        // A shell that starts a background child and then waits: stopping
        // must end both.
        let cmd = DaemonCommand::parse("sh -c").unwrap();
        let script = PathBuf::from("sleep 30 & echo $! >&2; wait");
        let mut daemon = Daemon::spawn(&cmd, &[script], &[]).unwrap();
        let mut child = String::new();
        for _ in 0..500 {
            child = daemon.stderr_tail(1);
            if !child.is_empty() {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(!child.is_empty(), "the shell reported its child");
        assert!(!daemon.has_exited());
        let status = daemon.stop(Duration::from_millis(200));
        assert!(status.contains("stopped by the runner"), "{status}");
        assert!(daemon.has_exited());
        // signals are delivered asynchronously: look a bounded number of times
        let mut gone = false;
        for _ in 0..500 {
            gone = dead(&child);
            if gone {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert!(gone, "the daemon's child {child} was stopped with it");
    }

    #[test]
    fn reports_exit_status_and_output() {
        let cmd = DaemonCommand::parse("sh -c").unwrap();
        let script = PathBuf::from("echo one >&2; echo two >&2; echo out; exit 3");
        let mut daemon = Daemon::spawn(&cmd, &[script], &[]).unwrap();
        let status = daemon.stop(Duration::from_secs(10));
        assert_eq!(status, "exit status: 3");
        daemon.wait_output(Duration::from_secs(10));
        assert_eq!(daemon.stderr_tail(1), "two");
        assert_eq!(daemon.stderr_tail(5), "one\ntwo");
        assert_eq!(daemon.stdout_tail(5), "out");
    }

    #[test]
    fn a_missing_program_is_a_clear_error() {
        let cmd = DaemonCommand::parse("/nonexistent/ferrobgp run").unwrap();
        let err = Daemon::spawn(&cmd, &[], &[]).err().unwrap();
        assert!(err
            .to_string()
            .starts_with("cannot start `/nonexistent/ferrobgp run`: "));
    }
}
