//! Bad configurations: each must fail with exactly the given
//! `LINE:COLUMN: message` (first error), never panic.

use ferrobgp_config::{load_str, parse_routes, ConfigError, Diagnostic, LoadOptions};
use std::path::Path;

const N: &str = "neighbor 10.0.0.1 {\n\trouter-id 1.1.1.1;\n\tlocal-address 10.0.0.2;\n";

fn shown(ds: &[Diagnostic]) -> Vec<String> {
    ds.iter()
        .map(|d| format!("{}:{}: {}", d.pos.line, d.pos.column, d.message))
        .collect()
}

/// The errors of a full load; checked against the daemon's way, a load
/// that keeps the routes as text and the rib's parse of them: the same
/// first error (or none).
fn errors(text: &str) -> Vec<String> {
    let full = match load_str(Path::new("/etc/t.conf"), text, &LoadOptions::default()) {
        Ok(_) => Vec::new(),
        Err(ConfigError::Invalid(ds)) => shown(&ds),
        Err(e) => vec![e.to_string()],
    };
    let deferred = LoadOptions {
        defer_routes: true,
        ..LoadOptions::default()
    };
    let split = match load_str(Path::new("/etc/t.conf"), text, &deferred) {
        Ok(l) => {
            let mut ds = Vec::new();
            for n in &l.config.neighbors {
                if let Err(e) = parse_routes(n, |_| {}) {
                    ds.extend(e);
                }
            }
            ds.sort_by_key(|d| d.pos);
            shown(&ds)
        }
        Err(ConfigError::Invalid(ds)) => shown(&ds),
        Err(e) => vec![e.to_string()],
    };
    assert_eq!(
        full.first(),
        split.first(),
        "full load: {full:#?}\nroutes kept as text, then parsed: {split:#?}"
    );
    full
}

/// A neighbor with `body` added after router-id/local-address (line 4 on).
fn nb(body: &str) -> String {
    format!("{N}{body}\n}}\n")
}

#[track_caller]
fn check(text: &str, want: &str) {
    let got = errors(text);
    assert!(!got.is_empty(), "accepted:\n{text}");
    assert_eq!(got[0], want, "all errors: {got:#?}");
}

/// `want` is one of the errors (not necessarily the first).
#[track_caller]
fn check_in(text: &str, want: &str) {
    let got = errors(text);
    assert!(got.iter().any(|g| g == want), "{want:?} not in {got:#?}");
}

#[track_caller]
fn check_prefix(text: &str, want: &str) {
    let got = errors(text);
    assert!(!got.is_empty(), "accepted:\n{text}");
    assert!(
        got[0].starts_with(want),
        "got {:?}, want prefix {want:?}",
        got[0]
    );
}

fn route(rest: &str) -> String {
    nb(&format!(
        "\tstatic {{\n\t\troute 10.0.0.0/24 next-hop 1.2.3.4 {rest};\n\t}}"
    ))
}

const PROC: &str = "process watcher {\n\trun /bin/true;\n\tencoder json;\n}\n";

#[test]
fn neighbor_keywords() {
    check(
        &nb("\troutr-id 1.2.3.4;"),
        "4:2: unknown keyword \"routr-id\" in neighbor (did you mean \"router-id\"?)",
    );
    check_prefix(
        &nb("\tfoo-bar-baz 1;"),
        "4:2: unknown keyword \"foo-bar-baz\" in neighbor: expected one of description, router-id,",
    );
    check(
        &nb("\thold-time 1;"),
        "4:12: hold-time 1 is invalid: expected 0 or 3..65535",
    );
    check(
        &nb("\thold-time 2;"),
        "4:12: hold-time 2 is invalid: expected 0 or 3..65535",
    );
    check(
        &nb("\thold-time 70000;"),
        "4:12: hold-time 70000 is out of range: expected 0..65535",
    );
    check(
        &nb("\tlocal-as 4294967296;"),
        "4:11: invalid AS number \"4294967296\": expected 0..4294967295 or asdot notation (1.10)",
    );
    check(
        &nb("\tpeer-as -1;"),
        "4:10: invalid AS number \"-1\": expected 0..4294967295 or asdot notation (1.10)",
    );
    check(
        &nb("\trouter-id 1.2.3;"),
        "4:12: invalid router-id \"1.2.3\": expected an IPv4 address",
    );
    check(
        &nb("\tpassive maybe;"),
        "4:10: invalid boolean \"maybe\": expected true, false, enable or disable",
    );
    check(
        &nb("\toutgoing-ttl 256;"),
        "4:15: outgoing-ttl 256 is out of range: expected 0..255",
    );
    check(
        &nb("\tconnect 0;"),
        "4:10: connect port 0 is out of range: expected 1..65535",
    );
    check(
        &nb("\tttl-security 5;"),
        "4:2: \"ttl-security\" is ExaBGP 3.x syntax: use outgoing-ttl / incoming-ttl",
    );
    check(
        &nb("\tfamily;"),
        "4:2: \"family\" is a section: expected \"family { ... }\"",
    );
    check(
        &nb(&format!("\tmd5-password {};", "a".repeat(81))),
        "1:1: md5-password is 81 bytes long: at most 80 allowed",
    );
    check(
        &nb("\tdescription \"abc;"),
        "4:14: unterminated quoted string: expected a closing \" on the same line",
    );
}

