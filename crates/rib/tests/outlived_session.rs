//! A rib started after a crash of the previous one, run in-process against
//! a fake supervisor, helper and session worker: a session that outlived
//! the dead rib gets, in its resync, the withdrawal of a route a helper
//! withdrew after the new rib started but before the worker reported the
//! session up (the window in which the rib takes the peer as down).

use ferrobgp_ipc::{
    self as ipc, Change, Channel, ConfigFile, ConfiguredPeer, Encoder, HelperInfo, PackedText,
    RibToSession, RibToSupervisor, SessionState, SessionToRib, SupervisorToRib,
};
use ferrobgp_rib::process::{run, Options};
use ferrobgp_wire::Family;
use std::io::{Read, Write};
use std::os::fd::AsFd;
use std::time::Duration;

const CONF: &str = "process watcher { run /bin/true; encoder text; }
neighbor 127.0.0.1 {
    router-id 10.0.0.2;
    local-address 127.0.0.2;
    local-as 65000;
    peer-as 65000;
    api { processes [ watcher ]; }
    static {
        route 10.0.0.0/24 next-hop 127.0.0.2;
        route 10.1.0.0/24 next-hop 127.0.0.2;
    }
}
";

const LONG: Duration = Duration::from_secs(10);

/// The next message of `rx` that `want` takes (others are skipped).
async fn next<Rx: serde::de::DeserializeOwned, T>(
    rx: &mut ipc::Receiver<Rx>,
    mut want: impl FnMut(Rx) -> Option<T>,
) -> T {
    tokio::time::timeout(LONG, async {
        loop {
            let (m, _) = rx.recv().await.expect("channel open");
            if let Some(t) = want(m) {
                return t;
            }
        }
    })
    .await
    .expect("message in time")
}

#[tokio::test(flavor = "current_thread")]
async fn a_withdrawal_before_the_outlived_session_reported_up_is_in_its_resync() {
    let (ours, theirs) = ipc::pair().expect("socketpair");
    let opts = Options {
        ack_timeout: Duration::from_secs(5),
        peer_queue: ferrobgp_rib::pipeline::Bounds {
            changes: 1_000_000,
            bytes: 1 << 28,
            stall: Duration::from_secs(10),
        },
        max_line: 1 << 20,
        release_memory: || {},
    };
    let rib = tokio::spawn(run(Channel::new(theirs).expect("channel"), opts));
    let (mut sup_tx, mut sup_rx) = Channel::<SupervisorToRib, RibToSupervisor>::new(ours)
        .expect("channel")
        .split();
    sup_tx
        .send(&SupervisorToRib::Init {
            settings: Default::default(),
            // as the supervisor sends it: the file's text, which the rib loads
            config: vec![ConfigFile {
                path: "t.conf".into(),
                absolute: "/etc/exabgp/t.conf".into(),
                text: PackedText::pack(CONF).expect("packs"),
            }],
            peers: vec![ConfiguredPeer {
                id: 1,
                peer_address: "127.0.0.1".parse().expect("address"),
            }],
            daemon_pid: 1,
            daemon_ppid: 1,
            // peer 1's worker kept its session through the previous rib's crash
            outlived: vec![1],
        })
        .await
        .expect("Init");
    next(&mut sup_rx, |m| {
        matches!(m, RibToSupervisor::Ready).then_some(())
    })
    .await;

    // A helper withdraws a configured route before the worker is attached.
    let (helper_stdin, rib_writes) = nix::unistd::pipe().expect("pipe");
    let (rib_reads, helper_stdout) = nix::unistd::pipe().expect("pipe");
    sup_tx
        .send_with_fds(
            &SupervisorToRib::Helper(HelperInfo {
                name: "watcher".into(),
                encoder: Encoder::Text,
                pid: 2,
            }),
            &[rib_writes.as_fd(), rib_reads.as_fd()],
        )
        .await
        .expect("Helper");
    drop((rib_writes, rib_reads));
    let mut out = std::fs::File::from(helper_stdout);
    out.write_all(b"withdraw route 10.0.0.0/24 next-hop 127.0.0.2\n")
        .expect("helper writes");
    // the batch is journaled (written to the supervisor) before its answer
    next(&mut sup_rx, |m| match m {
        RibToSupervisor::Journal { seq, .. } => Some(seq),
        _ => None,
    })
    .await;
    let answer = tokio::task::spawn_blocking(move || {
        let mut input = std::fs::File::from(helper_stdin);
        let mut got = Vec::new();
        let mut byte = [0u8; 1];
        while !got.ends_with(b"\n") && input.read(&mut byte).unwrap_or(0) == 1 {
            got.push(byte[0]);
        }
        String::from_utf8_lossy(&got).into_owned()
    });
    let answer = tokio::time::timeout(LONG, answer)
        .await
        .expect("answer in time")
        .expect("reader");
    assert_eq!(answer, "done\n");

    // Now the worker is attached: its session is up, it asks for a resync.
    let (rib_end, worker_end) = ipc::pair().expect("socketpair");
    sup_tx
        .send_with_fds(
            &SupervisorToRib::SessionChannel { peer: 1 },
            &[rib_end.as_fd()],
        )
        .await
        .expect("SessionChannel");
    drop(rib_end);
    let (mut w_tx, mut w_rx) = Channel::<SessionToRib, RibToSession>::new(worker_end)
        .expect("channel")
        .split();
    let peer_open = ipc::peer::OpenConfig {
        local_as: 65000,
        router_id: "10.0.0.1".parse().expect("router id"),
        ..Default::default()
    }
    .build()
    .expect("OPEN");
    w_tx.send(&SessionToRib::State(SessionState::Up {
        local: "127.0.0.2:179".parse().expect("local"),
        remote: "127.0.0.1:40000".parse().expect("remote"),
        negotiated: Box::new(ferrobgp_wire::negotiated::Negotiated::standalone()),
        families: vec![Family::IPV4_UNICAST],
        peer_open: Box::new(peer_open),
    }))
    .await
    .expect("Up");
    w_tx.send(&SessionToRib::NeedRoutes {
        families: vec![Family::IPV4_UNICAST],
        eor: false,
        resync: true,
    })
    .await
    .expect("NeedRoutes");
    let changes = next(&mut w_rx, |m| match m {
        RibToSession::Changes { changes, .. } => Some(changes),
        _ => None,
    })
    .await;
    let shown: Vec<String> = changes
        .iter()
        .map(|c| match c {
            Change::Announce { nlri, .. } => format!("+{nlri}"),
            Change::Withdraw { nlri, .. } => format!("-{nlri}"),
            other => format!("{other:?}"),
        })
        .collect();
    // the peer still holds 10.0.0.0/24 from the dead rib: withdrawn first
    assert_eq!(shown, ["-10.0.0.0/24", "+10.1.0.0/24"]);
    rib.abort();
}
