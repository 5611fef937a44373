//! The future given to `block_on`: polled by the loop like a task, kept out
//! of the task table.
//!
//! It lives on `block_on`'s stack frame (it need not be `'static`), so it
//! has no slot; it is named by a [`TaskId`] with the reserved key
//! `TaskId::main` makes, and goes through the same run queue, so it takes
//! its turn in FIFO order like any task. This file is the only place that
//! knows how it is scheduled: at most once in the queue, and only while its
//! `block_on` runs (a late wake of an earlier one is ignored).

use std::cell::Cell;

use crate::task::TaskId;

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

    /// A `block_on` starts: its future is task `id`, queued for a first poll
    /// (the caller pushes it). The guard forgets it when `block_on` ends,
    /// also by a panic.
    pub(super) fn start(&self, id: u64) -> MainGuard<'_> {
        let task = TaskId::main(id);
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
