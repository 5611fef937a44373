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
pub mod compat;
mod context;
mod coop;
mod driver;
pub mod fs;
mod gather;
mod handle;
pub mod inspect;
pub mod io;
mod join_set;
mod loom_shim;
pub mod net;
mod runtime;
mod scheduler;
mod select;
mod stats;
pub mod sync;
mod task;
mod test_runner;
#[cfg(test)]
mod test_wakers;
pub mod testing;
/// The thread-per-task model: one OS thread per task, blocking calls, the
/// event loop's vocabulary (`spawn`, `JoinHandle`, `sleep`, `gather`,
/// `Semaphore`) plus a `ThreadPool`.
pub mod threaded;
pub mod time;
mod waker;
mod xorshift;
mod yield_now;

pub use blocking::spawn_blocking;
pub use builder::Builder;
pub use gather::{Gather, TryGather, gather, try_gather};
pub use join_set::{JoinNext, JoinSet};
pub use runtime::{Runtime, block_on, spawn};
pub use stats::Stats;
pub use task::{JoinError, JoinHandle};
pub use yield_now::{YieldNow, yield_now};

/// `#[runtime::test]`: runs an `async fn` test on a fresh runtime, on the
/// paused (virtual) clock unless `real_clock` is given; options `seed = N`,
/// `explore = N`, `timeout = "5s"`, `allow_pending`, `threaded`,
/// `crate = "path"`. TESTING.md at the top of the repository explains how a
/// failing schedule is reported and replayed (`RUNTIME_SEED`).
///
/// ```ignore
/// #[runtime::test(explore = 50, timeout = "10s")]
/// async fn a_spawned_task_runs() {
///     let value = std::rc::Rc::new(std::cell::Cell::new(0));
///     let v = value.clone();
///     runtime::spawn(async move { v.set(1) }).await.unwrap();
///     assert_eq!(value.get(), 1);
/// }
/// ```
pub use runtime_macros::test;

/// What `#[runtime::test]` and `select!` expand to call; not part of the
/// API.
#[doc(hidden)]
pub mod __private {
    /// The test runner: `run` for `async fn` tests, `run_threaded` for
    /// `threaded` ones, and the `Options` the attribute fills in.
    pub mod test {
        pub use crate::test_runner::{Options, Outcome, run, run_threaded};
    }

    /// `select!` (a `macro_rules!` at the crate root, `select.rs`) hands
    /// its branches to `select_internal` (`runtime-macros`), whose
    /// expansion calls `start` for the branch to poll first.
    pub mod select {
        pub use crate::select::{Waits, start};
        pub use runtime_macros::select_internal;
    }
}

/// Prints the task dump of the runtime running on the calling thread to
/// stderr. Meant for debuggers, while the process is stopped inside a task:
/// `call runtime::runtime_dump_tasks()` in gdb's default (Rust) language
/// mode, or `call runtime_dump_tasks()` after `set language c` (DEBUGGING.md).
///
/// Every binary that links this crate exports it, whether or not its own
/// code calls it: see `KEEP_RUNTIME_DUMP_TASKS`.
#[unsafe(no_mangle)]
pub extern "C" fn runtime_dump_tasks() {
    // The body lives in another function on purpose: a closure inside this
    // one would make gdb see `runtime::runtime_dump_tasks` as a namespace
    // (the closure's type is `runtime::runtime_dump_tasks::{{closure}}`) and
    // refuse `call runtime::runtime_dump_tasks()` with "Attempt to use a type
    // name as an expression".
    dump_tasks_to_stderr();
}

/// Keeps [`runtime_dump_tasks`] in every binary that links this crate.
///
/// A `#[no_mangle]` function of an rlib is still dropped by the linker
/// (`--gc-sections`) from an executable that never references it, so a user's
/// binary would have no `runtime_dump_tasks` for gdb to call. `#[used]`
/// keeps this static, and with it the function it points to: rustc pulls
/// every `#[used]` static of a linked rlib into the link, and marks its
/// section `SHF_GNU_RETAIN` (flag `R` in `readelf -S`), which section GC
/// never drops. No cost at run time: nothing reads it. `tests/gdb.rs`
/// checks the symbol with `nm` in the demo, an example and another crate's
/// test binary.
#[used]
static KEEP_RUNTIME_DUMP_TASKS: extern "C" fn() = runtime_dump_tasks;

fn dump_tasks_to_stderr() {
    let printed = std::panic::catch_unwind(|| match context::with_current(|sched| sched.dump()) {
        Some(dump) => eprint!("{dump}"),
        None => eprintln!("runtime_dump_tasks: no runtime is running on this thread"),
    });
    if printed.is_err() {
        eprintln!("runtime_dump_tasks: the runtime is busy; try again from another frame");
    }
}
