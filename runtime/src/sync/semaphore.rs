//! An async counting semaphore, FIFO-fair and cancel-safe.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};

use super::waiters::{Waiters, WakeList};

/// An async counting semaphore: at most `permits` holders at once.
///
/// Waiters are served strictly in arrival order, and [`try_acquire`] never
/// barges past a queued waiter. A released permit is handed directly to the
/// first waiter, so a late arrival cannot steal it. [`acquire`] is
/// cancel-safe: dropping the future before it completes loses no permit.
///
/// The semaphore needs no runtime: it talks to tasks only through
/// [`std::task::Waker`], and it is `Send + Sync`, so an `Arc<Semaphore>` can be
/// shared with other threads.
///
/// ```
/// use runtime::sync::Semaphore;
///
/// let sem = Semaphore::new(2);
/// futures::executor::block_on(async {
///     let a = sem.acquire().await;
///     let _b = sem.acquire().await;
///     assert!(sem.try_acquire().is_none());
///     drop(a); // gives the permit back
///     assert_eq!(sem.available_permits(), 1);
/// });
/// ```
///
/// [`acquire`]: Semaphore::acquire
/// [`try_acquire`]: Semaphore::try_acquire
pub struct Semaphore {
    inner: Mutex<Inner>,
}

/// Invariant: `permits > 0` implies `waiters.is_empty()`; a free permit is
/// always handed to the first waiter at once.
#[derive(Debug)]
struct Inner {
    permits: usize,
    waiters: Waiters<()>,
}

impl Semaphore {
    /// Creates a semaphore holding `permits` permits.
    pub const fn new(permits: usize) -> Semaphore {
        Semaphore {
            inner: Mutex::new(Inner {
                permits,
                waiters: Waiters::new(),
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits for a permit, in FIFO order with the other waiters.
    ///
    /// Dropping the returned future while it waits leaves the queue; dropping
    /// it after it was granted a permit (but before it returned it) hands the
    /// permit on to the next waiter.
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire {
            semaphore: self,
            state: AcquireState::Init,
        }
    }

    /// Takes a permit if one is free right now and nobody is queued for it.
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        let mut inner = self.lock();
        if inner.permits > 0 {
            inner.permits -= 1;
            Some(SemaphorePermit { semaphore: self })
        } else {
            None
        }
    }

    /// The number of permits free right now.
    pub fn available_permits(&self) -> usize {
        self.lock().permits
    }

    /// Adds `n` permits, waking as many waiters as it can serve.
    ///
    /// # Panics
    ///
    /// If the number of free permits would overflow `usize`.
    pub fn add_permits(&self, n: usize) {
        self.release(n);
    }

    /// Hands `n` permits to waiters, first come first served, and keeps the
    /// rest. Wakers are woken in batches, never under the lock.
    fn release(&self, mut n: usize) {
        let mut wake = WakeList::new();
        while n > 0 {
            {
                let mut inner = self.lock();
                while n > 0 && wake.can_push() {
                    match inner.waiters.pop_front() {
                        Some((_, waker)) => {
                            wake.push(waker);
                            n -= 1;
                        }
                        None => {
                            inner.permits = inner
                                .permits
                                .checked_add(n)
                                .expect("Semaphore: number of permits overflowed usize");
                            n = 0;
                        }
                    }
                }
            }
            wake.wake_all();
        }
    }
}

impl Default for Semaphore {
    /// A semaphore with no permits.
    fn default() -> Self {
        Semaphore::new(0)
    }
}

impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = self.lock();
        f.debug_struct("Semaphore")
            .field("permits", &inner.permits)
            .field("queued", &!inner.waiters.is_empty())
            .finish()
    }
}

/// A permit from a [`Semaphore`]; dropping it gives the permit back.
#[must_use = "the permit is given back as soon as it is dropped"]
pub struct SemaphorePermit<'a> {
    semaphore: &'a Semaphore,
}

impl SemaphorePermit<'_> {
    /// Keeps the permit out of the semaphore for good (it is not returned).
    pub fn forget(self) {
        std::mem::forget(self);
    }
}

impl Drop for SemaphorePermit<'_> {
    fn drop(&mut self) {
        self.semaphore.release(1);
    }
}

impl fmt::Debug for SemaphorePermit<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphorePermit").finish_non_exhaustive()
    }
}

/// The future returned by [`Semaphore::acquire`].
#[must_use = "futures do nothing unless polled"]
pub struct Acquire<'a> {
    semaphore: &'a Semaphore,
    state: AcquireState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AcquireState {
    /// Not polled yet.
    Init,
    /// Queued under this key (or granted, once the node is unlinked).
    Queued(usize),
    /// Returned its permit.
    Done,
}

impl<'a> Future for Acquire<'a> {
    type Output = SemaphorePermit<'a>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let semaphore = self.semaphore;
        let mut inner = semaphore.lock();
        match self.state {
            AcquireState::Init => {
                if inner.permits > 0 {
                    inner.permits -= 1;
                    self.state = AcquireState::Done;
                    return Poll::Ready(SemaphorePermit { semaphore });
                }
                let key = inner.waiters.push_back(cx.waker().clone(), ());
                self.state = AcquireState::Queued(key);
                crate::inspect::note(crate::inspect::WaitReason::Semaphore);
                Poll::Pending
            }
            AcquireState::Queued(key) => {
                if inner.waiters.is_linked(key) {
                    inner.waiters.set_waker(key, cx.waker());
                    crate::inspect::note(crate::inspect::WaitReason::Semaphore);
                    return Poll::Pending;
                }
                // Unlinked: a releaser handed us its permit.
                inner.waiters.remove(key);
                self.state = AcquireState::Done;
                Poll::Ready(SemaphorePermit { semaphore })
            }
            AcquireState::Done => panic!("`Acquire` polled after completion"),
        }
    }
}

impl Drop for Acquire<'_> {
    fn drop(&mut self) {
        if let AcquireState::Queued(key) = self.state {
            let (_, still_waiting) = self.semaphore.lock().waiters.remove(key);
            if !still_waiting {
                // Granted but never collected: pass the permit on.
                self.semaphore.release(1);
            }
        }
    }
}

impl fmt::Debug for Acquire<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn poll<F: Future + Unpin>(f: &mut F) -> Poll<F::Output> {
        Pin::new(f).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn granted_but_unpolled_permit_goes_to_the_next_waiter() {
        let sem = Semaphore::new(1);
        let held = sem.try_acquire().expect("one permit");
        let mut a = sem.acquire();
        let mut b = sem.acquire();
        assert!(poll(&mut a).is_pending());
        assert!(poll(&mut b).is_pending());
        drop(held); // granted to `a`
        assert_eq!(sem.available_permits(), 0);
        drop(a); // never collected: goes to `b`
        assert!(poll(&mut b).is_ready());
        assert_eq!(sem.available_permits(), 1);
    }

    #[test]
    fn is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Semaphore>();
        check::<SemaphorePermit<'_>>();
        check::<Acquire<'_>>();
    }
}
