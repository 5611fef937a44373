//! An async reader-writer lock, FIFO-fair and write-preferring, built on a
//! [`Semaphore`] as tokio's is.
//!
//! # The mechanism
//!
//! The lock is a semaphore holding `max_readers` permits (by default
//! [`MAX_READS`], tokio's number). A reader takes **one** permit, a writer
//! takes **all** of them. So any number of readers up to `max_readers` hold
//! the lock together, and a writer holds it alone.
//!
//! Fairness comes for free from the semaphore's rule: requests are served
//! strictly in arrival order, whatever their size, and a large request at
//! the head of the queue *collects* released permits until it has all it
//! asked for (see [the fairness rule](Semaphore#fairness)). A writer that
//! queues behind readers holding the lock therefore collects their permits
//! as they leave, and a reader that arrives after the writer queues behind
//! it, even though the readers inside would have let it in: the lock is
//! **write-preferring**, and a stream of readers cannot starve a writer. A
//! writer's release hands permits to the queue in order: the readers at the
//! head get one each, up to the next queued writer.
//!
//! [`RwLockWriteGuard::downgrade`] keeps one of the writer's permits (so no
//! writer can get in between) and releases the others, which lets in the
//! readers queued at the head.
//!
//! Every wait is the semaphore's, so every wait is cancel-safe: a `read()`
//! or `write()` dropped before it completes gives back whatever permits it
//! had collected, and the next waiters get them.

use std::cell::UnsafeCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use super::mutex::TryLockError;
use super::semaphore::{Acquire, AcquireMany, Semaphore};

mod guard;

pub use guard::{RwLockReadGuard, RwLockWriteGuard};

/// The largest number of readers a [`RwLock`] admits at once, and the
/// default: `u32::MAX >> 3`, the same as tokio's.
pub const MAX_READS: u32 = u32::MAX >> 3;

/// An async reader-writer lock: many readers or one writer, and guards that
/// may be held across `.await`.
///
/// [`read`](RwLock::read) and [`write`](RwLock::write) are served in the
/// order they were called. The lock is **write-preferring**: once a writer
/// waits, readers that ask after it wait behind it, even while other readers
/// hold the lock, so a writer is never starved (this is tokio's policy).
/// Waiting does not block the thread, a cancelled `read()` or `write()`
/// loses nothing, and there is no poisoning.
///
/// Built on a [`Semaphore`] with [`MAX_READS`] permits: a reader takes one, a
/// writer takes all of them (see the module source for the mechanism).
///
/// ```
/// use runtime::sync::RwLock;
///
/// let lock = RwLock::new(5);
/// runtime::block_on(async {
///     {
///         // Many readers at once.
///         let r1 = lock.read().await;
///         let r2 = lock.read().await;
///         assert_eq!(*r1 + *r2, 10);
///         assert!(lock.try_write().is_err());
///     } // the read guards are dropped here
///     let mut w = lock.write().await;
///     *w += 1;
///     assert!(lock.try_read().is_err());
///     // Let readers in without letting another writer in between.
///     let r = w.downgrade();
///     assert_eq!(*r, 6);
/// });
/// ```
///
/// `RwLock<T>` is `Send` when `T: Send`, and `Sync` when `T: Send + Sync`:
/// readers on several threads share `&T`, and a writer may move the value's
/// contents between threads through `&mut T`.
pub struct RwLock<T: ?Sized> {
    /// How many permits the semaphore was made with: what a writer takes.
    max_readers: u32,
    semaphore: Semaphore,
    value: UnsafeCell<T>,
}

// SAFETY: the `RwLock` owns the `T`; moving it to another thread moves the
// `T`.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: `&RwLock<T>` hands out `&T` to readers on any number of threads at
// once (so `T: Sync`) and `&mut T` to one writer at a time, which may move
// values in and out of the `T` on its own thread (so `T: Send`). The
// semaphore guarantees that a write guard exists only while no read guard
// does: a writer holds all `max_readers` permits, a reader at least one.
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

impl<T> RwLock<T> {
    /// Creates an unlocked lock holding `value`, admitting up to
    /// [`MAX_READS`] readers at once.
    pub const fn new(value: T) -> Self {
        RwLock {
            max_readers: MAX_READS,
            semaphore: Semaphore::new(MAX_READS as usize),
            value: UnsafeCell::new(value),
        }
    }

