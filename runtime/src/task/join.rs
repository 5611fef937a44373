//! [`JoinHandle`]: awaiting a spawned task, aborting it, detaching it.

use std::any::Any;
use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::TaskRef;
use crate::executor::Executor;

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
pub struct JoinHandle<T> {
    exec: Rc<Executor>,
    task: TaskRef,
    _output: PhantomData<T>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn new(exec: Rc<Executor>, task: TaskRef) -> JoinHandle<T> {
        JoinHandle {
            exec,
            task,
            _output: PhantomData,
        }
    }

    /// Asks for the task to be cancelled: its future is dropped (its
    /// destructors run) at its next scheduling point, and awaiting this handle
    /// then gives a [`JoinError`] with [`is_cancelled`](JoinError::is_cancelled).
    /// A task that already finished keeps its output.
    pub fn abort(&self) {
        self.exec.abort(self.task);
    }

    /// Whether the task has finished (returned, panicked, or was cancelled).
    pub fn is_finished(&self) -> bool {
        self.exec.is_finished(self.task)
    }

    /// The task's id, as shown in task dumps and deadlock reports.
    pub fn id(&self) -> u64 {
        self.task.seq
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.exec.poll_join(self.task, cx)
    }
}

impl<T> Drop for JoinHandle<T> {
    fn drop(&mut self) {
        self.exec.detach(self.task);
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.task.seq)
            .finish()
    }
}

/// Why a task gave no output: it panicked, or it was cancelled.
pub struct JoinError {
    id: u64,
    repr: Repr,
}

enum Repr {
    Cancelled,
    Panic(Box<dyn Any + Send>),
}

impl JoinError {
    pub(crate) fn cancelled(id: u64) -> JoinError {
        JoinError {
            id,
            repr: Repr::Cancelled,
        }
    }

    pub(crate) fn panic(id: u64, payload: Box<dyn Any + Send>) -> JoinError {
        JoinError {
            id,
            repr: Repr::Panic(payload),
        }
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// Whether the task was cancelled (aborted, or its runtime was dropped).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The panic payload, to pass on with [`std::panic::resume_unwind`].
    ///
    /// # Panics
    /// If the task did not panic (check [`is_panic`](Self::is_panic)).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        match self.repr {
            Repr::Panic(payload) => payload,
            Repr::Cancelled => panic!(
                "JoinError::into_panic: task {} was cancelled, it did not panic",
                self.id
            ),
        }
    }

    /// The id of the task that failed.
    pub fn id(&self) -> u64 {
        self.id
    }
}

/// The message of a panic payload, when it is a string (as `panic!` makes).
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> Option<&str> {
    payload
        .downcast_ref::<&'static str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "task {} was cancelled", self.id),
            Repr::Panic(payload) => match panic_message(payload.as_ref()) {
                Some(msg) => write!(f, "task {} panicked: {msg}", self.id),
                None => write!(f, "task {} panicked", self.id),
            },
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Cancelled => write!(f, "JoinError::Cancelled(task {})", self.id),
            Repr::Panic(payload) => match panic_message(payload.as_ref()) {
                Some(msg) => write!(f, "JoinError::Panic(task {}, {msg:?})", self.id),
                None => write!(f, "JoinError::Panic(task {}, ..)", self.id),
            },
        }
    }
}

impl std::error::Error for JoinError {}