#[test]
fn incomplete_neighbors() {
    check(
        "neighbor 10.0.0.1 {\n\trouter-id 1.1.1.1;\n}\n",
        "1:1: incomplete neighbor, missing local-address",
    );
    check(
        "neighbor ::1 {\n\tlocal-address ::2;\n}\n",
        "1:1: incomplete neighbor, missing router-id (required when local-address is not IPv4)",
    );
    check(
        "neighbor ::1 {\n\trouter-id 1.1.1.1;\n\tlocal-address 10.0.0.2;\n}\n",
        "1:1: local-address 10.0.0.2 and peer address ::1 are not of the same address family",
    );
    check(
        "neighbor 10.0.0.0/24 { router-id 1.1.1.1; local-address 10.0.0.1; }",
        "1:1: neighbor range 10.0.0.0/24 must be passive (add \"passive;\")",
    );
    check(
        "neighbor 10.0.0.1/24 { router-id 1.1.1.1; local-address 10.0.0.1; }",
        "1:10: invalid prefix \"10.0.0.1/24\": host bits are set (did you mean 10.0.0.0/24?)",
    );
    check(
        &format!("{N}}}\n{N}}}\n"),
        "5:1: duplicate neighbor 10.0.0.1 (already defined at line 1)",
    );
}

#[test]
fn templates_and_processes() {
    let tpl = "template {\n\tneighbor test {\n\t\thold-time 30;\n\t}\n}\n";
    check(
        &format!("{tpl}{}", nb("\tinherit tset;")),
        "9:10: unknown template \"tset\" (did you mean \"test\"?)",
    );
    check(
        "template {\n\tneighbor a {\n\t\tinherit b;\n\t}\n}\n",
        "3:3: \"inherit\" is not allowed inside a template",
    );
    check(
        &format!("{PROC}{}", nb("\tapi {\n\t\tprocesses [ wacher ];\n\t}")),
        "9:15: unknown process \"wacher\": no process section with this name (did you mean \"watcher\"?)",
    );
    check(
        &format!(
            "{PROC}{}",
            nb("\tapi {\n\t\tprocesses [ watcher ];\n\t\tprocesses-match [ \"^w\" ];\n\t}")
        ),
        "10:21: \"processes\" and \"processes-match\" cannot both be used in the same api block",
    );
    check_prefix(
        &format!(
            "{PROC}{}",
            nb("\tapi {\n\t\tprocesses-match [ \"(\" ];\n\t}")
        ),
        "9:21: invalid processes-match regular expression \"(\":",
    );
    check(
        "process p {\n\tencoder json;\n}\n",
        "1:1: incomplete process \"p\", missing run",
    );
    check(
        "process p {\n\trun /bin/true;\n}\n",
        "1:1: incomplete process \"p\", missing encoder (text or json)",
    );
    check(
        "process p {\n\trun /bin/true;\n\tencoder xml;\n}\n",
        "3:10: invalid encoder \"xml\": expected text or json",
    );
    check(
        "process p {\n\trun /bin/true;\n\tencoder json;\n\trespwn false;\n}\n",
        "4:2: unknown keyword \"respwn\" in process p (did you mean \"respawn\"?)",
    );
}

