//! The command grammar: one helper line to a [`ParsedLine`] (spec §2.1,
//! §2.3, §2.4). Route words are kept as words here; `routes` builds them
//! with the configuration's route grammar.

use crate::command::*;
use crate::error::{ApiError, Result};
use crate::normalise::{normalise, words};
use crate::selector::parse_selector;
use ferrobgp_config::lexer::{Token, TokenKind};
use ferrobgp_config::route::operational::{
    parse_operational as parse_operational_tokens, OperationalKind,
};
use ferrobgp_config::Pos;
use ferrobgp_wire::{Afi, Family, Safi};
use std::net::IpAddr;

/// SAFIs accepted after `announce ipv4|ipv6`.
const ROUTE_SAFIS: [&str; 8] = [
    "unicast",
    "multicast",
    "nlri-mpls",
    "mpls-vpn",
    "mcast-vpn",
    "flow",
    "flow-vpn",
    "mup",
];

/// Parses one line (without its newline).
pub fn parse_line(line: &str) -> Result<ParsedLine> {
    if !line.is_ascii() {
        return Err(ApiError::NotAscii);
    }
    let trimmed = line.trim_start_matches([' ', '\t']);
    if let Some(rest) = trimmed.strip_prefix("debug ") {
        return Ok(ParsedLine {
            selector: Default::default(),
            command: Command::Debug(rest.trim().to_string()),
        });
    }
    if trimmed.starts_with("# ") || trimmed.starts_with("#\t") {
        return Ok(ParsedLine {
            selector: Default::default(),
            command: Command::Comment,
        });
    }
    let norm = normalise(line);
    let mut all = words(&norm);
    if all.is_empty() {
        return Err(ApiError::Empty);
    }
    // `restart neighbor IP [...]` (as `ferrobgp cli` writes it) is the
    // selector form `neighbor IP [...] restart`.
    if all.len() > 2 && all[0] == "restart" && all[1] == "neighbor" {
        all.rotate_left(1);
    }
    let (selector, start) = parse_selector(&all)?;
    let command = parse_command(&all[start..])?;
    if selector != Default::default() && !command.targets_peers() {
        return Err(ApiError::NoSelector(command.name()));
    }
    Ok(ParsedLine { selector, command })
}

fn parse_command(w: &[&str]) -> Result<Command> {
    let first = w[0];
    let rest = &w[1..];
    let simple = |c: Command, name: &'static str| -> Result<Command> {
        match rest.first() {
            None => Ok(c),
            Some(word) => Err(ApiError::Unexpected {
                command: name,
                word: word.to_string(),
            }),
        }
    };
    match first {
        "announce" => parse_verb(Verb::Announce, rest),
        "withdraw" => parse_verb(Verb::Withdraw, rest),
        "clear" | "flush" => parse_adj_rib(first, rest),
        "show" => parse_show(rest),
        "teardown" => parse_teardown(rest),
        "shutdown" => simple(Command::Shutdown, "shutdown"),
        "reload" => simple(Command::Reload, "reload"),
        "restart" => simple(Command::Restart, "restart"),
        "version" => simple(Command::Version, "version"),
        "help" => simple(Command::Help, "help"),
        "reset" => simple(Command::Reset, "reset"),
        "disable-ack" => simple(Command::DisableAck, "disable-ack"),
        "silence-ack" => simple(Command::SilenceAck, "silence-ack"),
        "enable-ack" => match rest {
            [] => Ok(Command::EnableAck(AckFormat::Text)),
            ["text"] => Ok(Command::EnableAck(AckFormat::Text)),
            ["json"] => Ok(Command::EnableAck(AckFormat::Json)),
            [_, w, ..] => Err(ApiError::Unexpected {
                command: "enable-ack",
                word: w.to_string(),
            }),
            [w] => Err(ApiError::Invalid {
                what: "acknowledgement format",
                value: w.to_string(),
            }),
        },
        _ => Err(ApiError::Unknown(w.join(" "))),
    }
}

