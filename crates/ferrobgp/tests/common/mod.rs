//! Shared pieces of the end-to-end tests: the daemon as a real process
//! (started from the built binary with a configuration in a temporary
//! directory), its children found through /proc, and a minimal BGP peer on
//! loopback. Every wait is bounded; a test that cannot finish fails.

#![allow(dead_code)]

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Upper bound of every wait in these tests (failure, not speed, is tested).
pub const LONG: Duration = Duration::from_secs(20);

/// The daemon under test.
pub struct Daemon {
    pub child: Child,
    pub dir: tempfile::TempDir,
    pub log: PathBuf,
    seen_children: Vec<u32>,
}

impl Daemon {
    /// Writes `conf` (and the given helper scripts, made executable) into a
    /// fresh directory and starts `ferrobgp run` on it with `env` added.
    pub fn start(conf: &str, scripts: &[(&str, &str)], env: &[(&str, String)]) -> Daemon {
        Daemon::start_args(conf, scripts, env, &[])
    }

    /// [`Daemon::start`] with extra `ferrobgp run` arguments.
    pub fn start_args(
        conf: &str,
        scripts: &[(&str, &str)],
        env: &[(&str, String)],
        args: &[&str],
    ) -> Daemon {
        let dir = service_user_dir();
        for (name, text) in scripts {
            let p = dir.path().join(name);
            std::fs::write(&p, text).expect("write script");
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        }
        let conf_path = dir.path().join("daemon.conf");
        std::fs::write(&conf_path, conf).expect("write conf");
        let log = dir.path().join("daemon.log");
        let logf = std::fs::File::create(&log).expect("log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_ferrobgp"));
        cmd.arg("run")
            .arg("--debug")
            .args(args)
            .arg(&conf_path)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::from(logf))
            .env("exabgp_tcp_bind", "")
            .env("exabgp_api_cli", "false")
            // no named-pipe cli in /run/exabgp unless a test asks for one
            .env("exabgp_cli_pipe", "");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start ferrobgp");
        Daemon {
            child,
            dir,
            log,
            seen_children: Vec::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The daemon's log so far (for failure messages).
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Direct children of the supervisor, remembered for [`Daemon::leftovers`].
    pub fn children(&mut self) -> Vec<u32> {
        let kids = children_of(self.pid());
        for k in &kids {
            if !self.seen_children.contains(k) {
                self.seen_children.push(*k);
            }
        }
        kids
    }

    /// Waits until the supervisor has `n` children whose command lines
    /// contain each of `needles`.
    pub fn wait_children(&mut self, needles: &[&str]) -> Vec<u32> {
        let deadline = Instant::now() + LONG;
        loop {
            let kids = self.children();
            let cmds: Vec<String> = kids.iter().map(|p| cmdline(*p)).collect();
            if needles.iter().all(|n| cmds.iter().any(|c| c.contains(n))) {
                return kids;
            }
            assert!(
                Instant::now() < deadline,
                "children {cmds:?} never matched {needles:?}\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn signal(&self, sig: i32) {
        signal(self.pid(), sig);
    }

    /// Waits for the supervisor to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + LONG;
        loop {
            if let Some(s) = self.child.try_wait().expect("try_wait") {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "daemon did not exit\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Every child ever seen that still exists.
    pub fn leftovers(&self) -> Vec<u32> {
        self.seen_children
            .iter()
            .copied()
            .filter(|p| alive(*p))
            .collect()
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        for p in self
            .seen_children
            .iter()
            .chain(std::iter::once(&self.child.id()))
        {
            if alive(*p) {
                // SAFETY: kill(2) of processes this test started.
                unsafe {
                    libc::kill(*p as i32, libc::SIGKILL);
                }
            }
        }
        let _ = self.child.wait();
    }
}

/// The user the daemon's children run as when the tests run as root
/// (`ferrobgp`, else `nobody`, as the supervisor chooses); `None` otherwise.
pub fn service_user() -> Option<nix::unistd::User> {
    if !nix::unistd::Uid::effective().is_root() {
        return None;
    }
    ["ferrobgp", "nobody"]
        .iter()
        .find_map(|n| nix::unistd::User::from_name(n).ok().flatten())
}

/// The user a child started as root runs as, from its command line: the
/// rib and the session workers have users of their own when they exist
/// (`ferrobgp-rib`, `ferrobgp-session`), everything else runs as the
/// service user.
pub fn user_of_child(cmd: &str) -> Option<nix::unistd::User> {
    let own = if cmd.contains("__rib") {
        Some("ferrobgp-rib")
    } else if cmd.contains("__session") {
        Some("ferrobgp-session")
    } else {
        None
    };
    own.and_then(|n| nix::unistd::User::from_name(n).ok().flatten())
        .or_else(service_user)
}

/// Creates the role users (as the package's sysusers.d entry does) when
/// missing; root only. Several test binaries may race: a loser's useradd
/// fails with "already exists", which is fine.
pub fn ensure_role_users() {
    for name in ["ferrobgp", "ferrobgp-rib", "ferrobgp-session"] {
        if nix::unistd::User::from_name(name).ok().flatten().is_some() {
            continue;
        }
        let _ = std::process::Command::new("useradd")
            .args([
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                name,
            ])
            .status();
    }
}

/// The operator group of the control socket and the CLI FIFOs
/// (`ferrobgp-ctl`, as the package's sysusers.d entry makes it), created
/// when missing; `None` when it cannot be (not root). Test binaries may
/// race: a loser's groupadd fails with "already exists", which is fine.
pub fn ensure_operator_group() -> Option<nix::unistd::Group> {
    let name = ferrobgp_supervisor::control::CONTROL_GROUP;
    if let Some(g) = nix::unistd::Group::from_name(name).ok().flatten() {
        return Some(g);
    }
    let _ = std::process::Command::new("groupadd")
        .args(["--system", name])
        .status();
    nix::unistd::Group::from_name(name).ok().flatten()
}

/// A fresh temporary directory the daemon's children can use: as root the
/// helpers run as the service user, so the directory (0755) belongs to it
/// and helpers can create files there; otherwise a plain temporary directory.
pub fn service_user_dir() -> tempfile::TempDir {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if let Some(u) = service_user() {
        std::os::unix::fs::chown(dir.path(), Some(u.uid.as_raw()), Some(u.gid.as_raw()))
            .expect("chown to the service user");
    }
    dir
}

// common and interop_common both include it: a test crate with both has
// two copies, which is all they share
#[allow(clippy::duplicate_mod)]
#[path = "../procs/mod.rs"]
mod procs;
pub use procs::{alive, children_of, cmdline, signal};

/// Waits until `path` contains `needle`; returns the content.
pub fn wait_file_contains(path: &Path, needle: &str, log: impl Fn() -> String) -> String {
    let deadline = Instant::now() + LONG;
    loop {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        if text.contains(needle) {
            return text;
        }
        assert!(
            Instant::now() < deadline,
            "{} never contained {needle:?}; it has {text:?}\n{}",
            path.display(),
            log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A neighbor at `ip`, reached on `port`, to which the daemon announces the
/// static `route` (next-hop 127.0.0.1).
pub fn static_neighbor(ip: &str, port: u16, route: &str) -> String {
    format!(
        r#"
neighbor {ip} {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {port};
    family {{ ipv4 unicast; }}
    static {{ route {route} next-hop 127.0.0.1; }}
}}
"#
    )
}

/// One IPv4 unicast iBGP neighbor connecting to 127.0.0.1:`port`, whose
/// API is the text-encoder process `process` running `run`.
pub fn text_process_neighbor(process: &str, run: &str, port: u16) -> String {
    format!(
        r#"
process {process} {{
    run {run};
    encoder text;
}}
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {port};
    family {{ ipv4 unicast; }}
    api {{ processes [ {process} ]; }}
}}
"#
    )
}

/// One neighbor at `peer` whose state changes go, as text, to the helper
/// `watcher.sh` ([`WATCHER`]).
pub fn watcher_conf(peer: &Peer) -> String {
    text_process_neighbor("watcher", "./watcher.sh", peer.addr.port()).replace(
        "api { processes [ watcher ]; }",
        "api { processes [ watcher ]; neighbor-changes; }",
    )
}

/// Writes what it hears into the test directory (`watcher.out`): as root it
/// runs as the service user, so this also proves it can use that directory.
/// A helper script that waits a second (the session comes up), writes
/// each of `lines` to the daemon, `gap` seconds apart (`None`: all at
/// once), then stays alive so that it is not respawned.
pub fn lines_script(lines: &[&str], gap: Option<f32>) -> String {
    let mut script = String::from("#!/bin/sh\nsleep 1\n");
    for line in lines {
        script.push_str(&format!("printf '%s\\n' '{line}'\n"));
        if let Some(g) = gap {
            script.push_str(&format!("sleep {g}\n"));
        }
    }
    script.push_str("exec sleep 60\n");
    script
}

pub const WATCHER: &str = "#!/bin/sh\ncat > \"$(dirname \"$0\")/watcher.out\"\n";

/// Starts the daemon on [`watcher_conf`] for `peer`, its helper written out,
/// with `exabgp_tcp_port` set to the peer's port and `env` added.
pub fn start_watched(peer: &Peer, env: &[(&str, String)]) -> Daemon {
    let mut all = vec![("exabgp_tcp_port", peer.addr.port().to_string())];
    all.extend(env.iter().cloned());
    Daemon::start(&watcher_conf(peer), &[("watcher.sh", WATCHER)], &all)
}

/// Accepts the daemon's connection at `peer` and establishes it, then waits
/// for the supervisor's three children (rib, one worker, the helper) and for
/// the helper to hear the neighbor come up. Returns the session and children.
#[track_caller]
pub fn establish_watched(peer: &Peer, d: &mut Daemon) -> (Session, Vec<u32>) {
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let kids = d.wait_children(&["__rib", "__session", "watcher.sh"]);
    assert_eq!(kids.len(), 3, "rib, one worker, one helper: {kids:?}");
    wait_file_contains(&d.path("watcher.out"), "neighbor 127.0.0.1 up", || {
        d.log_text()
    });
    (s, kids)
}

/// Waits for the daemon to exit, then asserts it exited 0 and left no child.
#[track_caller]
pub fn assert_clean_exit(d: &mut Daemon) {
    let status = d.wait_exit();
    assert_eq!(status.code(), Some(0), "{}", d.log_text());
    assert!(
        d.leftovers().is_empty(),
        "children left: {:?}",
        d.leftovers()
    );
}

/// Reads UPDATEs from `s` until one announces `prefix`, for at most `within`.
pub fn wait_route(s: &mut Session, prefix: &str, within: Duration, log: &dyn Fn() -> String) {
    let deadline = Instant::now() + within;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "{prefix} not announced\n{}", log());
        let m = s
            .read_non_keepalive(left)
            .unwrap_or_else(|| panic!("closed before {prefix} was announced\n{}", log()));
        if m.kind == UPDATE && update_prefixes(&m.body).0.iter().any(|p| p == prefix) {
            return;
        }
    }
}

// ---------------------------------------------------------------------------
// A daemon with its control socket, and the tables of the reload and
// restart tests.

/// End-of-RIB for IPv4 unicast.
pub const EOR: [u8; 4] = [0, 0, 0, 0];

/// The daemon with its control socket in a private runtime directory.
pub struct WithCli {
    pub d: Daemon,
    pub _runtime: tempfile::TempDir,
    pub sock: String,
}

pub fn start_with_cli(conf: &str, scripts: &[(&str, &str)]) -> WithCli {
    start_with_cli_args(conf, scripts, &[])
}

/// [`start_with_cli`] with extra `ferrobgp run` arguments.
pub fn start_with_cli_args(conf: &str, scripts: &[(&str, &str)], args: &[&str]) -> WithCli {
    let runtime = tempfile::tempdir().expect("runtime dir");
    let d = Daemon::start_args(
        conf,
        scripts,
        &[
            ("exabgp_api_cli", "true".to_string()),
            ("exabgp_api_socketname", "ctl".to_string()),
            (
                "RUNTIME_DIRECTORY",
                runtime.path().to_string_lossy().into_owned(),
            ),
        ],
        args,
    );
    let sock = runtime.path().join("ctl.sock");
    let deadline = std::time::Instant::now() + LONG;
    while !sock.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "no control socket\n{}",
            d.log_text()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    WithCli {
        sock: sock.to_string_lossy().into_owned(),
        d,
        _runtime: runtime,
    }
}

/// `ferrobgp cli --socket SOCK LINE...`: exit code and standard output.
pub fn cli(sock: &str, line: &str) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .args(["cli", "--socket", sock])
        .args(line.split(' '))
        .output()
        .expect("run ferrobgp cli");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The UPDATE body announcing `prefix` (a /24) with the attributes of the
/// configuration above: ORIGIN IGP, empty AS_PATH, NEXT_HOP 127.0.0.1,
/// LOCAL_PREF 100 (iBGP).
pub fn announce_24(prefix: [u8; 3]) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 21];
    b.extend_from_slice(&[0x40, 1, 1, 0]);
    b.extend_from_slice(&[0x40, 2, 0]);
    b.extend_from_slice(&[0x40, 3, 4, 127, 0, 0, 1]);
    b.extend_from_slice(&[0x40, 5, 4, 0, 0, 0, 100]);
    b.push(24);
    b.extend_from_slice(&prefix);
    b
}

