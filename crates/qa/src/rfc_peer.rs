//! The evil peer of the RFC corpus: runs one [`crate::rfc::Case`] against a
//! daemon (ferrobgp or ExaBGP) on a fresh session, on loopback. The daemon
//! is started with a configuration naming one JSON helper that writes what
//! it reads to a file, connects to the peer, and the session is
//! established; the peer announces [`rfc::PRE_PREFIX`], waits until the
//! helper reported it, sends the case's messages and then the sentinel
//! route, and records what came back: a NOTIFICATION, the connection
//! closing, or the helper reporting the sentinel (see [`rfc::Observed`]).

use crate::daemon::{environment, Daemon, DaemonCommand};
use crate::error::QaError;
use crate::rfc::{self, Case, Observed};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long the daemon has to connect, and to process everything sent.
const LIMIT: Duration = Duration::from_secs(20);

/// A configuration for a peer of AS `peer_as` with the helper `helper`.
/// The daemon connects from 127.0.0.3 to the peer's 127.0.0.1, so that
/// its own address is not the peer's (the NEXT_HOP check of RFC 4271 6.3).
pub fn configuration(peer_as: u32, helper: &Path) -> String {
    format!(
        r#"
process watcher {{
    run {helper};
    encoder json;
}}

neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.3;
    local-as 65000;
    peer-as {asn};
    hold-time 180;
    family {{
        ipv4 unicast;
        ipv6 unicast;
    }}
    capability {{
        route-refresh;
    }}
    api {{
        processes [ watcher ];
        neighbor-changes;
        receive {{
            parsed;
            update;
        }}
    }}
}}
"#,
        helper = helper.display(),
        asn = peer_as
    )
}

/// Reads one message (blocking up to the stream's read timeout). `Ok(None)`
/// on timeout; `Err` on end of stream or error.
struct Reader {
    stream: TcpStream,
    buf: Vec<u8>,
}

enum Read1 {
    Message(Vec<u8>),
    Timeout,
    Closed,
}

impl Reader {
    fn read(&mut self, wait: Duration) -> Read1 {
        let deadline = Instant::now() + wait;
        loop {
            if self.buf.len() >= 19 {
                let len = usize::from(u16::from_be_bytes([self.buf[16], self.buf[17]]));
                if len < 19 {
                    return Read1::Closed;
                }
                if self.buf.len() >= len {
                    return Read1::Message(self.buf.drain(..len).collect());
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Read1::Timeout;
            }
            let _ = self
                .stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))));
            let mut chunk = [0u8; 65536];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Read1::Closed,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    return Read1::Timeout
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Read1::Closed,
            }
        }
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(str::to_string)
        .collect()
}

fn has_prefix(path: &Path, prefix: &str) -> bool {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .contains(&format!("\"{prefix}\""))
}

/// Records a NOTIFICATION or the end of the session into `o`; true when
/// the session is over.
fn note(m: Read1, o: &mut Observed) -> bool {
    match m {
        Read1::Message(m) if m[18] == 3 && m.len() >= 21 => {
            o.notification = Some((m[19], m[20], m[21..].to_vec()));
            o.closed = true;
            true
        }
        Read1::Closed => {
            o.closed = true;
            true
        }
        _ => false,
    }
}

/// Runs `case` against `daemon` (extra environment `env`) in `dir`.
pub fn run(
    case: &Case,
    daemon: &DaemonCommand,
    env: &[(String, String)],
    dir: &Path,
) -> Result<Observed, QaError> {
    let helper = dir.join("helper.sh");
    let out = dir.join("helper.out");
    // ExaBGP hands helpers a non-blocking stdin, on which `cat` stops at
    // once: clear the flag, then copy every byte to the file
    let script = format!(
        "#!/usr/bin/env python3\n\
         import fcntl, os\n\
         fcntl.fcntl(0, fcntl.F_SETFL, fcntl.fcntl(0, fcntl.F_GETFL) & ~os.O_NONBLOCK)\n\
         out = os.open('{}', os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)\n\
         while True:\n    \
             data = os.read(0, 65536)\n    \
             if not data:\n        \
                 break\n    \
             os.write(out, data)\n",
        out.display()
    );
    std::fs::write(&helper, script).map_err(|e| QaError::io("helper", e))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&helper, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| QaError::io("helper", e))?;
        // the daemon may run its helpers as another user (ferrobgp started
        // as root runs them as its service user, or `nobody`)
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o1777))
            .map_err(|e| QaError::io("helper", e))?;
    }
    let conf: PathBuf = dir.join("rfc.conf");
    std::fs::write(&conf, configuration(case.peer_as(), &helper))
        .map_err(|e| QaError::io("conf", e))?;
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| QaError::io("bind", e))?;
    let port = listener
        .local_addr()
        .map_err(|e| QaError::io("bind", e))?
        .port();
    let mut full_env = environment(port, 1);
    full_env.extend(env.iter().cloned());
    let mut d = Daemon::spawn(daemon, &[conf], &full_env)?;
    let result = session(case, &listener, &out, &d);
    d.stop(Duration::ZERO);
    result.map_err(|e| {
        QaError::Usage(format!(
            "{}: {e}\n--- daemon stderr ---\n{}",
            case.name,
            d.stderr_tail(30)
        ))
    })
}

