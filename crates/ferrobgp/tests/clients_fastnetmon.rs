//! FastNetMon's ExaBGP integration, as its documentation sets it up:
//! `exabgp.daemon.user=root` and the helper
//! `run /usr/bin/socat stdout pipe:/var/run/exabgp.cmd;` with
//! `encoder text;` (ExaBGP 5.0.15 refuses a process without an encoder, as
//! ferrobgp does) and a temporary path, into whose FIFO FastNetMon writes one line per ban / unban:
//! `announce route IP/32 next-hop NH community ASN:666` and
//! `withdraw route IP/32 next-hop NH`. The peer compares the UPDATE bytes
//! of each step with what ExaBGP 5.0.15 sent in the same scenario
//! (`qa/clients/exabgp-5.0.15/fastnetmon.wire`, recorded by
//! `qa/clients/record-exabgp fastnetmon`): ORIGIN, AS_PATH, NEXT_HOP,
//! LOCAL_PREF on iBGP, COMMUNITIES, in type order; the withdrawal.

mod clients_recorded;
mod common;
mod interop_common;

use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

const BAN: &str = "announce route 10.10.10.221/32 next-hop 10.0.3.114 community 65001:666\n";
const UNBAN: &str = "withdraw route 10.10.10.221/32 next-hop 10.0.3.114\n";

fn fastnetmon_writes(fifo: &std::path::Path, line: &str) {
    // As FastNetMon does: open the FIFO, write the line, close it.
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(fifo)
        .expect("open the FIFO");
    f.write_all(line.as_bytes()).expect("write the FIFO");
}

#[test]
fn socat_fifo_ban_and_unban() {
    let Some(_) = interop_common::require("clients_fastnetmon", "socat", &["socat"]) else {
        return;
    };
    let fifo_dir = service_user_dir();
    let fifo = fifo_dir.path().join("exabgp.cmd");
    let peer = Peer::bind("127.0.0.1");
    let conf = text_process_neighbor(
        "service-dynamic",
        &format!("/usr/bin/socat stdout pipe:{}", fifo.display()),
        peer.addr.port(),
    );
    let mut env = vec![("exabgp_tcp_port", peer.addr.port().to_string())];
    if nix::unistd::Uid::effective().is_root() {
        env.push(("exabgp_daemon_user", "root".into()));
    }
    let mut d = Daemon::start(&conf, &[], &env);
    let log = || d.log_text();
    let deadline = Instant::now() + LONG;
    while !fifo.exists() {
        assert!(Instant::now() < deadline, "socat made no FIFO\n{}", log());
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let recorded = clients_recorded::wire("fastnetmon");
    let steps = recorded.steps();
    assert_eq!(
        steps.iter().map(|(s, _)| s.as_str()).collect::<Vec<_>>(),
        ["established", "ban", "unban", "ban", "unban"]
    );
    for (step, want) in &steps {
        match step.as_str() {
            "ban" => fastnetmon_writes(&fifo, BAN),
            "unban" => fastnetmon_writes(&fifo, UNBAN),
            _ => {}
        }
        for w in want {
            let m = s.read_non_keepalive(LONG).expect("update");
            assert_eq!(
                (m.kind, &m.body),
                (UPDATE, w),
                "step {step}: not what ExaBGP 5.0.15 sent\n{}",
                log()
            );
        }
    }
    let text = log();
    assert!(
        !text.contains("respawn"),
        "socat should live on between writers\n{text}"
    );
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
