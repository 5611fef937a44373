//! How the driver's wakes reach the run queue: the scheduler's side of the
//! `driver::Tasks` trait. The driver never names the scheduler; it hands its
//! wakers (I/O readiness, timers) and the tasks other threads woke up
//! through this trait, and the scheduler credits each wake to its source for
//! the trace.

use std::task::Waker;

use super::Scheduler;
use crate::driver::Tasks;
use crate::driver::reactor::Wake;
use crate::driver::remote::Deferred;
use crate::inspect::trace::Source;
use crate::task::{ShortId, TaskId};

/// What the driver asks of the scheduler while it parks (`driver/mod.rs`):
/// each method is an inherent one below, so that a backtrace names it
/// (`Scheduler::wake_from`, not `{impl#1}::wake`).
impl Tasks for Scheduler {
    fn has_ready(&self) -> bool {
        !self.queue.is_empty() || self.held_back()
    }

    fn wake(&self, from: Source, wakers: &mut Vec<Waker>) {
        self.wake_from(from, wakers);
    }

    fn wake_io(&self, wakes: &mut Vec<Wake>) {
        self.wake_io_events(wakes);
    }

    fn schedule_remote(&self, tasks: &mut Vec<TaskId>) {
        self.schedule_from_other_threads(tasks);
    }

    fn apply(&self, op: Deferred) {
        self.apply_to_tasks(op);
    }
}

impl Scheduler {
    /// Wakes (and empties) `wakers`, the trace crediting `from`.
    fn wake_from(&self, from: Source, wakers: &mut Vec<Waker>) {
        let outer = self.source.replace(from);
        for waker in wakers.drain(..) {
            waker.wake();
        }
        self.source.set(outer);
    }

    /// Wakes (and empties) what the reactor's events named, the trace
    /// crediting the reactor: a task of this runtime is scheduled as the
    /// local path of its waker would (`schedule_local`), any other waker is
    /// woken.
    fn wake_io_events(&self, wakes: &mut Vec<Wake>) {
        let outer = self.source.replace(Source::Reactor);
        for wake in wakes.drain(..) {
            match wake.task() {
                Some(task) => self.schedule_local(task),
                None => wake.wake_waker(),
            }
        }
        self.source.set(outer);
    }

    /// Schedules (and empties) the tasks other threads woke (the last step
    /// of a remote wake), or holds some back under exploration.
    fn schedule_from_other_threads(&self, tasks: &mut Vec<TaskId>) {
        let outer = self.source.replace(Source::Remote);
        for task in tasks.drain(..) {
            if !self.explorer.hold_back(task) {
                self.schedule(task);
            }
        }
        self.source.set(outer);
    }

    /// A clean-up that concerns tasks, from a `JoinHandle` dropped or
    /// aborted off the loop.
    pub(super) fn apply_to_tasks(&self, op: Deferred) {
        match op {
            Deferred::Detach(task) => self.detach(task),
            Deferred::Abort(task) => self.abort(task),
            // The driver's own: not handed up.
            Deferred::CancelTimer(_) | Deferred::Deregister(_) | Deferred::BlockingDone => {
                debug_assert!(false, "a driver clean-up reached the scheduler: {op:?}");
            }
        }
    }
}

/// Schedule exploration's side of the wakes (`explore.rs`).
impl Scheduler {
    /// The next task to poll, from the run queue. Under exploration the
    /// loop first looks at the remote queue one time in four (a wake from
    /// another thread delivered early, between two polls).
    #[inline]
    pub(super) fn next_ready(&self) -> Option<ShortId> {
        if self.explorer.deliver_early() {
            self.driver.take_remote_early(self);
        }
        self.queue.pop()
    }

    /// Whether exploration holds remote wakes back: their tasks will run,
    /// so `has_ready` counts them. One taken during the very park that asks
    /// must not let the paused clock's loop conclude that nothing can ever
    /// run again (a false deadlock).
    fn held_back(&self) -> bool {
        self.explorer.has_late()
    }
}
