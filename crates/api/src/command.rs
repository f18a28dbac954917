//! The typed commands a helper line turns into (spec §2.4).

use crate::selector::Selector;
use ferrobgp_config::route::operational::OperationalMessage;
use ferrobgp_wire::Family;
use std::net::IpAddr;

/// A parsed command line: which peers, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedLine {
    pub selector: Selector,
    pub command: Command,
}

/// Announce or withdraw.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Verb {
    Announce,
    Withdraw,
}

impl Verb {
    pub fn as_str(self) -> &'static str {
        match self {
            Verb::Announce => "announce",
            Verb::Withdraw => "withdraw",
        }
    }
}

/// Which route grammar the words after the verb follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteKind {
    /// `route <prefix> <attributes>` (rd/label decide the family).
    Route,
    /// `attribute[s] <attributes> nlri <prefix>...`.
    Attributes,
    /// `ipv4|ipv6 <safi> ...` (the `announce { ipv4 { ... } }` grammar).
    Family(Family),
    /// `flow route ...`.
    Flow,
    /// `vpls ...`.
    Vpls,
}

/// A route command before its routes are built: the words after the
/// keyword(s) that chose the grammar, as normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteCommand {
    pub action: Verb,
    pub kind: RouteKind,
    pub words: Vec<String>,
}

/// `show neighbor` variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NeighborView {
    #[default]
    Default,
    Summary,
    Extensive,
    Configuration,
}

/// Which Adj-RIB.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RibSide {
    In,
    Out,
}

/// The format of the opt-in JSON reply mode set by `enable-ack json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum AckFormat {
    /// `done` / `error` lines, as ExaBGP writes them.
    #[default]
    Text,
    /// One JSON object per reply carrying the sequence number and, for
    /// errors, the reason (a ferrobgp extension).
    Json,
}

impl AckFormat {
    /// The value of the setting `exabgp.api.ack-format` (`text` or `json`).
    pub fn from_setting(value: &str) -> Option<AckFormat> {
        match value.trim().to_ascii_lowercase().as_str() {
            "text" => Some(AckFormat::Text),
            "json" => Some(AckFormat::Json),
            _ => None,
        }
    }
}

/// One API command.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// announce/withdraw of routes (route, attributes, ipv4/ipv6, flow, vpls).
    Route(RouteCommand),
    /// `announce eor [afi safi]` (default ipv4 unicast).
    Eor(Family),
    /// `announce route-refresh afi safi`.
    RouteRefresh(Family),
    /// `announce operational <kind> afi <a> safi <s> ...`: the message
    /// (the configuration's `operational { }` grammar).
    Operational(OperationalMessage),
    /// `announce operational <kind> ...` of a kind ExaBGP does not know
    /// (lower-cased): answered `done`, nothing is sent.
    OperationalIgnored(String),
    /// `announce watchdog [name]` / `withdraw watchdog [name]`; no name = the
    /// process's own name.
    Watchdog {
        action: Verb,
        name: Option<String>,
    },
    /// `clear adj-rib out`: withdraw everything sent.
    ClearAdjRibOut,
    /// `flush adj-rib out`: resend everything.
    FlushAdjRibOut,
    /// `clear adj-rib in`: forget received routes.
    ClearAdjRibIn,
    ShowNeighbor {
        view: NeighborView,
        address: Option<IpAddr>,
        json: bool,
    },
    ShowAdjRib {
        side: RibSide,
        extensive: bool,
        address: Option<IpAddr>,
        json: bool,
    },
    /// `teardown <code>`: Cease with this subcode.
    Teardown(u8),
    Shutdown,
    Reload,
    Restart,
    Version,
    Help,
    /// Drop this process's queued commands (no reply).
    Reset,
    EnableAck(AckFormat),
    DisableAck,
    SilenceAck,
    /// `# ...`
    Comment,
    /// `debug ...`: only logged, no reply.
    Debug(String),
}

impl Command {
    /// True for commands that act on peers (and so accept a selector).
    pub fn targets_peers(&self) -> bool {
        matches!(
            self,
            Command::Route(_)
                | Command::Eor(_)
                | Command::RouteRefresh(_)
                | Command::Operational(_)
                | Command::OperationalIgnored(_)
                | Command::ClearAdjRibOut
                | Command::FlushAdjRibOut
                | Command::ClearAdjRibIn
                | Command::Teardown(_)
                | Command::Restart
        )
    }

    /// The command's name, for messages.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Route(_) => "route",
            Command::Eor(_) => "announce eor",
            Command::RouteRefresh(_) => "announce route-refresh",
            Command::Operational(_) | Command::OperationalIgnored(_) => "announce operational",
            Command::Watchdog { .. } => "watchdog",
            Command::ClearAdjRibOut => "clear adj-rib out",
            Command::FlushAdjRibOut => "flush adj-rib out",
            Command::ClearAdjRibIn => "clear adj-rib in",
            Command::ShowNeighbor { .. } => "show neighbor",
            Command::ShowAdjRib { .. } => "show adj-rib",
            Command::Teardown(_) => "teardown",
            Command::Shutdown => "shutdown",
            Command::Reload => "reload",
            Command::Restart => "restart",
            Command::Version => "version",
            Command::Help => "help",
            Command::Reset => "reset",
            Command::EnableAck(_) => "enable-ack",
            Command::DisableAck => "disable-ack",
            Command::SilenceAck => "silence-ack",
            Command::Comment => "#",
            Command::Debug(_) => "debug",
        }
    }
}
