//! Neighbor selectors (spec §2.3): `neighbor IP [local-ip IP] [local-as ASN]
//! [peer-as ASN] [router-id IP] [family-allowed X] [, neighbor ...]` or
//! `neighbor *` in front of a command, matched against each peer's name
//! string (`neighbor 127.0.0.1 local-ip 127.0.0.1 local-as 1 peer-as 1
//! router-id 1.2.3.4 family-allowed in-open`).

use crate::error::{ApiError, Result};
use ferrobgp_wire::Family;
use std::net::IpAddr;

/// The keys a selector may use besides `neighbor`.
pub const SELECTOR_KEYS: [&str; 5] = [
    "local-ip",
    "local-as",
    "peer-as",
    "router-id",
    "family-allowed",
];

/// Which peers a command addresses.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Selector {
    /// No selector: every peer the process may address.
    #[default]
    Unspecified,
    /// `neighbor *`: every peer the process may address.
    All,
    /// One or more comma-separated descriptions; a peer matches when it
    /// matches any of them.
    Peers(Vec<Description>),
}

/// One description: `key value` pairs, the first being `neighbor <ip>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    pub pairs: Vec<(String, String)>,
}

impl Description {
    /// True when every `key value` pair is a whole word pair of `name`.
    pub fn matches(&self, name: &str) -> bool {
        let words: Vec<&str> = name.split(' ').filter(|w| !w.is_empty()).collect();
        self.pairs
            .iter()
            .all(|(k, v)| words.windows(2).any(|w| w[0] == k && w[1] == v))
    }
}

impl Selector {
    /// True when this selector selects the peer with this name string.
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Selector::Unspecified | Selector::All => true,
            Selector::Peers(ds) => ds.iter().any(|d| d.matches(name)),
        }
    }

    /// The peers (by id) this selector picks among those the process may
    /// address, each once, in the order given. Error when none matches.
    pub fn select<'a, I, T>(&self, addressable: I) -> Result<Vec<T>>
    where
        I: IntoIterator<Item = (T, &'a str)>,
    {
        let picked: Vec<T> = addressable
            .into_iter()
            .filter(|(_, name)| self.matches(name))
            .map(|(id, _)| id)
            .collect();
        if picked.is_empty() {
            return Err(ApiError::NoMatchingPeer);
        }
        Ok(picked)
    }
}

/// Splits a leading selector off the words of a normalised line. Returns
/// the selector and the index of the first word of the command.
pub fn parse_selector(words: &[&str]) -> Result<(Selector, usize)> {
    if words.first() != Some(&"neighbor") {
        return Ok((Selector::Unspecified, 0));
    }
    if words.get(1) == Some(&"*") {
        return Ok((Selector::All, 2));
    }
    let mut descriptions = Vec::new();
    let mut i = 0;
    loop {
        // at `neighbor`
        let ip = words
            .get(i + 1)
            .ok_or_else(|| ApiError::Selector("'neighbor' needs an address".into()))?;
        if *ip == "*" {
            return Err(ApiError::Selector(
                "'*' can not be combined with other neighbors".into(),
            ));
        }
        let mut pairs = vec![("neighbor".to_string(), ip.to_string())];
        i += 2;
        while let Some(key) = words.get(i) {
            if !SELECTOR_KEYS.contains(key) {
                break;
            }
            let value = words
                .get(i + 1)
                .ok_or_else(|| ApiError::Selector(format!("'{key}' needs a value")))?;
            check_value(key, value)?;
            pairs.push((key.to_string(), value.to_string()));
            i += 2;
        }
        descriptions.push(Description { pairs });
        if words.get(i) == Some(&",") {
            if words.get(i + 1) != Some(&"neighbor") {
                return Err(ApiError::Selector(
                    "',' must be followed by 'neighbor'".into(),
                ));
            }
            i += 1;
            continue;
        }
        break;
    }
    if i >= words.len() {
        return Err(ApiError::Selector(
            "no command after the neighbor selector".into(),
        ));
    }
    Ok((Selector::Peers(descriptions), i))
}

fn check_value(key: &str, value: &str) -> Result<()> {
    let ok = match key {
        "local-ip" | "router-id" => value.parse::<IpAddr>().is_ok(),
        "local-as" | "peer-as" => value.parse::<u32>().is_ok(),
        _ => !matches!(value, "," | "[" | "]" | "(" | ")"),
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::Selector(format!(
            "invalid value '{value}' for '{key}'"
        )))
    }
}

/// What `family-allowed` shows in a peer's name string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FamilyAllowed {
    /// The usual case: the families are those negotiated in the OPEN.
    InOpen,
    /// Multi-session: the families of this session.
    Families(Vec<Family>),
}

/// The facts a peer's name string is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerName {
    pub peer_address: IpAddr,
    pub local_address: Option<IpAddr>,
    pub local_as: u32,
    pub peer_as: u32,
    pub router_id: Option<IpAddr>,
    pub family_allowed: FamilyAllowed,
}

impl PeerName {
    /// `neighbor 127.0.0.1 local-ip 127.0.0.1 local-as 1 peer-as 1 router-id
    /// 1.2.3.4 family-allowed in-open`; an unknown local address or router
    /// id is printed as `auto`, families as `ipv4-unicast/ipv6-unicast`.
    pub fn render(&self) -> String {
        let auto = |a: Option<IpAddr>| a.map(|a| a.to_string()).unwrap_or_else(|| "auto".into());
        let families = match &self.family_allowed {
            FamilyAllowed::InOpen => "in-open".to_string(),
            FamilyAllowed::Families(fs) => fs
                .iter()
                .map(|f| format!("{}-{}", f.afi, f.safi))
                .collect::<Vec<_>>()
                .join("/"),
        };
        format!(
            "neighbor {} local-ip {} local-as {} peer-as {} router-id {} family-allowed {}",
            self.peer_address,
            auto(self.local_address),
            self.local_as,
            self.peer_as,
            auto(self.router_id),
            families
        )
    }
}
