//! Reload: with `exabgp_debug_rotate` and two configuration files, SIGUSR1
//! switches to the other file; a neighbor whose session settings did not
//! change keeps its session and only gets the route difference.

mod common;

use common::*;

fn conf(port: u16, route: &str) -> String {
    format!(
        r#"
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    connect {port};
    family {{ ipv4 unicast; }}
    static {{ route {route} next-hop 127.0.0.1; }}
}}
"#
    )
}

#[test]
fn sigusr1_rotates_configurations_without_resetting_the_session() {
    let peer = Peer::bind("127.0.0.1");
    let port = peer.addr.port();
    let dir = tempfile::tempdir().expect("tempdir");
    let first = dir.path().join("first.conf");
    let second = dir.path().join("second.conf");
    std::fs::write(&first, conf(port, "10.1.0.0/24")).expect("first");
    std::fs::write(&second, conf(port, "10.2.0.0/24")).expect("second");
    let log = dir.path().join("log");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .args(["run", "--debug"])
        .arg(&first)
        .arg(&second)
        .env("exabgp_debug_rotate", "true")
        .env("exabgp_tcp_bind", "")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("start");
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 90);
    let mut announced = Vec::new();
    while !announced.iter().any(|p: &String| p == "10.1.0.0/24") {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("closed\n{}", log_text()));
        announced.extend(update_prefixes(&m.body).0);
    }
    // SAFETY: kill(2) of our own child.
    unsafe {
        libc::kill(child.id() as i32, libc::SIGUSR1);
    }
    let (mut withdrawn, mut added) = (Vec::new(), Vec::new());
    while !(withdrawn.iter().any(|p: &String| p == "10.1.0.0/24")
        && added.iter().any(|p: &String| p == "10.2.0.0/24"))
    {
        let m = s
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("session reset by the reload\n{}", log_text()));
        assert_eq!(m.kind, UPDATE, "{m:?}\n{}", log_text());
        let (a, w) = update_prefixes(&m.body);
        added.extend(a);
        withdrawn.extend(w);
    }
    unsafe {
        libc::kill(child.id() as i32, libc::SIGTERM);
    }
    let _ = child.wait();
}

// ---------------------------------------------------------------------------
// Reload through the control socket (`ferrobgp cli reload`) and SIGHUP.

/// One neighbor on `ip` (the test peer listening on `port`), its static
/// routes and extra settings.
fn neighbor(ip: &str, port: u16, extra: &str, routes: &[&str]) -> String {
    let routes: String = routes
        .iter()
        .map(|r| format!("        route {r} next-hop 127.0.0.1;\n"))
        .collect();
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
    static {{
{routes}    }}
}}
"#
    )
}

fn process(name: &str, args: &str) -> String {
    format!("process {name} {{\n    run ./{name}.sh{args};\n    encoder text;\n}}\n")
}

/// A helper that records its pid (one line per start) and reads its stdin
/// until the daemon closes it.
const RECORDER: &str = "#!/bin/sh\necho $$ >> \"$0.pids\"\nwhile read -r line; do :; done\n";

/// The next message that is not a KEEPALIVE, which must be an UPDATE with `body`.
fn expect_update(s: &mut Session, body: &[u8], what: &str, log: &dyn Fn() -> String) {
    let m = s
        .read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("{what}: connection closed\n{}", log()));
    assert_eq!(
        (m.kind, m.body.as_slice()),
        (UPDATE, body),
        "{what}\n{}",
        log()
    );
}

/// The next message that is not a KEEPALIVE is a NOTIFICATION `code/subcode`,
/// then the daemon closes the connection.
fn expect_notification_and_close(
    s: &mut Session,
    code: u8,
    subcode: u8,
    what: &str,
    log: &dyn Fn() -> String,
) -> Vec<u8> {
    let m = s
        .read_non_keepalive(LONG)
        .unwrap_or_else(|| panic!("{what}: closed without NOTIFICATION\n{}", log()));
    assert_eq!(m.kind, NOTIFICATION, "{what}: {m:?}\n{}", log());
    assert_eq!(&m.body[..2], &[code, subcode], "{what}: {m:?}\n{}", log());
    assert!(
        s.read_non_keepalive(LONG).is_none(),
        "{what}: still open after the NOTIFICATION"
    );
    m.body[2..].to_vec()
}

fn pids(path: &std::path::Path) -> Vec<u32> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect()
}

