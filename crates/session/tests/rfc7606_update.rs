//! RFC 7606 end to end in the worker: a test peer on loopback sends a
//! FlowSpec UPDATE whose only rule has an unknown component type (14). RFC
//! 8955 4.2 makes the rule malformed, its length is intact, so the UPDATE is
//! treat-as-withdraw: the session stays up (no NOTIFICATION, the next UPDATE
//! is still read and reported), and what the rib gets is the UPDATE as
//! received, whose routes are no announcement and whose JSON for the
//! helpers is the attributes alone, as ExaBGP 5.0.15 prints it for the same
//! bytes (`exabgp decode`). An UPDATE whose flow length overruns the
//! attribute is still a session reset (3/9). Every wait is bounded.

mod common;

use common::{hex, links, listener, read_msg, RibEnd, SupEnd, KEEPALIVE, WAIT};
use ferrobgp_api::json::update::update_message_json;
use ferrobgp_ipc::{Direction, RibToSession, SessionState, SessionToRib};
use ferrobgp_session::peer::PeerConfig;
use ferrobgp_session::worker::Worker;
use ferrobgp_wire::update::{Context, Update, Verdict};
use ferrobgp_wire::Family;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// The shared peer, also reporting received messages, with FlowSpec.
fn config(port: u16) -> PeerConfig {
    let mut cfg = common::config(port, 180, 1);
    cfg.open.families.push(Family::IPV4_FLOW);
    cfg.report_received = true;
    cfg
}

/// Starts a worker; returns the supervisor's and the rib's ends.
fn spawn(cfg: PeerConfig) -> (SupEnd, RibEnd) {
    let (links, sup, rib) = links(&cfg);
    tokio::spawn(async move { Worker::new(cfg, links).run().await });
    (sup, rib)
}

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
                direction: Direction::Receive,
                raw,
            } if raw.get(18) == Some(&2) => return raw,
            SessionToRib::State(SessionState::Down { reason, .. }) => {
                panic!("session went down: {reason}")
            }
            _ => continue,
        }
    }
    panic!("no UPDATE reported");
}

#[tokio::test]
async fn malformed_flow_rule_keeps_the_session_up() {
    let (l, port) = listener().await;
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
    let (l, port) = listener().await;
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
