//! Privilege drop and confinement, proved from outside: children are spawned
//! through `Privileges::configure` and their credentials are read from
//! `/proc/PID/status` while they run; confined children report what the
//! kernel refused them.
//!
//! The drop tests need root (CI runs as root); as an ordinary user they skip
//! with a message. The Landlock tests skip when the kernel has no Landlock.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::io::RawFd;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use ferrobgp_supervisor::capability::Capability;
use ferrobgp_supervisor::confine::{self, Role};
use ferrobgp_supervisor::privilege::{hand_descriptors, ChildKind, Privileges, ServiceUser};

// ---------------------------------------------------------------------------
// Child mode: this test binary re-executed with FERROBGP_PRIVTEST_CHILD set
// runs the confinement checks before libtest starts (libtest always runs a
// second thread, and confinement refuses a multi-threaded process).

#[used]
#[link_section = ".init_array"]
static CHILD_MODE: extern "C" fn() = child_mode;

extern "C" fn child_mode() {
    let Ok(mode) = std::env::var("FERROBGP_PRIVTEST_CHILD") else {
        return;
    };
    if mode == "capable" {
        capable_supervisor_mode();
    }
    if mode == "ordinary" {
        // An ordinary user: nothing to drop, and a named user is ignored.
        let mut death: libc::c_int = 0;
        // SAFETY: PR_GET_PDEATHSIG writes one int.
        unsafe { libc::prctl(libc::PR_GET_PDEATHSIG, &mut death as *mut libc::c_int) };
        match Privileges::detect(Some("root")) {
            Ok(p) => println!(
                "privileged={} switch={} pdeathsig={death}",
                p.is_privileged(),
                p.service_user().is_some()
            ),
            Err(e) => println!("detect-error {e}"),
        }
        std::process::exit(0);
    }
    let role = if mode == "rib" {
        Role::Rib
    } else {
        // A session gets its connections from the supervisor: no socket.
        Role::Session
    };
    // The parent hands fd 3; anything from fd 4 up must be gone.
    let report = match confine::child(role, 4) {
        Ok(r) => r,
        Err(e) => {
            println!("confine-error {e}");
            std::process::exit(2);
        }
    };
    let mut line = format!(
        "landlock={:?} seccomp={:?}",
        report.landlock, report.seccomp
    );
    let errno = |r: std::io::Result<()>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("errno{}", e.raw_os_error().unwrap_or(-1)),
    };
    line += &format!(
        " open_passwd={}",
        errno(std::fs::File::open("/etc/passwd").map(drop))
    );
    line += &format!(
        " create_tmp={}",
        errno(std::fs::File::create("/tmp/ferrobgp-privtest-should-not-exist").map(drop))
    );
    line += &format!(" fd3={}", fd_open(3));
    line += &format!(" fd5={}", fd_open(5));
    if let Some(port) = std::env::var("FERROBGP_PRIVTEST_PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
    {
        line += &format!(
            " connect={}",
            errno(std::net::TcpStream::connect(("127.0.0.1", port)).map(drop))
        );
        // connect() itself, on a descriptor the process holds (fd 3, the
        // handed socket): refused before the kernel looks at the socket.
        let addr = libc::sockaddr_in {
            sin_family: libc::AF_INET as libc::sa_family_t,
            sin_port: port.to_be(),
            sin_addr: libc::in_addr {
                s_addr: u32::from_ne_bytes([127, 0, 0, 1]),
            },
            sin_zero: [0; 8],
        };
        // SAFETY: a valid sockaddr_in and its size.
        let rc = unsafe {
            libc::connect(
                3,
                (&addr as *const libc::sockaddr_in).cast(),
                std::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        };
        line += &format!(
            " connect_fd3={}",
            if rc == 0 {
                "ok".to_string()
            } else {
                format!(
                    "errno{}",
                    std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
                )
            }
        );
    }
    // Last: exec must be refused (seccomp answers EPERM before Landlock).
    let path = c"/bin/true";
    let argv = [path.as_ptr(), std::ptr::null()];
    // SAFETY: NUL-terminated path and argv; on success this process becomes
    // /bin/true and the report line below is never printed.
    unsafe { libc::execv(path.as_ptr(), argv.as_ptr()) };
    line += &format!(
        " exec=errno{}",
        std::io::Error::last_os_error().raw_os_error().unwrap_or(-1)
    );
    println!("{line}");
    std::process::exit(0);
}

/// Child mode "capable": this process plays a supervisor started by systemd
/// as the service user with an ambient capability; it spawns a worker and
/// prints the worker's credentials, then its own.
fn capable_supervisor_mode() -> ! {
    let privileges = match Privileges::detect(None) {
        Ok(p) => p,
        Err(e) => {
            println!("detect-error {e}");
            std::process::exit(2);
        }
    };
    let child = spawn_cat(&privileges, ChildKind::Worker, &[]);
    let worker = status_of(child.id());
    finish(child);
    let me = status_of(std::process::id());
    let pick = |s: &HashMap<String, String>| {
        ["Uid", "CapEff", "CapPrm", "CapInh", "CapAmb", "NoNewPrivs"]
            .iter()
            .map(|k| format!("{k}={}", s[*k].split_whitespace().next().unwrap_or("")))
            .collect::<Vec<_>>()
            .join(" ")
    };
    println!(
        "privileged={} switch={} worker: {} self: {}",
        privileges.is_privileged(),
        privileges.service_user().is_some(),
        pick(&worker),
        pick(&me)
    );
    std::process::exit(0);
}

fn fd_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only inspects the descriptor table.
    unsafe { libc::fcntl(fd, libc::F_GETFD) >= 0 }
}

