//! Tasks: what the executor keeps for each spawned future.
//!
//! A task lives in the executor's task table (`table.rs`, a slab) as a
//! [`TaskSlot`]. Its identity is a
//! [`TaskRef`]: the slab key (where it lives) plus the spawn sequence number
//! (which task it is). Slab keys are reused; sequence numbers are not, so a
//! stale reference to a reused slot is recognised and ignored.
//!
//! The life of a task, as the `state` field walks it:
//!
//! ```text
//!  spawn ──► Idle ──(popped from the run queue)──► Running ──Pending──► Idle
//!             ▲                                      │
//!             └──────── wake: scheduled = true ──────┘ Ready / panic / abort
//!                                                    ▼
//!                                                 Finished ──(JoinHandle takes
//!                                                            output or is dropped)──► removed
//! ```
//!
//! `scheduled` is set by a wake and cleared when the task is popped, so a
//! task is in the run queue at most once however often it is woken, and a
//! task woken while `Running` is polled once more after this poll.

mod cell;
mod join;
pub(crate) mod lifecycle;
mod raw;
mod table;

pub(crate) use cell::TaskCell;
pub(crate) use join::panic_message;
pub use join::{JoinError, JoinHandle};
pub(crate) use raw::TaskPtr;
pub(crate) use table::TaskTable;

use crate::inspect::debug_table::DebugTask;

use std::panic::Location;
use std::task::Waker;

/// Names one task: where it lives in the slab, and which spawn it was.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct TaskRef {
    /// The slab key (a reserved one for the future given to `block_on`:
    /// [`TaskRef::is_main`]).
    pub(crate) key: usize,
    /// The spawn sequence number, unique for the runtime's life; shown to
    /// users as the task id.
    pub(crate) seq: u64,
}

/// The key reserved for the future passed to `block_on`, which has no slot
/// in the table but is scheduled through the same run queue
/// (`scheduler/main_task.rs`).
const MAIN_KEY: usize = usize::MAX;

impl TaskRef {
    /// The reference of a `block_on` future.
    pub(crate) fn main(seq: u64) -> TaskRef {
        TaskRef { key: MAIN_KEY, seq }
    }

    /// Whether this is a `block_on` future (no slot in the table).
    #[inline]
    pub(crate) fn is_main(self) -> bool {
        self.key == MAIN_KEY
    }
}

/// Where a task is in its life (see the module doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TaskState {
    /// Waiting for a wake, or in the run queue if `scheduled`.
    Idle,
    /// Being polled right now (its future is out of the slot).
    Running,
    /// Returned `Ready`, panicked, or was aborted: never polled again.
    Finished,
}

/// One entry of the executor's task table (`table.rs`).
///
/// `#[repr(C)]` so that `info` sits at offset 0, where debuggers read it.
#[repr(C)]
pub(crate) struct TaskSlot {
    /// Id (the spawn sequence number; 0 when free), polls, state, spawn site
    /// and wait reason, in the layout `runtime/gdb/runtime_gdb.py` reads.
    pub(crate) info: DebugTask,
    /// The task's allocation (waker cell, then the future and, once
    /// finished, its output: `raw.rs`). `None` while it is polled.
    pub(crate) task: Option<TaskPtr>,
    /// Woken when the task finishes.
    pub(crate) join_waker: Option<Waker>,
    /// The user's call to `spawn` (`#[track_caller]`).
    pub(crate) spawned_at: &'static Location<'static>,
    /// The next free slot, while this one is free.
    pub(crate) next_free: u32,
    pub(crate) state: TaskState,
    /// In the run queue (set by a wake, cleared when popped).
    pub(crate) scheduled: bool,
    /// `JoinHandle::abort` was called: drop the future at the next chance.
    pub(crate) aborted: bool,
    /// A `JoinHandle` still exists; without one, a finished task is removed.
    pub(crate) has_join_handle: bool,
}

impl TaskSlot {
    /// A new task, runnable, with its future and waker.
    pub(crate) fn new(id: u64, task: TaskPtr, at: &'static Location<'static>) -> TaskSlot {
        TaskSlot {
            info: DebugTask::spawned(id, at),
            task: Some(task),
            join_waker: None,
            spawned_at: at,
            next_free: u32::MAX,
            state: TaskState::Idle,
            scheduled: true,
            aborted: false,
            has_join_handle: true,
        }
    }

    /// An empty slot in the free list.
    pub(crate) fn free(next_free: u32) -> TaskSlot {
        TaskSlot {
            info: DebugTask::FREE,
            task: None,
            join_waker: None,
            spawned_at: Location::caller(),
            next_free,
            state: TaskState::Finished,
            scheduled: false,
            aborted: false,
            has_join_handle: false,
        }
    }

    /// The task's id (its spawn sequence number).
    #[inline]
    pub(crate) fn seq(&self) -> u64 {
        self.info.id
    }
}
