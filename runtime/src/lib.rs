//! A hand-built async runtime, made to be read, stepped through and measured.
//!
//! Two concurrency models live side by side:
//!
//! - **the event loop** (this crate's root): one thread, a reactor on `mio`
//!   (`epoll(7)`), tasks in a `slab`, a FIFO run queue, a timer wheel;
//! - **the thread-per-task executor** ([`threaded`]): one OS thread per task,
//!   blocking calls, the same vocabulary.
//!
//! `DESIGN.md` at the top of the repository follows one wakeup and one timer
//! through the code.
#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks, missing_docs)]

pub mod sync;

mod gather;
pub use gather::{Gather, TryGather, gather, try_gather};
