//! [`JoinError`]: why a task gave no output. One type for both models: the
//! event loop's `runtime::JoinError` and the thread model's
//! `runtime::threaded::JoinError` are the same, with the same methods,
//! traits and messages ("task 3 was cancelled", "task 3 panicked: boom").

use std::any::Any;
use std::fmt;
use std::sync::{Mutex, PoisonError};

/// Why a task gave no output: it panicked, or it was cancelled (aborted,
/// dropped with its runtime, or, in the thread model, its closure was
/// dropped unrun).
///
/// `Send` and `Sync`, so it travels in a `Box<dyn Error + Send + Sync>`.
///
/// ```
/// let err = runtime::block_on(async {
///     runtime::spawn(async { panic!("boom") }).await.unwrap_err()
/// });
/// assert!(err.is_panic());
/// assert_eq!(err.to_string(), format!("task {} panicked: boom", err.id()));
/// let err = runtime::threaded::spawn(|| panic!("boom")).join().unwrap_err();
/// assert_eq!(err.to_string(), format!("task {} panicked: boom", err.id()));
/// ```
pub struct JoinError {
    id: u64,
    repr: Repr,
}

enum Repr {
    Cancelled,
    /// Boxed: the failure lives inside every task's allocation (its output
    /// slot, as a [`Failure`]), so it is kept to one word.
    Panic(Box<Panicked>),
}

/// A [`JoinError`] without its task id: what a task's allocation stores as a
/// failed output (`cell.rs`). The id is the task's own, known to the
/// `JoinHandle` that takes the output, so the slot is one word, not two.
pub(crate) struct Failure(Repr);

impl Failure {
    /// The task was cancelled.
    pub(crate) fn cancelled() -> Failure {
        Failure(Repr::Cancelled)
    }

    /// The task panicked with `payload`.
    pub(crate) fn panic(payload: Box<dyn Any + Send>) -> Failure {
        let message = panic_message(payload.as_ref()).map(str::to_owned);
        Failure(Repr::Panic(Box::new(Panicked {
            payload: Mutex::new(payload),
            message,
        })))
    }

    /// Whether the task panicked.
    pub(crate) fn is_panic(&self) -> bool {
        matches!(self.0, Repr::Panic(_))
    }

    /// The error of task `id`.
    pub(crate) fn with_id(self, id: u64) -> JoinError {
        JoinError { id, repr: self.0 }
    }
}

struct Panicked {
    /// Behind a mutex only so that `JoinError` is `Sync` (a
    /// `Box<dyn Any + Send>` is not); only ever taken by value.
    payload: Mutex<Box<dyn Any + Send>>,
    /// The panic's message, read once for `Display` and `Debug`.
    message: Option<String>,
}

impl JoinError {
    pub(crate) fn cancelled(id: u64) -> JoinError {
        Failure::cancelled().with_id(id)
    }

    pub(crate) fn panic(id: u64, payload: Box<dyn Any + Send>) -> JoinError {
        Failure::panic(payload).with_id(id)
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic(_))
    }

    /// Whether the task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The id of the task that failed (as task dumps, traces and thread
    /// names show it).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The panic payload, to pass on with [`std::panic::resume_unwind`].
    ///
    /// # Panics
    /// If the task did not panic (check [`is_panic`](Self::is_panic), or
    /// use [`try_into_panic`](Self::try_into_panic)).
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send> {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(err) => panic!("JoinError::into_panic: {err}, it did not panic"),
        }
    }

    /// The panic payload, or the error back if the task did not panic.
    ///
    /// # Errors
    /// `self`, when the task was cancelled.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send>, JoinError> {
        match self.repr {
            Repr::Panic(panicked) => Ok(panicked
                .payload
                .into_inner()
                .unwrap_or_else(PoisonError::into_inner)),
            Repr::Cancelled => Err(self),
        }
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
            Repr::Panic(panicked) => match &panicked.message {
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
            Repr::Panic(panicked) => match &panicked.message {
                Some(msg) => write!(f, "JoinError::Panic(task {}, {msg:?})", self.id),
                None => write!(f, "JoinError::Panic(task {}, ..)", self.id),
            },
        }
    }
}

impl std::error::Error for JoinError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_pointer_width = "64")]
    fn two_words_and_one_stored() {
        assert_eq!(std::mem::size_of::<JoinError>(), 16);
        // A failure sits in every task's output slot: one word, and a task
        // whose output is `()` stores its result in two.
        assert_eq!(std::mem::size_of::<Failure>(), 8);
        assert_eq!(std::mem::size_of::<Result<(), Failure>>(), 16);
    }

    #[test]
    fn send_sync_and_messages() {
        fn check<T: Send + Sync + std::error::Error>() {}
        check::<JoinError>();
        let err = JoinError::panic(3, Box::new(String::from("boom")));
        assert_eq!(err.to_string(), "task 3 panicked: boom");
        assert_eq!(format!("{err:?}"), "JoinError::Panic(task 3, \"boom\")");
        let err = JoinError::panic(4, Box::new(7_i32));
        assert_eq!(err.to_string(), "task 4 panicked");
        assert_eq!(*err.into_panic().downcast::<i32>().unwrap(), 7);
        let err = JoinError::cancelled(5);
        assert_eq!(err.to_string(), "task 5 was cancelled");
        assert!(err.try_into_panic().unwrap_err().is_cancelled());
    }

    #[test]
    #[should_panic(expected = "task 6 was cancelled, it did not panic")]
    fn into_panic_of_a_cancelled_task_panics() {
        let _ = JoinError::cancelled(6).into_panic();
    }
}