fn parse_verb(action: Verb, w: &[&str]) -> Result<Command> {
    let verb = action.as_str();
    let Some(&what) = w.first() else {
        return Err(ApiError::Missing {
            command: verb,
            what: "what to announce or withdraw (route, attributes, ipv4, ipv6, flow, vpls, eor, route-refresh, operational, watchdog)",
        });
    };
    let rest = &w[1..];
    match (action, what) {
        (_, "route" | "attribute" | "attributes" | "ipv4" | "ipv6" | "flow" | "vpls") => {
            parse_route_verb(action, what, rest)
        }
        (_, "watchdog") => match rest {
            [] => Ok(Command::Watchdog { action, name: None }),
            [name] => Ok(Command::Watchdog {
                action,
                name: Some(name.to_string()),
            }),
            [_, extra, ..] => Err(ApiError::Unexpected {
                command: "watchdog",
                word: extra.to_string(),
            }),
        },
        (Verb::Announce, "eor") => match rest {
            [] => Ok(Command::Eor(Family::IPV4_UNICAST)),
            [afi, safi] => Ok(Command::Eor(family(afi, safi)?)),
            [_] => Err(ApiError::Missing {
                command: "announce eor",
                what: "both an afi and a safi",
            }),
            [_, _, extra, ..] => Err(ApiError::Unexpected {
                command: "announce eor",
                word: extra.to_string(),
            }),
        },
        (Verb::Announce, "route-refresh") => match rest {
            [afi, safi] => Ok(Command::RouteRefresh(family(afi, safi)?)),
            [_, _, extra, ..] => Err(ApiError::Unexpected {
                command: "announce route-refresh",
                word: extra.to_string(),
            }),
            _ => Err(ApiError::Missing {
                command: "announce route-refresh",
                what: "an afi and a safi",
            }),
        },
        (Verb::Announce, "operational") => parse_operational(rest),
        (Verb::Withdraw, "eor" | "route-refresh" | "operational") => {
            Err(ApiError::Unknown(format!("withdraw {}", w.join(" "))))
        }
        _ => Err(ApiError::Unknown(format!("{verb} {}", w.join(" ")))),
    }
}

/// `announce|withdraw route|attributes|ipv4 <safi>|ipv6 <safi>|flow|vpls
/// <words>`: a route command whose words the route grammar reads later.
fn parse_route_verb(action: Verb, what: &str, rest: &[&str]) -> Result<Command> {
    let announce = action == Verb::Announce;
    match what {
        "route" => route_command(
            action,
            RouteKind::Route,
            rest,
            if announce {
                "announce route"
            } else {
                "withdraw route"
            },
        ),
        "attribute" | "attributes" => {
            let name = if announce {
                "announce attributes"
            } else {
                "withdraw attributes"
            };
            if !rest.contains(&"nlri") {
                return Err(ApiError::Missing {
                    command: name,
                    what: "'nlri' and the prefixes",
                });
            }
            route_command(action, RouteKind::Attributes, rest, name)
        }
        "ipv4" | "ipv6" => {
            let name = if what == "ipv4" {
                "announce ipv4"
            } else {
                "announce ipv6"
            };
            let Some(&safi) = rest.first() else {
                return Err(ApiError::Missing {
                    command: name,
                    what: "a subsequent address family",
                });
            };
            if !ROUTE_SAFIS.contains(&safi) {
                return Err(ApiError::UnknownFamily(format!("{what} {safi}")));
            }
            let family = Family::from_names(what, safi)
                .ok_or_else(|| ApiError::UnknownFamily(format!("{what} {safi}")))?;
            route_command(action, RouteKind::Family(family), &rest[1..], name)
        }
        "flow" => {
            // `flow route ...`; the `route` keyword is optional in ExaBGP's grammar
            let rest = if rest.first() == Some(&"route") {
                &rest[1..]
            } else {
                rest
            };
            route_command(action, RouteKind::Flow, rest, "flow route")
        }
        _ => route_command(action, RouteKind::Vpls, rest, "vpls"),
    }
}

/// The route command of `kind` with `rest` as its words (`name` is the
/// command in the error when there are none).
fn route_command(
    action: Verb,
    kind: RouteKind,
    rest: &[&str],
    name: &'static str,
) -> Result<Command> {
    if rest.is_empty() {
        return Err(ApiError::Missing {
            command: name,
            what: "a route",
        });
    }
    Ok(Command::Route(RouteCommand {
        action,
        kind,
        words: rest.iter().map(|s| s.to_string()).collect(),
    }))
}

fn family(afi: &str, safi: &str) -> Result<Family> {
    match (Afi::from_name(afi), Safi::from_name(safi)) {
        (Some(a), Some(s)) if Family::ALL_KNOWN.contains(&Family::new(a, s)) => {
            Ok(Family::new(a, s))
        }
        _ => Err(ApiError::UnknownFamily(format!("{afi} {safi}"))),
    }
}

