//! End-to-end tests of the `functional` binary: a suite written into a
//! temporary folder, driven against a fake daemon (a Python 3 script that
//! plays fixed bytes), checking the printed report and the exit status.
//! Neither ExaBGP nor ferrobgp is needed.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FAKE_DAEMON: &str = include_str!("fake_daemon.py");

/// The daemon's OPEN: AS 65001, hold time 180, id 10.0.0.1, 4-octet AS.
const OPEN_HEAD: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF002501";
fn open() -> String {
    format!("{OPEN_HEAD}04FDE900B40A00000108020641040000FDE9")
}
/// The peer's answer: the same with the identifier's last octet plus one.
fn answer() -> String {
    format!("{OPEN_HEAD}04FDE900B40A00000208020641040000FDE9")
}
const KEEPALIVE: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001304";
const ROUTE: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0031020000001540010100400200\
                     4003040A0000014005040000006420C0A80001";
const OTHER_ROUTE: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0031020000001540010100400200\
                           4003040A0000014005040000006420C0A80002";
const EOR: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170200000000";
const ROUTE_REFRESH: &str = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00170500010001";

struct Suite {
    dir: tempfile::TempDir,
}

impl Suite {
    fn new() -> Suite {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir_all(dir.path().join("encoding")).unwrap();
        std::fs::create_dir_all(dir.path().join("etc")).unwrap();
        std::fs::write(dir.path().join("fake_daemon.py"), FAKE_DAEMON).unwrap();
        Suite { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Adds test `name`: the fake daemon's plan and the `.msg` text.
    fn test(&self, name: &str, plan: &[String], msg: &str) {
        let root = self.path();
        std::fs::write(root.join(format!("etc/{name}.plan")), plan.join("\n")).unwrap();
        std::fs::write(
            root.join(format!("encoding/{name}.ci")),
            format!("{name}.plan"),
        )
        .unwrap();
        std::fs::write(root.join(format!("encoding/{name}.msg")), msg).unwrap();
    }

    fn daemon(&self) -> String {
        let script: PathBuf = self.path().join("fake_daemon.py");
        format!("python3 {}", script.display())
    }

    fn run(&self, extra: &[&str]) -> (Output, String) {
        let output = Command::new(env!("CARGO_BIN_EXE_functional"))
            .arg("encoding")
            .arg("--suite")
            .arg(self.path())
            .arg("--daemon")
            .arg(self.daemon())
            .args(extra)
            .output()
            .expect("run functional");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        (output, text)
    }
}

fn python_present() {
    let ok = Command::new("python3")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "these tests need python3 on the PATH (the fake daemon)");
}

fn send(hex: &str) -> String {
    format!("send {hex}")
}
fn expect(hex: &str) -> String {
    format!("expect {hex}")
}

/// The usual start: OPEN out, the peer's OPEN and KEEPALIVE in.
fn handshake() -> Vec<String> {
    vec![send(&open()), expect(&answer()), expect(KEEPALIVE)]
}

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or_default()
}

#[test]
fn a_matching_daemon_passes_and_a_wrong_expectation_fails_readably() {
    python_present();
    let suite = Suite::new();
    let mut plan = handshake();
    plan.extend([send(KEEPALIVE), expect(KEEPALIVE), send(EOR), send(ROUTE)]);
    // group 1 in any order: the route arrives after the End-of-RIB
    suite.test(
        "good",
        &plan,
        &format!("# a comment\n1:raw:{ROUTE}\n1:raw:{EOR}\n"),
    );
    suite.test(
        "wrong",
        &plan,
        &format!("1:raw:{OTHER_ROUTE}\n1:raw:{ROUTE}\n"),
    );

    let (output, text) = suite.run(&["good"]);
    assert!(text.starts_with("ok    good ("), "{text}");
    assert_eq!(last_line(&text), "1 passed, 0 failed");
    assert!(output.status.success());

    let (output, text) = suite.run(&["wrong"]);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert_eq!(last_line(&text), "0 passed, 1 failed");
    assert!(text.starts_with("FAIL  wrong ("), "{text}");
    let expected = format!(
        "unexpected message; group 1 expects one of:\n\
         \x20       expected (line 1) 1:raw:{}\n\
         \x20                UPDATE length 49: withdrawn 0 bytes, attributes 21 bytes [1 2 3 5], NLRI 5 bytes\n\
         \x20       expected (line 2) 1:raw:{}\n\
         \x20                UPDATE length 49: withdrawn 0 bytes, attributes 21 bytes [1 2 3 5], NLRI 5 bytes\n\
         \x20       received {EOR}\n\
         \x20                UPDATE length 23: withdrawn 0 bytes, attributes 0 bytes [], NLRI 0 bytes (End-of-RIB)\n",
        OTHER_ROUTE.to_lowercase(),
        ROUTE.to_lowercase()
    );
    assert!(text.contains(&expected), "{text}");
    // the daemon's stderr tail is shown: here the fake daemon's log, which
    // also proves the environment and the peer's OPEN answer
    assert!(text.contains("daemon stderr (last 25 lines):"), "{text}");
    assert!(text.contains("env True 5.0.0-0+test"), "{text}");
    assert!(text.contains(&format!("got {}", answer())), "{text}");
}

