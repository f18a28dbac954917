//! From a parsed API line to what the rib process does with it: route
//! commands become [`BatchCommand`]s for [`crate::Rib::apply_batch`] (with
//! the peers their selector picked among those the process may address),
//! everything else an [`Effect`] for the process loop.

use crate::batch::{BatchCommand, Op, PeerId, RouteEntry};
use ferrobgp_api::command::{Command, NeighborView, ParsedLine, RibSide, RouteCommand, Verb};
use ferrobgp_api::routes::routes;
use ferrobgp_api::{ApiError, Selector};
use ferrobgp_config::route::operational::OperationalMessage;
use std::net::IpAddr;

/// What to do with one command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Apply with the batch (announce, withdraw, watchdog, clear/flush, eor,
    /// route-refresh).
    Rib(BatchCommand),
    /// `announce operational`: send this message to those of these peers
    /// that are established and have its family configured (spec §2.4).
    Operational {
        peers: Vec<PeerId>,
        message: OperationalMessage,
    },
    /// Send NOTIFICATION Cease/`subcode` to these peers (then reconnect).
    Teardown {
        peers: Vec<PeerId>,
        subcode: u8,
    },
    /// `show neighbor`: the process renders these peers' state.
    ShowNeighbor {
        peers: Vec<PeerId>,
        view: NeighborView,
        json: bool,
    },
    /// `show adj-rib`: see [`crate::show::adj_rib`] and
    /// [`crate::show::adj_rib_json`].
    ShowAdjRib {
        peers: Vec<PeerId>,
        side: RibSide,
        extensive: bool,
        json: bool,
    },
    Shutdown,
    Reload,
    /// Restart the session workers of these peers (`neighbor IP restart`),
    /// or of every neighbor of the daemon (bare `restart`, as SIGALRM).
    Restart(Option<Vec<PeerId>>),
    /// Lines to write before the reply (`version`, `help`).
    Output(Vec<String>),
    /// Nothing to do beyond the reply (comment, ack control, operational
    /// kinds ExaBGP ignores).
    Nothing,
    /// Drop the process's queued commands; no reply.
    Reset,
    /// Log only; no reply.
    Debug(String),
}

/// Who sent the line and what it may address.
#[derive(Debug, Clone, Copy)]
pub struct Caller<'a> {
    /// The `process` block name (default watchdog name).
    pub process: &'a str,
    /// The peers this process may address (those whose `api` blocks name
    /// it; every peer for the CLI), with their name strings
    /// (`ferrobgp_api::PeerName::render`).
    pub addressable: &'a [(PeerId, String)],
    /// What `version` prints after `exabgp ` ([`version_answer`] unless
    /// `exabgp_version` overrides it).
    pub version: &'a str,
}

impl Caller<'_> {
    fn select(&self, selector: &Selector) -> Result<Vec<PeerId>, ApiError> {
        selector.select(
            self.addressable
                .iter()
                .map(|(id, name)| (*id, name.as_str())),
        )
    }

    fn all(&self) -> Vec<PeerId> {
        self.addressable.iter().map(|(id, _)| *id).collect()
    }

    /// Peers whose address is `ip` (all when None).
    fn by_address(&self, ip: Option<IpAddr>) -> Vec<PeerId> {
        let Some(ip) = ip else { return self.all() };
        let prefix = format!("neighbor {ip} ");
        self.addressable
            .iter()
            .filter(|(_, name)| name.starts_with(&prefix))
            .map(|(id, _)| *id)
            .collect()
    }
}

/// The operation of an `announce` or `withdraw` of routes.
fn route_op(r: &RouteCommand) -> Result<Op, ApiError> {
    let built = routes(r)?;
    Ok(match r.action {
        Verb::Announce => Op::Announce(
            built
                .into_iter()
                .map(|a| RouteEntry {
                    route: a.route,
                    watchdog: a.watchdog,
                    withdrawn: a.withdrawn,
                })
                .collect(),
        ),
        Verb::Withdraw => Op::Withdraw(built.into_iter().map(|a| a.route).collect()),
    })
}

