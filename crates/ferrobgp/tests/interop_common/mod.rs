//! Shared pieces of the interoperability tests: ferrobgp and a real BGP
//! implementation (BIRD 2, gobgpd, FRR's bgpd from Debian packages) started
//! as real processes on loopback, each with its configuration and sockets in
//! one temporary directory that is removed at the end.
//!
//! Conventions every test follows:
//! - a peer binary that is not installed makes the test print a `SKIP` line
//!   and pass ([`find_binary`] / [`skip`]);
//! - ferrobgp is 127.0.0.1 and connects out (no listener); the other speaker
//!   is 127.0.0.2 or 127.0.0.3, passive, on a free port chosen by binding
//!   port 0 ([`free_port`]);
//! - when the test runs as root, the other daemon runs as `nobody` through
//!   `setpriv`, and ferrobgp drops its children to its service user itself;
//! - every wait polls with a deadline ([`wait_for`]); a test that cannot
//!   finish fails with the logs of both daemons;
//! - only processes the test started are stopped, by PID ([`Proc`], [`Ferro`]).

#![allow(dead_code)]

use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Upper bound of a wait for a BGP session to come up or routes to move
/// (the tests check behaviour, never speed: this is only a failure bound).
pub const LONG: Duration = Duration::from_secs(60);

/// Upper bound of a wait for a process we stopped to exit.
pub const EXIT: Duration = Duration::from_secs(15);

/// The path of an installed program: `PATH`, then the sbin and FRR
/// directories that are not always in `PATH` for ordinary users.
pub fn find_binary(name: &str) -> Option<PathBuf> {
    let path = std::env::var("PATH").unwrap_or_default();
    let extra = ["/usr/sbin", "/sbin", "/usr/local/sbin", "/usr/lib/frr"];
    let found = path
        .split(':')
        .filter(|d| !d.is_empty())
        .chain(extra)
        .map(|d| Path::new(d).join(name))
        .find(|p| {
            p.metadata()
                .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
                .unwrap_or(false)
        });
    found
}

/// Finds every binary in `names`, or prints why the test is skipped and
/// returns `None` (the test then returns and passes).
pub fn require(test: &str, package: &str, names: &[&str]) -> Option<Vec<PathBuf>> {
    let mut found = Vec::new();
    for n in names {
        match find_binary(n) {
            Some(p) => found.push(p),
            None => {
                skip(
                    test,
                    &format!("`{n}` not found (install the Debian package `{package}`)"),
                );
                return None;
            }
        }
    }
    Some(found)
}

/// Prints the skip notice of a test (visible with `--nocapture`, and in the
/// captured output of a failing run).
pub fn skip(test: &str, why: &str) {
    ferrobgp_testkit::skip(test, why);
}

/// A port that was free on `addr` a moment ago (bind port 0, read, close).
///
/// A port is handed out once per test process: the kernel may give the
/// same free port to two tests of this binary that probe one after the
/// other, and the second daemon then fails to bind it.
pub fn free_port(addr: &str) -> u16 {
    static GIVEN: std::sync::Mutex<Vec<u16>> = std::sync::Mutex::new(Vec::new());
    let mut given = GIVEN.lock().unwrap_or_else(|e| e.into_inner());
    for _ in 0..1000 {
        let l = TcpListener::bind((addr, 0)).expect("bind port 0 on loopback");
        let port = l.local_addr().expect("local addr").port();
        if !given.contains(&port) {
            given.push(port);
            return port;
        }
    }
    panic!("no free port on {addr} that this process has not handed out already");
}

/// True when this test process is root (peers then run as `nobody`).
pub fn is_root() -> bool {
    // SAFETY: geteuid(2) has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A command that runs `program` without privileges when we are root
/// (`setpriv` to uid/gid 65534), as is when we are not.
pub fn unprivileged(program: &Path) -> Command {
    if is_root() {
        if let Some(setpriv) = find_binary("setpriv") {
            let mut c = Command::new(setpriv);
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
                "--",
            ])
            .arg(program);
            return c;
        }
    }
    Command::new(program)
}

