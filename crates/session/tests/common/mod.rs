//! What the worker's integration tests share: the peer configuration they
//! start from, the IPC ends of a worker, and the test peer's reading of BGP
//! messages from loopback. Every wait is bounded by `WAIT`.

use ferrobgp_ipc::SupervisorToSession;
use ferrobgp_ipc::{pair, Channel, RibToSession, SessionToRib, SessionToSupervisor};
use ferrobgp_session::connect;
use ferrobgp_session::fsm::FsmConfig;
use ferrobgp_session::peer::PeerConfig;
use ferrobgp_session::worker::Links;
use ferrobgp_wire::message::OpenConfig;
use ferrobgp_wire::Family;
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::time::Duration;
use tokio::io::AsyncReadExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// How long any single wait of a test may take.
pub const WAIT: Duration = Duration::from_secs(10);

/// A KEEPALIVE message, in hex.
pub const KEEPALIVE: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304";

pub type SupEnd = Channel<SupervisorToSession, SessionToSupervisor>;
type WorkerEnd = SupEnd;
type TestEnd = Channel<SessionToSupervisor, SupervisorToSession>;
pub type RibEnd = Channel<RibToSession, SessionToRib>;

/// An iBGP peer (AS 1, router-id 1.2.3.4) on loopback at `port`, IPv4
/// unicast only, connecting actively, with this hold time and attempt bound;
/// its OPEN carries Multiprotocol and 4-octet AS only.
pub fn config(port: u16, hold: u16, attempts: u32) -> PeerConfig {
    let open = OpenConfig {
        local_as: 1,
        hold_time: hold,
        router_id: Ipv4Addr::new(1, 2, 3, 4),
        families: vec![Family::IPV4_UNICAST],
        // MP + ASN4 only (`extended-message` is on by default)
        extended_message: false,
        ..OpenConfig::default()
    };
    PeerConfig {
        peer_address: IpAddr::V4(Ipv4Addr::LOCALHOST),
        local_address: Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        port,
        source_interface: None,
        outgoing_ttl: None,
        incoming_ttl: None,
        md5_key: None,
        local_as: Some(1),
        peer_as: Some(1),
        open,
        fsm: FsmConfig {
            passive: false,
            read_open_first: false,
            hold_time: hold,
            router_id: Ipv4Addr::new(1, 2, 3, 4),
            open_wait: Duration::from_secs(60),
            max_attempts: attempts,
        },
        group_updates: true,
        manual_eor: false,
        rate_limit: 0,
        report_received: false,
        report_sent: false,
        aigp: false,
        reference_extended_community: false,
        reference_unknown_message: false,
    }
}

/// The worker's side of two fresh socketpairs, with the supervisor's and the
/// rib's ends of them. Between the worker and the test's supervisor end
/// sits [`supervisor_proxy`], which makes the worker's outgoing
/// connections for `cfg` as the real supervisor does.
pub fn links(cfg: &PeerConfig) -> (Links, SupEnd, RibEnd) {
    let (s1, s2) = pair().unwrap();
    let (p1, p2) = pair().unwrap();
    let (r1, r2) = pair().unwrap();
    let sup_worker: Channel<SessionToSupervisor, SupervisorToSession> = Channel::new(s1).unwrap();
    let rib_worker: Channel<SessionToRib, RibToSession> = Channel::new(r1).unwrap();
    let (stx, srx) = sup_worker.split();
    let (rtx, rrx) = rib_worker.split();
    let links = Links {
        supervisor_tx: stx,
        supervisor_rx: srx,
        rib_tx: rtx,
        rib_rx: rrx,
    };
    tokio::spawn(supervisor_proxy(
        cfg.clone(),
        Channel::new(s2).unwrap(),
        Channel::new(p1).unwrap(),
    ));
    (links, Channel::new(p2).unwrap(), Channel::new(r2).unwrap())
}

/// Plays the supervisor's part in outgoing connections: answers the
/// worker's `Connect` with the connected descriptor (made with
/// [`connect::connect`], the code the supervisor runs) or the failure, and
/// passes every other message between the worker and the test unchanged.
async fn supervisor_proxy(cfg: PeerConfig, worker: WorkerEnd, test: TestEnd) {
    let (mut wtx, mut wrx) = worker.split();
    let (mut ttx, mut trx) = test.split();
    let (done_tx, mut done_rx) = tokio::sync::mpsc::unbounded_channel();
    loop {
        tokio::select! {
            m = wrx.recv() => match m {
                Ok((SessionToSupervisor::Connect { attempt }, _)) => {
                    let (cfg, tx) = (cfg.clone(), done_tx.clone());
                    tokio::spawn(async move {
                        let _ = tx.send((attempt, connect::connect(&cfg).await));
                    });
                }
                Ok((SessionToSupervisor::CancelConnect { .. }, _)) => {}
                Ok((m, _)) => {
                    if ttx.send(&m).await.is_err() {
                        break;
                    }
                }
                Err(_) => break,
            },
            m = trx.recv() => match m {
                Ok((m, fds)) => {
                    let fds: Vec<BorrowedFd<'_>> = fds.iter().map(|f| f.as_fd()).collect();
                    if wtx.send_with_fds(&m, &fds).await.is_err() {
                        break;
                    }
                }
                Err(_) => break,
            },
            Some((attempt, result)) = done_rx.recv() => {
                let sent = match result {
                    Ok(s) => {
                        let (local, remote) = (s.local_addr().unwrap(), s.peer_addr().unwrap());
                        let fd = OwnedFd::from(s.into_std().unwrap());
                        let msg = SupervisorToSession::Connected { attempt, local, remote };
                        wtx.send_with_fds(&msg, &[fd.as_fd()]).await
                    }
                    Err(e) => {
                        let error = e.to_string();
                        wtx.send(&SupervisorToSession::ConnectFailed { attempt, error }).await
                    }
                };
                if sent.is_err() {
                    break;
                }
            }
        }
    }
}

/// Bytes from hex digits; anything else (spaces, colons) is skipped.
pub fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The next whole BGP message on this stream, header included.
pub async fn read_msg(s: &mut TcpStream) -> Vec<u8> {
    let mut head = [0u8; 19];
    timeout(WAIT, s.read_exact(&mut head))
        .await
        .unwrap()
        .unwrap();
    let len = usize::from(u16::from_be_bytes([head[16], head[17]]));
    let mut body = vec![0u8; len - 19];
    timeout(WAIT, s.read_exact(&mut body))
        .await
        .unwrap()
        .unwrap();
    let mut m = head.to_vec();
    m.extend(body);
    m
}

/// The test peer's listening socket on loopback, port chosen by the kernel.
pub async fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    (l, port)
}
