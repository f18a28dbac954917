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

/// How hard [`ConfigPayload::of_streamed`] packs: zstd's level 1. On the
/// text of 1M static routes (48.5 MB) level 1 gives 0.9 MB in about 40 ms,
/// level 3 0.57 MB in about 100 ms (the supervisor packs before the rib
/// starts parsing, on the way to the first UPDATE), lz4 5.2 MB.
pub const PACK_LEVEL: i32 = 1;

/// A value of the config crate's serde types, serialized with bincode 2
/// (a streamed one then packed: see [`ConfigPayload::of_streamed`]).
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
    ///
    /// These bytes are compressed (zstd, [`PACK_LEVEL`]): a neighbor's
    /// route sections travel as text (the config crate's `route_text`),
    /// which the supervisor keeps to give every rib it starts and the rib
    /// keeps for reloads, as long as the configuration stands. A million
    /// `route P next-hop NH;` lines are 48.5 MB of text, 0.9 MB packed.
    pub fn of_streamed<H: Serialize, I: Serialize>(head: &H, items: &[I]) -> Result<Self> {
        let plain = bincode::serde::encode_to_vec((head, items), bincode::config::standard())?;
        let packed = zstd::bulk::compress(&plain, PACK_LEVEL)?;
        Ok(ConfigPayload(packed))
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
        let plain = zstd::stream::decode_all(self.0.as_slice())
            .map_err(|e| crate::Error::Protocol(format!("unpacking a payload: {e}")))?;
        let (head, used) =
            bincode::serde::seed_decode_from_slice(seed, &plain, bincode::config::standard())?;
        if used != plain.len() {
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
    fn a_streamed_payload_is_held_packed() {
        let items: Vec<String> = (0..10_000)
            .map(|i| {
                format!(
                    "        route 10.{}.{}.0/24 next-hop 192.0.2.1;",
                    i / 256,
                    i % 256
                )
            })
            .collect();
        let plain = ConfigPayload::of(&("neighbor", &items)).expect("encodes");
        let packed = ConfigPayload::of_streamed(&"neighbor", &items).expect("encodes");
        assert!(
            packed.0.len() * 10 < plain.0.len(),
            "{} bytes packed of {}",
            packed.0.len(),
            plain.0.len()
        );
        let again = ConfigPayload::of_streamed(&"neighbor", &items).expect("encodes");
        assert_eq!(packed, again, "the same neighbor packs to the same bytes");
    }

    #[test]
    fn other_bytes_are_refused() {
        let items = vec![1u64, 2, 3];
        let mut payload = ConfigPayload::of_streamed(&1u8, &items).expect("encodes");
        payload.0.push(0);
        assert!(payload.to_streamed::<u8, u64>(|_| {}).is_err());
        // packed bytes that are not a head and a list
        let plain = bincode::serde::encode_to_vec(1u8, bincode::config::standard()).unwrap();
        let not_streamed = ConfigPayload(zstd::bulk::compress(&plain, PACK_LEVEL).unwrap());
        assert!(not_streamed.to_streamed::<u8, u64>(|_| {}).is_err());
        // a plain value is not a head and a list
        let plain = ConfigPayload::of(&1u8).expect("encodes");
        assert!(plain.to_streamed::<u8, u64>(|_| {}).is_err());
        // cut short
        let mut short = ConfigPayload::of_streamed(&1u8, &items).expect("encodes");
        short.0.pop();
        assert!(short.to_streamed::<u8, u64>(|_| {}).is_err());
    }
}
