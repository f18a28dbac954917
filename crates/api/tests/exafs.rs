//! FlowSpec commands as ExaFS (CESNET's exabgp-process) writes them:
//! lists without brackets, which ExaBGP 5.0.15 accepts (issue #16 point 4).

use ferrobgp_api::{parse_line, routes::routes, Command};

/// The routes of an `announce` line, as Debug text (one per route).
fn built(line: &str) -> String {
    let p = parse_line(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    let Command::Route(c) = &p.command else {
        panic!("{line}: not a route command")
    };
    let r = routes(c).unwrap_or_else(|e| panic!("refused: {line}\n{e}"));
    format!("{r:?}")
}

#[test]
fn a_list_without_brackets_is_the_bracketed_list() {
    assert_eq!(
        built("announce flow route { match { destination 10.0.0.1/32; destination-port =80 =443; } then { discard; } }"),
        built("announce flow route { match { destination 10.0.0.1/32; destination-port [ =80 =443 ]; } then { discard; } }"),
    );
    assert_eq!(
        built("announce flow route { match { destination 10.0.0.1/32; protocol =tcp; tcp-flags SYN ACK; } then { discard; } }"),
        built("announce flow route { match { destination 10.0.0.1/32; protocol =tcp; tcp-flags [ SYN ACK ]; } then { discard; } }"),
    );
}

#[test]
fn the_inline_form_still_ends_a_list_at_the_next_keyword() {
    assert_eq!(
        built("announce flow route destination 10.0.0.1/32 destination-port =80 =443 protocol =tcp discard"),
        built("announce flow route destination 10.0.0.1/32 destination-port [ =80 =443 ] protocol [ =tcp ] discard"),
    );
}
