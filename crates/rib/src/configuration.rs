//! The configuration as the rib loads it: the supervisor sends the text of
//! the configuration files and the sources of the settings
//! (`ipc::ConfigFile`, `ipc::SettingsSource`), never the configuration
//! model, and the rib runs the config crate's loader on them itself, the
//! supervisor's loader (route sections kept as text, parsed afterwards
//! one neighbor at a time: see `process/configured.rs`), so an error keeps
//! its `FILE:LINE:COLUMN`. Pure: nothing here reads a file.
//!
//! The supervisor numbers the neighbors (peer ids survive reloads): it
//! sends one `ipc::ConfiguredPeer` per neighbor of the files, in order,
//! and the rib's load, of the same text with the same settings, has the
//! same neighbors in the same order. A neighbor defined twice keeps its
//! last definition, as in the supervisor.
//!
//! The rib keeps the running configuration as the supervisor sent it, the
//! files' text packed (a million static routes are 48.5 MB of text, 0.9
//! MB packed), and loads it again for `show neighbor configuration` and,
//! on a reload that changes the files, for the route sections the last
//! configuration installed ([`route_texts`]): no route section is held as
//! text once installed.

use crate::batch::PeerId;
use ferrobgp_config::{Config, LoadOptions, Neighbor, RouteText, RunLookup, Settings};
use ferrobgp_ipc as ipc;
use std::collections::BTreeMap;

/// The settings the supervisor loaded, loaded again from their sources.
pub fn settings(source: &ipc::SettingsSource) -> Result<Settings, String> {
    let ini = source
        .ini
        .as_ref()
        .map(|f| (f.path.as_path(), f.text.as_str()));
    Settings::load(
        source.vars.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        ini,
    )
    .map(|l| l.settings)
    .map_err(|e| e.to_string())
}

/// A configuration loaded from its files: the model without neighbors,
/// and each peer's neighbor by peer id, its route sections as text.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub peers: Vec<(PeerId, Neighbor)>,
}

/// Loads `files` as the supervisor did and numbers the neighbors with
/// `peers`; the errors when a file does not load or the neighbors are not
/// the supervisor's.
pub fn load(
    files: &[ipc::ConfigFile],
    settings: &Settings,
    peers: &[ipc::ConfiguredPeer],
) -> Result<Loaded, Vec<String>> {
    // The supervisor checked the `run` programs: the rib looks none up.
    let opts = LoadOptions {
        settings: settings.clone(),
        run: RunLookup {
            path: None,
            check: false,
            user: None,
        },
        defer_routes: true,
    };
    let mut configs = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    for f in files {
        // the text is dropped once loaded: the neighbors hold their sections
        let source = ferrobgp_config::Source {
            path: f.path.clone(),
            absolute: f.absolute.clone(),
            text: f
                .text
                .unpack()
                .map_err(|e| vec![format!("{}: {e}", f.path.display())])?,
        };
        match ferrobgp_config::load_source(&source, &opts) {
            Ok(l) => configs.push(l.config),
            Err(ferrobgp_config::ConfigError::Invalid(ds)) => {
                errors.extend(ds.iter().map(ToString::to_string))
            }
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut config = Config::merge(configs);
    let neighbors = std::mem::take(&mut config.neighbors);
    Ok(Loaded {
        config,
        peers: number(neighbors, peers)?,
    })
}

/// The neighbors by the supervisor's peer ids (one per neighbor, in
/// order), the last definition of an id kept.
fn number(
    neighbors: Vec<Neighbor>,
    peers: &[ipc::ConfiguredPeer],
) -> Result<Vec<(PeerId, Neighbor)>, Vec<String>> {
    if neighbors.len() != peers.len() {
        return Err(vec![format!(
            "the configuration has {} neighbor(s), the supervisor numbered {}",
            neighbors.len(),
            peers.len()
        )]);
    }
    let mut by_id = BTreeMap::new();
    for (n, p) in neighbors.into_iter().zip(peers) {
        if n.peer_address.addr() != p.peer_address {
            return Err(vec![format!(
                "neighbor {} is {} for the supervisor",
                n.peer_address, p.peer_address
            )]);
        }
        by_id.insert(p.id, n);
    }
    Ok(by_id.into_iter().collect())
}

/// Each peer's route sections in the configuration `files` hold (the
/// running one: it loaded before), for what a reload replaces and `show
/// neighbor configuration`.
pub fn route_texts(
    files: &[ipc::ConfigFile],
    settings: &Settings,
    peers: &[ipc::ConfiguredPeer],
) -> Result<BTreeMap<PeerId, Vec<RouteText>>, Vec<String>> {
    let loaded = load(files, settings, peers)?;
    Ok(loaded
        .peers
        .into_iter()
        .map(|(id, n)| (id, n.route_text))
        .collect())
}

#[cfg(test)]
#[path = "configuration_tests.rs"]
mod tests;
