//! Opening the outgoing TCP connection of a neighbor, and preparing any
//! connection with the neighbor's socket options.
//!
//! [`connect`] runs in the supervisor, not in the worker: a session worker
//! cannot create or connect sockets (its seccomp filter), so it asks the
//! supervisor for each attempt and gets the connected descriptor back. The
//! supervisor builds the [`PeerConfig`] from its own configuration, so
//! where the connection goes never depends on what a worker says.

use crate::error::{Error, Result};
use crate::peer::PeerConfig;
use crate::sockopt;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsFd, BorrowedFd};
use std::time::Duration;
use tokio::net::{TcpSocket, TcpStream};

/// Bound on one connection attempt.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// `outgoing-ttl` and `incoming-ttl` (GTSM) on any connection.
fn ttl_options(fd: BorrowedFd<'_>, cfg: &PeerConfig) -> Result<()> {
    let v6 = cfg.peer_address.is_ipv6();
    if let Some(ttl) = cfg.outgoing_ttl {
        sockopt::set_ttl(fd, v6, ttl)?;
    }
    if let Some(ttl) = cfg.incoming_ttl {
        sockopt::set_min_ttl(fd, v6, ttl)?;
    }
    Ok(())
}

/// Applies the options that must be set before `connect`.
fn prepare(socket: &TcpSocket, cfg: &PeerConfig) -> Result<()> {
    if let Some(dev) = &cfg.source_interface {
        sockopt::bind_to_device(socket.as_fd(), dev)?;
    }
    if let Some(key) = &cfg.md5_key {
        sockopt::set_md5(socket.as_fd(), cfg.peer_address, key)?;
    }
    ttl_options(socket.as_fd(), cfg)?;
    socket
        .set_nodelay(true)
        .map_err(|e| Error::io("TCP_NODELAY", e))
}

/// Opens the connection to the neighbor, from its local address.
pub async fn connect(cfg: &PeerConfig) -> Result<TcpStream> {
    let socket = match cfg.peer_address {
        IpAddr::V4(_) => TcpSocket::new_v4(),
        IpAddr::V6(_) => TcpSocket::new_v6(),
    }
    .map_err(|e| Error::io("socket", e))?;
    prepare(&socket, cfg)?;
    if let Some(local) = cfg.local_address {
        socket
            .bind(SocketAddr::new(local, 0))
            .map_err(|e| Error::io(format!("bind {local}"), e))?;
    }
    let to = SocketAddr::new(cfg.peer_address, cfg.port);
    match tokio::time::timeout(CONNECT_TIMEOUT, socket.connect(to)).await {
        Ok(Ok(s)) => Ok(s),
        Ok(Err(e)) => Err(Error::io(format!("connect {to}"), e)),
        Err(_) => Err(Error::io(
            format!("connect {to}"),
            std::io::Error::from(std::io::ErrorKind::TimedOut),
        )),
    }
}

/// Applies what can still be set on an accepted connection (TTL, GTSM).
pub fn prepare_accepted(stream: &TcpStream, cfg: &PeerConfig) -> Result<()> {
    ttl_options(stream.as_fd(), cfg)?;
    stream
        .set_nodelay(true)
        .map_err(|e| Error::io("TCP_NODELAY", e))
}
