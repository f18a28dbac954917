//! The sandbox seen from inside: system calls injected with gdb into the
//! real rib and session worker of a `ferrobgp run` started as root, as an
//! attacker who took over the process would make them; the supervisor's
//! own credentials from /proc; `ferrobgp cli` refusing a planted socket.
//!
//! Each probe prints `name=result/errno`: the result of the last call of
//! its sequence and errno after it. What must hold:
//! - neither the rib nor a worker can create a Unix socket (so neither can
//!   connect to the control socket), a UDP socket, or listen;
//! - neither can create a TCP socket, or connect a socket it holds
//!   (`connect()` on its channel to the supervisor): the supervisor makes
//!   a worker's outgoing connection and hands it in, so an injected
//!   `socket()`/`connect()` reaches no other host (nor port), and not even
//!   the peer;
//! - neither can open a file;
//! - the supervisor keeps only CAP_KILL, CAP_SETGID, CAP_SETUID,
//!   CAP_SETPCAP and CAP_NET_BIND_SERVICE, with no-new-privs and seccomp.
//!
//! Needs root and gdb (`.ci/run` installs it); it skips otherwise.

mod common;
mod interop_common;

use common::*;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::process::Command;
use std::time::{Duration, Instant};

fn status_of(pid: u32) -> HashMap<String, String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

fn needs_root(test: &str) -> bool {
    if nix::unistd::Uid::effective().is_root() {
        return false;
    }
    interop_common::skip(test, "needs root (CI runs as root)");
    true
}

/// Bytes at `var` (in the page the probes map), as gdb `set` commands.
fn bytes_at(var: &str, bytes: impl IntoIterator<Item = u8>) -> String {
    bytes
        .into_iter()
        .enumerate()
        .map(|(i, b)| format!("set *(unsigned char*)({var}+{i}) = {b}\n"))
        .collect()
}

/// A sockaddr_in for 127.0.0.`host`:`port`, as gdb `set` commands on
/// `var` (an address in the page the probes map, see [`probes_in`]).
fn sockaddr_in(var: &str, host: u8, port: u16) -> String {
    format!(
        "set *(long*){var} = 0\nset *(long*)({var}+8) = 0\n\
         set *(unsigned short*){var} = 2\n\
         set *(unsigned short*)({var}+2) = {}\n\
         set *(unsigned int*)({var}+4) = {:#010x}\n",
        port.swap_bytes(),
        u32::from_le_bytes([127, 0, 0, host])
    )
}

/// A sockaddr_un for `path`, as gdb `set` commands on `$u`.
fn sockaddr_un(path: &str) -> String {
    "set *(unsigned short*)$u = 1\n".to_string() + &bytes_at("($u+2)", path.bytes().chain([0]))
}

/// One probe: `steps` are system calls (`rawsys` commands, each leaving
/// its result in `$r`); it stops at the first negative result and prints
/// `name=result/errno` (`-1/errno` for a refusal, as libc would say it).
fn probe(name: &str, steps: &[&str]) -> String {
    let mut s = "set $r = 0\n".to_string();
    for step in steps {
        s += &format!("if $r >= 0\n  {step}\nend\n");
    }
    s + &format!(
        "if $r < 0\n  printf \"PROBE {name}=-1/%d\\n\", -$r\nelse\n  printf \"PROBE {name}=%ld/0\\n\", $r\nend\n"
    )
}

/// The gdb commands that make system calls inside the stopped process
/// without calling any of its functions: `rawsys NR A B C D E F` sets the
/// registers of the x86-64 system call convention, points the program
/// counter at a `syscall` instruction (found in libc's `syscall()`) and
/// steps over it; `$r` is then the kernel's result (`-errno` on failure).
/// The registers are saved first and put back by [`RESTORE`]. gdb's own
/// inferior calls (`print syscall(...)`) save and restore the whole
/// extended register state, which gdb 13 cannot write back on CPUs with
/// AMX ("Couldn't write extended state status: Bad address"); general
/// registers it can.
const RAWSYS: &str = "\
set $sc = (unsigned char*)syscall
set $i = 0
while $i < 128 && !($sc[$i] == 0x0f && $sc[$i+1] == 0x05)
  set $i = $i + 1
