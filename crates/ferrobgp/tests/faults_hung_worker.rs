//! Fault injection: a session worker that hangs (`kill -STOP`) costs the
//! other sessions nothing. The control socket keeps answering at once for
//! the healthy neighbor while a command to every neighbor waits; the rib's
//! heartbeat finds the hung worker within a third of the hold time, `show
//! neighbor` stops saying it is up, the worker is replaced as after a
//! crash, and the session comes back with its routes.

mod common;

use common::*;
use std::time::{Duration, Instant};

fn neighbor(ip: &str, port: u16, hold: u16) -> String {
    format!(
        r#"
neighbor {ip} {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time {hold};
    connect {port};
    family {{ ipv4 unicast; }}
}}
"#
    )
}

fn stop(pid: u32, sig: i32) {
    // SAFETY: kill(2) of a process this test's daemon started.
    unsafe {
        libc::kill(pid as i32, sig);
    }
}

#[test]
fn a_hung_worker_is_found_replaced_and_holds_no_one_up() {
    let a = Peer::bind("127.0.0.1");
    let b = Peer::bind("127.0.0.2");
    let conf = neighbor("127.0.0.1", a.addr.port(), 90) + &neighbor("127.0.0.2", b.addr.port(), 9);
    // The ack bound is long: the command for every neighbor must be
    // answered because the hung worker was found, not because it expired.
    let w = start_with_cli_args(&conf, &[], &["--ack-timeout", "20"]);
    let log = {
        let p = w.d.log.clone();
        move || std::fs::read_to_string(&p).unwrap_or_default()
    };
    let mut sa = a.accept();
    let mut sb = b.accept();
    sa.establish(65000, [10, 0, 0, 2], 90);
    sb.establish(65000, [10, 0, 0, 3], 9);
    read_table(&mut sa, &log);
    read_table(&mut sb, &log);
    let hung = worker_of(&w.d, "127.0.0.2").expect("worker of 127.0.0.2");
    stop(hung, libc::SIGSTOP);

    // A command for every neighbor waits for the hung one, in the background.
    let sock = w.sock.clone();
    let all = std::thread::spawn(move || {
        let start = Instant::now();
        let r = cli(&sock, "announce route 10.1.0.0/24 next-hop 127.0.0.1");
        (r, start.elapsed())
    });
    std::thread::sleep(Duration::from_millis(300));
    // Meanwhile the healthy neighbor is served at once.
    let start = Instant::now();
    let (code, out) = cli(
        &w.sock,
        "neighbor 127.0.0.1 announce route 10.2.0.0/24 next-hop 127.0.0.1",
    );
    let took = start.elapsed();
    eprintln!("cli answered in {took:?} while a worker was hung");
    assert_eq!((code, out.trim()), (Some(0), ""), "{}", log());
    // Served while the hung worker was still there: had the answer waited
    // for the heartbeat to find it (3 s at the earliest), the supervisor
    // would have killed and replaced it by now.
    assert_eq!(
        worker_of(&w.d, "127.0.0.2"),
        Some(hung),
        "the healthy neighbor's answer waited for the hung worker to be replaced ({took:?})\n{}",
        log()
    );
    assert!(alive(hung), "{took:?}\n{}", log());
    let mut got = Vec::new();
    while !(got.contains(&"10.1.0.0/24".to_string()) && got.contains(&"10.2.0.0/24".to_string())) {
        let m = sa
            .read_non_keepalive(LONG)
            .unwrap_or_else(|| panic!("healthy session closed\n{}", log()));
        got.extend(update_prefixes(&m.body).0);
    }

    // The heartbeat finds the hung worker (bound: hold time / 3 = 3 s):
    // never reported up again, replaced by a new worker.
    let deadline = Instant::now() + LONG;
    loop {
        let (_, out) = cli(&w.sock, "show neighbor 127.0.0.2 summary");
        let replaced = worker_of(&w.d, "127.0.0.2").is_some_and(|p| p != hung);
        if !out.contains("established") && replaced {
            break;
        }
        assert!(Instant::now() < deadline, "{out}\n{}", log());
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(!alive(hung), "the hung worker still exists");
    let ((code, out), waited) = all.join().expect("thread");
    eprintln!("the command for every neighbor was answered in {waited:?}");
    assert_eq!(code, Some(0), "{out}\n{}", log());

    // The new worker reconnects and sends the whole table.
    let mut sb = b.accept();
    sb.establish(65000, [10, 0, 0, 3], 9);
    let table: Vec<String> = read_table(&mut sb, &log)
        .iter()
        .flat_map(|u| update_prefixes(u).0)
        .collect();
    assert!(table.contains(&"10.1.0.0/24".to_string()), "{table:?}");
    // The healthy session never noticed.
    assert_eq!(worker_of(&w.d, "127.0.0.1").map(alive), Some(true));
    sa.send(KEEPALIVE, &[]);
    let (_, out) = cli(&w.sock, "show neighbor 127.0.0.1 summary");
    assert!(out.contains("established"), "{out}");
}
