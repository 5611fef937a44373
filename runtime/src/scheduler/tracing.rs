//! The scheduler's trace hooks (`Builder::trace`).
//!
//! Each hook is one test of [`Scheduler::tracer`] at its call site; the work
//! is here, out of line and `#[cold]`, so that with tracing off the hot
//! paths (spawn, wake, poll) carry one predictable branch and no trace code.
//! Built with `--cfg runtime_trace_compiled_out` the test is a constant
//! `None` and the hooks vanish: the benchmarks build that variant to measure
//! what the branch costs (`benches table --trace-baseline`).

use std::cell::RefCell;
use std::panic::Location;
use std::task::Poll;

use super::Scheduler;
use crate::inspect::trace::{Source, Trace};
use crate::task::TaskId;

impl Scheduler {
    /// The trace recorder, if `Builder::trace` is on.
    #[inline(always)]
    pub(super) fn tracer(&self) -> Option<&RefCell<Trace>> {
        if cfg!(runtime_trace_compiled_out) {
            None
        } else {
            self.trace.as_deref()
        }
    }

    /// A spawn, with the task that spawned it as its parent.
    #[cold]
    #[inline(never)]
    pub(super) fn trace_spawn(
        &self,
        trace: &RefCell<Trace>,
        id: u64,
        at: &'static Location<'static>,
    ) {
        let parent = match self.source.get() {
            Source::Task(id) => id,
            _ => 0,
        };
        trace.borrow_mut().spawn(id, parent, at);
    }

    /// A wake that queued `task`, from whoever is waking now.
    #[cold]
    #[inline(never)]
    pub(super) fn trace_wake(&self, trace: &RefCell<Trace>, task: TaskId) {
        trace.borrow_mut().wake(task, self.source.get());
    }

    /// A poll with tracing on: timed, and recorded on the task's track with
    /// the flow arrow of the wake that caused it.
    #[cold]
    #[inline(never)]
    pub(super) fn traced_poll<T>(
        &self,
        trace: &RefCell<Trace>,
        task: TaskId,
        poll: impl FnOnce() -> Poll<T>,
    ) -> Poll<T> {
        let t0 = trace.borrow().now();
        let result = poll();
        let mut trace = trace.borrow_mut();
        let flow = trace.take_flow(task);
        trace.poll(t0, task.id, flow, result.is_ready());
        result
    }
}