/// `announce operational <kind> afi <a> safi <s> ...`: the message, parsed
/// by the configuration's operational grammar (`operational { ... }` takes
/// the same words) from this line's words. The words of a quoted value
/// (`advisory "two words"`, split by [`normalise`]) are put back together
/// as one quoted word, with single spaces and taken literally (no escapes).
/// Unlike ExaBGP 5.0.15, a quoted advisory keeps its spaces and
/// `router-id` is accepted (the reference sends only the first word of the
/// advisory, opening quote included, and refuses `router-id`).
fn parse_operational(w: &[&str]) -> Result<Command> {
    let Some(&kind) = w.first() else {
        return Err(ApiError::Missing {
            command: "announce operational",
            what: "a message kind",
        });
    };
    let kind_lc = kind.to_ascii_lowercase();
    if OperationalKind::from_name(&kind_lc).is_none() {
        // ExaBGP answers `done` for unknown kinds and sends nothing
        return Ok(Command::OperationalIgnored(kind_lc));
    }
    let ["afi", afi, "safi", safi, ..] = &w[1..] else {
        return Err(ApiError::Missing {
            command: "announce operational",
            what: "'afi <afi> safi <safi>'",
        });
    };
    family(afi, safi)?;
    let invalid = |value: String| ApiError::Invalid {
        what: "operational message",
        value,
    };
    let mut words = vec![kind_lc.as_str()];
    words.extend_from_slice(&w[1..]);
    let tokens = operational_tokens(&words).map_err(invalid)?;
    let end = Pos::new(1, tokens.len() as u32 + 1);
    parse_operational_tokens(&tokens, end)
        .map(Command::Operational)
        .map_err(|e| invalid(e.message))
}

/// `words` as the configuration's tokens (word `i` at column `i + 1`), a
/// run from a word opening a quote (`"` or `'`) to the word closing it
/// made one quoted token.
fn operational_tokens(words: &[&str]) -> std::result::Result<Vec<Token>, String> {
    let mut tokens = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let pos = Pos::new(1, i as u32 + 1);
        let first = words[i];
        let Some(q) = first.chars().next().filter(|c| matches!(c, '"' | '\'')) else {
            tokens.push(Token::word(first, pos));
            i += 1;
            continue;
        };
        let mut text = String::new();
        let mut rest = &first[1..];
        loop {
            if let Some(t) = rest.strip_suffix(q) {
                text.push_str(t);
                break;
            }
            text.push_str(rest);
            i += 1;
            match words.get(i) {
                Some(next) => {
                    text.push(' ');
                    rest = next;
                }
                None => return Err(format!("unterminated quote in {}", words.join(" "))),
            }
        }
        tokens.push(Token {
            kind: TokenKind::Quoted,
            text,
            pos,
        });
        i += 1;
    }
    Ok(tokens)
}

fn parse_adj_rib(verb: &str, w: &[&str]) -> Result<Command> {
    let name = if verb == "clear" {
        "clear adj-rib"
    } else {
        "flush adj-rib"
    };
    match w {
        ["adj-rib", "out"] if verb == "clear" => Ok(Command::ClearAdjRibOut),
        ["adj-rib", "out"] => Ok(Command::FlushAdjRibOut),
        ["adj-rib", "in"] if verb == "clear" => Ok(Command::ClearAdjRibIn),
        ["adj-rib", "in"] => Err(ApiError::Unknown("flush adj-rib in".into())),
        ["adj-rib"] => Err(ApiError::Missing {
            command: name,
            what: "'in' or 'out'",
        }),
        ["adj-rib", side, ..] if !matches!(*side, "in" | "out") => Err(ApiError::Invalid {
            what: "adj-rib side",
            value: side.to_string(),
        }),
        ["adj-rib", _, extra, ..] => Err(ApiError::Unexpected {
            command: name,
            word: extra.to_string(),
        }),
        _ => Err(ApiError::Unknown(
            std::iter::once(verb)
                .chain(w.iter().copied())
                .collect::<Vec<_>>()
                .join(" "),
        )),
    }
}

