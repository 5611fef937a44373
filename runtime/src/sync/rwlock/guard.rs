//! The guards of a [`RwLock`]: [`RwLockReadGuard`] (one of the semaphore's
//! permits: shared access) and [`RwLockWriteGuard`] (all of them: exclusive
//! access). Each holds its permits as a [`SemaphorePermit`], which gives
//! them back when the guard is dropped.

use std::fmt;
use std::ops::{Deref, DerefMut};

use super::RwLock;
use crate::sync::semaphore::SemaphorePermit;

/// Shared read access to a [`RwLock`]'s value; dropping it releases the
/// read lock.
#[must_use = "the read lock is released as soon as the guard is dropped"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    _permit: SemaphorePermit<'a>,
}

// SAFETY: a read guard gives only `&T` (through `Deref`) and gives its one
// permit back to a `Sync` semaphore when dropped. Moving it to another thread
// or sharing it lets that thread read the `T`, which `T: Sync` allows; it
// never moves or mutates the `T`, so `T: Send` is not needed (as tokio's
// `RwLockReadGuard`). The derived bounds, through `&RwLock<T>`, would also
// demand `T: Send`.
unsafe impl<T: ?Sized + Sync> Send for RwLockReadGuard<'_, T> {}
// SAFETY: as above: `&RwLockReadGuard` gives only `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}

impl<'a, T: ?Sized> RwLockReadGuard<'a, T> {
    pub(super) fn new(lock: &'a RwLock<T>, permit: SemaphorePermit<'a>) -> Self {
        debug_assert_eq!(permit.num_permits(), 1);
        RwLockReadGuard {
            lock,
            _permit: permit,
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard holds one of the lock's permits, so no write
        // guard (which needs all of them, and is the only way to get a
        // `&mut T` through `&RwLock`) exists until it is dropped; other
        // readers only read.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}

/// Exclusive write access to a [`RwLock`]'s value; dropping it releases the
/// write lock. `Send` and `Sync` when `T: Send + Sync`, as tokio's.
#[must_use = "the write lock is released as soon as the guard is dropped"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    lock: &'a RwLock<T>,
    /// All `max_readers` permits of the lock's semaphore.
    permit: SemaphorePermit<'a>,
}

impl<'a, T: ?Sized> RwLockWriteGuard<'a, T> {
    pub(super) fn new(lock: &'a RwLock<T>, permit: SemaphorePermit<'a>) -> Self {
        debug_assert_eq!(permit.num_permits(), lock.max_readers as usize);
        RwLockWriteGuard { lock, permit }
    }

    /// Turns write access into read access without letting a writer in
    /// between: the guard keeps one permit and gives back the others, which
    /// lets in the readers queued at the head of the line (up to the next
    /// queued writer).
    ///
    /// ```
    /// use runtime::sync::RwLock;
    ///
    /// let lock = RwLock::new(1);
    /// runtime::block_on(async {
    ///     let mut w = lock.write().await;
    ///     *w = 2;
    ///     let r = w.downgrade();
    ///     assert_eq!(*lock.try_read().unwrap(), 2); // readers get in
    ///     assert!(lock.try_write().is_err()); // a writer does not
    ///     assert_eq!(*r, 2);
    /// });
    /// ```
    pub fn downgrade(self) -> RwLockReadGuard<'a, T> {
        let RwLockWriteGuard { lock, mut permit } = self;
        // Dropping the split-off permits releases them to the queue, in
        // FIFO order. `max_readers >= 1`, so the split cannot fail.
        let rest = permit.split(lock.max_readers as usize - 1);
        drop(rest);
        RwLockReadGuard::new(lock, permit)
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;

    fn deref(&self) -> &T {
        // SAFETY: this guard holds all of the lock's permits, so no other
        // guard (the only other way to reach the value) exists until it is
        // dropped.
        unsafe { &*self.lock.value.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`; `&mut self` makes this borrow exclusive.
        unsafe { &mut *self.lock.value.get() }
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&**self, f)
    }
}
