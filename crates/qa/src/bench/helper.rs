//! The benchmark's helper process, the one the daemon starts
//! (`functional bench-helper`). In the announcing forms it waits until the
//! daemon reports every session up, then writes the routes as API commands
//! on its standard output, while a thread keeps reading its standard input
//! (the acknowledgements and events) so the daemon never waits on it; in the
//! lock-step form it waits for each command's `done` before the next. In the
//! receiving form it reads the daemon's JSON UPDATE events as fast as it can
//! and notes when the expected number of prefixes has arrived.

use std::io::{BufRead, BufWriter, Write};
use std::net::Ipv4Addr;
use std::os::fd::AsFd;
use std::sync::mpsc;
use std::time::Duration;

/// The API command forms the benchmark can use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One `announce route PREFIX next-hop NH` line per route: what most
    /// health-check scripts write.
    Route,
    /// `announce attributes next-hop NH nlri P1 P2 ...` lines of `batch`
    /// prefixes each: what bulk feeders write.
    Attributes { batch: u32 },
    /// One `announce route` line at a time, each written only once the
    /// daemon acknowledged the previous one (`done`, i.e. on the wire):
    /// what a careful controller does.
    LockStep,
}

/// The next hop of every benchmark route (TEST-NET-1, RFC 5737).
pub const NEXT_HOP: &str = "192.0.2.1";

/// The next hop the reload benchmark gives its one changed route.
pub const CHANGED_NEXT_HOP: &str = "192.0.2.2";

/// The `index`-th benchmark prefix: consecutive /24s from 1.0.0.0.
pub fn prefix(index: u32) -> String {
    let base = u32::from(Ipv4Addr::new(1, 0, 0, 0));
    format!("{}/24", Ipv4Addr::from(base.wrapping_add(index << 8)))
}

/// The most routes the prefix plan holds below 224.0.0.0.
pub const MAX_ROUTES: u32 = (0xE000_0000 - 0x0100_0000) >> 8;

/// Writes the API commands announcing `routes` prefixes in `form`.
pub fn write_commands(out: &mut impl Write, routes: u32, form: Form) -> std::io::Result<()> {
    match form {
        Form::Route | Form::LockStep => {
            for i in 0..routes {
                writeln!(out, "announce route {} next-hop {NEXT_HOP}", prefix(i))?;
            }
        }
        Form::Attributes { batch } => {
            let batch = batch.max(1);
            let mut i = 0;
            while i < routes {
                write!(out, "announce attributes next-hop {NEXT_HOP} nlri")?;
                for j in i..routes.min(i.saturating_add(batch)) {
                    write!(out, " {}", prefix(j))?;
                }
                writeln!(out)?;
                i = i.saturating_add(batch);
            }
        }
    }
    out.flush()
}

/// True for a neighbor-changes event saying a session is up, in the JSON
/// or the text encoder's form.
fn is_up_event(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    compact.contains("\"state\":\"up\"") || (line.starts_with("neighbor ") && line.ends_with(" up"))
}

/// True for the daemon's acknowledgement of a command, done or failed, in
/// the text or the JSON form.
fn is_ack(line: &str) -> bool {
    let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
    matches!(compact.as_str(), "done" | "error")
        || compact.contains("\"answer\":\"done\"")
        || compact.contains("\"answer\":\"error\"")
}

/// The prefixes a JSON UPDATE event announces (its `"nlri"` entries); 0 for
/// any other line.
pub fn announced_in_json(line: &str) -> u64 {
    if !line.contains("\"announce\"") {
        return 0;
    }
    let at = line.find("\"announce\"").unwrap_or(0);
    let end = line[at..]
        .find("\"withdraw\"")
        .map_or(line.len(), |w| at + w);
    line[at..end].matches("\"nlri\"").count() as u64
}

