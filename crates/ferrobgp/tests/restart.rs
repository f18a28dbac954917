//! Restarting sessions on request: `ferrobgp cli restart neighbor IP` and
//! the selector form `neighbor IP restart` restart only that neighbor's
//! worker (the others keep their TCP connection), bare `restart` and
//! SIGALRM restart every session, as ExaBGP does. A restarted session gets
//! its Adj-RIB-Out again, and with graceful restart configured it closes
//! without NOTIFICATION and its new OPEN sets the Restart State (R) bit
//! (spec §7.7).

mod common;

use common::*;

fn neighbor(ip: &str, port: u16, extra: &str, route: &str) -> String {
    format!(
        r#"
neighbor {ip} {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    connect {port};
    {extra}
    family {{ ipv4 unicast; }}
    static {{ route {route} next-hop 127.0.0.1; }}
}}
"#
    )
}

/// The graceful-restart capability (64) of an OPEN body: (R bit, restart
/// time, per-family entries), `None` when absent.
fn graceful_restart(open: &[u8]) -> Option<(bool, u16, Vec<u8>)> {
    let params = open.get(10..10 + usize::from(*open.get(9)?))?;
    let mut p = params;
    while p.len() >= 2 {
        let (kind, len) = (p[0], usize::from(p[1]));
        let value = p.get(2..2 + len)?;
        if kind == 2 {
            let mut c = value;
            while c.len() >= 2 {
                let (code, clen) = (c[0], usize::from(c[1]));
                let v = c.get(2..2 + clen)?;
                if code == 64 && v.len() >= 2 {
                    let time = u16::from_be_bytes([v[0] & 0x0f, v[1]]);
                    return Some((v[0] & 0x80 != 0, time, v[2..].to_vec()));
                }
                c = &c[2 + clen..];
            }
        }
        p = &p[2 + len..];
    }
    None
}

/// Announces a marker route to `ip` through the cli; the next message on
/// `s` must be its UPDATE (the connection is the same one, and nothing else
/// was sent on it since).
fn marker(w: &WithCli, s: &mut Session, ip: &str, prefix: [u8; 3], log: &dyn Fn() -> String) {
    let line = format!(
        "neighbor {ip} announce route {}.{}.{}.0/24 next-hop 127.0.0.1",
        prefix[0], prefix[1], prefix[2]
    );
    let (code, out) = cli(&w.sock, &line);
    assert_eq!(code, Some(0), "{out}\n{}", log());
    let m = s
        .read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("{ip}: connection closed\n{}", log()));
    assert_eq!(
        (m.kind, m.body),
        (UPDATE, announce_24(prefix)),
        "{ip}\n{}",
        log()
    );
}

