//! The receiving end of the benchmark: a BGP peer that accepts one session,
//! answers the daemon's OPEN, and counts the IPv4 unicast prefixes announced
//! in UPDATEs until the expected number has arrived, noting when the
//! session came up and when the last prefix landed.

use crate::bgp::{self, Frame, KEEPALIVE, NOTIFICATION, OPEN, UPDATE};
use crate::error::QaError;
use crate::msgfile::Options;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// What one sink saw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Prefixes announced (counted once per appearance).
    pub prefixes: u64,
    /// UPDATE messages, End-of-RIB included.
    pub updates: u64,
    /// Bytes of UPDATE messages.
    pub update_bytes: u64,
    /// From the daemon's KEEPALIVE that completed the handshake to the
    /// message that carried the last expected prefix; `None` when the
    /// expected count never arrived.
    pub elapsed: Option<Duration>,
    /// When the message with the last expected prefix arrived.
    pub finished: Option<Instant>,
}

/// The number of prefixes in the NLRI field of an IPv4 UPDATE `msg`
/// (a complete message); 0 when the message is not one.
pub fn count_prefixes(msg: &[u8]) -> u64 {
    let Some(body) = msg.get(bgp::HEADER_LEN..) else {
        return 0;
    };
    let len = |at: usize| -> Option<usize> {
        Some(usize::from(u16::from_be_bytes([
            *body.get(at)?,
            *body.get(at + 1)?,
        ])))
    };
    let Some(withdrawn) = len(0) else { return 0 };
    let Some(attributes) = len(2 + withdrawn) else {
        return 0;
    };
    let mut at = 4 + withdrawn + attributes;
    let mut count = 0;
    while let Some(bits) = body.get(at) {
        at += 1 + usize::from(*bits).div_ceil(8);
        if at > body.len() {
            break;
        }
        count += 1;
    }
    count
}

/// Waits (until `deadline`) for the daemon to connect to `listener`.
fn accept(listener: &TcpListener, deadline: Instant) -> Result<Session, QaError> {
    listener
        .set_nonblocking(true)
        .map_err(|e| QaError::io("cannot make the listener non-blocking", e))?;
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(QaError::Usage(
                        "the daemon never connected to the benchmark peer".into(),
                    ));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(QaError::io("accept", e)),
        }
    };
    stream
        .set_nonblocking(false)
        .and_then(|()| stream.set_read_timeout(Some(Duration::from_millis(200))))
        .map_err(|e| QaError::io("cannot set up the benchmark session", e))?;
    Ok(Session {
        stream,
        buf: Vec::with_capacity(1 << 20),
        filled: 0,
        last_keepalive: Instant::now(),
    })
}

/// Accepts one session on `listener` and counts prefixes until `expected`
/// arrived or `deadline` passed. The session is returned open, so the
/// daemon's processes can be measured (or a reload followed) before the
/// session ends.
pub fn run(
    listener: TcpListener,
    expected: u64,
    deadline: Instant,
) -> Result<(Received, Session), QaError> {
    let mut session = accept(&listener, deadline)?;
    let mut received = Received {
        prefixes: 0,
        updates: 0,
        update_bytes: 0,
        elapsed: None,
        finished: None,
    };
    let mut up: Option<Instant> = None;
    while Instant::now() < deadline {
        session.keepalive()?;
        let Some(msg) = session.next()? else { continue };
        match bgp::kind(&msg) {
            OPEN => session.answer(&msg)?,
            KEEPALIVE => {
                up.get_or_insert_with(Instant::now);
            }
            UPDATE => {
                received.updates += 1;
                received.update_bytes += msg.len() as u64;
                received.prefixes += count_prefixes(&msg);
                if received.prefixes >= expected {
                    let start = up.unwrap_or_else(Instant::now);
                    received.elapsed = Some(start.elapsed());
                    received.finished = Some(Instant::now());
                    return Ok((received, session));
                }
            }
            NOTIFICATION => return Err(closed(&msg)),
            _ => {}
        }
    }
    Ok((received, session))
}

