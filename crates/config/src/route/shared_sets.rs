//! The attribute sets of a section's routes, each held once. Every route
//! statement builds its own set; a `static` section of a million
//! `route P next-hop NH;` statements has a million equal sets, 320 bytes
//! each, that the rest of the load (and the rib) would otherwise hold one
//! by one.

use super::attributes::AttrSet;
use super::ConfigRoute;
use foldhash::HashSet;
use std::sync::Arc;

/// Equal attribute sets shared while a section is read.
#[derive(Debug, Default)]
pub struct SharedSets {
    pool: HashSet<Arc<AttrSet>>,
}

impl SharedSets {
    /// Points `route`'s attribute set to the pool's equal set (kept when
    /// new).
    pub fn share(&mut self, route: &mut ConfigRoute) {
        let set = route.attrs_mut();
        if let Some(shared) = self.pool.get(&**set) {
            *set = shared.clone();
        } else {
            self.pool.insert(set.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::section::Sink;
    use crate::tree::Node;

    #[test]
    fn equal_sets_of_a_static_section_are_one() {
        let text = "static {\n route 10.0.0.0/24 next-hop 192.0.2.1;\n route 10.0.1.0/24 next-hop 192.0.2.1;\n route 10.0.2.0/24 next-hop 192.0.2.1 med 5;\n route 10.0.3.0/24 next-hop 192.0.2.1 med 5;\n route 10.0.4.0/24 next-hop 192.0.2.1;\n}\n";
        let lexed = crate::lexer::tokenize(text);
        let tree = crate::tree::build(lexed.tokens, lexed.end);
        let Some(Node::Section(s)) = tree.nodes.into_iter().next() else {
            panic!("a section");
        };
        let mut sink = Sink::default();
        let routes = super::super::static_section(s, &mut sink);
        assert!(sink.errors.is_empty(), "{:?}", sink.errors);
        let sets: Vec<_> = routes
            .iter()
            .map(|(r, _)| r.clone().attrs_mut().clone())
            .collect();
        assert_eq!(sets.len(), 5);
        assert!(std::sync::Arc::ptr_eq(&sets[0], &sets[1]));
        assert!(std::sync::Arc::ptr_eq(&sets[0], &sets[4]));
        assert!(std::sync::Arc::ptr_eq(&sets[2], &sets[3]));
        assert!(!std::sync::Arc::ptr_eq(&sets[0], &sets[2]));
        assert_eq!(sets[2].med, Some(5));
    }
}