/// Polls `probe` every 100 ms until it returns `Some`, for at most `limit`;
/// on timeout panics with `what` and the text `context()` gives (logs).
pub fn wait_for<T>(
    what: &str,
    limit: Duration,
    mut probe: impl FnMut() -> Option<T>,
    context: impl Fn() -> String,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(v) = probe() {
            return v;
        }
        if Instant::now() >= deadline {
            panic!(
                "timed out after {limit:?} waiting for {what}\n{}",
                context()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The temporary directory of one test: readable by everyone (the peer and
/// ferrobgp's helper may run as another user), with a world-writable `rw`
/// subdirectory for sockets and files those processes create.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

impl Workdir {
    pub fn new() -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("ferrobgp-interop-")
            .tempdir()
            .expect("tempdir");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod workdir");
        let rw = dir.path().join("rw");
        std::fs::create_dir(&rw).expect("mkdir rw");
        std::fs::set_permissions(&rw, std::fs::Permissions::from_mode(0o777)).expect("chmod rw");
        Workdir { dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file readable by everyone (mode 0644, or 0755 when `exec`).
    pub fn write(&self, name: &str, text: &str, exec: bool) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, text).expect("write file");
        let mode = if exec { 0o755 } else { 0o644 };
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).expect("chmod");
        p
    }

    /// Creates an empty file anybody may append to.
    pub fn shared_file(&self, name: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, "").expect("create file");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o666)).expect("chmod");
        p
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read(self.path(name))
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

// common and interop_common both include it: a test crate with both has
// two copies, which is all they share
#[allow(clippy::duplicate_mod)]
#[path = "../procs/mod.rs"]
mod procs;
pub use procs::{alive, children_of, signal};

/// Stops a child we started: SIGTERM, bounded wait, then SIGKILL and reap.
pub fn stop_child(child: &mut Child) {
    if let Ok(Some(_)) = child.try_wait() {
        return;
    }
    signal(child.id(), libc::SIGTERM);
    let deadline = Instant::now() + EXIT;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Kills a child at once (a crash, as seen by its BGP peer) and reaps it.
pub fn crash_child(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// A peer daemon we started; stopped by PID when dropped.
pub struct Proc {
    pub child: Child,
    pub log: PathBuf,
}

impl Proc {
    /// Starts `cmd` with stdout and stderr appended to `log`.
    pub fn spawn(mut cmd: Command, log: PathBuf) -> Proc {
        let out = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .expect("open peer log");
        let err = out.try_clone().expect("dup log");
        let child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::from(out))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
        Proc { child, log }
    }

    pub fn log_text(&self) -> String {
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Panics (with the log) when the process already exited.
    pub fn assert_running(&mut self, what: &str) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("{what} exited early ({status})\n{}", self.log_text());
        }
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        stop_child(&mut self.child);
    }
}

/// Runs a client command (birdc, gobgp, vtysh) to completion, bounded in
/// time; returns its stdout, or `None` when it failed or did not finish.
pub fn run_client(cmd: &mut Command) -> Option<String> {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .ok()?;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                return None;
            }
        }
    }
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The helper program of ferrobgp's `process` block: every line of the
/// `commands` file goes to the daemon (ExaBGP text API), everything the
/// daemon writes (JSON events, `done`/`error` replies) is appended to
/// `received.log`. It ends when the daemon closes its stdin.
pub const HELPER_SCRIPT: &str = r#"#!/bin/sh
dir=$(dirname "$0")
tail -n +1 -s 0.1 -F --pid=$$ "$dir/rw/commands" 2>/dev/null &
cat >> "$dir/rw/received.log"
"#;

/// ferrobgp's configuration `conf` with `capability { route-refresh; }`
/// in front of its (first neighbor's) `family` block.
pub fn with_route_refresh(conf: String) -> String {
    conf.replacen(
        "family {",
        "capability {\n\t\troute-refresh;\n\t}\n\tfamily {",
        1,
    )
}

/// ferrobgp under test, with its helper; stopped by PID when dropped.
pub struct Ferro {
    pub child: Child,
    pub log: PathBuf,
    commands: PathBuf,
    received: PathBuf,
    seen: Vec<u32>,
}

