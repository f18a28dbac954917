//! Whole helper scripts, line by line through the API parser, the
//! dispatcher and the rib: what each peer is sent and each command's reply.

use ferrobgp_api::{parse_line, FamilyAllowed, PeerName};
use ferrobgp_rib::dispatch::{dispatch, Caller, Effect};
use ferrobgp_rib::show;
use ferrobgp_rib::*;
use ferrobgp_wire::Family;

fn name(peer: &str, local_as: u32, peer_as: u32) -> String {
    PeerName {
        peer_address: peer.parse().unwrap(),
        local_address: Some("127.0.0.1".parse().unwrap()),
        local_as,
        peer_as,
        router_id: Some("1.2.3.4".parse().unwrap()),
        family_allowed: FamilyAllowed::InOpen,
    }
    .render()
}

/// Runs `lines` as one batch each; returns per batch the replies
/// (`done`/`error: reason`) and the changes of peer 1 as short strings.
fn run(
    rib: &mut Rib,
    addressable: &[(PeerId, String)],
    lines: &[&str],
) -> Vec<(Vec<String>, Vec<String>)> {
    let origin = Caller {
        process: "announce-routes",
        addressable,
        version: "5.0.0",
    };
    let mut out = Vec::new();
    for line in lines {
        let parsed = parse_line(line).map_err(|e| e.to_string());
        let action = parsed.and_then(|p| dispatch(&p, &origin).map_err(|e| e.to_string()));
        let (reply, changes) = match action {
            Ok(Effect::Rib(cmd)) => {
                let r = rib.apply_batch(&[cmd]);
                let reply = match &r.results[0] {
                    Ok(()) => "done".to_string(),
                    Err(e) => format!("error: {e}"),
                };
                let changes = r
                    .changes
                    .iter()
                    .flat_map(|(id, cs)| {
                        cs.iter().map(move |c| match c {
                            PeerChange::Announce(r) => format!(
                                "{id} +{}{}",
                                r.nlri,
                                ferrobgp_api::text::update::attributes_text(&r.attributes)
                            ),
                            PeerChange::Withdraw(r) => format!("{id} -{}", r.nlri),
                            PeerChange::Eor(f) => format!("{id} eor {f}"),
                            PeerChange::RouteRefresh(f) => format!("{id} rr {f}"),
                        })
                    })
                    .collect();
                (reply, changes)
            }
            Ok(_) => ("done".to_string(), vec![]),
            Err(e) => (format!("error: {e}"), vec![]),
        };
        out.push((vec![reply], changes));
    }
    out
}

fn established(ids: &[PeerId]) -> Rib {
    let mut rib = Rib::new();
    for id in ids {
        rib.add_peer(*id, PeerRib::new(true, true));
        let p = rib.peer_mut(*id).unwrap();
        p.session_up(vec![Family::IPV4_UNICAST]);
        p.full_table(&[Family::IPV4_UNICAST], true);
    }
    rib
}

