//! A [`RibToSession::Changes`] read without decoding its changes whole: a
//! first table of a million routes is one frame, and decoded at once it
//! would be a `Vec<Change>` of 64 bytes a route next to the frame's own
//! bytes. [`ChangesFrame`] keeps the frame (about 12 bytes an IPv4 route)
//! and the offset of each change in it (4 bytes), decodes the sequence
//! number and the attribute sets at once and each change when asked
//! ([`ChangesFrame::get`]). The frame is checked whole when it is read,
//! as [`crate::channel::decode_payload`] checks any other: a frame that
//! does not decode is refused then, never later.
//!
//! The layout read here is bincode's (standard configuration, serde) for
//! the enum: the variant index, then the fields in order; a sequence is
//! its length, then its elements; the commonest changes are read by hand
//! (`change_reader`). `tests` holds it to the full decoding of the same
//! bytes.

use crate::channel::{bincode_config, decode_payload};
use crate::error::{Error, Result};
use crate::messages::{Change, RibToSession, Seq};
use bytes::Bytes;
use ferrobgp_wire::attribute::Attributes;
use serde::de::DeserializeOwned;
use std::sync::Arc;

/// Index of [`RibToSession::Changes`] among the enum's variants.
const CHANGES_VARIANT: u32 = 0;

/// One message of the rib to a worker, its changes left in the frame
/// (a [`RibToSession::Changes`] is always read as `Changes`).
#[derive(Debug)]
pub enum RibFrame {
    Changes(ChangesFrame),
    Other(RibToSession),
}

/// The changes of one batch, still encoded.
#[derive(Debug, Clone)]
pub struct ChangesFrame {
    pub seq: Seq,
    /// The attribute sets the routes refer to by index.
    pub attributes: Vec<Arc<Attributes>>,
    body: Bytes,
    /// Where each change starts in `body`; the last one ends at its end.
    offsets: Vec<u32>,
}

/// One value of type `T` at `at` in `body`, and where the next starts.
fn value<T: DeserializeOwned>(body: &[u8], at: usize) -> Result<(T, usize)> {
    let rest = body
        .get(at..)
        .ok_or_else(|| Error::Protocol("changes frame cut short".into()))?;
    let (v, used) = bincode::serde::decode_from_slice(rest, bincode_config())?;
    Ok((v, at + used))
}

/// The change at `at` in `body` and where the next starts: the common
/// forms read by hand (`change_reader`), the others by bincode.
fn change_at(body: &[u8], at: usize) -> Result<(Change, usize)> {
    match crate::change_reader::prefix_change(body, at) {
        Some(read) => Ok(read),
        None => value::<Change>(body, at),
    }
}

impl RibFrame {
    /// Reads the payload of one frame (the descriptor count, then the
    /// body): the number of descriptors it announces and its message.
    pub fn decode(payload: Bytes) -> Result<(usize, RibFrame)> {
        let Some(&nfds) = payload.first() else {
            return Err(Error::Protocol("empty frame".into()));
        };
        let body = payload.slice(1..);
        let (variant, at) = value::<u32>(&body, 0)?;
        if variant != CHANGES_VARIANT {
            let (nfds, msg) = decode_payload::<RibToSession>(&payload)?;
            return Ok((nfds, RibFrame::Other(msg)));
        }
        let nfds = crate::channel::check_fds(nfds)?;
        let (seq, at) = value::<Seq>(&body, at)?;
        let (attributes, at) = value::<Vec<Arc<Attributes>>>(&body, at)?;
        let (count, mut at) = value::<u64>(&body, at)?;
        // every change takes at least one byte: a count beyond the bytes
        // left is refused before anything is reserved for it
        let count = usize::try_from(count)
            .ok()
            .filter(|c| *c <= body.len() - at)
            .ok_or_else(|| Error::Protocol(format!("{count} changes in a frame")))?;
        let mut offsets = Vec::with_capacity(count);
        for _ in 0..count {
            offsets.push(
                u32::try_from(at).map_err(|_| Error::Protocol("changes frame too long".into()))?,
            );
            at = change_at(&body, at)?.1;
        }
        if at != body.len() {
            return Err(Error::Protocol(format!(
                "{} trailing bytes after message",
                body.len() - at
            )));
        }
        Ok((
            nfds,
            RibFrame::Changes(ChangesFrame {
                seq,
                attributes,
                body,
                offsets,
            }),
        ))
    }
}

impl ChangesFrame {
    /// How many changes the batch holds.
    pub fn len(&self) -> usize {
        self.offsets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.offsets.is_empty()
    }

