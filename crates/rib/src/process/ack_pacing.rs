//! One read per answer for helpers that wait for each `done` with
//! `select()` then a buffered `readline()` (ExaBGP's own example helpers):
//! if two answers sit in the pipe together, the helper's first `readline`
//! takes both into its buffer and its next `select()` on the descriptor
//! waits out its whole timeout (measured: 5 s, where ExaBGP 5.0.15 takes
//! 5 ms, for two commands written 1 ms apart).
//!
//! So the writer of a helper's stdin, before it writes an answer right
//! after another answer, waits while that previous answer is all that is
//! in the pipe and not yet read, for at most [`PACE`]. A helper that reads
//! its answers as they come is never kept waiting; one that does not read
//! them (or reads in bulk) holds more than one answer in the pipe and costs
//! at most one wait. Events are never held, and the order of everything
//! written stays the order it was queued in.

use std::os::fd::OwnedFd;
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::unix::pipe;
use tokio::sync::mpsc;

/// The longest an answer waits for the previous one to be read.
pub const PACE: Duration = Duration::from_millis(50);

/// Whether a queued chunk is an answer: its last line is an
/// acknowledgement (`done`, `error`, `shutdown`, or the JSON `answer`).
pub fn is_answer(chunk: &[u8]) -> bool {
    let body = chunk.strip_suffix(b"\n").unwrap_or(chunk);
    let last = match memchr::memrchr(b'\n', body) {
        Some(i) => &body[i + 1..],
        None => body,
    };
    matches!(last, b"done" | b"error" | b"shutdown") || last.starts_with(b"{ \"answer\": ")
}

/// Whether to hold an answer: the previous write was an answer of
/// `previous` bytes and the pipe holds `unread` bytes, no more than it.
pub fn should_wait(previous: Option<usize>, unread: usize) -> bool {
    matches!(previous, Some(n) if unread > 0 && unread <= n)
}

/// Bytes written to the pipe and not read yet.
fn unread(fd: &impl std::os::fd::AsFd) -> usize {
    ferrobgp_ipc::pipe::unread_bytes(fd.as_fd())
}

/// The writer of a helper's stdin, with answers paced as the module says.
/// Ends when the queue is dropped (after writing what is queued) or when
/// the helper closed its stdin (dropping what is still queued).
pub fn spawn_paced_writer(
    fd: OwnedFd,
) -> std::io::Result<(mpsc::UnboundedSender<Vec<u8>>, tokio::task::JoinHandle<()>)> {
    let mut tx = pipe::Sender::from_owned_fd(fd)?;
    let (queue, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
    let task = tokio::spawn(async move {
        let mut previous: Option<usize> = None;
        while let Some(bytes) = rx.recv().await {
            let answer = is_answer(&bytes);
            if answer && previous.is_some() {
                let deadline = tokio::time::Instant::now() + PACE;
                while should_wait(previous, unread(&tx)) && tokio::time::Instant::now() < deadline {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
            if tx.write_all(&bytes).await.is_err() {
                rx.close();
                while rx.recv().await.is_some() {}
                return;
            }
            previous = answer.then_some(bytes.len());
        }
        let _ = tx.shutdown().await;
    });
    Ok((queue, task))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_told_from_events() {
        assert!(is_answer(b"done\n"));
        assert!(is_answer(b"line\nother\nerror\n"));
        assert!(is_answer(b"shutdown\n"));
        assert!(is_answer(
            b"{ \"answer\": \"done\", \"message\": \"command completed\", \"seq\": 3 }\n"
        ));
        assert!(!is_answer(b"neighbor 127.0.0.1 up\n"));
        assert!(!is_answer(
            b"{ \"exabgp\": \"5.0.0\", \"type\": \"state\" }\n"
        ));
        assert!(!is_answer(b"done with it\n"));
    }

    #[test]
    fn only_an_unread_previous_answer_alone_holds_the_next() {
        assert!(should_wait(Some(5), 5));
        assert!(should_wait(Some(5), 2), "partly read");
        assert!(!should_wait(Some(5), 0), "read");
        assert!(
            !should_wait(Some(5), 11),
            "more than one answer waits: no pacing"
        );
        assert!(!should_wait(None, 5), "after an event");
    }

    #[tokio::test]
    async fn the_second_answer_waits_for_the_first_to_be_read() {
        let (r, w) = nix::unistd::pipe().expect("pipe");
        nix::fcntl::fcntl(
            &w,
            nix::fcntl::FcntlArg::F_SETFL(nix::fcntl::OFlag::O_NONBLOCK),
        )
        .expect("nonblock");
        let (q, _task) = spawn_paced_writer(w).expect("writer");
        q.send(b"done\n".to_vec()).expect("send");
        q.send(b"error\n".to_vec()).expect("send");
        tokio::time::sleep(Duration::from_millis(10)).await;
        let mut buf = [0u8; 64];
        let n = nix::unistd::read(&r, &mut buf).expect("read");
        assert_eq!(&buf[..n], b"done\n", "one answer per read");
        tokio::time::sleep(Duration::from_millis(10)).await;
        let n = nix::unistd::read(&r, &mut buf).expect("read");
        assert_eq!(&buf[..n], b"error\n");
        // Unread, the next answer still goes after PACE: order kept, bounded.
        q.send(b"done\n".to_vec()).expect("send");
        q.send(b"done\n".to_vec()).expect("send");
        tokio::time::sleep(PACE + Duration::from_millis(30)).await;
        let n = nix::unistd::read(&r, &mut buf).expect("read");
        assert_eq!(&buf[..n], b"done\ndone\n");
    }
}