/// The UPDATE body withdrawing `prefix` (a /24).
pub fn withdraw_24(prefix: [u8; 3]) -> Vec<u8> {
    let mut b = vec![0, 4, 24];
    b.extend_from_slice(&prefix);
    b.extend_from_slice(&[0, 0]);
    b
}

/// Reads the initial table up to its End-of-RIB; returns the UPDATE bodies before it.
pub fn read_table(s: &mut Session, log: &dyn Fn() -> String) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("closed before End-of-RIB\n{}", log()));
        assert_eq!(m.kind, UPDATE, "{m:?}\n{}", log());
        if m.body == EOR {
            return out;
        }
        out.push(m.body);
    }
}

/// Session workers of the daemon: pid of the worker of each peer address.
pub fn worker_of(d: &Daemon, ip: &str) -> Option<u32> {
    let needle = format!("--peer {ip} ");
    children_of(d.pid())
        .into_iter()
        .find(|p| (cmdline(*p) + " ").contains(&needle) && alive(*p))
}

// ---------------------------------------------------------------------------
// A minimal BGP peer.

pub const OPEN: u8 = 1;
pub const UPDATE: u8 = 2;
pub const NOTIFICATION: u8 = 3;
pub const KEEPALIVE: u8 = 4;

/// A listening test peer.
pub struct Peer {
    listener: TcpListener,
    pub addr: SocketAddr,
}

