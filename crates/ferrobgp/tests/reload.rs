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