end
if $i == 128
  printf \"no syscall instruction in syscall()\\n\"
  quit
end
set $insn = $sc + $i
set $s_pc = $pc
set $s_orig = $orig_rax
set $s_rax = $rax
set $s_rdi = $rdi
set $s_rsi = $rsi
set $s_rdx = $rdx
set $s_r10 = $r10
set $s_r8 = $r8
set $s_r9 = $r9
set $s_rcx = $rcx
set $s_r11 = $r11
set $s_eflags = $eflags
define rawsys
  set $rax = $arg0
  set $rdi = $arg1
  set $rsi = $arg2
  set $rdx = $arg3
  set $r10 = $arg4
  set $r8 = $arg5
  set $r9 = $arg6
  set $pc = $insn
  stepi
  set $r = (long)$rax
end
";

/// Puts back what [`RAWSYS`] saved. Writing `$pc` makes gdb clear
/// `orig_rax` (so that the kernel restarts nothing): it is written back
/// after `$pc`, so that the system call the attach interrupted
/// (`epoll_wait`) is restarted as it would have been.
const RESTORE: &str = "\
set $pc = $s_pc
set $orig_rax = $s_orig
set $rax = $s_rax
set $rdi = $s_rdi
set $rsi = $s_rsi
set $rdx = $s_rdx
set $r10 = $s_r10
set $r8 = $s_r8
set $r9 = $s_r9
set $rcx = $s_rcx
set $r11 = $s_r11
set $eflags = $s_eflags
";

/// Runs the probes of the module documentation inside process `pid`.
fn probes_in(pid: u32, control: &str, peer_port: u16, other_port: u16) -> HashMap<String, String> {
    // one page for the addresses: mmap(NULL, 4096, RW, PRIVATE|ANONYMOUS)
    let mut script = format!(
        "set language c\nset confirm off\n{RAWSYS}\
         rawsys 9 0 4096 3 0x22 -1 0\nset $m = $r\n\
         set $u = $m\nset $a = $m+128\nset $p = $m+160\nset $h = $m+192\nset $f = $m+224\n\
         {}{}{}{}{}",
        sockaddr_un(control),
        sockaddr_in("$a", 1, other_port),
        sockaddr_in("$p", 1, peer_port),
        sockaddr_in("$h", 2, peer_port),
        bytes_at("$f", "/etc/passwd".bytes().chain([0])),
    );
    let unix = "rawsys 41 1 1 0 0 0 0";
    let unix_connect = "rawsys 42 $r $u 110 0 0 0";
    let tcp = "rawsys 41 2 1 0 0 0 0";
    let tcp_other = "rawsys 42 $r $a 16 0 0 0";
    let tcp_peer = "rawsys 42 $r $p 16 0 0 0";
    let tcp_host = "rawsys 42 $r $h 16 0 0 0";
    // connect() on a descriptor the process already holds: fd 3, its
    // channel to the supervisor (unfiltered, the kernel would answer
    // EISCONN or EINVAL, not EPERM).
    let connect_held = "rawsys 42 3 $h 16 0 0 0";
    let udp = "rawsys 41 2 2 0 0 0 0";
    let listen = "rawsys 50 $r 1 0 0 0 0";
    // openat(AT_FDCWD, "/etc/passwd", O_RDONLY)
    let open = "rawsys 257 -100 $f 0 0 0 0";
    script += &probe("unix", &[unix, unix_connect]);
    script += &probe("tcp_other", &[tcp, tcp_other]);
    script += &probe("tcp_peer", &[tcp, tcp_peer]);
    script += &probe("tcp_other_host", &[tcp, tcp_host]);
    script += &probe("connect_held", &[connect_held]);
    script += &probe("udp", &[udp]);
    script += &probe("listen", &[tcp, listen]);
    script += &probe("open", &[open]);
    // the page goes (munmap), then the registers
    script += "rawsys 11 $m 4096 0 0 0 0\n";
    script += RESTORE;
    script += "detach\nquit\n";
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("probe.gdb");
    std::fs::write(&file, &script).expect("write gdb script");
    let out = Command::new("gdb")
        .args(["-nx", "-batch", "-p", &pid.to_string(), "-x"])
        .arg(&file)
        .output()
        .expect("run gdb");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let results: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.strip_prefix("PROBE "))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    assert_eq!(
        results.len(),
        8,
        "gdb did not run every probe in {pid}:\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    results
}