#[test]
fn structure() {
    check(
        "process p {\n\trun /bin/true;\n\tencoder json;\n}\n}\nneighbor 10.0.0.1 {\n}\n",
        "5:1: found \"}\" but no section is open: unbalanced braces",
    );
    let all = errors("neighbor 10.0.0.1 {\n\trouter-id 1.1.1.1");
    assert!(
        all[0].starts_with("1:1: section \"neighbor 10.0.0.1\" opened at line 1 is not closed"),
        "{all:?}"
    );
    check_in(
        "neighbor 10.0.0.1 {\n\trouter-id 1.1.1.1",
        "2:19: unexpected end of file: expected \";\" to end the statement \"router-id\" started at line 2 (last word \"1.1.1.1\")",
    );
    check(
        "group foo {\n}\n",
        "1:1: \"group\" is ExaBGP 3.x syntax: use template { neighbor <name> { ... } } and inherit",
    );
    check(
        "nieghbor 10.0.0.1 {\n}\n",
        "1:1: unknown keyword \"nieghbor\" in the top level (did you mean \"neighbor\"?)",
    );
    check(
        &nb("\tlocal-as 0;"),
        "4:11: local-as 0 is invalid: AS 0 is reserved (RFC 7607)",
    );
    check(
        "neighbor 10.0.0.1 {\n\trouter-id 0.0.0.0;\n\tlocal-address 10.0.0.2;\n}\n",
        "2:12: router-id 0.0.0.0 is invalid: a BGP Identifier is non-zero (RFC 6286)",
    );
    // errors are collected past the first one
    let all = errors(&nb("\thold-time 1;\n\tlocal-as x;"));
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        all[1],
        "5:11: invalid AS number \"x\": expected 0..4294967295 or asdot notation (1.10)"
    );
}

#[test]
fn capabilities_and_families() {
    let cap = |b: &str| nb(&format!("\tcapability {{\n\t\t{b}\n\t}}"));
    check(
        &cap("add-path;"),
        "5:11: missing value for \"add-path\": expected disable, receive, send or send/receive",
    );
    check(
        &cap("add-path receive/send;"),
        "5:12: invalid add-path \"receive/send\": write it \"send/receive\"",
    );
    check(
        &cap("asn5;"),
        "5:3: unknown keyword \"asn5\" in capability (did you mean \"asn4\"?)",
    );
    check(
        &cap("graceful-restart forever;"),
        "5:20: invalid graceful-restart \"forever\": expected a time in seconds 0..65535 or disable",
    );
    let fam = |b: &str| nb(&format!("\tfamily {{\n{b}\n\t}}"));
    check(
        &fam("\t\tipv4 unicst;"),
        "5:8: invalid family \"ipv4 unicst\": expected one of unicast, multicast, nlri-mpls, labeled-unicast, mpls-vpn, mcast-vpn, flow, flow-vpn, mup (did you mean \"unicast\"?)",
    );
    check(
        &fam("\t\tipv6 multicast;"),
        "5:8: invalid family \"ipv6 multicast\": expected one of unicast, nlri-mpls, labeled-unicast, mpls-vpn, mcast-vpn, flow, flow-vpn, mup",
    );
    check(
        &fam("\t\tipv4 unicast;\n\t\tipv4 unicast;"),
        "6:3: duplicate family \"ipv4 unicast\"",
    );
    check(
        &fam("\t\tall;\n\t\tipv4 unicast;"),
        "4:2: \"all\" cannot be combined with other families in the same family block",
    );
}

