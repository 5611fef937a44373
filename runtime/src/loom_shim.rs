//! The `Arc`, `Mutex` and atomics of the cross-thread wake path (`waker.rs`,
//! `remote.rs`): from `std`, or from `loom` when model checking.
//!
//! `RUSTFLAGS="--cfg loom" cargo test -p runtime --lib --release loom` builds
//! the crate against loom's versions, which record every atomic access and
//! lock, and runs the models in `remote.rs`: loom then explores every
//! interleaving of remote wakes with the loop's drain (the way tokio checks
//! its own). Only the models run under that flag: everything else in the
//! crate compiles but expects the real thing.

#[cfg(loom)]
pub(crate) use loom::sync::atomic::{
    AtomicBool, AtomicU32, AtomicU64, AtomicUsize, Ordering, fence,
};
#[cfg(loom)]
pub(crate) use loom::sync::{Arc, Mutex};

#[cfg(not(loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering, fence};
#[cfg(not(loom))]
pub(crate) use std::sync::{Arc, Mutex};
