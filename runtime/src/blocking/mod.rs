//! [`spawn_blocking`]: run blocking code on a pool thread, await its result
//! on the loop.
//!
//! The way back, with the functions to break on in gdb:
//!
//! 1. `spawn_blocking` (loop thread) makes a result slot,
//!    `Arc<Mutex<Slot<T>>>`, counts the job in flight
//!    (`Driver::blocking_started`), queues a job
//!    on the pool (`Pool::submit`, `pool.rs`) and spawns a small task that
//!    awaits [`BlockingWait`];
//! 2. a pool thread (`Inner::work`) runs the job: the user's closure under
//!    `catch_unwind`, then `Slot::complete` stores the result and hands back
//!    the waker stored by the last poll of `BlockingWait`, which the thread
//!    wakes once it has counted itself idle again;
//! 3. that waker is the task's own, woken from a foreign thread: it takes
//!    the remote path (`waker::wake_cell` → `remote::Shared::wake_remote` →
//!    the eventfd write) and the loop's `epoll_wait` returns;
//! 4. `BlockingWait::poll` finds the result, lowers `blocking_pending`, and
//!    the task returns it (or resumes the closure's panic, which the task's
//!    own `catch_unwind` turns into a [`JoinError`](crate::JoinError) with
//!    `is_panic()`).
//!
//! While `blocking_pending > 0` the paused clock holds still and the
//! deadlock detector waits: a job in flight will wake somebody.

pub(crate) mod pool;

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, Location, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::context;
use crate::driver::remote::Deferred;
use crate::handle::RuntimeId;
use crate::scheduler::Scheduler;
use crate::task::JoinHandle;

/// Runs `f` on the runtime's blocking pool and returns a handle to await
/// its result on the loop.
///
/// Use it for work that would hold the loop's thread: CPU-heavy
/// computation, blocking system calls (`read(2)` of a regular file,
/// `getaddrinfo(3)`), libraries without an async API. The pool grows on
/// demand up to [`Builder::max_blocking_threads`](crate::Builder::max_blocking_threads)
/// threads; jobs beyond that wait their turn.
///
/// A panic in `f` is caught on the pool thread and reaches the handle as a
/// [`JoinError`](crate::JoinError) with [`is_panic`](crate::JoinError::is_panic).
/// Aborting the handle (or dropping the runtime) does not stop a job that
/// already runs: the thread finishes it and its result is dropped.
///
/// ```
/// let n = runtime::block_on(async {
///     runtime::spawn_blocking(|| {
///         std::thread::sleep(std::time::Duration::from_millis(5));
///         21 * 2
///     })
///     .await
///     .unwrap()
/// });
/// assert_eq!(n, 42);
/// ```
///
/// # Panics
/// Outside a runtime (not inside `block_on` or a task it runs).
#[track_caller]
pub fn spawn_blocking<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let at = Location::caller();
    let spawned = context::with_current(|sched| {
        let wait = submit(sched, f, at);
        let task = sched.spawn(
            async move {
                match wait.await {
                    Ok(value) => value,
                    Err(payload) => resume_unwind(payload),
                }
            },
            at,
        );
        JoinHandle::new(sched.id(), task)
    });
    spawned.unwrap_or_else(|| {
        panic!(
            "runtime::spawn_blocking called at {at} outside a runtime: \
             call it inside runtime::block_on (or a task it runs)"
        )
    })
}

/// Queues `f` on the pool of `sched`'s driver; the returned future gives its
/// result, or the panic payload (also when the pool could not take the job).
pub(crate) fn submit<F, T>(
    sched: &Scheduler,
    f: F,
    at: &'static Location<'static>,
) -> BlockingWait<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let slot = Arc::new(Mutex::new(Slot {
        result: None,
        waker: None,
    }));
    let driver = sched.driver();
    driver.blocking_started();
    let pending = PendingGuard {
        rt: sched.id(),
        active: true,
    };
    let theirs = slot.clone();
    let job = Box::new(move || {
        let result = catch_unwind(AssertUnwindSafe(f));
        Slot::complete(&theirs, result)
    });
    if let Err(e) = driver.blocking_pool().submit(job) {
        let payload: Box<dyn Any + Send> = Box::new(format!(
            "spawn_blocking: the blocking pool cannot run the job: {e}"
        ));
        // No poll has stored a waker yet: nothing to wake.
        drop(Slot::complete(&slot, Err(payload)));
    }
    BlockingWait { slot, pending, at }
}

/// Awaits `f` on the pool from async code (the `fs` functions): its value,
/// or its panic resumed here. `at` is the caller's site (the `fs` function's
/// `#[track_caller]` location): the task's await site while it waits.
pub(crate) async fn run<F, T>(f: F, at: &'static Location<'static>) -> T
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let wait = context::with_current(|sched| submit(sched, f, at)).unwrap_or_else(|| {
        panic!(
            "runtime::fs functions must be awaited inside a runtime (block_on or a task it runs)"
        )
    });
    match wait.await {
        Ok(value) => value,
        Err(payload) => resume_unwind(payload),
    }
}

/// Where a pool thread leaves a job's result for the loop.
struct Slot<T> {
    result: Option<std::thread::Result<T>>,
    waker: Option<Waker>,
}

impl<T> Slot<T> {
    /// Stores the result and returns the waiter's waker, for the caller to
    /// wake outside the lock (on a pool thread: the remote wake).
    fn complete(slot: &Mutex<Slot<T>>, result: std::thread::Result<T>) -> Option<Waker> {
        let mut slot = slot.lock().unwrap_or_else(PoisonError::into_inner);
        slot.result = Some(result);
        slot.waker.take()
    }
}

/// The loop side of one job: `Ready` with its result once the pool thread
/// has stored it.
pub(crate) struct BlockingWait<T> {
    slot: Arc<Mutex<Slot<T>>>,
    pending: PendingGuard,
    /// The site that submitted the job (the await site in dumps).
    at: &'static Location<'static>,
}

impl<T> Future for BlockingWait<T> {
    type Output = std::thread::Result<T>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let (result, old) = {
            let mut slot = this.slot.lock().unwrap_or_else(PoisonError::into_inner);
            match slot.result.take() {
                Some(result) => (Some(result), None),
                None => match &slot.waker {
                    Some(w) if w.will_wake(cx.waker()) => (None, None),
                    _ => (None, slot.waker.replace(cx.waker().clone())),
                },
            }
        };
        drop(old);
        match result {
            Some(result) => {
                this.pending.release();
                Poll::Ready(result)
            }
            None => {
                crate::inspect::note_at(crate::inspect::WaitReason::Blocking, this.at);
                Poll::Pending
            }
        }
    }
}

/// Holds one count of the driver's jobs in flight until the result is
/// seen (on the loop thread) or the waiting future is dropped (anywhere: off
/// the loop, the count is lowered on its next turn).
struct PendingGuard {
    rt: RuntimeId,
    active: bool,
}

impl PendingGuard {
    fn release(&mut self) {
        if std::mem::take(&mut self.active) {
            self.rt.run_or_defer(Deferred::BlockingDone);
        }
    }
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        self.release();
    }
}
