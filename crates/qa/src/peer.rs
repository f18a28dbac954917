//! The test BGP peer: listens on loopback, answers each connection's OPEN as
//! the suite README says, sends a KEEPALIVE for every later message, checks
//! every message against the expectations (one state shared by all
//! connections), runs the actions, and returns a verdict. A record mode
//! prints what the daemon sends instead, to write new expectations from an
//! independent implementation.

use crate::bgp::{self, Frame};
use crate::error::QaError;
use crate::hex;
use crate::msgfile::{MsgFile, Options};
use crate::open;
use crate::script::{Action, Script};
use std::io::{ErrorKind, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a peer run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every expectation was met.
    Successful,
    /// The test failed; the text says why.
    Failed(String),
    /// Stopped from outside (cancelled or timed out) before the end; the text
    /// says what was still expected.
    Stopped(String),
}

/// How the runner (or the command line) steers a running peer.
#[derive(Debug, Clone, Default)]
pub struct Control {
    /// Set to stop the peer.
    pub cancel: Arc<AtomicBool>,
    /// The daemon's process id for `signal` actions (0: unknown).
    pub daemon_pid: Arc<AtomicI32>,
    /// Stop with a timeout verdict at this instant.
    pub deadline: Option<Instant>,
    /// When `daemon_pid` is 0 at a `signal` action: a file holding the
    /// daemon's process id, read then (for a peer started by hand before
    /// the daemon).
    pub daemon_pid_file: Option<std::path::PathBuf>,
}

enum Mode {
    Check(Script),
    /// Record mode: received messages, and how long to wait for more after
    /// the last one.
    Record {
        seen: Vec<Vec<u8>>,
        idle: Duration,
    },
}

struct Conn {
    id: usize,
    stream: TcpStream,
    buf: Vec<u8>,
    opened: bool,
    closed: bool,
}

/// A bound test peer, ready to run.
pub struct Peer {
    listener: TcpListener,
    options: Options,
    mode: Mode,
    conns: Vec<Conn>,
    next_id: usize,
    transcript: Vec<String>,
    verbose: bool,
    last_message: Instant,
}

const TRANSCRIPT_TAIL: usize = 12;

impl Peer {
    /// Binds the peer for a parsed `.msg` file on `port` (0: any free port)
    /// of `127.0.0.1`, or `::1` with `option:bind:ipv6`.
    pub fn bind(msg: MsgFile, port: u16) -> Result<Peer, QaError> {
        let options = msg.options.clone();
        Peer::bind_mode(options, Mode::Check(Script::new(msg.groups)), port)
    }

    /// Binds a peer in record mode: it answers OPENs (honouring `options`)
    /// and records every non-KEEPALIVE message until `idle` passes without one
    /// (once at least one arrived).
    pub fn bind_recorder(options: Options, port: u16, idle: Duration) -> Result<Peer, QaError> {
        let mode = Mode::Record {
            seen: Vec::new(),
            idle,
        };
        Peer::bind_mode(options, mode, port)
    }

