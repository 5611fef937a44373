//! A counting semaphore for threads, fair (FIFO) by direct handoff.
//!
//! The state is a `Mutex` around the free permits and a queue of waiters.
//! An [`Semaphore::acquire`] that finds a free permit and nobody queued
//! takes it. Otherwise it queues a [`Waiter`] (its thread and a `granted`
//! flag) and parks. A release with waiters queued does not free the permit:
//! it hands it to the head of the queue (sets its flag) and unparks that one
//! thread. So a late arrival can never overtake an earlier one, and each
//! release wakes exactly one thread: one `futex(FUTEX_WAKE)` for one
//! `futex(FUTEX_WAIT)`.
//!
//! (The first version woke every sleeper on a shared `Condvar` and let the
//! ticket holder proceed: correct, but with 1,000 threads waiting every
//! acquire woke ~1,000 threads to let one through, 7× slower than a plain
//! `Mutex` + `Condvar` semaphore in the benchmarks.)

use std::collections::VecDeque;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::Thread;

/// A FIFO-fair counting semaphore: a `Mutex`ed queue and a parker per
/// waiting thread.
///
/// ```
/// use runtime::threaded::Semaphore;
///
/// let sem = Semaphore::new(2);
/// let a = sem.acquire();
/// let b = sem.try_acquire().expect("a second permit is free");
/// assert!(sem.try_acquire().is_none());
/// drop(a);
/// assert_eq!(sem.available_permits(), 1);
/// drop(b);
/// assert_eq!(sem.available_permits(), 2);
/// ```
pub struct Semaphore {
    state: Mutex<State>,
}

/// Invariant: `permits > 0` implies `queue` is empty (a released permit
/// goes straight to the first waiter).
struct State {
    permits: usize,
    queue: VecDeque<Arc<Waiter>>,
}

/// A thread parked in `acquire`.
struct Waiter {
    thread: Thread,
    /// Set (under the lock) by the release that hands this waiter its
    /// permit; the waiter owns the permit from then on.
    granted: AtomicBool,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            state: Mutex::new(State {
                permits,
                queue: VecDeque::new(),
            }),
        }
    }

    /// The state, recovering it if a thread panicked while holding the lock
    /// (no code here panics with the lock held, and every update leaves
    /// the state consistent, so the data is valid either way).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits, in arrival order, for a permit; the permit goes back when the
    /// returned guard is dropped (also during a panic's unwinding).
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        let waiter = {
            let mut state = self.lock();
            if state.permits > 0 {
                state.permits -= 1;
                return SemaphorePermit { semaphore: self };
            }
            let waiter = Arc::new(Waiter {
                thread: std::thread::current(),
                granted: AtomicBool::new(false),
            });
            state.queue.push_back(Arc::clone(&waiter));
            waiter
        };
        let _blocked = super::trace::block("semaphore: futex wait");
        // `park` may return spuriously; only the flag says the permit is ours.
        // Acquire pairs with the releaser's Release store.
        while !waiter.granted.load(Ordering::Acquire) {
            std::thread::park();
        }
        SemaphorePermit { semaphore: self }
    }

    /// Takes a permit if one is free, never blocking. (A free permit means
    /// nobody is queued: see the invariant on `State`, so this never jumps
    /// the queue.)
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        let mut state = self.lock();
        if state.permits > 0 {
            state.permits -= 1;
            Some(SemaphorePermit { semaphore: self })
        } else {
            None
        }
    }

    /// Permits free now.
    pub fn available_permits(&self) -> usize {
        self.lock().permits
    }

    /// Threads queued in [`Semaphore::acquire`] now.
    pub fn waiting(&self) -> usize {
        self.lock().queue.len()
    }

    /// Gives a permit back: to the first waiter if there is one (which is
    /// unparked: one `futex` wake), else to the pool.
    fn release(&self) {
        let next = {
            let mut state = self.lock();
            match state.queue.pop_front() {
                Some(waiter) => {
                    waiter.granted.store(true, Ordering::Release);
                    waiter
                }
                None => {
                    state.permits += 1;
                    return;
                }
            }
        };
        next.thread.unpark();
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Semaphore")
            .field("permits", &state.permits)
            .field("waiting", &state.queue.len())
            .finish()
    }
}

/// One permit of a [`Semaphore`], given back on drop.
#[must_use = "the permit is released as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.release();
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_poisoned_lock_does_not_break_the_semaphore() {
        let sem = Arc::new(Semaphore::new(1));
        let poisoner = Arc::clone(&sem);
        let result = std::thread::spawn(move || {
            let _guard = poisoner.state.lock();
            panic!("poison the semaphore's mutex");
        })
        .join();
        assert!(result.is_err());
        assert!(sem.state.is_poisoned());

        let permit = sem.acquire();
        assert_eq!(sem.available_permits(), 0);
        assert!(sem.try_acquire().is_none());
        drop(permit);
        assert_eq!(sem.available_permits(), 1);
        assert_eq!(sem.waiting(), 0);
        assert!(format!("{sem:?}").contains("permits: 1"));
    }
}