// ---------------------------------------------------------------------------
// Helpers

fn is_root() -> bool {
    nix::unistd::geteuid().is_root()
}

/// The service user of the tests: `ferrobgp`, created when missing (root
/// only), else `nobody`.
fn test_user() -> &'static ServiceUser {
    static USER: OnceLock<ServiceUser> = OnceLock::new();
    USER.get_or_init(|| {
        if ServiceUser::lookup("ferrobgp").unwrap().is_none() && is_root() {
            // Several test binaries may race here: useradd locks the user
            // database and a loser fails with "already exists", which is fine.
            let _ = Command::new("useradd")
                .args([
                    "--system",
                    "--user-group",
                    "--no-create-home",
                    "--home-dir",
                    "/nonexistent",
                    "--shell",
                    "/usr/sbin/nologin",
                    "ferrobgp",
                ])
                .status();
        }
        ServiceUser::lookup("ferrobgp")
            .unwrap()
            .or_else(|| ServiceUser::lookup("nobody").unwrap())
            .expect("neither ferrobgp nor nobody exists")
    })
}

fn skip_unless_root(test: &str) -> bool {
    !ferrobgp_testkit::require_root(test, "to prove the privilege drop (CI runs as root)")
}

/// `/proc/PID/status` as a map of field to value.
fn status_of(pid: u32) -> HashMap<String, String> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

fn hex_caps(v: &str) -> u64 {
    u64::from_str_radix(v, 16).unwrap()
}

/// Starts `/bin/cat`, which blocks on its stdin until the test closes it,
/// and waits until it echoed one line: by then it has finished starting up
/// (its C library opens and closes locale files right after exec).
fn spawn_cat(privileges: &Privileges, kind: ChildKind, extra_env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new("/bin/cat");
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    privileges.configure(&mut cmd, kind, 3);
    start_cat(cmd)
}

fn start_cat(mut cmd: Command) -> Child {
    cmd.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    child.stdin.as_mut().unwrap().write_all(b"ping\n").unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line, "ping\n");
    child
}

fn finish(mut child: Child) {
    drop(child.stdin.take());
    let status = child.wait().unwrap();
    assert!(status.success(), "cat exited with {status}");
}

fn assert_runs_as(status: &HashMap<String, String>, user: &ServiceUser) {
    let uid = user.uid.to_string();
    let gid = user.gid.to_string();
    let uids: Vec<&str> = status["Uid"].split_whitespace().collect();
    let gids: Vec<&str> = status["Gid"].split_whitespace().collect();
    assert_eq!(
        uids,
        vec![uid.as_str(); 4],
        "Uid (real, effective, saved, fs)"
    );
    assert_eq!(
        gids,
        vec![gid.as_str(); 4],
        "Gid (real, effective, saved, fs)"
    );
    let mut groups: Vec<u32> = status["Groups"]
        .split_whitespace()
        .map(|g| g.parse().unwrap())
        .collect();
    groups.sort_unstable();
    assert_eq!(groups, user.groups, "supplementary groups");
}

