//! The join slot: how a task's result travels back to whoever joins it.
//!
//! `std::thread::JoinHandle` hides this inside the standard library; here
//! it is spelled out. A [`JoinHandle`] and the running task share one
//! [`Slot`]: a `Mutex<Option<Result<T, JoinError>>>` and a `Condvar`. The
//! task side (a [`Completer`]) stores the result and calls `notify_all`;
//! [`JoinHandle::join`] waits on the condvar until the slot is full. On
//! Linux the waiting thread sleeps in the kernel in `futex(FUTEX_WAIT)` on
//! the condvar's futex word and is woken by the completer's
//! `futex(FUTEX_WAKE)`.
//!
//! If the completer is dropped without a result (the closure was never
//! run: a thread that could not be created, a pool that lost its job), the
//! drop stores a "cancelled" [`JoinError`], so `join` can never wait for a
//! result that will not come.

use crate::task::panic_message;
use std::any::Any;
use std::fmt;
use std::panic::Location;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use super::stats;

/// Why [`JoinHandle::join`] did not return the task's value.
///
/// Like the event loop's `JoinError`: either the task panicked (the panic
/// payload is kept and can be taken with [`JoinError::into_panic`]) or it
/// never ran to completion ("cancelled": its closure was dropped unrun).
pub struct JoinError {
    repr: Repr,
}

enum Repr {
    /// The payload sits behind a mutex only so that `JoinError` is `Sync`
    /// (a `Box<dyn Any + Send>` is not), which lets it travel in a
    /// `Box<dyn Error + Send + Sync>`. `message` is extracted up front for
    /// `Display`.
    Panic {
        payload: Mutex<Box<dyn Any + Send + 'static>>,
        message: Option<String>,
    },
    Cancelled,
}

impl JoinError {
    pub(crate) fn panic(payload: Box<dyn Any + Send + 'static>) -> Self {
        let message = panic_message(&*payload).map(str::to_owned);
        JoinError {
            repr: Repr::Panic {
                payload: Mutex::new(payload),
                message,
            },
        }
    }

    pub(crate) fn cancelled() -> Self {
        JoinError {
            repr: Repr::Cancelled,
        }
    }

    /// Whether the task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self.repr, Repr::Panic { .. })
    }

    /// Whether the task's closure was dropped without running to the end
    /// (it never started, or its thread could not be created).
    pub fn is_cancelled(&self) -> bool {
        matches!(self.repr, Repr::Cancelled)
    }

    /// The panic payload, to inspect or to re-raise with
    /// [`std::panic::resume_unwind`].
    ///
    /// # Panics
    ///
    /// Panics if the error is not a panic (see [`JoinError::is_panic`]);
    /// use [`JoinError::try_into_panic`] to avoid that.
    ///
    /// ```
    /// use runtime::threaded;
    ///
    /// let err = threaded::spawn(|| -> () { std::panic::panic_any(42_u32) })
    ///     .join()
    ///     .unwrap_err();
    /// assert!(err.is_panic());
    /// assert_eq!(err.into_panic().downcast_ref::<u32>(), Some(&42));
    /// ```
    #[track_caller]
    pub fn into_panic(self) -> Box<dyn Any + Send + 'static> {
        match self.try_into_panic() {
            Ok(payload) => payload,
            Err(err) => panic!("JoinError::into_panic called on a non-panic error: {err}"),
        }
    }

    /// The panic payload, or the error itself if it is not a panic.
    pub fn try_into_panic(self) -> Result<Box<dyn Any + Send + 'static>, JoinError> {
        match self.repr {
            Repr::Panic { payload, .. } => {
                Ok(payload.into_inner().unwrap_or_else(PoisonError::into_inner))
            }
            Repr::Cancelled => Err(self),
        }
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Panic {
                message: Some(m), ..
            } => write!(f, "task panicked with message {m:?}"),
            Repr::Panic { message: None, .. } => f.write_str("task panicked"),
            Repr::Cancelled => f.write_str("task was cancelled before it finished"),
        }
    }
}

impl fmt::Debug for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Panic { message, .. } => f
                .debug_struct("JoinError::Panic")
                .field("message", message)
                .finish_non_exhaustive(),
            Repr::Cancelled => f.write_str("JoinError::Cancelled"),
        }
    }
}

impl std::error::Error for JoinError {}

/// The shared cell between a task and its [`JoinHandle`].
pub(crate) struct Slot<T> {
    result: Mutex<Option<Result<T, JoinError>>>,
    ready: Condvar,
    /// Mirrors "`result` has been filled", readable without the lock, for
    /// [`JoinHandle::is_finished`].
    finished: AtomicBool,
}

