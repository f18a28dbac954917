//! The one payload the IPC does not type: the configuration model the rib
//! gets in [`SupervisorToRib::Init`](crate::SupervisorToRib::Init) and
//! [`SupervisorToRib::Reload`](crate::SupervisorToRib::Reload) (the config
//! crate's `Settings`, resolved `Config` and each peer's `Neighbor`).
//!
//! Why it stays bytes: the rib reads most of that model (processes, `api`
//! blocks, every neighbor's settings, their static routes, `show neighbor
//! configuration`), and naming those types here would make this crate
//! depend on `ferrobgp-config`, which `docs/ARCHITECTURE.md` forbids (ipc
//! depends on the codec only). The supervisor and the rib, which both
//! depend on the config crate, put the config crate's type in and take the
//! same type out: `ConfigPayload::of(&config)` on one side,
//! `payload.to::<Config>()` on the other. Every other message is typed.
//! The long-term answer is that the rib gets its static routes streamed and
//! a configuration of its own (issue #15, item 6).

use crate::error::Result;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A value of the config crate's serde types, serialized with bincode 2.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct ConfigPayload(pub Vec<u8>);

impl ConfigPayload {
    /// Serializes `value`.
    pub fn of<T: Serialize>(value: &T) -> Result<Self> {
        Ok(ConfigPayload(bincode::serde::encode_to_vec(
            value,
            bincode::config::standard(),
        )?))
    }

    /// Deserializes the value; fails when the bytes are not a `T`.
    pub fn to<T: DeserializeOwned>(&self) -> Result<T> {
        let (v, used) = bincode::serde::decode_from_slice(&self.0, bincode::config::standard())?;
        if used != self.0.len() {
            return Err(crate::Error::Protocol(
                "trailing bytes in serialized value".into(),
            ));
        }
        Ok(v)
    }
}