// ---------------------------------------------------------------------------
// Privilege drop (root)

#[test]
fn worker_runs_as_service_user_with_no_capability_and_no_new_privs() {
    if skip_unless_root("worker_runs_as_service_user_with_no_capability_and_no_new_privs") {
        return;
    }
    let user = test_user();
    let privileges = Privileges::detect(Some(&user.name)).unwrap();
    assert!(privileges.is_privileged());
    assert_eq!(privileges.service_user(), Some(user));
    let child = spawn_cat(&privileges, ChildKind::Worker, &[]);
    let status = status_of(child.id());
    finish(child);
    assert_runs_as(&status, user);
    for set in ["CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"] {
        assert_eq!(hex_caps(&status[set]), 0, "{set} of a worker");
    }
    assert_eq!(status["NoNewPrivs"], "1");
}

#[test]
fn helper_runs_as_service_user_without_systemd_variables() {
    if skip_unless_root("helper_runs_as_service_user_without_systemd_variables") {
        return;
    }
    let user = test_user();
    let privileges = Privileges::detect(Some(&user.name)).unwrap();
    let child = spawn_cat(
        &privileges,
        ChildKind::Helper,
        &[
            ("NOTIFY_SOCKET", "/run/systemd/notify"),
            ("LISTEN_FDS", "1"),
        ],
    );
    let status = status_of(child.id());
    let environ = std::fs::read(format!("/proc/{}/environ", child.id())).unwrap();
    finish(child);
    assert_runs_as(&status, user);
    for set in ["CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"] {
        assert_eq!(hex_caps(&status[set]), 0, "{set} of a helper");
    }
    assert_eq!(status["NoNewPrivs"], "1");
    let vars: Vec<&[u8]> = environ.split(|b| *b == 0).collect();
    assert!(!vars.iter().any(|v| v.starts_with(b"NOTIFY_SOCKET=")));
    assert!(!vars.iter().any(|v| v.starts_with(b"LISTEN_FDS=")));
    let home = format!("HOME={}", user.home);
    assert!(
        vars.contains(&home.as_bytes()),
        "helper gets the service user's HOME"
    );
}

#[test]
fn helper_keeps_exactly_the_configured_capability() {
    if skip_unless_root("helper_keeps_exactly_the_configured_capability") {
        return;
    }
    let user = test_user();
    let privileges = Privileges::detect(Some(&user.name))
        .unwrap()
        .with_helper_capabilities(&[Capability::NET_ADMIN])
        .unwrap();
    let bit = 1u64 << Capability::NET_ADMIN.number();
    let helper = spawn_cat(&privileges, ChildKind::Helper, &[]);
    let worker = spawn_cat(&privileges, ChildKind::Worker, &[]);
    let (hs, ws) = (status_of(helper.id()), status_of(worker.id()));
    finish(helper);
    finish(worker);
    assert_runs_as(&hs, user);
    for set in ["CapEff", "CapPrm", "CapInh", "CapAmb", "CapBnd"] {
        assert_eq!(
            hex_caps(&hs[set]),
            bit,
            "{set} of a helper keeping CAP_NET_ADMIN"
        );
        assert_eq!(hex_caps(&ws[set]), 0, "{set} of a worker");
    }
    assert_eq!(hs["NoNewPrivs"], "1");
}

