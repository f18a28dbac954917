//! Helper pipes: one reader task per helper stdout that cuts what one
//! `read` returns into complete lines (one read = one batch, at most
//! 16 KiB as ExaBGP reads) and waits until the rib has answered that batch
//! before reading again; one writer task per helper stdin with its own
//! queue, so a helper that never reads only delays itself.

use crate::lines::{Line, LineFramer};
use std::os::fd::OwnedFd;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::unix::pipe;
use tokio::sync::{mpsc, oneshot};

/// Bytes asked for per read (ExaBGP reads 16 KiB per helper per loop).
pub const READ_SIZE: usize = 16 * 1024;

/// What a reader task reports.
pub enum FromHelper {
    /// Complete lines of one read; answer by sending on `done` (or dropping it).
    Batch {
        lines: Vec<String>,
        done: oneshot::Sender<()>,
    },
    /// A line longer than the bound was dropped (its length).
    TooLong { len: usize },
    /// End of the helper's stdout (it exited or closed it).
    Eof,
}

/// Splits off the complete lines of `buf`, leaving a trailing partial line.
pub fn take_lines(buf: &mut Vec<u8>) -> Vec<String> {
    let Some(end) = buf.iter().rposition(|&b| b == b'\n') else {
        return Vec::new();
    };
    let rest = buf.split_off(end + 1);
    let complete = std::mem::replace(buf, rest);
    complete[..complete.len() - 1]
        .split(|&b| b == b'\n')
        .map(|l| {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            String::from_utf8_lossy(l).into_owned()
        })
        .collect()
}

/// Starts the reader of a helper's stdout; `key` is passed back with every report.
pub fn spawn_reader<K: Copy + Send + 'static>(
    fd: OwnedFd,
    key: K,
    max_line: usize,
    events: mpsc::UnboundedSender<(K, FromHelper)>,
) -> std::io::Result<()> {
    read_batches(pipe::Receiver::from_owned_fd(fd)?, key, max_line, events);
    Ok(())
}

/// Starts the writer of a helper's stdin ([`super::ack_pacing`]: one read
/// per answer); returns its queue. The task ends when the queue is dropped
/// or the helper closed its stdin.
pub fn spawn_writer(
    fd: OwnedFd,
) -> std::io::Result<(mpsc::UnboundedSender<Vec<u8>>, tokio::task::JoinHandle<()>)> {
    super::ack_pacing::spawn_paced_writer(fd)
}

/// The reader of one command source (a helper's stdout, a control client):
/// every read is cut into complete lines ([`LineFramer`]: linear, lines
/// longer than `max_line` dropped and reported), which form one batch;
/// the next read waits until the rib accepted that batch (the ordering
/// protocol's "one read = one batch"). Reports `Eof` when the source
/// closes.
pub fn read_batches<R, K>(
    mut rx: R,
    key: K,
    max_line: usize,
    events: mpsc::UnboundedSender<(K, FromHelper)>,
) where
    R: AsyncRead + Unpin + Send + 'static,
    K: Copy + Send + 'static,
{
    tokio::spawn(async move {
        let mut chunk = vec![0u8; READ_SIZE];
        let mut framer = LineFramer::new(max_line);
        let mut items = Vec::new();
        loop {
            let n = match rx.read(&mut chunk).await {
                Ok(0) | Err(_) => {
                    let _ = events.send((key, FromHelper::Eof));
                    return;
                }
                Ok(n) => n,
            };
            framer.push(&chunk[..n], &mut items);
            let mut lines = Vec::new();
            for item in items.drain(..).chain(std::iter::once(Line::TooLong(0))) {
                let too_long = match item {
                    Line::Text(l) => {
                        lines.push(l);
                        continue;
                    }
                    Line::TooLong(len) => len,
                };
                if !lines.is_empty() {
                    let (done, wait) = oneshot::channel();
                    let lines = std::mem::take(&mut lines);
                    if events
                        .send((key, FromHelper::Batch { lines, done }))
                        .is_err()
                        || wait.await.is_err()
                    {
                        return;
                    }
                }
                // the sentinel (0) only flushes the lines before it
                if too_long > 0
                    && events
                        .send((key, FromHelper::TooLong { len: too_long }))
                        .is_err()
                {
                    return;
                }
            }
        }
    });
}

/// The writer of one output (a helper's stdin, a control client): writes
/// what is queued, in order, on its own task so that a reader that does not
/// drain delays only itself. Ends when the queue is dropped (after writing
/// what is queued, then shutting the output down) or when the other end is
/// gone (dropping what is still queued).
pub fn write_queue<W>(mut tx: W) -> (mpsc::UnboundedSender<Vec<u8>>, tokio::task::JoinHandle<()>)
where
    W: AsyncWrite + Unpin + Send + 'static,
{
    let (queue, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let task = tokio::spawn(async move {
        while let Some(bytes) = rx.recv().await {
            if tx.write_all(&bytes).await.is_err() {
                rx.close();
                while rx.recv().await.is_some() {}
                return;
            }
        }
        let _ = tx.shutdown().await;
    });
    (queue, task)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_cut_at_the_last_newline() {
        let mut b = b"announce a\nwithdraw b\r\npart".to_vec();
        assert_eq!(take_lines(&mut b), vec!["announce a", "withdraw b"]);
        assert_eq!(b, b"part");
        assert!(take_lines(&mut b).is_empty());
        b.extend_from_slice(b"ial\n\n");
        assert_eq!(take_lines(&mut b), vec!["partial", ""]);
        assert!(b.is_empty());
    }
}