/// `announce|withdraw watchdog [NAME]`: every peer the caller may
/// address; the watchdog is named after the caller when not named.
fn watchdog(action: Verb, name: Option<&str>, caller: &Caller<'_>) -> Effect {
    let name = name.map_or_else(|| caller.process.to_string(), str::to_string);
    let op = match action {
        Verb::Announce => Op::AnnounceWatchdog(name),
        Verb::Withdraw => Op::WithdrawWatchdog(name),
    };
    Effect::Rib(BatchCommand {
        peers: caller.all(),
        op,
    })
}

/// Decides what `line` does. An error is the reason for the `error` reply
/// (nothing was changed).
pub fn dispatch(line: &ParsedLine, caller: &Caller<'_>) -> Result<Effect, ApiError> {
    let batch = |op: Op| -> Result<Effect, ApiError> {
        Ok(Effect::Rib(BatchCommand {
            peers: caller.select(&line.selector)?,
            op,
        }))
    };
    match &line.command {
        Command::Route(r) => batch(route_op(r)?),
        Command::Eor(f) => batch(Op::Eor(*f)),
        Command::RouteRefresh(f) => batch(Op::RouteRefresh(*f)),
        Command::OperationalIgnored(_) => Ok(Effect::Nothing),
        Command::Operational(message) => Ok(Effect::Operational {
            peers: caller.select(&line.selector)?,
            message: message.clone(),
        }),
        Command::Watchdog { action, name } => Ok(watchdog(*action, name.as_deref(), caller)),
        Command::ClearAdjRibOut => batch(Op::ClearOut),
        Command::FlushAdjRibOut => batch(Op::FlushOut),
        Command::ClearAdjRibIn => batch(Op::ClearIn),
        Command::Teardown(subcode) => Ok(Effect::Teardown {
            peers: caller.select(&line.selector)?,
            subcode: *subcode,
        }),
        Command::ShowNeighbor {
            view: NeighborView::Default,
            json: false,
            ..
        } => Ok(Effect::Output(
            ferrobgp_api::show::NEIGHBOR_USAGE
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )),
        Command::ShowNeighbor {
            view,
            address,
            json,
        } => Ok(Effect::ShowNeighbor {
            peers: caller.by_address(*address),
            view: *view,
            json: *json,
        }),
        Command::ShowAdjRib {
            side,
            extensive,
            address,
            json,
        } => Ok(Effect::ShowAdjRib {
            peers: caller.by_address(*address),
            side: *side,
            extensive: *extensive,
            json: *json,
        }),
        Command::Shutdown => Ok(Effect::Shutdown),
        Command::Reload => Ok(Effect::Reload),
        Command::Restart => match line.selector {
            Selector::Unspecified => Ok(Effect::Restart(None)),
            _ => Ok(Effect::Restart(Some(caller.select(&line.selector)?))),
        },
        Command::Version => Ok(Effect::Output(vec![format!("exabgp {}", caller.version)])),
        Command::Help => Ok(Effect::Output(
            ferrobgp_api::parse::HELP
                .iter()
                .map(|s| s.to_string())
                .collect(),
        )),
        Command::Reset => Ok(Effect::Reset),
        Command::Debug(text) => Ok(Effect::Debug(text.clone())),
        Command::EnableAck(_) | Command::DisableAck | Command::SilenceAck | Command::Comment => {
            Ok(Effect::Nothing)
        }
    }
}

/// The ExaBGP release whose behaviour ferrobgp follows.
pub const EXABGP_RELEASE: &str = "5.0.15";

/// What `version` answers after `exabgp `: ExaBGP's shape (scripts split
/// `exabgp 5.0.15` on the space and compare the release), then the real
/// ferrobgp version, e.g. `5.0.15 (ferrobgp 0.1.0)`.
pub fn version_answer() -> String {
    format!("{EXABGP_RELEASE} (ferrobgp {})", env!("CARGO_PKG_VERSION"))
}
