//! What a task's allocation holds after its waker cell: the future, then its
//! output, then nothing (`raw.rs` puts the two together and erases the type).
//!
//! The cell is also where the output waits for its `JoinHandle<T>`: the
//! handle knows `T`, the task table does not, so the handle passes a typed
//! destination as a raw pointer (`take_output`), as tokio's
//! `try_read_output` does.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::error::Failure;

/// A future, then its result, then nothing.
pub(crate) enum TaskCell<F: Future> {
    Running(F),
    Finished(Result<F::Output, Failure>),
    Consumed,
}

impl<F: Future> TaskCell<F> {
    /// Replaces the content in place, running the old content's destructors
    /// (user code, which may panic: the panic is returned, and Rust's
    /// drop-and-replace still writes `new`).
    pub(crate) fn replace(
        mut self: Pin<&mut Self>,
        new: TaskCell<F>,
    ) -> Result<(), Box<dyn Any + Send>> {
        catch_unwind(AssertUnwindSafe(move || self.set(new)))
    }
}

impl<F: Future> TaskCell<F> {
    /// Polls the future, catching a panic. Returns `Ready` once the task is
    /// finished (its output, or the panic, is stored in the cell).
    pub(crate) fn poll_task(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // SAFETY: the `Running` future is structurally pinned: it is never
        // moved out of the cell, only dropped in place by `Pin::set`, and the
        // `&mut` does not escape this block.
        let poll = unsafe {
            match self.as_mut().get_unchecked_mut() {
                TaskCell::Running(future) => {
                    let future = Pin::new_unchecked(future);
                    catch_unwind(AssertUnwindSafe(|| future.poll(cx)))
                }
                _ => return Poll::Ready(()), // a finished task is never polled again
            }
        };
        let result = match poll {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(output)) => Ok(output),
            Err(payload) => Err(Failure::panic(payload)),
        };
        // The future is done: drop it now (destructors run when the task
        // ends, not when its handle goes). A panic in that drop wins.
        if let Err(payload) = self.as_mut().replace(TaskCell::Finished(result)) {
            let _ = self.replace(TaskCell::Finished(Err(Failure::panic(payload))));
        }
        Poll::Ready(())
    }

    /// Drops the future in place (its destructors run now) and stores a
    /// "cancelled" error as the output; a panic in a destructor is stored
    /// instead.
    pub(crate) fn cancel(mut self: Pin<&mut Self>) {
        if !matches!(*self, TaskCell::Running(_)) {
            return;
        }
        let outcome = match self.as_mut().replace(TaskCell::Consumed) {
            Ok(()) => Failure::cancelled(),
            Err(payload) => Failure::panic(payload),
        };
        let _ = self.replace(TaskCell::Finished(Err(outcome)));
    }

    /// Whether the task finished by panicking.
    pub(crate) fn panicked(&self) -> bool {
        matches!(self, TaskCell::Finished(Err(e)) if e.is_panic())
    }

    /// Moves the output out into `*dst`.
    ///
    /// # Safety
    /// `dst` must point to a valid `Option<Result<F::Output, Failure>>`.
    pub(crate) unsafe fn take_output(self: Pin<&mut Self>, dst: *mut ()) {
        // SAFETY: only a finished cell is read, and it holds no pinned data
        // (the future was dropped in place when it finished), so moving the
        // output out does not move anything pinned.
        let this = unsafe { self.get_unchecked_mut() };
        if !matches!(this, TaskCell::Finished(_)) {
            return;
        }
        if let TaskCell::Finished(result) = std::mem::replace(this, TaskCell::Consumed) {
            // SAFETY: the caller guarantees that `dst` is a valid
            // `*mut Option<Result<F::Output, Failure>>`: the JoinHandle<T>
            // was created by the spawn of this very future type.
            unsafe { *dst.cast::<Option<Result<F::Output, Failure>>>() = Some(result) };
        }
    }
}
