//! RFC 7606 end to end in the worker: a test peer on loopback sends a
//! FlowSpec UPDATE whose only rule has an unknown component type (14). RFC
//! 8955 4.2 makes the rule malformed, its length is intact, so the UPDATE is
//! treat-as-withdraw: the session stays up (no NOTIFICATION, the next UPDATE
//! is still read and reported), and what the rib gets is the UPDATE as
//! received, whose routes are no announcement and whose JSON for the
//! helpers is the attributes alone, as ExaBGP 5.0.15 prints it for the same
//! bytes (`exabgp decode`). An UPDATE whose flow length overruns the
//! attribute is still a session reset (3/9). Every wait is bounded.

use ferrobgp_ipc::{pair, Channel, Direction, RibToSession, SessionToRib, SessionToSupervisor};
use ferrobgp_ipc::{SessionState, SupervisorToSession};
use ferrobgp_session::fsm::FsmConfig;
use ferrobgp_session::peer::PeerConfig;
use ferrobgp_session::worker::{Links, Worker};
use ferrobgp_wire::json::update::update_message_json;
use ferrobgp_wire::message::OpenConfig;
use ferrobgp_wire::update::{Context, Update, Verdict};
use ferrobgp_wire::Family;
use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

const WAIT: Duration = Duration::from_secs(10);

fn config(port: u16) -> PeerConfig {
    let open = OpenConfig {
        local_as: 1,
        hold_time: 180,
        router_id: Ipv4Addr::new(1, 2, 3, 4),
        families: vec![Family::IPV4_UNICAST, Family::IPV4_FLOW],
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
            hold_time: 180,
            router_id: Ipv4Addr::new(1, 2, 3, 4),
            open_wait: Duration::from_secs(60),
            max_attempts: 1,
        },
        group_updates: true,
        manual_eor: false,
        rate_limit: 0,
        report_received: true,
        report_sent: false,
        aigp: false,
        graceful_restart: false,
    }
}

type RibEnd = Channel<RibToSession, SessionToRib>;
type SupEnd = Channel<SupervisorToSession, SessionToSupervisor>;

fn spawn(cfg: PeerConfig) -> (SupEnd, RibEnd) {
    let (s1, s2) = pair().unwrap();
    let (r1, r2) = pair().unwrap();
    let sup: Channel<SessionToSupervisor, SupervisorToSession> = Channel::new(s1).unwrap();
    let rib: Channel<SessionToRib, RibToSession> = Channel::new(r1).unwrap();
    let (stx, srx) = sup.split();
    let (rtx, rrx) = rib.split();
    let links = Links {
        supervisor_tx: stx,
        supervisor_rx: srx,
        rib_tx: rtx,
        rib_rx: rrx,
    };
    tokio::spawn(async move { Worker::new(cfg, links).run().await });
    (Channel::new(s2).unwrap(), Channel::new(r2).unwrap())
}

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

async fn read_msg(s: &mut TcpStream) -> Vec<u8> {
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

const KEEPALIVE: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304";

/// An UPDATE message: ORIGIN igp, empty AS_PATH, LOCAL_PREF 100, `extra`
/// attributes, then the NLRI field `nlri`.
fn update_nlri(extra: &str, nlri: &str) -> Vec<u8> {
    let mut a = hex("40010100 400200 40050400000064");
    a.extend(hex(extra));
    let n = hex(nlri);
    let mut m = vec![0xFF; 16];
    m.extend_from_slice(&((19 + 4 + a.len() + n.len()) as u16).to_be_bytes());
    m.push(2);
    m.extend_from_slice(&[0, 0]);
    m.extend_from_slice(&(a.len() as u16).to_be_bytes());
    m.extend(a);
    m.extend(n);
    m
}

fn update(extra: &str) -> Vec<u8> {
    update_nlri(extra, "")
}

/// Accepts the worker's connection and answers its OPEN with the same
/// capabilities (router-id + 1).
async fn establish(l: &TcpListener) -> TcpStream {
    let (mut s, _) = timeout(WAIT, l.accept()).await.unwrap().unwrap();
    let mut open = read_msg(&mut s).await;
    assert_eq!(open[18], 1, "expected an OPEN");
    open[27] = open[27].wrapping_add(1);
    s.write_all(&open).await.unwrap();
    s.write_all(&hex(KEEPALIVE)).await.unwrap();
    assert_eq!(read_msg(&mut s).await, hex(KEEPALIVE));
    s
}

/// The next message the worker reports as received; a session going down
/// first fails the test.
async fn next_received(rib: &mut RibEnd) -> Vec<u8> {
    for _ in 0..1000 {
        let (m, _) = timeout(WAIT, rib.recv()).await.unwrap().unwrap();
        match m {
            SessionToRib::Message {
                direction: Direction::Received,
                raw,
            } if raw.get(18) == Some(&2) => return raw,
            SessionToRib::State(SessionState::Down { reason }) => {
                panic!("session went down: {reason}")
            }
            _ => continue,
        }
    }
    panic!("no UPDATE reported");
}

#[tokio::test]
async fn malformed_flow_rule_keeps_the_session_up() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (_sup, mut rib) = spawn(config(port));
    let mut s = establish(&l).await;

    // MP_REACH ipv4 flow, no next hop, one rule with component type 14
    let bad = update("800E09 0001850000 030E8101");
    s.write_all(&bad).await.unwrap();
    // then a valid IPv4 unicast UPDATE: it is still read
    let good = update_nlri("400304C0000201", "180A0001");
    s.write_all(&good).await.unwrap();

    let first = next_received(&mut rib).await;
    assert_eq!(first, bad);
    let rx = Update::decode(&first[19..], &Context::default()).unwrap();
    assert_eq!(rx.verdict(), Some(&Verdict::TreatAsWithdraw));
    assert_eq!(rx.malformations[0].family, Some(Family::IPV4_FLOW));
    assert!(rx.changes().iter().all(|c| !c.is_announce()));
    let j = update_message_json(&rx.update);
    assert_eq!(j["update"]["attribute"]["origin"], "igp", "{j}");
    assert_eq!(j["update"]["attribute"]["local-preference"], 100, "{j}");
    assert!(j["update"].get("announce").is_none(), "{j}");
    assert!(j["update"].get("withdraw").is_none(), "{j}");
    assert_eq!(next_received(&mut rib).await, good);

    // nothing was sent to the peer in between: the first message after a
    // teardown is the Cease NOTIFICATION, not an UPDATE Message Error
    rib.send(&RibToSession::Teardown {
        subcode: 2,
        message: String::new(),
    })
    .await
    .unwrap();
    let n = read_msg(&mut s).await;
    assert_eq!((n[18], n[19], n[20]), (3, 6, 2), "{n:02X?}");
}

#[tokio::test]
async fn flow_length_overrun_resets_the_session() {
    let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = l.local_addr().unwrap().port();
    let (_sup, _rib) = spawn(config(port));
    let mut s = establish(&l).await;
    // the rule claims 16 bytes, 2 follow
    let attr = "800E08 0001850000 100120";
    s.write_all(&update(attr)).await.unwrap();
    let n = read_msg(&mut s).await;
    // NOTIFICATION UPDATE Message Error / Optional Attribute Error, with
    // the attribute as data
    assert_eq!((n[18], n[19], n[20]), (3, 3, 9), "{n:02X?}");
    assert_eq!(&n[21..], &hex(attr)[..]);
}
