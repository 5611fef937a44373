//! An async counting semaphore, FIFO-fair and cancel-safe, with
//! multi-permit requests, owned permits and closing.
//!
//! # The mechanism
//!
//! The state is a count of free permits and a FIFO queue of waiters
//! ([`Waiters`]), each waiter carrying how many permits it still *lacks*.
//! One invariant holds whenever the lock is released:
//!
//! > free permits > 0 implies the queue is empty.
//!
//! A new request that finds enough free permits takes them and returns. One
//! that does not takes what is free (leaving 0), queues for the rest, and
//! waits. A release walks the queue from its head: it completes every waiter
//! whose lack it covers (lack 0, unlinked from the queue, woken) and gives
//! what is left to the head waiter, *partially*, or to the free count once
//! the queue is empty. The waiter's future sees, on its next poll, that its
//! node was unlinked with lack 0 and returns the permit; nobody else can take
//! what was handed to it.
//!
//! [`Semaphore::close`] sets a flag and unlinks every waiter *without*
//! covering its lack: a waiter finds its node unlinked with lack > 0, gives
//! back the permits it had been partially handed, and fails with
//! [`AcquireError`]. A dropped future does the same (or, if its request was
//! already covered, gives back all of it): that is what makes every acquire
//! cancel-safe.
//!
//! The fairness rule this gives is documented on [`Semaphore`].

use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};

use super::waiters::{Served, Waiters, WakeList};

mod acquire;
mod error;
mod permit;

pub use acquire::{Acquire, AcquireMany, AcquireOwned};
pub use error::{AcquireError, TryAcquireError};
pub use permit::{OwnedSemaphorePermit, SemaphorePermit, SharedSemaphore};

/// An async counting semaphore: at most `permits` holders at once.
///
/// Waiters are served strictly in arrival order, and the `try_acquire`
/// methods never barge past a queued waiter. A released permit is handed
/// directly to the first waiter, so a late arrival cannot steal it. Every
/// acquire is cancel-safe: dropping the future before it completes loses no
/// permit. A request for several permits ([`acquire_many`]) keeps its place
/// too; see [the fairness rule](#fairness).
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
/// # Fairness
///
/// **Strict FIFO, by request, whatever its size.** A request for `n`
/// permits at the head of the queue collects released permits until it has
/// `n`; a request for fewer permits behind it waits, even when it could have
/// been served from what the head request has collected so far. So a large
/// request is never starved by a stream of small ones. The price: one large
/// request at the head delays every smaller one behind it, and the `try_`
/// methods fail while anyone is queued. tokio's semaphore follows the same
/// rule. Permits collected by a request that is then dropped, or that fails
/// because the semaphore was closed, go back to the next waiters.
///
/// ```
/// use runtime::sync::Semaphore;
/// use std::pin::pin;
/// use std::task::{Context, Waker};
/// use std::future::Future;
///
/// let sem = Semaphore::new(1);
/// let mut cx = Context::from_waker(Waker::noop());
/// let mut big = pin!(sem.acquire_many(3));
/// assert!(big.as_mut().poll(&mut cx).is_pending()); // took the 1 free permit
/// let mut small = pin!(sem.acquire_checked());
/// assert!(small.as_mut().poll(&mut cx).is_pending()); // queued behind `big`
/// sem.add_permits(1);
/// assert!(small.as_mut().poll(&mut cx).is_pending()); // `big` collected it
/// sem.add_permits(1);
/// assert!(big.as_mut().poll(&mut cx).is_ready()); // now `big` has its 3
/// ```
///
/// # Closing
///
/// [`close`](Semaphore::close) makes every pending and later acquire fail.
/// The fallible methods ([`acquire_checked`], [`acquire_many`], the owned
/// and `try_` variants) return [`AcquireError`] / [`TryAcquireError`], as
/// tokio's do. [`acquire`] keeps its infallible signature (it is the one
/// most code calls, and a `Result` there would force an `unwrap` on every
/// semaphore that is never closed) and **panics** on a closed semaphore,
/// with a message naming `acquire_checked`. A panic rather than waiting
/// forever: a task stuck on a closed semaphore would be a silent hang, while
/// a panic is caught by the runtime and reported through the task's
/// `JoinHandle`. Code that closes its semaphore (the usual shutdown signal)
/// uses `acquire_checked`:
///
/// ```
/// use runtime::sync::Semaphore;
///
/// let sem = Semaphore::new(0);
/// futures::executor::block_on(async {
///     sem.close();
///     assert!(sem.acquire_checked().await.is_err());
///     assert!(sem.is_closed());
/// });
/// ```
///
/// [`acquire`]: Semaphore::acquire
/// [`acquire_checked`]: Semaphore::acquire_checked
/// [`acquire_many`]: Semaphore::acquire_many
pub struct Semaphore {
    inner: Mutex<Inner>,
}

/// Invariant: `permits > 0` implies `waiters.is_empty()`; free permits are
/// always handed to the first waiter at once. A linked waiter's payload is
/// the number of permits it still lacks (> 0).
#[derive(Debug)]
struct Inner {
    permits: usize,
    closed: bool,
    waiters: Waiters<usize>,
}

