//! A real client, unchanged: `exabgp-cli` from ExaBGP 5.0.15 (the
//! virtualenv of `$EXABGP_VENV`, else `qa/.venv`) talking to ferrobgp
//! through ExaBGP 5's named pipes `<pipename>.in` / `<pipename>.out`,
//! which the supervisor creates in the directory `exabgp_cli_pipe` names
//! (here `<tmp>/run/`, one of the places the client searches under
//! `$EXABGP_ROOT`). What the client prints is what it printed against
//! ExaBGP 5.0.15 for the same commands, and the UPDATEs the peer receives
//! are the ones 5.0.15 sent (`qa/clients/exabgp-5.0.15/exabgpcli.out` and
//! `.wire`, recorded by `qa/clients/record-exabgp exabgpcli`); `show adj-rib
//! out|in` of many families likewise (`exabgpcli_families.*`, configuration
//! `qa/clients/exabgpcli_families.conf`). Also: a client that
//! dies mid-answer does not wedge the daemon, and a FIFO another user
//! planted is refused and left alone.

mod clients_recorded;
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

/// `show neighbor summary` without what belongs to one run: the header,
/// then per peer its address, AS, state and message counts (the up/down
/// time left out).
fn summary_shape(out: &str) -> Vec<String> {
    out.lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                return l.to_string();
            }
            let f: Vec<&str> = l.split_whitespace().collect();
            format!("{} {} {}", f[0], f[1], f[3..].join(" "))
        })
        .collect()
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
    let shared = nix::unistd::geteuid().is_root();
    if shared {
        assert!(
            ensure_operator_group().is_some(),
            "cannot create the ferrobgp-ctl group as root"
        );
    }
    let root = tempfile::tempdir().expect("root");
    let name = pipename();
    let peer = Peer::bind("127.0.0.1");
    // 1500 routes: `show adj-rib out` is ~80 KB, more than a FIFO holds.
    let mut d = start(peer.addr.port(), root.path(), &name, 1500);
    let run = root.path().join("run");
    wait_for(&run.join(format!("{name}.out")), &d);
    let m = std::fs::metadata(run.join(format!("{name}.in"))).expect("fifo");
    // root:ferrobgp-ctl 0660 as root (the group made below, before the
    // daemon starts, as the package makes it); the daemon's user alone
    // (0600) otherwise
    let want = if shared { 0o660 } else { 0o600 };
    assert_eq!(m.mode() & 0o777, want, "FIFO mode (root: {shared})");
    let mut s = peer.accept();
    s.establish(65000, [10, 0, 0, 2], 30);
    let log = || d.log_text();
    let rec = clients_recorded::wire("exabgpcli");
    let answers = clients_recorded::cli_answers("exabgpcli");
    let table = read_table(&mut s, &log);
    let mut want = rec.updates("established");
    want.retain(|b| *b != EOR);
    assert_eq!(table, want, "the table, as ExaBGP 5.0.15 sent it");
    let cli = Cli {
        bin,
        root: root.path().to_path_buf(),
        name: name.clone(),
    };

    // The commands of the recording, in its order, each answered as ExaBGP
    // 5.0.15 answered it (qa/clients/exabgp-5.0.15/exabgpcli.out), and what
    // reached the wire after it (exabgpcli.wire, step cliN).
    for (i, want) in answers.iter().enumerate().take(6) {
        let (rc, out, err) = cli.run(&want.command);
        let step = format!("cli{}", i + 1);
        match want.command.as_str() {
            // differs on purpose: `exabgp 5.0.15 (ferrobgp 0.1.0)`
            "version" => {
                assert_eq!(want.stdout, "exabgp 5.0.15\n");
                assert_eq!((rc, err.as_str()), (Some(want.rc), ""), "{}", log());
                assert!(
                    out.starts_with("exabgp 5.0.15 (ferrobgp "),
                    "{out:?}\n{err}"
                );
            }
            // the up/down time is the run's
            "show neighbor summary" => {
                assert_eq!((rc, err.as_str()), (Some(want.rc), ""), "{}", log());
                assert_eq!(summary_shape(&out), summary_shape(&want.stdout), "{out}");
            }
            _ => assert_eq!(
                (rc, out.as_str(), err.as_str()),
                (Some(want.rc), want.stdout.as_str(), want.stderr.as_str()),
                "`{}`: not what exabgp-cli printed against ExaBGP 5.0.15",
                want.command
            ),
        }
        for w in rec.updates(&step) {
            let u = s.read_non_keepalive(LONG).expect("update");
            assert_eq!((u.kind, u.body), (UPDATE, w), "`{}`", want.command);
        }
    }
    assert_eq!(
        answers[2].command,
        "a route 10.77.0.0/24 next-hop 127.0.0.1"
    );
    assert_eq!(answers[5].command, "show adj-rib out");
    assert_eq!(answers[5].stdout.lines().count(), 1500);

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
    // The daemon still serves: a command reaches the wire, as recorded.
    let want = &answers[6];
    let (rc, out, err) = cli.run(&want.command);
    assert_eq!(
        (rc, out.as_str(), err.as_str()),
        (Some(want.rc), want.stdout.as_str(), want.stderr.as_str())
    );
    let u = s.read_non_keepalive(LONG).expect("update");
    assert_eq!((u.kind, u.body), (UPDATE, rec.updates("cli7")[0].clone()));

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