#[test]
fn several_runs_and_jobs_and_results_file() {
    python_present();
    let suite = Suite::new();
    let mut plan = handshake();
    plan.extend([send(ROUTE), send(EOR)]);
    for name in ["a", "b", "c"] {
        suite.test(name, &plan, &format!("1:raw:{ROUTE}\n2:raw:{EOR}\n"));
    }
    let results = suite.path().join("results.tsv");
    let (output, text) = suite.run(&[
        "--jobs",
        "3",
        "--times",
        "2",
        "--results",
        results.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{text}");
    assert_eq!(last_line(&text), "6 passed, 0 failed");
    assert_eq!(text.matches("(run 2)").count(), 3, "{text}");
    assert_eq!(
        std::fs::read_to_string(results).unwrap(),
        "a\tpassed\nb\tpassed\nc\tpassed\n"
    );
}

#[test]
fn list_and_skip() {
    let suite = Suite::new();
    suite.test("one", &[], "1:raw:00\n");
    suite.test("two", &[], "1:raw:00\n");
    std::fs::remove_file(suite.path().join("encoding/two.msg")).unwrap();
    let (output, text) = suite.run(&["--list"]);
    assert!(output.status.success());
    assert_eq!(text, "one\ntwo\n");
    let (output, text) = suite.run(&["two"]);
    assert!(output.status.success());
    assert!(text.starts_with("skip  two: no "), "{text}");
    assert_eq!(last_line(&text), "0 passed, 0 failed, 1 skipped");
    let (output, _) = suite.run(&["three"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn a_missing_daemon_fails_at_once() {
    let suite = Suite::new();
    suite.test("one", &[], "1:raw:00\n");
    let output = Command::new(env!("CARGO_BIN_EXE_functional"))
        .args([
            "encoding",
            "--daemon",
            "/nonexistent/ferrobgp run",
            "--suite",
        ])
        .arg(suite.path())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text.contains("cannot start `/nonexistent/ferrobgp run`: No such file"),
        "{text}"
    );
    assert_eq!(last_line(&text), "0 passed, 1 failed");
}

#[test]
fn signal_notification_and_route_refresh_actions() {
    python_present();
    let suite = Suite::new();
    let mut plan = handshake();
    plan.extend([
        // the peer signals us once the first group is done: answer with a route
        format!("on-usr1 {OTHER_ROUTE}"),
        send(ROUTE),
        expect(KEEPALIVE),
        // group 2 starts with the signal and the notification actions, run
        // in that order in one step after the route matched
        expect("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001C03060062796520627965"),
        // the KEEPALIVE answering the signal's route, then ask for a refresh
        expect(KEEPALIVE),
        send(ROUTE_REFRESH),
        expect(KEEPALIVE),
        // the replay: the two routes matched so far, then a KEEPALIVE
        expect(ROUTE),
        expect(OTHER_ROUTE),
        expect(KEEPALIVE),
        send(EOR),
    ]);
    let msg = format!(
        "1:raw:{ROUTE}\n\
         2:signal:SIGUSR1\n\
         2:notification:Bye Bye\n\
         2:raw:{OTHER_ROUTE}\n\
         3:raw:{ROUTE_REFRESH}\n\
         4:raw:{EOR}\n"
    );
    suite.test("actions", &plan, &msg);
    let (output, text) = suite.run(&["--timeout", "20"]);
    assert!(output.status.success(), "{text}");
    assert_eq!(last_line(&text), "1 passed, 0 failed");
}

#[test]
fn peer_options_shape_the_open_and_the_first_messages() {
    python_present();
    let suite = Suite::new();
    // option:asn:65000 rewrites both AS fields and keeps the identifier;
    // the unknown capability adds 14 bytes; then the unknown message and
    // the default route follow the KEEPALIVE.
    let asn_answer = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00330104FDE800B40A00000116\
                      020641040000FDE8020C420A6C6F72656D697073756D";
    let mut plan = vec![
        send(&open()),
        expect(asn_answer),
        expect(KEEPALIVE),
        expect("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0013FF"),
        expect(
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF0031020000001540010100400200\
             4003047F000001400504000000642000000000",
        ),
    ];
    plan.push(send(EOR));
    let msg = format!(
        "option:asn:65000\noption:open:send-unknown-capability\n\
         option:open:send-unknown-message\noption:update:send-default-route\n\
         option:open:inspect-open-message\n1:raw:{}\n2:raw:{EOR}\n",
        open()
    );
    suite.test("options", &plan, &msg);
    let (output, text) = suite.run(&[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(last_line(&text), "1 passed, 0 failed");
}

#[test]
fn timeouts_and_early_exits_are_reported_with_what_was_still_expected() {
    python_present();
    let suite = Suite::new();
    let mut plan = handshake();
    plan.push(send(ROUTE));
    // "slow" never sends the End-of-RIB and never exits by itself
    suite.test("slow", &plan, &format!("1:raw:{ROUTE}\n2:raw:{EOR}\n"));
    let mut quits = handshake();
    quits.push("exit 7".into());
    suite.test("quits", &quits, &format!("1:raw:{ROUTE}\n"));
    let (output, text) = suite.run(&["--timeout", "5", "slow"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(last_line(&text), "0 passed, 1 failed");
    assert!(text.contains("timed out after 5 s"), "{text}");
    assert!(
        text.contains(&format!(
            "stopped; waiting for group 2, still expected:\n        group 2 (line 2) 2:raw:{}",
            EOR.to_lowercase()
        )),
        "{text}"
    );
    assert!(
        text.contains("(stopped by the runner with SIGTERM)"),
        "{text}"
    );
    let (output, text) = suite.run(&["quits"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text.contains("the daemon exited before the test was complete"),
        "{text}"
    );
    assert!(text.contains("exit status: 7"), "{text}");
}

#[test]
fn several_connections_share_one_state() {
    python_present();
    let suite = Suite::new();
    // Connection 1 sends the route of group A1 and closes (not a failure);
    // connection 2 is answered with an OPEN again and completes group B1.
    let mut plan = handshake();
    plan.extend([send(ROUTE), expect(KEEPALIVE), "reconnect".to_string()]);
    plan.extend(handshake());
    plan.push(send(EOR));
    suite.test(
        "reconnects",
        &plan,
        &format!("A1:raw:{ROUTE}\nB1:raw:{EOR}\n"),
    );
    let (output, text) = suite.run(&[]);
    assert!(output.status.success(), "{text}");
    assert_eq!(last_line(&text), "1 passed, 0 failed");
    // with a wrong second group, the report shows both connections
    suite.test(
        "reconnects",
        &plan,
        &format!("A1:raw:{ROUTE}\nB1:raw:{ROUTE}\n"),
    );
    let (_, text) = suite.run(&[]);
    assert!(text.contains("connection 1 closed by the daemon"), "{text}");
    assert!(
        text.contains("connection 2: unexpected message; group B1"),
        "{text}"
    );
}

/// True when process `pid` is gone or a zombie.
fn dead(pid: &str) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| rest.trim_start().starts_with('Z')),
    }
}

#[test]
fn an_interrupted_run_stops_its_daemons() {
    python_present();
    let suite = Suite::new();
    let mut plan = handshake();
    plan.push(send(ROUTE));
    suite.test("waits", &plan, &format!("1:raw:{ROUTE}\n2:raw:{EOR}\n"));
    let pid_file = suite.path().join("daemon.pid");
    let mut runner = Command::new(env!("CARGO_BIN_EXE_functional"))
        .arg("encoding")
        .arg("--suite")
        .arg(suite.path())
        .arg("--daemon")
        .arg(suite.daemon())
        .arg("--env")
        .arg(format!("FAKE_PID_FILE={}", pid_file.display()))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut pid = String::new();
    for _ in 0..1000 {
        pid = std::fs::read_to_string(&pid_file).unwrap_or_default();
        if !pid.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!pid.is_empty(), "the fake daemon started");
    let runner_pid = nix::unistd::Pid::from_raw(runner.id() as i32);
    nix::sys::signal::kill(runner_pid, nix::sys::signal::Signal::SIGINT).unwrap();
    let status = runner.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let mut text = String::new();
    std::io::Read::read_to_string(&mut runner.stdout.take().unwrap(), &mut text).unwrap();
    assert!(text.contains("FAIL  waits ("), "{text}");
    assert!(text.contains("      interrupted\n"), "{text}");
    // the daemon (in its own process group) was stopped with the runner
    assert!(dead(pid.trim()), "daemon {pid} still runs");
}
