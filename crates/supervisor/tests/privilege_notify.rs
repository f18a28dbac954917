//! systemd notification and socket activation, against a stand-in for
//! systemd: the test binds the notification socket, re-executes itself with
//! NOTIFY_SOCKET / WATCHDOG_USEC / LISTEN_FDS set as systemd would, and
//! checks the datagrams and the descriptors the child received.

use std::collections::HashMap;
use std::net::{TcpListener, UdpSocket};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::Duration;

use ferrobgp_supervisor::notify;
use ferrobgp_supervisor::privilege::{hand_descriptors, ChildKind, Privileges};

// Child mode, before libtest starts (single-threaded, so setting LISTEN_PID
// to our own pid, which only the child knows, is sound).
#[used]
#[link_section = ".init_array"]
static CHILD_MODE: extern "C" fn() = child_mode;

extern "C" fn child_mode() {
    let Ok(mode) = std::env::var("FERROBGP_NOTIFYTEST_CHILD") else {
        return;
    };
    match mode.as_str() {
        "notify" => {
            let result = (|| {
                notify::ready("2 neighbors")?;
                notify::reloading()?;
                notify::ready("reloaded")?;
                notify::watchdog()?;
                notify::status("all good")?;
                notify::stopping()
            })();
            let every = notify::watchdog_interval().map(|d| d.as_millis());
            println!(
                "enabled={} result={result:?} every={every:?}",
                notify::enabled()
            );
        }
        "listen" => {
            std::env::set_var("LISTEN_PID", std::process::id().to_string());
            let first = notify::take_listeners();
            let second = notify::take_listeners();
            let ports: Vec<u16> = first
                .as_ref()
                .map(|ls| ls.iter().map(|l| l.local_addr().unwrap().port()).collect())
                .unwrap_or_default();
            println!(
                "first_ok={} ports={ports:?} second={} err={:?}",
                first.is_ok(),
                second.map(|v| v.len()).unwrap_or(usize::MAX),
                first.err().map(|e| e.to_string())
            );
        }
        _ => println!("unknown mode"),
    }
    std::process::exit(0);
}

fn child(mode: &str, env: &[(&str, String)], hand: &[i32]) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("FERROBGP_NOTIFYTEST_CHILD", mode)
        .env_remove("NOTIFY_SOCKET")
        .env_remove("WATCHDOG_USEC")
        .env_remove("WATCHDOG_PID")
        .env_remove("LISTEN_FDS")
        .env_remove("LISTEN_PID")
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    if !hand.is_empty() {
        hand_descriptors(&mut cmd, hand);
    }
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(out.status.success(), "{text}");
    text
}

/// Parses one notification datagram into its KEY=value lines.
fn fields(datagram: &[u8]) -> HashMap<String, String> {
    String::from_utf8(datagram.to_vec())
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn supervisor_notifications_reach_the_notify_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let sock = UnixDatagram::bind(&path).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let line = child(
        "notify",
        &[
            ("NOTIFY_SOCKET", path.display().to_string()),
            ("WATCHDOG_USEC", "4000000".to_string()),
        ],
        &[],
    );
    assert_eq!(line, "enabled=true result=Ok(()) every=Some(2000)");
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    for _ in 0..6 {
        let n = sock.recv(&mut buf).unwrap();
        got.push(fields(&buf[..n]));
    }
    assert_eq!(got[0]["READY"], "1");
    assert_eq!(got[0]["STATUS"], "2 neighbors");
    assert_eq!(got[1]["RELOADING"], "1");
    let usec: u64 = got[1]["MONOTONIC_USEC"].parse().unwrap();
    assert!(
        usec > 0,
        "MONOTONIC_USEC is CLOCK_MONOTONIC in microseconds"
    );
    assert_eq!(got[2]["READY"], "1");
    assert_eq!(got[3]["WATCHDOG"], "1");
    assert_eq!(got[4]["STATUS"], "all good");
    assert_eq!(got[5]["STOPPING"], "1");
}

#[test]
fn without_systemd_notifications_are_no_ops() {
    let line = child("notify", &[], &[]);
    assert_eq!(line, "enabled=false result=Ok(()) every=None");
}

#[test]
fn socket_activation_hands_over_the_listener_once() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let line = child(
        "listen",
        &[("LISTEN_FDS", "1".to_string())],
        &[listener.as_raw_fd()],
    );
    assert_eq!(
        line,
        format!("first_ok=true ports=[{port}] second=0 err=None")
    );
}

#[test]
fn socket_activation_rejects_a_descriptor_that_is_not_a_tcp_listener() {
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    let line = child(
        "listen",
        &[("LISTEN_FDS", "1".to_string())],
        &[udp.as_raw_fd()],
    );
    assert!(line.starts_with("first_ok=false ports=[] "), "{line}");
    assert!(
        line.contains("descriptor 3 is not a listening TCP socket"),
        "{line}"
    );
}

#[test]
fn children_never_see_the_supervisor_only_variables() {
    // A worker spawned with the supervisor's systemd environment gets none
    // of it, so it can neither notify systemd nor take the listeners.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notify");
    let _sock = UnixDatagram::bind(&path).unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("FERROBGP_NOTIFYTEST_CHILD", "notify")
        .env("NOTIFY_SOCKET", &path)
        .env("WATCHDOG_USEC", "4000000")
        .stdout(Stdio::piped());
    Privileges::unprivileged().configure(&mut cmd, ChildKind::Worker, 3);
    let out = cmd.output().unwrap();
    let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert_eq!(line, "enabled=false result=Ok(()) every=None");
}