fn closed(msg: &[u8]) -> QaError {
    QaError::Usage(format!(
        "the daemon closed the benchmark session: {}",
        bgp::summary(msg)
    ))
}

/// When a feeding peer wrote its table.
#[derive(Debug, Clone, Copy)]
pub struct Fed {
    /// The session came up (the daemon's KEEPALIVE) and the first byte of
    /// the table went out.
    pub started: Instant,
    /// The daemon's socket accepted the table's last byte.
    pub written: Instant,
}

/// Accepts one session on `listener`, writes `table` (complete UPDATE
/// messages) once it is up, reports when through `fed`, then keeps the
/// session alive (answering nothing, sending KEEPALIVEs) until `stop` is
/// set or `deadline` passes.
pub fn feed(
    listener: TcpListener,
    table: &[u8],
    deadline: Instant,
    fed: std::sync::mpsc::Sender<Fed>,
    stop: &std::sync::atomic::AtomicBool,
) -> Result<Session, QaError> {
    let mut session = accept(&listener, deadline)?;
    let mut sent = false;
    while Instant::now() < deadline && !stop.load(std::sync::atomic::Ordering::Relaxed) {
        session.keepalive()?;
        let Some(msg) = session.next()? else { continue };
        match bgp::kind(&msg) {
            OPEN => session.answer(&msg)?,
            KEEPALIVE if !sent => {
                sent = true;
                let started = Instant::now();
                session.send(table)?;
                let _ = fed.send(Fed {
                    started,
                    written: Instant::now(),
                });
            }
            NOTIFICATION => return Err(closed(&msg)),
            _ => {}
        }
    }
    Ok(session)
}

/// What a session received after a change (a reload): counted until no
/// message came for `quiet`, or `deadline`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Followed {
    /// Prefixes announced.
    pub announced: u64,
    /// Prefixes withdrawn (IPv4 withdrawn routes field).
    pub withdrawn: u64,
    /// UPDATE messages.
    pub updates: u64,
    /// From `since` to the last UPDATE; `None` when none came.
    pub last: Option<Duration>,
}

/// The number of prefixes in the withdrawn routes field of an IPv4 UPDATE.
pub fn count_withdrawn(msg: &[u8]) -> u64 {
    let Some(body) = msg.get(bgp::HEADER_LEN..) else {
        return 0;
    };
    let Some(len) = body
        .get(..2)
        .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
    else {
        return 0;
    };
    let Some(field) = body.get(2..2 + len) else {
        return 0;
    };
    let (mut at, mut count) = (0, 0);
    while let Some(bits) = field.get(at) {
        at += 1 + usize::from(*bits).div_ceil(8);
        if at > field.len() {
            break;
        }
        count += 1;
    }
    count
}

impl Session {
    /// Counts what arrives from `since` on: waits (until `deadline`) for
    /// the first UPDATE that announces or withdraws a prefix (a reload of a
    /// large configuration takes its time), then goes on until no such
    /// UPDATE came for `quiet`. UPDATEs without prefixes (End-of-RIB) are
    /// counted but are not activity.
    pub fn follow(
        &mut self,
        since: Instant,
        quiet: Duration,
        deadline: Instant,
    ) -> Result<Followed, QaError> {
        let mut out = Followed {
            announced: 0,
            withdrawn: 0,
            updates: 0,
            last: None,
        };
        let mut last_activity: Option<Instant> = None;
        while Instant::now() < deadline && last_activity.is_none_or(|t| t.elapsed() < quiet) {
            self.keepalive()?;
            let Some(msg) = self.next()? else { continue };
            match bgp::kind(&msg) {
                UPDATE => {
                    out.updates += 1;
                    let (announced, withdrawn) = (count_prefixes(&msg), count_withdrawn(&msg));
                    out.announced += announced;
                    out.withdrawn += withdrawn;
                    if announced + withdrawn > 0 {
                        last_activity = Some(Instant::now());
                        out.last = Some(since.elapsed());
                    }
                }
                NOTIFICATION => return Err(closed(&msg)),
                _ => {}
            }
        }
        Ok(out)
    }

