//! Tasks: what the scheduler keeps for each spawned future.
//!
//! A task lives in the scheduler's task table (`table.rs`, a slab) as a
//! [`TaskSlot`]. Its identity is a
//! [`TaskId`]: the slab key (where it lives) plus the spawn sequence number
//! (which task it is). Slab keys are reused; sequence numbers are not, so a
//! stale reference to a reused slot is recognised and ignored.
//!
//! The life of a task, as its state (`DumpState`, kept in the
//! debugger-visible record `info.state`) walks it; `lifecycle.rs` makes
//! each transition:
//!
//! ```text
//!  spawn ──► Runnable ──(popped)──► Running ──Pending──► Waiting
//!               ▲                     │  (or Runnable if woken meanwhile)
//!               └────── wake ─────────┘
//!                                     │ Ready / panic / abort
//!                                     ▼
//!                                  Finished ──(JoinHandle takes the
//!                                              output or is dropped)──► removed
//! ```
//!
//! `queued` is set by a wake and cleared when the task is popped, so a task
//! is in the run queue at most once however often it is woken, and a task
//! woken while `Running` is polled once more after this poll.

mod cell;
mod error;
mod join;
mod join_wakers;
pub(crate) mod lifecycle;
mod raw;
mod table;

pub(crate) use cell::TaskCell;
pub use error::JoinError;
pub(crate) use error::panic_message;
pub use join::JoinHandle;
pub(crate) use raw::TaskPtr;
pub(crate) use table::TaskTable;

use crate::inspect::debug_task::DebugTask;

use std::panic::Location;

/// Names one task: where it lives in the slab, and which spawn it was.
///
/// `#[repr(C)]` (key at 0, id at 8): debuggers read it in the run queue
/// (`scheduler/run_queue.rs`) and in a waker's cell (`waker.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(C)]
pub(crate) struct TaskId {
    /// The slab key (a reserved one for the future given to `block_on`,
    /// which has no slot: `scheduler/main_task.rs`).
    pub(crate) key: usize,
    /// The spawn sequence number, unique for the runtime's life; shown to
    /// users as the task id.
    pub(crate) id: u64,
}

impl TaskId {
    /// A task key in 32 bits, as the run queue ([`ShortId`]) and the
    /// reactor (`Wake` in `driver/readiness.rs`) keep it: a slot's key as
    /// itself (the table holds fewer than `u32::MAX` tasks, `table.rs`),
    /// the `block_on` future's reserved `usize::MAX` as `u32::MAX`. `None`
    /// for a key that fits neither (none does).
    #[inline]
    pub(crate) fn narrow_key(key: usize) -> Option<u32> {
        match key {
            usize::MAX => Some(u32::MAX),
            key => u32::try_from(key).ok().filter(|&key| key != u32::MAX),
        }
    }

    /// The inverse of [`narrow_key`](Self::narrow_key).
    #[inline]
    pub(crate) fn widen_key(key: u32) -> usize {
        if key == u32::MAX {
            usize::MAX
        } else {
            key as usize
        }
    }
}

/// A [`TaskId`] in 8 bytes, as the run queue keeps it
/// (`scheduler/run_queue.rs`): the slab key as `u32`, then the low 32 bits
/// of the id (`#[repr(C)]`, which debuggers read). 100,000 ready tasks take
/// 800 KB of ring rather than 1.6 MB.
///
/// The key names the slot; the id's low bits tell the task that was queued
/// from a later one in the same slot, reused (`TaskTable::begin_poll` reads
/// the full id from the slot). Telling them apart wrongly would take four
/// billion spawns while one entry waits in the queue, and would even then
/// cost one extra poll, which a future must allow. The key is narrowed by
/// [`TaskId::narrow_key`].
#[repr(C)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ShortId {
    key: u32,
    id: u32,
}

impl ShortId {
    #[inline]
    pub(crate) fn new(task: TaskId) -> ShortId {
        // For every key a task has, the truncation is `narrow_key`: a slot's
        // key is below `u32::MAX` (`table.rs`) and the `block_on` future's
        // `usize::MAX` truncates to `u32::MAX`. A cast, where the checked
        // conversion cost a compare and a select on every push.
        debug_assert_eq!(
            TaskId::narrow_key(task.key),
            Some(task.key as u32),
            "every task key fits 32 bits"
        );
        ShortId {
            key: task.key as u32,
            id: task.id as u32, // the low bits, on purpose
        }
    }

    /// The slab key (`usize::MAX` for a `block_on` future).
    #[inline]
    pub(crate) fn key(self) -> usize {
        TaskId::widen_key(self.key)
    }

    /// The slab key, for an entry known not to be a `block_on` future's
    /// (`TaskTable::begin_poll`, after `MainTask::resolve`): the key as
    /// itself, without [`key`](Self::key)'s test for the reserved one
    /// (which, as `u32::MAX`, is past the end of any table anyway).
    #[inline]
    pub(crate) fn slot_key(self) -> usize {
        self.key as usize
    }

    /// Whether this was made for the task with id `id`, as far as its low
    /// 32 bits tell.
    #[inline]
    pub(crate) fn is_for(self, id: u64) -> bool {
        self.id == id as u32
    }
}

/// One entry of the scheduler's task table (`table.rs`).
///
/// `#[repr(C)]` so that `info` sits at offset 0, where debuggers read it.
#[repr(C)]
pub(crate) struct TaskSlot {
    /// Id (the spawn sequence number; 0 when free), polls, state
    /// (`DumpState`: waiting, runnable, running, finished), spawn site and
    /// wait reason, and the scheduler's flags (`queued`, `aborted`,
    /// `has_join_handle`), in the layout `runtime/gdb/runtime_gdb.py`
    /// reads: the task's one record of where it is in its life. A free
    /// slot's record links the table's free list.
    pub(crate) info: DebugTask,
    /// The task's allocation (waker cell, then the future and, once
    /// finished, its output: `raw.rs`). `None` while it is polled. (A
    /// waiting `JoinHandle`'s waker is kept beside the table,
    /// `join_wakers.rs`: 64 bytes a slot, one cache line.)
    pub(crate) task: Option<TaskPtr>,
}

impl TaskSlot {
    /// A new task, runnable, with its future and waker.
    pub(crate) fn new(id: u64, task: TaskPtr, at: &'static Location<'static>) -> TaskSlot {
        TaskSlot {
            info: DebugTask::spawned(id, at),
            task: Some(task),
        }
    }

    /// The task's id (its spawn sequence number).
    #[inline]
    pub(crate) fn id(&self) -> u64 {
        self.info.id()
    }
}
