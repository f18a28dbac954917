//! A real client, unchanged: `exabgp-cli` from ExaBGP 5.0.15 (the
//! virtualenv of `$EXABGP_VENV`, else `qa/.venv`) talking to ferrobgp
//! through ExaBGP 5's named pipes `<pipename>.in` / `<pipename>.out`,
//! which the supervisor creates in the directory `exabgp_cli_pipe` names
//! (here `<tmp>/run/`, one of the places the client searches under
//! `$EXABGP_ROOT`). What the client prints is what it printed against
//! ExaBGP 5.0.15 for the same commands (recorded in `qa/clients/README.md`);
//! the peer checks the UPDATEs the commands cause. Also: a client that
//! dies mid-answer does not wedge the daemon, and a FIFO another user
//! planted is refused and left alone.

mod common;
mod interop_common;

use common::*;
use nix::fcntl::OFlag;
use nix::sys::stat::Mode;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// `exabgp-cli` of the ExaBGP 5.0.15 virtualenv.
fn exabgp_cli() -> Option<PathBuf> {
    let venv = std::env::var_os("EXABGP_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../qa/.venv")));
    let p = venv.join("bin/exabgp-cli");
    p.is_file().then_some(p)
}

/// A pipe name no other test or daemon uses (the client searches
/// `/run/exabgp/` first).
fn pipename() -> String {
    format!("ferrotest{}", std::process::id())
}

struct Cli {
    bin: PathBuf,
    root: PathBuf,
    name: String,
}