    /// The change at `i` (in the batch's order), decoded. The frame was
    /// decoded whole when it was read, so only an `i` past the end fails.
    pub fn get(&self, i: usize) -> Result<Change> {
        let at = *self
            .offsets
            .get(i)
            .ok_or_else(|| Error::Protocol(format!("change {i} of {}", self.len())))?;
        Ok(change_at(&self.body, at as usize)?.0)
    }

    /// The frame of `msg` (a [`RibToSession::Changes`]) as the channel
    /// would have read it; None for another message.
    pub fn from_message(msg: &RibToSession) -> Result<Option<ChangesFrame>> {
        let mut frame = crate::channel::encode_frame(msg, 0)?;
        let payload = Bytes::from(frame.split_off(4));
        Ok(match RibFrame::decode(payload)?.1 {
            RibFrame::Changes(f) => Some(f),
            RibFrame::Other(_) => None,
        })
    }

    /// Bytes held: the frame and the offsets.
    pub fn held_bytes(&self) -> usize {
        self.body.len() + self.offsets.capacity() * 4
    }

    /// The whole message, decoded (for tests and small batches).
    pub fn into_message(self) -> Result<RibToSession> {
        let changes = (0..self.len())
            .map(|i| self.get(i))
            .collect::<Result<Vec<Change>>>()?;
        Ok(RibToSession::Changes {
            seq: self.seq,
            attributes: self.attributes,
            changes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::encode_frame;
    use crate::messages::ChangeList;
    use ferrobgp_wire::nlri::Prefix;
    use ferrobgp_wire::route::{NextHop, Route};
    use ferrobgp_wire::Family;

    fn payload(msg: &RibToSession) -> Bytes {
        Bytes::from(encode_frame(msg, 0).expect("encode").split_off(4))
    }

    fn list() -> ChangeList {
        let mut list = ChangeList::new();
        let med = Arc::new(Attributes {
            med: Some(5),
            ..Attributes::default()
        });
        for i in 0..300u32 {
            let route = Route::new(
                Prefix::unicast(format!("10.{}.{}.0/24", i / 256, i % 256).parse().unwrap()),
                NextHop::V4(std::net::Ipv4Addr::new(192, 0, 2, 1)),
                if i % 3 == 0 {
                    med.clone()
                } else {
                    Arc::new(Attributes::default())
                },
            );
            match i % 7 {
                0 => list.withdraw(route),
                1 => list.resend(route),
                _ => list.announce(route),
            }
        }
        list.push(Change::Eor(Family::IPV4_UNICAST));
        list
    }

    /// The changes read one at a time are those the whole decoding gives.
    #[test]
    fn changes_read_lazily_are_the_decoded_ones() {
        let msg = list().into_message(77);
        let (nfds, frame) = RibFrame::decode(payload(&msg)).expect("decode");
        assert_eq!(nfds, 0);
        let RibFrame::Changes(frame) = frame else {
            panic!("not a batch")
        };
        assert_eq!(frame.len(), 301);
        assert_eq!(frame.into_message().expect("changes"), msg);
        let empty = ChangeList::new().into_message(3);
        let RibFrame::Changes(frame) = RibFrame::decode(payload(&empty)).expect("decode").1 else {
            panic!("not a batch")
        };
        assert!(frame.is_empty());
        assert_eq!(frame.into_message().expect("changes"), empty);
    }

    #[test]
    fn other_messages_are_decoded_whole() {
        for msg in [
            RibToSession::Ping { n: 9 },
            RibToSession::SendHoldExpired,
            RibToSession::Teardown {
                subcode: 2,
                message: "bye".into(),
            },
        ] {
            let RibFrame::Other(got) = RibFrame::decode(payload(&msg)).expect("decode").1 else {
                panic!("a batch")
            };
            assert_eq!(got, msg);
        }
    }

    /// A frame cut anywhere, or with a byte more, is refused when read.
    #[test]
    fn broken_frames_are_refused_when_read() {
        let whole = payload(&list().into_message(1));
        for cut in [1, 2, 5, whole.len() / 2, whole.len() - 1] {
            assert!(
                RibFrame::decode(whole.slice(..cut)).is_err(),
                "cut at {cut}"
            );
        }
        let mut longer = whole.to_vec();
        longer.push(0);
        let err = RibFrame::decode(Bytes::from(longer)).unwrap_err();
        assert!(err.to_string().contains("trailing"), "{err}");
        // a count of changes larger than the frame could hold
        let mut huge = payload(&ChangeList::new().into_message(1)).to_vec();
        *huge.last_mut().unwrap() = 250;
        assert!(RibFrame::decode(Bytes::from(huge)).is_err());
    }
}