#[test]
fn api_announcement() {
    let addressable = vec![(1, name("127.0.0.1", 1, 1))];
    let mut rib = established(&[1]);
    let r = run(
        &mut rib,
        &addressable,
        &[
            "announce route 1.0.0.0/21 next-hop 101.1.101.1 med 200 community [2:1] split /23",
            "neighbor 127.0.0.1 announce route 1.1.0.0/16 next-hop 101.1.101.1",
            "neighbor 127.0.0.1 local-as 1 announce route 1.2.0.0/22 next-hop 101.1.101.1 split /24",
            "neighbor 127.0.0.1 peer-as 1 announce route 1.3.0.0/24 next-hop 101.1.101.1 split /25",
            "neighbor 127.0.0.1 local-ip 127.0.0.1 announce route 1.4.0.0/16 next-hop 101.1.101.1 med 200",
            "neighbor 127.0.0.1 router-id 1.2.3.4 announce route 1.5.0.0/16 next-hop 101.1.101.1 community [2:1]",
            "neighbor absentone local-as 1 peer-as 1 local-ip 127.0.0.1 router-id 1.2.3.4 announce route 9.9.9.9/21 next-hop 101.1.101.1 med 200 community [2:1]",
            "neighbor 127.0.0.1 local-as 1 peer-as 1 local-ip 127.0.0.1 router-id 1.2.3.4 announce route 1.6.0.0/21 next-hop 101.1.101.1 med 200 community [2:1]",
            "neighbor 127.0.0.1 local-as 2 peer-as 3 local-ip 127.0.0.1 router-id 1.2.3.4 announce route 1.8.0.0/21 next-hop 101.1.101.1 med 200 large-community [2914:1:0]",
        ],
    );
    let replies: Vec<&str> = r.iter().map(|(r, _)| r[0].as_str()).collect();
    assert_eq!(replies[..6], ["done"; 6]);
    assert!(replies[6].starts_with("error: route:"), "{}", replies[6]); // 9.9.9.9/21 has host bits set
    assert_eq!(replies[7], "done");
    assert_eq!(replies[8], "error: no neighbor matches the selector");
    let sent: Vec<String> = r.iter().flat_map(|(_, c)| c.clone()).collect();
    assert_eq!(
        sent,
        [
            "1 +1.0.0.0/23 med 200 community 2:1",
            "1 +1.0.2.0/23 med 200 community 2:1",
            "1 +1.0.4.0/23 med 200 community 2:1",
            "1 +1.0.6.0/23 med 200 community 2:1",
            "1 +1.1.0.0/16",
            "1 +1.2.0.0/24",
            "1 +1.2.1.0/24",
            "1 +1.2.2.0/24",
            "1 +1.2.3.0/24",
            "1 +1.3.0.0/25",
            "1 +1.3.0.128/25",
            "1 +1.4.0.0/16 med 200",
            "1 +1.5.0.0/16 community 2:1",
            "1 +1.6.0.0/21 med 200 community 2:1",
        ]
    );
}

#[test]
fn selectors_pick_peers_and_processes_only_address_their_peers() {
    // peer 3 exists but this process may not address it
    let addressable = vec![(1, name("127.0.0.1", 1, 1)), (2, name("127.0.0.2", 1, 2))];
    let mut rib = established(&[1, 2, 3]);
    let r = run(
        &mut rib,
        &addressable,
        &[
            "announce route 10.0.0.0/8 next-hop 1.1.1.1",
            "neighbor 127.0.0.2 announce route 11.0.0.0/8 next-hop 1.1.1.1",
            "neighbor * withdraw route 10.0.0.0/8",
            "neighbor 127.0.0.3 announce route 12.0.0.0/8 next-hop 1.1.1.1",
            "neighbor 127.0.0.1 peer-as 2 , neighbor 127.0.0.2 peer-as 2 announce eor ipv4 unicast",
        ],
    );
    assert_eq!(r[0].1, ["1 +10.0.0.0/8", "2 +10.0.0.0/8"]);
    assert_eq!(r[1].1, ["2 +11.0.0.0/8"]);
    assert_eq!(r[2].1, ["1 -10.0.0.0/8", "2 -10.0.0.0/8"]);
    assert_eq!(r[3].0, ["error: no neighbor matches the selector"]);
    assert_eq!(r[4].1, ["2 eor ipv4 unicast"]);
    assert!(rib.peer(3).unwrap().out.is_empty());
}

