//! The receive path under the sandbox: the message-decoder fuzz property
//! (crates/wire/tests/msg_fuzz, the `message_decoder` fuzz target) run over
//! every raw message of the conformance suite, any `cargo fuzz` corpus and
//! bounded mutations, inside a process confined exactly as a session
//! worker is (`confine::child(Role::Session, ..)`: Landlock, seccomp,
//! no-new-privs). A system call the filters refuse on a legitimate decode
//! path would surface here as a failed decode or a dead child, not in the
//! field.
//!
//! Runs as any user; skips when the kernel has no Landlock.

mod interop_common;
#[allow(dead_code)]
#[path = "../../wire/tests/msg_fuzz/mod.rs"]
mod msg_fuzz;

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd};
use std::path::PathBuf;
use std::process::{Command, Stdio};

use ferrobgp_supervisor::confine::{self, Role};
use ferrobgp_supervisor::privilege::hand_descriptors;

const CHILD_ENV: &str = "FERROBGP_SANDBOX_FUZZ_CHILD";

// The child runs before libtest starts its threads (confinement needs a
// single thread), from .init_array.
#[used]
#[link_section = ".init_array"]
static CHILD_MODE: extern "C" fn() = child_mode;

extern "C" fn child_mode() {
    if std::env::var_os(CHILD_ENV).is_none() {
        return;
    }
    let report = match confine::child(Role::Session, 4) {
        Ok(r) => r,
        Err(e) => {
            println!("confine-error {e}");
            std::process::exit(2);
        }
    };
    // The inputs come on the handed descriptor 3, read after confinement.
    // SAFETY: the parent handed fd 3 and nothing else in this process owns it.
    let mut f = unsafe { std::fs::File::from_raw_fd(3) };
    let mut all = Vec::new();
    if let Err(e) = f.read_to_end(&mut all) {
        println!("read-error {e}");
        std::process::exit(3);
    }
    let mut n = 0usize;
    let mut rest = all.as_slice();
    while rest.len() >= 4 {
        let len = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        let Some(input) = rest.get(4..4 + len) else {
            break;
        };
        msg_fuzz::check(input);
        n += 1;
        rest = &rest[4 + len..];
    }
    println!(
        "checked {n} landlock={:?} seccomp={:?}",
        report.landlock, report.seccomp
    );
    std::process::exit(0);
}

fn unhex(s: &str) -> Vec<u8> {
    let s: String = s.chars().filter(|c| c.is_ascii_hexdigit()).collect();
    (0..s.len() / 2)
        .filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// Every `raw:` message line of the conformance suite's `.msg` files.
fn conformance() -> Vec<Vec<u8>> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/conformance/encoding");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_none_or(|x| x != "msg") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        for l in text.lines().map(str::trim) {
            if l.contains('#') || l.starts_with("option:") {
                continue;
            }
            let l: String = l.chars().filter(|c| *c != ' ').collect();
            let mut parts = l.splitn(3, ':');
            if let (Some(_), Some(kind), Some(content)) = (parts.next(), parts.next(), parts.next())
            {
                if kind.eq_ignore_ascii_case("raw") {
                    out.push(unhex(&content.replace(':', "")));
                }
            }
        }
    }
    out
}

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/message_decoder");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| std::fs::read(e.ok()?.path()).ok())
        .collect()
}

/// A fixed-seed xorshift, so a failure replays.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn inputs() -> Vec<Vec<u8>> {
    let mut base = Vec::new();
    for raw in conformance().into_iter().chain(corpus()) {
        // The first byte selects the decoder options (see msg_fuzz::check).
        for flags in [0u8, 1, 2, 3] {
            let mut v = vec![flags];
            v.extend(&raw);
            base.push(v);
        }
    }
    let mut rng = Rng(0x005e_ed18);
    let mut out = base.clone();
    for _ in 0..3000 {
        if base.is_empty() {
            break;
        }
        let mut v = base[rng.below(base.len())].clone();
        for _ in 0..=rng.below(4) {
            if v.len() > 1 {
                let i = 1 + rng.below(v.len() - 1);
                match rng.below(3) {
                    0 => v[i] = rng.next() as u8,
                    1 => v.truncate(i),
                    _ => v.insert(i, rng.next() as u8),
                }
            }
        }
        out.push(v);
    }
    out
}

#[test]
fn the_decoders_run_unharmed_inside_a_confined_session_worker() {
    let test = "the_decoders_run_unharmed_inside_a_confined_session_worker";
    if confine::landlock_abi() == 0 {
        interop_common::skip(test, "this kernel has no Landlock");
        return;
    }
    let inputs = inputs();
    if inputs.is_empty() {
        interop_common::skip(
            test,
            "no conformance suite (../shared/conformance) and no corpus",
        );
        return;
    }
    let mut file = tempfile::tempfile().expect("tempfile");
    for i in &inputs {
        file.write_all(&(i.len() as u32).to_be_bytes())
            .expect("write");
        file.write_all(i).expect("write");
    }
    std::io::Seek::rewind(&mut file).expect("rewind");
    let mut cmd = Command::new(std::env::current_exe().expect("exe"));
    cmd.env(CHILD_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    assert_eq!(hand_descriptors(&mut cmd, &[file.as_raw_fd()]), 4);
    let out = cmd.output().expect("run the confined child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the confined decoder died ({:?}): {stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let want = format!("checked {} landlock=Full seccomp=Full", inputs.len());
    assert_eq!(stdout.trim(), want);
}