/// `qa/clients/exabgpcli_families.conf` for a peer on `port`.
fn families_conf(port: u16) -> String {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../qa/clients/exabgpcli_families.conf"
    ))
    .expect("qa/clients/exabgpcli_families.conf");
    assert!(text.contains("connect PORT;"));
    text.replace("connect PORT;", &format!("connect {port};"))
}

/// The IPv4 NLRI (after the attributes, no path identifiers) of `body`
/// (an UPDATE), each as its bytes, in ascending byte order; the offset
/// where they start.
fn ipv4_nlri(body: &[u8]) -> (usize, Vec<Vec<u8>>) {
    let wl = u16::from_be_bytes([body[0], body[1]]) as usize;
    let al = u16::from_be_bytes([body[2 + wl], body[3 + wl]]) as usize;
    let start = 4 + wl + al;
    let mut nlri = Vec::new();
    let mut i = start;
    while i < body.len() {
        let n = 1 + (body[i] as usize).div_ceil(8);
        nlri.push(body[i..i + n].to_vec());
        i += n;
    }
    nlri.sort();
    (start, nlri)
}

/// The NLRI of the one UPDATE of the table that lists its IPv4 NLRI in
/// another order than 5.0.15's, the rest of its bytes identical
/// (qa/clients/README.md): two `10.1.0.0/24` with different
/// `path-information`, sent without add-path as the peer did not offer
/// it, and `10.0.0.0/8`.
fn reordered_nlri() -> Vec<Vec<u8>> {
    let mut v = vec![vec![24, 10, 1, 0], vec![24, 10, 1, 0], vec![8, 10]];
    v.sort();
    v
}

/// `body` with its IPv4 NLRI in ascending byte order when it is that
/// UPDATE (see `reordered_nlri`), as it is otherwise.
fn ipv4_nlri_sorted(body: &[u8]) -> Vec<u8> {
    let (start, nlri) = ipv4_nlri(body);
    if nlri != reordered_nlri() {
        return body.to_vec();
    }
    let mut out = body[..start].to_vec();
    out.extend(nlri.concat());
    out
}

/// (AFI, SAFI) of an UPDATE and whether it is that family's End-of-RIB
/// (RFC 4724: an empty UPDATE for IPv4 unicast, else an MP_UNREACH_NLRI
/// alone with no NLRI).
fn update_family(body: &[u8]) -> ((u16, u8), bool) {
    let wl = u16::from_be_bytes([body[0], body[1]]) as usize;
    let al = u16::from_be_bytes([body[2 + wl], body[3 + wl]]) as usize;
    if body.len() == 4 {
        return ((1, 1), true);
    }
    let attrs = &body[4 + wl..4 + wl + al];
    let mut i = 0;
    while i < attrs.len() {
        let (flags, code) = (attrs[i], attrs[i + 1]);
        let (len, hdr) = if flags & 0x10 != 0 {
            (u16::from_be_bytes([attrs[i + 2], attrs[i + 3]]) as usize, 4)
        } else {
            (attrs[i + 2] as usize, 3)
        };
        let value = &attrs[i + hdr..i + hdr + len];
        if code == 14 || code == 15 {
            let family = (u16::from_be_bytes([value[0], value[1]]), value[2]);
            let eor = code == 15 && len == 3 && wl == 0 && i + hdr + len == attrs.len() && i == 0;
            return (family, eor);
        }
        i += hdr + len;
    }
    ((1, 1), false)
}

/// Panics unless each family's End-of-RIB comes after the last UPDATE of
/// that family in `table` (in the order it was sent).
fn assert_eor_after_each_family(table: &[Vec<u8>], what: &str) {
    let mut last = std::collections::BTreeMap::new();
    let mut eor = std::collections::BTreeMap::new();
    for (i, b) in table.iter().enumerate() {
        match update_family(b) {
            (f, true) => {
                assert!(
                    eor.insert(f, i).is_none(),
                    "{what}: two End-of-RIBs of {f:?}"
                );
            }
            (f, false) => {
                last.insert(f, i);
            }
        }
    }
    for (f, i) in &last {
        let e = eor
            .get(f)
            .unwrap_or_else(|| panic!("{what}: no End-of-RIB of {f:?}"));
        assert!(
            e > i,
            "{what}: End-of-RIB of {f:?} (UPDATE {e}) before its last route (UPDATE {i})"
        );
    }
}