/// Waits until `path` lists `n` pids; returns them.
fn wait_pids(path: &std::path::Path, n: usize, log: &dyn Fn() -> String) -> Vec<u32> {
    let deadline = std::time::Instant::now() + LONG;
    loop {
        let p = pids(path);
        if p.len() >= n {
            return p;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} lists {p:?}, expected {n} starts\n{}",
            path.display(),
            log()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

fn wait_gone(pid: u32, what: &str, log: &dyn Fn() -> String) {
    let deadline = std::time::Instant::now() + LONG;
    while alive(pid) {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} ({pid}) still runs\n{}",
            log()
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn invalid_configuration_changes_nothing_and_the_error_is_returned() {
    let peer = Peer::bind("127.0.0.2");
    let conf = neighbor("127.0.0.2", peer.addr.port(), "", &["10.1.0.0/24"]);
    let mut w = start_with_cli(&conf, &[]);
    let log_path = w.d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 90);
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 1, 0])]);
    let worker = worker_of(&w.d, "127.0.0.2").expect("session worker");

    // An error on line 9, column 5 of the file.
    let broken = conf.replacen("    connect", "    bogus 3;\n    connect", 1);
    let line = broken
        .lines()
        .position(|l| l.contains("bogus"))
        .expect("bogus line")
        + 1;
    let conf_path = w.d.path("daemon.conf");
    std::fs::write(&conf_path, &broken).expect("write broken conf");
    let at = format!("daemon.conf:{line}:5: unknown keyword \"bogus\"");

    // From the API: `error`, after the reason.
    let (code, out) = cli(&w.sock, "reload");
    assert_eq!(code, Some(1), "cli reload: {out}\n{}", log());
    assert!(!out.lines().any(|l| l == "error"), "{out}");
    assert!(
        out.contains("reload failed: ") && out.contains(&at),
        "{out}"
    );
    // SIGHUP: logged.
    w.d.signal(libc::SIGHUP);
    let logged = wait_file_contains(&w.d.log, &at, &log);
    assert!(logged.contains("reload failed, keeping the running configuration"));

    // Nothing changed: same worker, same TCP connection, and the next
    // message on it is the UPDATE of a route announced now (no UPDATE, no
    // NOTIFICATION came from the reloads).
    let (code, out) = cli(
        &w.sock,
        "neighbor 127.0.0.2 announce route 10.9.0.0/24 next-hop 127.0.0.1",
    );
    assert_eq!(code, Some(0), "{out}\n{}", log());
    expect_update(
        &mut s,
        &announce_24([10, 9, 0]),
        "after the failed reloads",
        &log,
    );
    assert_eq!(worker_of(&w.d, "127.0.0.2"), Some(worker));
    assert!(
        w.d.child.try_wait().expect("try_wait").is_none(),
        "daemon exited"
    );

    // And a good file afterwards is applied: the difference only.
    std::fs::write(
        &conf_path,
        neighbor("127.0.0.2", peer.addr.port(), "", &["10.2.0.0/24"]),
    )
    .expect("write conf");
    let (code, out) = cli(&w.sock, "reload");
    assert_eq!(
        (code, out.trim()),
        (Some(0), "reload in progress"),
        "{}",
        log()
    );
    expect_update(
        &mut s,
        &withdraw_24([10, 1, 0]),
        "withdraw after reload",
        &log,
    );
    expect_update(
        &mut s,
        &announce_24([10, 2, 0]),
        "announce after reload",
        &log,
    );
    assert_eq!(worker_of(&w.d, "127.0.0.2"), Some(worker));
}

