//! The `ferrobgp` binary.

fn main() {}
