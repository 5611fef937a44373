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

mod blocking;
mod builder;
mod context;
mod coop;
mod driver;
pub mod fs;
mod gather;
mod handle;
pub mod inspect;
pub mod io;
mod loom_shim;
pub mod net;
mod runtime;
mod scheduler;
mod stats;
pub mod sync;
mod task;
pub mod testing;
/// The thread-per-task model: one OS thread per task, blocking calls, the
/// event loop's vocabulary (`spawn`, `JoinHandle`, `sleep`, `gather`,
/// `Semaphore`) plus a `ThreadPool`.
pub mod threaded;
pub mod time;
mod waker;
mod yield_now;

pub use blocking::spawn_blocking;
pub use builder::Builder;
pub use gather::{Gather, TryGather, gather, try_gather};
pub use runtime::{Runtime, block_on, spawn};
pub use stats::Stats;
pub use task::{JoinError, JoinHandle};
pub use yield_now::{YieldNow, yield_now};

/// Prints the task dump of the runtime running on the calling thread to
/// stderr. Meant for debuggers: `call runtime_dump_tasks()` in gdb while the
/// process is stopped inside a task.
#[unsafe(no_mangle)]
pub extern "C" fn runtime_dump_tasks() {
    let printed = std::panic::catch_unwind(|| match context::with_current(|sched| sched.dump()) {
        Some(dump) => eprint!("{dump}"),
        None => eprintln!("runtime_dump_tasks: no runtime is running on this thread"),
    });
    if printed.is_err() {
        eprintln!("runtime_dump_tasks: the runtime is busy; try again from another frame");
    }
}
