//! The messages between ferrobgp's processes, their framing and descriptor
//! passing.
//!
//! Every channel is one end of a Unix stream socketpair wrapped in a
//! [`Channel`]: length-delimited frames with a bincode-2 serde body, one
//! enum per direction (see [`messages`]), descriptors passed with
//! `SCM_RIGHTS`. A peer that sends garbage or closes its end yields an
//! [`Error`]: it is dead.

mod change_reader;
mod changes_frame;
pub mod channel;
mod config_source;
mod error;
pub mod journal;
mod journal_entry;
mod journal_ops;
mod messages;
mod metrics;
pub mod peer;
pub mod pipe;
mod sets;

pub use changes_frame::{ChangesFrame, RibFrame};
pub use channel::{pair, Channel, Receiver, Sender};
pub use config_source::{ConfigFile, IniFile, PackedText, SettingsSource, PACK_LEVEL};
pub use error::{Error, Result};
pub use journal::{Journal, JournalOp, JournalOps, JournalRoute};
pub use messages::*;
pub use metrics::{LatencyHistogram, PeerMetrics, RibMetrics, SourceMetrics};
pub use peer::{FsmConfig, PeerConfig};

/// Descriptor number at which every child finds its channel to the supervisor.
pub const SUPERVISOR_FD: i32 = 3;
/// Descriptor number at which a session worker finds its channel to the rib.
pub const RIB_FD: i32 = 4;
