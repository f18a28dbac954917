//! Round trips of the metrics messages (supervisor asks, rib answers with
//! its counters) through a real socketpair.

use ferrobgp_ipc::*;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

fn snapshot() -> RibMetrics {
    let mut done_latency = LatencyHistogram::default();
    done_latency.observe(0.002, 3);
    done_latency.observe(7.5, 1);
    RibMetrics {
        peers: vec![
            PeerMetrics {
                peer: 1,
                address: IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)),
                state: "established".into(),
                uptime_ms: Some(12_345),
                flaps: 2,
                sent: MessageCounts {
                    open: 3,
                    update: 10,
                    keepalive: 40,
                    ..Default::default()
                },
                received: MessageCounts {
                    open: 3,
                    update: 1,
                    notification: 2,
                    refresh: 1,
                    other: 5,
                    ..Default::default()
                },
                routes_advertised: 100_000,
                routes_received: 7,
                queue_messages: 4,
                queue_changes: 900,
            },
            PeerMetrics {
                peer: 2,
                address: IpAddr::V6(Ipv6Addr::LOCALHOST),
                state: "idle".into(),
                uptime_ms: None,
                flaps: 0,
                sent: MessageCounts::default(),
                received: MessageCounts::default(),
                routes_advertised: 0,
                routes_received: 0,
                queue_messages: 0,
                queue_changes: 0,
            },
        ],
        sources: vec![
            SourceMetrics {
                source: "announcer".into(),
                commands: 12,
                errors: 1,
            },
            SourceMetrics {
                source: "cli".into(),
                commands: 3,
                errors: 0,
            },
        ],
        done_latency,
    }
}

#[tokio::test]
async fn metrics_request_and_answer_round_trip() {
    let (a, b) = pair().unwrap();
    let mut sup: Channel<SupervisorToRib, RibToSupervisor> = Channel::new(a).unwrap();
    let mut rib: Channel<RibToSupervisor, SupervisorToRib> = Channel::new(b).unwrap();
    let ask = SupervisorToRib::Metrics { n: 77 };
    assert_eq!(ask.fds_expected(), 0);
    sup.sender.send(&ask).await.unwrap();
    let (got, fds) = rib.recv().await.unwrap();
    assert_eq!(got, ask);
    assert!(fds.is_empty());
    for answer in [
        RibToSupervisor::Metrics {
            n: 77,
            snapshot: snapshot(),
        },
        RibToSupervisor::Metrics {
            n: u64::MAX,
            snapshot: RibMetrics::default(),
        },
    ] {
        assert_eq!(answer.fds_expected(), 0);
        rib.sender.send(&answer).await.unwrap();
        let (got, fds) = sup.recv().await.unwrap();
        assert_eq!(got, answer);
        assert!(fds.is_empty());
    }
}