#[test]
fn routes() {
    let st = |r: &str| nb(&format!("\tstatic {{\n\t\t{r}\n\t}}"));
    check(
        &st("route 10.0.0.1/24 next-hop 1.2.3.4;"),
        "5:9: invalid prefix \"10.0.0.1/24\": host bits are set (did you mean 10.0.0.0/24?)",
    );
    check(
        &st("route 10.0.0.0/33 next-hop 1.2.3.4;"),
        "5:9: invalid prefix length in \"10.0.0.0/33\": expected 0..32",
    );
    check(
        &st("route 10.0.0.0/24 med 1;"),
        "5:9: route 10.0.0.0/24 has no next-hop: add \"next-hop <ip>\" or \"next-hop self\"",
    );
    check(
        &nb("\tfamily {\n\t\tipv4 unicast;\n\t}\n\tstatic {\n\t\troute 2001:db8::/32 next-hop 2001:db8::1;\n\t}"),
        "8:9: route for family \"ipv6 unicast\" but that family is not enabled for this neighbor (add \"ipv6 unicast;\" to its family block)",
    );
    check(
        &nb("\tannounce {\n\t\tipv4 {\n\t\t\tunicast 2001:db8::/32 next-hop ::1;\n\t\t}\n\t}"),
        "6:12: prefix 2001:db8::/32 is IPv6 but the route is ipv4 unicast",
    );
    check(
        &nb("\tannounce {\n\t\tipv4 {\n\t\t\tmpls-vpn 10.0.0.0/24 next-hop 1.2.3.4 label 5;\n\t\t}\n\t}"),
        "6:13: route 10.0.0.0/24 is ipv4 mpls-vpn: it needs an rd",
    );
    check(
        &route("community [ 65536:1 ]"),
        "5:50: invalid community \"65536:1\": expected a:b with both parts 0..65535",
    );
    check_prefix(
        &route("extended-community foo:1:2"),
        "5:57: invalid extended-community \"foo:1:2\": expected target:ASN:NN",
    );
    check(
        &route("large-community 1:2"),
        "5:54: invalid large-community \"1:2\": expected global:local1:local2 (three integers 0..4294967295)",
    );
    check(
        &route("meed 5"),
        "5:38: unknown keyword \"meed\" in route (did you mean \"med\"?)",
    );
    check(
        &route("origin foo"),
        "5:45: invalid origin \"foo\": expected igp, egp or incomplete",
    );
    check(
        &route("med 4294967296"),
        "5:42: med 4294967296 is out of range: expected 0..4294967295",
    );
    check(
        &route("as-path [ 1 x ]"),
        "5:50: invalid AS number \"x\" in as-path: expected 0..4294967295",
    );
    check(
        &nb("\tstatic {\n\t\troute 10.0.0.0/24 next-hop 1.2.3.4 as-path [ 1 2;\n\t}"),
        "5:51: unterminated as-path group opened by \"[\"",
    );
    check(
        &route("split /16"),
        "5:44: cannot split 10.0.0.0/24 into /16: expected a length 24..32",
    );
    check(
        &st("route 10.0.0.0/8 next-hop 1.2.3.4 split /32;"),
        "5:43: split of 10.0.0.0/8 into /32 would make 16777216 routes: at most 65536",
    );
    check(
        &st("route 10.0.0.0/24 rd foo next-hop 1.2.3.4;"),
        "5:24: invalid route distinguisher \"foo\": expected asn:number (65000:1) or ipv4:number (192.0.2.1:1)",
    );
    check(
        &route("label 1048576"),
        "5:44: label 1048576 is out of range: expected 0..1048575",
    );
    check(
        &route("attribute [ 0x99 0x60 0x123 ]"),
        "5:60: invalid attribute data \"0x123\": expected an even number of hexadecimal digits",
    );
}

#[test]
fn other_families() {
    let flow = |m: &str| {
        nb(&format!("\tflow {{\n\t\troute r {{\n\t\t\tmatch {{\n{m}\n\t\t\t}}\n\t\t\tthen {{ discard; }}\n\t\t}}\n\t}}"))
    };
    check(
        &flow("\t\t\t\tsorce 10.0.0.1/32;"),
        "7:5: unknown keyword \"sorce\" in flow match (did you mean \"source\"?)",
    );
    check(
        &flow("\t\t\t\tport [ >abc ];"),
        "7:12: invalid match \">abc\": \"abc\" is not a number or a known name",
    );
    check(
        &flow("\t\t\t\tsource 10.0.0.1/32;\n\t\t\t\tdestination 2001::/64;"),
        "8:17: flow route mixes IPv4 and IPv6 components (first seen at line 7)",
    );
    check(
        &nb("\tl2vpn {\n\t\tvpls rd 1:1 base 1 offset 1 size 8 next-hop 1.2.3.4;\n\t}"),
        "5:8: incomplete vpls route, missing endpoint",
    );
    let ann = |r: &str| {
        nb(&format!(
            "\tannounce {{\n\t\tipv4 {{\n\t\t\t{r}\n\t\t}}\n\t}}"
        ))
    };
    check(
        &ann("mup mup-t2st 10.0.0.1 rd 1:1 teid 12345/0 next-hop 1.1.1.1;"),
        "6:38: teid 12345 does not fit in 0 bits",
    );
    check(
        &ann("mcast-vpn source-ad source 10.0.0.1 rd 1:1 next-hop 1.1.1.1;"),
        "6:14: incomplete mcast-vpn source-ad route, missing group",
    );
    check(
        &nb("\toperational {\n\t\tasm afi ipv4 safi unicast;\n\t}"),
        "5:3: incomplete operational asm message, missing advisory",
    );
}

