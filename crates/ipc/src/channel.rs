//! A typed, framed, descriptor-carrying channel over a Unix stream socket.
//!
//! Wire format of one frame: the 4-byte big-endian length of
//! `tokio_util::codec::LengthDelimitedCodec`, then one byte giving how many
//! descriptors belong to this frame, then the bincode-2 (serde, standard
//! config) body of one message.
//!
//! Descriptors travel as `SCM_RIGHTS` ancillary data of the `sendmsg` that
//! carries the first bytes of their frame. The kernel delivers ancillary data
//! no later than the first byte it was attached to, so the receiver keeps the
//! descriptors it has received in a FIFO queue and hands a frame the first
//! `n` of them once the whole frame is in: frames and descriptors are paired
//! by order, whatever way the stream is cut into reads. A frame announcing
//! more descriptors than arrived, a frame that does not decode, or an
//! oversized frame is a protocol violation: the peer is treated as dead.
//!
//! The socket is registered with the event loop for reading only. A Unix
//! stream socket signals "writable" to every waiter each time its peer
//! reads (the kernel's `unix_write_space` does not wait for the buffer to
//! have been full, as TCP's does), so a socket registered for writing too
//! woke its process once for every message the other process read: a
//! second context switch per message, most of the cost of a lock-step
//! command. The sender writes without waiting and registers a duplicate
//! of the descriptor for writability only while the socket is full
//! ([`Sender::send_with_fds`]).

