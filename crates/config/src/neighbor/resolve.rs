//! A merged neighbor draft resolved into a [`Neighbor`]: ExaBGP's
//! defaults applied and the checks of spec §1.2 made (local address and
//! router id present, address families that agree, the MD5 password,
//! the processes and names of api blocks, routes only of enabled families).

use super::*;

fn base64_len(s: &str) -> Option<usize> {
    let t = s.trim_end_matches('=');
    if !t
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
        || (s.len() % 4) != 0
    {
        return None;
    }
    Some(t.len() * 3 / 4)
}

/// Applies defaults and checks the merged draft (spec §1.2 validation).
pub fn resolve(
    mut d: Draft,
    peer: IpNet,
    source: &Path,
    settings: &Settings,
    known_processes: &[String],
    sink: &mut Sink,
) -> Option<Neighbor> {
    let pos = d.pos;
    let before = sink.errors.len();
    let (local_address, router_id) = addresses(&d, peer, sink)?;
    let listen = d.listen.unwrap_or(0);
    let passive = d.passive.unwrap_or(false);
    check_listen_and_passive(local_address, listen, passive, peer, settings, pos, sink);
    let hold_time = d.hold_time.unwrap_or(180);
    let md5 = d.md5_password.take().map(|password| {
        let ip = d.md5_ip.or(local_address.ip());
        md5(password, d.md5_base64, ip, pos, sink)
    });
    let families = families(d.family.as_ref());
    let nexthop = enabled_nexthops(d.nexthop.as_deref(), &families);
    let capabilities = capabilities(&d.capability, d.nexthop.is_some(), hold_time);
    let add_path = add_path_families(&capabilities, &families, d.add_path.as_deref());
    let api = api_blocks(&d.api, known_processes, pos, sink);
    let routes = enabled_routes(std::mem::take(&mut d.routes), &families, sink);
    if sink.errors.len() > before {
        return None;
    }
    let local_as = d.local_as.unwrap_or(AsNumber::Auto);
    let peer_as = d.peer_as.unwrap_or(AsNumber::Auto);
    let id = NeighborId {
        peer_address: peer,
        local_address,
        local_as: local_as.asn(),
        peer_as: peer_as.asn(),
        router_id,
        families: capabilities
            .multi_session
            .then(|| session_families(&families)),
    };
    Some(Neighbor {
        id,
        source: source.to_path_buf(),
        line: pos.line,
        description: d.description.unwrap_or_default(),
        router_id,
        local_address,
        peer_address: peer,
        source_interface: d.source_interface,
        local_as,
        peer_as,
        hold_time,
        passive,
        listen,
        connect: d.connect.unwrap_or(settings.tcp.port.0),
        outgoing_ttl: d.outgoing_ttl.flatten(),
        incoming_ttl: d.incoming_ttl.flatten(),
        md5,
        group_updates: d.group_updates.unwrap_or(true),
        auto_flush: d.auto_flush.unwrap_or(true),
        adj_rib_out: d.adj_rib_out.unwrap_or(true),
        adj_rib_in: d.adj_rib_in.unwrap_or(true),
        manual_eor: d.manual_eor.unwrap_or(false),
        rate_limit: d.rate_limit.unwrap_or(0),
        host_name: d.host_name,
        domain_name: d.domain_name,
        capabilities,
        families,
        nexthop,
        add_path,
        api,
        routes,
        route_text: d.route_text,
        operational: d.operational,
        inherit: d.inherit.iter().map(|t| t.text.clone()).collect(),
    })
}

