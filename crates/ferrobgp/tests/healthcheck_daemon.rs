//! `ferrobgp healthcheck` in a `process` block, end to end: the daemon runs
//! the helper, answers its commands, and a BGP peer on loopback receives
//! the UPDATEs as the check passes and fails. With ExaBGP 5.0.15 available
//! (`$EXABGP_VENV` or `qa/.venv`), the same configuration with
//! `exabgp healthcheck` under the ExaBGP daemon must put the same UPDATE
//! bodies on the wire.

mod common;
mod interop_common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

/// The helper `watch`: `helper healthcheck` on two IPs, healthy while
/// `dir/healthy` exists.
fn conf(helper: &str, dir: &Path, port: u16) -> String {
    let run = format!(
        "{helper} healthcheck --cmd \"test -e {}/healthy\" --ip 192.0.2.1 --ip 192.0.2.2 \
         --rise 1 --fall 1 --interval 0.2 --fast-interval 0.2 --no-ip-setup --no-syslog \
         --debounce --community 65000:1 --disabled-community 65000:666",
        dir.display()
    );
    text_process_neighbor("watch", &run, port)
}

/// The UPDATE bodies the peer receives: healthy (UP), then unhealthy (DOWN).
fn scenario(peer: &Peer, dir: &Path, log: &dyn Fn() -> String) -> Vec<Vec<u8>> {
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let mut got = Vec::new();
    let next = |s: &mut Session| loop {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("session closed\n{}", log()));
        // End-of-RIB markers are not the helper's
        if m.kind == UPDATE && m.body != EOR {
            return m.body;
        }
    };
    // the check fails until the peer is up: the first UPDATEs are DOWN (MED 1000)
    got.push(next(&mut s));
    got.push(next(&mut s));
    std::fs::write(dir.join("healthy"), "").unwrap();
    got.push(next(&mut s));
    got.push(next(&mut s));
    std::fs::remove_file(dir.join("healthy")).unwrap();
    got.push(next(&mut s));
    got.push(next(&mut s));
    got
}

fn exabgp() -> Option<PathBuf> {
    let mut c = Vec::new();
    if let Ok(v) = std::env::var("EXABGP_VENV") {
        c.push(PathBuf::from(v).join("bin/exabgp"));
    }
    c.push(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../qa/.venv/bin/exabgp"));
    c.into_iter().find(|p| p.is_file())
}

/// MED of an UPDATE body (attribute type 4), if any.
fn med(body: &[u8]) -> Option<u32> {
    let wl = u16::from_be_bytes([body[0], body[1]]) as usize;
    let al = u16::from_be_bytes([body[2 + wl], body[3 + wl]]) as usize;
    let mut a = &body[4 + wl..4 + wl + al];
    while a.len() >= 3 {
        let (flags, code) = (a[0], a[1]);
        let (len, off) = if flags & 0x10 != 0 {
            (u16::from_be_bytes([a[2], a[3]]) as usize, 4)
        } else {
            (a[2] as usize, 3)
        };
        if code == 4 {
            return Some(u32::from_be_bytes(a[off..off + 4].try_into().unwrap()));
        }
        a = &a[off + len..];
    }
    None
}

/// The ExaBGP daemon of the comparison. ExaBGP 5.0.15 starts its helpers
/// in process groups of their own and leaves `exabgp healthcheck` running
/// when it stops (one was found alive after every run of this test): its
/// children are noted first, and their groups killed once it is gone.
struct Exa(Child);
impl Drop for Exa {
    fn drop(&mut self) {
        let helpers = children_of(self.0.id());
        signal(self.0.id(), libc::SIGTERM);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while matches!(self.0.try_wait(), Ok(None)) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
        for h in helpers {
            // SAFETY: the process groups ExaBGP made for the helpers it
            // started (each helper leads its own).
            unsafe { libc::killpg(h as i32, libc::SIGKILL) };
        }
    }
}

#[test]
fn healthcheck_in_a_process_block_drives_the_wire_as_exabgp() {
    let peer = Peer::bind("127.0.0.1");
    let port = peer.addr.port();
    let dir = service_user_dir();
    let ours = {
        let d = Daemon::start(
            &conf(env!("CARGO_BIN_EXE_ferrobgp"), dir.path(), port),
            &[],
            &[("exabgp_tcp_port", port.to_string())],
        );
        scenario(&peer, dir.path(), &|| d.log_text())
    };
    let meds: Vec<Option<u32>> = ours.iter().map(|b| med(b)).collect();
    assert_eq!(
        meds,
        [
            Some(1000),
            Some(1001),
            Some(100),
            Some(101),
            Some(1000),
            Some(1001)
        ]
    );
    for (i, b) in ours.iter().enumerate() {
        let (announced, _) = update_prefixes(b);
        assert_eq!(announced, [["192.0.2.1/32", "192.0.2.2/32"][i % 2]]);
    }

    let test = "healthcheck_in_a_process_block_drives_the_wire_as_exabgp";
    let Some(exa) = exabgp() else {
        interop_common::skip(test, "ExaBGP 5.0.15 not found ($EXABGP_VENV or qa/.venv)");
        return;
    };
    let _ = std::fs::remove_file(dir.path().join("healthy"));
    let conf_path = dir.path().join("exabgp.conf");
    std::fs::write(
        &conf_path,
        conf(&exa.display().to_string(), dir.path(), port),
    )
    .unwrap();
    let log_path = dir.path().join("exabgp.log");
    let child = Command::new(&exa)
        .arg(&conf_path)
        .env("exabgp_tcp_bind", "")
        .env("exabgp_tcp_port", port.to_string())
        .env("exabgp_daemon_drop", "false")
        .env("exabgp_api_cli", "false")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .expect("start exabgp");
    let _exa = Exa(child);
    let theirs = scenario(&peer, dir.path(), &|| {
        std::fs::read_to_string(&log_path).unwrap_or_default()
    });
    assert_eq!(
        ours, theirs,
        "UPDATE bodies: ferrobgp (left), ExaBGP 5.0.15 (right)"
    );
}
