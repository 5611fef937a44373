//! Cooperative scheduling: a per-poll budget of I/O operations.
//!
//! A task reading a socket that always has data never sees `WouldBlock`, so
//! without a limit it would never return `Pending` and never give the loop
//! back: every other task, timer and socket would starve. Before each poll
//! the scheduler refills the running task's [`Budget`] with [`BUDGET`]
//! (`run_task` and the `block_on` loop); every I/O operation that completes
//! spends one unit ([`Budget::spend`]); once the budget is empty the next
//! operation does not even try the syscall: it wakes its own task and
//! returns `Pending` ([`Budget::poll_proceed`]), which puts the task at the
//! back of the run queue (a yield). The same idea as tokio's `coop` module.

use std::cell::Cell;
use std::task::{Context, Poll};

/// Successful I/O operations one poll of a task may make before it yields.
pub(crate) const BUDGET: u32 = 128;

/// The running task's budget (one per scheduler: one task runs at a time).
pub(crate) struct Budget(Cell<u32>);

impl Budget {
    pub(crate) fn new() -> Budget {
        Budget(Cell::new(BUDGET))
    }

    /// A poll begins: a full budget.
    #[inline]
    pub(crate) fn refill(&self) {
        self.0.set(BUDGET);
    }

    /// `Ready` if the running task may do one more I/O operation; otherwise
    /// wakes it (so that it runs again after the others) and returns
    /// `Pending`.
    #[inline]
    pub(crate) fn poll_proceed(&self, cx: &mut Context<'_>) -> Poll<()> {
        if self.0.get() == 0 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(())
    }

    /// Records one completed I/O operation against the running task's budget.
    #[inline]
    pub(crate) fn spend(&self) {
        self.0.set(self.0.get().saturating_sub(1));
    }
}