fn parse_show(w: &[&str]) -> Result<Command> {
    match w.first() {
        Some(&"neighbor") => parse_show_neighbor(&w[1..]),
        Some(&"adj-rib") => parse_show_adj_rib(&w[1..]),
        Some(other) => Err(ApiError::Unknown(format!("show {other}"))),
        None => Err(ApiError::Missing {
            command: "show",
            what: "'neighbor' or 'adj-rib'",
        }),
    }
}

/// `show neighbor [summary|extensive|configuration] [IP] [json]`, the
/// words after `neighbor` in any order, each once.
fn parse_show_neighbor(w: &[&str]) -> Result<Command> {
    let mut view = NeighborView::Default;
    let mut address = None;
    let mut json = false;
    for word in w {
        match *word {
            "summary" | "extensive" | "configuration" if view == NeighborView::Default => {
                view = match *word {
                    "summary" => NeighborView::Summary,
                    "extensive" => NeighborView::Extensive,
                    _ => NeighborView::Configuration,
                }
            }
            "json" if !json => json = true,
            other => match other.parse::<IpAddr>() {
                Ok(ip) if address.is_none() => address = Some(ip),
                _ => {
                    return Err(ApiError::Unexpected {
                        command: "show neighbor",
                        word: other.to_string(),
                    })
                }
            },
        }
    }
    Ok(Command::ShowNeighbor {
        view,
        address,
        json,
    })
}

/// `show adj-rib in|out [extensive] [IP] [json]` (`w` from `in|out` on).
fn parse_show_adj_rib(w: &[&str]) -> Result<Command> {
    let side = match w.first() {
        Some(&"in") => RibSide::In,
        Some(&"out") => RibSide::Out,
        Some(other) => {
            return Err(ApiError::Invalid {
                what: "adj-rib side",
                value: other.to_string(),
            })
        }
        None => {
            return Err(ApiError::Missing {
                command: "show adj-rib",
                what: "'in' or 'out'",
            })
        }
    };
    let mut extensive = false;
    let mut address = None;
    let mut json = false;
    for word in &w[1..] {
        match *word {
            "extensive" if !extensive => extensive = true,
            "json" if !json => json = true,
            other => match other.parse::<IpAddr>() {
                Ok(ip) if address.is_none() => address = Some(ip),
                _ => {
                    return Err(ApiError::Unexpected {
                        command: "show adj-rib",
                        word: other.to_string(),
                    })
                }
            },
        }
    }
    Ok(Command::ShowAdjRib {
        side,
        extensive,
        address,
        json,
    })
}

fn parse_teardown(w: &[&str]) -> Result<Command> {
    match w {
        [] => Err(ApiError::Missing {
            command: "teardown",
            what: "a Cease subcode",
        }),
        [code] => code
            .parse::<u8>()
            .map(Command::Teardown)
            .map_err(|_| ApiError::Invalid {
                what: "Cease subcode",
                value: code.to_string(),
            }),
        [_, extra, ..] => Err(ApiError::Unexpected {
            command: "teardown",
            word: extra.to_string(),
        }),
    }
}

/// The text `help` prints, one command per line.
pub const HELP: &[&str] = &[
    "[neighbor <ip> [local-ip <ip>] [local-as <asn>] [peer-as <asn>] [router-id <ip>] [family-allowed <x>] [, neighbor ...]] <command>",
    "announce route <prefix> <attributes>",
    "announce attributes <attributes> nlri <prefix> ...",
    "announce ipv4|ipv6 <safi> <nlri> <attributes>",
    "announce flow route <match> <then>",
    "announce vpls <vpls>",
    "announce eor [<afi> <safi>]",
    "announce route-refresh <afi> <safi>",
    "announce operational <asm|adm|rpcq|rpcp|apcq|apcp|lpcq|lpcp> afi <afi> safi <safi> ...",
    "announce watchdog [<name>]",
    "withdraw route|attributes|ipv4|ipv6|flow|vpls|watchdog ...",
    "clear adj-rib out",
    "flush adj-rib out",
    "clear adj-rib in",
    "show neighbor [summary|extensive|configuration] [<ip>] [json]",
    "show adj-rib in|out [extensive] [<ip>] [json]",
    "teardown <cease subcode>",
    // The trailing space (as in ExaBGP's own `help`) keeps clients from
    // taking this line for the `shutdown` answer that ends an exchange.
    "shutdown ",
    "reload",
    "restart",
    "version",
    "help",
    "reset",
    "enable-ack [json|text]",
    "disable-ack",
    "silence-ack",
];
