//! What ExaBGP 5.0.15 did in each `qa/clients` scenario, as
//! `qa/clients/record-exabgp` recorded it in `qa/clients/exabgp-5.0.15/`:
//! the messages its peer received (`<name>.wire`, each with the scenario
//! step during which it came) and the JSON lines its helper read
//! (`<name>.json`, normalised by [`normalise_json`]). The `clients_*` tests
//! compare ferrobgp's run of the same scenario with these.

#![allow(dead_code)]

use std::path::PathBuf;

/// One message the recording peer received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The scenario step during which it came (`established` first).
    pub step: String,
    /// 2 (UPDATE) or 3 (NOTIFICATION).
    pub kind: u8,
    pub body: Vec<u8>,
}

/// A `.wire` recording.
#[derive(Debug, Clone)]
pub struct Wire {
    pub msgs: Vec<Recorded>,
    /// `# lo <step> <addresses>`: the IPv4 addresses on `lo` after a step.
    pub lo: Vec<(String, Vec<String>)>,
    /// `# sent <hex>`: the UPDATE bodies the recording peer sent, in order.
    pub sent: Vec<Vec<u8>>,
}

fn path(file: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../qa/clients/exabgp-5.0.15"
    ))
    .join(file)
}

fn read(file: &str) -> String {
    let p = path(file);
    std::fs::read_to_string(&p).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (re-record with qa/clients/record-exabgp)",
            p.display()
        )
    })
}

/// `common::unhex` (every test crate that includes this module includes
/// `common` too), refusing an odd number of digits.
fn unhex(s: &str) -> Vec<u8> {
    assert!(s.len() % 2 == 0, "odd hex {s}");
    crate::common::unhex(s)
}

/// The recording `qa/clients/exabgp-5.0.15/<name>.wire`.
pub fn wire(name: &str) -> Wire {
    let text = read(&format!("{name}.wire"));
    let mut msgs = Vec::new();
    let mut lo = Vec::new();
    let mut sent = Vec::new();
    for line in text.lines() {
        if let Some(hex) = line.strip_prefix("# sent ") {
            sent.push(unhex(hex));
            continue;
        }
        if let Some(rest) = line.strip_prefix("# lo ") {
            let mut f = rest.split(' ');
            let step = f.next().expect("step").to_string();
            let addrs = f.filter(|a| *a != "-").map(String::from).collect();
            lo.push((step, addrs));
            continue;
        }
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split(' ').collect();
        assert_eq!(f.len(), 3, "{name}.wire: {line}");
        let kind = match f[1] {
            "update" => 2,
            "notification" => 3,
            k => panic!("{name}.wire: kind {k}"),
        };
        msgs.push(Recorded {
            step: f[0].to_string(),
            kind,
            body: unhex(f[2]),
        });
    }
    Wire { msgs, lo, sent }
}

impl Wire {
    /// The bodies of the UPDATEs received during `step`, in order.
    pub fn updates(&self, step: &str) -> Vec<Vec<u8>> {
        self.msgs
            .iter()
            .filter(|m| m.step == step && m.kind == 2)
            .map(|m| m.body.clone())
            .collect()
    }

    /// The steps in the order they came, each with its UPDATE bodies
    /// (a step that comes back, e.g. a second `ban`, is listed again).
    pub fn steps(&self) -> Vec<(String, Vec<Vec<u8>>)> {
        let mut out: Vec<(String, Vec<Vec<u8>>)> = Vec::new();
        for m in self.msgs.iter().filter(|m| m.kind == 2) {
            match out.last_mut() {
                Some((s, bodies)) if *s == m.step => bodies.push(m.body.clone()),
                _ => out.push((m.step.clone(), vec![m.body.clone()])),
            }
        }
        out
    }

    /// The addresses recorded on `lo` after `step`.
    pub fn lo_after(&self, step: &str) -> Vec<String> {
        self.lo
            .iter()
            .find(|(s, _)| s == step)
            .unwrap_or_else(|| panic!("no `# lo {step}` line"))
            .1
            .clone()
    }
}

/// The recording `qa/clients/exabgp-5.0.15/<name>.json`, one line each.
pub fn json(name: &str) -> Vec<String> {
    read(&format!("{name}.json"))
        .lines()
        .map(String::from)
        .collect()
}

/// What a value must be for the recorder's normalisation to replace it.
#[derive(Clone, Copy)]
enum Kind {
    /// digits only (`[0-9]+`: `pid`, `ppid`)
    Digits,
    /// a number (`[0-9.eE+-]+`: `time`)
    Number,
    /// a string without escaped quotes (`"[^"]*"`: `host`)
    Str,
}

