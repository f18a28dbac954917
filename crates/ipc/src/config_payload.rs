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
//! A neighbor travels as itself without routes followed by its routes
//! ([`ConfigPayload::of_streamed`]), which the rib decodes one route at a
//! time. The long-term answer is that the rib gets a configuration of its
//! own and the supervisor never parses routes (issue #15, item 6).

use crate::error::Result;
use serde::de::{DeserializeOwned, DeserializeSeed, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::marker::PhantomData;

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

    /// Serializes `head` followed by `items`, to be read back with
    /// [`ConfigPayload::to_streamed`]: a neighbor without its routes, then
    /// its routes.
    pub fn of_streamed<H: Serialize, I: Serialize>(head: &H, items: &[I]) -> Result<Self> {
        ConfigPayload::of(&(head, items))
    }

    /// Reads what [`ConfigPayload::of_streamed`] wrote: returns the head and
    /// hands each item to `each` as soon as it is decoded, so that the
    /// whole list is never held decoded (a million configured routes are
    /// converted one by one into what the rib keeps).
    pub fn to_streamed<H: DeserializeOwned, I: DeserializeOwned>(
        &self,
        each: impl FnMut(I),
    ) -> Result<H> {
        let seed = HeadThenItems {
            each,
            _types: PhantomData,
        };
        let (head, used) =
            bincode::serde::seed_decode_from_slice(seed, &self.0, bincode::config::standard())?;
        if used != self.0.len() {
            return Err(crate::Error::Protocol(
                "trailing bytes in serialized value".into(),
            ));
        }
        Ok(head)
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
/// Decodes `(head, [items])`, handing each item to `each` (see
/// [`ConfigPayload::to_streamed`]).
struct HeadThenItems<H, I, F> {
    each: F,
    _types: PhantomData<fn() -> (H, I)>,
}

impl<'de, H: Deserialize<'de>, I: Deserialize<'de>, F: FnMut(I)> DeserializeSeed<'de>
    for HeadThenItems<H, I, F>
{
    type Value = H;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<H, D::Error> {
        d.deserialize_tuple(2, self)
    }
}

impl<'de, H: Deserialize<'de>, I: Deserialize<'de>, F: FnMut(I)> Visitor<'de>
    for HeadThenItems<H, I, F>
{
    type Value = H;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value followed by a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<H, A::Error> {
        let head = seq
            .next_element::<H>()?
            .ok_or_else(|| serde::de::Error::invalid_length(0, &self))?;
        let items = Items::<I, F> {
            each: self.each,
            _item: PhantomData,
        };
        seq.next_element_seed(items)?
            .ok_or_else(|| serde::de::Error::invalid_length(1, &"a value followed by a list"))?;
        Ok(head)
    }
}

/// Decodes a list, handing each element to `each`.
struct Items<I, F> {
    each: F,
    _item: PhantomData<fn() -> I>,
}

impl<'de, I: Deserialize<'de>, F: FnMut(I)> DeserializeSeed<'de> for Items<I, F> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, I: Deserialize<'de>, F: FnMut(I)> Visitor<'de> for Items<I, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> std::result::Result<(), A::Error> {
        while let Some(item) = seq.next_element::<I>()? {
            (self.each)(item);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_and_its_items_come_back_one_by_one() {
        let items: Vec<(u32, String)> = (0..1000).map(|i| (i, format!("route {i}"))).collect();
        let payload = ConfigPayload::of_streamed(&"neighbor".to_string(), &items).expect("encodes");
        let mut seen = Vec::new();
        let head: String = payload
            .to_streamed(|item: (u32, String)| seen.push(item))
            .expect("decodes");
        assert_eq!(head, "neighbor");
        assert_eq!(seen, items);

        let none = ConfigPayload::of_streamed(&7u8, &Vec::<String>::new()).expect("encodes");
        let mut count = 0;
        let head: u8 = none.to_streamed(|_: String| count += 1).expect("decodes");
        assert_eq!(head, 7);
        assert_eq!(count, 0);
    }

    #[test]
    fn other_bytes_are_refused() {
        let items = vec![1u64, 2, 3];
        let mut payload = ConfigPayload::of_streamed(&1u8, &items).expect("encodes");
        payload.0.push(0);
        assert!(payload.to_streamed::<u8, u64>(|_| {}).is_err());
        // a plain value is not a head and a list
        let plain = ConfigPayload::of(&1u8).expect("encodes");
        assert!(plain.to_streamed::<u8, u64>(|_| {}).is_err());
        // cut short
        let mut short = ConfigPayload::of_streamed(&1u8, &items).expect("encodes");
        short.0.pop();
        assert!(short.to_streamed::<u8, u64>(|_| {}).is_err());
    }
}
