//! A counting semaphore for threads, fair (FIFO) by tickets.
//!
//! The state is a `Mutex` around three numbers and a `Condvar` to sleep
//! on. Each [`Semaphore::acquire`] takes a ticket (`next_ticket`, then
//! increments it) and sleeps until two things hold: its ticket is the one
//! being served (`serving`) and a permit is free. Then it takes the permit
//! and advances `serving`, letting the next ticket holder try. A late
//! arrival can therefore never overtake an earlier one, whatever order the
//! kernel wakes the sleepers in.
//!
//! Waking is `notify_all` (every sleeper re-checks; only the one being
//! served proceeds): simple and correct, at the price of a thundering herd
//! when many threads wait. A blocked `acquire` sleeps in the kernel in
//! `futex(FUTEX_WAIT)` on the condvar.

use std::fmt;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

/// A FIFO-fair counting semaphore on `Mutex` + `Condvar`.
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
    changed: Condvar,
}

struct State {
    permits: usize,
    /// The ticket the next `acquire` will draw.
    next_ticket: u64,
    /// The ticket allowed to take the next permit. `next_ticket - serving`
    /// threads are waiting.
    serving: u64,
}

impl Semaphore {
    /// A semaphore with `permits` permits.
    pub fn new(permits: usize) -> Self {
        Semaphore {
            state: Mutex::new(State {
                permits,
                next_ticket: 0,
                serving: 0,
            }),
            changed: Condvar::new(),
        }
    }

    /// The state, recovering it if a thread panicked while holding the lock
    /// (no code here panics with the lock held, and every update leaves
    /// the numbers consistent, so the data is valid either way).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits, in arrival order, for a permit; the permit goes back when the
    /// returned guard is dropped (also during a panic's unwinding).
    pub fn acquire(&self) -> SemaphorePermit<'_> {
        let mut state = self.lock();
        let ticket = state.next_ticket;
        state.next_ticket += 1;
        let _blocked = (!(state.serving == ticket && state.permits > 0))
            .then(|| super::trace::block("semaphore: futex wait"));
        while !(state.serving == ticket && state.permits > 0) {
            state = self
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
        state.permits -= 1;
        state.serving += 1;
        drop(state);
        // The next ticket holder may find a permit too.
        self.changed.notify_all();
        SemaphorePermit { semaphore: self }
    }

    /// Takes a permit if one is free and nobody is queued for it; never
    /// blocks. (A free permit with a queue means the head of the queue is
    /// about to take it: taking it here would jump the queue.)
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        let mut state = self.lock();
        if state.permits > 0 && state.serving == state.next_ticket {
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
        let state = self.lock();
        usize::try_from(state.next_ticket - state.serving).unwrap_or(usize::MAX)
    }

    fn release(&self) {
        let mut state = self.lock();
        state.permits += 1;
        drop(state);
        self.changed.notify_all();
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.lock();
        f.debug_struct("Semaphore")
            .field("permits", &state.permits)
            .field("waiting", &(state.next_ticket - state.serving))
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