#[test]
fn other_commands_and_show() {
    let addressable = vec![(1, name("127.0.0.1", 1, 1)), (2, name("127.0.0.2", 1, 2))];
    let origin = Caller {
        process: "dog",
        addressable: &addressable,
        version: "5.0.0",
    };
    let d = |l: &str| dispatch(&parse_line(l).unwrap(), &origin);
    assert_eq!(
        d("version").unwrap(),
        Effect::Output(vec!["exabgp 5.0.0".into()])
    );
    assert_eq!(
        d("neighbor 127.0.0.2 teardown 2").unwrap(),
        Effect::Teardown {
            peers: vec![2],
            subcode: 2
        }
    );
    assert_eq!(d("shutdown").unwrap(), Effect::Shutdown);
    assert_eq!(
        d("show neighbor").unwrap(),
        Effect::Output(vec![
            "please specify summary, extensive or configuration".into(),
            "you can filter by peer ip address adding it after the word neighbor".into()
        ])
    );
    assert_eq!(
        d("show neighbor summary 127.0.0.2").unwrap(),
        Effect::ShowNeighbor {
            peers: vec![2],
            view: ferrobgp_api::NeighborView::Summary,
            json: false
        }
    );
    assert_eq!(d("# hello").unwrap(), Effect::Nothing);
    assert_eq!(d("announce operational foo").unwrap(), Effect::Nothing);
    // a bad message is refused by the parser (the configuration's grammar)
    let e = parse_line("announce operational adm afi ipv4 safi unicast x")
        .unwrap_err()
        .to_string();
    assert!(e.starts_with("invalid operational message '"), "{e}");
    match d("announce operational adm afi ipv4 safi unicast advisory \"a b\"").unwrap() {
        Effect::Operational { peers, message } => {
            assert_eq!(peers, vec![1, 2]);
            assert_eq!(message.advisory.as_deref(), Some("a b"));
        }
        other => panic!("not an operational action: {other:?}"),
    }
    assert_eq!(
        d("show adj-rib out json").unwrap(),
        Effect::ShowAdjRib {
            peers: vec![1, 2],
            side: ferrobgp_api::RibSide::Out,
            extensive: false,
            json: true
        }
    );
    assert_eq!(
        d("withdraw watchdog").unwrap(),
        Effect::Rib(BatchCommand {
            peers: vec![1, 2],
            op: Op::WithdrawWatchdog("dog".into())
        })
    );
    let Effect::ShowAdjRib {
        peers,
        side,
        extensive,
        json: false,
    } = d("show adj-rib out extensive 127.0.0.1").unwrap()
    else {
        panic!()
    };
    assert_eq!(peers, vec![1]);
    let mut rib = established(&[1, 2]);
    run(
        &mut rib,
        &addressable,
        &["announce route 10.3.0.0/24 next-hop 192.0.2.2 local-preference 100"],
    );
    // (the default ORIGIN is added when the UPDATE is packed, not stored)
    let ip: std::net::IpAddr = "127.0.0.1".parse().unwrap();
    assert_eq!(
        show::adj_rib(&rib, side, extensive, &[(1, ip, addressable[0].1.as_str())]),
        ["neighbor 127.0.0.1 local-ip 127.0.0.1 local-as 1 peer-as 1 router-id 1.2.3.4 family-allowed in-open ipv4 unicast 10.3.0.0/24 next-hop 192.0.2.2 local-preference 100"]
    );
    assert_eq!(
        show::adj_rib(&rib, side, false, &[(1, ip, addressable[0].1.as_str())]),
        ["127.0.0.1 ipv4 unicast 10.3.0.0/24 next-hop 192.0.2.2"]
    );
}

#[test]
fn neighbor_summary() {
    use ferrobgp_api::show::{summary_line, timedelta, SummaryRow, SUMMARY_HEADER};
    let row = SummaryRow {
        peer_address: "127.0.0.1".parse().unwrap(),
        peer_as: Some(65000),
        up_for: Some(11),
        state: "ESTABLISHED".into(),
        updates_sent: 11,
        updates_received: 7,
    };
    // spec 2.4, observed output
    assert_eq!(
        SUMMARY_HEADER,
        "Peer            AS        up/down state       |     #sent     #recvd"
    );
    assert_eq!(
        summary_line(&row),
        "127.0.0.1       65000     0:00:11 established          11          7"
    );
    let down = SummaryRow {
        peer_as: None,
        up_for: None,
        state: "ACTIVE".into(),
        updates_sent: 0,
        updates_received: 0,
        ..row
    };
    assert_eq!(
        summary_line(&down),
        "127.0.0.1       n/a          down active                0          0"
    );
    assert_eq!(timedelta(90_061), "1 day, 1:01:01");
    assert_eq!(timedelta(2 * 86_400 + 5), "2 days, 0:00:05");
}