#[test]
fn reload_adds_removes_restarts_and_keeps_neighbors_and_helpers() {
    // 127.0.0.2 unchanged but its static route changes, .3 removed, .4
    // changed (hold time), .5 added, .6 fully unchanged.
    let peers: Vec<Peer> = (2..=6)
        .map(|i| Peer::bind(&format!("127.0.0.{i}")))
        .collect();
    let port = |i: usize| peers[i - 2].addr.port();
    let ip = |i: usize| format!("127.0.0.{i}");
    let first = [
        process("keep", ""),
        process("gone", ""),
        process("change", ""),
        neighbor(&ip(2), port(2), "", &["10.2.1.0/24"]),
        neighbor(&ip(3), port(3), "", &["10.3.1.0/24"]),
        neighbor(&ip(4), port(4), "hold-time 30;", &["10.4.1.0/24"]),
        neighbor(&ip(6), port(6), "", &["10.6.1.0/24"]),
    ]
    .concat();
    let second = [
        process("keep", ""),
        process("change", " again"),
        process("new", ""),
        neighbor(&ip(2), port(2), "", &["10.2.2.0/24"]),
        neighbor(&ip(4), port(4), "hold-time 60;", &["10.4.1.0/24"]),
        neighbor(&ip(5), port(5), "", &["10.5.1.0/24"]),
        neighbor(&ip(6), port(6), "", &["10.6.1.0/24"]),
    ]
    .concat();
    let scripts = [
        ("keep.sh", RECORDER),
        ("gone.sh", RECORDER),
        ("change.sh", RECORDER),
        ("new.sh", RECORDER),
    ];
    let w = start_with_cli(&first, &scripts);
    let log_path = w.d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut sessions = std::collections::BTreeMap::new();
    for i in [2, 3, 4, 6] {
        let mut s = peers[i - 2].accept();
        s.establish(65000, [10, 0, 0, i as u8], 90);
        let table = read_table(&mut s, &log);
        assert_eq!(table, vec![announce_24([10, i as u8, 1])], "peer {i}");
        sessions.insert(i, s);
    }
    let workers: Vec<Option<u32>> = [2, 6].iter().map(|i| worker_of(&w.d, &ip(*i))).collect();
    assert!(workers.iter().all(Option::is_some), "{workers:?}");
    let keep = wait_pids(&w.d.path("keep.sh.pids"), 1, &log);
    let gone = wait_pids(&w.d.path("gone.sh.pids"), 1, &log);
    let change = wait_pids(&w.d.path("change.sh.pids"), 1, &log);

    std::fs::write(w.d.path("daemon.conf"), &second).expect("second conf");
    let (code, out) = cli(&w.sock, "reload");
    assert_eq!(
        (code, out.trim()),
        (Some(0), "reload in progress"),
        "{}",
        log()
    );

    // removed: Cease 6/3 "Peer De-configured" (RFC 4486), then closed
    let mut s3 = sessions.remove(&3).expect("session 3");
    let data = expect_notification_and_close(&mut s3, 6, 3, "removed neighbor", &log);
    assert_eq!(data, b"Peer De-configured");

    // changed: Cease 6/6 "Other Configuration Change", then a new session
    // whose OPEN has the new hold time, and the table again
    let mut s4 = sessions.remove(&4).expect("session 4");
    expect_notification_and_close(&mut s4, 6, 6, "changed neighbor", &log);
    let mut s4 = peers[4 - 2].accept();
    let open = s4.establish(65000, [10, 0, 0, 4], 90);
    assert_eq!(
        &open.body[3..5],
        &60u16.to_be_bytes(),
        "hold time in the new OPEN"
    );
    assert_eq!(read_table(&mut s4, &log), vec![announce_24([10, 4, 1])]);

    // added: a session with its table
    let mut s5 = peers[5 - 2].accept();
    s5.establish(65000, [10, 0, 0, 5], 90);
    assert_eq!(read_table(&mut s5, &log), vec![announce_24([10, 5, 1])]);

    // unchanged neighbor, changed route: same connection, exactly the
    // difference (the withdrawal, then the new route), then nothing but
    // what is announced next
    let s2 = sessions.get_mut(&2).expect("session 2");
    expect_update(
        s2,
        &withdraw_24([10, 2, 1]),
        "route removed by the reload",
        &log,
    );
    expect_update(
        s2,
        &announce_24([10, 2, 2]),
        "route added by the reload",
        &log,
    );
    for (i, marker) in [(2u8, [10, 2, 99]), (6, [10, 6, 99])] {
        let line = format!(
            "neighbor 127.0.0.{i} announce route {}.{}.{}.0/24 next-hop 127.0.0.1",
            marker[0], marker[1], marker[2]
        );
        let (code, out) = cli(&w.sock, &line);
        assert_eq!(code, Some(0), "{out}\n{}", log());
        let s = sessions.get_mut(&(i as usize)).expect("session");
        // fully unchanged (6): its first message since the reload is this one
        expect_update(
            s,
            &announce_24(marker),
            &format!("marker on 127.0.0.{i}"),
            &log,
        );
    }
    let after: Vec<Option<u32>> = [2, 6].iter().map(|i| worker_of(&w.d, &ip(*i))).collect();
    assert_eq!(after, workers, "the unchanged neighbors kept their workers");
    assert_eq!(worker_of(&w.d, &ip(3)), None, "removed neighbor's worker");

    // helpers: kept, stopped, restarted, started
    let new = wait_pids(&w.d.path("new.sh.pids"), 1, &log);
    let change2 = wait_pids(&w.d.path("change.sh.pids"), 2, &log);
    wait_gone(gone[0], "removed helper", &log);
    wait_gone(change[0], "changed helper (old)", &log);
    assert!(alive(change2[1]), "changed helper restarted");
    assert!(
        cmdline(change2[1]).contains("change.sh again"),
        "{}",
        cmdline(change2[1])
    );
    assert!(alive(new[0]), "added helper");
    assert_eq!(
        pids(&w.d.path("keep.sh.pids")),
        keep,
        "kept helper not restarted"
    );
    assert!(alive(keep[0]));
    assert_eq!(pids(&w.d.path("gone.sh.pids")), gone);
}