use crate::error::{Error, Result};
use bytes::{Buf, BufMut, Bytes, BytesMut};
use nix::sys::socket::{
    recvmsg, sendmsg, socketpair, AddressFamily, ControlMessage, ControlMessageOwned, MsgFlags,
    SockFlag, SockType, UnixAddr,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::io::{self, IoSlice, IoSliceMut};
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;
use tokio_util::codec::{Decoder, LengthDelimitedCodec};

/// Largest frame accepted or produced (bytes of body).
pub const MAX_FRAME: usize = 256 * 1024 * 1024;
/// Most descriptors one message may carry.
pub const MAX_FDS: usize = 8;
/// Bytes asked from the kernel per `recvmsg`.
const READ_CHUNK: usize = 64 * 1024;

thread_local! {
    /// What one `recvmsg` fills before its bytes join the receiver's
    /// buffer. One per thread (each process runs its channels on one): a
    /// fresh zeroed 64 KiB per read made jemalloc purge and re-fault 17
    /// pages each time, and one per receiver would hold 64 KiB for each of
    /// a rib's thousand session links.
    static SCRATCH: RefCell<Box<[u8]>> = RefCell::new(vec![0u8; READ_CHUNK].into_boxed_slice());
}

pub(crate) fn bincode_config() -> impl bincode::config::Config {
    bincode::config::standard().with_limit::<MAX_FRAME>()
}

/// Serializes `msg` into one complete frame (length prefix included).
pub fn encode_frame<T: Serialize>(msg: &T, nfds: usize) -> Result<Vec<u8>> {
    if nfds > MAX_FDS {
        return Err(Error::Protocol(format!(
            "{nfds} descriptors in one message (max {MAX_FDS})"
        )));
    }
    let body = bincode::serde::encode_to_vec(msg, bincode_config())?;
    let len = body.len() + 1;
    if len > MAX_FRAME {
        return Err(Error::Protocol(format!(
            "frame of {len} bytes exceeds {MAX_FRAME}"
        )));
    }
    let mut out = Vec::with_capacity(4 + len);
    out.put_u32(len as u32);
    out.put_u8(nfds as u8);
    out.extend_from_slice(&body);
    Ok(out)
}

/// Decodes the payload of one frame (what follows the length prefix) into
/// the number of descriptors it announces and its message.
pub fn decode_payload<T: DeserializeOwned>(payload: &[u8]) -> Result<(usize, T)> {
    let Some((&nfds, body)) = payload.split_first() else {
        return Err(Error::Protocol("empty frame".into()));
    };
    let nfds = check_fds(nfds)?;
    let (msg, used) = bincode::serde::decode_from_slice(body, bincode_config())?;
    if used != body.len() {
        return Err(Error::Protocol(format!(
            "{} trailing bytes after message",
            body.len() - used
        )));
    }
    Ok((nfds, msg))
}

/// The descriptor count a frame announces, refused past [`MAX_FDS`].
pub(crate) fn check_fds(nfds: u8) -> Result<usize> {
    let nfds = nfds as usize;
    if nfds > MAX_FDS {
        return Err(Error::Protocol(format!(
            "frame announces {nfds} descriptors"
        )));
    }
    Ok(nfds)
}

/// Creates a connected pair of close-on-exec Unix stream sockets (blocking
/// mode; [`Channel::new`] switches its end to non-blocking).
pub fn pair() -> Result<(OwnedFd, OwnedFd)> {
    Ok(socketpair(
        AddressFamily::Unix,
        SockType::Stream,
        None,
        SockFlag::SOCK_CLOEXEC,
    )?)
}

/// Receiving half: reads frames and the descriptors attached to them.
pub struct Receiver<Rx> {
    stream: Arc<AsyncFd<OwnedFd>>,
    buf: BytesMut,
    fds: VecDeque<OwnedFd>,
    codec: LengthDelimitedCodec,
    eof: bool,
    _rx: PhantomData<fn() -> Rx>,
}

/// Sending half: writes whole frames, descriptors attached to their first byte.
pub struct Sender<Tx> {
    stream: Arc<AsyncFd<OwnedFd>>,
    _tx: PhantomData<fn(Tx)>,
}

/// Both halves of one channel end. `Tx` is what this end sends, `Rx` what it receives.
pub struct Channel<Tx, Rx> {
    pub sender: Sender<Tx>,
    pub receiver: Receiver<Rx>,
}

impl<Tx: Serialize, Rx: DeserializeOwned> Channel<Tx, Rx> {
    /// Wraps one end of a socketpair. Must be called inside a tokio runtime.
    pub fn new(fd: OwnedFd) -> Result<Self> {
        let std = std::os::unix::net::UnixStream::from(fd);
        std.set_nonblocking(true)?;
        let stream = Arc::new(register(OwnedFd::from(std), Interest::READABLE)?);
        Ok(Channel {
            sender: Sender {
                stream: stream.clone(),
                _tx: PhantomData,
            },
            receiver: Receiver {
                stream,
                buf: BytesMut::with_capacity(READ_CHUNK),
                fds: VecDeque::new(),
                codec: LengthDelimitedCodec::builder()
                    .max_frame_length(MAX_FRAME)
                    .new_codec(),
                eof: false,
                _rx: PhantomData,
            },
        })
    }

    /// Takes over a descriptor inherited at a fixed number (e.g. fd 3).
    ///
    /// # Safety
    /// `fd` must be an open Unix stream socket owned by nobody else in this process.
    pub unsafe fn from_raw(fd: RawFd) -> Result<Self> {
        Self::new(OwnedFd::from_raw_fd(fd))
    }

    /// Sends one message without descriptors.
    pub async fn send(&mut self, msg: &Tx) -> Result<()> {
        self.sender.send(msg).await
    }

    /// Receives the next message; see [`Receiver::recv`].
    pub async fn recv(&mut self) -> Result<(Rx, Vec<OwnedFd>)> {
        self.receiver.recv().await
    }

    /// Splits into independently usable halves.
    pub fn split(self) -> (Sender<Tx>, Receiver<Rx>) {
        (self.sender, self.receiver)
    }
}

impl<Tx: Serialize> Sender<Tx> {
    /// Sends one message without descriptors.
    pub async fn send(&mut self, msg: &Tx) -> Result<()> {
        self.send_with_fds(msg, &[]).await
    }

    /// Sends one message and the descriptors that belong to it.
    pub async fn send_with_fds(&mut self, msg: &Tx, fds: &[BorrowedFd<'_>]) -> Result<()> {
        let frame = encode_frame(msg, fds.len())?;
        let raw: Vec<RawFd> = fds.iter().map(|f| f.as_raw_fd()).collect();
        let mut written = 0usize;
        while written < frame.len() {
            let attach = written == 0 && !raw.is_empty();
            let iov = [IoSlice::new(&frame[written..])];
            let cmsg = [ControlMessage::ScmRights(&raw)];
            let cmsgs: &[ControlMessage] = if attach { &cmsg } else { &[] };
            let res = sendmsg::<UnixAddr>(
                self.stream.as_raw_fd(),
                &iov,
                cmsgs,
                MsgFlags::MSG_NOSIGNAL,
                None,
            )
            .map_err(io::Error::from);
            match res {
                Ok(0) => return Err(Error::Closed),
                Ok(n) => written += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    wait_writable(self.stream.get_ref().as_fd()).await?
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(Error::Closed),
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => return Err(Error::Closed),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    }
}

/// Whether a `recvmsg` that returned `n` bytes emptied the socket: it
/// returned less than it was asked for (0 is the end of the stream, which
/// stays readable).
fn drained(n: usize) -> bool {
    n > 0 && n < READ_CHUNK
}

/// `fd` registered with the event loop for `interest` only.
fn register(fd: OwnedFd, interest: Interest) -> io::Result<AsyncFd<OwnedFd>> {
    // SAFETY: an `OwnedFd` is open and owned for as long as the `AsyncFd`
    // holds it, and its `as_raw_fd` never changes.
    unsafe { AsyncFd::register_with_interest(fd, interest) }.map_err(|e| e.into_parts().1)
}

/// Waits until the socket `fd` (full a moment ago) takes bytes again,
/// through a duplicate registered for writability only for the wait: the
/// registration reports the socket's state when it is made, so space
/// freed between the failed write and this call is not missed.
async fn wait_writable(fd: BorrowedFd<'_>) -> Result<()> {
    let dup = fd.try_clone_to_owned()?;
    let watch = register(dup, Interest::WRITABLE)?;
    let mut ready = watch.writable().await?;
    ready.clear_ready();
    Ok(())
}

impl<Rx: DeserializeOwned> Receiver<Rx> {
    /// Receives the next message and its descriptors.
    ///
    /// Returns [`Error::Closed`] at end of stream (also when the stream ends
    /// in the middle of a frame) and another error for garbage: in both
    /// cases the peer must be considered dead. Cancel-safe: a cancelled call
    /// loses nothing, the next call continues where it stopped.
    pub async fn recv(&mut self) -> Result<(Rx, Vec<OwnedFd>)> {
        self.recv_with(|payload| decode_payload::<Rx>(&payload))
            .await
    }

    /// Receives the next frame and reads it with `decode`, which gets its
    /// payload (the descriptor count, then the body) and returns the count
    /// and what it made of the body; as [`Receiver::recv`] otherwise.
    pub async fn recv_with<T>(
        &mut self,
        decode: impl Fn(Bytes) -> Result<(usize, T)>,
    ) -> Result<(T, Vec<OwnedFd>)> {
        loop {
            if let Some(frame) = self
                .codec
                .decode(&mut self.buf)
                .map_err(|e| Error::Protocol(e.to_string()))?
            {
                let (nfds, msg) = decode(frame.freeze())?;
                if self.fds.len() < nfds {
                    return Err(Error::Protocol(format!(
                        "frame announces {nfds} descriptors, {} received",
                        self.fds.len()
                    )));
                }
                let fds = self.fds.drain(..nfds).collect();
                return Ok((msg, fds));
            }
            if self.eof {
                return Err(Error::Closed);
            }
            self.read_some().await?;
        }
    }

    async fn read_some(&mut self) -> Result<()> {
        loop {
            let mut guard = self.stream.readable().await?;
            let mut fds: Vec<RawFd> = Vec::new();
            let buf = &mut self.buf;
            let res = guard.try_io(|stream| {
                SCRATCH.with_borrow_mut(|chunk| {
                    let mut cmsg_buf = nix::cmsg_space!([RawFd; MAX_FDS * 2]);
                    let mut iov = [IoSliceMut::new(chunk)];
                    let msg = recvmsg::<UnixAddr>(
                        stream.as_raw_fd(),
                        &mut iov,
                        Some(&mut cmsg_buf),
                        MsgFlags::MSG_CMSG_CLOEXEC,
                    )
                    .map_err(io::Error::from)?;
                    let truncated = msg.flags.contains(MsgFlags::MSG_CTRUNC);
                    if let Ok(cmsgs) = msg.cmsgs() {
                        for c in cmsgs {
                            if let ControlMessageOwned::ScmRights(r) = c {
                                fds.extend(r);
                            }
                        }
                    }
                    let n = msg.bytes;
                    buf.put_slice(&chunk[..n]);
                    Ok((n, truncated))
                })
            });
            let res = match res {
                Ok(res) => res,
                // not readable after all: readiness cleared, wait again
                Err(_would_block) => continue,
            };
            if fds.is_empty() && matches!(res, Ok((n, false)) if drained(n)) {
                // Read short of the chunk: the socket is empty, so the next
                // call waits for the next edge instead of first trying a
                // read that fails (what tokio's own streams do). Data that
                // arrived since is not lost: clearing keeps readiness that
                // a later event set. Not after descriptors: the kernel ends
                // a read at a message that carries some, data may follow.
                guard.clear_ready();
            }
            // Take ownership of every received descriptor at once so none leaks.
            for fd in fds {
                // SAFETY: the kernel just installed these descriptors in our table.
                self.fds.push_back(unsafe { OwnedFd::from_raw_fd(fd) });
            }
            match res {
                Ok((_, true)) => {
                    return Err(Error::Protocol(
                        "descriptor ancillary data truncated".into(),
                    ))
                }
                Ok((0, _)) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(_) => return Ok(()),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => continue,
                Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                    self.eof = true;
                    return Ok(());
                }
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// Bytes received but not yet consumed by a complete frame.
    pub fn pending(&self) -> usize {
        self.buf.remaining()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_short_nonempty_read_empties_the_socket() {
        assert!(drained(1));
        assert!(drained(READ_CHUNK - 1));
        assert!(!drained(READ_CHUNK), "a full chunk: more may wait");
        assert!(!drained(0), "end of stream");
    }
}