/// The local address and router id, both required (the router id may come
/// from an IPv4 local address); `None` when one is missing, which stops the
/// resolution. A local address of the other family than the peer is an
/// error that does not stop it.
fn addresses(d: &Draft, peer: IpNet, sink: &mut Sink) -> Option<(LocalAddress, Ipv4Addr)> {
    let pos = d.pos;
    let Some(local_address) = d.local_address else {
        sink.err(pos, "incomplete neighbor, missing local-address");
        return None;
    };
    let router_id = match (d.router_id, local_address) {
        (Some(r), _) => r,
        (None, LocalAddress::Ip(IpAddr::V4(a))) => a,
        _ => {
            sink.err(
                pos,
                "incomplete neighbor, missing router-id (required when local-address is not IPv4)",
            );
            return None;
        }
    };
    if let LocalAddress::Ip(la) = local_address {
        if la.is_ipv4() != peer.addr().is_ipv4() {
            sink.err(
                pos,
                format!(
                    "local-address {la} and peer address {} are not of the same address family",
                    peer.addr()
                ),
            );
        }
    }
    Some((local_address, router_id))
}

/// `listen` needs a real local address; a neighbor range must be passive
/// (itself or through the `bgp.passive` setting).
fn check_listen_and_passive(
    local_address: LocalAddress,
    listen: u16,
    passive: bool,
    peer: IpNet,
    settings: &Settings,
    pos: Pos,
    sink: &mut Sink,
) {
    if local_address == LocalAddress::Auto && listen != 0 {
        sink.err(pos, "\"listen\" needs a real local-address, not \"auto\"");
    }
    let dynamic = peer.prefix_len() != peer.max_prefix_len();
    if dynamic && !passive && !settings.bgp.passive {
        sink.err(
            pos,
            format!("neighbor range {peer} must be passive (add \"passive;\")"),
        );
    }
}

/// The MD5 option, its password checked for length (at most 80 bytes, after
/// base64 decoding when `md5-base64` asks for it).
fn md5(
    password: String,
    base64: Option<Md5Base64>,
    ip: Option<IpAddr>,
    pos: Pos,
    sink: &mut Sink,
) -> Md5 {
    let base64 = base64.unwrap_or(Md5Base64::No);
    let len = match base64 {
        Md5Base64::Yes => base64_len(&password),
        Md5Base64::Auto => base64_len(&password).or(Some(password.len())),
        Md5Base64::No => Some(password.len()),
    };
    match len {
        None => sink.err(pos, "md5-password is not valid base64 (md5-base64 is set)"),
        Some(l) if l > 80 => sink.err(
            pos,
            format!("md5-password is {l} bytes long: at most 80 allowed"),
        ),
        _ => {}
    }
    Md5 {
        password,
        base64,
        ip,
    }
}

/// The enabled families, sorted and without duplicates (all known ones when
/// there is no `family` block or it says `all`).
fn families(block: Option<&FamilyBlock>) -> Vec<Family> {
    let mut families: Vec<Family> = match block {
        None => Family::ALL_KNOWN.to_vec(),
        Some(f) if f.all => Family::ALL_KNOWN.to_vec(),
        Some(f) => f.families.clone(),
    };
    families.sort();
    families.dedup();
    families
}

/// The `nexthop` lines whose family and next-hop family are both enabled.
fn enabled_nexthops(lines: Option<&[NextHopFamily]>, families: &[Family]) -> Vec<NextHopFamily> {
    lines
        .unwrap_or_default()
        .iter()
        .filter(|n| {
            families.contains(&n.family)
                && families.contains(&Family::new(n.nexthop_afi, n.family.safi))
        })
        .copied()
        .collect()
}

/// The capabilities with ExaBGP's defaults (the nexthop capability on when
/// a `nexthop` block is written; graceful restart may take the hold time).
fn capabilities(c: &CapabilityDraft, has_nexthop_block: bool, hold_time: u16) -> Capabilities {
    Capabilities {
        asn4: c.asn4.unwrap_or(true),
        route_refresh: c.route_refresh.unwrap_or(false),
        graceful_restart: match c.graceful_restart {
            None | Some(GracefulRestart::Disabled) => None,
            Some(GracefulRestart::Seconds(s)) => Some(s),
            Some(GracefulRestart::HoldTime) => Some(hold_time),
        },
        add_path: c.add_path.unwrap_or(AddPathMode::Disable),
        multi_session: c.multi_session.unwrap_or(false),
        operational: c.operational.unwrap_or(false),
        extended_message: c.extended_message.unwrap_or(true),
        nexthop: c.nexthop.unwrap_or(has_nexthop_block),
        aigp: c.aigp.unwrap_or(false),
        software_version: c.software_version.unwrap_or(false),
    }
}

