//! `ferrobgp decode`: the flags of `exabgp decode` (`-o`, `-u`, `-n` with
//! `-f`, `-i`) and `-` for standard input, checked on the real binary.

use serde_json::Value;
use std::io::Write;
use std::process::{Command, Stdio};

fn decode(args: &[&str], stdin: Option<&str>) -> (i32, Vec<Value>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ferrobgp"))
        .arg("decode")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ferrobgp runs");
    let mut input = child.stdin.take().expect("stdin");
    input
        .write_all(stdin.unwrap_or("").as_bytes())
        .expect("write stdin");
    drop(input);
    let out = child.wait_with_output().expect("ferrobgp exits");
    let values = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON value per line"))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        values,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn nlri_of_a_family() {
    // 10.1.0.0/24 and 192.168.0.1/32 (RFC 4271 prefix encoding)
    let (code, v, _) = decode(&["-n", "18 0A 01 00 20 C0 A8 00 01"], None);
    assert_eq!(code, 0);
    assert_eq!(
        v,
        vec![
            serde_json::json!({"nlri": "10.1.0.0/24"}),
            serde_json::json!({"nlri": "192.168.0.1/32"})
        ]
    );
    let (code, v, _) = decode(
        &["--nlri", "--family", "ipv6/unicast", "20 20 01 0d b8"],
        None,
    );
    assert_eq!(code, 0);
    assert_eq!(v, vec![serde_json::json!({"nlri": "2001:db8::/32"})]);
    // with ADD-PATH path identifiers
    let (code, v, _) = decode(&["-n", "-i", "00000001 18 0A 01 00"], None);
    assert_eq!(code, 0);
    assert_eq!(v[0]["nlri"], "10.1.0.0/24");
    assert_eq!(v[0]["path-information"], "0.0.0.1");
}

#[test]
fn open_body_without_header() {
    // version 4, AS 65001, hold 180, id 10.0.0.2, one MP capability ipv4/unicast
    let (code, v, err) = decode(
        &["-o", "04 FDE9 00B4 0A000002 08 02 06 01 04 0001 0001"],
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v[0]["type"], "open");
    let open = &v[0]["neighbor"]["open"];
    assert_eq!(open["asn"], 65001);
    assert_eq!(open["router_id"], "10.0.0.2");
    assert_eq!(open["capabilities"]["1"]["families"][0], "ipv4/unicast");
}

#[test]
fn standard_input_and_errors() {
    // an IPv4 End-of-RIB from standard input
    let (code, v, err) = decode(
        &["-"],
        Some("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF:0017:02:00000000\n"),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(v[0]["type"], "update");
    assert_eq!(v[0]["neighbor"]["message"]["eor"]["afi"], "ipv4");
    // a truncated message is an error, not a panic
    let (code, v, err) = decode(&["FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF001702000000"], None);
    assert_eq!(code, 1);
    assert!(v.is_empty());
    assert!(err.contains("23 bytes"), "{err}");
    // an unknown family is named
    let (code, _, err) = decode(&["-n", "-f", "ipv5 unicast", "00"], None);
    assert_eq!(code, 1);
    assert!(err.contains("unknown family \"ipv5 unicast\""), "{err}");
    // --family only means something with --nlri
    let (code, _, _) = decode(&["-f", "ipv4 unicast", "00"], None);
    assert_eq!(code, 2);
}
