//! Listening sockets: `tcp.bind` addresses on `tcp.port`, and each
//! neighbor's own `listen` port. The supervisor accepts; the daemon loop
//! matches the source to a neighbor and passes the socket to its worker.
//! A connection that matches no neighbor gets NOTIFICATION 6/3 and is closed.

use crate::error::{Error, Result};
use ferrobgp_config::{LocalAddress, Neighbor, Settings};
use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpSocket, TcpStream};

/// Every address the daemon must listen on.
pub fn listen_addresses<'a>(
    settings: &Settings,
    neighbors: impl Iterator<Item = &'a Neighbor>,
) -> BTreeSet<SocketAddr> {
    let mut out = BTreeSet::new();
    for ip in &settings.tcp.bind.0 {
        out.insert(SocketAddr::new(*ip, settings.tcp.port.0));
    }
    for n in neighbors {
        if n.listen == 0 {
            continue;
        }
        let ip = match n.local_address {
            LocalAddress::Ip(a) => a,
            LocalAddress::Auto if n.peer_address.addr().is_ipv4() => {
                IpAddr::V4(Ipv4Addr::UNSPECIFIED)
            }
            LocalAddress::Auto => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        out.insert(SocketAddr::new(ip, n.listen));
    }
    out
}

/// Opens one listener (SO_REUSEADDR, IPV6_V6ONLY left at the system default).
pub fn bind(addr: SocketAddr) -> Result<TcpListener> {
    let e = |source| Error::Listen { addr, source };
    let sock = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .map_err(e)?;
    sock.set_reuseaddr(true).map_err(e)?;
    sock.bind(addr).map_err(e)?;
    sock.listen(128).map_err(e)
}

/// NOTIFICATION Cease / Connection Rejected (6/3) with ExaBGP's text.
pub fn rejection() -> Vec<u8> {
    let text = b"no session configured for the peer";
    let len = 19 + 2 + text.len();
    let mut m = vec![0xff; 16];
    m.extend_from_slice(&(len as u16).to_be_bytes());
    m.extend_from_slice(&[3, 6, 3]);
    m.extend_from_slice(text);
    m
}

/// Sends the rejection and closes, without ever blocking the caller for long.
pub async fn reject(mut stream: TcpStream) {
    let _ = tokio::time::timeout(Duration::from_secs(2), async {
        let _ = stream.write_all(&rejection()).await;
        let _ = stream.shutdown().await;
    })
    .await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejection_is_a_well_formed_notification() {
        let m = rejection();
        assert_eq!(&m[..16], &[0xff; 16]);
        assert_eq!(u16::from_be_bytes([m[16], m[17]]) as usize, m.len());
        assert_eq!(&m[18..21], &[3, 6, 3]);
    }
}