/// The receiving helper's main: counts the prefixes announced in the JSON
/// events on standard input; when `routes` have arrived, writes the wall
/// clock (nanoseconds since the epoch) to `report`, then reads on until the
/// daemon closes standard input.
pub fn receive(routes: u64, report: &std::path::Path) -> Result<(), String> {
    let stdin = std::io::stdin();
    let mut lock = stdin.lock();
    let mut line = String::new();
    let mut seen = 0u64;
    let mut reported = false;
    loop {
        line.clear();
        match lock.read_line(&mut line) {
            Ok(0) | Err(_) => return Ok(()),
            Ok(_) => {}
        }
        if reported {
            continue;
        }
        seen += announced_in_json(&line);
        if seen >= routes {
            reported = true;
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            std::fs::write(report, format!("{nanos}\n"))
                .map_err(|e| format!("bench-helper: cannot write {}: {e}", report.display()))?;
        }
    }
}

/// The helper's main: waits for `peers` sessions to come up (at most
/// `wait`), writes the routes, then reads standard input until the daemon
/// closes it. Returns an error text when the sessions never came up.
pub fn main(routes: u32, peers: u32, form: Form, wait: Duration) -> Result<(), String> {
    if form == Form::LockStep {
        return lock_step(routes, peers, wait);
    }
    let (up_tx, up_rx) = mpsc::channel::<()>();
    let reader = std::thread::spawn(move || {
        let stdin = std::io::stdin();
        let mut line = String::new();
        let mut lock = stdin.lock();
        loop {
            line.clear();
            match lock.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    let line = line.trim_end();
                    if is_up_event(line) {
                        let _ = up_tx.send(());
                    }
                }
            }
        }
    });
    for _ in 0..peers {
        up_rx
            .recv_timeout(wait)
            .map_err(|_| format!("bench-helper: not every session came up within {wait:?}"))?;
    }
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    write_commands(&mut out, routes, form).map_err(|e| format!("bench-helper: {e}"))?;
    drop(out);
    let _ = reader.join();
    Ok(())
}

/// The lock-step form, on one thread, as a careful controller is written:
/// a reader thread handing each answer over would add a wake-up of this
/// one to every command's measured latency.
fn lock_step(routes: u32, peers: u32, wait: Duration) -> Result<(), String> {
    let stdin = std::io::stdin().as_fd().try_clone_to_owned();
    let stdin = stdin.map_err(|e| format!("bench-helper: {e}"))?;
    let mut input = Lines::new(std::io::BufReader::new(std::fs::File::from(stdin)));
    let mut up = 0;
    while up < peers {
        let line = input
            .next(wait)?
            .ok_or_else(|| format!("bench-helper: not every session came up within {wait:?}"))?;
        if is_up_event(line) {
            up += 1;
        }
    }
    let mut out = std::io::stdout().lock();
    for i in 0..routes {
        let command = format!("announce route {} next-hop {NEXT_HOP}\n", prefix(i));
        out.write_all(command.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| format!("bench-helper: {e}"))?;
        loop {
            let line = input
                .next(wait)?
                .ok_or_else(|| format!("bench-helper: no answer to command {i} within {wait:?}"))?;
            if is_ack(line) {
                break;
            }
        }
    }
    drop(out);
    while input.next(Duration::MAX)?.is_some() {}
    Ok(())
}

/// Lines of a buffered input, each waited for a bounded time.
struct Lines<R> {
    input: std::io::BufReader<R>,
    line: String,
}

impl<R: std::io::Read + AsFd> Lines<R> {
    fn new(input: std::io::BufReader<R>) -> Lines<R> {
        Lines {
            input,
            line: String::new(),
        }
    }