impl Peer {
    /// Listens on `ip` with a free port.
    pub fn bind(ip: &str) -> Peer {
        let listener = TcpListener::bind((ip, 0)).expect("bind test peer");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("addr");
        Peer { listener, addr }
    }

    /// The listening socket (to set options inherited by accepted sockets).
    pub fn listener_fd(&self) -> &TcpListener {
        &self.listener
    }

    /// Whether a connection of the daemon's is waiting to be accepted.
    pub fn has_pending(&self) -> bool {
        match self.listener.accept() {
            Ok(_) => true,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => false,
            Err(e) => panic!("accept: {e}"),
        }
    }

    /// Accepts the daemon's next connection.
    pub fn accept(&self) -> Session {
        let deadline = Instant::now() + LONG;
        loop {
            match self.listener.accept() {
                Ok((s, _)) => {
                    s.set_nonblocking(false).expect("blocking");
                    s.set_nodelay(true).ok();
                    return Session { s, buf: Vec::new() };
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "no connection to {}", self.addr);
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("accept: {e}"),
            }
        }
    }
}

/// One BGP message: type and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub kind: u8,
    pub body: Vec<u8>,
}

/// An accepted connection.
pub struct Session {
    pub s: TcpStream,
    buf: Vec<u8>,
}

pub fn frame(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&((19 + body.len()) as u16).to_be_bytes());
    m.push(kind);
    m.extend_from_slice(body);
    m
}