impl<T> Slot<T> {
    /// Blocks until the result is in, then takes it.
    fn wait_take(&self) -> Result<T, JoinError> {
        let _blocked = super::trace::block("join: futex wait");
        let mut guard = self.result.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(result) = guard.take() {
                return result;
            }
            guard = self
                .ready
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The producing half of a slot: owned by the task, fills the slot once.
pub(crate) struct Completer<T> {
    slot: Option<Arc<Slot<T>>>,
}

impl<T> Completer<T> {
    /// Stores the result and wakes the joiner.
    pub(crate) fn complete(mut self, result: Result<T, JoinError>) {
        if let Some(slot) = self.slot.take() {
            fill(&slot, result);
        }
    }
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        // Dropped without `complete`: the task will never produce a value.
        if let Some(slot) = self.slot.take() {
            fill(&slot, Err(JoinError::cancelled()));
        }
    }
}

fn fill<T>(slot: &Slot<T>, result: Result<T, JoinError>) {
    let mut guard = slot.result.lock().unwrap_or_else(PoisonError::into_inner);
    *guard = Some(result);
    slot.finished.store(true, Ordering::Release);
    drop(guard);
    slot.ready.notify_all();
}

/// Creates a connected (completer, handle) pair. `thread` is the std
/// handle used to reap the OS thread, if the task has a thread of its own.
pub(crate) fn pair<T>(
    name: Option<String>,
    location: &'static Location<'static>,
) -> (Completer<T>, JoinHandle<T>) {
    let slot = Arc::new(Slot {
        result: Mutex::new(None),
        ready: Condvar::new(),
        finished: AtomicBool::new(false),
    });
    let completer = Completer {
        slot: Some(Arc::clone(&slot)),
    };
    let handle = JoinHandle {
        slot,
        thread: None,
        name,
        location,
    };
    (completer, handle)
}

/// An owned permission to wait for a task's result.
///
/// Returned by [`spawn`](super::spawn), [`Builder::spawn`](super::Builder::spawn)
/// and [`ThreadPool::submit`](super::ThreadPool::submit). Dropping it
/// detaches the task: it keeps running and its result is discarded.
pub struct JoinHandle<T> {
    slot: Arc<Slot<T>>,
    /// The OS thread to reap after the result is in (`None` for pool jobs,
    /// whose worker outlives the job).
    thread: Option<std::thread::JoinHandle<()>>,
    name: Option<String>,
    location: &'static Location<'static>,
}

impl<T> JoinHandle<T> {
    pub(crate) fn set_thread(&mut self, thread: std::thread::JoinHandle<()>) {
        self.thread = Some(thread);
    }

    /// Blocks the calling thread until the task has finished, and returns
    /// its value, or a [`JoinError`] if it panicked.
    ///
    /// The wait is a `Condvar::wait` on the slot (a `futex(FUTEX_WAIT)` in
    /// the kernel); after the result is in, the OS thread itself is reaped
    /// (`pthread_join`, another futex wait, on the kernel clearing the
    /// thread's tid word at exit), so when `join` returns the thread is
    /// gone.
    ///
    /// ```
    /// use runtime::threaded;
    ///
    /// let handle = threaded::spawn(|| 6 * 7);
    /// assert_eq!(handle.join().unwrap(), 42);
    /// ```
    pub fn join(mut self) -> Result<T, JoinError> {
        let result = self.slot.wait_take();
        if let Some(thread) = self.thread.take() {
            // The thread's closure catches the task's panic, so this cannot
            // report one; it only waits for the thread to exit.
            let _ = thread.join();
        }
        stats::record_join();
        result
    }

    /// Whether the task has finished (its result is waiting in the slot);
    /// never blocks.
    pub fn is_finished(&self) -> bool {
        self.slot.finished.load(Ordering::Acquire)
    }

    /// The name of the thread running the task: the one given to
    /// [`Builder::name`](super::Builder::name), the spawn-site name (see
    /// [`site_name`](super::site_name)), or `None` for a pool job.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Where the task was spawned or submitted.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("name", &self.name)
            .field("location", &self.location)
            .field("finished", &self.is_finished())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_completer_cancels() {
        let (completer, handle) = pair::<u8>(None, Location::caller());
        drop(completer);
        assert!(handle.is_finished());
        let err = handle.join().unwrap_err();
        assert!(err.is_cancelled());
        assert!(!err.is_panic());
        assert_eq!(err.to_string(), "task was cancelled before it finished");
        assert!(err.try_into_panic().is_err());
    }

    #[test]
    #[should_panic(expected = "into_panic called on a non-panic error")]
    fn into_panic_on_cancelled_panics() {
        let _ = JoinError::cancelled().into_panic();
    }

    #[test]
    fn panic_error_display_and_debug() {
        let err = JoinError::panic(Box::new(String::from("boom")));
        assert_eq!(err.to_string(), "task panicked with message \"boom\"");
        assert!(format!("{err:?}").contains("boom"));
        let err = JoinError::panic(Box::new(7_i32));
        assert_eq!(err.to_string(), "task panicked");
    }

    #[test]
    fn join_error_is_send_and_sync() {
        fn check<E: std::error::Error + Send + Sync + 'static>() {}
        check::<JoinError>();
    }
}