/// One case against the daemon: the session established, a clean route
/// pre-announced, the case's messages sent and what follows observed.
fn session(
    case: &Case,
    listener: &TcpListener,
    out: &Path,
    d: &Daemon,
) -> Result<Observed, String> {
    let stream = accept(listener, d)?;
    let mut writer = stream.try_clone().map_err(|e| e.to_string())?;
    let mut r = Reader {
        stream,
        buf: Vec::new(),
    };
    if let Some(decided) = establish(case, &mut r, &mut writer, out)? {
        return Ok(decided);
    }
    let clean = rfc::unhex(case.peer.clean_attributes()).map_err(|e| e.to_string())?;
    let pre = rfc::message(
        2,
        &rfc::update_body(&[], &clean, &rfc::unhex("$PFX").unwrap_or_default()),
    );
    writer.write_all(&pre).map_err(|e| e.to_string())?;
    let mut o = Observed::default();
    let deadline = Instant::now() + LIMIT;
    while !has_prefix(out, rfc::PRE_PREFIX) {
        if Instant::now() > deadline {
            return Err("the helper never reported the pre-announced route".into());
        }
        if note(r.read(Duration::from_millis(20)), &mut o) {
            return Err(format!(
                "the session ended on the clean route: {}",
                rfc::describe(&o)
            ));
        }
    }
    for m in &case.send {
        let _ = writer.write_all(m);
    }
    let sentinel = rfc::message(
        2,
        &rfc::update_body(&[], &clean, &rfc::unhex("$SENTINEL").unwrap_or_default()),
    );
    let _ = writer.write_all(&sentinel);
    watch_until_sentinel(&mut r, out, &mut o);
    if o.closed {
        // the helper's `down` event
        let deadline = Instant::now() + Duration::from_secs(5);
        while !rfc::saw_down(&lines(out)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    o.helper = lines(out);
    Ok(o)
}

/// The daemon's connection (it connects to us), blocking and without delay.
fn accept(listener: &TcpListener, d: &Daemon) -> Result<TcpStream, String> {
    listener.set_nonblocking(true).map_err(|e| e.to_string())?;
    let start = Instant::now();
    let stream = loop {
        match listener.accept() {
            Ok((s, _)) => break s,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                if start.elapsed() > LIMIT || d.has_exited() {
                    return Err("the daemon did not connect".into());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.to_string()),
        }
    };
    stream.set_nonblocking(false).map_err(|e| e.to_string())?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Establishes the session: their OPEN, ours + KEEPALIVE, their
/// KEEPALIVE. `Some` when the case is decided there: a capability it
/// requires not advertised, or its own OPEN refused.
fn establish(
    case: &Case,
    r: &mut Reader,
    writer: &mut TcpStream,
    out: &Path,
) -> Result<Option<Observed>, String> {
    let theirs = match r.read(LIMIT) {
        Read1::Message(m) if m[18] == 1 => rfc::open_capabilities(&m),
        _ => return Err("no OPEN from the daemon".into()),
    };
    if let Some(c) = case.requires.iter().find(|c| !theirs.contains(c)) {
        return Ok(Some(Observed {
            not_applicable: Some(format!("the daemon did not advertise capability {c}")),
            ..Observed::default()
        }));
    }
    writer
        .write_all(&rfc::message(1, &case.open_body()))
        .map_err(|e| e.to_string())?;
    writer
        .write_all(&rfc::message(4, &[]))
        .map_err(|e| e.to_string())?;
    loop {
        match r.read(LIMIT) {
            Read1::Message(m) if m[18] == 4 => return Ok(None),
            Read1::Message(m) if m[18] == 3 && case.open.is_some() => {
                // a case with its own OPEN: the refusal is its outcome
                let mut o = Observed {
                    at_open: true,
                    ..Observed::default()
                };
                note(Read1::Message(m), &mut o);
                o.helper = lines(out);
                return Ok(Some(o));
            }
            Read1::Message(m) if m[18] == 3 => {
                return Err(format!(
                    "the daemon refused the OPEN: NOTIFICATION {}",
                    crate::hex::encode(&m[19..])
                ))
            }
            Read1::Message(_) => {}
            _ => return Err("no KEEPALIVE after the OPEN".into()),
        }
    }
}

/// Notes what the daemon sends until the session ends or the helper
/// reports the sentinel route (then 200 ms more: a NOTIFICATION may still
/// be on its way, e.g. a late check), within [`LIMIT`].
fn watch_until_sentinel(r: &mut Reader, out: &Path, o: &mut Observed) {
    let deadline = Instant::now() + LIMIT;
    while Instant::now() < deadline {
        if note(r.read(Duration::from_millis(20)), o) {
            break;
        }
        if has_prefix(out, rfc::SENTINEL_PREFIX) {
            o.sentinel = true;
            let grace = Instant::now() + Duration::from_millis(200);
            while Instant::now() < grace {
                if note(r.read(Duration::from_millis(20)), o) {
                    break;
                }
            }
            break;
        }
    }
}