#[test]
fn braces_that_do_not_balance() {
    // a file cut inside a neighbor block (a truncated copy)
    let full = format!(
        "{}\tlocal-as 65000;\n\tpeer-as 65000;\n\tfamily {{\n\t\tipv4 unicast;\n\t}}\n}}\n",
        N
    );
    assert!(errors(&full).is_empty(), "{:?}", errors(&full));
    let cut = &full[..full.find("ipv4").expect("family")];
    assert_eq!(
        errors(cut),
        [
            "1:1: section \"neighbor 10.0.0.1\" opened at line 1 is not closed before the end of the file: unbalanced braces (truncated file?)",
            "6:2: section \"family\" opened at line 6 is not closed before the end of the file: unbalanced braces (truncated file?)",
        ]
    );
    // cut after a statement
    let cut = &full[..full.find("\tfamily").expect("family")];
    check(
        cut,
        "1:1: section \"neighbor 10.0.0.1\" opened at line 1 is not closed before the end of the file: unbalanced braces (truncated file?)",
    );
    // an extra `}` at the very end: an error (ExaBGP accepts it)
    check(
        &format!("{full}}}\n"),
        "10:1: found \"}\" at the end of the file but no section is open: unbalanced braces",
    );
    // ... accepted with a warning under the compatibility setting
    let mut opts = LoadOptions::default();
    opts.settings.compat.reference_trailing_brace = true;
    let loaded = load_str(Path::new("/etc/t.conf"), &format!("{full}}}\n"), &opts)
        .expect("accepted under reference-trailing-brace");
    assert_eq!(loaded.warnings.len(), 1, "{:?}", loaded.warnings);
    assert_eq!(
        (loaded.warnings[0].pos.line, loaded.warnings[0].pos.column),
        (10, 1)
    );
    // ... which does not excuse a `}` with more after it
    assert!(load_str(
        Path::new("/etc/t.conf"),
        &format!("{full}}}\n{PROC}"),
        &opts
    )
    .is_err());
    // a file ending with `}` that leaves a section open loads as in ExaBGP
    // (whose own files have them)
    assert!(errors(&full[..full.rfind('}').expect("}")]).is_empty());
    // an extra `}` followed by more is an error
    check(
        &format!("{full}}}\n{PROC}"),
        "10:1: found \"}\" but no section is open: unbalanced braces",
    );
}

#[test]
fn template_neighbor_head() {
    check(
        "template {\n\tneighbor {\n\t}\n}\n",
        "2:2: missing template name: expected \"neighbor <name> {\"",
    );
    check(
        "template {\n\tneighbor a b {\n\t}\n}\n",
        "2:13: unexpected \"b\" after the template name: expected \"{\"",
    );
}

/// A word left after a value in a block statement: the same error in a
/// `route <prefix> { }` block, a flow route's `then` block and a `vpls`
/// block (Cursor::left_after, one home for the check and its text).
#[test]
fn a_word_after_a_block_statements_value() {
    check(
        &nb("\tstatic {\n\t\troute 10.0.0.0/24 {\n\t\t\tnext-hop 1.2.3.4;\n\t\t\tmed 10 20;\n\t\t}\n\t}"),
        "7:11: unexpected \"20\" after the value of \"med\": expected \";\"",
    );
    check(
        &nb("\tflow {\n\t\troute r {\n\t\t\tmatch { destination 10.0.0.0/24; }\n\t\t\tthen { community 1:1 extra; }\n\t\t}\n\t}"),
        "7:25: unexpected \"extra\" after the value of \"community\": expected \";\"",
    );
    check(
        &nb("\tl2vpn {\n\t\tvpls site5 {\n\t\t\tendpoint 5 6;\n\t\t}\n\t}"),
        "6:15: unexpected \"6\" after the value of \"endpoint\": expected \";\"",
    );
}