    fn bind_mode(options: Options, mode: Mode, port: u16) -> Result<Peer, QaError> {
        let addr: SocketAddr = if options.bind_ipv6 {
            (Ipv6Addr::LOCALHOST, port).into()
        } else {
            (Ipv4Addr::LOCALHOST, port).into()
        };
        let listener = TcpListener::bind(addr)
            .map_err(|e| QaError::io(format!("cannot listen on {addr}"), e))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| QaError::io("cannot make the listener non-blocking", e))?;
        Ok(Peer {
            listener,
            options,
            mode,
            conns: Vec::new(),
            next_id: 1,
            transcript: Vec::new(),
            verbose: false,
            last_message: Instant::now(),
        })
    }

    /// Prints every event to stderr as it happens.
    pub fn set_verbose(&mut self, verbose: bool) {
        self.verbose = verbose;
    }

    /// The address the peer listens on.
    pub fn local_addr(&self) -> Result<SocketAddr, QaError> {
        self.listener
            .local_addr()
            .map_err(|e| QaError::io("cannot read the listening address", e))
    }

    /// In record mode, the messages recorded so far as `.msg` lines of group
    /// 1 (header split as `MARKER:LENGTH:TYPE:BODY`).
    pub fn recorded_lines(&self) -> Vec<String> {
        match &self.mode {
            Mode::Record { seen, .. } => seen.iter().map(|m| msg_line("1", m)).collect(),
            Mode::Check(_) => Vec::new(),
        }
    }

    fn note(&mut self, text: String) {
        if self.verbose {
            eprintln!("peer: {text}");
        }
        self.transcript.push(text);
    }

    fn transcript_tail(&self) -> String {
        let skip = self.transcript.len().saturating_sub(TRANSCRIPT_TAIL);
        let mut out = String::from("peer transcript (last events):");
        for line in &self.transcript[skip..] {
            out.push_str("\n  ");
            out.push_str(line);
        }
        out
    }

    /// Runs until the verdict, then closes every connection and the listener.
    pub fn run(&mut self, control: &Control) -> Verdict {
        let verdict = self.run_loop(control);
        for conn in &self.conns {
            let _ = conn.stream.shutdown(std::net::Shutdown::Both);
        }
        self.conns.clear();
        verdict
    }

    fn run_loop(&mut self, control: &Control) -> Verdict {
        if let Mode::Check(script) = &self.mode {
            if script.is_done() {
                return Verdict::Successful;
            }
        }
        loop {
            if control.cancel.load(Ordering::SeqCst) {
                return Verdict::Stopped(self.pending_report("stopped"));
            }
            if control.deadline.is_some_and(|d| Instant::now() >= d) {
                return Verdict::Stopped(self.pending_report("timed out"));
            }
            if let Mode::Record { seen, idle } = &self.mode {
                if !seen.is_empty() && self.last_message.elapsed() >= *idle {
                    return Verdict::Successful;
                }
            }
            let mut fds = Vec::with_capacity(1 + self.conns.len());
            fds.push(libc::pollfd {
                fd: self.listener.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            });
            for conn in &self.conns {
                fds.push(libc::pollfd {
                    fd: conn.stream.as_raw_fd(),
                    events: libc::POLLIN,
                    revents: 0,
                });
            }
            // SAFETY: `fds` is a valid, exclusively borrowed array of pollfd
            // of the given length for the duration of the call.
            let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 50) };
            if ready <= 0 {
                continue;
            }
            if fds[0].revents != 0 {
                self.accept_all();
            }
            let readable: Vec<usize> = fds[1..]
                .iter()
                .enumerate()
                .filter(|(_, fd)| fd.revents != 0)
                .map(|(i, _)| i)
                .collect();
            for index in readable {
                if let Some(verdict) = self.read_conn(index, control) {
                    return verdict;
                }
            }
            self.conns.retain(|c| !c.closed);
        }
    }

    fn accept_all(&mut self) {
        loop {
            match self.listener.accept() {
                Ok((stream, from)) => {
                    let id = self.next_id;
                    self.next_id += 1;
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_nodelay(true);
                    let _ = stream.set_read_timeout(Some(Duration::from_millis(100)));
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
                    self.note(format!("connection {id} accepted from {from}"));
                    self.conns.push(Conn {
                        id,
                        stream,
                        buf: Vec::new(),
                        opened: false,
                        closed: false,
                    });
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(e) => {
                    self.note(format!("accept failed: {e}"));
                    return;
                }
            }
        }
    }

    fn read_conn(&mut self, index: usize, control: &Control) -> Option<Verdict> {
        let mut chunk = [0u8; 65536];
        let conn = &mut self.conns[index];
        match conn.stream.read(&mut chunk) {
            Ok(0) => {
                conn.closed = true;
                let id = conn.id;
                self.note(format!("connection {id} closed by the daemon"));
                return None;
            }
            Ok(n) => conn.buf.extend_from_slice(&chunk[..n]),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return None
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => return None,
            Err(e) => {
                conn.closed = true;
                let id = conn.id;
                self.note(format!("connection {id} failed: {e}"));
                return None;
            }
        }
        loop {
            let conn = &mut self.conns[index];
            match bgp::frame(&conn.buf) {
                Frame::Partial => return None,
                Frame::Invalid(reason) => {
                    return Some(Verdict::Failed(format!(
                        "connection {}: cannot frame the stream: {reason}",
                        conn.id
                    )))
                }
                Frame::Complete(len) => {
                    let msg: Vec<u8> = conn.buf.drain(..len).collect();
                    if let Some(verdict) = self.handle(index, msg, control) {
                        return Some(verdict);
                    }
                    if self.conns[index].closed {
                        return None;
                    }
                }
            }
        }
    }

    fn send(&mut self, index: usize, bytes: &[u8], what: &str) {
        let conn = &mut self.conns[index];
        let id = conn.id;
        let result = conn.stream.write_all(bytes);
        match result {
            Ok(()) => self.note(format!("connection {id}: sent {what}")),
            Err(e) => {
                self.conns[index].closed = true;
                self.note(format!("connection {id}: cannot send {what}: {e}"));
            }
        }
    }

    fn handle(&mut self, index: usize, msg: Vec<u8>, control: &Control) -> Option<Verdict> {
        self.last_message = Instant::now();
        let id = self.conns[index].id;
        self.note(format!(
            "connection {id}: received {} ({})",
            bgp::summary(&msg),
            hex::encode(&msg)
        ));
        if !self.conns[index].opened {
            self.conns[index].opened = true;
            return self.handle_open(index, &msg, control);
        }
        self.send(index, &bgp::keepalive(), "KEEPALIVE");
        if bgp::kind(&msg) == bgp::KEEPALIVE {
            return None;
        }
        match &mut self.mode {
            Mode::Record { seen, .. } => {
                seen.push(msg);
                None
            }
            Mode::Check(script) => {
                if let Err(mismatch) = script.accept(&msg) {
                    return Some(Verdict::Failed(format!(
                        "connection {id}: {}\n{}",
                        mismatch.report(),
                        self.transcript_tail()
                    )));
                }
                self.after_match(index, Some(bgp::kind(&msg)), control)
            }
        }
    }

    fn handle_open(&mut self, index: usize, msg: &[u8], control: &Control) -> Option<Verdict> {
        let id = self.conns[index].id;
        let answer = match open::answer(msg, &self.options) {
            Ok(answer) => answer,
            Err(e) => return Some(Verdict::Failed(format!("connection {id}: {e}"))),
        };
        self.send(index, &answer, "OPEN");
        self.send(index, &bgp::keepalive(), "KEEPALIVE");
        if self.options.send_unknown_message {
            self.send(
                index,
                &bgp::unknown_message(),
                "message of unknown type 255",
            );
        }
        if let Mode::Record { seen, .. } = &mut self.mode {
            if self.options.inspect_open {
                seen.push(msg.to_vec());
            }
        }
        if let Mode::Check(script) = &mut self.mode {
            if self.options.inspect_open {
                if let Err(mismatch) = script.accept(msg) {
                    return Some(Verdict::Failed(format!(
                        "connection {id}: the daemon's OPEN: {}\n{}",
                        mismatch.report(),
                        self.transcript_tail()
                    )));
                }
                if script.is_done() {
                    return Some(Verdict::Successful);
                }
            }
            if let Some(verdict) = self.after_match(index, None, control) {
                return Some(verdict);
            }
        }
        if self.options.send_default_route {
            self.send(index, &bgp::default_route(), "the default route UPDATE");
        }
        None
    }

    fn after_match(
        &mut self,
        index: usize,
        matched: Option<u8>,
        control: &Control,
    ) -> Option<Verdict> {
        let Mode::Check(script) = &mut self.mode else {
            return None;
        };
        let actions = script.actions(matched);
        for action in actions {
            match action {
                Action::Signal(name) => {
                    if let Err(reason) = send_signal(&name, control) {
                        return Some(Verdict::Failed(reason));
                    }
                    self.note(format!("sent {name} to the daemon"));
                }
                Action::Send(bytes) => self.send(index, &bytes, "NOTIFICATION"),
                Action::Replay(updates) => {
                    for update in updates {
                        self.send(index, &update, "remembered UPDATE (route-refresh replay)");
                    }
                    self.send(index, &bgp::keepalive(), "KEEPALIVE");
                }
            }
        }
        let Mode::Check(script) = &self.mode else {
            return None;
        };
        if script.is_done() {
            return Some(Verdict::Successful);
        }
        if let Some(line) = script.stuck() {
            return Some(Verdict::Failed(format!(
                "line {} can never match: {}",
                line.number, line.text
            )));
        }
        None
    }

    fn pending_report(&self, why: &str) -> String {
        let mut out = String::from(why);
        match &self.mode {
            Mode::Check(script) => {
                let remaining = script.remaining();
                if let Some((group, _)) = remaining.first() {
                    out.push_str(&format!("; waiting for group {group}, still expected:"));
                }
                for (group, line) in remaining.iter().take(8) {
                    out.push_str(&format!(
                        "\n  group {group} (line {}) {}",
                        line.number, line.text
                    ));
                }
                if remaining.len() > 8 {
                    out.push_str(&format!("\n  ... and {} more lines", remaining.len() - 8));
                }
            }
            Mode::Record { seen, .. } => {
                out.push_str(&format!("; {} messages recorded", seen.len()))
            }
        }
        out.push('\n');
        if self.transcript.is_empty() {
            out.push_str("peer transcript: no connection was made");
        } else {
            out.push_str(&self.transcript_tail());
        }
        out
    }
}