fn refused(r: &HashMap<String, String>, name: &str, errno: i32, who: &str) {
    assert_eq!(
        r[name],
        format!("-1/{errno}"),
        "{who}: {name} must be refused with errno {errno}: {r:?}"
    );
}

#[test]
fn as_root_workers_reach_only_their_peer_and_the_supervisor_keeps_little() {
    let test = "as_root_workers_reach_only_their_peer_and_the_supervisor_keeps_little";
    if needs_root(test) {
        return;
    }
    if interop_common::require(test, "gdb", &["gdb"]).is_none() {
        return;
    }
    let runtime = tempfile::tempdir().expect("runtime dir");
    std::fs::set_permissions(runtime.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod runtime dir");
    let peer = Peer::bind("127.0.0.1");
    let other = std::net::TcpListener::bind("127.0.0.1:0").expect("other listener");
    let other_port = other.local_addr().expect("addr").port();
    // Another host on the peer's port (what Landlock's port rules let
    // through before): reachable from an unconfined process.
    let other_host = std::net::TcpListener::bind(("127.0.0.2", peer.addr.port()))
        .expect("listener on 127.0.0.2");
    drop(std::net::TcpStream::connect(other_host.local_addr().expect("addr")).expect("control"));
    let conf = format!(
        "neighbor 127.0.0.1 {{\n router-id 10.0.0.1;\n local-address 127.0.0.1;\n local-as 65000;\n peer-as 65000;\n connect {};\n family {{ ipv4 unicast; }}\n}}\n",
        peer.addr.port()
    );
    let mut d = Daemon::start(
        &conf,
        &[],
        &[
            ("exabgp_api_cli", "true".to_string()),
            ("exabgp_api_socketname", "ctl".to_string()),
            (
                "RUNTIME_DIRECTORY",
                runtime.path().to_string_lossy().into_owned(),
            ),
        ],
    );
    let control = runtime.path().join("ctl.sock");
    let control_s = control.to_string_lossy().into_owned();
    d.wait_children(&["__rib", "__session"]);
    // The worker reaches its peer through the connection the supervisor
    // made for it: the session is established before the
    // probes (so they never race the worker's own connection attempts).
    let _session = {
        let mut s = peer.accept();
        s.establish(65000, [10, 0, 0, 2], 180);
        s
    };
    let deadline = Instant::now() + LONG;
    while !control.exists() {
        assert!(
            Instant::now() < deadline,
            "no control socket\n{}",
            d.log_text()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // The control socket answers root (the probes below are not a fluke
    // of a dead socket).
    let (code, text) = cli(&control_s, "version");
    assert_eq!(code, Some(0), "root's cli: {text}\n{}", d.log_text());

    let kids = d.children();
    let pid_of = |needle: &str| {
        *kids
            .iter()
            .find(|p| cmdline(**p).contains(needle))
            .unwrap_or_else(|| panic!("no {needle} child"))
    };
    let (rib, worker) = (pid_of("__rib"), pid_of("__session"));

    let all_sockets = [
        "unix",
        "tcp_other",
        "tcp_peer",
        "tcp_other_host",
        "connect_held",
        "udp",
        "listen",
    ];
    let w = probes_in(worker, &control_s, peer.addr.port(), other_port);
    for name in all_sockets {
        refused(&w, name, libc::EPERM, "session worker");
    }
    refused(&w, "open", libc::EACCES, "session worker");

    let r = probes_in(rib, &control_s, peer.addr.port(), other_port);
    for name in all_sockets {
        refused(&r, name, libc::EPERM, "rib");
    }
    refused(&r, "open", libc::EACCES, "rib");
    assert!(
        alive(rib) && alive(worker),
        "the probes killed a worker\n{}",
        d.log_text()
    );
    // and both carry on where the probes stopped them (the interrupted
    // epoll_wait restarted): the rib answers, the session is still up
    let (code, text) = cli(&control_s, "show neighbor summary");
    assert_eq!(code, Some(0), "after the probes: {text}\n{}", d.log_text());
    assert!(
        text.contains("127.0.0.1") && text.to_lowercase().contains("established"),
        "after the probes: {text}\n{}",
        d.log_text()
    );

    let st = status_of(d.pid());
    // CAP_KILL 5, CAP_SETGID 6, CAP_SETUID 7, CAP_SETPCAP 8, CAP_NET_BIND_SERVICE 10.
    for set in ["CapEff", "CapPrm", "CapBnd"] {
        assert_eq!(st[set], "00000000000005e0", "supervisor {set}: {st:?}");
    }
    for (k, v) in [
        ("CapInh", "0000000000000000"),
        ("CapAmb", "0000000000000000"),
        ("NoNewPrivs", "1"),
        ("Seccomp", "2"),
    ] {
        assert_eq!(st[k], v, "supervisor {k}");
    }
    let log = d.log_text();
    assert!(
        log.contains("supervisor capabilities kept: CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE; no-new-privs set; seccomp on"),
        "{log}"
    );
    d.signal(libc::SIGTERM);
    assert_clean_exit(&mut d);
}

/// A fake daemon in `dir`: answers one command, and says what it got.
fn fake_daemon(dir: &std::path::Path) -> (String, std::thread::JoinHandle<Option<String>>) {
    let path = dir.join("exabgp.sock");
    let l = UnixListener::bind(&path).expect("bind planted socket");
    l.set_nonblocking(true).expect("nonblocking");
    let handle = std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok((s, _)) = l.accept() {
                s.set_nonblocking(false).ok()?;
                let mut line = String::new();
                BufReader::new(&s).read_line(&mut line).ok()?;
                let _ = (&s).write_all(b"exabgp 6.6.6\ndone\n");
                return Some(line);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    });
    (path.to_string_lossy().into_owned(), handle)
}

#[test]
fn as_root_the_cli_refuses_a_socket_another_user_planted() {
    let test = "as_root_the_cli_refuses_a_socket_another_user_planted";
    if needs_root(test) {
        return;
    }
    let nobody = nix::unistd::User::from_name("nobody")
        .ok()
        .flatten()
        .expect("user nobody");
    // What a local user can do in /tmp: make a directory and a socket there.
    let planted = tempfile::tempdir().expect("tempdir");
    std::fs::set_permissions(planted.path(), std::fs::Permissions::from_mode(0o755))
        .expect("chmod");
    nix::unistd::chown(planted.path(), Some(nobody.uid), Some(nobody.gid)).expect("chown");
    let (sock, fake) = fake_daemon(planted.path());
    nix::unistd::chown(sock.as_str(), Some(nobody.uid), Some(nobody.gid)).expect("chown sock");
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .args(["cli", "--socket", &sock, "version"])
        .output()
        .expect("run cli");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the cli trusted {sock}");
    assert!(
        stderr.contains("refusing the control socket")
            && stderr.contains(&format!("is owned by uid {}", nobody.uid)),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "printed a fake answer");
    assert_eq!(
        fake.join().expect("fake daemon"),
        None,
        "a command reached the fake daemon"
    );

    // Control: the same fake daemon in a directory of root's is reached.
    let safe = tempfile::tempdir().expect("tempdir");
    let (sock, fake) = fake_daemon(safe.path());
    let out = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .args(["cli", "--socket", &sock, "version"])
        .output()
        .expect("run cli");
    assert!(
        String::from_utf8_lossy(&out.stdout).starts_with("exabgp 6.6.6\n"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        fake.join().expect("fake daemon").as_deref(),
        Some("version\n")
    );
}
