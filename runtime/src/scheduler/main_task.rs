//! The future given to `block_on`: polled by the loop like a task, kept out
//! of the task table.
//!
//! It lives on `block_on`'s stack frame (it need not be `'static`), so it
//! has no slot; it is named by a [`TaskId`] with a reserved key
//! ([`MAIN_KEY`]), and goes through the same run queue, so it takes its turn
//! in FIFO order like any task. This file is the only place that knows the
//! key and how the future is scheduled: at most once in the queue, and only
//! while its `block_on` runs (a late wake of an earlier one is ignored).
//! Where the scheduler treats it apart from the spawned tasks (a wake, a
//! task popped in the loop or in `Runtime::tick`, the end of a traced poll)
//! it asks [`MainTask::is_main`].

use std::cell::Cell;

use crate::task::{ShortId, TaskId};

/// The key of a `block_on` future's [`TaskId`]: no slot has it. Debuggers
/// know it too (`MAIN_KEY` in `runtime/gdb/runtime_gdb.py`, which names
/// such an id "the block_on future" in the run queue and in wakers).
const MAIN_KEY: usize = usize::MAX;

/// The running `block_on` future, if any, and whether it is queued.
pub(super) struct MainTask {
    current: Cell<Option<TaskId>>,
    queued: Cell<bool>,
}

impl MainTask {
    pub(super) fn new() -> MainTask {
        MainTask {
            current: Cell::new(None),
            queued: Cell::new(false),
        }
    }

    /// Whether `task` names a `block_on` future (the running one, or a
    /// stale queue entry of an earlier one) rather than a spawned task: it
    /// has no slot in the table.
    #[inline]
    pub(super) fn is_main(task: TaskId) -> bool {
        task.key == MAIN_KEY
    }

    /// The `block_on` future a run-queue entry names, if it has the
    /// reserved key: the running one if the entry is its, else an id that no
    /// future has (a stale entry of an earlier `block_on`, which
    /// `begin_poll` skips).
    #[inline]
    pub(super) fn resolve(&self, entry: ShortId) -> Option<TaskId> {
        if entry.key() != MAIN_KEY {
            return None;
        }
        Some(match self.current.get() {
            Some(task) if entry.is_for(task.id) => task,
            _ => TaskId {
                key: MAIN_KEY,
                id: 0,
            },
        })
    }

    /// A `block_on` starts: its future is task `id`, queued for a first poll
    /// (the caller pushes it). The guard forgets it when `block_on` ends,
    /// also by a panic.
    pub(super) fn start(&self, id: u64) -> MainGuard<'_> {
        let task = TaskId { key: MAIN_KEY, id };
        self.current.set(Some(task));
        self.queued.set(true);
        MainGuard { main: self, task }
    }

    /// A wake of `task`: whether to push it (it is the running `block_on`
    /// future and not queued already).
    pub(super) fn wake(&self, task: TaskId) -> bool {
        if self.current.get() == Some(task) && !self.queued.get() {
            self.queued.set(true);
            return true;
        }
        false
    }

    /// Popped from the run queue: whether to poll it (a stale entry left by
    /// an earlier `block_on` is skipped).
    pub(super) fn begin_poll(&self, task: TaskId) -> bool {
        if self.current.get() != Some(task) {
            return false;
        }
        self.queued.set(false);
        true
    }
}

/// Clears the running `block_on` future on exit, so that late wakes of it
/// are ignored.
pub(super) struct MainGuard<'a> {
    main: &'a MainTask,
    task: TaskId,
}

impl MainGuard<'_> {
    pub(super) fn task(&self) -> TaskId {
        self.task
    }
}

impl Drop for MainGuard<'_> {
    fn drop(&mut self) {
        self.main.current.set(None);
        self.main.queued.set(false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The debuggers' half of the contract: `runtime_gdb.py` recognises a
    /// `block_on` future's id by this key.
    #[test]
    fn gdb_knows_the_block_on_key() {
        let script = include_str!("../../gdb/runtime_gdb.py");
        let line = format!("MAIN_KEY = 0x{MAIN_KEY:X}");
        assert!(
            script.contains(&line),
            "runtime/gdb/runtime_gdb.py must say `{line}` (scheduler/main_task.rs)"
        );
    }
}