/// The graceful-restart capability (64) of an OPEN body: (R bit, restart
/// time), `None` when absent.
fn graceful_restart(open: &[u8]) -> Option<(bool, u16)> {
    let mut p = open.get(10..10 + usize::from(*open.get(9)?))?;
    while p.len() >= 2 {
        let (kind, len) = (p[0], usize::from(p[1]));
        let mut c = p.get(2..2 + len)?;
        while kind == 2 && c.len() >= 2 {
            let (code, clen) = (c[0], usize::from(c[1]));
            let v = c.get(2..2 + clen)?;
            if code == 64 && v.len() >= 2 {
                return Some((v[0] & 0x80 != 0, u16::from_be_bytes([v[0] & 0x0f, v[1]])));
            }
            c = &c[2 + clen..];
        }
        p = &p[2 + len..];
    }
    None
}

#[test]
fn a_changed_neighbor_with_graceful_restart_comes_back_with_the_r_bit() {
    let peer = Peer::bind("127.0.0.2");
    let gr = "capability { graceful-restart 120; }";
    let conf = |hold: u16| {
        neighbor(
            "127.0.0.2",
            peer.addr.port(),
            &format!("hold-time {hold}; {gr}"),
            &["10.1.0.0/24"],
        )
    };
    let w = start_with_cli(&conf(30), &[]);
    let log_path = w.d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut s = peer.accept();
    let open = s.establish(65000, [10, 0, 0, 2], 90);
    assert_eq!(graceful_restart(&open.body), Some((false, 120)));
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 1, 0])]);

    std::fs::write(w.d.path("daemon.conf"), conf(60)).expect("conf");
    let (code, out) = cli(&w.sock, "reload");
    assert_eq!(
        (code, out.trim()),
        (Some(0), "reload in progress"),
        "{}",
        log()
    );
    // graceful restart: closed without NOTIFICATION, the peer keeps our
    // routes as stale; the new OPEN says we restarted
    assert!(
        s.read_non_keepalive(LONG).is_none(),
        "a message instead of a silent close\n{}",
        log()
    );
    let mut s = peer.accept();
    let open = s.establish(65000, [10, 0, 0, 2], 90);
    assert_eq!(&open.body[3..5], &60u16.to_be_bytes());
    assert_eq!(
        graceful_restart(&open.body),
        Some((true, 120)),
        "{:02x?}",
        open.body
    );
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 1, 0])]);
}

#[test]
fn sigusr2_reloads_and_restarts_the_helpers_only() {
    let peer = Peer::bind("127.0.0.2");
    let conf = [
        process("keep", ""),
        neighbor("127.0.0.2", peer.addr.port(), "", &["10.1.0.0/24"]),
    ]
    .concat();
    let w = start_with_cli(&conf, &[("keep.sh", RECORDER)]);
    let log_path = w.d.log.clone();
    let log = move || std::fs::read_to_string(&log_path).unwrap_or_default();
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 90);
    assert_eq!(read_table(&mut s, &log), vec![announce_24([10, 1, 0])]);
    let worker = worker_of(&w.d, "127.0.0.2");
    let first = wait_pids(&w.d.path("keep.sh.pids"), 1, &log);

    std::fs::write(
        w.d.path("daemon.conf"),
        [
            process("keep", ""),
            neighbor("127.0.0.2", peer.addr.port(), "", &["10.2.0.0/24"]),
        ]
        .concat(),
    )
    .expect("conf");
    w.d.signal(libc::SIGUSR2);
    // the configuration is reloaded (the route difference on the same session)
    expect_update(&mut s, &withdraw_24([10, 1, 0]), "withdraw", &log);
    expect_update(&mut s, &announce_24([10, 2, 0]), "announce", &log);
    // and the unchanged helper is restarted
    let again = wait_pids(&w.d.path("keep.sh.pids"), 2, &log);
    wait_gone(first[0], "the helper before SIGUSR2", &log);
    assert!(alive(again[1]), "the helper after SIGUSR2");
    assert_eq!(worker_of(&w.d, "127.0.0.2"), worker, "session worker kept");
}