impl Ferro {
    /// Writes the helper script and `conf` (where `@HELPER@` stands for the
    /// script's path) into `work` and starts `ferrobgp run` on it, with no
    /// listener and no control socket.
    pub fn start(work: &Workdir, conf: &str) -> Ferro {
        let helper = work.write("helper.sh", HELPER_SCRIPT, true);
        let commands = work.shared_file("rw/commands");
        let received = work.shared_file("rw/received.log");
        let conf_text = conf.replace("@HELPER@", &helper.display().to_string());
        let conf_path = work.write("ferrobgp.conf", &conf_text, false);
        let log = work.path("ferrobgp.log");
        let logf = std::fs::File::create(&log).expect("ferrobgp log");
        let child = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
            .arg("run")
            .arg(&conf_path)
            .current_dir(work.dir.path())
            .env("exabgp_tcp_bind", "")
            .env("exabgp_api_cli", "false")
            .env("exabgp_log_level", "DEBUG")
            .stdin(Stdio::null())
            .stdout(Stdio::from(logf.try_clone().expect("dup log")))
            .stderr(Stdio::from(logf))
            .spawn()
            .expect("start ferrobgp");
        Ferro {
            child,
            log,
            commands,
            received,
            seen: Vec::new(),
        }
    }

    pub fn log_text(&mut self) -> String {
        self.note_children();
        std::fs::read(&self.log)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// Sends one API command through the helper.
    pub fn command(&mut self, line: &str) {
        use std::io::Write;
        self.note_children();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&self.commands)
            .expect("open commands");
        writeln!(f, "{line}").expect("write command");
    }

    /// Everything the daemon wrote to the helper so far.
    pub fn received_text(&self) -> String {
        std::fs::read(&self.received)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The JSON messages the daemon wrote to the helper so far, in order.
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.received_text()
            .lines()
            .filter(|l| l.starts_with('{'))
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Number of plain-text replies (`done`, `error`) so far.
    pub fn replies(&self, word: &str) -> usize {
        self.received_text()
            .lines()
            .filter(|l| l.trim() == word)
            .count()
    }

    /// `show adj-rib in` through the helper: the answer's lines (up to
    /// `done`), `None` when no answer came.
    pub fn adj_rib_in(&mut self) -> Option<Vec<String>> {
        let mark = self.received_text().len();
        let done = self.replies("done");
        self.command("show adj-rib in");
        let text = poll("the answer to `show adj-rib in`", || {
            (self.replies("done") > done).then(|| self.received_text()[mark..].to_string())
        })?;
        Some(
            text.lines()
                .take_while(|l| l.trim() != "done")
                .filter(|l| !l.starts_with('{'))
                .map(str::to_string)
                .collect(),
        )
    }

    /// Remembers the supervisor's children (rib, workers, helper) so that
    /// [`Drop`] can make sure none of them outlives the test.
    pub fn note_children(&mut self) {
        for k in children_of(self.child.id()) {
            if !self.seen.contains(&k) {
                self.seen.push(k);
            }
        }
    }

    /// SIGTERM to ferrobgp (a stop on purpose: every session ends with
    /// Cease 6/2), then waits (bounded) until it exited; true when it did.
    pub fn terminate(&mut self) -> bool {
        self.note_children();
        signal(self.child.id(), libc::SIGTERM);
        let deadline = Instant::now() + EXIT;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    /// SIGKILL to the rib (the supervisor starts another); its PID.
    pub fn kill_rib(&mut self) -> u32 {
        self.note_children();
        let rib = procs::rib_of_supervisor(self.child.id()).expect("the rib");
        signal(rib, libc::SIGKILL);
        rib
    }

    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("ferrobgp exited early ({status})\n{}", self.log_text());
        }
        self.note_children();
    }
}

impl Drop for Ferro {
    fn drop(&mut self) {
        self.note_children();
        stop_child(&mut self.child);
        // The supervisor stops its children itself; anything left over that
        // we saw as its child is killed by PID (it would otherwise leak).
        let deadline = Instant::now() + EXIT;
        while Instant::now() < deadline && self.seen.iter().any(|p| alive(*p)) {
            std::thread::sleep(Duration::from_millis(50));
        }
        for p in &self.seen {
            if alive(*p) {
                signal(*p, libc::SIGKILL);
            }
        }
    }
}

