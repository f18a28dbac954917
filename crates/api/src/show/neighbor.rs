//! `show neighbor summary`, `extensive` and `json`: ExaBGP's `cli_data`
//! facts of a peer, computed once for both renderings.

use super::python_json;
use ferrobgp_config::{AddPathMode, LocalAddress, Neighbor};
use ferrobgp_wire::message::{MessageCounts, Open};
use ferrobgp_wire::negotiated::Negotiated;
use serde_json::{json, Map, Value};
use std::net::IpAddr;

/// The first line of `show neighbor summary`.
pub const SUMMARY_HEADER: &str =
    "Peer            AS        up/down state       |     #sent     #recvd";

/// What `show neighbor` without a view prints (then `done`).
pub const NEIGHBOR_USAGE: [&str; 2] = [
    "please specify summary, extensive or configuration",
    "you can filter by peer ip address adding it after the word neighbor",
];

/// One peer's row of `show neighbor summary`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub peer_address: IpAddr,
    /// None until known (`n/a`).
    pub peer_as: Option<u32>,
    /// Seconds since the session came up; None when down.
    pub up_for: Option<u64>,
    /// FSM state name (printed in lower case).
    pub state: String,
    pub updates_sent: u64,
    pub updates_received: u64,
}

/// Python's `str(timedelta(seconds=n))`: `0:00:11`, `1 day, 2:03:04`.
pub fn timedelta(secs: u64) -> String {
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let hms = format!("{}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
    match days {
        0 => hms,
        1 => format!("1 day, {hms}"),
        d => format!("{d} days, {hms}"),
    }
}

/// `127.0.0.1       65000     0:00:11 established          11          7`
pub fn summary_line(row: &SummaryRow) -> String {
    let asn = row
        .peer_as
        .map(|a| a.to_string())
        .unwrap_or_else(|| "n/a".into());
    let up = match row.up_for {
        Some(s) if s > 0 => timedelta(s),
        _ => "down".into(),
    };
    format!(
        "{:<15} {:<7} {:>9} {:<12} {:>10} {:>10}",
        row.peer_address.to_string(),
        asn,
        up,
        row.state.to_lowercase(),
        row.updates_sent,
        row.updates_received
    )
}

/// Everything `show neighbor extensive|json` reports about one peer: its
/// configuration, what the session worker last said, and the clock.
#[derive(Debug, Clone, Copy)]
pub struct NeighborStatus<'a> {
    pub neighbor: &'a Neighbor,
    /// The FSM state name, any case (printed upper case, `ESTABLISHED`).
    pub fsm: &'a str,
    /// Seconds since the session came up; `None` when it is not up.
    pub up_for: Option<u64>,
    /// Seconds since the session went down (or the peer was configured).
    pub down_for: u64,
    /// Addresses of the current connection, when there is one.
    pub local: Option<IpAddr>,
    pub remote: Option<IpAddr>,
    /// What was negotiated and the OPEN the peer sent: only while up.
    pub negotiated: Option<&'a Negotiated>,
    pub peer_open: Option<&'a Open>,
    /// Messages of the current (or last) connection.
    pub sent: MessageCounts,
    pub received: MessageCounts,
}

/// One row of a local/peer table: `None` is "not known" (`n/a`, `null`).
type Pair = (Option<bool>, Option<bool>);

/// One configured family: (we offer it, negotiated, we send path ids,
/// the peer sends path ids).
struct FamilyRow {
    name: String,
    local: bool,
    common: Option<bool>,
    send: Option<bool>,
    receive: Option<bool>,
}

