//! The attribute sets of one message, each distinct set once, routes
//! referring to it by index: what [`crate::ChangeList`] and
//! [`crate::JournalOps`] share. The same `Arc` is found by its address (the
//! last one first: the routes of a batch mostly share one), an equal set
//! by value.

use ferrobgp_wire::attribute::Attributes;
use foldhash::HashMap;
use std::sync::Arc;

#[derive(Debug, Clone, Default)]
pub(crate) struct SetTable {
    sets: Vec<Arc<Attributes>>,
    by_value: HashMap<Arc<Attributes>, u32>,
    /// Set index by `Arc` address; every address recorded stays valid
    /// (and unique) because `sets` or `held` keeps that `Arc`.
    by_address: HashMap<usize, u32>,
    held: Vec<Arc<Attributes>>,
    /// The address and index of the last set asked for.
    last: Option<(usize, u32)>,
}

impl SetTable {
    /// A table of sets already numbered (a message read from a channel).
    pub(crate) fn of(sets: Vec<Arc<Attributes>>) -> SetTable {
        SetTable {
            sets,
            ..SetTable::default()
        }
    }

    /// The index of `set`, added when it is new.
    pub(crate) fn index(&mut self, set: &Arc<Attributes>) -> u32 {
        let address = Arc::as_ptr(set) as usize;
        if let Some((a, i)) = self.last {
            if a == address {
                return i;
            }
        }
        let i = self.lookup(set, address);
        self.last = Some((address, i));
        i
    }

    fn lookup(&mut self, set: &Arc<Attributes>, address: usize) -> u32 {
        if let Some(i) = self.by_address.get(&address) {
            return *i;
        }
        let i = match self.by_value.get(set) {
            Some(i) => {
                self.held.push(set.clone());
                *i
            }
            None => {
                let i = u32::try_from(self.sets.len()).unwrap_or(u32::MAX);
                self.sets.push(set.clone());
                self.by_value.insert(set.clone(), i);
                i
            }
        };
        self.by_address.insert(address, i);
        i
    }

    /// The distinct sets, in order of first use.
    pub(crate) fn sets(&self) -> &[Arc<Attributes>] {
        &self.sets
    }

    pub(crate) fn into_sets(self) -> Vec<Arc<Attributes>> {
        self.sets
    }

    pub(crate) fn get(&self, i: u32) -> Option<&Arc<Attributes>> {
        self.sets.get(i as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(med: u32) -> Arc<Attributes> {
        Arc::new(Attributes {
            med: Some(med),
            ..Attributes::default()
        })
    }

    #[test]
    fn equal_sets_get_one_index_whatever_their_arc() {
        let (a, b, a2) = (set(1), set(2), set(1));
        let mut t = SetTable::default();
        assert_eq!(t.index(&a), 0);
        assert_eq!(t.index(&a), 0);
        assert_eq!(t.index(&b), 1);
        assert_eq!(t.index(&a2), 0);
        assert_eq!(t.index(&b), 1);
        assert_eq!(t.index(&a), 0);
        assert_eq!(t.sets().len(), 2);
        assert_eq!(t.get(1), Some(&b));
        assert_eq!(t.get(2), None);
    }
}