impl Session {
    /// Wraps a connected stream.
    pub fn from_stream(s: TcpStream) -> Session {
        s.set_nodelay(true).ok();
        Session { s, buf: Vec::new() }
    }

    /// The next message, `None` at end of stream; panics after `within`.
    pub fn read(&mut self, within: Duration) -> Option<Msg> {
        let deadline = Instant::now() + within;
        loop {
            if self.buf.len() >= 19 {
                let len = u16::from_be_bytes([self.buf[16], self.buf[17]]) as usize;
                assert!((19..=65535).contains(&len), "bad length {len}");
                if self.buf.len() >= len {
                    let m: Vec<u8> = self.buf.drain(..len).collect();
                    return Some(Msg {
                        kind: m[18],
                        body: m[19..].to_vec(),
                    });
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no message within {within:?}");
            self.s.set_read_timeout(Some(left)).ok();
            let mut chunk = [0u8; 65536];
            match self.s.read(&mut chunk) {
                Ok(0) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::TimedOut =>
                {
                    continue
                }
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return None,
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    /// The next message that is not a KEEPALIVE.
    pub fn read_non_keepalive(&mut self, within: Duration) -> Option<Msg> {
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let m = self.read(left.max(Duration::from_millis(1)))?;
            if m.kind != KEEPALIVE {
                return Some(m);
            }
        }
    }

    pub fn send(&mut self, kind: u8, body: &[u8]) {
        self.s
            .write_all(&frame(kind, body))
            .expect("send to daemon");
    }

    /// Reads the daemon's OPEN, answers with ours (AS `asn`, IPv4 unicast,
    /// 4-byte AS), then KEEPALIVE, and waits for the daemon's KEEPALIVE.
    pub fn establish(&mut self, asn: u32, router_id: [u8; 4], hold: u16) -> Msg {
        self.establish_families(asn, router_id, hold, &[(1, 1)])
    }

    /// [`Session::establish`] offering multiprotocol `families` (AFI, SAFI).
    pub fn establish_families(
        &mut self,
        asn: u32,
        router_id: [u8; 4],
        hold: u16,
        families: &[(u16, u8)],
    ) -> Msg {
        let open = self.read(LONG).expect("daemon closed before OPEN");
        assert_eq!(open.kind, OPEN, "first message is not OPEN: {open:?}");
        let mut caps = Vec::new();
        for (afi, safi) in families {
            caps.extend_from_slice(&[1, 4]); // multiprotocol
            caps.extend_from_slice(&afi.to_be_bytes());
            caps.extend_from_slice(&[0, *safi]);
        }
        caps.extend_from_slice(&[65, 4]);
        caps.extend_from_slice(&asn.to_be_bytes());
        let mut body = vec![4];
        let as2 = if asn > 65535 { 23456 } else { asn as u16 };
        body.extend_from_slice(&as2.to_be_bytes());
        body.extend_from_slice(&hold.to_be_bytes());
        body.extend_from_slice(&router_id);
        body.push((caps.len() + 2) as u8);
        body.push(2);
        body.push(caps.len() as u8);
        body.extend_from_slice(&caps);
        self.send(OPEN, &body);
        self.send(KEEPALIVE, &[]);
        let ka = self.read(LONG).expect("daemon closed after OPEN");
        assert_eq!(ka.kind, KEEPALIVE, "expected KEEPALIVE, got {ka:?}");
        open
    }
}

/// Bytes from hexadecimal text (as recorded from a peer's log).
pub fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// IPv4 unicast prefixes announced (NLRI field) and withdrawn in an UPDATE body.
pub fn update_prefixes(body: &[u8]) -> (Vec<String>, Vec<String>) {
    fn prefixes(mut b: &[u8]) -> Vec<String> {
        let mut out = Vec::new();
        while let Some((&len, rest)) = b.split_first() {
            let n = (len as usize).div_ceil(8);
            if rest.len() < n {
                break;
            }
            let mut a = [0u8; 4];
            a[..n].copy_from_slice(&rest[..n]);
            out.push(format!("{}.{}.{}.{}/{len}", a[0], a[1], a[2], a[3]));
            b = &rest[n..];
        }
        out
    }
    if body.len() < 4 {
        return (vec![], vec![]);
    }
    let wlen = u16::from_be_bytes([body[0], body[1]]) as usize;
    let withdrawn = prefixes(&body[2..2 + wlen]);
    let alen = u16::from_be_bytes([body[2 + wlen], body[3 + wlen]]) as usize;
    let nlri = prefixes(&body[4 + wlen + alen..]);
    (nlri, withdrawn)
}

// ---------------------------------------------------------------------------
// Processes measured from outside.

/// CPU time (user + system) a process used so far, from /proc/PID/stat.
pub fn cpu_time(pid: u32) -> Duration {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(after) = s.rfind(')').map(|i| &s[i + 2..]) else {
        return Duration::ZERO;
    };
    let f: Vec<&str> = after.split(' ').collect();
    // fields 14 and 15 of stat(5): the third field is at index 0 here
    let ticks: u64 = [11, 12]
        .iter()
        .filter_map(|i| f.get(*i).and_then(|v| v.parse::<u64>().ok()))
        .sum();
    // SAFETY: sysconf(3) has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    Duration::from_millis(ticks * 1000 / hz)
}

/// The rib process of the daemon.
pub fn rib_of(d: &Daemon) -> Option<u32> {
    procs::rib_of_supervisor(d.pid())
}
