//! [`JoinHandle`]: awaiting a spawned task, aborting it, detaching it.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::panic::Location;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::TaskId;
use super::error::{Failure, JoinError};
use super::lifecycle::JoinPoll;
use crate::driver::remote::Deferred;
use crate::handle::{NotHere, RuntimeId, panic_not_here};
use crate::inspect::wait::{WaitNote, WaitReason};
use crate::scheduler::Scheduler;

/// An owned permission to await a spawned task's output.
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or
/// was aborted. Dropping it *detaches* the task: it keeps running and its
/// output is dropped when it finishes.
///
/// ```
/// let answer = runtime::block_on(async {
///     let handle = runtime::spawn(async { 6 * 7 });
///     handle.await.unwrap()
/// });
/// assert_eq!(answer, 42);
/// ```
///
/// A `JoinHandle<T>` is `Send` when `T` is (it names its runtime by id, see
/// `handle.rs`): it may be moved to another thread, dropped there (the task
/// is detached on the loop's next turn) or [`abort`](JoinHandle::abort)ed
/// from there. Awaiting it, and [`is_finished`](JoinHandle::is_finished),
/// need the thread running its runtime. Awaited after its runtime was
/// dropped, it gives a cancelled [`JoinError`] (the runtime dropped the
/// task); polled again after it gave its output, it panics.
pub struct JoinHandle<T> {
    rt: RuntimeId,
    task: TaskId,
    /// The output (or the error) was handed out.
    done: bool,
    _output: PhantomData<T>,
}

// The output is only ever moved, never pinned.
impl<T> Unpin for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    pub(crate) fn new(rt: RuntimeId, task: TaskId) -> JoinHandle<T> {
        JoinHandle {
            rt,
            task,
            done: false,
            _output: PhantomData,
        }
    }

    /// Asks for the task to be cancelled: its future is dropped (its
    /// destructors run) at its next scheduling point, and awaiting this handle
    /// then gives a [`JoinError`] with [`is_cancelled`](JoinError::is_cancelled).
    /// A task that already finished keeps its output. From another thread,
    /// the request reaches the loop on its next turn.
    pub fn abort(&self) {
        self.rt.run_or_defer(Deferred::Abort(self.task));
    }

    /// Whether the task has finished (returned, panicked, or was cancelled).
    /// A task whose runtime was dropped has finished.
    ///
    /// # Panics
    /// On a thread that is not running the task's runtime (the task table
    /// lives on that thread).
    #[track_caller]
    pub fn is_finished(&self) -> bool {
        let task = self.task;
        match self
            .rt
            .with(|sched| sched.with_tasks(|tasks| tasks.is_finished(task)))
        {
            Some(finished) => finished,
            None => match self.rt.not_here() {
                NotHere::Gone => true,
                NotHere::Elsewhere => panic!(
                    "JoinHandle::is_finished called outside the runtime of task {} ({}): \
                     only the thread running it can read its task table",
                    task.id, self.rt
                ),
            },
        }
    }

    /// The task's id, as shown in task dumps and deadlock reports.
    pub fn id(&self) -> u64 {
        self.task.id
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    /// `#[track_caller]`: `handle.await` calls `poll` from the `.await`
    /// expression itself, so the caller's location is the await site the
    /// task dump and the debugger show ("join of task 3 at src/x.rs:12:9").
    /// Polled by a combinator instead, it is the combinator's call.
    #[track_caller]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let at = Location::caller();
        let this = self.get_mut();
        assert!(
            !this.done,
            "JoinHandle for task {} polled after completion: it already gave its output",
            this.task.id
        );
        let task = this.task;
        let polled = match this.rt.with(|sched| poll_join(sched, task, cx, at)) {
            Some(polled) => polled,
            None => match this.rt.not_here() {
                // Dropping the runtime dropped the task.
                NotHere::Gone => Poll::Ready(Err(JoinError::cancelled(task.id))),
                NotHere::Elsewhere => panic_not_here("runtime::JoinHandle", this.rt),
            },
        };
        if polled.is_ready() {
            this.done = true;
        }
        polled
    }
}

/// The output of `task` if it finished (taken out of its allocation), else
/// `Pending` with the join waker stored.
fn poll_join<T>(
    sched: &Scheduler,
    task: TaskId,
    cx: &mut Context<'_>,
    at: &'static Location<'static>,
) -> Poll<Result<T, JoinError>> {
    match sched.with_tasks(|tasks| tasks.poll_join(task, cx.waker())) {
        JoinPoll::Pending(old) => {
            drop(old); // after the table's borrow: a waker may run user code
            sched.note_wait_at(WaitNote::other(WaitReason::Join { task: task.id }), at);
            Poll::Pending
        }
        JoinPoll::Gone => Poll::Ready(Err(JoinError::cancelled(task.id))),
        JoinPoll::Ready(ptr) => {
            let mut out: Option<Result<T, Failure>> = None;
            if let Some(ptr) = ptr.as_ref() {
                // SAFETY: `out` is an `Option<Result<T, Failure>>`, and `T`
                // is this task's output type: the only caller is
                // `JoinHandle<T>`, made by `spawn` for a future with
                // `Output = T`.
                unsafe { ptr.take_output((&mut out as *mut Option<Result<T, Failure>>).cast()) };
            }
            drop(ptr);
            let out = out.unwrap_or_else(|| Err(Failure::cancelled()));
            Poll::Ready(out.map_err(|failure| failure.with_id(task.id)))
        }
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        if !self.done {
            self.rt.run_or_defer(Deferred::Detach(self.task));
        }
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.task.id)
            .finish()
    }
}