#[test]
fn restart_neighbor_restarts_only_that_session() {
    let peers: Vec<Peer> = (2..=4)
        .map(|i| Peer::bind(&format!("127.0.0.{i}")))
        .collect();
    let conf = [
        neighbor(
            "127.0.0.2",
            peers[0].addr.port(),
            "capability { graceful-restart 120; }",
            "10.2.0.0/24",
        ),
        neighbor("127.0.0.3", peers[1].addr.port(), "", "10.3.0.0/24"),
        neighbor("127.0.0.4", peers[2].addr.port(), "", "10.4.0.0/24"),
    ]
    .concat();
    let w = start_with_cli(&conf, &[]);
    let log_path = w.d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut sessions: Vec<Session> = Vec::new();
    for (i, p) in peers.iter().enumerate() {
        let mut s = p.accept();
        let open = s.establish(65000, [10, 0, 0, 2 + i as u8], 90);
        if i == 0 {
            // first start: graceful restart advertised, R bit clear, F bit set
            assert_eq!(
                graceful_restart(&open.body),
                Some((false, 120, vec![0, 1, 1, 0x80])),
                "{:02x?}",
                open.body
            );
        } else {
            assert_eq!(graceful_restart(&open.body), None);
        }
        let prefix = [10, 2 + i as u8, 0];
        assert_eq!(read_table(&mut s, &log), vec![announce_24(prefix)]);
        sessions.push(s);
    }
    let third = worker_of(&w.d, "127.0.0.4").expect("worker of 127.0.0.4");
    let first = worker_of(&w.d, "127.0.0.2").expect("worker of 127.0.0.2");

    // `restart neighbor IP` (graceful restart configured): closed without
    // NOTIFICATION, a new worker, an OPEN with the R bit, the table again.
    let (code, out) = cli(&w.sock, "restart neighbor 127.0.0.2");
    assert_eq!(
        (code, out.trim()),
        (Some(0), "restart in progress"),
        "{}",
        log()
    );
    assert!(
        sessions[0].read_non_keepalive(LONG).is_none(),
        "a NOTIFICATION or UPDATE instead of a silent close\n{}",
        log()
    );
    let mut s = peers[0].accept();
    let open = s.establish(65000, [10, 0, 0, 2], 90);
    assert_eq!(
        graceful_restart(&open.body),
        Some((true, 120, vec![0, 1, 1, 0x80])),
        "R bit after a restart on request: {:02x?}",
        open.body
    );
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 2, 0])]);
    sessions[0] = s;
    assert_ne!(worker_of(&w.d, "127.0.0.2"), Some(first), "a new worker");

    // `neighbor IP restart` (no graceful restart): Cease 6/4 with its
    // shutdown communication, then a new session with the table.
    let (code, out) = cli(&w.sock, "neighbor 127.0.0.3 restart");
    assert_eq!(
        (code, out.trim()),
        (Some(0), "restart in progress"),
        "{}",
        log()
    );
    let m = sessions[1]
        .read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("closed without NOTIFICATION\n{}", log()));
    assert_eq!(m.kind, NOTIFICATION, "{m:?}");
    assert_eq!(m.body, b"\x06\x04\x14Administrative Reset", "{m:?}");
    assert!(sessions[1].read_non_keepalive(LONG).is_none());
    let mut s = peers[1].accept();
    let open = s.establish(65000, [10, 0, 0, 3], 90);
    assert_eq!(graceful_restart(&open.body), None);
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 3, 0])]);
    sessions[1] = s;

    // the third one saw none of it: same worker, same connection, and its
    // first message since is the marker announced now
    assert_eq!(worker_of(&w.d, "127.0.0.4"), Some(third));
    marker(&w, &mut sessions[2], "127.0.0.4", [10, 4, 99], &log);
    // and the restarted ones carry on on their new connections
    marker(&w, &mut sessions[0], "127.0.0.2", [10, 2, 99], &log);
    marker(&w, &mut sessions[1], "127.0.0.3", [10, 3, 99], &log);

    // a neighbor that is not configured: error
    let (code, out) = cli(&w.sock, "restart neighbor 127.0.0.9");
    assert_eq!(code, Some(1), "{out}");
}

#[test]
fn bare_restart_and_sigalrm_restart_every_session() {
    let peers: Vec<Peer> = (2..=3)
        .map(|i| Peer::bind(&format!("127.0.0.{i}")))
        .collect();
    let conf = [
        neighbor("127.0.0.2", peers[0].addr.port(), "", "10.2.0.0/24"),
        neighbor("127.0.0.3", peers[1].addr.port(), "", "10.3.0.0/24"),
    ]
    .concat();
    let w = start_with_cli(&conf, &[]);
    let log_path = w.d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut sessions: Vec<Session> = peers
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let mut s = p.accept();
            s.establish(65000, [10, 0, 0, 2 + i as u8], 90);
            assert_eq!(
                read_table(&mut s, &log),
                vec![announce_24([10, 2 + i as u8, 0])]
            );
            s
        })
        .collect();
    for how in ["cli restart", "SIGALRM"] {
        if how == "SIGALRM" {
            w.d.signal(libc::SIGALRM);
        } else {
            let (code, out) = cli(&w.sock, "restart");
            assert_eq!(
                (code, out.trim()),
                (Some(0), "restart in progress"),
                "{}",
                log()
            );
        }
        for (i, p) in peers.iter().enumerate() {
            let m = sessions[i]
                .read_non_keepalive(LONG)
                .unwrap_or_else(|| panic!("{how}: closed without NOTIFICATION\n{}", log()));
            assert_eq!(&m.body[..2], &[6, 4], "{how}: {m:?}");
            assert!(sessions[i].read_non_keepalive(LONG).is_none());
            let mut s = p.accept();
            s.establish(65000, [10, 0, 0, 2 + i as u8], 90);
            assert_eq!(
                read_table(&mut s, &log),
                vec![announce_24([10, 2 + i as u8, 0])],
                "{how}"
            );
            sessions[i] = s;
        }
    }
    assert!(alive(w.d.pid()), "daemon still running");
}
