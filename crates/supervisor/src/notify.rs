//! systemd integration of the supervisor: readiness and state notifications
//! (sd_notify), the watchdog, and socket activation (`LISTEN_FDS`).
//!
//! Only the supervisor talks to systemd (`NotifyAccess=main`); children never
//! see `NOTIFY_SOCKET`, `WATCHDOG_*` or `LISTEN_*` (see
//! [`crate::privilege::SUPERVISOR_ONLY_ENV`]). Every function here is a
//! no-op returning `Ok` when the daemon was not started by systemd.
//!
//! Reload protocol. The shipped unit uses `Type=notify` with
//! `ExecReload=kill -HUP $MAINPID`, because `Type=notify-reload` needs
//! systemd 253 and Debian 12 ships 252 (an unknown `Type=` is ignored with
//! an error there, and the unit would not wait for readiness). On SIGHUP the
//! supervisor calls [`reloading`] (which sends `RELOADING=1` together with
//! `MONOTONIC_USEC`, as systemd 253+ requires for `notify-reload`), reloads,
//! then calls [`ready`]. So on systemd 253+ a drop-in with
//! `Type=notify-reload` and an empty `ExecReload=` works unchanged, and
//! `systemctl reload` then waits until the reload is done.

use std::net::TcpListener;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sd_notify::NotifyState;

use crate::error::Error;

fn send(states: &[NotifyState<'_>]) -> Result<(), Error> {
    sd_notify::notify(states).map_err(|source| Error::Sys {
        call: "sd_notify",
        source,
    })
}

/// True when systemd gave us a notification socket.
pub fn enabled() -> bool {
    std::env::var_os("NOTIFY_SOCKET").is_some()
}

/// `READY=1` with a status line: start-up (or a reload) is complete.
pub fn ready(status: &str) -> Result<(), Error> {
    send(&[NotifyState::Ready, NotifyState::Status(status)])
}

/// `RELOADING=1` + `MONOTONIC_USEC=now`: a reload begins; [`ready`] ends it.
pub fn reloading() -> Result<(), Error> {
    let now = NotifyState::monotonic_usec_now().map_err(|source| Error::Sys {
        call: "clock_gettime(CLOCK_MONOTONIC)",
        source,
    })?;
    send(&[
        NotifyState::Reloading,
        now,
        NotifyState::Status("reloading"),
    ])
}

/// `STOPPING=1`: shutdown has begun.
pub fn stopping() -> Result<(), Error> {
    send(&[NotifyState::Stopping, NotifyState::Status("stopping")])
}

/// `STATUS=...`: a free-form one-line status shown by `systemctl status`.
pub fn status(line: &str) -> Result<(), Error> {
    send(&[NotifyState::Status(line)])
}

/// `WATCHDOG=1`: the supervisor's event loop is alive.
pub fn watchdog() -> Result<(), Error> {
    send(&[NotifyState::Watchdog])
}

/// How often to call [`watchdog`]: half of `WATCHDOG_USEC` (as sd_watchdog_enabled(3)
/// recommends), or `None` when the watchdog is off or meant for another pid.
pub fn watchdog_interval() -> Option<Duration> {
    sd_notify::watchdog_enabled()
        .filter(|d| !d.is_zero())
        .map(|d| d / 2)
}

static LISTENERS_TAKEN: AtomicBool = AtomicBool::new(false);

/// Takes the listening sockets systemd passed (socket activation through
/// `ferrobgp.socket`): each must be a listening TCP socket. Returns an
/// empty list when the daemon was not socket-activated. The descriptors
/// are owned by the returned listeners, so this yields them only once;
/// later calls return an empty list.
pub fn take_listeners() -> Result<Vec<TcpListener>, Error> {
    let fds: Vec<RawFd> = sd_notify::listen_fds()
        .map_err(|source| Error::Sys {
            call: "sd_listen_fds",
            source,
        })?
        .collect();
    if fds.is_empty() || LISTENERS_TAKEN.swap(true, Ordering::SeqCst) {
        return Ok(Vec::new());
    }
    let mut out = Vec::with_capacity(fds.len());
    for fd in fds {
        if !is_tcp_listener(fd) {
            return Err(Error::NotAListener { fd });
        }
        // SAFETY: systemd handed this descriptor to this process alone,
        // LISTEN_PID matched, and LISTENERS_TAKEN makes this run once.
        let owned = unsafe { OwnedFd::from_raw_fd(fd) };
        out.push(TcpListener::from(owned));
    }
    Ok(out)
}

fn sockopt_int(fd: RawFd, level: libc::c_int, name: libc::c_int) -> Option<libc::c_int> {
    let mut value: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    // SAFETY: value and len describe a valid c_int buffer.
    let r = unsafe {
        libc::getsockopt(
            fd,
            level,
            name,
            (&mut value as *mut libc::c_int).cast(),
            &mut len,
        )
    };
    (r == 0).then_some(value)
}

fn is_tcp_listener(fd: RawFd) -> bool {
    let stream = sockopt_int(fd, libc::SOL_SOCKET, libc::SO_TYPE) == Some(libc::SOCK_STREAM);
    let listening = sockopt_int(fd, libc::SOL_SOCKET, libc::SO_ACCEPTCONN) == Some(1);
    let inet = matches!(
        sockopt_int(fd, libc::SOL_SOCKET, libc::SO_DOMAIN),
        Some(libc::AF_INET) | Some(libc::AF_INET6)
    );
    stream && listening && inet
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn a_tcp_listener_is_recognised_and_a_udp_socket_is_not() {
        let tcp = TcpListener::bind("127.0.0.1:0").unwrap();
        assert!(is_tcp_listener(tcp.as_raw_fd()));
        let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        assert!(!is_tcp_listener(udp.as_raw_fd()));
        let (a, _b) = std::os::unix::net::UnixStream::pair().unwrap();
        assert!(!is_tcp_listener(a.as_raw_fd()));
    }
}
