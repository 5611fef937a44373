//! Cooperative scheduling: a per-poll budget of I/O operations.
//!
//! A task reading a socket that always has data never sees `WouldBlock`, so
//! without a limit it would never return `Pending` and never give the loop
//! back: every other task, timer and socket would starve. Before each poll
//! the executor refills [`Executor::coop_budget`] with [`BUDGET`]
//! (`run_task` and the `block_on` loop); every I/O operation that completes
//! spends one unit ([`spend`]); once the budget is empty the next operation
//! does not even try the syscall: it wakes its own task and returns
//! `Pending` ([`poll_proceed`]), which puts the task at the back of the run
//! queue (a yield). The same idea as tokio's `coop` module.

use std::task::{Context, Poll};

use crate::executor::Executor;

/// Successful I/O operations one poll of a task may make before it yields.
pub(crate) const BUDGET: u32 = 128;

/// `Ready` if the running task may do one more I/O operation; otherwise
/// wakes it (so that it runs again after the others) and returns `Pending`.
#[inline]
pub(crate) fn poll_proceed(exec: &Executor, cx: &mut Context<'_>) -> Poll<()> {
    if exec.coop_budget.get() == 0 {
        cx.waker().wake_by_ref();
        return Poll::Pending;
    }
    Poll::Ready(())
}

/// Records one completed I/O operation against the running task's budget.
#[inline]
pub(crate) fn spend(exec: &Executor) {
    exec.coop_budget
        .set(exec.coop_budget.get().saturating_sub(1));
}