impl Cli {
    /// Runs `exabgp-cli WORDS...`: exit code, stdout, stderr.
    fn run(&self, line: &str) -> (Option<i32>, String, String) {
        let out = Command::new(&self.bin)
            .args(line.split(' '))
            .env("EXABGP_ROOT", &self.root)
            .env("exabgp_api_pipename", &self.name)
            .output()
            .expect("run exabgp-cli");
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// `count` /24 routes 10.200+.x.0 for the static block (a large answer).
fn static_routes(count: usize) -> String {
    (0..count)
        .map(|i| {
            format!(
                "        route 10.{}.{}.0/24 next-hop 127.0.0.1;\n",
                200 + i / 256,
                i % 256
            )
        })
        .collect()
}

fn conf(port: u16, routes: usize) -> String {
    format!(
        r#"
neighbor 127.0.0.1 {{
    router-id 10.0.0.1;
    local-address 127.0.0.1;
    local-as 65000;
    peer-as 65000;
    hold-time 30;
    connect {port};
    family {{ ipv4 unicast; }}
    static {{
{}    }}
}}
"#,
        static_routes(routes)
    )
}

fn start(port: u16, root: &Path, name: &str, routes: usize) -> Daemon {
    Daemon::start(
        &conf(port, routes),
        &[],
        &[
            ("exabgp_tcp_port", port.to_string()),
            ("exabgp_api_cli", "true".into()),
            ("exabgp_api_pipename", name.into()),
            (
                "exabgp_cli_pipe",
                root.join("run").to_string_lossy().into_owned(),
            ),
            (
                "RUNTIME_DIRECTORY",
                root.join("rt").to_string_lossy().into_owned(),
            ),
        ],
    )
}

fn wait_for(path: &Path, d: &Daemon) {
    let deadline = Instant::now() + LONG;
    while !path.exists() {
        assert!(
            Instant::now() < deadline,
            "no {}\n{}",
            path.display(),
            d.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A client that sends `command`, reads one chunk of the answer and dies.
fn client_dies_mid_answer(dir: &Path, name: &str, command: &str) -> usize {
    let flags = OFlag::O_NONBLOCK;
    let answers: OwnedFd = nix::fcntl::open(
        &dir.join(format!("{name}.out")),
        OFlag::O_RDONLY | flags,
        Mode::empty(),
    )
    .expect("open answers");
    let commands: OwnedFd = nix::fcntl::open(
        &dir.join(format!("{name}.in")),
        OFlag::O_WRONLY | flags,
        Mode::empty(),
    )
    .expect("open commands");
    nix::unistd::write(&commands, format!("{command}\n").as_bytes()).expect("write command");
    let mut fds = [nix::poll::PollFd::new(
        answers.as_fd(),
        nix::poll::PollFlags::POLLIN,
    )];
    let n = nix::poll::poll(&mut fds, nix::poll::PollTimeout::from(10_000u16)).expect("poll");
    assert_eq!(n, 1, "no answer at all");
    let mut buf = [0u8; 4096];
    nix::unistd::read(&answers, &mut buf).expect("read")
}

#[test]
fn exabgp_cli_over_the_named_pipes() {
    let Some(bin) = exabgp_cli() else {
        interop_common::skip(
            "clients_exabgpcli",
            "ExaBGP 5.0.15 not installed in $EXABGP_VENV or qa/.venv (.ci/run installs it)",
        );
        return;
    };
    let root = tempfile::tempdir().expect("root");
    let name = pipename();
    let peer = Peer::bind("127.0.0.1");
    // 1500 routes: `show adj-rib out` is ~80 KB, more than a FIFO holds.
    let mut d = start(peer.addr.port(), root.path(), &name, 1500);
    let run = root.path().join("run");
    wait_for(&run.join(format!("{name}.out")), &d);
    let m = std::fs::metadata(run.join(format!("{name}.in"))).expect("fifo");
    assert_eq!(m.mode() & 0o777, 0o660, "root:ferrobgp-ctl 0660 (or 0600)");
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();
    let table = read_table(&mut s, &log);
    assert!(!table.is_empty());
    let cli = Cli {
        bin,
        root: root.path().to_path_buf(),
        name: name.clone(),
    };

    // Several commands in sequence, each answered as ExaBGP 5.0.15 answers.
    let (rc, out, err) = cli.run("version");
    assert_eq!(rc, Some(0), "{err}\n{}", log());
    assert!(out.starts_with("exabgp 5.0.15"), "{out:?}\n{err}");
    let (rc, out, err) = cli.run("show neighbor summary");
    assert_eq!(rc, Some(0), "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0], "Peer            AS        up/down state       |     #sent     #recvd",
        "{out}"
    );
    assert!(
        lines[1].starts_with("127.0.0.1       65000 ") && lines[1].contains("established"),
        "{out}"
    );
    // A shortcut the client expands (`a` = `announce`; its `r` is never
    // expanded: 5.0.15 compares a list with a string), on the wire.
    let (rc, out, err) = cli.run("a route 10.77.0.0/24 next-hop 127.0.0.1");
    assert_eq!(rc, Some(0), "{err}");
    assert_eq!(
        out, "command: announce route 10.77.0.0/24 next-hop 127.0.0.1\n",
        "{err}"
    );
    let u = s.read_non_keepalive(LONG).expect("update");
    assert_eq!((u.kind, u.body), (UPDATE, announce_24([10, 77, 0])));
    let (rc, out, _) = cli.run("withdraw route 10.77.0.0/24");
    assert_eq!((rc, out.as_str()), (Some(0), ""));
    let u = s.read_non_keepalive(LONG).expect("update");
    assert_eq!((u.kind, u.body), (UPDATE, withdraw_24([10, 77, 0])));
    // An unknown command: `error`, which the client reports on stderr.
    let (rc, out, err) = cli.run("bogus command");
    assert_eq!((rc, out.as_str()), (Some(0), ""));
    assert!(
        err.starts_with("ExaBGP returns an error (see ExaBGP's logs"),
        "{err}"
    );
    // The large answer, whole.
    let (rc, out, err) = cli.run("show adj-rib out");
    assert_eq!(rc, Some(0), "{err}");
    assert_eq!(out.lines().count(), 1500, "{}", &out[..200.min(out.len())]);
    assert!(out.starts_with("127.0.0.1 ipv4 unicast 10.200.0.0/24 next-hop 127.0.0.1"));

    // A client dies mid-answer; the next one, at once, gets its own answer
    // (it discards the stale lines before it sends, as with ExaBGP).
    let got = client_dies_mid_answer(&run, &name, "show adj-rib out");
    assert!(got > 0);
    let t0 = Instant::now();
    let (rc, out, err) = cli.run("version");
    assert_eq!(rc, Some(0), "{err}");
    assert!(out.starts_with("exabgp 5.0.15"), "{out:?} {err}");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    // Dies again, and nobody reads for longer than the daemon waits: the
    // rest is dropped (logged) and the FIFO emptied.
    client_dies_mid_answer(&run, &name, "show adj-rib out");
    wait_file_contains(&d.log, "named-pipe cli: no client read its answer", log);
    let (rc, out, err) = cli.run("show neighbor summary");
    assert_eq!(rc, Some(0), "{err}");
    assert!(out.starts_with("Peer "), "{out:?}");
    // The daemon still serves: a command reaches the wire.
    let (rc, _, err) = cli.run("announce route 10.78.0.0/24 next-hop 127.0.0.1");
    assert_eq!(rc, Some(0), "{err}");
    let u = s.read_non_keepalive(LONG).expect("update");
    assert_eq!((u.kind, u.body), (UPDATE, announce_24([10, 78, 0])));

    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
    assert!(
        !run.join(format!("{name}.in")).exists(),
        "the FIFOs are removed at exit"
    );
}

#[test]
fn a_planted_fifo_is_refused_and_left_alone() {
    let root = tempfile::tempdir().expect("root");
    let name = pipename() + "p";
    let run = root.path().join("run");
    std::fs::create_dir(&run).expect("mkdir");
    let planted = run.join(format!("{name}.in"));
    nix::unistd::mkfifo(&planted, Mode::from_bits_truncate(0o666)).expect("mkfifo");
    // Owned by another user (we may be root, else the test cannot plant).
    if nix::unistd::chown(&planted, Some(nix::unistd::Uid::from_raw(4321)), None).is_err() {
        interop_common::skip(
            "clients_exabgpcli planted",
            "not root: cannot give a FIFO to another user",
        );
        return;
    }
    let ino = std::fs::metadata(&planted).expect("meta").ino();
    let peer = Peer::bind("127.0.0.1");
    let mut d = start(peer.addr.port(), root.path(), &name, 1);
    let log = || d.log_text();
    let text = wait_file_contains(&d.log, "named-pipe cli refused", log);
    assert!(text.contains("owned by uid 4321"), "{text}");
    assert!(text.contains("planted"), "{text}");
    let m = std::fs::metadata(&planted).expect("still there");
    assert_eq!((m.ino(), m.uid()), (ino, 4321), "left alone");
    assert!(!run.join(format!("{name}.out")).exists());
    // The daemon runs on without it: the session comes up.
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    assert!(!read_table(&mut s, &log).is_empty());
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
