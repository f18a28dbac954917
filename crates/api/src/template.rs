//! The fast path of the commonest API line, `announce route PREFIX ATTRS`
//! (and `withdraw route PREFIX ATTRS`): a helper writes the same ATTRS for
//! prefix after prefix, so the route built for the last such line is kept
//! as a template and the next line with the same action, address family
//! and ATTRS words only gets its prefix replaced — no configuration lexer,
//! no route grammar, no attribute set built again (they share its `Arc`).
//!
//! The template is taken only where the prefix cannot change anything else:
//! a `route` command that built exactly one plain prefix route whose prefix
//! is its first word as written (so no `split`, no route distinguisher or
//! label), unicast addresses only (a multicast group could select another
//! SAFI). One template per thread: bounded, whatever the helper writes.

use crate::command::{RouteCommand, RouteKind, Verb};
use crate::routes::ApiRoute;
use ferrobgp_wire::nlri::Nlri;
use ipnet::IpNet;
use std::cell::RefCell;

struct Template {
    action: Verb,
    ipv4: bool,
    attributes: Vec<String>,
    route: ApiRoute,
}

thread_local! {
    static LAST: RefCell<Option<Template>> = const { RefCell::new(None) };
}

/// The first word of `cmd` as a plain unicast prefix (no host bits).
fn plain_prefix(cmd: &RouteCommand) -> Option<(IpNet, &[String])> {
    if cmd.kind != RouteKind::Route {
        return None;
    }
    let (first, rest) = cmd.words.split_first()?;
    let net: IpNet = first.parse().ok()?;
    (net.trunc() == net && !net.addr().is_multicast()).then_some((net, rest))
}

/// The route of `cmd` from the template, when the template fits it.
pub fn lookup(cmd: &RouteCommand) -> Option<ApiRoute> {
    let (net, attributes) = plain_prefix(cmd)?;
    LAST.with(|last| {
        let last = last.borrow();
        let t = last.as_ref()?;
        if t.action != cmd.action
            || t.ipv4 != matches!(net, IpNet::V4(_))
            || t.attributes != attributes
        {
            return None;
        }
        let mut route = t.route.clone();
        match &mut route.route.nlri {
            Nlri::Prefix(p) => p.net = net,
            _ => return None,
        }
        Some(route)
    })
}

/// Keeps what the full grammar built for `cmd` as the template, when it is
/// one plain prefix route made from `cmd`'s first word.
pub fn remember(cmd: &RouteCommand, built: &[ApiRoute]) {
    let Some((net, attributes)) = plain_prefix(cmd) else {
        return;
    };
    let [route] = built else { return };
    match &route.route.nlri {
        Nlri::Prefix(p) if p.net == net => {}
        _ => return,
    }
    LAST.with(|last| {
        *last.borrow_mut() = Some(Template {
            action: cmd.action,
            ipv4: matches!(net, IpNet::V4(_)),
            attributes: attributes.to_vec(),
            route: route.clone(),
        });
    });
}

/// Forgets the template (tests compare both paths).
#[cfg(test)]
pub fn forget() {
    LAST.with(|last| *last.borrow_mut() = None);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_line;
    use crate::routes::routes;
    use crate::Command;

    fn command(line: &str) -> RouteCommand {
        match parse_line(line).expect("parse").command {
            Command::Route(r) => r,
            other => panic!("not a route command: {other:?}"),
        }
    }

    /// The routes of `line` through the full grammar only.
    fn slow(line: &str) -> Vec<ApiRoute> {
        forget();
        let out = routes(&command(line)).expect("routes");
        forget();
        out
    }

    #[test]
    fn the_fast_path_builds_what_the_grammar_builds() {
        let attribute_sets = [
            "next-hop 192.0.2.1",
            "next-hop 192.0.2.1 origin egp med 20 local-preference 300 community [ 65000:1 65000:2 ] as-path [ 1 2 3 ]",
            "next-hop self",
            "next-hop 192.0.2.1 path-information 7",
            "next-hop 192.0.2.1 name web watchdog health",
        ];
        let prefixes = ["10.0.0.0/8", "1.0.1.0/24", "198.51.100.7/32", "0.0.0.0/0"];
        let prefixes6 = ["2001:db8::/32", "2001:db8:1::/48"];
        for attrs in attribute_sets {
            for action in ["announce", "withdraw"] {
                forget();
                for p in prefixes.iter().chain(prefixes6.iter()) {
                    let line = format!("{action} route {p} {attrs}");
                    let expected = slow(&line);
                    // Warm the template with another prefix of the family.
                    let warm = if p.contains(':') {
                        "2001:db8:ffff::/48"
                    } else {
                        "203.0.113.0/24"
                    };
                    let warmed = routes(&command(&format!("{action} route {warm} {attrs}")))
                        .expect("routes");
                    assert_eq!(warmed.len(), 1, "{line}");
                    let cmd = command(&line);
                    let fast = lookup(&cmd).unwrap_or_else(|| panic!("no fast path for {line}"));
                    assert_eq!(vec![fast], expected, "{line}");
                    assert_eq!(routes(&cmd).expect("routes"), expected, "{line}");
                }
            }
        }
    }

    #[test]
    fn a_different_line_shape_does_not_use_the_template() {
        forget();
        routes(&command("announce route 10.0.0.0/24 next-hop 192.0.2.1")).expect("routes");
        // Other attributes, other action, other family, host bits, split,
        // multicast: each goes through the grammar.
        for line in [
            "announce route 10.0.1.0/24 next-hop 192.0.2.2",
            "withdraw route 10.0.1.0/24 next-hop 192.0.2.1",
            "announce route 10.0.1.1/24 next-hop 192.0.2.1",
            "announce route 224.0.1.0/24 next-hop 192.0.2.1",
        ] {
            assert!(lookup(&command(line)).is_none(), "{line}");
        }
        forget();
        let split = "announce route 10.0.0.0/23 next-hop 192.0.2.1 split /24";
        assert_eq!(routes(&command(split)).expect("routes").len(), 2);
        assert!(
            lookup(&command(
                "announce route 10.0.2.0/23 next-hop 192.0.2.1 split /24"
            ))
            .is_none(),
            "a split is never a template"
        );
    }

    #[test]
    fn routes_of_a_template_share_its_attribute_set() {
        forget();
        let a = routes(&command(
            "announce route 10.0.0.0/24 next-hop 192.0.2.1 med 5",
        ))
        .expect("routes");
        let b = routes(&command(
            "announce route 10.0.1.0/24 next-hop 192.0.2.1 med 5",
        ))
        .expect("routes");
        assert!(std::sync::Arc::ptr_eq(
            &a[0].route.attributes,
            &b[0].route.attributes
        ));
    }
}