#[test]
fn capable_non_root_supervisor_clears_every_set_in_its_workers() {
    // What systemd does with User=ferrobgp + AmbientCapabilities=
    // CAP_NET_BIND_SERVICE, done here by our own helper-capability path.
    if skip_unless_root("capable_non_root_supervisor_clears_every_set_in_its_workers") {
        return;
    }
    let user = test_user();
    let privileges = Privileges::detect(Some(&user.name))
        .unwrap()
        .with_helper_capabilities(&[Capability::NET_BIND_SERVICE])
        .unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("FERROBGP_PRIVTEST_CHILD", "capable")
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    privileges.configure(&mut cmd, ChildKind::Helper, 3);
    let output = cmd.output().unwrap();
    let line = String::from_utf8_lossy(&output.stdout).trim().to_string();
    assert!(output.status.success(), "{line}");
    let (head, rest) = line.split_once(" worker: ").unwrap();
    let (worker, me) = rest.split_once(" self: ").unwrap();
    assert_eq!(head, "privileged=true switch=false");
    let bit = format!("{:016x}", 1u64 << Capability::NET_BIND_SERVICE.number());
    let uid = user.uid.to_string();
    assert_eq!(
        me,
        format!("Uid={uid} CapEff={bit} CapPrm={bit} CapInh={bit} CapAmb={bit} NoNewPrivs=1"),
        "the stand-in supervisor holds CAP_NET_BIND_SERVICE like under systemd"
    );
    let zero = "0000000000000000";
    assert_eq!(
        worker,
        format!("Uid={uid} CapEff={zero} CapPrm={zero} CapInh={zero} CapAmb={zero} NoNewPrivs=1")
    );
}

#[test]
fn an_ordinary_user_has_nothing_to_drop() {
    if skip_unless_root("an_ordinary_user_has_nothing_to_drop") {
        return;
    }
    let privileges = Privileges::detect(Some(&test_user().name)).unwrap();
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("FERROBGP_PRIVTEST_CHILD", "ordinary")
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    privileges.configure(&mut cmd, ChildKind::Worker, 3);
    let output = cmd.output().unwrap();
    let line = String::from_utf8_lossy(&output.stdout).trim().to_string();
    // A worker dies with the supervisor (SIGKILL: workers ignore SIGTERM).
    assert_eq!(line, "privileged=false switch=false pdeathsig=9");
}

#[test]
fn detect_refuses_a_missing_user_and_root() {
    if skip_unless_root("detect_refuses_a_missing_user_and_root") {
        return;
    }
    assert!(Privileges::detect(Some("ferrobgp-no-such-user-x")).is_err());
    // root is for the helpers only: the workers' user is never root.
    let p = Privileges::detect(Some("root")).unwrap();
    assert!(p.helpers_as_root());
    assert_ne!(p.service_user().map(|u| u.uid), Some(0));
    assert_eq!(p.helper_run_as().uid, 0);
}

// ---------------------------------------------------------------------------
// Any user

#[test]
fn unprivileged_plan_keeps_the_user_and_hands_only_the_given_descriptors() {
    let privileges = Privileges::unprivileged();
    assert!(!privileges.is_privileged());
    // Two pipes without close-on-exec: one handed as fd 3, one not handed.
    let mut handed = [0 as RawFd; 2];
    let mut leaked = [0 as RawFd; 2];
    // SAFETY: pipe(2) fills the arrays.
    unsafe {
        assert_eq!(libc::pipe(handed.as_mut_ptr()), 0);
        assert_eq!(libc::pipe(leaked.as_mut_ptr()), 0);
    }
    let mut cmd = Command::new("/bin/cat");
    let first_free = hand_descriptors(&mut cmd, &[handed[0]]);
    assert_eq!(first_free, 4);
    privileges.configure(&mut cmd, ChildKind::Worker, first_free);
    let child = start_cat(cmd);
    let mut fds: Vec<RawFd> = std::fs::read_dir(format!("/proc/{}/fd", child.id()))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_str().unwrap().parse().unwrap())
        .collect();
    fds.sort_unstable();
    let status = status_of(child.id());
    finish(child);
    for fd in handed.iter().chain(leaked.iter()) {
        // SAFETY: closing our own pipe ends.
        unsafe { libc::close(*fd) };
    }
    assert_eq!(
        fds,
        vec![0, 1, 2, 3],
        "only stdio and the handed descriptor"
    );
    let me = nix::unistd::getuid().as_raw().to_string();
    assert_eq!(status["Uid"].split_whitespace().next(), Some(me.as_str()));
    assert_eq!(
        status["NoNewPrivs"], "1",
        "a worker always sets no-new-privs"
    );
}

#[test]
fn unprivileged_helper_is_left_alone() {
    let privileges = Privileges::unprivileged();
    let child = spawn_cat(&privileges, ChildKind::Helper, &[]);
    let status = status_of(child.id());
    finish(child);
    let ours = status_of(std::process::id());
    assert_eq!(status["Uid"], ours["Uid"]);
    assert_eq!(status["NoNewPrivs"], ours["NoNewPrivs"]);
}