    /// The next line (its end trimmed), waiting at most `wait` for its
    /// first byte; `None` at the end of the input or when nothing came.
    fn next(&mut self, wait: Duration) -> Result<Option<&str>, String> {
        use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
        self.line.clear();
        if self.input.buffer().is_empty() {
            let ms = PollTimeout::try_from(wait).unwrap_or(PollTimeout::NONE);
            let mut fds = [PollFd::new(self.input.get_ref().as_fd(), PollFlags::POLLIN)];
            if poll(&mut fds, ms).map_err(|e| format!("bench-helper: {e}"))? == 0 {
                return Ok(None);
            }
        }
        match self.input.read_line(&mut self.line) {
            Ok(0) | Err(_) => Ok(None),
            Ok(_) => Ok(Some(self.line.trim_end())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_consecutive_slash_24s() {
        assert_eq!(prefix(0), "1.0.0.0/24");
        assert_eq!(prefix(1), "1.0.1.0/24");
        assert_eq!(prefix(256), "1.1.0.0/24");
        assert_eq!(prefix(MAX_ROUTES - 1), "223.255.255.0/24");
    }

    #[test]
    fn attribute_lines_hold_a_batch_each() {
        let mut out = Vec::new();
        write_commands(&mut out, 5, Form::Attributes { batch: 2 }).expect("write");
        let text = String::from_utf8(out).expect("utf8");
        assert_eq!(
            text,
            "announce attributes next-hop 192.0.2.1 nlri 1.0.0.0/24 1.0.1.0/24\n\
             announce attributes next-hop 192.0.2.1 nlri 1.0.2.0/24 1.0.3.0/24\n\
             announce attributes next-hop 192.0.2.1 nlri 1.0.4.0/24\n"
        );
    }

    #[test]
    fn route_lines_hold_one_route_each() {
        let mut out = Vec::new();
        write_commands(&mut out, 2, Form::Route).expect("write");
        assert_eq!(
            String::from_utf8(out).expect("utf8"),
            "announce route 1.0.0.0/24 next-hop 192.0.2.1\n\
             announce route 1.0.1.0/24 next-hop 192.0.2.1\n"
        );
    }

    #[test]
    fn acknowledgements_are_recognised_in_both_forms() {
        assert!(is_ack("done"));
        assert!(is_ack("error"));
        assert!(is_ack(
            r#"{ "answer": "done", "message": "command completed", "seq": 12 }"#
        ));
        assert!(!is_ack("neighbor 127.0.0.1 up"));
        assert!(!is_ack(
            r#"{ "type": "state", "neighbor": { "state": "up" } }"#
        ));
    }

    #[test]
    fn lines_come_trimmed_and_a_silent_input_gives_none() {
        let (r, w) = nix::unistd::pipe().expect("pipe");
        let mut lines = Lines::new(std::io::BufReader::new(std::fs::File::from(r)));
        let mut w = std::fs::File::from(w);
        assert_eq!(lines.next(Duration::from_millis(10)).unwrap(), None);
        w.write_all(b"done\r\nneighbor 127.0.0.1 up\n").unwrap();
        assert_eq!(lines.next(Duration::MAX).unwrap(), Some("done"));
        // the second line is already buffered: no wait for the pipe
        assert_eq!(
            lines.next(Duration::from_millis(10)).unwrap(),
            Some("neighbor 127.0.0.1 up")
        );
        drop(w);
        assert_eq!(lines.next(Duration::MAX).unwrap(), None, "end of input");
    }

    #[test]
    fn json_updates_count_their_announced_prefixes_only() {
        let line = r#"{ "type": "update", "neighbor": { "message": { "update": { "attribute": { "origin": "igp" }, "announce": { "ipv4 unicast": { "10.0.0.1": [ { "nlri": "1.0.0.0/24" }, { "nlri": "1.0.1.0/24" } ] } }, "withdraw": { "ipv4 unicast": [ { "nlri": "2.0.0.0/24" } ] } } } } }"#;
        assert_eq!(announced_in_json(line), 2);
        assert_eq!(
            announced_in_json(r#"{ "type": "state", "state": "up" }"#),
            0
        );
    }

    #[test]
    fn up_events_are_recognised_in_both_encoders() {
        assert!(is_up_event(
            r#"{ "exabgp": "5.0.0", "type": "state", "neighbor": { "address": { "local": "127.0.0.1", "peer": "127.0.0.1" }, "asn": { "local": 65000, "peer": 65000 } , "state": "up" } }"#
        ));
        assert!(is_up_event("neighbor 127.0.0.1 up"));
        assert!(!is_up_event(
            r#"{ "type": "state", "neighbor": { "state": "connected" } }"#
        ));
        assert!(!is_up_event("done"));
    }
}
