//! FastNetMon's ExaBGP integration, as its documentation sets it up:
//! `exabgp.daemon.user=root` and the helper
//! `run /usr/bin/socat stdout pipe:/var/run/exabgp.cmd;` with
//! `encoder text;` (ExaBGP 5.0.15 refuses a process without an encoder, as
//! ferrobgp does) and a temporary path, into whose FIFO FastNetMon writes one line per ban / unban:
//! `announce route IP/32 next-hop NH community ASN:666` and
//! `withdraw route IP/32 next-hop NH`. The peer checks the UPDATE bytes;
//! they are the bytes ExaBGP 5.0.15 sends for these commands (ORIGIN,
//! AS_PATH, NEXT_HOP, LOCAL_PREF on iBGP, COMMUNITIES, in type order).

mod common;
mod interop_common;

use common::*;
use std::io::Write;
use std::time::{Duration, Instant};

const BAN: &[u8] = &[
    0, 0, 0, 28, // no withdrawals; attributes
    0x40, 1, 1, 0, // ORIGIN IGP
    0x40, 2, 0, // AS_PATH empty (iBGP)
    0x40, 3, 4, 10, 0, 3, 114, // NEXT_HOP 10.0.3.114
    0x40, 5, 4, 0, 0, 0, 100, // LOCAL_PREF 100
    0xc0, 8, 4, 0xfd, 0xe9, 0x02, 0x9a, // COMMUNITIES 65001:666
    32, 10, 10, 10, 221, // 10.10.10.221/32
];
const UNBAN: &[u8] = &[0, 5, 32, 10, 10, 10, 221, 0, 0];

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
    let eor = s.read_non_keepalive(LONG).expect("end-of-rib");
    assert_eq!((eor.kind, &eor.body[..]), (UPDATE, &EOR[..]));

    for _ in 0..2 {
        fastnetmon_writes(
            &fifo,
            "announce route 10.10.10.221/32 next-hop 10.0.3.114 community 65001:666\n",
        );
        let m = s.read_non_keepalive(LONG).expect("ban");
        assert_eq!((m.kind, &m.body[..]), (UPDATE, BAN), "{}", log());
        fastnetmon_writes(
            &fifo,
            "withdraw route 10.10.10.221/32 next-hop 10.0.3.114\n",
        );
        let m = s.read_non_keepalive(LONG).expect("unban");
        assert_eq!((m.kind, &m.body[..]), (UPDATE, UNBAN), "{}", log());
    }
    let text = log();
    assert!(
        !text.contains("respawn"),
        "socat should live on between writers\n{text}"
    );
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