// ---------------------------------------------------------------------------
// Confinement (Landlock + seccomp), in a re-executed child

fn run_confined(role: &str, port: Option<u16>, privileges: &Privileges) -> String {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("FERROBGP_PRIVTEST_CHILD", role)
        .stdin(Stdio::null())
        .stdout(Stdio::piped());
    if let Some(port) = port {
        cmd.env("FERROBGP_PRIVTEST_PORT", port.to_string());
    }
    // Hand fd 3, and (on purpose, like a buggy supervisor) let fds 4 and 5
    // through exec: the child's confine::child(.., 4) must close them.
    let file = tempfile::tempfile().unwrap();
    let raw = std::os::fd::AsRawFd::as_raw_fd(&file);
    let first_free = hand_descriptors(&mut cmd, &[raw, raw, raw]);
    assert_eq!(first_free, 6);
    privileges.configure(&mut cmd, ChildKind::Worker, first_free);
    let output = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).to_string();
    assert!(output.status.success(), "child failed: {text}");
    let mut lines = BufReader::new(text.as_bytes()).lines();
    lines.next().unwrap().unwrap()
}

fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .unwrap_or_else(|| panic!("no {key} in `{line}`"))
}

fn landlock_missing(test: &str) -> bool {
    if confine::landlock_abi() > 0 {
        return false;
    }
    ferrobgp_testkit::skip(test, "this kernel has no Landlock (ABI 0)");
    true
}

#[test]
fn confined_session_cannot_open_files_or_exec() {
    if landlock_missing("confined_session_cannot_open_files_or_exec") {
        return;
    }
    let line = run_confined("session", None, &Privileges::unprivileged());
    let full = if confine::landlock_abi() >= 6 {
        "Full"
    } else {
        "Partial"
    };
    assert_eq!(field(&line, "landlock"), full, "{line}");
    assert_eq!(field(&line, "open_passwd"), "errno13", "EACCES: {line}");
    assert_eq!(field(&line, "create_tmp"), "errno13", "EACCES: {line}");
    assert_eq!(
        field(&line, "fd3"),
        "true",
        "handed descriptor kept: {line}"
    );
    assert_eq!(
        field(&line, "fd5"),
        "false",
        "unhanded descriptor closed: {line}"
    );
    assert_eq!(field(&line, "seccomp"), "Full", "{line}");
    assert_eq!(field(&line, "exec"), "errno1", "EPERM from seccomp: {line}");
}

#[test]
fn confined_rib_and_session_cannot_connect_over_tcp() {
    let test = "confined_rib_and_session_cannot_connect_over_tcp";
    if landlock_missing(test) {
        return;
    }
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Control: the listener takes a connection from an unconfined process.
    std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    for role in ["rib", "session"] {
        let line = run_confined(role, Some(port), &Privileges::unprivileged());
        assert_eq!(field(&line, "open_passwd"), "errno13", "{role}: {line}");
        // EPERM: seccomp refuses both any socket (the supervisor connects
        // for a session worker), and connect() on what they hold.
        assert_eq!(
            field(&line, "connect"),
            "errno1",
            "{role}: EPERM from seccomp: {line}"
        );
        assert_eq!(
            field(&line, "connect_fd3"),
            "errno1",
            "{role}: EPERM from seccomp: {line}"
        );
    }
}

#[test]
fn dropped_and_confined_worker_as_service_user() {
    if skip_unless_root("dropped_and_confined_worker_as_service_user")
        || landlock_missing("dropped_and_confined_worker_as_service_user")
    {
        return;
    }
    let user = test_user();
    let privileges = Privileges::detect(Some(&user.name)).unwrap();
    let line = run_confined("session", None, &privileges);
    // Root could read /etc/passwd; the dropped, confined worker cannot.
    assert_eq!(field(&line, "open_passwd"), "errno13", "{line}");
    assert_eq!(field(&line, "exec"), "errno1", "{line}");
}

#[test]
fn child_mode_is_inert_in_the_test_process() {
    // The .init_array hook above must not have fired here.
    assert!(std::env::var_os("FERROBGP_PRIVTEST_CHILD").is_none());
    let mut out = std::io::sink();
    writeln!(out, "ok").unwrap();
}
