//! The join slot: how a task's result travels back to whoever joins it.
//!
//! `std::thread::JoinHandle` hides this inside the standard library; here
//! it is spelled out. A [`JoinHandle`] and the running task share one
//! [`Slot`]: a `Mutex` over the result (and whether the joiner sleeps) and
//! a `Condvar`. The task side (a [`Completer`]) stores the result and, if
//! the joiner is asleep, calls `notify_all`; [`JoinHandle::join`] waits on
//! the condvar until the slot is full. On Linux the waiting thread sleeps
//! in the kernel in `futex(FUTEX_WAIT)` on the condvar's futex word and is
//! woken by the completer's `futex(FUTEX_WAKE)`. A task that finishes
//! before anyone joins it makes no `FUTEX_WAKE` at all: std's condvar
//! does not know whether it has waiters and would make the syscall anyway.
//!
//! If the completer is dropped without a result (the closure was never
//! run: a thread that could not be created, a pool that lost its job), the
//! drop stores a "cancelled" [`JoinError`], so `join` can never wait for a
//! result that will not come.

use std::fmt;
use std::panic::{self, AssertUnwindSafe, Location};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use super::stats;

/// Why [`JoinHandle::join`] did not return the task's value: the same type
/// as the event loop's [`runtime::JoinError`](crate::JoinError), with the
/// same methods and messages ("task 3 panicked: boom").
pub use crate::task::JoinError;

/// Task ids of the thread model: one counter for the process, so that an id
/// names one task in messages, traces and thread names.
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The shared cell between a task and its [`JoinHandle`].
pub(crate) struct Slot<T> {
    result: Mutex<Filled<T>>,
    ready: Condvar,
    /// Mirrors "`result` has been filled", readable without the lock, for
    /// [`JoinHandle::is_finished`].
    finished: AtomicBool,
}

/// What the slot's mutex guards.
struct Filled<T> {
    /// The task's result, once it is in.
    result: Option<Result<T, JoinError>>,
    /// The joiner is asleep on the condvar (set and read under the lock,
    /// so a completer that finds it unset knows the joiner will see the
    /// result before it would sleep).
    joiner_sleeps: bool,
}

impl<T> Slot<T> {
    /// Blocks until the result is in, then takes it.
    fn wait_take(&self) -> Result<T, JoinError> {
        let _blocked = super::trace::block("join: futex wait");
        let mut guard = self.result.lock().unwrap_or_else(PoisonError::into_inner);
        loop {
            if let Some(result) = guard.result.take() {
                return result;
            }
            guard.joiner_sleeps = true;
            guard = self
                .ready
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The producing half of a slot: owned by the task, fills the slot once.
pub(crate) struct Completer<T> {
    id: u64,
    slot: Option<Arc<Slot<T>>>,
}

impl<T> Completer<T> {
    /// Runs the task's closure, catching its panic, then stores the result
    /// and wakes the joiner.
    pub(crate) fn run(mut self, f: impl FnOnce() -> T) {
        let result = panic::catch_unwind(AssertUnwindSafe(f))
            .map_err(|payload| JoinError::panic(self.id, payload));
        if let Some(slot) = self.slot.take() {
            fill(&slot, result);
        }
    }
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        // Dropped without `run`: the task will never produce a value.
        if let Some(slot) = self.slot.take() {
            fill(&slot, Err(JoinError::cancelled(self.id)));
        }
    }
}

fn fill<T>(slot: &Slot<T>, result: Result<T, JoinError>) {
    let mut guard = slot.result.lock().unwrap_or_else(PoisonError::into_inner);
    guard.result = Some(result);
    slot.finished.store(true, Ordering::Release);
    let wake = guard.joiner_sleeps;
    drop(guard);
    if wake {
        slot.ready.notify_all();
    }
}

/// Creates a connected (completer, handle) pair. `thread` is the std
/// handle used to reap the OS thread, if the task has a thread of its own.
pub(crate) fn pair<T>(
    name: Option<String>,
    location: &'static Location<'static>,
) -> (Completer<T>, JoinHandle<T>) {
    let slot = Arc::new(Slot {
        result: Mutex::new(Filled {
            result: None,
            joiner_sleeps: false,
        }),
        ready: Condvar::new(),
        finished: AtomicBool::new(false),
    });
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    let completer = Completer {
        id,
        slot: Some(Arc::clone(&slot)),
    };
    let handle = JoinHandle {
        id,
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
    id: u64,
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

    /// The task's id (unique in the process, as its `JoinError` shows it).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Where the task was spawned or submitted.
    pub fn location(&self) -> &'static Location<'static> {
        self.location
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("id", &self.id)
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
        let id = handle.id();
        drop(completer);
        assert!(handle.is_finished());
        let err = handle.join().unwrap_err();
        assert!(err.is_cancelled());
        assert!(!err.is_panic());
        assert_eq!(err.id(), id);
        assert_eq!(err.to_string(), format!("task {id} was cancelled"));
        assert!(err.try_into_panic().is_err());
    }

    #[test]
    fn a_panic_is_caught_with_the_task_id() {
        let (completer, handle) = pair::<u8>(None, Location::caller());
        let id = handle.id();
        completer.run(|| panic!("boom"));
        let err = handle.join().unwrap_err();
        assert_eq!(err.to_string(), format!("task {id} panicked: boom"));
    }

    #[test]
    fn a_joiner_that_sleeps_is_woken_and_one_that_comes_late_never_sleeps() {
        // Late: the result is in before `join`, which takes it without
        // waiting, so nothing was (or needed to be) notified.
        let (completer, handle) = pair::<u8>(None, Location::caller());
        completer.run(|| 1);
        let slot = Arc::clone(&handle.slot);
        assert_eq!(handle.join().unwrap(), 1);
        assert!(!slot.result.lock().unwrap().joiner_sleeps);

        // Early: the joiner is asleep before the result comes; the
        // completer sees the flag and wakes it (a lost wake-up would hang).
        let rounds = if cfg!(miri) { 3 } else { 100 };
        for _ in 0..rounds {
            let (completer, handle) = pair::<u8>(None, Location::caller());
            let slot = Arc::clone(&handle.slot);
            let joiner = std::thread::spawn(move || handle.join().unwrap());
            while !slot.result.lock().unwrap().joiner_sleeps {
                std::thread::yield_now();
            }
            completer.run(|| 2);
            assert_eq!(joiner.join().unwrap(), 2);
        }
    }
}