/// The `neighbor-changes` state events (`connected`, `up`, `down`) seen.
pub fn states(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["type"] == "state")
        .filter_map(|e| e["neighbor"]["state"].as_str().map(str::to_string))
        .collect()
}

/// The `update` messages received from the peer (`message.update` objects).
pub fn updates(events: &[serde_json::Value]) -> Vec<serde_json::Value> {
    events
        .iter()
        .filter(|e| e["type"] == "update")
        .filter(|e| e["neighbor"]["direction"] == "receive")
        .filter_map(|e| e["neighbor"]["message"].get("update").cloned())
        .collect()
}

/// Families for which an End-of-RIB was received (`"ipv4 unicast"`, ...).
pub fn eors(events: &[serde_json::Value]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e["type"] == "update")
        .filter_map(|e| e["neighbor"]["message"].get("eor"))
        .map(|e| {
            format!(
                "{} {}",
                e["afi"].as_str().unwrap_or("?"),
                e["safi"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// The ROUTE-REFRESH messages received from the peer (`receive { refresh; }`
/// events), as `(family, subtype)`: subtype `query` (RFC 2918 request),
/// `begin` / `end` (RFC 7313 BoRR / EoRR).
pub fn refreshes(events: &[serde_json::Value]) -> Vec<(String, String)> {
    events
        .iter()
        .filter(|e| e["type"] == "refresh")
        .filter(|e| e["neighbor"]["direction"] == "receive")
        .map(|e| {
            let r = &e["neighbor"]["route-refresh"];
            (
                format!(
                    "{} {}",
                    r["afi"].as_str().unwrap_or("?"),
                    r["safi"].as_str().unwrap_or("?")
                ),
                r["subtype"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

/// How many ROUTE-REFRESH messages of `subtype` for `family` were received.
pub fn count_refresh(events: &[serde_json::Value], family: &str, subtype: &str) -> usize {
    refreshes(events)
        .iter()
        .filter(|(f, s)| f == family && s == subtype)
        .count()
}

/// A helper command announcing `prefix` with `n` standard communities
/// (`65001:1` ..): 4 octets each, so more than 1,024 make an UPDATE larger
/// than the 4,096 octets of RFC 4271 (RFC 8654 extended message).
pub fn announce_many_communities(prefix: &str, next_hop: &str, n: u32) -> String {
    let list: Vec<String> = (1..=n).map(|i| format!("65001:{i}")).collect();
    format!(
        "announce route {prefix} next-hop {next_hop} community [ {} ]",
        list.join(" ")
    )
}

/// One announced NLRI from a received UPDATE, with the UPDATE's attributes.
#[derive(Clone, Debug)]
pub struct Announced {
    pub family: String,
    pub next_hop: String,
    /// The NLRI object (`{"nlri": "10.0.0.0/24"}` or a FlowSpec object).
    pub nlri: serde_json::Value,
    pub attributes: serde_json::Value,
}

impl Announced {
    /// The prefix of a unicast NLRI.
    pub fn prefix(&self) -> Option<&str> {
        self.nlri["nlri"].as_str()
    }

    /// The AS numbers of the AS_PATH, whatever its JSON shape (a flat list,
    /// or ExaBGP 5's numbered segments with `value` lists).
    pub fn as_path(&self) -> Vec<u64> {
        fn collect(v: &serde_json::Value, out: &mut Vec<u64>) {
            match v {
                serde_json::Value::Number(n) => out.extend(n.as_u64()),
                serde_json::Value::Array(a) => a.iter().for_each(|x| collect(x, out)),
                serde_json::Value::Object(o) => match o.get("value") {
                    Some(val) => collect(val, out),
                    None => o.values().for_each(|x| collect(x, out)),
                },
                _ => {}
            }
        }
        let mut out = Vec::new();
        collect(&self.attributes["as-path"], &mut out);
        out
    }
}

/// Every NLRI announced in `updates` (in order), with family and next hop.
pub fn announced(updates: &[serde_json::Value]) -> Vec<Announced> {
    let mut out = Vec::new();
    for u in updates {
        let Some(fams) = u.get("announce").and_then(|a| a.as_object()) else {
            continue;
        };
        for (family, by_nh) in fams {
            let Some(by_nh) = by_nh.as_object() else {
                continue;
            };
            for (nh, list) in by_nh {
                for nlri in list.as_array().into_iter().flatten() {
                    out.push(Announced {
                        family: family.clone(),
                        next_hop: nh.clone(),
                        nlri: nlri.clone(),
                        attributes: u["attribute"].clone(),
                    });
                }
            }
        }
    }
    out
}

/// True when `lines` (of `show adj-rib in`) hold `prefix`.
pub fn holds(lines: &[String], prefix: &str) -> bool {
    lines.iter().any(|l| l.contains(&format!(" {prefix} ")))
}

/// Every prefix withdrawn in `updates`, as `(family, prefix)`.
pub fn withdrawn(updates: &[serde_json::Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for u in updates {
        let Some(fams) = u.get("withdraw").and_then(|a| a.as_object()) else {
            continue;
        };
        for (family, list) in fams {
            for nlri in list.as_array().into_iter().flatten() {
                let p = nlri["nlri"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| nlri.to_string());
                out.push((family.clone(), p));
            }
        }
    }
    out
}

/// Polls `probe` every 100 ms for at most [`LONG`]; `None` on timeout, so
/// that the caller can build the failure message from state it could not
/// borrow inside the probe.
pub fn poll<T>(what: &str, mut probe: impl FnMut() -> Option<T>) -> Option<T> {
    let deadline = Instant::now() + LONG;
    loop {
        if let Some(v) = probe() {
            return Some(v);
        }
        if Instant::now() >= deadline {
            eprintln!("timed out after {LONG:?} waiting for {what}");
            return None;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The last announcement of `prefix` in the helper's events, if any.
pub fn find(events: &[serde_json::Value], prefix: &str) -> Option<Announced> {
    announced(&updates(events))
        .into_iter()
        .rev()
        .find(|a| a.prefix() == Some(prefix))
}

/// How many times `prefix` was announced in the helper's events.
pub fn count_announced(events: &[serde_json::Value], prefix: &str) -> usize {
    announced(&updates(events))
        .iter()
        .filter(|a| a.prefix() == Some(prefix))
        .count()
}

/// ferrobgp and one other daemon run side by side by a test: waits that
/// check, between tries, that both are still up, and failure messages with
/// the logs of both.
pub trait DaemonPair {
    /// The other daemon's name in failure messages.
    const PEER: &'static str;

    /// ferrobgp, the other daemon and the test's directory.
    fn parts(&mut self) -> (&mut Ferro, &mut Proc, &Workdir);

    /// More state for failure messages, after the other daemon's log.
    fn extra_context(&mut self) -> String {
        String::new()
    }

    /// Logs and state of both daemons, for failure messages.
    fn context(&mut self) -> String {
        let extra = self.extra_context();
        let (ferro, peer, work) = self.parts();
        format!(
            "--- ferrobgp log ---\n{}\n--- helper received ---\n{}\n--- {} log ---\n{}\n{extra}--- workdir {} ---",
            ferro.log_text(),
            ferro.received_text(),
            Self::PEER,
            peer.log_text(),
            work.dir.path().display()
        )
    }

    /// Waits until `probe` gives a value; both daemons must stay up.
    fn wait<T>(&mut self, what: &str, mut probe: impl FnMut(&mut Self) -> Option<T>) -> T
    where
        Self: Sized,
    {
        let got = poll(what, || {
            let (ferro, peer, _) = self.parts();
            ferro.assert_running();
            peer.assert_running(Self::PEER);
            probe(self)
        });
        match got {
            Some(v) => v,
            None => panic!("timed out waiting for {what}\n{}", self.context()),
        }
    }

    /// Waits until the helper's events satisfy `pred`; returns them.
    fn wait_events(
        &mut self,
        what: &str,
        pred: impl Fn(&[serde_json::Value]) -> bool,
    ) -> Vec<serde_json::Value>
    where
        Self: Sized,
    {
        self.wait(what, |p| {
            let ev = p.parts().0.events();
            pred(&ev).then_some(ev)
        })
    }
}