fn send_signal(name: &str, control: &Control) -> Result<(), String> {
    let upper = name.to_ascii_uppercase();
    let full = if upper.starts_with("SIG") {
        upper
    } else {
        format!("SIG{upper}")
    };
    let signal = nix::sys::signal::Signal::from_str(&full)
        .map_err(|_| format!("signal action: unknown signal `{name}`"))?;
    let mut pid = control.daemon_pid.load(Ordering::SeqCst);
    if pid <= 0 {
        if let Some(path) = &control.daemon_pid_file {
            pid = std::fs::read_to_string(path)
                .ok()
                .and_then(|text| text.trim().parse().ok())
                .unwrap_or(0);
        }
    }
    if pid <= 0 {
        return Err(format!(
            "signal action {name}: the daemon's process id is not known \
             (give --daemon-pid or --daemon-pid-file)"
        ));
    }
    nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), signal)
        .map_err(|e| format!("signal action: cannot send {full} to process {pid}: {e}"))
}

/// Formats a message as a `.msg` line: `GROUP:raw:MARKER:LENGTH:TYPE:BODY`.
pub fn msg_line(group: &str, msg: &[u8]) -> String {
    if msg.len() < bgp::HEADER_LEN {
        return format!("{group}:raw:{}", hex::encode(msg));
    }
    let mut line = format!(
        "{group}:raw:{}:{}:{}",
        hex::encode(&msg[..16]),
        hex::encode(&msg[16..18]),
        hex::encode(&msg[18..19])
    );
    if msg.len() > bgp::HEADER_LEN {
        line.push(':');
        line.push_str(&hex::encode(&msg[bgp::HEADER_LEN..]));
    }
    line
}
