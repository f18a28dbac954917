//! What the worker holds while it writes a first table (issue #14): the
//! heap, counted by this test binary's allocator, while a batch of 200,000
//! routes goes from the rib's frame to UPDATEs in chunks, against the same
//! batch decoded and encoded whole (as the worker did before).

use bytes::Bytes;
use ferrobgp_ipc::channel::encode_frame;
use ferrobgp_ipc::{ChangeList, RibFrame, RibToSession};
use ferrobgp_session::batch_encoder::BatchEncoder;
use ferrobgp_session::encode::{context, encode_changes};
use ferrobgp_wire::attribute::Attributes;
use ferrobgp_wire::negotiated::Negotiated;
use ferrobgp_wire::nlri::Prefix;
use ferrobgp_wire::route::{NextHop, Route};
use ferrobgp_wire::Family;
use std::alloc::{GlobalAlloc, Layout, System};
use std::net::Ipv4Addr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

#[allow(dead_code)]
mod common;

/// The system allocator, counting the bytes in use and their peak.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Starts a measure: the peak from now on, above what is in use now.
fn start() -> usize {
    let now = IN_USE.load(Ordering::Relaxed);
    PEAK.store(now, Ordering::Relaxed);
    now
}

fn peak_above(base: usize) -> usize {
    PEAK.load(Ordering::Relaxed) - base
}

const ROUTES: usize = 200_000;

/// The rib's frame of a first table: `ROUTES` /24s sharing one attribute
/// set, then the End-of-RIB marker (its payload, as the channel reads it).
fn first_table() -> Bytes {
    let set = Arc::new(Attributes {
        med: Some(10),
        ..Attributes::default()
    });
    let mut list = ChangeList::new();
    for i in 0..ROUTES as u32 {
        let net = ipnet::Ipv4Net::new(Ipv4Addr::from(0x0a00_0000 + (i << 8)), 24).unwrap();
        list.announce(Route::new(
            Prefix::unicast(net.into()),
            NextHop::V4(Ipv4Addr::new(192, 0, 2, 1)),
            set.clone(),
        ));
    }
    list.push(ferrobgp_ipc::Change::Eor(Family::IPV4_UNICAST));
    let mut frame = encode_frame(&list.into_message(1), 0).unwrap();
    Bytes::from(frame.split_off(4))
}

#[test]
fn a_first_table_is_written_holding_a_bounded_part_of_it() {
    let cfg = common::config(179, 180, 0);
    let ctx = context(&Negotiated::standalone(), &cfg, None);
    let payload = first_table();
    let frame_bytes = payload.len();

    // streamed: the offsets (4 bytes a route), one unit's UPDATEs (about
    // 4 bytes a route: one grouped unit is packed whole) and a chunk
    let base = start();
    let RibFrame::Changes(batch) = RibFrame::decode(payload.clone()).unwrap().1 else {
        panic!("not a batch");
    };
    let mut encoder = BatchEncoder::new(batch, &ctx, &cfg, false).unwrap();
    let (mut bytes, mut messages) = (0, 0);
    while !encoder.is_done() {
        let mut chunk = Vec::new();
        encoder
            .next_chunk(&ctx, &cfg, 256 * 1024, &mut chunk)
            .unwrap();
        bytes += chunk.iter().map(|m| m.bytes.len()).sum::<usize>();
        messages += chunk.len();
    }
    drop(encoder);
    let streamed = peak_above(base);
    let bound = 9 * ROUTES + (1 << 20);
    assert!(
        streamed <= bound,
        "streaming held {streamed} bytes besides the {frame_bytes}-byte frame (bound {bound})"
    );

    // whole: the batch decoded, then every message (the same ones)
    let base = start();
    let (_, msg) = ferrobgp_ipc::channel::decode_payload::<RibToSession>(&payload).unwrap();
    let RibToSession::Changes {
        attributes,
        changes,
        ..
    } = msg
    else {
        panic!("not a batch");
    };
    let out = encode_changes(&changes, &attributes, &ctx, &cfg).unwrap();
    let whole = peak_above(base);
    eprintln!("{ROUTES} routes, frame {frame_bytes} bytes: streamed {streamed}, whole {whole}");
    assert_eq!(out.len(), messages);
    assert_eq!(out.iter().map(|m| m.bytes.len()).sum::<usize>(), bytes);
    // the measure tells the two apart: the whole batch decoded is well
    // past the bound
    assert!(whole > 10 * bound, "whole batch: {whole} bytes");
}