impl Semaphore {
    /// The largest number of permits a semaphore can hold.
    pub const MAX_PERMITS: usize = usize::MAX;

    /// Creates a semaphore holding `permits` permits.
    pub const fn new(permits: usize) -> Semaphore {
        Semaphore {
            inner: Mutex::new(Inner {
                permits,
                closed: false,
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
    ///
    /// # Panics
    ///
    /// When polled on a [closed](Semaphore::close) semaphore (or when the
    /// semaphore is closed while it waits). Use
    /// [`acquire_checked`](Semaphore::acquire_checked) to get an
    /// [`AcquireError`] instead.
    #[track_caller]
    pub fn acquire(&self) -> Acquire<'_> {
        Acquire::new(self)
    }

    /// Waits for a permit, like [`acquire`](Semaphore::acquire), but fails
    /// with [`AcquireError`] if the semaphore is closed: tokio's `acquire`.
    #[track_caller]
    pub fn acquire_checked(&self) -> AcquireMany<'_> {
        AcquireMany::new(self, 1)
    }

    /// Waits for `n` permits at once, keeping one place in the FIFO queue.
    ///
    /// The request collects released permits at the head of the queue until
    /// it has all `n` (a smaller request behind it waits; see
    /// [the fairness rule](Semaphore#fairness)). Dropping the future gives
    /// back whatever it had collected. `n == 0` completes at once.
    ///
    /// ```
    /// use runtime::sync::Semaphore;
    ///
    /// let sem = Semaphore::new(5);
    /// futures::executor::block_on(async {
    ///     let three = sem.acquire_many(3).await.unwrap();
    ///     assert_eq!(three.num_permits(), 3);
    ///     assert_eq!(sem.available_permits(), 2);
    /// });
    /// ```
    #[track_caller]
    pub fn acquire_many(&self, n: u32) -> AcquireMany<'_> {
        AcquireMany::new(self, n as usize)
    }

    /// Takes a permit if one is free right now and nobody is queued for it.
    ///
    /// Gives `None` both when no permit is free and when the semaphore is
    /// closed; [`try_acquire_many`](Semaphore::try_acquire_many)`(1)` tells
    /// the two apart.
    pub fn try_acquire(&self) -> Option<SemaphorePermit<'_>> {
        self.try_acquire_many(1).ok()
    }

    /// Takes `n` permits if they are free right now and nobody is queued.
    pub fn try_acquire_many(&self, n: u32) -> Result<SemaphorePermit<'_>, TryAcquireError> {
        self.try_take(n as usize)?;
        Ok(SemaphorePermit::new(self, n as usize))
    }

    /// Takes `n` free permits, or says why not. Free permits imply an empty
    /// queue, so this never passes a waiter.
    fn try_take(&self, n: usize) -> Result<(), TryAcquireError> {
        let mut inner = self.lock();
        if inner.closed {
            Err(TryAcquireError::Closed)
        } else if inner.permits >= n {
            inner.permits -= n;
            Ok(())
        } else {
            Err(TryAcquireError::NoPermits)
        }
    }

    /// The number of permits free right now (permits handed partially to a
    /// queued multi-permit request are not free).
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

    /// Removes up to `n` free permits for good and returns how many it
    /// removed (permits held or handed to a waiter are not touched).
    pub fn forget_permits(&self, n: usize) -> usize {
        let mut inner = self.lock();
        let removed = inner.permits.min(n);
        inner.permits -= removed;
        removed
    }

    /// Closes the semaphore: every queued acquire fails (it is woken and
    /// returns [`AcquireError`]; [`acquire`](Semaphore::acquire) panics), and
    /// so does every later one. Permits already held stay valid, and come
    /// back to the count when dropped. A waiter whose request was covered
    /// before the close still gets its permits.
    pub fn close(&self) {
        let mut wake = WakeList::new();
        loop {
            let done = {
                let mut inner = self.lock();
                inner.closed = true;
                while wake.can_push() {
                    match inner.waiters.pop_front() {
                        Some((_, waker)) => wake.push(waker),
                        None => break,
                    }
                }
                inner.waiters.is_empty()
            };
            wake.wake_all();
            if done {
                return;
            }
        }
    }

    /// Whether [`close`](Semaphore::close) was called.
    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Hands `n` permits to waiters, first come first served (the head
    /// waiter takes them even if it needs more than `n`), and keeps the
    /// rest. Wakers are woken in batches, never under the lock.
    fn release(&self, mut n: usize) {
        let mut wake = WakeList::new();
        while n > 0 {
            {
                let mut inner = self.lock();
                while n > 0 && wake.can_push() {
                    // The head takes what it lacks, up to `n`.
                    let served = inner.waiters.serve_front(|lacks| {
                        let take = (*lacks).min(n);
                        *lacks -= take;
                        n -= take;
                        *lacks == 0
                    });
                    match served {
                        Served::Done(waker) => wake.push(waker),
                        Served::Partly => {}
                        Served::Empty => {
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
            .field("closed", &inner.closed)
            .field("queued", &!inner.waiters.is_empty())
            .finish()
    }
}

#[cfg(test)]
mod tests;
