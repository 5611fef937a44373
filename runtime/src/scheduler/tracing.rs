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
use super::main_task::MainTask;
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

    /// A poll with tracing on: stamped at its start (that time is shared by
    /// the wakes and spawns it makes) and recorded on the task's track; the
    /// flow arrow of the wake that caused it is matched at write time. Its
    /// end is read now only when nothing else is ready, it returned `Ready`
    /// or it is the `block_on` future's; otherwise the next poll's start
    /// ends it (`inspect/trace.rs`, "What recording costs").
    ///
    /// Inlined, so that the poll itself stays in the caller: the recording
    /// is small out-of-line calls around it, which save few registers,
    /// instead of one large function holding the poll and all of the
    /// caller's live state.
    #[inline(always)]
    pub(super) fn traced_poll<T>(
        &self,
        trace: &RefCell<Trace>,
        task: TaskId,
        poll: impl FnOnce() -> Poll<T>,
    ) -> Poll<T> {
        trace_poll_begin(trace, task);
        // If the poll unwinds (the `block_on` future panicked), the poll
        // still ends, now.
        let guard = EndOnUnwind(trace);
        let result = poll();
        std::mem::forget(guard);
        // The common case, a pending task with others ready behind it,
        // records nothing here: the next poll's start ends this one.
        let ready = result.is_ready();
        if ready || MainTask::is_main(task) || self.queue.is_empty() {
            trace_poll_end(trace, ready);
        }
        result
    }

    /// Ends the open poll slice (`Runtime::tick` returns to the caller's
    /// code after one poll).
    pub(super) fn trace_pause(&self) {
        if let Some(trace) = self.tracer() {
            trace.borrow_mut().pause();
        }
    }
}

#[cold]
#[inline(never)]
fn trace_poll_begin(trace: &RefCell<Trace>, task: TaskId) {
    trace.borrow_mut().poll_begin(task.id);
}

/// A poll ended with nothing else ready, returned `Ready`, or was the
/// `block_on` future's: its end is read now.
#[cold]
#[inline(never)]
fn trace_poll_end(trace: &RefCell<Trace>, ready: bool) {
    trace.borrow_mut().poll_end(ready);
}

/// Ends a traced poll that unwinds.
struct EndOnUnwind<'a>(&'a RefCell<Trace>);

impl Drop for EndOnUnwind<'_> {
    fn drop(&mut self) {
        if let Ok(mut trace) = self.0.try_borrow_mut() {
            trace.poll_end(false);
        }
    }
}