    fn answer(&mut self, open: &[u8]) -> Result<(), QaError> {
        let answer = crate::open::answer(open, &Options::default())?;
        self.send(&answer)?;
        self.send(&bgp::keepalive())
    }

    /// Sends a KEEPALIVE when 20 s passed since the last one.
    fn keepalive(&mut self) -> Result<(), QaError> {
        if self.last_keepalive.elapsed() >= Duration::from_secs(20) {
            self.send(&bgp::keepalive())?;
            self.last_keepalive = Instant::now();
        }
        Ok(())
    }
}

/// A session's stream with its read buffer.
pub struct Session {
    stream: TcpStream,
    buf: Vec<u8>,
    filled: usize,
    last_keepalive: Instant,
}

impl Session {
    fn send(&mut self, msg: &[u8]) -> Result<(), QaError> {
        self.stream
            .write_all(msg)
            .map_err(|e| QaError::io("cannot write to the daemon", e))
    }

    /// The next complete message, or `None` when none arrived in time.
    fn next(&mut self) -> Result<Option<Vec<u8>>, QaError> {
        loop {
            match bgp::frame(&self.buf[..self.filled]) {
                Frame::Complete(n) => {
                    let msg = self.buf[..n].to_vec();
                    self.buf.copy_within(n..self.filled, 0);
                    self.filled -= n;
                    return Ok(Some(msg));
                }
                Frame::Invalid(reason) => return Err(QaError::Usage(reason)),
                Frame::Partial => {}
            }
            if self.buf.len() - self.filled < bgp::MAX_LEN {
                self.buf.resize(self.filled + 4 * bgp::MAX_LEN, 0);
            }
            match self.stream.read(&mut self.buf[self.filled..]) {
                Ok(0) => {
                    return Err(QaError::Usage(
                        "the daemon closed the benchmark session".into(),
                    ))
                }
                Ok(n) => self.filled += n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None)
                }
                Err(e) => return Err(QaError::io("cannot read from the daemon", e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn update(withdrawn: &[u8], attributes: &[u8], nlri: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&(withdrawn.len() as u16).to_be_bytes());
        body.extend_from_slice(withdrawn);
        body.extend_from_slice(&(attributes.len() as u16).to_be_bytes());
        body.extend_from_slice(attributes);
        body.extend_from_slice(nlri);
        bgp::message(UPDATE, &body)
    }

    #[test]
    fn prefixes_of_every_length_are_counted() {
        // 10.0.0.0/8, 192.0.2.0/24, 0.0.0.0/0, 198.51.100.7/32
        let nlri = [8, 10, 24, 192, 0, 2, 0, 32, 198, 51, 100, 7];
        let origin = [0x40, 1, 1, 0];
        assert_eq!(count_prefixes(&update(&[], &origin, &nlri)), 4);
    }

    #[test]
    fn withdrawals_and_end_of_rib_count_nothing() {
        assert_eq!(count_prefixes(&update(&[24, 192, 0, 2], &[], &[])), 0);
        assert_eq!(count_prefixes(&update(&[], &[], &[])), 0);
    }

    #[test]
    fn withdrawn_prefixes_are_counted_apart() {
        let msg = update(&[24, 192, 0, 2, 8, 10], &[], &[24, 1, 0, 0]);
        assert_eq!(count_withdrawn(&msg), 2);
        assert_eq!(count_prefixes(&msg), 1);
    }

    #[test]
    fn a_truncated_last_prefix_is_not_counted() {
        assert_eq!(
            count_prefixes(&update(&[], &[], &[24, 192, 0, 2, 24, 1])),
            1
        );
    }
}
