//! Payload types carried inside the messages whose definitions belong to
//! other crates (crates/config: neighbors, settings, the configuration model;
//! crates/wire: routes, negotiated capabilities).
//!
//! Transitional form: while those types are being written they travel as
//! [`Serialized`] values (bincode-2 serde bytes of the owning crate's type).
//! The owning crate's type is the only one ever put in or taken out:
//! `Serialized::of(&neighbor)` on one side, `serialized.to::<Neighbor>()` on
//! the other. Each field documents which type it holds. When a type lands
//! with serde support the field switches to it directly.

use crate::error::Result;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// A value of another crate's serde type, serialized with bincode 2.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Serialized(pub Vec<u8>);

impl Serialized {
    /// Serializes `value`.
    pub fn of<T: Serialize>(value: &T) -> Result<Self> {
        Ok(Serialized(bincode::serde::encode_to_vec(
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
