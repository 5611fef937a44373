//! An async mutex, FIFO-fair, built on a one-permit [`Semaphore`].

use std::cell::UnsafeCell;
use std::error::Error;
use std::fmt;
use std::future::Future;
use std::ops::{Deref, DerefMut};
use std::pin::Pin;
use std::task::{Context, Poll};

use super::semaphore::{Acquire, Semaphore, SemaphorePermit};

/// An async mutual-exclusion lock whose guard may be held across `.await`.
///
/// Tasks get the lock in the order they asked for it (it is a [`Semaphore`]
/// with one permit underneath), and a cancelled [`lock`](Mutex::lock) loses
/// nothing. Unlike [`std::sync::Mutex`] waiting does not block the thread,
/// and there is no poisoning.
///
/// ```
/// use runtime::sync::Mutex;
///
/// let m = Mutex::new(0);
/// futures::executor::block_on(async {
///     *m.lock().await += 1;
///     let guard = m.lock().await;
///     assert!(m.try_lock().is_err());
///     assert_eq!(*guard, 1);
/// });
/// ```
pub struct Mutex<T: ?Sized> {
    semaphore: Semaphore,
    value: UnsafeCell<T>,
}

// SAFETY: the `Mutex` owns the `T`; moving it to another thread moves the `T`.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: `&Mutex<T>` hands out `&mut T` only through a `MutexGuard`, and the
// one-permit semaphore guarantees at most one guard exists at a time, so the
// `T` is accessed by one thread at a time (hence `T: Send`, not `T: Sync`).
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    pub const fn new(value: T) -> Self {
        Mutex {
            semaphore: Semaphore::new(1),
            value: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns the value.
    pub fn into_inner(self) -> T {
        self.value.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Waits for the lock, in FIFO order with the other waiters.
    #[track_caller]
    pub fn lock(&self) -> Lock<'_, T> {
        Lock {
            mutex: self,
            acquire: self.semaphore.acquire(),
        }
    }

    /// Takes the lock if it is free right now and nobody is queued for it.
    pub fn try_lock(&self) -> Result<MutexGuard<'_, T>, TryLockError> {
        match self.semaphore.try_acquire() {
            Some(permit) => Ok(MutexGuard {
                mutex: self,
                _permit: permit,
            }),
            None => Err(TryLockError(())),
        }
    }

    /// Borrows the value mutably; no locking is needed since `&mut self` is
    /// exclusive.
    pub fn get_mut(&mut self) -> &mut T {
        self.value.get_mut()
    }
}

impl<T: Default> Default for Mutex<T> {
    fn default() -> Self {
        Mutex::new(T::default())
    }
}

impl<T> From<T> for Mutex<T> {
    fn from(value: T) -> Self {
        Mutex::new(value)
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Mutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Mutex");
        match self.try_lock() {
            Ok(guard) => d.field("data", &&*guard),
            Err(_) => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

/// The future returned by [`Mutex::lock`].
#[must_use = "futures do nothing unless polled"]
pub struct Lock<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    acquire: Acquire<'a>,
}

impl<'a, T: ?Sized> Future for Lock<'a, T> {
    type Output = MutexGuard<'a, T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mutex = self.mutex;
        let poll = Pin::new(&mut self.acquire).poll(cx);
        if poll.is_pending() {
            // Overrides the semaphore's note: the user waits on a mutex (at
            // the semaphore's await site, which is the caller of `lock`).
            crate::inspect::note(crate::inspect::WaitReason::Mutex);
        }
        poll.map(|permit| MutexGuard {
            mutex,
            _permit: permit,
        })
    }
}

impl<T: ?Sized> fmt::Debug for Lock<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Lock").finish_non_exhaustive()
    }
}

/// Exclusive access to a [`Mutex`]'s value; dropping it unlocks.
#[must_use = "the mutex is unlocked as soon as the guard is dropped"]
pub struct MutexGuard<'a, T: ?Sized> {
    mutex: &'a Mutex<T>,
    _permit: SemaphorePermit<'a>,
}

// SAFETY: sharing a guard shares `&T` (through `Deref`), so `T: Sync` is
// required, exactly like `std::sync::MutexGuard`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard holds the mutex's only permit, so no other guard
        // (the only other way to reach the value) exists until it is dropped.
        unsafe { &*self.mutex.value.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow exclusive.
        unsafe { &mut *self.mutex.value.get() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// [`Mutex::try_lock`], [`RwLock::try_read`](super::RwLock::try_read) or
/// [`RwLock::try_write`](super::RwLock::try_write) failed: the lock is held
/// (in a way that excludes the caller) or others are queued for it. One
/// type for both locks, as tokio's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TryLockError(pub(super) ());

impl fmt::Display for TryLockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the lock is held, or others are queued for it")
    }
}

impl Error for TryLockError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_sync_bounds() {
        fn send_sync<T: Send + Sync>() {}
        fn send<T: Send>() {}
        send_sync::<Mutex<std::cell::Cell<u8>>>();
        send::<MutexGuard<'_, u8>>();
        send_sync::<MutexGuard<'_, u8>>();
        send::<Lock<'_, u8>>();
    }

    #[test]
    fn get_mut_and_into_inner() {
        let mut m = Mutex::new(vec![1]);
        m.get_mut().push(2);
        assert_eq!(m.into_inner(), vec![1, 2]);
    }
}