/// The families for ADD-PATH: none when the capability is disabled, else the
/// enabled ones that can carry it, restricted to the `add-path` block if any.
fn add_path_families(
    capabilities: &Capabilities,
    families: &[Family],
    block: Option<&[Family]>,
) -> Vec<Family> {
    if capabilities.add_path == AddPathMode::Disable {
        return Vec::new();
    }
    families
        .iter()
        .filter(|f| add_path_capable(**f))
        .filter(|f| block.is_none_or(|a| a.contains(f)))
        .copied()
        .collect()
}

/// The api blocks, named (`api-N` by default, names unique) with their
/// processes resolved.
fn api_blocks(
    drafts: &[ApiDraft],
    known_processes: &[String],
    pos: Pos,
    sink: &mut Sink,
) -> Vec<Api> {
    let mut api = Vec::new();
    for (i, a) in drafts.iter().enumerate() {
        let processes = api_processes(a, known_processes, sink);
        let name = a.name.clone().unwrap_or_else(|| format!("api-{}", i + 1));
        if api.iter().any(|x: &Api| x.name == name) {
            sink.err(pos, format!("duplicate api block name \"{name}\""));
        }
        api.push(Api {
            name,
            processes,
            processes_match: a.processes_match.iter().map(|t| t.text.clone()).collect(),
            neighbor_changes: a.neighbor_changes,
            negotiated: a.negotiated,
            fsm: a.fsm,
            signal: a.signal,
            receive: a.receive,
            send: a.send,
        });
    }
    api
}

/// The processes of one api block: named ones must exist (with a
/// suggestion when one is close), then those `processes-match` selects;
/// each process once, in that order.
fn api_processes(a: &ApiDraft, known_processes: &[String], sink: &mut Sink) -> Vec<String> {
    let mut processes: Vec<String> = Vec::new();
    for t in &a.processes {
        if known_processes.contains(&t.text) {
            if !processes.contains(&t.text) {
                processes.push(t.text.clone());
            }
        } else {
            let hint = crate::suggest::closest(&t.text, known_processes.iter().map(|s| s.as_str()))
                .map(|s| format!(" (did you mean \"{s}\"?)"))
                .unwrap_or_default();
            sink.err(
                t.pos,
                format!(
                    "unknown process \"{}\": no process section with this name{hint}",
                    t.text
                ),
            );
        }
    }
    for t in &a.processes_match {
        match regex::Regex::new(&t.text) {
            Ok(re) => {
                for p in known_processes {
                    if re.is_match(p) && !processes.contains(p) {
                        processes.push(p.clone());
                    }
                }
            }
            Err(e) => sink.err(
                t.pos,
                format!(
                    "invalid processes-match regular expression \"{}\": {e}",
                    t.text
                ),
            ),
        }
    }
    processes
}

/// The routes whose family is enabled (ipv4 unicast always is); an error
/// for each other one.
fn enabled_routes(
    routes: Vec<(ConfigRoute, Pos)>,
    families: &[Family],
    sink: &mut Sink,
) -> Vec<ConfigRoute> {
    routes
        .into_iter()
        .filter_map(
            |(r, at)| match crate::route_text::family_enabled(families, &r, at) {
                Ok(()) => Some(r),
                Err(e) => {
                    sink.error(e);
                    None
                }
            },
        )
        .collect()
}

/// The families of a multi-session neighbor's identity, `/`-joined.
fn session_families(families: &[Family]) -> String {
    families
        .iter()
        .map(|f| f.spaced())
        .collect::<Vec<_>>()
        .join("/")
}
