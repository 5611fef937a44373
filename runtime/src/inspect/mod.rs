//! Inspection: task dumps, traces, and the table a debugger reads.
//!
//! - [`dump`] (and `Runtime::dump`): one line per live task: id, state,
//!   spawn site, polls, time since its last poll, what it waits on.
//! - [`runtime_dump_tasks`](crate::runtime_dump_tasks): the same, printed to
//!   stderr, callable from gdb (`call runtime::runtime_dump_tasks()`).
//! - `runtime/gdb/runtime_gdb.py`: `info async-tasks` reads the task table
//!   (`debug_table.rs`) from memory, so it also works on a core dump.
//! - `Builder::trace(path)`: a Chrome Trace Event JSON of every poll, wake
//!   and `epoll_wait` (`trace.rs`).

pub(crate) mod chrome;
pub(crate) mod debug_table;
pub(crate) mod debug_task;
pub(crate) mod dump;
pub(crate) mod frame;
pub(crate) mod framed;
pub(crate) mod trace;
mod trace_buffer;
mod trace_clock;
pub(crate) mod wait;

pub use debug_table::{DebugRuntime, RUNTIME_DEBUG_HEAD};
pub use dump::{DumpState, TaskDump, TaskInfo};
pub use frame::Frame;
pub use framed::{Framed, framed};
pub use wait::WaitReason;

/// The task dump of the runtime running on this thread.
///
/// ```
/// runtime::block_on(async {
///     let _sleeper = runtime::spawn(runtime::time::sleep(std::time::Duration::from_secs(60)));
///     runtime::yield_now().await;
///     let dump = runtime::inspect::dump();
///     assert_eq!(dump.tasks.len(), 1);
///     println!("{dump}");
/// });
/// ```
///
/// # Panics
/// Outside a runtime.
#[track_caller]
pub fn dump() -> TaskDump {
    match crate::context::with_current(|sched| sched.dump()) {
        Some(dump) => dump,
        None => panic!("runtime::inspect::dump called outside a runtime"),
    }
}

/// Notes what the task being polled now waits on (no-op outside a
/// runtime): called by the leaf futures when they return `Pending`.
#[inline]
pub(crate) fn note(wait: WaitReason) {
    crate::context::with_current(|sched| sched.note_wait(wait::WaitNote::other(wait)));
}

/// [`note`], with where the task waits: the source location that created
/// the leaf future (its `#[track_caller]` site), shown in dumps, deadlock
/// reports and `info async-tasks` as the task's await site.
#[inline]
pub(crate) fn note_at(wait: WaitReason, at: &'static std::panic::Location<'static>) {
    crate::context::with_current(|sched| sched.note_wait_at(wait::WaitNote::other(wait), at));
}

/// [`note_at`] when the leaf future knows its site, else [`note`] (a poll
/// function called by hand, `Receiver::poll_recv`, has none).
#[inline]
pub(crate) fn note_maybe_at(wait: WaitReason, at: Option<&'static std::panic::Location<'static>>) {
    match at {
        Some(at) => note_at(wait, at),
        None => note(wait),
    }
}
