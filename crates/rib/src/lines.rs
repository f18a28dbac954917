//! Cutting a helper's output into lines in linear time with a bounded
//! buffer: each byte is scanned once (a read that brings no newline costs
//! only its own length), and a line longer than the bound is not kept:
//! its bytes are counted and dropped up to its newline, and it is
//! reported as [`Line::TooLong`] in its place.

/// One item of a helper's output, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    /// A complete line, without its `\n` (and `\r`).
    Text(String),
    /// A line longer than the bound, dropped: its length.
    TooLong(usize),
}

/// The framing state of one source.
#[derive(Debug)]
pub struct LineFramer {
    max: usize,
    /// The start of the current line (at most `max` bytes).
    buf: Vec<u8>,
    /// Length of an over-long line being skipped.
    skipping: Option<usize>,
}

impl LineFramer {
    /// Lines of at most `max` bytes (newline excluded) are kept.
    pub fn new(max: usize) -> LineFramer {
        LineFramer {
            max,
            buf: Vec::new(),
            skipping: None,
        }
    }

    /// Bytes held for the current, incomplete line.
    #[cfg(test)]
    pub fn buffered(&self) -> usize {
        self.buf.len()
    }

    /// Adds what one read returned; appends the items it completes to `out`.
    pub fn push(&mut self, mut data: &[u8], out: &mut Vec<Line>) {
        while !data.is_empty() {
            let nl = data.iter().position(|&b| b == b'\n');
            let part = &data[..nl.unwrap_or(data.len())];
            match self.skipping.as_mut() {
                Some(n) => *n += part.len(),
                None if self.buf.len() + part.len() > self.max => {
                    self.skipping = Some(self.buf.len() + part.len());
                    self.buf = Vec::new();
                }
                // a complete line not started in an earlier read is
                // taken from `data` below, never copied here first
                None if nl.is_some() && self.buf.is_empty() => {}
                None => self.buf.extend_from_slice(part),
            }
            let Some(nl) = nl else {
                return;
            };
            out.push(match self.skipping.take() {
                Some(n) => Line::TooLong(n),
                // a whole line in this read (the common case): one copy,
                // straight into its string
                None if self.buf.is_empty() => Line::Text(text(part)),
                None => {
                    let line = text(&self.buf);
                    self.buf.clear();
                    if self.buf.capacity() > 4096 {
                        self.buf = Vec::new();
                    }
                    Line::Text(line)
                }
            });
            data = &data[nl + 1..];
        }
    }
}

/// A line's text without its `\r`, invalid UTF-8 replaced.
fn text(line: &[u8]) -> String {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feed(f: &mut LineFramer, chunks: &[&[u8]]) -> Vec<Line> {
        let mut out = Vec::new();
        for c in chunks {
            f.push(c, &mut out);
        }
        out
    }

    fn text(s: &str) -> Line {
        Line::Text(s.to_string())
    }

    #[test]
    fn lines_across_reads() {
        let mut f = LineFramer::new(100);
        let out = feed(
            &mut f,
            &[b"announce a\nwithdraw b\r\npart", b"ial\n\n", b"x"],
        );
        assert_eq!(
            out,
            [
                text("announce a"),
                text("withdraw b"),
                text("partial"),
                text("")
            ]
        );
        assert_eq!(f.buffered(), 1);
    }

    #[test]
    fn carriage_returns_and_bad_bytes_wherever_the_reads_cut() {
        let whole: &[u8] = b"a\xffb\r\nsecond\r\n\r\nthird";
        for cut in 0..whole.len() {
            let mut f = LineFramer::new(100);
            let out = feed(&mut f, &[&whole[..cut], &whole[cut..], b"\n"]);
            assert_eq!(
                out,
                [text("a\u{fffd}b"), text("second"), text(""), text("third")],
                "cut at {cut}"
            );
        }
    }

    #[test]
    fn an_over_long_line_is_dropped_and_counted_the_next_one_kept() {
        let mut f = LineFramer::new(8);
        let out = feed(
            &mut f,
            &[b"ok\n0123456", b"789abc", b"def\nshort\n123456789\n"],
        );
        assert_eq!(
            out,
            [
                text("ok"),
                Line::TooLong(16),
                text("short"),
                Line::TooLong(9)
            ]
        );
        assert_eq!(f.buffered(), 0);
        // exactly the bound is kept
        let out = feed(&mut f, &[b"12345678\n"]);
        assert_eq!(out, [text("12345678")]);
    }

    #[test]
    fn a_long_line_without_newline_holds_no_memory_and_costs_linear_time() {
        let mut f = LineFramer::new(1 << 20);
        let chunk = vec![b'x'; 16 * 1024];
        let start = std::time::Instant::now();
        let mut out = Vec::new();
        // 40 MB in 16 KiB reads, as a helper's pipe delivers them
        for _ in 0..2560 {
            f.push(&chunk, &mut out);
            assert!(f.buffered() <= 1 << 20);
        }
        f.push(b"\nannounce route 10.0.0.0/24 next-hop 1.2.3.4\n", &mut out);
        assert_eq!(
            out,
            [
                Line::TooLong(2560 * 16 * 1024),
                text("announce route 10.0.0.0/24 next-hop 1.2.3.4")
            ]
        );
        // a quadratic rescan of 40 MB takes tens of seconds
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