/// `show adj-rib out|in` of routes of many families (IPv4/IPv6 unicast,
/// multicast, labelled unicast, IPv4/IPv6 mpls-vpn with rd and labels,
/// add-path `path-information`, VPLS, one route with every common
/// attribute; EVPN routes of the five types received from the peer;
/// from the configuration and through the API, one replaced,
/// one withdrawn and announced again), in the text, `extensive` and
/// `json` forms: byte for byte what exabgp-cli printed against ExaBGP
/// 5.0.15 (`qa/clients/exabgp-5.0.15/exabgpcli_families.out`), nothing
/// normalised. The route announcements are checked to reach the wire as
/// 5.0.15 sent them.
#[test]
fn exabgp_cli_show_adj_rib_of_many_families() {
    let Some(bin) = exabgp_cli() else {
        interop_common::skip(
            "clients_exabgpcli families",
            "ExaBGP 5.0.15 not installed in $EXABGP_VENV or qa/.venv (.ci/run installs it)",
        );
        return;
    };
    let root = tempfile::tempdir().expect("root");
    let name = pipename() + "f";
    let peer = Peer::bind("127.0.0.1");
    let port = peer.addr.port();
    let mut d = Daemon::start(
        &families_conf(port),
        &[],
        &[
            ("exabgp_tcp_port", port.to_string()),
            ("exabgp_api_cli", "true".into()),
            ("exabgp_api_pipename", name.clone()),
            (
                "exabgp_cli_pipe",
                root.path().join("run").to_string_lossy().into_owned(),
            ),
            (
                "RUNTIME_DIRECTORY",
                root.path().join("rt").to_string_lossy().into_owned(),
            ),
        ],
    );
    let run = root.path().join("run");
    wait_for(&run.join(format!("{name}.out")), &d);
    let mut s = peer.accept();
    s.establish_families(
        65000,
        [10, 0, 0, 2],
        30,
        &[
            (1, 1),
            (2, 1),
            (1, 2),
            (1, 4),
            (1, 128),
            (2, 128),
            (25, 65),
            (1, 5),
            (2, 5),
            (25, 70),
        ],
    );
    let log = || d.log_text();
    let rec = clients_recorded::wire("exabgpcli_families");
    let answers = clients_recorded::cli_answers("exabgpcli_families");
    // The table and the End-of-RIBs: the same UPDATEs as 5.0.15 sent, in
    // another order, and one difference inside one of them (see
    // `ipv4_nlri_sorted`).
    let recorded = rec.updates("established");
    assert_eor_after_each_family(&recorded, "ExaBGP 5.0.15");
    let table: Vec<Vec<u8>> = (0..recorded.len())
        .map(|_| {
            let u = s.read_non_keepalive(LONG).expect("table");
            assert_eq!(u.kind, UPDATE, "{}", log());
            u.body
        })
        .collect();
    assert_eor_after_each_family(&table, "ferrobgp");
    for (who, t) in [("5.0.15", &recorded), ("ferrobgp", &table)] {
        let n = t
            .iter()
            .filter(|b| ipv4_nlri(b).1 == reordered_nlri())
            .count();
        assert_eq!(n, 1, "{who}: the UPDATE with NLRI {:?}", reordered_nlri());
    }
    let mut want: Vec<Vec<u8>> = recorded.iter().map(|b| ipv4_nlri_sorted(b)).collect();
    let mut table: Vec<Vec<u8>> = table.iter().map(|b| ipv4_nlri_sorted(b)).collect();
    want.sort();
    table.sort();
    assert_eq!(table, want, "the table, as ExaBGP 5.0.15 sent it");
    assert_eq!(rec.sent.len(), 4);
    for body in &rec.sent {
        s.send(UPDATE, body);
    }
    let cli = Cli {
        bin,
        root: root.path().to_path_buf(),
        name,
    };
    // the peer's routes (all of them: as many lines as 5.0.15 printed)
    // are in before the first `show adj-rib in`
    let received = answers
        .iter()
        .find(|a| a.command == "show adj-rib in")
        .map(|a| a.stdout.lines().count())
        .expect("a recorded `show adj-rib in`");
    let deadline = Instant::now() + LONG;
    while cli.run("show adj-rib in").1.lines().count() < received {
        assert!(Instant::now() < deadline, "{}", log());
        std::thread::sleep(Duration::from_millis(100));
    }
    for (i, want) in answers.iter().enumerate() {
        let (rc, out, err) = cli.run(&want.command);
        assert_eq!(
            (rc, out.as_str(), err.as_str()),
            (Some(want.rc), want.stdout.as_str(), want.stderr.as_str()),
            "`{}`: not what exabgp-cli printed against ExaBGP 5.0.15",
            want.command
        );
        for w in rec.updates(&format!("cli{}", i + 1)) {
            let u = s.read_non_keepalive(LONG).expect("update");
            assert_eq!((u.kind, u.body), (UPDATE, w), "`{}`", want.command);
        }
    }
    assert!(answers
        .iter()
        .any(|a| a.command == "show adj-rib out extensive"));
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}
