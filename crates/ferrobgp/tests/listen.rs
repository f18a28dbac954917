//! Incoming connections: the supervisor accepts on a neighbor's `listen`
//! port, hands a connection from that neighbor to its worker (which answers
//! with OPEN), and refuses one from an unknown source with NOTIFICATION 6/3.

mod common;

use common::*;
use nix::sys::socket::{bind, connect, socket, AddressFamily, SockFlag, SockType, SockaddrIn};
use std::net::{SocketAddrV4, TcpListener, TcpStream};
use std::str::FromStr;

/// Connects to `to` from the address `from` (any port).
fn connect_from(from: &str, to: SocketAddrV4) -> TcpStream {
    let fd = socket(
        AddressFamily::Inet,
        SockType::Stream,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    bind(
        std::os::fd::AsRawFd::as_raw_fd(&fd),
        &SockaddrIn::from(SocketAddrV4::from_str(&format!("{from}:0")).expect("addr")),
    )
    .expect("bind source");
    let deadline = std::time::Instant::now() + LONG;
    loop {
        match connect(std::os::fd::AsRawFd::as_raw_fd(&fd), &SockaddrIn::from(to)) {
            Ok(()) => return TcpStream::from(fd),
            Err(nix::errno::Errno::ECONNREFUSED) if std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            Err(e) => panic!("connect {to}: {e}"),
        }
    }
}

#[test]
fn known_sources_reach_their_worker_and_unknown_ones_get_6_3() {
    // a free port for the daemon to listen on
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let conf = format!(
        r#"
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    passive;
    listen {port};
    family {{ ipv4 unicast; }}
}}
"#
    );
    let d = Daemon::start(&conf, &[], &[]);
    let to = SocketAddrV4::new("127.0.0.1".parse().expect("ip"), port);

    let stranger = connect_from("127.0.0.5", to);
    let mut s = Session::from_stream(stranger);
    let m = s
        .read(LONG)
        .unwrap_or_else(|| panic!("closed without NOTIFICATION\n{}", d.log_text()));
    assert_eq!(m.kind, NOTIFICATION);
    assert_eq!(&m.body[..2], &[6, 3], "Cease / Connection Rejected");
    assert!(s.read(LONG).is_none());

    let friend = connect_from("127.0.0.1", to);
    let mut s = Session::from_stream(friend);
    let m = s
        .read(LONG)
        .unwrap_or_else(|| panic!("closed without OPEN\n{}", d.log_text()));
    assert_eq!(m.kind, OPEN, "{m:?}");
}
