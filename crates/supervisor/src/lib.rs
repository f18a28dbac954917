//! ferrobgp's supervisor: the process that owns every other process.
//!
//! It loads the configuration, opens the listening sockets, starts the rib,
//! the helper programs of `process` blocks and one session worker per
//! neighbor (re-executing this binary with an internal role), passes
//! descriptors between them, reaps and restarts what dies, reloads, and
//! stops everything on request. It never parses a BGP message.
//!
//! [`daemon::run`] is the entry point; [`limits`], [`plan`] and parts of
//! [`listen`] are pure and tested in-process; [`spawn`] is the only place
//! that forks. [`privilege`], [`confine`] and [`notify`] (privilege drop,
//! worker confinement, systemd notification) are used by the spawn path
//! and the daemon loop.

pub mod capability;
mod cli_pipes;
pub mod confine;
pub mod control;
mod daemon;
mod error;
mod helper_respawn;
mod hold;
mod limits;
mod listen;
mod metrics;
pub mod notify;
mod outgoing;
mod peer_config;
mod plan;
pub mod privilege;
mod role_users;
pub mod socket_trust;
mod spawn;

pub use daemon::{run, Options};
pub use error::{Error, Result};