/// The facts of ExaBGP's `cli_data`, computed once for both renderings.
struct Facts {
    peer_address: String,
    local_address: Option<String>,
    local_as: Option<u32>,
    peer_as: Option<u32>,
    local_id: String,
    peer_id: Option<String>,
    local_hold: u16,
    peer_hold: Option<u16>,
    state: String,
    up_for: Option<u64>,
    down_for: u64,
    capabilities: Vec<(&'static str, Pair)>,
    families: Vec<FamilyRow>,
    /// (name, sent, received); `total` last.
    messages: Vec<(&'static str, u64, u64)>,
}

fn facts(s: &NeighborStatus<'_>) -> Facts {
    let n = s.neighbor;
    let open = s.peer_open;
    let peer_address = match (n.is_dynamic(), s.remote) {
        (true, Some(r)) => r.to_string(),
        (true, None) => n.peer_address.to_string(),
        (false, _) => n.peer_address.addr().to_string(),
    };
    let local_address = match n.local_address {
        LocalAddress::Ip(a) => Some(a.to_string()),
        LocalAddress::Auto => s.local.map(|a| a.to_string()),
    };
    Facts {
        peer_address,
        local_address,
        local_as: n.local_as.asn().or(s.negotiated.map(|x| x.local_as)),
        peer_as: n.peer_as.asn().or(s.negotiated.map(|x| x.peer_as)),
        local_id: n.router_id.to_string(),
        peer_id: open.map(|o| o.router_id.to_string()),
        local_hold: n.hold_time,
        peer_hold: open.map(|o| o.hold_time),
        state: s.fsm.to_uppercase(),
        up_for: s.up_for,
        down_for: s.down_for,
        capabilities: capability_rows(s),
        families: family_rows(s),
        messages: message_rows(s),
    }
}

/// Each capability: configured, and offered in the peer's OPEN.
fn capability_rows(s: &NeighborStatus<'_>) -> Vec<(&'static str, Pair)> {
    use ferrobgp_wire::capability::codes;
    let c = &s.neighbor.capabilities;
    let open = s.peer_open;
    let has = |code: &[u8]| open.map(|o| code.iter().any(|c| o.has_capability(*c)));
    vec![
        ("asn4", (Some(c.asn4), s.negotiated.map(|x| x.asn4))),
        (
            "route-refresh",
            (
                Some(c.route_refresh),
                has(&[codes::ROUTE_REFRESH, codes::ROUTE_REFRESH_CISCO]),
            ),
        ),
        (
            "multi-session",
            (
                Some(c.multi_session),
                has(&[codes::MULTISESSION, codes::MULTISESSION_CISCO]),
            ),
        ),
        (
            "operational",
            (Some(c.operational), has(&[codes::OPERATIONAL])),
        ),
        (
            "add-path",
            (
                Some(c.add_path != AddPathMode::Disable),
                has(&[codes::ADD_PATH]),
            ),
        ),
        (
            "extended-message",
            (Some(c.extended_message), has(&[codes::EXTENDED_MESSAGE])),
        ),
        (
            "graceful-restart",
            (
                Some(c.graceful_restart.is_some()),
                has(&[codes::GRACEFUL_RESTART]),
            ),
        ),
    ]
}

/// Each configured family: negotiated, ADD-PATH send and receive.
fn family_rows(s: &NeighborStatus<'_>) -> Vec<FamilyRow> {
    let n = s.neighbor;
    let open = s.peer_open;
    n.families
        .iter()
        .map(|f| {
            let (common, send, receive) = match (s.negotiated, open) {
                (Some(neg), Some(_)) => (
                    Some(neg.family_negotiated(*f)),
                    Some(neg.sends_path_id(*f)),
                    Some(neg.receives_path_id(*f)),
                ),
                _ => {
                    let offered = n.add_path.contains(f);
                    let unknown = if offered { None } else { Some(false) };
                    (None, unknown, unknown)
                }
            };
            FamilyRow {
                name: f.to_string(),
                local: true,
                common,
                send,
                receive,
            }
        })
        .collect()
}

/// Messages (name, sent, received), `total` last.
fn message_rows(s: &NeighborStatus<'_>) -> Vec<(&'static str, u64, u64)> {
    let (tx, rx) = (&s.sent, &s.received);
    let five = |m: &MessageCounts| m.open + m.notification + m.keepalive + m.update + m.refresh;
    vec![
        ("open", tx.open, rx.open),
        ("notification", tx.notification, rx.notification),
        ("keepalive", tx.keepalive, rx.keepalive),
        ("update", tx.update, rx.update),
        ("refresh", tx.refresh, rx.refresh),
        ("total", five(tx), five(rx)),
    ]
}

fn na<T: ToString>(v: Option<T>) -> String {
    v.map_or_else(|| "n/a".to_string(), |v| v.to_string())
}

fn enabled(v: Option<bool>) -> &'static str {
    match v {
        None => "n/a",
        Some(true) => "enabled",
        Some(false) => "disabled",
    }
}

/// `send`, `receive`, `send/receive` or `disabled`.
fn add_path_word(send: Option<bool>, receive: Option<bool>) -> &'static str {
    match (send == Some(true), receive == Some(true)) {
        (true, true) => "send/receive",
        (true, false) => "send",
        (false, true) => "receive",
        (false, false) => "disabled",
    }
}

fn row(key: &str, a: &str, b: &str, c: &str) -> String {
    format!("   {key:<20} {a:>15} {b:>15} {c:<15}")
}