/// Replaces the value of the first `"key" : value` of `line` (spacing
/// kept) whose value is of `kind` by `with`, as the recorder's
/// `re.sub(r'("key"\s*:\s*)PATTERN', ..., count=1)` does: an occurrence
/// whose value is of another kind is left as it is.
fn replace_value(line: &str, key: &str, kind: Kind, with: &str) -> String {
    let needle = format!("\"{key}\"");
    let mut from = 0;
    while let Some(found) = line[from..].find(&needle) {
        let after_key = from + found + needle.len();
        from = after_key;
        let rest = &line[after_key..];
        let colon = rest.len() - rest.trim_start().len();
        if !rest[colon..].starts_with(':') {
            continue;
        }
        let after_colon = &rest[colon + 1..];
        let start = after_key + colon + 1 + (after_colon.len() - after_colon.trim_start().len());
        let value = &line[start..];
        let len = match kind {
            Kind::Str => match value.strip_prefix('"').and_then(|s| s.find('"')) {
                Some(i) => i + 2,
                None => 0,
            },
            Kind::Digits => value
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(value.len()),
            Kind::Number => value
                .find(|c: char| !(c.is_ascii_digit() || ".eE+-".contains(c)))
                .unwrap_or(value.len()),
        };
        if len > 0 {
            return format!("{}{with}{}", &line[..start], &line[start + len..]);
        }
    }
    line.to_string()
}

/// The normalisation of `qa/clients/record-exabgp` (`normalise`): the
/// numbers of the header's `time`, `pid` and `ppid` become `0`, the string
/// of `host` `"HOST"`; a value of another kind is kept. All the rest of
/// the line, spacing included, is compared byte for byte.
pub fn normalise_json(line: &str) -> String {
    let line = replace_value(line, "time", Kind::Number, "0");
    let line = replace_value(&line, "pid", Kind::Digits, "0");
    let line = replace_value(&line, "ppid", Kind::Digits, "0");
    replace_value(&line, "host", Kind::Str, "\"HOST\"")
}

#[test]
fn normalise_json_replaces_only_the_volatile_values() {
    let line = r#"{ "exabgp": "5.0.0", "time": 1733580000.123, "host" : "box", "pid" : 12, "ppid" : 1, "counter": 3, "type": "state" }"#;
    assert_eq!(
        normalise_json(line),
        r#"{ "exabgp": "5.0.0", "time": 0, "host" : "HOST", "pid" : 0, "ppid" : 0, "counter": 3, "type": "state" }"#
    );
    // as the recorder: strings of time/pid/ppid and a number for host are
    // values, not the volatile header, and stay
    let line = r#"{ "time": "t", "host": 7, "pid": "12", "ppid": "1", "x": 1 }"#;
    assert_eq!(normalise_json(line), line);
    let line = r#"{ "pid": "p", "neighbor": { "pid": 42 } }"#;
    assert_eq!(
        normalise_json(line),
        r#"{ "pid": "p", "neighbor": { "pid": 0 } }"#
    );
}

/// What `exabgp-cli` printed for one command (`<name>.out`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CliAnswer {
    pub command: String,
    pub rc: i32,
    pub stdout: String,
    pub stderr: String,
}

/// The recording `qa/clients/exabgp-5.0.15/<name>.out`: per command
/// `$ <command>`, `rc N`, `stdout N` and `stderr N` each followed by N
/// lines written `|<line>`.
pub fn cli_answers(name: &str) -> Vec<CliAnswer> {
    let text = read(&format!("{name}.out"));
    let mut lines = text.lines().filter(|l| !l.starts_with('#')).peekable();
    let mut out = Vec::new();
    let block = |lines: &mut std::iter::Peekable<_>, what: &str| -> String {
        let head: &str = lines.next().expect("block head");
        let n: usize = head
            .strip_prefix(what)
            .and_then(|r: &str| r.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name}.out: `{head}`, not `{what} N`"));
        let mut s = String::new();
        for _ in 0..n {
            let l: &str = lines.next().expect("line");
            s.push_str(l.strip_prefix('|').expect("|line"));
            s.push('\n');
        }
        s
    };
    while let Some(l) = lines.next() {
        let command = l.strip_prefix("$ ").expect("$ command").to_string();
        let rc = lines
            .next()
            .and_then(|l| l.strip_prefix("rc "))
            .and_then(|r| r.parse().ok())
            .expect("rc N");
        let stdout = block(&mut lines, "stdout");
        let stderr = block(&mut lines, "stderr");
        out.push(CliAnswer {
            command,
            rc,
            stdout,
            stderr,
        });
    }
    out
}
