//! Decoding an UPDATE allocates per message, never per prefix: a counting
//! global allocator checks that decoding 1000 prefixes costs the same
//! handful of allocations as decoding 10.

use ferrobgp_wire::attribute::{AsPath, Attributes, Origin};
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route, RouteChange};
use ferrobgp_wire::update::{pack, Context, Update};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

struct Counting;

static ALLOCS: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded to the system allocator with the same layout.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        // SAFETY: `p` was allocated by `alloc` above with layout `l`.
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn message(n: u32, v6: bool) -> Vec<u8> {
    let a = Arc::new(Attributes {
        origin: Some(Origin::Igp),
        as_path: Some(AsPath::sequence(vec![65001])),
        ..Default::default()
    });
    let changes: Vec<RouteChange> = (0..n)
        .map(|i| {
            let (net, nh) = if v6 {
                (format!("2001:db8:{i:x}::/48"), "2001:db8::1")
            } else {
                (format!("10.{}.{}.0/24", i >> 8, i & 255), "192.0.2.1")
            };
            RouteChange::Announce(Route::new(
                Prefix::unicast(net.parse().unwrap()),
                NextHop::from_ip(nh.parse().unwrap()),
                a.clone(),
            ))
        })
        .collect();
    let ctx = Context {
        max_size: 65535,
        ..Context::default()
    };
    let mut p = pack(&changes, &ctx);
    assert_eq!(p.messages.len(), if v6 { n as usize } else { 1 });
    p.messages.swap_remove(0)
}

fn allocations(msg: &[u8]) -> usize {
    let ctx = Context::default();
    let before = ALLOCS.load(Ordering::Relaxed);
    let rx = Update::decode(&msg[19..], &ctx).unwrap();
    let after = ALLOCS.load(Ordering::Relaxed);
    assert!(rx.malformations.is_empty());
    drop(rx);
    after - before
}

#[test]
fn decode_allocations_do_not_grow_with_prefixes() {
    let small = allocations(&message(10, false));
    let large = allocations(&message(1000, false));
    assert!(small <= 8, "{small} allocations for 10 prefixes");
    assert_eq!(
        large, small,
        "1000 prefixes: {large} allocations, 10: {small}"
    );
}