    /// Creates an unlocked lock holding `value` that admits at most
    /// `max_readers` readers at once (a further reader waits for one of
    /// them to leave).
    ///
    /// # Panics
    ///
    /// If `max_readers` is 0 or greater than [`MAX_READS`] (as tokio).
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// let lock = RwLock::with_max_readers((), 2);
    /// let _a = lock.try_read().unwrap();
    /// let _b = lock.try_read().unwrap();
    /// assert!(lock.try_read().is_err());
    /// ```
    pub const fn with_max_readers(value: T, max_readers: u32) -> Self {
        assert!(
            max_readers != 0,
            "a RwLock may not be created with 0 readers"
        );
        assert!(
            max_readers <= MAX_READS,
            "a RwLock may not be created with more than MAX_READS readers"
        );
        RwLock {
            max_readers,
            semaphore: Semaphore::new(max_readers as usize),
            value: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns the value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    /// Waits for shared read access, in FIFO order with the other waiters:
    /// a reader that asks after a queued writer waits behind it.
    ///
    /// While it waits, the task's wait reason is
    /// [`WaitReason::RwLockRead`](crate::inspect::WaitReason::RwLockRead)
    /// and its await site is the line that called `read`.
    #[track_caller]
    pub fn read(&self) -> ReadLock<'_, T> {
        ReadLock {
            lock: self,
            acquire: self.semaphore.acquire(),
        }
    }

    /// Waits for exclusive write access, in FIFO order with the other
    /// waiters. Once queued, it keeps later readers out until it has had its
    /// turn (or is dropped).
    ///
    /// While it waits, the task's wait reason is
    /// [`WaitReason::RwLockWrite`](crate::inspect::WaitReason::RwLockWrite)
    /// and its await site is the line that called `write`.
    #[track_caller]
    pub fn write(&self) -> WriteLock<'_, T> {
        WriteLock {
            lock: self,
            acquire: self.semaphore.acquire_many(self.max_readers),
        }
    }

    /// Takes read access if it is free right now: no writer holds the lock
    /// and nobody is queued for it (a queued writer keeps new readers out).
    pub fn try_read(&self) -> Result<RwLockReadGuard<'_, T>, TryLockError> {
        match self.semaphore.try_acquire() {
            Some(permit) => Ok(RwLockReadGuard::new(self, permit)),
            None => Err(TryLockError(())),
        }
    }

    /// Takes write access if it is free right now: nobody holds the lock
    /// and nobody is queued for it.
    pub fn try_write(&self) -> Result<RwLockWriteGuard<'_, T>, TryLockError> {
        match self.semaphore.try_acquire_many(self.max_readers) {
            Ok(permit) => Ok(RwLockWriteGuard::new(self, permit)),
            Err(_) => Err(TryLockError(())),
        }
    }

    /// Borrows the value mutably; no locking is needed since `&mut self` is
    /// exclusive.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for RwLock<T> {
    fn default() -> Self {
        RwLock::new(T::default())
    }
}

impl<T> From<T> for RwLock<T> {
    fn from(value: T) -> Self {
        RwLock::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwLock");
        match self.try_read() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The future returned by [`RwLock::read`].
#[must_use = "futures do nothing unless polled"]
pub struct ReadLock<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    acquire: Acquire<'a>,
}

impl<'a, T: ?Sized> Future for ReadLock<'a, T> {
    type Output = RwLockReadGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let lock = self.lock;
        // The semaphore is never closed, so `Acquire` never panics here.
        let poll = Pin::new(&mut self.acquire).poll(cx);
        if poll.is_pending() {
            // Overrides the semaphore's note; keeps its await site (the
            // caller of `read`).
            crate::inspect::note(crate::inspect::WaitReason::RwLockRead);
        }
        poll.map(|permit| RwLockReadGuard::new(lock, permit))
    }
}

impl<T: ?Sized> fmt::Debug for ReadLock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadLock").finish_non_exhaustive()
    }
}

/// The future returned by [`RwLock::write`].
#[must_use = "futures do nothing unless polled"]
pub struct WriteLock<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    acquire: AcquireMany<'a>,
}

impl<'a, T: ?Sized> Future for WriteLock<'a, T> {
    type Output = RwLockWriteGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let lock = self.lock;
        match Pin::new(&mut self.acquire).poll(cx) {
            Poll::Ready(Ok(permit)) => Poll::Ready(RwLockWriteGuard::new(lock, permit)),
            Poll::Ready(Err(_)) => {
                unreachable!("a RwLock's semaphore is private and never closed")
            }
            Poll::Pending => {
                // As in `ReadLock::poll`: our reason, the semaphore's site.
                crate::inspect::note(crate::inspect::WaitReason::RwLockWrite);
                Poll::Pending
            }
        }
    }
}

impl<T: ?Sized> fmt::Debug for WriteLock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WriteLock").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests;