/// `show neighbor extensive`: ExaBGP 5.0.15's block for one peer, its
/// last line empty. Unlike the reference, the Add-Path column says what
/// we do (`send` when we send path identifiers): the reference swaps send
/// and receive in the text form while its JSON has them right.
pub fn extensive(s: &NeighborStatus<'_>) -> Vec<String> {
    let f = facts(s);
    let mut out = vec![
        format!("Neighbor {}", f.peer_address),
        String::new(),
        "    Session                       Local".to_string(),
        row("local", &na(f.local_address.as_deref()), "", ""),
        row("state", &f.state, "", ""),
        match f.up_for {
            Some(up) => row("up for", &timedelta(up), "", ""),
            None => row("down for", &timedelta(f.down_for), "", ""),
        },
        String::new(),
        "    Setup                         Local          Remote".to_string(),
        row("AS", &na(f.local_as), &na(f.peer_as), ""),
        row("ID", &f.local_id, &na(f.peer_id.as_deref()), ""),
        row("hold-time", &f.local_hold.to_string(), &na(f.peer_hold), ""),
        String::new(),
        "    Capability                    Local          Remote".to_string(),
    ];
    for (k, (l, p)) in &f.capabilities {
        out.push(row(&format!("{k}:"), enabled(*l), enabled(*p), ""));
    }
    out.push(String::new());
    out.push("    Families                      Local          Remote        Add-Path".into());
    if f.families.is_empty() {
        out.push(String::new());
    }
    for r in &f.families {
        out.push(row(
            &format!("{}:", r.name),
            enabled(Some(r.local)),
            enabled(r.common),
            add_path_word(r.send, r.receive),
        ));
    }
    out.push(String::new());
    out.push("    Message Statistic              Sent        Received".into());
    for (k, tx, rx) in &f.messages {
        out.push(row(&format!("{k}:"), &tx.to_string(), &rx.to_string(), ""));
    }
    out.push(String::new());
    out
}

/// One peer as an element of `show neighbor json` (ExaBGP's `as_dict`).
/// The `capabilities` list holds those both sides announced (the
/// reference lists every capability the peer announced, whatever we did).
pub fn neighbor_json(s: &NeighborStatus<'_>) -> Value {
    let f = facts(s);
    let mut local_caps = Map::new();
    let mut peer_caps = Map::new();
    let mut both = Vec::new();
    for (k, (l, p)) in &f.capabilities {
        local_caps.insert(k.to_string(), json!(l));
        peer_caps.insert(k.to_string(), json!(p));
        if *l == Some(true) && *p == Some(true) {
            both.push(json!(k));
        }
    }
    let mut local_fam = Map::new();
    let mut peer_fam = Map::new();
    let mut local_ap = Map::new();
    let mut peer_ap = Map::new();
    let mut common = Vec::new();
    let mut add_path = Map::new();
    for r in &f.families {
        local_fam.insert(r.name.clone(), json!(r.local));
        peer_fam.insert(r.name.clone(), json!(r.common));
        local_ap.insert(r.name.clone(), json!(r.send));
        peer_ap.insert(r.name.clone(), json!(r.receive));
        if r.local && r.common == Some(true) {
            common.push(json!(r.name));
        }
        add_path.insert(r.name.clone(), json!(add_path_word(r.send, r.receive)));
    }
    let mut sent = Map::new();
    let mut received = Map::new();
    for (k, tx, rx) in &f.messages {
        sent.insert(k.to_string(), json!(tx));
        received.insert(k.to_string(), json!(rx));
    }
    json!({
        "state": if f.up_for.is_some() { "up" } else { "down" },
        "duration": f.up_for.unwrap_or(f.down_for),
        "fsm": f.state,
        "local": {
            "capabilities": local_caps,
            "families": local_fam,
            "add-path": local_ap,
            "address": f.local_address,
            "as": f.local_as,
            "id": f.local_id,
            "hold": f.local_hold,
        },
        "peer": {
            "capabilities": peer_caps,
            "families": peer_fam,
            "add-path": peer_ap,
            "address": f.peer_address,
            "as": f.peer_as,
            "id": f.peer_id,
            "hold": f.peer_hold,
        },
        "messages": { "sent": sent, "received": received },
        "capabilities": both,
        "families": common,
        "add-path": add_path,
    })
}

/// `show neighbor json`: one line, a JSON array with one object per peer.
pub fn neighbors_json(peers: &[NeighborStatus<'_>]) -> String {
    python_json(&Value::Array(peers.iter().map(neighbor_json).collect()))
}
