//! Cuts a byte stream (as read from a TCP socket) into BGP messages.
//!
//! [`Framer`] owns a `BytesMut`: bytes are appended with [`Framer::feed`]
//! (or read straight into [`Framer::buffer_mut`]), and
//! [`Framer::next_frame`] returns each complete message as a [`Frame`]
//! whose body is split off the buffer without copying. The header is
//! checked as soon as its 19 bytes are there (marker 1/1, length 1/2 with
//! the length as data), so a bad length is reported before its body
//! arrives. After an error the stream is out of sync: the caller sends the
//! NOTIFICATION and closes.

use super::header::{decode_header, HEADER_LEN};
use super::{Message, UpdateMessage};
use crate::error::Result;
use crate::negotiated::{Negotiated, STANDARD_MAX_MESSAGE_SIZE};
use crate::update::Context;
use bytes::{Buf, Bytes, BytesMut};

/// One message cut from the stream: its type and body (header removed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub kind: u8,
    pub body: Bytes,
}

impl Frame {
    pub fn decode(&self, negotiated: &Negotiated) -> Result<Message> {
        Message::decode_impl(self.kind, &self.body, |_| {
            UpdateMessage::decode_bytes(self.body.clone(), &Context::from(negotiated))
        })
    }

    /// As [`Frame::decode`] with the UPDATE context given. An UPDATE
    /// keeps a reference to the frame's bytes instead of a copy.
    pub fn decode_with(&self, ctx: &Context) -> Result<Message> {
        Message::decode_impl(self.kind, &self.body, |_| {
            UpdateMessage::decode_bytes(self.body.clone(), ctx)
        })
    }
}

/// Streaming message splitter with a configurable maximum message size.
#[derive(Debug)]
pub struct Framer {
    buf: BytesMut,
    max_size: usize,
}

impl Default for Framer {
    fn default() -> Framer {
        Framer::new(STANDARD_MAX_MESSAGE_SIZE)
    }
}

impl Framer {
    /// A framer accepting messages up to `max_size` bytes (4096 until
    /// Extended Message is negotiated, then 65535).
    pub fn new(max_size: usize) -> Framer {
        Framer {
            buf: BytesMut::with_capacity(STANDARD_MAX_MESSAGE_SIZE),
            max_size,
        }
    }

    pub fn max_size(&self) -> usize {
        self.max_size
    }

    /// Changes the limit (once the OPENs are exchanged).
    pub fn set_max_size(&mut self, max_size: usize) {
        self.max_size = max_size;
    }

    /// Appends received bytes.
    pub fn feed(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    /// The buffer, to read into directly (`read_buf`).
    pub fn buffer_mut(&mut self) -> &mut BytesMut {
        &mut self.buf
    }

    /// Bytes received and not yet returned as a frame.
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// The next complete message, `None` if more bytes are needed.
    pub fn next_frame(&mut self) -> Result<Option<Frame>> {
        let Some(head) = self.buf.get(..HEADER_LEN) else {
            return Ok(None);
        };
        let mut h = [0u8; HEADER_LEN];
        h.copy_from_slice(head);
        let header = decode_header(&h, self.max_size)?;
        let total = usize::from(header.length);
        if self.buf.len() < total {
            self.buf.reserve(total - self.buf.len());
            return Ok(None);
        }
        let mut msg = self.buf.split_to(total);
        msg.advance(HEADER_LEN);
        Ok(Some(Frame {
            kind: header.kind,
            body: msg.freeze(),
        }))
    }

    /// The next complete message, decoded.
    pub fn next_message(&mut self, negotiated: &Negotiated) -> Result<Option<Message>> {
        match self.next_frame()? {
            Some(f) => f.decode(negotiated).map(Some),
            None => Ok(None),
        }
    }

    /// As [`Framer::next_message`] with the UPDATE context given (build it
    /// once per session rather than once per message).
    pub fn next_message_with(&mut self, ctx: &Context) -> Result<Option<Message>> {
        match self.next_frame()? {
            Some(f) => f.decode_with(ctx).map(Some),
            None => Ok(None),
        }
    }
}
