//! Byte-level reading and writing shared by every message, attribute and NLRI
//! codec in this crate.
//!
//! [`Reader`] is a bounded cursor: every read either returns a value or a
//! [`Truncated`] error, never panics, and [`Reader::sub`] hands out a reader
//! limited to a length field so that a nested structure can never read past
//! its own end. [`Reader::finish`] rejects trailing bytes. Writing appends to
//! a `Vec<u8>`; [`Writer::length_u8`] / [`Writer::length_u16`] reserve a
//! length field and fill it once the body is written.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// A read went past the end of the bytes available to a structure (a
/// reason the caller maps to its NOTIFICATION or RFC 7606 action, see
/// [`crate::error::at`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Truncated {
    pub needed: usize,
    pub available: usize,
}

impl fmt::Display for Truncated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "truncated: needed {} more byte(s), {} left",
            self.needed, self.available
        )
    }
}

/// Bytes were left over after a structure that must fill its whole length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trailing(pub usize);

impl fmt::Display for Trailing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} trailing byte(s)", self.0)
    }
}

/// A bounded cursor over a byte slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader { buf, pos: 0 }
    }

    /// Bytes not yet read.
    #[inline]
    pub fn left(&self) -> usize {
        self.buf.len() - self.pos
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.left() == 0
    }

    /// Offset of the next byte from the start of this reader's slice.
    #[inline]
    pub fn position(&self) -> usize {
        self.pos
    }

    /// The bytes not yet read, without consuming them.
    #[inline]
    pub fn rest(&self) -> &'a [u8] {
        &self.buf[self.pos..]
    }

    /// Takes exactly `n` bytes.
    #[inline]
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], Truncated> {
        if n > self.left() {
            return Err(Truncated {
                needed: n,
                available: self.left(),
            });
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    /// Takes every remaining byte.
    #[inline]
    pub fn take_rest(&mut self) -> &'a [u8] {
        let s = &self.buf[self.pos..];
        self.pos = self.buf.len();
        s
    }

    /// A reader over the next `n` bytes, which are consumed from this one.
    #[inline]
    pub fn sub(&mut self, n: usize) -> Result<Reader<'a>, Truncated> {
        self.take(n).map(Reader::new)
    }

    #[inline]
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], Truncated> {
        let s = self.take(N)?;
        let mut a = [0u8; N];
        a.copy_from_slice(s);
        Ok(a)
    }

    #[inline]
    pub fn u8(&mut self) -> Result<u8, Truncated> {
        if self.pos < self.buf.len() {
            let v = self.buf[self.pos];
            self.pos += 1;
            Ok(v)
        } else {
            Err(Truncated {
                needed: 1,
                available: 0,
            })
        }
    }

    #[inline]
    pub fn u16(&mut self) -> Result<u16, Truncated> {
        self.array::<2>().map(u16::from_be_bytes)
    }

    #[inline]
    pub fn u24(&mut self) -> Result<u32, Truncated> {
        let [a, b, c] = self.array::<3>()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    #[inline]
    pub fn u32(&mut self) -> Result<u32, Truncated> {
        self.array::<4>().map(u32::from_be_bytes)
    }

    #[inline]
    pub fn u64(&mut self) -> Result<u64, Truncated> {
        self.array::<8>().map(u64::from_be_bytes)
    }

    #[inline]
    pub fn ipv4(&mut self) -> Result<Ipv4Addr, Truncated> {
        self.array::<4>().map(Ipv4Addr::from)
    }

    #[inline]
    pub fn ipv6(&mut self) -> Result<Ipv6Addr, Truncated> {
        self.array::<16>().map(Ipv6Addr::from)
    }

    /// Succeeds only when every byte was read.
    pub fn finish(self) -> Result<(), Trailing> {
        match self.left() {
            0 => Ok(()),
            n => Err(Trailing(n)),
        }
    }
}

/// Appending writer helpers for `Vec<u8>`.
pub trait Writer {
    fn put_u8(&mut self, v: u8);
    fn put_u16(&mut self, v: u16);
    fn put_u24(&mut self, v: u32);
    fn put_u32(&mut self, v: u32);
    fn put_u64(&mut self, v: u64);
    fn put_slice(&mut self, v: &[u8]);
    /// Writes a one-byte length, runs `body`, then fills the length with the
    /// number of bytes `body` wrote. Returns that length. The caller
    /// guarantees the body fits in 255 bytes (checked in debug builds).
    fn length_u8(&mut self, body: impl FnOnce(&mut Self)) -> usize;
    /// As [`Writer::length_u8`] with a two-byte length.
    fn length_u16(&mut self, body: impl FnOnce(&mut Self)) -> usize;
}

impl Writer for Vec<u8> {
    #[inline]
    fn put_u8(&mut self, v: u8) {
        self.push(v)
    }
    #[inline]
    fn put_u16(&mut self, v: u16) {
        self.extend_from_slice(&v.to_be_bytes())
    }
    #[inline]
    fn put_u24(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes()[1..])
    }
    #[inline]
    fn put_u32(&mut self, v: u32) {
        self.extend_from_slice(&v.to_be_bytes())
    }
    #[inline]
    fn put_u64(&mut self, v: u64) {
        self.extend_from_slice(&v.to_be_bytes())
    }
    #[inline]
    fn put_slice(&mut self, v: &[u8]) {
        self.extend_from_slice(v)
    }
    fn length_u8(&mut self, body: impl FnOnce(&mut Self)) -> usize {
        let at = self.len();
        self.push(0);
        body(self);
        let n = self.len() - at - 1;
        debug_assert!(n <= 0xff, "length_u8 body of {n} bytes");
        self[at] = n as u8;
        n
    }
    fn length_u16(&mut self, body: impl FnOnce(&mut Self)) -> usize {
        let at = self.len();
        self.extend_from_slice(&[0, 0]);
        body(self);
        let n = self.len() - at - 2;
        debug_assert!(n <= 0xffff, "length_u16 body of {n} bytes");
        self[at..at + 2].copy_from_slice(&(n as u16).to_be_bytes());
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_is_bounded() {
        let mut r = Reader::new(&[1, 2, 3, 4, 5]);
        assert_eq!(r.u16(), Ok(0x0102));
        let mut sub = r.sub(2).unwrap();
        assert_eq!(sub.u8(), Ok(3));
        assert_eq!(
            sub.u16(),
            Err(Truncated {
                needed: 2,
                available: 1
            })
        );
        assert_eq!(sub.u8(), Ok(4));
        assert!(sub.finish().is_ok());
        assert_eq!(r.left(), 1);
        assert_eq!(r.clone().finish(), Err(Trailing(1)));
        assert_eq!(
            r.u32(),
            Err(Truncated {
                needed: 4,
                available: 1
            })
        );
        // a failed read consumes nothing
        assert_eq!(r.u8(), Ok(5));
        assert!(r.u8().is_err());
    }

    #[test]
    fn writer_fills_lengths() {
        let mut v = Vec::new();
        v.put_u8(9);
        let n = v.length_u16(|w| {
            w.put_u24(0x010203);
            w.length_u8(|w| w.put_slice(b"ab"));
        });
        assert_eq!(n, 6);
        assert_eq!(v, [9, 0, 6, 1, 2, 3, 2, b'a', b'b']);
    }
}
