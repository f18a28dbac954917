//! A growable vector kept in fixed-size chunks, the slot storage of the
//! route tables: growing never reallocates and copies what is already
//! stored (a plain `Vec` of a million 64-byte routes copies 64 MB at its
//! last doubling and leaves the old 32 MB with the allocator), and the
//! unused room is at most one chunk instead of up to half the vector.
//!
//! The first chunk grows like a `Vec` (small tables stay small); every
//! later chunk is allocated whole.

/// Elements per chunk: 4,096 (256 KiB of 64-byte routes); small in unit
/// tests so that they cross chunks.
const CHUNK: usize = if cfg!(test) { 4 } else { 4096 };

/// Elements by position, in push order.
#[derive(Debug, Clone)]
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    /// Appends `value`; returns its position.
    pub fn push(&mut self, value: T) -> usize {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => last.push(value),
            Some(_) => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(value);
                self.chunks.push(chunk);
            }
            None => self.chunks.push(vec![value]),
        }
        self.len += 1;
        self.len - 1
    }

    /// Room for `additional` more elements in the first chunk, while there
    /// is only one (later chunks are allocated whole anyway).
    pub fn reserve(&mut self, additional: usize) {
        match self.chunks.as_mut_slice() {
            [] => self.chunks.push(Vec::with_capacity(additional.min(CHUNK))),
            [first] => first.reserve(additional.min(CHUNK - first.len())),
            _ => {}
        }
    }

    /// The element at `n`.
    ///
    /// # Panics
    /// When `n` is not below [`Chunked::len`].
    pub fn get(&self, n: usize) -> &T {
        &self.chunks[n / CHUNK][n % CHUNK]
    }

    /// The element at `n`, to change.
    ///
    /// # Panics
    /// When `n` is not below [`Chunked::len`].
    pub fn get_mut(&mut self, n: usize) -> &mut T {
        &mut self.chunks[n / CHUNK][n % CHUNK]
    }

    /// The elements in push order.
    pub fn iter(&self) -> impl Iterator<Item = &T> + '_ {
        self.chunks.iter().flatten()
    }

    /// Takes the elements out, a chunk at a time, in push order; each chunk
    /// is freed once read. (A loop over each chunk compiles to a tight
    /// loop; a flattened iterator over all elements did not: compaction
    /// took twice as long.)
    pub fn into_chunks(self) -> impl Iterator<Item = Vec<T>> {
        self.chunks.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn behaves_as_a_vector_across_chunks() {
        let mut c = Chunked::default();
        let mut model = Vec::new();
        c.reserve(2);
        for i in 0..(3 * CHUNK + 1) {
            assert_eq!(c.push(i * 10), i);
            model.push(i * 10);
        }
        assert_eq!(c.len(), model.len());
        for (i, m) in model.iter().enumerate() {
            assert_eq!(c.get(i), m);
        }
        *c.get_mut(CHUNK) += 1;
        model[CHUNK] += 1;
        // later chunks are allocated whole, never grown
        assert!(c.chunks[1..].iter().all(|x| x.capacity() == CHUNK));
        c.reserve(100);
        assert_eq!(c.iter().copied().collect::<Vec<_>>(), model);
        assert_eq!(c.into_chunks().flatten().collect::<Vec<_>>(), model);
    }

    #[test]
    fn a_small_one_stays_small() {
        let mut c = Chunked::default();
        c.push(1u8);
        assert_eq!(c.chunks.len(), 1);
        assert!(c.chunks[0].capacity() < CHUNK);
        let mut r = Chunked::<u8>::default();
        r.reserve(2);
        assert_eq!(r.chunks[0].capacity(), 2);
        assert_eq!(r.len(), 0);
        assert_eq!(r.iter().count(), 0);
    }
}
