//! Fault injection: a hostile helper costs nothing to anyone else. A 40 MB
//! line without newline is dropped with one `error` (the rib neither
//! rescans it nor keeps it, and logs it clipped), and a stream of garbage
//! is refused line by line with a log bounded in rate; in both cases the
//! helper's next command still reaches the peer.

mod common;

use common::*;
use std::time::Duration;

fn conf(port: u16) -> String {
    format!(
        r#"
process flood {{
    run ./flood.py;
    encoder text;
}}

neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 90;
    connect {port};
    family {{ ipv4 unicast; }}
    api {{
        processes [ flood ];
        neighbor-changes;
    }}
}}
"#
    )
}

/// Waits for the session, writes what `PAYLOAD` names, then the route
/// 10.7.0.0/24, and records every answer up to the `done` in `answers`.
const HELPER: &str = r#"#!/usr/bin/env python3
import os, random, sys
here = os.path.dirname(os.path.abspath(__file__))
payload = open(os.path.join(here, 'payload')).read().strip()
while True:
    line = sys.stdin.readline()
    if not line:
        sys.exit(1)
    if line.strip().endswith(' up'):
        break
if payload == 'long':
    chunk = b'x' * (1 << 20)
    for _ in range(40):
        os.write(1, chunk)
    os.write(1, b'\n')
else:
    rnd = random.Random(17)
    data = bytes(rnd.getrandbits(8) for _ in range(1 << 20))
    os.write(1, data + b'\n')
os.write(1, b'announce route 10.7.0.0/24 next-hop 127.0.0.1\n')
answers = []
while True:
    line = sys.stdin.readline()
    if not line:
        break
    line = line.strip()
    if line in ('done', 'error'):
        answers.append(line)
    if line == 'done':
        break
with open(os.path.join(here, 'answers.tmp'), 'w') as f:
    f.write('\n'.join(answers) + '\n')
os.rename(os.path.join(here, 'answers.tmp'), os.path.join(here, 'answers'))
while sys.stdin.readline():
    pass
"#;

struct Outcome {
    answers: Vec<String>,
    rib_cpu: Duration,
    log: String,
}

fn run(payload: &str) -> Outcome {
    let peer = Peer::bind("127.0.0.1");
    let mut d = Daemon::start(
        &conf(peer.addr.port()),
        &[("flood.py", HELPER)],
        &[("exabgp_tcp_port", peer.addr.port().to_string())],
    );
    std::fs::write(d.path("payload"), payload).expect("payload");
    let log = {
        let p = d.log.clone();
        move || std::fs::read_to_string(&p).unwrap_or_default()
    };
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 90);
    d.wait_children(&["__rib", "__session", "flood.py"]);
    let rib = rib_of(&d).expect("rib");
    let before = cpu_time(rib);
    wait_route(&mut s, "10.7.0.0/24", LONG * 3, &log);
    let answers = wait_file_contains(&d.path("answers"), "done", &log);
    let rib_cpu = cpu_time(rib).saturating_sub(before);
    assert!(alive(rib), "the rib died\n{}", log());
    Outcome {
        answers: answers.lines().map(str::to_string).collect(),
        rib_cpu,
        log: log(),
    }
}

#[test]
fn a_40_mb_line_without_newline_is_dropped_with_one_error() {
    let o = run("long");
    eprintln!("rib CPU for a 40 MB line: {:?}", o.rib_cpu);
    assert_eq!(o.answers, ["error", "done"], "{}", o.log);
    // linear framing: a quadratic rescan costs tens of seconds
    assert!(
        o.rib_cpu < Duration::from_secs(5),
        "rib CPU {:?}\n{}",
        o.rib_cpu,
        o.log
    );
    let dropped: Vec<&str> = o
        .log
        .lines()
        .filter(|l| l.contains("dropped: longer than 1048576 bytes"))
        .collect();
    assert_eq!(dropped.len(), 1, "{}", o.log);
    assert!(dropped[0].contains("41943040 bytes"), "{}", dropped[0]);
    // the line is not copied into the log
    assert!(o.log.len() < 1 << 20, "log of {} bytes", o.log.len());
}

#[test]
fn a_garbage_stream_is_refused_and_the_next_command_served() {
    let o = run("garbage");
    let errors = o.answers.iter().filter(|a| *a == "error").count();
    eprintln!(
        "garbage: {errors} error answers, rib CPU {:?}, log {} bytes",
        o.rib_cpu,
        o.log.len()
    );
    assert_eq!(o.answers.last().map(String::as_str), Some("done"));
    assert!(errors > 100, "{errors} errors for ~4000 lines");
    assert!(
        o.answers[..o.answers.len() - 1]
            .iter()
            .all(|a| a == "error"),
        "{:?}",
        o.answers
    );
    // refused lines are logged at a bounded rate, each clipped
    let logged = o
        .log
        .lines()
        .filter(|l| l.contains("not understood") || l.contains("refused:"))
        .count();
    assert!(logged < 200, "{logged} refusals logged of {errors}");
    assert!(
        o.log.lines().all(|l| l.len() < 2048),
        "a log line is not clipped"
    );
}
