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

/// Accepts one session on `listener` and counts prefixes until `expected`
/// arrived or `deadline` passed. The session's stream is returned open, so
/// the daemon's processes can be measured before the session ends.
pub fn run(
    listener: TcpListener,
    expected: u64,
    deadline: Instant,
) -> Result<(Received, TcpStream), QaError> {
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
    let mut session = Session {
        stream,
        buf: Vec::with_capacity(1 << 20),
        filled: 0,
    };
    let mut received = Received {
        prefixes: 0,
        updates: 0,
        update_bytes: 0,
        elapsed: None,
    };
    let mut up: Option<Instant> = None;
    let mut last_keepalive = Instant::now();
    while Instant::now() < deadline {
        if last_keepalive.elapsed() >= Duration::from_secs(20) {
            session.send(&bgp::keepalive())?;
            last_keepalive = Instant::now();
        }
        let Some(msg) = session.next()? else { continue };
        match bgp::kind(&msg) {
            OPEN => {
                let answer = crate::open::answer(&msg, &Options::default())?;
                session.send(&answer)?;
                session.send(&bgp::keepalive())?;
            }
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
                    return Ok((received, session.stream));
                }
            }
            NOTIFICATION => {
                return Err(QaError::Usage(format!(
                    "the daemon closed the benchmark session: {}",
                    bgp::summary(&msg)
                )))
            }
            _ => {}
        }
    }
    Ok((received, session.stream))
}

/// A session's stream with its read buffer.
struct Session {
    stream: TcpStream,
    buf: Vec<u8>,
    filled: usize,
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
    fn a_truncated_last_prefix_is_not_counted() {
        assert_eq!(
            count_prefixes(&update(&[], &[], &[24, 192, 0, 2, 24, 1])),
            1
        );
    }
}
