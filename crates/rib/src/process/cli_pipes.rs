//! The named-pipe cli of ExaBGP 5 (`exabgp-cli`, `exabgp cli`), served
//! from the two FIFOs the supervisor made and handed over
//! (`supervisor::cli_pipes`): commands arrive on `<pipename>.in`, answers
//! leave on `<pipename>.out`, each answer (its output lines, then `done` or
//! `error`) as one `write`.
//!
//! The FIFOs are one long-lived command source, like a control-socket
//! client that never disconnects: it may address every peer, gets no
//! events, and its batches are stamped and answered as everyone's. Both
//! descriptors are open read-write, so the command side never reads
//! end-of-file between clients and an answer never fails for want of a
//! reader. A client that dies mid-answer leaves the rest of that answer in
//! the FIFO, which the next `exabgp-cli` reads and discards before it sends
//! its command (ExaBGP behaves the same); if nobody reads for
//! [`STALL`] while an answer does not fit, that answer and whatever is
//! queued and left in the FIFO are dropped, so the daemon never waits on a
//! client that is gone and the next client starts clean.

use super::State;
use std::io;
use std::os::fd::OwnedFd;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::pipe;
use tokio::sync::mpsc;
use tracing::{debug, warn};

/// How long an answer may wait for the FIFO to take more bytes.
pub const STALL: Duration = Duration::from_secs(5);

impl State {
    /// Serves the FIFO pair: `commands` (`.in`) and `answers` (`.out`).
    pub(super) fn add_cli_pipes(&mut self, commands: OwnedFd, answers: OwnedFd) -> io::Result<()> {
        let rx = pipe::Receiver::from_owned_fd(commands)?;
        let (out, writer) = answer_writer(answers, STALL)?;
        let key = self.add_command_source(rx, out, writer);
        debug!("named-pipe cli served as command source {key}");
        Ok(())
    }
}

/// The writer of the answer FIFO: one `write` per queued answer when it
/// fits, and [`write_bounded`]'s limit on a reader that is gone.
pub fn answer_writer(
    fd: OwnedFd,
    stall: Duration,
) -> io::Result<(mpsc::UnboundedSender<Vec<u8>>, tokio::task::JoinHandle<()>)> {
    let drain = fd.try_clone()?;
    let mut tx = pipe::Sender::from_owned_fd(fd)?;
    let (queue, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let task = tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if write_bounded(&mut tx, &bytes, stall).await {
                continue;
            }
            let mut dropped = 1;
            while rx.try_recv().is_ok() {
                dropped += 1;
            }
            let stale = drain_fifo(&drain);
            warn!(
                "named-pipe cli: no client read its answer for {stall:?}; dropped {dropped} \
                 answer(s) and {stale} unread byte(s)"
            );
        }
    });
    Ok((queue, task))
}

/// Writes `bytes`, giving up when the FIFO takes nothing for `stall`.
async fn write_bounded(tx: &mut pipe::Sender, mut bytes: &[u8], stall: Duration) -> bool {
    while !bytes.is_empty() {
        match tokio::time::timeout(stall, tx.write(bytes)).await {
            Ok(Ok(n)) if n > 0 => bytes = &bytes[n..],
            _ => return false,
        }
    }
    true
}

/// Reads and discards what is left in the FIFO; returns how many bytes.
fn drain_fifo(fd: &OwnedFd) -> usize {
    let mut buf = [0u8; 4096];
    let mut total = 0;
    while let Ok(n) = nix::unistd::read(fd, &mut buf) {
        if n == 0 {
            break;
        }
        total += n;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::fcntl::OFlag;

    fn open(path: &std::path::Path, flags: OFlag) -> OwnedFd {
        nix::fcntl::open(
            path,
            flags | OFlag::O_NONBLOCK,
            nix::sys::stat::Mode::empty(),
        )
        .expect("open fifo")
    }

    fn fifo_pair() -> (tempfile::TempDir, std::path::PathBuf, OwnedFd) {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("t.out");
        nix::unistd::mkfifo(&path, nix::sys::stat::Mode::from_bits_truncate(0o600))
            .expect("mkfifo");
        let fd = open(&path, OFlag::O_RDWR);
        (dir, path, fd)
    }

    #[tokio::test]
    async fn each_answer_is_one_read_for_the_client() {
        let (_dir, path, fd) = fifo_pair();
        let client = open(&path, OFlag::O_RDONLY);
        let (q, _task) = answer_writer(fd, STALL).expect("writer");
        q.send(b"line 1\nline 2\ndone\n".to_vec()).expect("send");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let mut buf = [0u8; 4096];
        let n = nix::unistd::read(&client, &mut buf).expect("read");
        assert_eq!(&buf[..n], b"line 1\nline 2\ndone\n");
    }

    #[tokio::test]
    async fn an_answer_nobody_reads_is_dropped_and_the_fifo_emptied() {
        let (_dir, path, fd) = fifo_pair();
        let (q, _task) = answer_writer(fd, Duration::from_millis(200)).expect("writer");
        // More than a pipe holds: the writer stalls, then gives up.
        q.send(vec![b'x'; 200 * 1024]).expect("send");
        q.send(b"queued\ndone\n".to_vec()).expect("send");
        tokio::time::sleep(Duration::from_millis(600)).await;
        // The next answer reaches a new client whole, with nothing stale before it.
        let client = open(&path, OFlag::O_RDONLY);
        let mut buf = [0u8; 4096];
        assert!(
            nix::unistd::read(&client, &mut buf).is_err(),
            "stale bytes left"
        );
        q.send(b"fresh\ndone\n".to_vec()).expect("send");
        tokio::time::sleep(Duration::from_millis(50)).await;
        let n = nix::unistd::read(&client, &mut buf).expect("read");
        assert_eq!(&buf[..n], b"fresh\ndone\n");
    }
}
